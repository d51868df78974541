import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16 (the prosecutor's review):
 * - A claim may now be released (IN_REVIEW -> PENDING, claimant cleared) or handed to a colleague of the office
 *   (IN_REVIEW stays, claimed_by / claimed_at become the colleague's). packets_review_only() allows exactly these two
 *   moves besides claim and decision; a decision is still final, and every other column of a packet stays frozen.
 *   Who was the claimant before is in the audit trail (packet.released / packet.handed_over, from and to).
 *   A deferred constraint trigger keeps a packet's open state and its case's in step at commit (PENDING with the case
 *   REFERRED, IN_REVIEW with the case IN_REVIEW): a claim or a release written without moving the case (which the API
 *   does only together with its audit event) does not commit, for any role.
 * - packet_reference_corrections: the external reference of a decision corrected after the fact, appended (never
 *   changed or deleted): the decision row keeps the reference as decided; each correction records the reference
 *   it replaces, the new one (null: removed), why, who and when. Only a DECIDED packet takes corrections.
 */
export class PacketClaimReleaseAndReferenceCorrections1764490000000 implements MigrationInterface {
  name = 'PacketClaimReleaseAndReferenceCorrections1764490000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(reviewOnly(true));
    await q.query(`
      CREATE FUNCTION packets_open_state_matches_case() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        case_status varchar;
      BEGIN
        SELECT status INTO case_status FROM cases WHERE id = NEW.case_id;
        IF (NEW.status = 'PENDING' AND case_status IS DISTINCT FROM 'REFERRED')
           OR (NEW.status = 'IN_REVIEW' AND case_status IS DISTINCT FROM 'IN_REVIEW') THEN
          RAISE EXCEPTION 'packet % is % but its case is %: a claim and its release move the case with it', NEW.id, NEW.status, case_status
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER packets_open_state_matches_case AFTER UPDATE OF status ON packets
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status <> 'DECIDED')
      EXECUTE FUNCTION packets_open_state_matches_case()`);
    await q.query(`
      CREATE TABLE packet_reference_corrections (
        id uuid PRIMARY KEY,
        packet_id uuid NOT NULL REFERENCES packets (id),
        seq integer NOT NULL CHECK (seq >= 1),
        previous_reference varchar(200),
        external_reference varchar(200),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 4000),
        corrected_by uuid NOT NULL REFERENCES users (id),
        corrected_at timestamptz NOT NULL,
        UNIQUE (packet_id, seq),
        CHECK (previous_reference IS DISTINCT FROM external_reference)
      )`);
    await q.query(`
      CREATE FUNCTION packet_reference_corrections_decided_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM packets p WHERE p.id = NEW.packet_id AND p.status = 'DECIDED') THEN
          RAISE EXCEPTION 'packet % is not decided: there is no decision to correct', NEW.packet_id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER packet_reference_corrections_decided_only BEFORE INSERT ON packet_reference_corrections
      FOR EACH ROW EXECUTE FUNCTION packet_reference_corrections_decided_only()`);
    await q.query(`
      CREATE TRIGGER packet_reference_corrections_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON packet_reference_corrections
      FOR EACH STATEMENT EXECUTE FUNCTION packets_never_deleted()`);
    await q.query(`REVOKE ALL ON packet_reference_corrections FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON packet_reference_corrections TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE packet_reference_corrections`);
    await q.query(`DROP FUNCTION packet_reference_corrections_decided_only()`);
    await q.query(`DROP TRIGGER packets_open_state_matches_case ON packets`);
    await q.query(`DROP FUNCTION packets_open_state_matches_case()`);
    await q.query(reviewOnly(false));
  }
}

/** packets_review_only() (migrations 1764000000000, 1764450000000), with or without release and hand-over. */
function reviewOnly(withRelease: boolean): string {
  const cols = (r: 'NEW' | 'OLD') =>
    `${r}.id, ${r}.case_id, ${r}.case_number, ${r}.version, ${r}.previous_packet_id, ${r}.office, ${r}.felony,
            ${r}.sent_by, ${r}.sent_at, ${r}.manifest, ${r}.manifest_sha256, ${r}.signature, ${r}.key_id, ${r}.public_key_pem,
            ${r}.storage_bucket, ${r}.manifest_key, ${r}.signature_key, ${r}.evidence_count, ${r}.evidence_bytes,
            ${r}.case_report_key, ${r}.case_report_version_id`;
  const moves = withRelease
    ? `OLD.status = 'DECIDED'
           OR (OLD.status = 'PENDING' AND NEW.status NOT IN ('PENDING','IN_REVIEW'))
           -- release: back to PENDING, the claim cleared
           OR (OLD.status = 'IN_REVIEW' AND NEW.status = 'PENDING' AND (NEW.claimed_at IS NOT NULL OR NEW.claimed_by IS NOT NULL))
           -- decision: by the claim as it stands
           OR (OLD.status = 'IN_REVIEW' AND NEW.status = 'DECIDED' AND (NEW.claimed_at, NEW.claimed_by) IS DISTINCT FROM (OLD.claimed_at, OLD.claimed_by))
           -- hand-over: IN_REVIEW stays, a new claimant from a new time on
           OR (OLD.status = 'IN_REVIEW' AND NEW.status = 'IN_REVIEW'
               AND (NEW.claimed_at, NEW.claimed_by) IS DISTINCT FROM (OLD.claimed_at, OLD.claimed_by)
               AND (NEW.claimed_by IS NULL OR NEW.claimed_by = OLD.claimed_by OR NEW.claimed_at IS NULL OR NEW.claimed_at < OLD.claimed_at))`
    : `OLD.status = 'DECIDED'
           OR (OLD.status = 'IN_REVIEW' AND NEW.status NOT IN ('IN_REVIEW','DECIDED'))
           OR (OLD.claimed_at IS NOT NULL AND (NEW.claimed_at, NEW.claimed_by) IS DISTINCT FROM (OLD.claimed_at, OLD.claimed_by))`;
  return `
      CREATE OR REPLACE FUNCTION packets_review_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (${cols('NEW')})
           IS DISTINCT FROM
           (${cols('OLD')}) THEN
          RAISE EXCEPTION 'packet % is frozen: only its review (claim, decision) may change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF ${moves} THEN
          RAISE EXCEPTION 'packet % review moves forward only (% -> %)', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`;
}
