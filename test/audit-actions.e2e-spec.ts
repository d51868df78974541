import { AUDIT_ACTIONS, meaningOf } from '@app/audit';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';

const API = '/api/v1';

/**
 * Issue 17 §2 and issue 16 (auditor): the one catalogue of audit actions as the API publishes and enforces it, the
 * event search newest first with case numbers, and the auditor's actor lookup.
 */
describe('audit actions: the catalogue in the API, newest-first search with case numbers, the actor lookup', () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  let auditor: TestUser;
  let admin: TestUser;
  let gone: TestUser;
  let approved: { id: string; caseNumber: string };

  beforeAll(async () => {
    t = await createTestApp();
    [officer, supervisor, auditor, admin, gone] = await Promise.all([
      t.given.officer(1),
      t.given.supervisor(1),
      t.given.auditor(),
      t.given.admin(),
      t.given.officer(2),
    ]);
    approved = await t.given.approvedCase(officer, supervisor);
    await t.http().get(`${API}/cases/${approved.id}`).set(gone.auth).expect(404); // out of scope: access.denied
    await t.http().get(`${API}/cases`).set({ Authorization: 'Bearer nonsense' }).expect(401);
    await t
      .http()
      .patch(`${API}/users/${gone.id}`)
      .set(admin.auth)
      .send({ active: false, deactivationReason: 'Left the department.' })
      .expect(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('publishes the catalogue as the AuditAction enum (with each meaning) for the event view and the search filter', async () => {
    const doc = (await t.http().get('/api/docs/openapi.json').expect(200)).body;
    const schema = doc.components.schemas.AuditAction;
    expect(schema.enum).toEqual([...AUDIT_ACTIONS]);
    expect(schema['x-enum-descriptions']).toEqual(AUDIT_ACTIONS.map(meaningOf));
    expect(schema.enum).toEqual(
      expect.arrayContaining([
        'case.submitted',
        'access.denied',
        'auth.unauthenticated',
        'case.submit',
        'audit.actors.searched',
      ]),
    );
    expect(doc.components.schemas.AuditEventView.properties.action).toMatchObject({
      $ref: '#/components/schemas/AuditAction',
    });
    for (const path of ['/api/v1/audit/events', '/api/v1/audit/export']) {
      const param = doc.paths[path].get.parameters.find((p: { name: string }) => p.name === 'action');
      expect(param.schema).toMatchObject({ $ref: '#/components/schemas/AuditAction' });
    }
  });

  it('writes no action outside the catalogue (successes, refusals by role and scope, a bad token, a failed request)', async () => {
    await t.http().post(`${API}/cases/${approved.id}/approve`).set(supervisor.auth).send({}).expect(409); // FAILED case.approve
    const written: string[] = (await t.owner.query('SELECT DISTINCT action FROM audit_events')).rows.map(
      (r: { action: string }) => r.action,
    );
    expect(written).toEqual(
      expect.arrayContaining([
        'case.created',
        'case.approved',
        'access.denied',
        'auth.unauthenticated',
        'case.approve',
        'user.updated',
      ]),
    );
    expect(written.filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a))).toEqual([]);
  });

  it('refuses an action filter outside the catalogue with 400 naming `action`, audited, nothing else changed', async () => {
    const before = (await auditRows(t.owner)).length;
    const res = await t
      .http()
      .get(`${API}/audit/events`)
      .query({ action: 'case.deleted' })
      .set(auditor.auth)
      .expect(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION.FAILED',
      fields: [expect.objectContaining({ field: 'action' })],
    });
    const after = await auditRows(t.owner);
    expect(after).toHaveLength(before + 1);
    expect(after[before]).toMatchObject({ action: 'audit.read', outcome: 'FAILED', actor_id: auditor.id });
    expect(after[before].details).toMatchObject({ status: 400, code: 'VALIDATION.FAILED', fields: ['action'] });
    // A catalogue action filters as before.
    const ok = await t
      .http()
      .get(`${API}/audit/events`)
      .query({ action: 'case.approved' })
      .set(auditor.auth)
      .expect(200);
    expect(ok.body.items.map((e: { action: string }) => e.action)).toEqual(['case.approved']);
  });

  it("lists newest first with order=desc, pages downward, and names each event's case by its number", async () => {
    const all = await auditRows(t.owner);
    const asc: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { seq: number }[]; nextCursor: string | null } } = await t
        .http()
        .get(`${API}/audit/events`)
        .query({ limit: 7, ...(cursor ? { cursor } : {}) })
        .set(auditor.auth)
        .expect(200);
      asc.push(...page.body.items.map((e: { seq: number }) => e.seq));
      cursor = page.body.nextCursor;
    } while (cursor);
    const desc: number[] = [];
    const pages: { seq: number; caseId: string | null; caseNumber: string | null; action: string }[][] = [];
    do {
      const page: { body: { items: (typeof pages)[number]; nextCursor: string | null } } = await t
        .http()
        .get(`${API}/audit/events`)
        .query({ order: 'desc', limit: 7, ...(cursor ? { cursor } : {}) })
        .set(auditor.auth)
        .expect(200);
      pages.push(page.body.items);
      desc.push(...page.body.items.map((e: { seq: number }) => e.seq));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(asc).toEqual(all.map((r) => Number(r.seq)));
    expect(desc).toEqual([...asc].reverse());
    expect(pages.length).toBeGreaterThan(2);
    const events = pages.flat();
    const ofCase = events.filter((e) => e.caseId === approved.id);
    expect(ofCase.length).toBeGreaterThan(3);
    expect(ofCase.every((e) => e.caseNumber === approved.caseNumber)).toBe(true);
    expect(events.filter((e) => e.caseId === null).every((e) => e.caseNumber === null)).toBe(true);
    // Filters and order together.
    const approvals = await t
      .http()
      .get(`${API}/audit/events`)
      .query({ order: 'desc', caseId: approved.id, action: 'case.approved' })
      .set(auditor.auth)
      .expect(200);
    expect(approvals.body.items).toEqual([
      expect.objectContaining({
        action: 'case.approved',
        caseNumber: approved.caseNumber,
        actor: expect.objectContaining({ id: supervisor.id }),
      }),
    ]);
    await t.http().get(`${API}/audit/events`).query({ order: 'newest' }).set(auditor.auth).expect(400);
  });

  it('looks people up by part of their username or name for the auditor, deactivated accounts included, and records each lookup', async () => {
    const before = (await auditRows(t.owner)).length;
    const part = officer.username.slice(0, -3);
    const res = await t
      .http()
      .get(`${API}/audit/actors`)
      .query({ q: part.toUpperCase() })
      .set(auditor.auth)
      .expect(200);
    expect(res.body.items).toContainEqual({
      id: officer.id,
      username: officer.username,
      displayName: expect.any(String),
      role: 'OFFICER',
      active: true,
    });
    // An exact username comes first; a deactivated account is found too (it acted).
    const exact = await t.http().get(`${API}/audit/actors`).query({ q: gone.username }).set(auditor.auth).expect(200);
    expect(exact.body.items[0]).toEqual({
      id: gone.id,
      username: gone.username,
      displayName: expect.any(String),
      role: 'OFFICER',
      active: false,
    });
    const none = await t
      .http()
      .get(`${API}/audit/actors`)
      .query({ q: 'nobody-has-this-name' })
      .set(auditor.auth)
      .expect(200);
    expect(none.body.items).toEqual([]);
    const rows = (await auditRows(t.owner)).slice(before);
    expect(rows.map((r) => [r.action, r.outcome, r.actor_id, r.details])).toEqual([
      ['audit.actors.searched', 'SUCCESS', auditor.id, { q: part.toUpperCase(), matched: res.body.items.length }],
      ['audit.actors.searched', 'SUCCESS', auditor.id, { q: gone.username, matched: exact.body.items.length }],
      ['audit.actors.searched', 'SUCCESS', auditor.id, { q: 'nobody-has-this-name', matched: 0 }],
    ]);
    // Not for other roles (refused and audited); a too long query names `q`.
    await t.http().get(`${API}/audit/actors`).query({ q: 'a' }).set(officer.auth).expect(403);
    const [denied] = (await auditRows(t.owner)).slice(-1);
    expect(denied).toMatchObject({ action: 'access.denied', outcome: 'DENIED', actor_id: officer.id });
    expect(denied.details).toMatchObject({ attempted: 'audit.read', status: 403 });
    const long = await t
      .http()
      .get(`${API}/audit/actors`)
      .query({ q: 'x'.repeat(65) })
      .set(auditor.auth)
      .expect(400);
    expect(long.body.fields).toEqual([expect.objectContaining({ field: 'q' })]);
  });
});
