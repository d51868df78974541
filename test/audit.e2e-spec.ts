import { AuditService, GENESIS_HASH, hashAuditEvent } from '@app/audit';
import {
  auditRows,
  createTestApp,
  FULL_CASE,
  startApiProcess,
  SUBMIT_BODY,
  TestApp,
  TestUser,
} from './harness/test-app';

/** Recomputes the chain from raw rows, independently of the service's own mapping. */
function verifyRows(rows: Record<string, any>[]): { ok: boolean; brokenAt?: number } {
  let prev = GENESIS_HASH;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const seq = Number(r.seq);
    if (seq !== i + 1 || r.prev_hash !== prev) return { ok: false, brokenAt: seq };
    const hash = hashAuditEvent(r.prev_hash, {
      seq,
      id: r.id,
      occurredAt: new Date(r.occurred_at).toISOString(),
      actorId: r.actor_id,
      actorUsername: r.actor_username,
      actorRole: r.actor_role,
      action: r.action,
      outcome: r.outcome,
      targetType: r.target_type,
      targetId: r.target_id,
      caseId: r.case_id,
      requestId: r.request_id,
      clientIp: r.client_ip,
      userAgent: r.user_agent,
      details: r.details,
    });
    if (hash !== r.hash) return { ok: false, brokenAt: seq };
    prev = r.hash;
  }
  return { ok: true };
}

