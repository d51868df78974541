import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AuditEventBody, canonicalAuditBody, GENESIS_HASH, hashAuditEvent } from '@app/audit';
import { dataSourceOptions, runMigrations } from '@app/database';
import { createTestDatabase, databaseUrls } from './harness/test-app';

/**
 * Migrations that change existing data are run against existing data: the audit body_json
 * migration is undone on a database holding a chain, then applied again.
 */
describe('migrations over existing data', () => {
  it('audit body_json: backfills every existing row with the exact bytes its hash covers, then enforces it', async () => {
    const urls = databaseUrls(await createTestDatabase());
    const ds = new DataSource(dataSourceOptions(urls.owner, { poolSize: 1 }));
    await ds.initialize();
    // Undo down to (and including) the body_json migration; those after it are re-applied too.
    const reapplied: string[] = [];
    while (!reapplied.includes('AuditBodyJson1763900000002')) {
      const [last] = await ds.query('SELECT name FROM schema_migrations ORDER BY id DESC LIMIT 1');
      await ds.undoLastMigration({ transaction: 'each' });
      reapplied.unshift(last.name);
    }
    // Every migration from body_json on, in order (each one's down() ran): later migrations join the list by themselves.
    const all = ds.migrations.map((m) => m.name);
    await ds.destroy();
    expect(reapplied).toEqual(all.slice(all.indexOf('AuditBodyJson1763900000002')));
    expect(reapplied.slice(0, 4)).toEqual([
      'AuditBodyJson1763900000002',
      'CreatePackets1764000000000',
      'CreateRateLimits1764100000000',
      'CreateSigningKeys1764100000001',
    ]);

    const db = new Pool({ connectionString: urls.owner, max: 1 });
    try {
      let prev = GENESIS_HASH;
      const expected: string[] = [];
      for (let seq = 1; seq <= 2500; seq++) {
        // more than one backfill batch
        const body: AuditEventBody = {
          seq,
          id: randomUUID(),
          occurredAt: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
          actorId: null,
          actorUsername: seq % 2 ? 'officer-ü' : null,
          actorRole: 'OFFICER',
          action: 'case.viewed',
          outcome: 'SUCCESS',
          targetType: 'case',
          targetId: `t-${seq}`,
          caseId: null,
          requestId: null,
          clientIp: null,
          userAgent: 'UA "quoted"',
          details: { n: seq, nested: { b: [1, 'two', null], a: true }, text: 'line\nbreak' },
        };
        const hash = hashAuditEvent(prev, body);
        await db.query(
          `INSERT INTO audit_events (seq, id, occurred_at, actor_id, actor_username, actor_role, action, outcome, target_type, target_id,
             case_id, request_id, client_ip, user_agent, details, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)`,
          [
            seq,
            body.id,
            body.occurredAt,
            null,
            body.actorUsername,
            body.actorRole,
            body.action,
            body.outcome,
            body.targetType,
            body.targetId,
            null,
            null,
            null,
            body.userAgent,
            JSON.stringify(body.details),
            prev,
            hash,
          ],
        );
        expected.push(canonicalAuditBody(body));
        prev = hash;
      }
      expect(await runMigrations(urls.owner)).toEqual(reapplied);
      const rows = (await db.query(`SELECT body_json FROM audit_events ORDER BY seq`)).rows.map((r) => r.body_json);
      expect(rows).toEqual(expected);
      // every backfilled row hashes to its body with nothing but SQL
      const {
        rows: [check],
      } = await db.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE hash = encode(sha256(convert_to(prev_hash || body_json, 'UTF8')), 'hex')`,
      );
      expect(check.n).toBe(2500);
      // and the append-only trigger is back on
      await expect(db.query(`UPDATE audit_events SET body_json = '{}' WHERE seq = 1`)).rejects.toThrow(/append-only/);
      // a new row whose hash does not cover its body is refused
      await expect(
        db.query(
          `INSERT INTO audit_events (seq, id, occurred_at, actor_role, action, outcome, details, prev_hash, hash, body_json)
         VALUES (2501, gen_random_uuid(), now(), 'SYSTEM', 'forged', 'SUCCESS', '{}', $1, $2, '{"forged":true}')`,
          [prev, 'b'.repeat(64)],
        ),
      ).rejects.toThrow(/audit_events_hash_covers_body/);
    } finally {
      await db.end();
    }
  });
});
