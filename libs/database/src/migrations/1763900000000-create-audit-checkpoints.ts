import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints of the audit chain: (seq, head hash, time, key id, Ed25519 signature),
 * made periodically and at every export. Like the chain itself they are append-only for every
 * role; a checkpoint held by an investigator pins the chain as it stood.
 */
export class CreateAuditCheckpoints1763900000000 implements MigrationInterface {
  name = 'CreateAuditCheckpoints1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_checkpoints (
        id bigserial PRIMARY KEY,
        seq bigint NOT NULL CHECK (seq >= 0),
        head_hash char(64) NOT NULL CHECK (head_hash ~ '^[0-9a-f]{64}$'),
        created_at timestamptz NOT NULL,
        key_id varchar(64) NOT NULL,
        signature text NOT NULL,
        reason varchar(16) NOT NULL CHECK (reason IN ('periodic','export','archive')),
        created_by uuid REFERENCES users (id)
      )`);
    await q.query(`CREATE INDEX audit_checkpoints_seq_idx ON audit_checkpoints (seq DESC, id DESC)`);
    await q.query(
      `CREATE INDEX audit_checkpoints_periodic_idx ON audit_checkpoints (created_at DESC) WHERE reason = 'periodic'`,
    );
    await q.query(`
      CREATE FUNCTION audit_checkpoints_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_checkpoints is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
      FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
      FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_refuse_change()`);
    await q.query(`REVOKE ALL ON audit_checkpoints FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON audit_checkpoints TO ion_app`);
    await q.query(`GRANT USAGE ON SEQUENCE audit_checkpoints_id_seq TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_checkpoints`);
    await q.query(`DROP FUNCTION audit_checkpoints_refuse_change()`);
  }
}