describe('audit trail', () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    officer = await t.given.officer(1);
    supervisor = await t.given.supervisor(1);
  });
  afterAll(async () => {
    await t.close();
  });

  it('records who, what, when, from where and the request id of each step', async () => {
    const res = await t
      .http()
      .post('/api/v1/cases')
      .set(officer.auth)
      .set('User-Agent', 'patrol-laptop/1.0')
      .set('X-Request-Id', 'req-audit-0001')
      .send(FULL_CASE)
      .expect(201);
    expect(res.headers['x-request-id']).toBe('req-audit-0001');
    const [e] = await auditRows(t.owner, `case_id = $1 AND action = 'case.created'`, [res.body.id]);
    expect(e).toMatchObject({
      actor_id: officer.id,
      actor_username: officer.username,
      actor_role: 'OFFICER',
      outcome: 'SUCCESS',
      target_type: 'case',
      target_id: res.body.id,
      request_id: 'req-audit-0001',
      user_agent: 'patrol-laptop/1.0',
    });
    expect(e.client_ip).toMatch(/127\.0\.0\.1|::1/);
    expect(e.details).toMatchObject({ caseNumber: res.body.caseNumber, version: 1 });
    expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.now() - new Date(e.occurred_at).getTime()).toBeLessThan(60_000);
  });

  describe('the database refuses to change audit rows', () => {
    let before: Record<string, any>[];
    beforeAll(async () => {
      before = await auditRows(t.owner);
    });

    it.each([
      ['UPDATE', `UPDATE audit_events SET action = 'case.deleted' WHERE seq = 1`],
      ['DELETE', `DELETE FROM audit_events WHERE seq = 1`],
      ['TRUNCATE', `TRUNCATE audit_events`],
    ])('%s as the application role: permission denied', async (_op, sql) => {
      await expect(t.appRole.query(sql)).rejects.toThrow(/permission denied/);
    });

    it.each([
      ['UPDATE', `UPDATE audit_events SET action = 'case.deleted' WHERE seq = 1`],
      ['DELETE', `DELETE FROM audit_events WHERE seq = 1`],
      ['TRUNCATE', `TRUNCATE audit_events`],
    ])('%s even as the schema owner: refused by the trigger', async (op, sql) => {
      await expect(t.owner.query(sql)).rejects.toThrow(new RegExp(`append-only: ${op} refused`));
    });

    it('refuses an inserted row that does not link to the head', async () => {
      const [{ seq }] = (await t.owner.query('SELECT max(seq) AS seq FROM audit_events')).rows;
      await expect(
        t.appRole.query(
          `INSERT INTO audit_events (seq, id, occurred_at, actor_role, action, outcome, details, prev_hash, hash, body_json)
           VALUES ($1, gen_random_uuid(), now(), 'SYSTEM', 'forged', 'SUCCESS', '{}', $2, $2, '{}')`,
          [Number(seq) + 1, 'a'.repeat(64)],
        ),
      ).rejects.toThrow(/does not link/);
    });

    it('left every row exactly as it was', async () => {
      const after = await auditRows(t.owner, 'seq <= $1', [before.length]);
      expect(after).toEqual(before);
    });
  });

  describe('a change and its audit event commit together or not at all', () => {
    afterEach(async () => {
      await t.owner.query('DROP TRIGGER IF EXISTS inject_failure ON audit_events');
      await t.owner.query('DROP FUNCTION IF EXISTS inject_failure()');
    });

    async function injectFailure(action: string, timing: 'at insert' | 'at commit') {
      await t.owner.query(`CREATE FUNCTION inject_failure() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
      const when = `WHEN (NEW.action = '${action}')`;
      await t.owner.query(
        timing === 'at commit'
          ? `CREATE CONSTRAINT TRIGGER inject_failure AFTER INSERT ON audit_events DEFERRABLE INITIALLY DEFERRED
             FOR EACH ROW ${when} EXECUTE FUNCTION inject_failure()`
          : `CREATE TRIGGER inject_failure BEFORE INSERT ON audit_events FOR EACH ROW ${when} EXECUTE FUNCTION inject_failure()`,
      );
    }

    it('a failure at commit, after the case changed and its event was written, leaves neither', async () => {
      const c = await t.given.caseReadyToSubmit(officer);
      await injectFailure('case.submitted', 'at commit');
      const res = await t.http().post(`/api/v1/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(500);
      expect(res.body).toMatchObject({ statusCode: 500, code: 'INTERNAL.ERROR', requestId: expect.any(String) });
      expect(res.body.message).not.toMatch(/injected/); // no internals leak

      const row = (await t.owner.query('SELECT status, version, submitted_at FROM cases WHERE id = $1', [c.id]))
        .rows[0];
      expect(row).toEqual({ status: 'DRAFT', version: c.version, submitted_at: null });
      const events = await auditRows(t.owner, 'case_id = $1', [c.id]);
      expect(events.map((e) => e.action)).not.toContain('case.submitted');
      expect(events.find((e) => e.action === 'case.submit')).toMatchObject({
        outcome: 'FAILED',
        details: expect.objectContaining({ status: 500 }),
      });
      const revisions = (
        await t.owner.query('SELECT count(*)::int AS n FROM case_revisions WHERE case_id = $1 AND version > $2', [
          c.id,
          c.version,
        ])
      ).rows[0];
      expect(revisions.n).toBe(0);
    });

    it('a failure writing the event rolls back the edit', async () => {
      const c = await t.given.draftCase(officer, { narrative: 'first account' });
      await injectFailure('case.updated', 'at insert');
      await t
        .http()
        .patch(`/api/v1/cases/${c.id}`)
        .set(officer.auth)
        .set('If-Match', '"1"')
        .send({ narrative: 'rewritten' })
        .expect(500);
      const row = (await t.owner.query('SELECT narrative, version FROM cases WHERE id = $1', [c.id])).rows[0];
      expect(row).toEqual({ narrative: 'first account', version: 1 });
    });

    it('after the fault is gone the same request succeeds and the chain is intact', async () => {
      const c = await t.given.caseReadyToSubmit(officer);
      await t.http().post(`/api/v1/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(200);
      expect(verifyRows(await auditRows(t.owner))).toEqual({ ok: true });
    });
  });

  it('parallel requests of every kind append one unbroken, gapless chain', async () => {
    const drafts = await Promise.all([1, 2, 3].map(() => t.given.draftCase(officer, { narrative: 'x' })));
    const requests = [
      ...Array.from({ length: 12 }, () =>
        t.http().post('/api/v1/cases').set(officer.auth).send({ narrative: 'parallel' }),
      ),
      ...drafts.flatMap((d) =>
        Array.from({ length: 4 }, () => t.http().get(`/api/v1/cases/${d.id}`).set(officer.auth)),
      ),
      ...drafts.map((d) =>
        t.http().patch(`/api/v1/cases/${d.id}`).set(officer.auth).set('If-Match', '"1"').send({ narrative: 'edited' }),
      ),
      ...Array.from({ length: 4 }, () =>
        t.http().post('/api/v1/auth/login').send({ username: supervisor.username, password: 'wrong-password' }),
      ),
      ...drafts.map((d) => t.http().get(`/api/v1/cases/${d.id}`).set(supervisor.auth)),
    ];
    const before = Number((await t.owner.query('SELECT count(*) AS n FROM audit_events')).rows[0].n);
    const results = await Promise.all(requests);
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    const rows = await auditRows(t.owner);
    expect(rows.length).toBe(before + requests.length);
    expect(verifyRows(rows)).toEqual({ ok: true });
    await expect(t.app.get(AuditService).verifyRange()).resolves.toMatchObject({ ok: true, checked: rows.length });
    // reset the failed-login counter the wrong passwords left behind
    await t.owner.query('UPDATE users SET failed_login_count = 0, locked_until = NULL WHERE id = $1', [supervisor.id]);
  });

  it('two API processes on one database append concurrently without breaking the chain', async () => {
    const second = await startApiProcess(t.dbName, t.storage);
    try {
      const a = () => t.http();
      const b = second.http;
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 ? a() : b())
            .post('/api/v1/cases')
            .set(officer.auth)
            .send({ narrative: `instance ${i % 2}` }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(30).fill(201));
      expect(new Set(results.map((r) => r.body.caseNumber)).size).toBe(30);
      expect(verifyRows(await auditRows(t.owner))).toEqual({ ok: true });
    } finally {
      await second.stop();
    }
  });

  it('GET /cases/:id/timeline lists the case events in seq order, denied attempts included', async () => {
    const c = await t.given.submittedCase(officer);
    const outsider = await t.given.officer(12);
    await t.http().get(`/api/v1/cases/${c.id}`).set(outsider.auth).expect(404);
    await t.http().post(`/api/v1/cases/${c.id}/approve`).set(supervisor.auth).send({}).expect(200);
    const res = await t.http().get(`/api/v1/cases/${c.id}/timeline`).set(officer.auth).expect(200);
    expect(res.body.caseId).toBe(c.id);
    const events = res.body.events as { seq: number; action: string; outcome: string; actor: { username: string } }[];
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((x, y) => x - y));
    expect(events.map((e) => [e.action, e.outcome, e.actor.username])).toEqual([
      ['case.created', 'SUCCESS', officer.username],
      ['case.federal_officers.updated', 'SUCCESS', officer.username],
      ['case.submitted', 'SUCCESS', officer.username],
      ['access.denied', 'DENIED', outsider.username],
      ['case.approved', 'SUCCESS', supervisor.username],
    ]);
  });

  describe('verifying the chain stored in the database', () => {
    it('checks every row across batch boundaries and ranges', async () => {
      const audit = t.app.get(AuditService);
      const n = Number((await t.owner.query('SELECT max(seq) AS n FROM audit_events')).rows[0].n);
      for (const batch of [1, 7, 5000]) {
        await expect(audit.verifyRange(1, undefined, batch)).resolves.toMatchObject({
          ok: true,
          checked: n,
          firstSeq: 1,
          lastSeq: n,
        });
      }
      await expect(audit.verifyRange(10, 40, 7)).resolves.toMatchObject({
        ok: true,
        checked: 31,
        firstSeq: 10,
        lastSeq: 40,
      });
    });

    it("finds a row altered behind the application's back (trigger disabled by a superuser) at its seq", async () => {
      const audit = t.app.get(AuditService);
      const target = 25;
      const [original] = await auditRows(t.owner, 'seq = $1', [target]);
      await t.owner.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
      try {
        await t.owner.query(`UPDATE audit_events SET details = details || '{"tampered": true}' WHERE seq = $1`, [
          target,
        ]);
        for (const batch of [7, 5000]) {
          const r = await audit.verifyRange(1, undefined, batch);
          expect(r).toMatchObject({
            ok: false,
            checked: target - 1,
            firstBreak: { seq: target, reason: expect.stringContaining(`hash of seq ${target}`) },
          });
        }
        expect(verifyRows(await auditRows(t.owner))).toEqual({ ok: false, brokenAt: target });
      } finally {
        await t.owner.query('UPDATE audit_events SET details = $2 WHERE seq = $1', [target, original.details]);
        await t.owner.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
      }
      await expect(audit.verifyRange()).resolves.toMatchObject({ ok: true });
    });
  });
});
