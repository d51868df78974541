import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The printable case report a packet carries (issue 15 §4): its object in storage (next to the manifest and
 * signature, under the packet's prefix) and the object version written, so reads name that version and never
 * "the latest". Its SHA-256 and size are in the signed manifest (format /2 on). Null for packets sent before
 * (format /1), which have no report. Frozen like the rest of the packet: the review-only trigger now covers them.
 */
export class PacketCaseReport1764450000000 implements MigrationInterface {
  name = 'PacketCaseReport1764450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE packets ADD COLUMN case_report_key varchar(512) UNIQUE, ADD COLUMN case_report_version_id varchar(1024)`,
    );
    await q.query(
      `ALTER TABLE packets ADD CONSTRAINT packets_case_report_version_needs_key CHECK (case_report_version_id IS NULL OR case_report_key IS NOT NULL)`,
    );
    await q.query(frozen(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(frozen(false));
    await q.query(`ALTER TABLE packets DROP CONSTRAINT packets_case_report_version_needs_key`);
    await q.query(`ALTER TABLE packets DROP COLUMN case_report_version_id, DROP COLUMN case_report_key`);
  }
}

/** packets_review_only() (migration 1764000000000), with or without the case report columns among the frozen ones. */
function frozen(withReport: boolean): string {
  const cols = (r: 'NEW' | 'OLD') =>
    `${r}.id, ${r}.case_id, ${r}.case_number, ${r}.version, ${r}.previous_packet_id, ${r}.office, ${r}.felony,
            ${r}.sent_by, ${r}.sent_at, ${r}.manifest, ${r}.manifest_sha256, ${r}.signature, ${r}.key_id, ${r}.public_key_pem,
            ${r}.storage_bucket, ${r}.manifest_key, ${r}.signature_key, ${r}.evidence_count, ${r}.evidence_bytes` +
    (withReport ? `, ${r}.case_report_key, ${r}.case_report_version_id` : '');
  return `
      CREATE OR REPLACE FUNCTION packets_review_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (${cols('NEW')})
           IS DISTINCT FROM
           (${cols('OLD')}) THEN
          RAISE EXCEPTION 'packet % is frozen: only its review (claim, decision) may change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF OLD.status = 'DECIDED'
           OR (OLD.status = 'IN_REVIEW' AND NEW.status NOT IN ('IN_REVIEW','DECIDED'))
           OR (OLD.claimed_at IS NOT NULL AND (NEW.claimed_at, NEW.claimed_by) IS DISTINCT FROM (OLD.claimed_at, OLD.claimed_by)) THEN
          RAISE EXCEPTION 'packet % review moves forward only (% -> %)', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`;
}
