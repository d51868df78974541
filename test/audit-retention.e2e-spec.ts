import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditEventBody, canonicalAuditBody, GENESIS_HASH, hashAuditEvent } from '@app/audit';
import { DIST_API } from './harness/paths';
import { auditRows, createTestApp, processEnv, TestApp, TestUser } from './harness/test-app';

const API = '/api/v1';
const DAY = 24 * 3600 * 1000;

function run(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(DIST_API, script), ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/**
 * Retention: rows younger than 365 days are never archived or dropped; older ones are archived
 * to storage as signed exports first, and only archived ones may be dropped, by the DBA function.
 * The suite's database starts with a history written directly (as it would stand years later).
 */
describe('audit retention: archive older ranges as signed exports, drop only what is archived and old', () => {
  let t: TestApp;
  let auditor: TestUser;
  let dir: string;
  let keyFile: string;
  const now = Date.now();

  beforeAll(async () => {
    t = await createTestApp();
    // seq 1..50 about two years old, 51..60 about 400 days old, 61..65 100 days old
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 65; seq++) {
      const age = seq <= 50 ? 800 - seq : seq <= 60 ? 400 - (seq - 50) : 100 - (seq - 60);
      const body: AuditEventBody = {
        seq,
        id: randomUUID(),
        occurredAt: new Date(now - age * DAY).toISOString(),
        actorId: null,
        actorUsername: 'historic',
        actorRole: 'SYSTEM',
        action: 'case.viewed',
        outcome: 'SUCCESS',
        targetType: 'case',
        targetId: randomUUID(),
        caseId: null,
        requestId: null,
        clientIp: '10.0.0.1',
        userAgent: null,
        details: { historic: true, n: seq },
      };
      const hash = hashAuditEvent(prev, body);
      await t.owner.query(
        `INSERT INTO audit_events (seq, id, occurred_at, actor_id, actor_username, actor_role, action, outcome, target_type, target_id,
           case_id, request_id, client_ip, user_agent, details, prev_hash, hash, body_json)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
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
          body.clientIp,
          null,
          JSON.stringify(body.details),
          prev,
          hash,
          canonicalAuditBody(body),
        ],
      );
      prev = hash;
    }
    auditor = await t.given.auditor();
    dir = mkdtempSync(join(tmpdir(), 'ion-audit-retention-'));
    keyFile = join(dir, 'public.pem');
    writeFileSync(keyFile, (await t.http().get(`${API}/keys`).expect(200)).body.keys[0].publicKeyPem);
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const archive = (before: number) =>
    run('cli/cli.js', ['audit-archive', '--before', new Date(before).toISOString()], processEnv(t.dbName, t.storage));

  async function verifyStoredArchive(key: string): Promise<{ code: number | null; out: string }> {
    const file = join(dir, key.replace(/\//g, '_'));
    const chunks: Buffer[] = [];
    for await (const c of await t.storage.client.getObject(t.storage.bucket, key)) chunks.push(c as Buffer);
    writeFileSync(file, Buffer.concat(chunks));
    return run('cli/audit-verify.js', [file, '--key', keyFile], { PATH: process.env.PATH ?? '' });
  }

  it('refuses to archive anything younger than 365 days', async () => {
    const r = await archive(now - 100 * DAY);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/at least 365 days ago/);
    expect((await t.owner.query('SELECT count(*)::int AS n FROM audit_archives')).rows[0].n).toBe(0);
  });

  it('archives the oldest range as a signed export in storage that verifies offline, and records it', async () => {
    const r = await archive(now - 500 * DAY);
    expect(r.out).toMatch(/Archived audit seq 1\.\.50 \(50 rows/);
    expect(r.code).toBe(0);
    const [row] = (await t.owner.query('SELECT * FROM audit_archives ORDER BY id')).rows;
    const [last] = await auditRows(t.owner, 'seq = 50');
    expect(row).toMatchObject({
      from_seq: '1',
      to_seq: '50',
      rows: '50',
      last_hash: last.hash,
      bucket: t.storage.bucket,
    });
    expect(await t.storage.keys('audit-archive/')).toEqual([row.object_key]);
    expect(await t.storage.sha256Of(row.object_key)).toEqual({
      sha256: row.object_sha256,
      size: Number(row.object_bytes),
    });
    const verified = await verifyStoredArchive(row.object_key);
    expect(verified.out).toMatch(/OK: 50 rows \(seq 1\.\.50\)/);
    expect(verified.code).toBe(0);
    const [ev] = await auditRows(t.owner, `action = 'audit.archived'`);
    expect(ev).toMatchObject({
      actor_role: 'SYSTEM',
      target_id: row.object_key,
      details: expect.objectContaining({ fromSeq: 1, toSeq: 50, sha256: row.object_sha256 }),
    });

    const next = await archive(now - 366 * DAY);
    expect(next.out).toMatch(/Archived audit seq 51\.\.60 \(10 rows/);
    expect((await verifyStoredArchive(`audit-archive/seq-000000000051-000000000060.ndjson`)).code).toBe(0);
  });

  it('the DBA drop takes only archived rows older than 365 days; everything else stays refused', async () => {
    await expect(t.owner.query('SELECT audit_drop_archived(61)')).rejects.toThrow(
      /not entirely covered by signed archives/,
    );
    await expect(t.appRole.query('SELECT audit_drop_archived(60)')).rejects.toThrow(/permission denied/);
    await expect(t.owner.query('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/append-only/);
    const client = await t.owner.connect();
    try {
      // even with the function's flag set by hand, a young or unarchived row stays
      await client.query('BEGIN');
      await client.query(`SELECT set_config('ion.audit_retention_drop', 'on', true)`);
      await expect(client.query('DELETE FROM audit_events WHERE seq = 61')).rejects.toThrow(/append-only/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const [{ dropped }] = (await t.owner.query('SELECT audit_drop_archived(60) AS dropped')).rows;
    expect(Number(dropped)).toBe(60);
    const [{ first }] = (await t.owner.query('SELECT min(seq)::int AS first FROM audit_events')).rows;
    expect(first).toBe(61);
  });

  it('after the drop the database chain still verifies from the archive boundary, and exports start there', async () => {
    const verify = await t.http().get(`${API}/audit/verify`).set(auditor.auth).expect(200);
    expect(verify.body).toMatchObject({ ok: true, firstSeq: 61 });
    const res = await t
      .http()
      .get(`${API}/audit/export`)
      .set(auditor.auth)
      .buffer(true)
      .parse((r, cb) => {
        let s = '';
        r.on('data', (d: Buffer) => (s += d));
        r.on('end', () => cb(null, s));
      })
      .expect(200);
    const lines = (res.body as string).trimEnd().split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ filtered: true, filters: { fromSeq: '61' } });
    expect(JSON.parse(lines[1]).seq).toBe(61);
    const file = join(dir, 'after-drop.ndjson');
    writeFileSync(file, res.body as string);
    const offline = await run('cli/audit-verify.js', [file, '--key', keyFile], { PATH: process.env.PATH ?? '' });
    expect(offline.code).toBe(0);
  });
});
