import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * evidence_upload_sessions records every evidence upload from the moment its request is accepted (before
 * a byte of the file is read) to its end, so "an upload to this case is in progress" is a fact every API
 * replica can see: submit is refused while one is. storage_uploads only learns of an upload once its
 * first multipart part is stored (and never of one smaller than a part), so it cannot answer that.
 *
 * A session whose process died never ends by itself: it stops counting at stale_at, which the uploading
 * process pushes forward (UPLOAD_STALE_MINUTES) each time bytes arrive, and the upload janitor then marks
 * it ABANDONED (with an audit event). Rows are kept, like storage_uploads.
 */
export class CreateEvidenceUploadSessions1764250000000 implements MigrationInterface {
  name = 'CreateEvidenceUploadSessions1764250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE evidence_upload_sessions (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES cases (id),
        started_by uuid NOT NULL REFERENCES users (id),
        request_id varchar(128),
        kind varchar(16) NOT NULL,
        original_filename varchar(255),
        declared_bytes bigint,
        bytes_received bigint NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        stale_at timestamptz NOT NULL,
        ended_at timestamptz,
        outcome varchar(16) CHECK (outcome IN ('STORED','FAILED','ABANDONED')),
        CHECK ((ended_at IS NULL) = (outcome IS NULL))
      )`);
    await q.query(
      `CREATE INDEX evidence_upload_sessions_open_idx ON evidence_upload_sessions (case_id, stale_at) WHERE ended_at IS NULL`,
    );
    await q.query(`REVOKE ALL ON evidence_upload_sessions FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON evidence_upload_sessions TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE evidence_upload_sessions`);
  }
}
