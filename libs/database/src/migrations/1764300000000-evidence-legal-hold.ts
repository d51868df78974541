import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The last deliberate change of an evidence item's legal hold: PLACED or RELEASED, when, by whom, why,
 * and the court or office reference that allowed it (required for a release). The hold's current
 * state stays in `preservation.legalHold`, next to the retention it complements; every change is
 * also an audit event on the item (its chain of custody), so the row keeps only the latest.
 *
 * The immutability trigger is extended, deliberately: the identity columns stay frozen as before,
 * and a legal hold that is ON is turned OFF only together with a new RELEASED record (its own
 * time, actor, reason and reference); a recorded change is never rewritten in place (changing any
 * of its columns needs a new time). No UPDATE of `preservation` alone can drop a hold.
 */
export class EvidenceLegalHold1764300000000 implements MigrationInterface {
  name = 'EvidenceLegalHold1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE evidence
        ADD COLUMN legal_hold_action varchar(8) CHECK (legal_hold_action IN ('PLACED','RELEASED')),
        ADD COLUMN legal_hold_changed_at timestamptz,
        ADD COLUMN legal_hold_changed_by uuid REFERENCES users (id),
        ADD COLUMN legal_hold_reason text,
        ADD COLUMN legal_hold_reference varchar(200),
        ADD CONSTRAINT evidence_legal_hold_change_complete CHECK (
          (legal_hold_action IS NULL) = (legal_hold_changed_at IS NULL)
          AND (legal_hold_action IS NULL) = (legal_hold_changed_by IS NULL)
          AND (legal_hold_action IS NULL) = (legal_hold_reason IS NULL)
          AND (legal_hold_action IS DISTINCT FROM 'RELEASED' OR legal_hold_reference IS NOT NULL))`);
    await q.query(`
      CREATE OR REPLACE FUNCTION evidence_identity_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
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
          RAISE EXCEPTION 'evidence % is immutable: only status, integrity, preservation and the legal hold may change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF OLD.status = 'SUPERSEDED' AND NEW.status <> 'SUPERSEDED' THEN
          RAISE EXCEPTION 'evidence % is superseded and stays so', OLD.id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF (NEW.legal_hold_action, NEW.legal_hold_changed_by, NEW.legal_hold_reason, NEW.legal_hold_reference)
             IS DISTINCT FROM (OLD.legal_hold_action, OLD.legal_hold_changed_by, OLD.legal_hold_reason, OLD.legal_hold_reference)
           AND NEW.legal_hold_changed_at IS NOT DISTINCT FROM OLD.legal_hold_changed_at THEN
          RAISE EXCEPTION 'evidence %: a recorded legal hold change is never rewritten (a new change has its own time)', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF coalesce((OLD.preservation->>'legalHold')::boolean, false)
           AND NOT coalesce((NEW.preservation->>'legalHold')::boolean, false)
           AND NOT (NEW.legal_hold_action = 'RELEASED' AND NEW.legal_hold_changed_at IS DISTINCT FROM OLD.legal_hold_changed_at) THEN
          RAISE EXCEPTION 'evidence %: its legal hold is released only by a recorded release (reason and reference)', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION evidence_identity_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
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
      ALTER TABLE evidence
        DROP CONSTRAINT evidence_legal_hold_change_complete,
        DROP COLUMN legal_hold_reference,
        DROP COLUMN legal_hold_reason,
        DROP COLUMN legal_hold_changed_by,
        DROP COLUMN legal_hold_changed_at,
        DROP COLUMN legal_hold_action`);
  }
}
