import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention guard for the audit trail.
 *
 * Audit rows are never deleted by the application (its role has no DELETE; a trigger refuses
 * UPDATE, DELETE and TRUNCATE for every role). The one way rows may ever leave the database is
 * `audit_drop_archived(up_to_seq)`, run by the schema owner (a DBA), which deletes only a prefix
 * of the chain that is (a) entirely older than 365 days and (b) covered, without gaps, by signed
 * archive exports recorded in `audit_archives` (written to object storage by
 * `npm run cli -- audit-archive`). Everything else stays refused.
 */
export class CreateAuditRetention1763900000001 implements MigrationInterface {
  name = 'CreateAuditRetention1763900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_archives (
        id bigserial PRIMARY KEY,
        from_seq bigint NOT NULL CHECK (from_seq > 0),
        to_seq bigint NOT NULL CHECK (to_seq >= from_seq),
        last_hash char(64) NOT NULL,
        rows bigint NOT NULL,
        newest_event_at timestamptz NOT NULL,
        bucket varchar(63) NOT NULL,
        object_key varchar(512) NOT NULL UNIQUE,
        object_sha256 char(64) NOT NULL,
        object_bytes bigint NOT NULL,
        checkpoint_seq bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by varchar(64) NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX audit_archives_to_seq_idx ON audit_archives (to_seq)`);
    await q.query(`
      CREATE FUNCTION audit_archives_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_archives is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_archives_no_update_delete BEFORE UPDATE OR DELETE ON audit_archives
      FOR EACH ROW EXECUTE FUNCTION audit_archives_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_archives_no_truncate BEFORE TRUNCATE ON audit_archives
      FOR EACH STATEMENT EXECUTE FUNCTION audit_archives_refuse_change()`);

    // UPDATE and TRUNCATE stay refused. A DELETE passes only inside audit_drop_archived, and only for
    // a row older than 365 days that an archive covers: checked again per row, whoever set the flag.
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('ion.audit_retention_drop', true) = 'on'
           AND OLD.occurred_at < now() - interval '365 days'
           AND EXISTS (SELECT 1 FROM audit_archives a WHERE OLD.seq BETWEEN a.from_seq AND a.to_seq) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE FUNCTION audit_drop_archived(up_to_seq bigint) RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE
        first_seq bigint;
        covered bigint;
        young bigint;
        dropped bigint;
      BEGIN
        SELECT min(seq) INTO first_seq FROM audit_events;
        IF first_seq IS NULL OR up_to_seq < first_seq THEN
          RETURN 0;
        END IF;
        -- every seq in [first_seq, up_to_seq] must lie in a recorded archive
        SELECT count(*) INTO covered FROM audit_events e
          WHERE e.seq BETWEEN first_seq AND up_to_seq
            AND EXISTS (SELECT 1 FROM audit_archives a WHERE e.seq BETWEEN a.from_seq AND a.to_seq);
        IF covered <> up_to_seq - first_seq + 1 THEN
          RAISE EXCEPTION 'audit retention: seq % to % is not entirely covered by signed archives', first_seq, up_to_seq;
        END IF;
        SELECT count(*) INTO young FROM audit_events
          WHERE seq BETWEEN first_seq AND up_to_seq AND occurred_at >= now() - interval '365 days';
        IF young > 0 THEN
          RAISE EXCEPTION 'audit retention: % event(s) up to seq % are younger than 365 days', young, up_to_seq;
        END IF;
        PERFORM set_config('ion.audit_retention_drop', 'on', true);
        DELETE FROM audit_events WHERE seq BETWEEN first_seq AND up_to_seq;
        GET DIAGNOSTICS dropped = ROW_COUNT;
        PERFORM set_config('ion.audit_retention_drop', 'off', true);
        RETURN dropped;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION audit_drop_archived(bigint) FROM PUBLIC`);
    await q.query(`REVOKE ALL ON audit_archives FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON audit_archives TO ion_app`);
    await q.query(`GRANT USAGE ON SEQUENCE audit_archives_id_seq TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION audit_drop_archived(bigint)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`DROP TABLE audit_archives`);
    await q.query(`DROP FUNCTION audit_archives_refuse_change()`);
  }
}
