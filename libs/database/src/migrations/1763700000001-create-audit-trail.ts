import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only, hash-chained audit trail. The database itself refuses UPDATE, DELETE
 * and TRUNCATE (trigger, for every role including the owner) and checks on INSERT that each
 * row links to the one before it (gapless seq, prev_hash = previous hash). The hash itself is
 * computed by the application over the canonical JSON of the event.
 */
export class CreateAuditTrail1763700000001 implements MigrationInterface {
  name = 'CreateAuditTrail1763700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        id uuid NOT NULL UNIQUE,
        occurred_at timestamptz NOT NULL,
        actor_id uuid,
        actor_username varchar(64),
        actor_role varchar(16) NOT NULL,
        action varchar(64) NOT NULL,
        outcome varchar(8) NOT NULL CHECK (outcome IN ('SUCCESS','DENIED','FAILED')),
        target_type varchar(32),
        target_id varchar(128),
        case_id uuid,
        request_id varchar(64),
        client_ip varchar(64),
        user_agent varchar(512),
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL UNIQUE
      )`);
    await q.query(`CREATE INDEX audit_events_case_idx ON audit_events (case_id, seq) WHERE case_id IS NOT NULL`);
    await q.query(`CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, seq)`);
    await q.query(`CREATE INDEX audit_events_action_idx ON audit_events (action, seq)`);
    await q.query(`CREATE INDEX audit_events_time_idx ON audit_events (occurred_at)`);

    await q.query(`
      CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);

    await q.query(`
      CREATE FUNCTION audit_events_check_link() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE head record;
      BEGIN
        SELECT seq, hash INTO head FROM audit_events ORDER BY seq DESC LIMIT 1;
        IF head IS NULL THEN
          IF NEW.seq <> 1 OR NEW.prev_hash <> repeat('0', 64) THEN
            RAISE EXCEPTION 'audit chain: first event must have seq 1 and a zero prev_hash';
          END IF;
        ELSIF NEW.seq <> head.seq + 1 OR NEW.prev_hash <> head.hash THEN
          RAISE EXCEPTION 'audit chain: event seq % does not link to head seq %', NEW.seq, head.seq;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_link BEFORE INSERT ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_check_link()`);

    await q.query(`REVOKE ALL ON audit_events FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON audit_events TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_check_link()`);
    await q.query(`DROP FUNCTION audit_events_refuse_change()`);
  }
}
