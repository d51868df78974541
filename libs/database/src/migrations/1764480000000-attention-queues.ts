import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The home screen's queues (issue 16, GET /me/attention), small partial indexes so that a refresh every 30-60 s from
 * every open console stays an index lookup whatever the size of the trail:
 * - the caller's last attention.viewed event (whether what they are shown changed since it was last audited);
 * - DENIED events by time (the auditor's denied-access spikes read the last 8 days of them, not of every event);
 * - evidence whose integrity status is FAILED (a handful among millions of items).
 */
export class AttentionQueues1764480000000 implements MigrationInterface {
  name = 'AttentionQueues1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX audit_events_attention_viewed_idx ON audit_events (actor_id, seq) WHERE action = 'attention.viewed'`,
    );
    await q.query(`CREATE INDEX audit_events_denied_time_idx ON audit_events (occurred_at) WHERE outcome = 'DENIED'`);
    await q.query(
      `CREATE INDEX evidence_integrity_failed_idx ON evidence (integrity_failed_at) WHERE integrity_status = 'FAILED'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX evidence_integrity_failed_idx`);
    await q.query(`DROP INDEX audit_events_denied_time_idx`);
    await q.query(`DROP INDEX audit_events_attention_viewed_idx`);
  }
}
