import { Clock } from '@app/common';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';
import { storageUnderTest } from './harness/test-storage';

/*
 * Issue 16, "Everyone": GET /me/attention, the home screen's "what needs me now", per role, with exact counts in the
 * caller's scope (another district's case, another office's packet, another user's work are never counted), and the
 * read audited without flooding the trail on refresh.
 */

const API = '/api/v1';
const DAY = 24 * 3600 * 1000;
/** Altering a stored object behind the API is possible on s3rver only (Ceph RGW keeps every version under Object Lock). */
const UNPROTECTED = storageUnderTest() === 's3rver';

interface Queue {
  key: string;
  count: number;
  items: {
    id: string | null;
    caseId: string | null;
    caseNumber: string | null;
    missing: string[];
    username: string | null;
    deniedLastDay: number | null;
    deniedDailyAverage: number | null;
    action: string | null;
    since: string | null;
    dueAt: string | null;
  }[];
}

describe('GET /me/attention (issue 16)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => jest.restoreAllMocks());

  const attention = async (user: TestUser, query: Record<string, string> = {}) => {
    const res = await t.http().get(`${API}/me/attention`).query(query).set(user.auth);
    expect(res.status).toBe(200);
    return res.body as { role: string; queues: Queue[]; audited: boolean; computedAt: string };
  };
  const queues = async (user: TestUser) => Object.fromEntries((await attention(user)).queues.map((q) => [q.key, q]));
  const counts = async (user: TestUser) =>
    Object.fromEntries((await attention(user)).queues.map((q) => [q.key, q.count]));
  const returnCase = async (supervisor: TestUser, id: string, version: number) => {
    const res = await t
      .http()
      .post(`${API}/cases/${id}/return`)
      .set(supervisor.auth)
      .set('If-Match', `"${version}"`)
      .send({ reason: 'Add the route number of the bus stop.' });
    expect(res.status).toBe(200);
  };

  it("officer: their returned cases and their drafts with checklist items missing, nobody else's", async () => {
    const [me, colleague, elsewhere, supervisor, supervisor12] = await Promise.all([
      t.given.officer(1),
      t.given.officer(1),
      t.given.officer(12),
      t.given.supervisor(1),
      t.given.supervisor(12),
    ]);
    expect(await counts(me)).toEqual({ RETURNED_CASES: 0, INCOMPLETE_DRAFTS: 0 });

    const draft1 = await t.given.draftCase(me, {});
    const draft2 = await t.given.draftCase(me, { origin: 'WITNESSED', activityType: 'ARREST' });
    await t.given.caseReadyToSubmit(me); // complete: nothing missing, not counted
    const sent = await t.given.submittedCase(me);
    await returnCase(supervisor, sent.id, sent.version);
    await t.given.submittedCase(me); // submitted, not returned: with the supervisor now
    // The same things for a colleague of the district and an officer of another district.
    for (const [other, sup] of [
      [colleague, supervisor],
      [elsewhere, supervisor12],
    ] as const) {
      await t.given.draftCase(other, {});
      const c = await t.given.submittedCase(other);
      await returnCase(sup, c.id, c.version);
    }

    const q = await queues(me);
    expect(q.RETURNED_CASES.count).toBe(1);
    expect(q.RETURNED_CASES.items.map((i) => i.caseNumber)).toEqual([sent.caseNumber]);
    expect(q.INCOMPLETE_DRAFTS.count).toBe(2);
    expect(q.INCOMPLETE_DRAFTS.items.map((i) => i.caseNumber)).toEqual([draft1.caseNumber, draft2.caseNumber]);
    expect(q.INCOMPLETE_DRAFTS.items[0].missing).toEqual(
      expect.arrayContaining(['incidentAt', 'origin', 'activityType', 'narrative']),
    );
    expect(q.INCOMPLETE_DRAFTS.items[1].missing).not.toContain('origin');
    expect(q.INCOMPLETE_DRAFTS.items[1].missing).toContain('narrative');
    expect(await counts(colleague)).toEqual({ RETURNED_CASES: 1, INCOMPLETE_DRAFTS: 1 });
    expect(await counts(elsewhere)).toEqual({ RETURNED_CASES: 1, INCOMPLETE_DRAFTS: 1 });
  });

  it("supervisor: the district's submitted cases they may decide, oldest first, and those waiting over a day", async () => {
    const [sup, otherSup, officer, officer2, officer12, sup12] = await Promise.all([
      t.given.supervisor(3),
      t.given.supervisor(3),
      t.given.officer(3),
      t.given.officer(3),
      t.given.officer(12),
      t.given.supervisor(12),
    ]);
    const first = await t.given.submittedCase(officer);
    const second = await t.given.submittedCase(officer2);
    const own = await t.given.submittedCase(sup); // the two-person rule: another supervisor decides it
    await t.given.submittedCase(officer12); // district 12
    await t.given.draftCase(officer, {}); // not submitted
    const decided = await t.given.submittedCase(officer);
    await t.given.approve(otherSup, decided.id);
    // The second case was submitted two days ago (the stored submission time; nothing else changes).
    await t.owner.query(`UPDATE cases SET submitted_at = submitted_at - interval '2 days' WHERE id = $1`, [second.id]);

    const q = await queues(sup);
    expect(q.SUBMITTED_WAITING.count).toBe(2);
    expect(q.SUBMITTED_WAITING.items.map((i) => i.caseNumber)).toEqual([second.caseNumber, first.caseNumber]);
    expect(q.WAITING_OVER_A_DAY.count).toBe(1);
    expect(q.WAITING_OVER_A_DAY.items.map((i) => i.caseNumber)).toEqual([second.caseNumber]);
    // The other supervisor of the district may decide the first supervisor's own case too.
    const other = await queues(otherSup);
    expect(other.SUBMITTED_WAITING.items.map((i) => i.caseNumber)).toEqual([
      second.caseNumber,
      first.caseNumber,
      own.caseNumber,
    ]);
    expect(await counts(sup12)).toEqual({ SUBMITTED_WAITING: 1, WAITING_OVER_A_DAY: 0 });
  });

  it("prosecutor: the office's unclaimed packets, those near or past the SLA, and my claims", async () => {
    const [officer, sup, me, colleague, cityLaw] = await Promise.all([
      t.given.officer(4),
      t.given.supervisor(4),
      t.given.prosecutor('CCSAO'),
      t.given.prosecutor('CCSAO'),
      t.given.prosecutor('CITY_LAW'),
    ]);
    const unclaimed = await t.given.sentPacket(officer, sup, 'CCSAO');
    const mine = await t.given.sentPacket(officer, sup, 'CCSAO');
    const theirs = await t.given.sentPacket(officer, sup, 'CCSAO');
    const city = await t.given.sentPacket(officer, sup, 'CITY_LAW');
    await t.given.claim(me, mine.id);
    await t.given.claim(colleague, theirs.id);

    let q = await queues(me);
    expect(Object.fromEntries(Object.values(q).map((x) => [x.key, x.count]))).toEqual({
      UNCLAIMED_PACKETS: 1,
      PACKETS_NEAR_SLA: 0,
      PACKETS_PAST_SLA: 0,
      MY_CLAIMS: 1,
    });
    expect(q.UNCLAIMED_PACKETS.items.map((i) => i.id)).toEqual([unclaimed.id]);
    expect(q.MY_CLAIMS.items.map((i) => [i.id, i.caseNumber])).toEqual([[mine.id, mine.caseNumber]]);
    expect(await counts(colleague)).toEqual({
      UNCLAIMED_PACKETS: 1,
      PACKETS_NEAR_SLA: 0,
      PACKETS_PAST_SLA: 0,
      MY_CLAIMS: 1,
    });
    expect(await counts(cityLaw)).toEqual({
      UNCLAIMED_PACKETS: 1,
      PACKETS_NEAR_SLA: 0,
      PACKETS_PAST_SLA: 0,
      MY_CLAIMS: 0,
    });

    // 25 days on (SLA 30 days): every undecided packet of the office is due within 5 days, near its SLA.
    const sentAt = Date.now();
    jest.spyOn(Clock.prototype, 'now').mockImplementation(() => new Date(sentAt + 25 * DAY));
    q = await queues(me);
    expect(q.PACKETS_NEAR_SLA.count).toBe(3);
    expect(q.PACKETS_NEAR_SLA.items.map((i) => i.id)).toEqual([unclaimed.id, mine.id, theirs.id]);
    expect(q.PACKETS_PAST_SLA.count).toBe(0);
    // 31 days on: past it.
    jest.spyOn(Clock.prototype, 'now').mockImplementation(() => new Date(sentAt + 31 * DAY));
    q = await queues(me);
    expect([q.PACKETS_NEAR_SLA.count, q.PACKETS_PAST_SLA.count]).toEqual([0, 3]);
    expect(new Date(q.PACKETS_PAST_SLA.items[0].dueAt!).getTime()).toBeLessThan(sentAt + 31 * DAY);
    expect((await counts(cityLaw)).PACKETS_PAST_SLA).toBe(1);
    expect((await queues(cityLaw)).PACKETS_PAST_SLA.items.map((i) => i.id)).toEqual([city.id]);
  });

  it('auditor: denied-access spikes (10 in a day, and 3x the daily average of the week before), per actor', async () => {
    const [auditor, noisy, quiet] = await Promise.all([t.given.auditor(), t.given.officer(5), t.given.officer(5)]);
    expect((await queues(auditor)).DENIED_SPIKES.count).toBe(0);
    // Ten refusals in a day for one officer (a spike), nine for another (not one).
    for (let i = 0; i < 10; i++) expect((await t.http().get(`${API}/users`).set(noisy.auth)).status).toBe(403);
    for (let i = 0; i < 9; i++) expect((await t.http().get(`${API}/users`).set(quiet.auth)).status).toBe(403);

    const q = await queues(auditor);
    expect(q.DENIED_SPIKES.count).toBe(1);
    expect(q.DENIED_SPIKES.items.map((i) => [i.id, i.username, i.deniedLastDay, i.deniedDailyAverage])).toEqual([
      [noisy.id, noisy.username, 10, 0],
    ]);
  });

  if (UNPROTECTED)
    it('auditor: evidence failing verification and the integrity failures recorded', async () => {
      const [auditor, officer] = await Promise.all([t.given.auditor(), t.given.officer(5)]);
      const before = await queues(auditor);
      expect([before.FAILED_VERIFICATIONS.count, before.INTEGRITY_FAILURES.count]).toEqual([0, 0]);

      // An object altered behind the API: verification fails (409), the item is FAILED, the failure is in the trail.
      const c = await t.given.draftCase(officer);
      const original = Buffer.from('attention evidence bytes\n'.repeat(200));
      const e = await t.given.evidence(officer, c.id, original);
      const [row] = (await t.owner.query('SELECT storage_key FROM evidence WHERE id = $1', [e.id])).rows;
      const tampered = Buffer.from(original);
      tampered[10] ^= 0xff;
      await t.storage.client.putObject(t.storage.bucket, row.storage_key, tampered, tampered.length);
      expect((await t.http().post(`${API}/evidence/${e.id}/verify`).set(auditor.auth)).status).toBe(409);

      const q = await queues(auditor);
      expect(q.FAILED_VERIFICATIONS.count).toBe(1);
      expect(q.FAILED_VERIFICATIONS.items.map((i) => [i.id, i.caseNumber])).toEqual([[e.id, c.caseNumber]]);
      expect(q.INTEGRITY_FAILURES.count).toBe(1);
      expect(q.INTEGRITY_FAILURES.items.map((i) => [i.action, i.caseNumber])).toEqual([
        ['evidence.verified', c.caseNumber],
      ]);
    });

  it('admin: active accounts locked after failed sign-ins', async () => {
    const [admin, locked, inactive] = await Promise.all([t.given.admin(), t.given.officer(6), t.given.officer(6)]);
    expect((await queues(admin)).LOCKED_ACCOUNTS.count).toBe(0);
    for (const u of [locked, inactive]) {
      for (let i = 0; i < 5; i++)
        await t.http().post(`${API}/auth/login`).send({ username: u.username, password: 'not-the-password-1' });
    }
    const off = await t
      .http()
      .patch(`${API}/users/${inactive.id}`)
      .set(admin.auth)
      .send({ active: false, deactivationReason: 'Left the department.' });
    expect(off.status).toBe(200);
    const q = await queues(admin);
    expect(q.LOCKED_ACCOUNTS.count).toBe(1);
    expect(q.LOCKED_ACCOUNTS.items.map((i) => [i.id, i.username])).toEqual([[locked.id, locked.username]]);
    expect(new Date(q.LOCKED_ACCOUNTS.items[0].dueAt!).getTime()).toBeGreaterThan(Date.now());
  });

  it('is audited once per opening and on change, not on every refresh of unchanged counts', async () => {
    const officer = await t.given.officer(7);
    const events = () => auditRows(t.owner, `action = 'attention.viewed' AND actor_id = $1`, [officer.id]);
    const opened = await attention(officer, { opened: 'true' });
    expect(opened.audited).toBe(true);
    expect((await attention(officer)).audited).toBe(false);
    expect((await attention(officer)).audited).toBe(false);
    const draft = await t.given.draftCase(officer, {});
    const changed = await attention(officer);
    expect(changed.audited).toBe(true);
    expect((await attention(officer, { opened: 'true' })).audited).toBe(true);
    const rows = await events();
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => [r.outcome, r.details.opened, r.details.counts])).toEqual([
      ['SUCCESS', true, { RETURNED_CASES: 0, INCOMPLETE_DRAFTS: 0 }],
      ['SUCCESS', false, { RETURNED_CASES: 0, INCOMPLETE_DRAFTS: 1 }],
      ['SUCCESS', true, { RETURNED_CASES: 0, INCOMPLETE_DRAFTS: 1 }],
    ]);
    expect(rows[1].details.shown).toEqual({ RETURNED_CASES: [], INCOMPLETE_DRAFTS: [draft.id] });
  });

  it('refuses a bad parameter naming it, and an anonymous caller (audited)', async () => {
    const officer = await t.given.officer(8);
    const bad = await t.http().get(`${API}/me/attention`).query({ opened: 'maybe' }).set(officer.auth);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('opened');
    const unknown = await t.http().get(`${API}/me/attention`).query({ district: '12' }).set(officer.auth);
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('district');
    const anon = await t.http().get(`${API}/me/attention`).set('X-Request-Id', 'attention-anon-1');
    expect(anon.status).toBe(401);
    expect(
      (await auditRows(t.owner, 'request_id = $1', ['attention-anon-1'])).map((r) => [r.action, r.outcome]),
    ).toEqual([['auth.unauthenticated', 'DENIED']]);
    expect(await auditRows(t.owner, `action = 'attention.viewed' AND actor_id = $1`, [officer.id])).toHaveLength(0);
  });
});
