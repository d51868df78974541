import type { Page } from 'playwright-core';
import { axeViolations, consoleSuite, screenshot, signIn } from '../harness/browser';
import { auditRows, type TestUser } from '../harness/test-app';

/*
 * Issue 16, "Everyone", in the console: every role lands on a home screen of what needs them now, each count a link
 * to its list, counts that refresh without a reload (paused while the tab is hidden), readable at 390 x 844 and at
 * 1024 x 768 without sideways scrolling.
 */

const API = '/api/v1';

describe('web console: the home screen of each role (what needs me now)', () => {
  const suite = consoleSuite();
  let officer: TestUser;
  let colleague: TestUser;
  let supervisor: TestUser;
  let prosecutor: TestUser;
  let auditor: TestUser;
  let admin: TestUser;
  let locked: TestUser;
  let returned: { id: string; caseNumber: string };
  let draft: { id: string; caseNumber: string };
  let waiting: { id: string; caseNumber: string };
  let packet: { id: string; caseNumber: string };

  beforeAll(async () => {
    const { given, http } = suite.c.t;
    [officer, colleague, supervisor, prosecutor, auditor, admin, locked] = await Promise.all([
      given.officer(2),
      given.officer(2),
      given.supervisor(2),
      given.prosecutor('CCSAO'),
      given.auditor(),
      given.admin(),
      given.officer(2),
    ]);
    draft = await given.draftCase(officer, { origin: 'WITNESSED' });
    const r = await given.submittedCase(officer);
    const back = await http()
      .post(`${API}/cases/${r.id}/return`)
      .set(supervisor.auth)
      .set('If-Match', `"${r.version}"`)
      .send({ reason: 'Add the route number of the bus stop.' });
    expect(back.status).toBe(200);
    returned = r;
    waiting = await given.submittedCase(officer);
    packet = await given.sentPacket(officer, supervisor, 'CCSAO');
    // Ten refusals in a day for one officer: a denied-access spike.
    for (let i = 0; i < 10; i++) expect((await http().get(`${API}/users`).set(colleague.auth)).status).toBe(403);
    for (let i = 0; i < 5; i++)
      await http().post(`${API}/auth/login`).send({ username: locked.username, password: 'not-the-password-1' });
  }, 120_000);

  const card = (page: Page, key: string) => page.locator(`section[data-queue="${key}"]`);
  const countOf = async (page: Page, key: string) => (await card(page, key).locator('.count').textContent())?.trim();
  const counts = async (page: Page, keys: string[]) =>
    Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await countOf(page, k)])));

  /** No sideways scrolling, and axe finds nothing serious, on a phone and on an in-car laptop. */
  const fits = async (page: Page, name: string) => {
    for (const [width, height, label] of [
      [390, 844, 'phone'],
      [1024, 768, 'laptop'],
    ] as const) {
      await page.setViewportSize({ width, height });
      const overflow = (await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      )) as number;
      expect({ name, label, overflow }).toEqual({ name, label, overflow: 0 });
      const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious).toEqual([]);
      await screenshot(page, `home-${name}-${label}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  };

  it('officer: lands on the home screen; returned cases and incomplete drafts, each count a link to the list', async () => {
    const page = await suite.open();
    await signIn(page, officer);
    expect(new URL(page.url()).pathname).toBe('/home');
    await page.getByRole('heading', { level: 1, name: 'What needs you now' }).waitFor();
    expect(await counts(page, ['RETURNED_CASES', 'INCOMPLETE_DRAFTS'])).toEqual({
      RETURNED_CASES: '1',
      INCOMPLETE_DRAFTS: '1',
    });
    await card(page, 'INCOMPLETE_DRAFTS')
      .getByText(/items still missing/)
      .waitFor();
    await expect(
      card(page, 'RETURNED_CASES')
        .getByRole('link', { name: `Case ${returned.caseNumber}` })
        .getAttribute('href'),
    ).resolves.toBe(`/cases/${returned.id}`);
    await expect(
      card(page, 'INCOMPLETE_DRAFTS')
        .getByRole('link', { name: `Case ${draft.caseNumber}` })
        .getAttribute('href'),
    ).resolves.toBe(`/cases/${draft.id}`);
    expect(await page.locator('main').textContent()).not.toMatch(/RETURNED_CASES|INCOMPLETE_DRAFTS|incidentAt/);
    await fits(page, 'officer');

    await card(page, 'RETURNED_CASES')
      .getByRole('link', { name: /^1\s+Returned to you$/ })
      .click();
    await page.waitForURL((u) => u.pathname === '/cases' && u.searchParams.get('status') === 'RETURNED');
    await page.getByRole('link', { name: returned.caseNumber, exact: true }).waitFor();
    expect(await page.getByRole('link', { name: waiting.caseNumber, exact: true }).count()).toBe(0);
  });

  it('supervisor: the count changes without a reload after an officer submits, and the refresh pauses while the tab is hidden', async () => {
    const page = await suite.open();
    await page.clock.install();
    const polls: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === `${API}/me/attention`) polls.push(new URL(r.url()).search);
    });
    await signIn(page, supervisor);
    await page.getByRole('heading', { level: 1, name: 'What needs you now' }).waitFor();
    expect(await counts(page, ['SUBMITTED_WAITING', 'WAITING_OVER_A_DAY'])).toEqual({
      SUBMITTED_WAITING: '1',
      WAITING_OVER_A_DAY: '0',
    });
    await card(page, 'SUBMITTED_WAITING')
      .getByRole('link', { name: `Case ${waiting.caseNumber}` })
      .waitFor();
    await card(page, 'WAITING_OVER_A_DAY').getByText('No case has waited more than a day.').waitFor();
    await fits(page, 'supervisor');
    await page.evaluate('window.notReloaded = true');

    // Another user acts: a colleague of the district submits a case.
    const other = await suite.c.t.given.submittedCase(colleague);
    await page.clock.fastForward(46_000);
    await card(page, 'SUBMITTED_WAITING')
      .getByRole('link', { name: `Case ${other.caseNumber}` })
      .waitFor();
    expect(await countOf(page, 'SUBMITTED_WAITING')).toBe('2');
    expect(await page.evaluate('window.notReloaded === true')).toBe(true);
    expect(polls).toEqual(['?opened=true', '']);
    // Audited: the opening, and the refresh that showed something new.
    const viewed = await auditRows(suite.c.t.owner, `action = 'attention.viewed' AND actor_id = $1`, [supervisor.id]);
    expect(viewed.map((e) => [e.details.opened, e.details.counts.SUBMITTED_WAITING])).toEqual([
      [true, 1],
      [false, 2],
    ]);

    // Hidden tab: no refresh however long; shown again: at once.
    const setHidden = (hidden: boolean) =>
      page.evaluate(
        `Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} }); document.dispatchEvent(new Event('visibilitychange'))`,
      );
    await setHidden(true);
    await page.clock.fastForward(5 * 60_000);
    expect(polls).toHaveLength(2);
    const refreshed = page.waitForResponse((r) => new URL(r.url()).pathname === `${API}/me/attention`);
    await setHidden(false);
    await refreshed;
    expect(polls).toHaveLength(3);
    // Nothing changed since: that refresh added nothing to the trail.
    expect(
      await auditRows(suite.c.t.owner, `action = 'attention.viewed' AND actor_id = $1`, [supervisor.id]),
    ).toHaveLength(2);
  });

  it('prosecutor: unclaimed packets of the office, near or past the SLA, my claims; a packet opens from its line', async () => {
    const page = await suite.open();
    await signIn(page, prosecutor);
    await page.getByRole('heading', { level: 1, name: 'What needs you now' }).waitFor();
    expect(await counts(page, ['UNCLAIMED_PACKETS', 'PACKETS_NEAR_SLA', 'PACKETS_PAST_SLA', 'MY_CLAIMS'])).toEqual({
      UNCLAIMED_PACKETS: '1',
      PACKETS_NEAR_SLA: '0',
      PACKETS_PAST_SLA: '0',
      MY_CLAIMS: '0',
    });
    await fits(page, 'prosecutor');
    await card(page, 'UNCLAIMED_PACKETS')
      .getByRole('link', { name: `Case ${packet.caseNumber}` })
      .click();
    await page.waitForURL(`**/packets/${packet.id}`);
    await page.goto('/home');
    await card(page, 'UNCLAIMED_PACKETS')
      .getByRole('link', { name: /^1\s+Not claimed yet$/ })
      .click();
    await page.waitForURL((u) => u.pathname === '/review-queue' && u.searchParams.get('status') === 'PENDING');
  });

  it('auditor: failed verifications, integrity failures, and a denied-access spike named by username', async () => {
    const page = await suite.open();
    await signIn(page, auditor);
    await page.getByRole('heading', { level: 1, name: 'What needs you now' }).waitFor();
    expect(await counts(page, ['FAILED_VERIFICATIONS', 'INTEGRITY_FAILURES', 'DENIED_SPIKES'])).toEqual({
      FAILED_VERIFICATIONS: '0',
      INTEGRITY_FAILURES: '0',
      DENIED_SPIKES: '1',
    });
    await card(page, 'DENIED_SPIKES').getByText(colleague.username).waitFor();
    await card(page, 'DENIED_SPIKES').getByText('10 refusals in 24 hours (usually 0 a day)').waitFor();
    await card(page, 'FAILED_VERIFICATIONS').getByText('No evidence is failing verification.').waitFor();
    await fits(page, 'auditor');
  });

  it('admin: locked accounts', async () => {
    const page = await suite.open();
    await signIn(page, admin);
    expect(new URL(page.url()).pathname).toBe('/home');
    await page.getByRole('heading', { level: 1, name: 'What needs you now' }).waitFor();
    expect(await countOf(page, 'LOCKED_ACCOUNTS')).toBe('1');
    await card(page, 'LOCKED_ACCOUNTS').getByText(locked.username).waitFor();
    await fits(page, 'admin');
    await card(page, 'LOCKED_ACCOUNTS')
      .getByRole('link', { name: /^1\s+Locked accounts$/ })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
  });
});
