import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * access_tickets: short-lived, single-purpose credentials for a plain GET (a media element playing footage,
 * a browser downloading a file or archive to disk), which cannot send the bearer token. The ticket itself
 * is never stored: only its SHA-256. A ticket is bound to one user (and the role they had at issue), one
 * target (an evidence item, a packet archive, or an audit export with its filters) and one purpose.
 *
 * Use is summarised on the row (first and last use, requests, bytes, the byte ranges served, merged), so
 * that one custody event can say what a playback served when the ticket ends (ended_at), instead of one
 * event per Range request. Rows are kept.
 */
export class CreateAccessTickets1764410000000 implements MigrationInterface {
  name = 'CreateAccessTickets1764410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE access_tickets (
        id uuid PRIMARY KEY,
        token_sha256 char(64) NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
        user_id uuid NOT NULL REFERENCES users (id),
        user_role varchar(16) NOT NULL,
        target_type varchar(16) NOT NULL CHECK (target_type IN ('evidence','packet_archive','audit_export')),
        target_id uuid,
        case_id uuid REFERENCES cases (id),
        filters jsonb,
        purpose varchar(16) NOT NULL CHECK (purpose IN ('PLAYBACK','DOWNLOAD')),
        issued_at timestamptz NOT NULL DEFAULT now(),
        issue_request_id varchar(128),
        expires_at timestamptz NOT NULL,
        not_after timestamptz NOT NULL,
        first_used_at timestamptz,
        last_used_at timestamptz,
        requests integer NOT NULL DEFAULT 0,
        in_flight integer NOT NULL DEFAULT 0,
        interrupted integer NOT NULL DEFAULT 0,
        bytes_served bigint NOT NULL DEFAULT 0,
        ranges jsonb NOT NULL DEFAULT '[]'::jsonb,
        ended_at timestamptz,
        CHECK ((target_type = 'audit_export') = (target_id IS NULL)),
        CHECK (expires_at <= not_after)
      )`);
    await q.query(`CREATE INDEX access_tickets_unended_idx ON access_tickets (expires_at) WHERE ended_at IS NULL`);
    await q.query(`REVOKE ALL ON access_tickets FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON access_tickets TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE access_tickets`);
  }
}
