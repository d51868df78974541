import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointService, checkpointMessage } from '@app/audit';
import { publicKeyFromPem, verifyMessage } from '@app/signing';
import { auditRows, createTestApp, SUBMIT_BODY, TestApp, TestUser } from './harness/test-app';
import { verifyAuditExportOffline } from './harness/offline-verify';

const API = '/api/v1';

describe('audit review: events, signed exports, offline verification, chain verification', () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  let auditor: TestUser;
  let caseId: string;
  let dir: string;
  let keyFile: string;
  let keyId: string;

  beforeAll(async () => {
    t = await createTestApp();
    dir = mkdtempSync(join(tmpdir(), 'ion-audit-export-'));
    [officer, supervisor, auditor] = await Promise.all([t.given.officer(1), t.given.supervisor(1), t.given.auditor()]);
    const c = await t.given.caseReadyToSubmit(officer);
    caseId = c.id;
    await t.given.evidence(officer, caseId);
    await t.http().post(`${API}/cases/${caseId}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(200);
    await t.http().post(`${API}/cases/${caseId}/approve`).set(officer.auth).send({}).expect(403); // denied: recorded
    await t.http().post(`${API}/cases/${caseId}/approve`).set(supervisor.auth).send({}).expect(200);
    await t.http().get(`${API}/cases`).set({ Authorization: 'Bearer nonsense' }).expect(401);
    const keys = await t.http().get(`${API}/keys`).expect(200);
    expect(keys.body.keys).toEqual([
      expect.objectContaining({
        algorithm: 'Ed25519',
        current: true,
        id: expect.stringMatching(/^ed25519:[0-9a-f]{16}$/),
      }),
    ]);
    keyId = keys.body.keys[0].id;
    keyFile = join(dir, 'public.pem');
    writeFileSync(keyFile, keys.body.keys[0].publicKeyPem);
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function download(query: string): Promise<{ text: string; file: string; headers: Record<string, string> }> {
    const res = await t
      .http()
      .get(`${API}/audit/export?${query}`)
      .set(auditor.auth)
      .buffer(true)
      .parse((r, cb) => {
        let s = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => (s += d));
        r.on('end', () => cb(null, s));
      });
    expect(res.status).toBe(200);
    const file = join(dir, `export-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, res.body as string);
    return { text: res.body as string, file, headers: res.headers as Record<string, string> };
  }

  it.each(['ndjson', 'csv'] as const)(
    'a complete %s export verifies offline, ends with the checkpoint, and includes its own export event',
    async (format) => {
      const { text, file, headers } = await download(`format=${format}`);
      expect(headers['content-type']).toMatch(format === 'csv' ? /^text\/csv/ : /^application\/x-ndjson/);
      expect(headers['content-disposition']).toMatch(new RegExp(`attachment; filename="ion-audit-.*\\.${format}"`));
      const result = await verifyAuditExportOffline(file, keyFile);
      expect(result.out).toMatch(/^OK: \d+ rows \(seq 1\.\.\d+\)/m);
      expect(result.out).toMatch(/complete export/);
      expect(result.code).toBe(0);

      const lines = text.trimEnd().split('\n');
      const last = format === 'csv' ? null : JSON.parse(lines[lines.length - 1]);
      const rows = await auditRows(t.owner);
      const exported = rows.filter((r) => r.action === 'audit.exported');
      const mine = exported[exported.length - 1];
      expect(mine).toMatchObject({
        actor_id: auditor.id,
        details: expect.objectContaining({ format, filtered: false, filters: {} }),
      });
      const cps = (
        await t.owner.query(
          `SELECT seq, head_hash, key_id, reason, created_by FROM audit_checkpoints WHERE reason = 'export' ORDER BY id DESC LIMIT 1`,
        )
      ).rows;
      expect(cps[0]).toMatchObject({ seq: mine.seq, head_hash: mine.hash, key_id: keyId, created_by: auditor.id });
      if (last) {
        expect(last).toMatchObject({
          type: 'checkpoint',
          keyId,
          checkpoint: { seq: Number(mine.seq), headHash: mine.hash, keyId },
        });
        // the checkpoint alone verifies with the published key (standard Ed25519)
        expect(
          verifyMessage(
            publicKeyFromPem(readFileSync(keyFile, 'utf8')),
            checkpointMessage(last.checkpoint),
            last.checkpoint.signature,
          ),
        ).toBe(true);
        const events = lines.slice(1, -1).map((l) => JSON.parse(l));
        expect(events.map((e) => e.seq)).toEqual(
          rows.filter((r) => Number(r.seq) <= Number(mine.seq)).map((r) => Number(r.seq)),
        );
        expect(events[events.length - 1]).toMatchObject({ action: 'audit.exported', hash: mine.hash });
      }
    },
  );

  it.each(['ndjson', 'csv'] as const)(
    "a filtered %s export (one case) verifies as filtered; every row is that case's",
    async (format) => {
      const { text, file } = await download(`format=${format}&caseId=${caseId}`);
      const result = await verifyAuditExportOffline(file, keyFile);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/filtered export/);
      if (format === 'ndjson') {
        const events = text
          .trimEnd()
          .split('\n')
          .slice(1, -1)
          .map((l) => JSON.parse(l));
        const expected = await auditRows(t.owner, 'case_id = $1', [caseId]);
        expect(events.map((e) => e.seq)).toEqual(expected.map((r) => Number(r.seq)));
        expect(events.map((e) => e.action)).toEqual(
          expect.arrayContaining([
            'case.created',
            'evidence.uploaded',
            'case.submitted',
            'access.denied',
            'case.approved',
          ]),
        );
      }
    },
  );

  it('a time-range export (the weekly review) holds exactly the events of the range and verifies', async () => {
    const rows = await auditRows(t.owner);
    const from = new Date(rows[2].occurred_at).toISOString();
    const to = new Date(rows[rows.length - 1].occurred_at).toISOString();
    const { text, file } = await download(`from=${from}&to=${to}`);
    const events = text
      .trimEnd()
      .split('\n')
      .slice(1, -1)
      .map((l) => JSON.parse(l));
    const expected = rows.filter(
      (r) => new Date(r.occurred_at) >= new Date(from) && new Date(r.occurred_at) < new Date(to),
    );
    expect(events.map((e) => e.seq)).toEqual(expected.map((r) => Number(r.seq)));
    expect((await verifyAuditExportOffline(file, keyFile)).code).toBe(0);
  });

  it('an export altered after download is rejected offline, naming the line and the problem', async () => {
    const { text, file } = await download('format=ndjson');
    const lines = text.trimEnd().split('\n');
    const i = Math.floor(lines.length / 2);
    const row = JSON.parse(lines[i]);
    lines[i] = JSON.stringify({ ...row, actorUsername: `${row.actorUsername ?? ''}x` });
    writeFileSync(file, lines.join('\n') + '\n');
    const result = await verifyAuditExportOffline(file, keyFile);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(new RegExp(`FAILED at line ${i + 1} \\(seq ${row.seq}\\)`));
    expect(result.out).toMatch(/hash/);

    lines.splice(i, 1, JSON.stringify(row)); // restored, then a row dropped
    lines.splice(i + 1, 1);
    writeFileSync(file, lines.join('\n') + '\n');
    const dropped = await verifyAuditExportOffline(file, keyFile);
    expect(dropped.code).toBe(1);
    expect(dropped.out).toMatch(/FAILED/);

    writeFileSync(file, text.trimEnd().split('\n').slice(0, -1).join('\n') + '\n'); // the checkpoint cut off
    const truncated = await verifyAuditExportOffline(file, keyFile);
    expect(truncated.code).toBe(1);
    expect(truncated.out).toMatch(/truncated/);
  });

  it('GET /audit/events pages with a cursor through exactly the stored events, with filters', async () => {
    const all = await auditRows(t.owner);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { seq: number; hash: string }[]; nextCursor: string | null } } = await t
        .http()
        .get(`${API}/audit/events`)
        .query({ limit: 7, ...(cursor ? { cursor } : {}) })
        .set(auditor.auth)
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.items.map((e) => e.seq));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.slice(0, all.length)).toEqual(all.map((r) => Number(r.seq)));

    const denied = await t
      .http()
      .get(`${API}/audit/events`)
      .query({ outcome: 'DENIED', caseId })
      .set(auditor.auth)
      .expect(200);
    expect(denied.body.items.length).toBeGreaterThan(0);
    expect(
      denied.body.items.every(
        (e: { outcome: string; caseId: string }) => e.outcome === 'DENIED' && e.caseId === caseId,
      ),
    ).toBe(true);
    const byActor = await t
      .http()
      .get(`${API}/audit/events`)
      .query({ actorId: supervisor.id, action: 'case.approved' })
      .set(auditor.auth)
      .expect(200);
    expect(byActor.body.items).toEqual([
      expect.objectContaining({ action: 'case.approved', actor: expect.objectContaining({ id: supervisor.id }) }),
    ]);

    const bad = await t
      .http()
      .get(`${API}/audit/events`)
      .query({ from: 'last tuesday', limit: 5000 })
      .set(auditor.auth)
      .expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['from', 'limit']);
  });

  it('a range that ends before it starts is a 400 naming its end (events, export, verify), audited, and exports nothing', async () => {
    const checkpointsBefore = (await t.owner.query('SELECT count(*)::int AS n FROM audit_checkpoints')).rows[0].n;
    const exportsBefore = (await auditRows(t.owner, `action = 'audit.exported'`)).length;
    const backwards = { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' };
    const cases: Array<[string, Record<string, string | number>, string, string]> = [
      ['/audit/events', backwards, 'to', 'audit.read'],
      ['/audit/export', { ...backwards, format: 'csv' }, 'to', 'audit.export'],
      // The same instant written with another offset is still after `to`.
      ['/audit/export', { from: '2026-01-01T00:00:00-06:00', to: '2026-01-01T05:00:00Z' }, 'to', 'audit.export'],
      ['/audit/verify', { from_seq: 10, to_seq: 9 }, 'to_seq', 'audit.verify'],
    ];
    for (const [path, query, field, permission] of cases) {
      const res = await t.http().get(`${API}${path}`).query(query).set(auditor.auth);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION.FAILED',
        fields: [{ field, errors: [expect.stringMatching(new RegExp(`^${field} must not be before from`))] }],
      });
      const [event] = await auditRows(t.owner, 'request_id = $1', [res.body.requestId]);
      expect(event).toMatchObject({
        action: permission,
        outcome: 'FAILED',
        actor_id: auditor.id,
        details: expect.objectContaining({ fields: [field], status: 400 }),
      });
    }
    expect((await t.owner.query('SELECT count(*)::int AS n FROM audit_checkpoints')).rows[0].n).toBe(checkpointsBefore);
    expect(await auditRows(t.owner, `action = 'audit.exported'`)).toHaveLength(exportsBefore);
    // An empty range is not a backwards one: one seq, or from = to (to is exclusive), still answer.
    await t.http().get(`${API}/audit/verify`).query({ from_seq: 3, to_seq: 3 }).set(auditor.auth).expect(200);
    await t
      .http()
      .get(`${API}/audit/events`)
      .query({ from: backwards.to, to: backwards.to })
      .set(auditor.auth)
      .expect(200);
  });

  it('periodic checkpoints: of many concurrent attempts exactly one is made, and none while the head has not moved', async () => {
    const service = t.app.get(CheckpointService);
    await t.http().get(`${API}/cases`).set(officer.auth).expect(200); // the head moves (case list is not audited; a view is)
    await t.http().get(`${API}/cases/${caseId}`).set(officer.auth).expect(200);
    const before = (await t.owner.query(`SELECT count(*)::int AS n FROM audit_checkpoints WHERE reason = 'periodic'`))
      .rows[0].n;
    const made = (await Promise.all(Array.from({ length: 8 }, () => service.periodic()))).filter(Boolean);
    expect(made).toHaveLength(1);
    const after = (await t.owner.query(`SELECT count(*)::int AS n FROM audit_checkpoints WHERE reason = 'periodic'`))
      .rows[0].n;
    expect(after).toBe(before + 1);
    await expect(service.periodic()).resolves.toBeNull(); // recent, and nothing new
    const list = await t.http().get(`${API}/audit/checkpoints`).set(auditor.auth).expect(200);
    expect(list.body.items[0]).toMatchObject({ seq: made[0]!.seq, reason: 'periodic', signature: made[0]!.signature });
  });

  it('the database refuses to change or delete checkpoints', async () => {
    await expect(t.appRole.query(`UPDATE audit_checkpoints SET seq = 0`)).rejects.toThrow(/permission denied/);
    await expect(t.owner.query(`DELETE FROM audit_checkpoints`)).rejects.toThrow(/append-only/);
  });

  it("GET /audit/verify finds a row altered behind the application's back at its seq (and says who asked)", async () => {
    const clean = await t.http().get(`${API}/audit/verify`).set(auditor.auth).expect(200);
    expect(clean.body).toMatchObject({ ok: true, fromSeq: 1 });
    const rows = await auditRows(t.owner);
    const victim = rows[Math.floor(rows.length / 2)];
    await t.owner.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
    try {
      await t.owner.query(`UPDATE audit_events SET details = details || '{"note":"rewritten"}'::jsonb WHERE seq = $1`, [
        victim.seq,
      ]);
    } finally {
      await t.owner.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
    }
    const broken = await t.http().get(`${API}/audit/verify`).set(auditor.auth).expect(200);
    expect(broken.body).toMatchObject({
      ok: false,
      firstBreak: { seq: Number(victim.seq), reason: expect.stringMatching(/does not match its contents/) },
    });
    const ranged = await t
      .http()
      .get(`${API}/audit/verify`)
      .query({ from_seq: Number(victim.seq) + 1 })
      .set(auditor.auth)
      .expect(200);
    expect(ranged.body).toMatchObject({ ok: true, fromSeq: Number(victim.seq) + 1 });
    const [ev] = await auditRows(t.owner, `action = 'audit.verified' AND outcome = 'FAILED'`);
    expect(ev).toMatchObject({
      actor_id: auditor.id,
      details: expect.objectContaining({ firstBreak: expect.objectContaining({ seq: Number(victim.seq) }) }),
    });
  });
});
