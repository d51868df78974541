import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prosecutor packets, the evidence each one discloses, and the review queue's indexes.
 *
 * A packet row is written once, in the transaction that moves its case to REFERRED, with the
 * manifest exactly as signed (text, so the bytes never change through jsonb normalisation), its
 * SHA-256, the signature and the public key that verifies it. Afterwards only the review fields
 * may change (claim, decision), each once and in order: a trigger refuses anything else, for
 * every role. The API role has no DELETE on either table.
 *
 * evidence_disclosures is what lets a prosecutor reach an evidence item: one row per item per
 * packet, with the office it was sent to.
 *
 * Queue: a prosecutor's page is "packets of my office in these states, oldest first". The two
 * partial/compound indexes below answer it from the index order (no sort, no scan of other
 * offices' or decided packets); measured in bench/review-queue.js.
 */
export class CreatePackets1764000000000 implements MigrationInterface {
  name = 'CreatePackets1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE packets (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES cases (id),
        case_number varchar(32) NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        previous_packet_id uuid REFERENCES packets (id),
        office varchar(16) NOT NULL CHECK (office IN ('CCSAO','CITY_LAW')),
        felony boolean NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING','IN_REVIEW','DECIDED')),
        sent_by uuid NOT NULL REFERENCES users (id),
        sent_at timestamptz NOT NULL,
        manifest text NOT NULL,
        manifest_sha256 char(64) NOT NULL CHECK (manifest_sha256 ~ '^[0-9a-f]{64}$'),
        signature text NOT NULL,
        key_id varchar(64) NOT NULL,
        public_key_pem text NOT NULL,
        storage_bucket varchar(63) NOT NULL,
        manifest_key varchar(512) NOT NULL UNIQUE,
        signature_key varchar(512) NOT NULL UNIQUE,
        evidence_count integer NOT NULL,
        evidence_bytes bigint NOT NULL,
        claimed_by uuid REFERENCES users (id),
        claimed_at timestamptz,
        decision varchar(32) CHECK (decision IN ('CHARGES_FILED','DECLINED','REFERRED_ELSEWHERE','MORE_INFO_REQUESTED')),
        decision_reason text,
        external_reference varchar(200),
        decided_by uuid REFERENCES users (id),
        decided_at timestamptz,
        UNIQUE (case_id, version),
        CHECK ((status = 'PENDING') = (claimed_at IS NULL)),
        CHECK ((status = 'DECIDED') = (decided_at IS NOT NULL)),
        CHECK (claimed_at IS NULL OR claimed_by IS NOT NULL),
        CHECK (decided_at IS NULL OR (decided_by IS NOT NULL AND decision IS NOT NULL AND decision_reason IS NOT NULL)),
        CHECK ((version = 1) = (previous_packet_id IS NULL))
      )`);
    // At most one packet of a case is with prosecutors at a time.
    await q.query(`CREATE UNIQUE INDEX packets_one_open_per_case ON packets (case_id) WHERE status <> 'DECIDED'`);
    // The queue: one status, oldest first (PENDING / IN_REVIEW / DECIDED pages) ...
    await q.query(`CREATE INDEX packets_queue_idx ON packets (office, status, sent_at, id)`);
    // ... and the default view, open packets (PENDING and IN_REVIEW) oldest first, without a sort.
    await q.query(`CREATE INDEX packets_open_queue_idx ON packets (office, sent_at, id) WHERE status <> 'DECIDED'`);
    await q.query(`
      CREATE FUNCTION packets_review_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.id, NEW.case_id, NEW.case_number, NEW.version, NEW.previous_packet_id, NEW.office, NEW.felony,
            NEW.sent_by, NEW.sent_at, NEW.manifest, NEW.manifest_sha256, NEW.signature, NEW.key_id, NEW.public_key_pem,
            NEW.storage_bucket, NEW.manifest_key, NEW.signature_key, NEW.evidence_count, NEW.evidence_bytes)
           IS DISTINCT FROM
           (OLD.id, OLD.case_id, OLD.case_number, OLD.version, OLD.previous_packet_id, OLD.office, OLD.felony,
            OLD.sent_by, OLD.sent_at, OLD.manifest, OLD.manifest_sha256, OLD.signature, OLD.key_id, OLD.public_key_pem,
            OLD.storage_bucket, OLD.manifest_key, OLD.signature_key, OLD.evidence_count, OLD.evidence_bytes) THEN
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
      END $$`);
    await q.query(
      `CREATE TRIGGER packets_review_only BEFORE UPDATE ON packets FOR EACH ROW EXECUTE FUNCTION packets_review_only()`,
    );

    await q.query(`
      CREATE TABLE evidence_disclosures (
        packet_id uuid NOT NULL REFERENCES packets (id),
        evidence_id uuid NOT NULL REFERENCES evidence (id),
        office varchar(16) NOT NULL CHECK (office IN ('CCSAO','CITY_LAW')),
        position integer NOT NULL,
        PRIMARY KEY (packet_id, evidence_id)
      )`);
    await q.query(`CREATE INDEX evidence_disclosures_evidence_idx ON evidence_disclosures (evidence_id, office)`);
    await q.query(`
      CREATE FUNCTION packets_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are never changed or deleted', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(
      `CREATE TRIGGER packets_never_deleted BEFORE DELETE OR TRUNCATE ON packets FOR EACH STATEMENT EXECUTE FUNCTION packets_never_deleted()`,
    );
    await q.query(`
      CREATE TRIGGER evidence_disclosures_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON evidence_disclosures
      FOR EACH STATEMENT EXECUTE FUNCTION packets_never_deleted()`);
    await q.query(`REVOKE ALL ON packets, evidence_disclosures FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON packets TO ion_app`);
    await q.query(`GRANT SELECT, INSERT ON evidence_disclosures TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE evidence_disclosures`);
    await q.query(`DROP TABLE packets`);
    await q.query(`DROP FUNCTION packets_never_deleted()`);
    await q.query(`DROP FUNCTION packets_review_only()`);
  }
}
