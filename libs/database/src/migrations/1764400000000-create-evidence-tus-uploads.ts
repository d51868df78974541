import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * evidence_tus_uploads: what a resumable (tus 1.0.0) evidence upload needs beyond its upload session, so that any
 * API process can resume it after the one that received its first bytes died: the declared length, the validated
 * metadata, the object key, and the S3 multipart upload holding the parts stored so far (its parts and byte count
 * are in storage_uploads, journaled part by part; bytes not yet forming a full part live only in the receiving
 * process and are lost with it, so the offset a new process reports is the stored one). `generation` counts the
 * times a process took the upload over from this row: a process whose in-memory state is of an older generation
 * discards it, and its part journal writes are refused (they name their generation).
 *
 * Whether the upload is open, stored, failed, cancelled or abandoned is its session's outcome (one row each, same
 * id, which is also the evidence id once stored). Sessions gain the outcome CANCELLED (tus termination, DELETE).
 */
export class CreateEvidenceTusUploads1764400000000 implements MigrationInterface {
  name = 'CreateEvidenceTusUploads1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE evidence_tus_uploads (
        id uuid PRIMARY KEY REFERENCES evidence_upload_sessions (id),
        upload_length bigint NOT NULL CHECK (upload_length > 0),
        metadata jsonb NOT NULL,
        object_key varchar(512) NOT NULL,
        part_size bigint NOT NULL CHECK (part_size > 0),
        storage_upload_id varchar(1024) REFERENCES storage_uploads (upload_id),
        generation integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE evidence_upload_sessions DROP CONSTRAINT evidence_upload_sessions_outcome_check`);
    await q.query(`ALTER TABLE evidence_upload_sessions ADD CONSTRAINT evidence_upload_sessions_outcome_check
      CHECK (outcome IN ('STORED','FAILED','ABANDONED','CANCELLED'))`);
    await q.query(`REVOKE ALL ON evidence_tus_uploads FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON evidence_tus_uploads TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE evidence_tus_uploads`);
    await q.query(`ALTER TABLE evidence_upload_sessions DROP CONSTRAINT evidence_upload_sessions_outcome_check`);
    await q.query(`ALTER TABLE evidence_upload_sessions ADD CONSTRAINT evidence_upload_sessions_outcome_check
      CHECK (outcome IN ('STORED','FAILED','ABANDONED'))`);
  }
}
