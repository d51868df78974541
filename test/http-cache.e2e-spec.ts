import type { Response } from 'supertest';
import { createTestApp, TestApp, TestUser } from './harness/test-app';

const API = '/api/v1';

/** supertest parser that keeps a binary body as one Buffer. */
function binary(res: Response, cb: (err: Error | null, body: any) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
  res.on('error', (e: Error) => cb(e, Buffer.alloc(0)));
}

/**
 * Every API answer is one caller's view: none may be kept by a browser, nor revalidated for the next
 * user of the same browser (a 304 would hand them the previous caller's copy).
 */
describe('HTTP caching: no API answer is stored or revalidated', () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  let auditor: TestUser;
  let caseId: string;
  let evidenceId: string;
  let packetId: string;
  /** An officer of another district: the case is out of scope. */
  let otherToken = '';

  beforeAll(async () => {
    t = await createTestApp();
    [officer, supervisor, auditor] = await Promise.all([t.given.officer(1), t.given.supervisor(1), t.given.auditor()]);
    const c = await t.given.caseReadyToSubmit(officer);
    caseId = c.id;
    evidenceId = (await t.given.evidence(officer, caseId)).id;
    await t.given.submit(officer, caseId);
    await t.given.approve(supervisor, caseId);
    packetId = (await t.given.sendPacket(supervisor, caseId)).id;
    otherToken = (await t.given.officer(9)).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  const officerAuth = () => officer.auth;

  it.each<[string, () => Promise<Response>, number]>([
    ['a case (JSON)', () => t.http().get(`${API}/cases/${caseId}`).set(officerAuth()), 200],
    ["the auditor's case (metadata)", () => t.http().get(`${API}/cases/${caseId}`).set(auditor.auth), 200],
    ['a list', () => t.http().get(`${API}/cases`).set(officerAuth()), 200],
    ['the caller', () => t.http().get(`${API}/auth/me`).set(officerAuth()), 200],
    ['an evidence item', () => t.http().get(`${API}/evidence/${evidenceId}`).set(officerAuth()), 200],
    [
      'an evidence download',
      () => t.http().get(`${API}/evidence/${evidenceId}/content`).set(officerAuth()).buffer(true).parse(binary),
      200,
    ],
    [
      'a ranged download',
      () =>
        t
          .http()
          .get(`${API}/evidence/${evidenceId}/content`)
          .set(officerAuth())
          .set('Range', 'bytes=0-9')
          .buffer(true)
          .parse(binary),
      206,
    ],
    [
      'the packet archive',
      () => t.http().get(`${API}/packets/${packetId}/archive`).set(supervisor.auth).buffer(true).parse(binary),
      200,
    ],
    [
      'the audit export',
      () => t.http().get(`${API}/audit/export?format=ndjson`).set(auditor.auth).buffer(true).parse(binary),
      200,
    ],
    ['audit events', () => t.http().get(`${API}/audit/events`).set(auditor.auth), 200],
    ['a 401', () => t.http().get(`${API}/cases/${caseId}`), 401],
    ['a 403', () => t.http().get(`${API}/users`).set(officerAuth()), 403],
    [
      'a 404 by scope',
      () =>
        t
          .http()
          .get(`${API}/cases/${caseId}`)
          .set({ Authorization: `Bearer ${otherToken}` }),
      404,
    ],
    ['a 400', () => t.http().get(`${API}/cases/not-a-uuid`).set(officerAuth()), 400],
    [
      'a 416',
      () => t.http().get(`${API}/evidence/${evidenceId}/content`).set(officerAuth()).set('Range', 'bytes=999999-'),
      416,
    ],
    ['an unknown route', () => t.http().get(`${API}/no-such-thing`).set(officerAuth()), 404],
    ['a write', () => t.http().post(`${API}/cases`).set(officerAuth()).send({}), 201],
    ['health (public)', () => t.http().get(`${API}/health`), 200],
    ['the public keys', () => t.http().get(`${API}/keys`), 200],
  ])('%s says Cache-Control: no-store', async (_what, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.vary).toMatch(/Authorization/);
  });

  it("If-None-Match with a case's ETag still gets 200 and the caller's own representation, for every role", async () => {
    const first = await t.http().get(`${API}/cases/${caseId}`).set(officer.auth).expect(200);
    const etag = first.headers.etag;
    expect(etag).toBe(`"${first.body.version}"`); // kept for If-Match
    expect(first.body.narrative).toBeTruthy();

    const again = await t.http().get(`${API}/cases/${caseId}`).set(officer.auth).set('If-None-Match', etag).expect(200);
    expect(again.body).toMatchObject({ id: caseId, narrative: first.body.narrative });
    // Another role with the same validator in its browser cache: its own fields, never a 304.
    const asAuditor = await t
      .http()
      .get(`${API}/cases/${caseId}`)
      .set(auditor.auth)
      .set('If-None-Match', etag)
      .expect(200);
    expect(asAuditor.body.id).toBe(caseId);
    expect(asAuditor.body).not.toHaveProperty('narrative');
    expect(asAuditor.body).not.toHaveProperty('incidentLocation');
    const asSupervisor = await t
      .http()
      .get(`${API}/cases/${caseId}`)
      .set(supervisor.auth)
      .set('If-None-Match', etag)
      .set('If-Modified-Since', new Date().toUTCString())
      .expect(200);
    expect(asSupervisor.body.narrative).toBe(first.body.narrative);
  });

  it('answers carry no automatic ETag, and no conditional header turns one into a 304', async () => {
    const list = await t.http().get(`${API}/cases`).set(officer.auth).expect(200);
    expect(list.headers.etag).toBeUndefined();
    const starred = await t.http().get(`${API}/cases`).set(officer.auth).set('If-None-Match', '*').expect(200);
    expect(starred.body.items.length).toBeGreaterThan(0);
    const me = await t.http().get(`${API}/auth/me`).set(officer.auth).set('If-None-Match', '*').expect(200);
    expect(me.body.id).toBe(officer.id);
    const download = await t
      .http()
      .get(`${API}/evidence/${evidenceId}/content`)
      .set(officer.auth)
      .set('If-None-Match', `"sha256-x"`)
      .set('If-None-Match', '*')
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect((download.body as Buffer).length).toBe(4096);
  });

  it('If-Match on a write still works with the ETag', async () => {
    const c = await t.given.draftCase(officer, { narrative: 'first' });
    const got = await t.http().get(`${API}/cases/${c.id}`).set(officer.auth).expect(200);
    const ok = await t
      .http()
      .patch(`${API}/cases/${c.id}`)
      .set(officer.auth)
      .set('If-Match', got.headers.etag)
      .send({ narrative: 'second' })
      .expect(200);
    expect(ok.headers.etag).toBe(`"${ok.body.version}"`);
    const stale = await t
      .http()
      .patch(`${API}/cases/${c.id}`)
      .set(officer.auth)
      .set('If-Match', got.headers.etag)
      .send({ narrative: 'third' });
    expect(stale.status).toBe(409);
    expect(stale.headers['cache-control']).toBe('no-store');
  });
});
