import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cases under EO 2026-01. Federal-officer records and violations are stored with the case
 * (jsonb, replaced as a whole under the case's version) and every version of a case is kept in
 * case_revisions, so nothing written is ever lost. There is deliberately no column for anyone's
 * immigration status (Chicago Welcoming City Ordinance).
 */
export class CreateCases1763700000002 implements MigrationInterface {
  name = 'CreateCases1763700000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE case_number_counters (
        year integer PRIMARY KEY,
        last_value integer NOT NULL
      )`);
    await q.query(`
      CREATE TABLE cases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_number varchar(20) NOT NULL UNIQUE,
        status varchar(24) NOT NULL CHECK (status IN
          ('DRAFT','SUBMITTED','RETURNED','APPROVED','REFERRED','IN_REVIEW','CLOSED','WITHDRAWN')),
        version integer NOT NULL DEFAULT 1,
        district smallint NOT NULL,
        created_by uuid NOT NULL REFERENCES users (id),
        origin varchar(16) CHECK (origin IN ('WITNESSED','REPORTED')),
        incident_at timestamptz,
        incident_location varchar(500),
        activity_type varchar(32),
        agencies text[] NOT NULL DEFAULT '{}',
        narrative text,
        injuries_reported boolean,
        injury_description text,
        ems_called boolean,
        ems_called_at timestamptz,
        aid_given text,
        no_footage_reason text,
        federal_officers jsonb NOT NULL DEFAULT '[]'::jsonb,
        violations jsonb NOT NULL DEFAULT '[]'::jsonb,
        submitted_at timestamptz,
        submitted_by uuid REFERENCES users (id),
        approved_at timestamptz,
        approved_by uuid REFERENCES users (id),
        returned_at timestamptz,
        returned_by uuid REFERENCES users (id),
        return_reason text,
        withdrawn_at timestamptz,
        withdrawn_by uuid REFERENCES users (id),
        withdraw_reason text,
        disposition varchar(32),
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX cases_district_idx ON cases (district, created_at DESC)`);
    await q.query(`CREATE INDEX cases_author_idx ON cases (created_by, created_at DESC)`);
    await q.query(`CREATE INDEX cases_status_idx ON cases (status, created_at DESC)`);
    await q.query(`
      CREATE TABLE case_revisions (
        case_id uuid NOT NULL REFERENCES cases (id),
        version integer NOT NULL,
        action varchar(48) NOT NULL,
        changed_by uuid REFERENCES users (id),
        changed_at timestamptz NOT NULL,
        snapshot jsonb NOT NULL,
        PRIMARY KEY (case_id, version)
      )`);
    await q.query(`REVOKE ALL ON case_number_counters, cases, case_revisions FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON case_number_counters, cases TO ion_app`);
    await q.query(`GRANT SELECT, INSERT ON case_revisions TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE case_revisions`);
    await q.query(`DROP TABLE cases`);
    await q.query(`DROP TABLE case_number_counters`);
  }
}
