import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence items and the journal of in-flight multipart uploads.
 *
 * An evidence row is written once, after its object is complete in storage, in the same
 * transaction as its audit event. What identifies the bytes (hash, size, storage location,
 * uploader, capture metadata) can never change afterwards: a trigger refuses it, for every role.
 * Only the status (superseded, with a reason), the integrity findings of verifications and the
 * preservation record may be updated; the API role has no DELETE.
 *
 * storage_uploads records each multipart upload from initiation to its end, so one cut off by a
 * crash or by unreachable storage is aborted later rather than left half-uploaded.
 */
export class CreateEvidence1763800000000 implements MigrationInterface {
  name = 'CreateEvidence1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE evidence (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES cases (id),
        kind varchar(16) NOT NULL CHECK (kind IN ('BWC','OTHER_VIDEO','PHOTO','AUDIO','DOCUMENT')),
        device_id varchar(100),
        recording_officer_badge varchar(20),
        recorded_start timestamptz,
        recorded_end timestamptz,
        original_filename varchar(255),
        declared_content_type varchar(255),
        content_type varchar(255) NOT NULL,
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        sha256 char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        client_sha256_matched boolean NOT NULL DEFAULT false,
        storage_bucket varchar(63) NOT NULL,
        storage_key varchar(512) NOT NULL UNIQUE,
        storage_version_id varchar(1024),
        storage_etag varchar(128),
        uploaded_by uuid NOT NULL REFERENCES users (id),
        uploaded_at timestamptz NOT NULL,
        upload_request_id varchar(128),
        status varchar(16) NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE','SUPERSEDED')),
        superseded_at timestamptz,
        superseded_by uuid REFERENCES users (id),
        supersede_reason text,
        replaced_by uuid REFERENCES evidence (id),
        integrity_status varchar(16) NOT NULL DEFAULT 'OK' CHECK (integrity_status IN ('OK','FAILED')),
        last_verified_at timestamptz,
        last_verified_by uuid REFERENCES users (id),
        integrity_failed_at timestamptz,
        integrity_failure jsonb,
        preservation jsonb NOT NULL,
        CHECK (recorded_end IS NULL OR recorded_start IS NULL OR recorded_end >= recorded_start),
        CHECK ((status = 'SUPERSEDED') = (superseded_at IS NOT NULL AND supersede_reason IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX evidence_case_idx ON evidence (case_id, uploaded_at, id)`);
    await q.query(`
      CREATE FUNCTION evidence_identity_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.id, NEW.case_id, NEW.kind, NEW.device_id, NEW.recording_officer_badge, NEW.recorded_start,
            NEW.recorded_end, NEW.original_filename, NEW.declared_content_type, NEW.content_type, NEW.size_bytes,
            NEW.sha256, NEW.client_sha256_matched, NEW.storage_bucket, NEW.storage_key, NEW.storage_version_id,
            NEW.storage_etag, NEW.uploaded_by, NEW.uploaded_at, NEW.upload_request_id)
           IS DISTINCT FROM
           (OLD.id, OLD.case_id, OLD.kind, OLD.device_id, OLD.recording_officer_badge, OLD.recorded_start,
            OLD.recorded_end, OLD.original_filename, OLD.declared_content_type, OLD.content_type, OLD.size_bytes,
            OLD.sha256, OLD.client_sha256_matched, OLD.storage_bucket, OLD.storage_key, OLD.storage_version_id,
            OLD.storage_etag, OLD.uploaded_by, OLD.uploaded_at, OLD.upload_request_id) THEN
          RAISE EXCEPTION 'evidence % is immutable: only status, integrity and preservation may change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF OLD.status = 'SUPERSEDED' AND NEW.status <> 'SUPERSEDED' THEN
          RAISE EXCEPTION 'evidence % is superseded and stays so', OLD.id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER evidence_identity_is_immutable BEFORE UPDATE ON evidence
      FOR EACH ROW EXECUTE FUNCTION evidence_identity_is_immutable()`);
    await q.query(`
      CREATE FUNCTION evidence_is_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'evidence rows are never deleted (supersede them instead)' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER evidence_is_never_deleted BEFORE DELETE OR TRUNCATE ON evidence
      FOR EACH STATEMENT EXECUTE FUNCTION evidence_is_never_deleted()`);

    await q.query(`
      CREATE TABLE storage_uploads (
        upload_id varchar(1024) PRIMARY KEY,
        bucket varchar(63) NOT NULL,
        object_key varchar(512) NOT NULL,
        case_id uuid REFERENCES cases (id),
        started_by uuid REFERENCES users (id),
        request_id varchar(128),
        state varchar(16) NOT NULL DEFAULT 'OPEN'
          CHECK (state IN ('OPEN','COMPLETED','ABORTED','RELEASED','ABORT_PENDING')),
        parts jsonb NOT NULL DEFAULT '[]'::jsonb,
        bytes bigint NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        detail text
      )`);
    await q.query(
      `CREATE INDEX storage_uploads_unfinished_idx ON storage_uploads (last_activity_at) WHERE state IN ('OPEN','ABORT_PENDING')`,
    );
    // Custody: an item's events are found by target.
    await q.query(
      `CREATE INDEX audit_events_target_idx ON audit_events (target_type, target_id, seq) WHERE target_id IS NOT NULL`,
    );
    await q.query(`REVOKE ALL ON evidence, storage_uploads FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON evidence, storage_uploads TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_events_target_idx`);
    await q.query(`DROP TABLE storage_uploads`);
    await q.query(`DROP TABLE evidence`);
    await q.query(`DROP FUNCTION evidence_is_never_deleted()`);
    await q.query(`DROP FUNCTION evidence_identity_is_immutable()`);
  }
}
