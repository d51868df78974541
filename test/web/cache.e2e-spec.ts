import type { CDPSession, Page } from 'playwright-core';
import { ConsoleUnderTest, openConsole, signIn, startConsole } from '../harness/browser';
import { FULL_CASE, TestUser } from '../harness/test-app';

/** One API answer as the browser's network stack reported it (DevTools protocol). */
interface Seen {
  url: string;
  status: number;
  fromDiskCache: boolean;
  cacheControl: string | undefined;
}

/** Every /api answer the page receives, as Chromium saw it: a 304 or a cache hit shows here, not in the page. */
async function watchApi(cdp: CDPSession): Promise<Seen[]> {
  const seen: Seen[] = [];
  await cdp.send('Network.enable');
  cdp.on('Network.responseReceived', (e) => {
    if (!new URL(e.response.url).pathname.startsWith('/api/')) return;
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    seen.push({
      url: e.response.url,
      status: e.response.status,
      fromDiskCache: Boolean(e.response.fromDiskCache),
      cacheControl: h['cache-control'],
    });
  });
  return seen;
}

/**
 * A browser shared by several people (a district PC, an in-car laptop): one profile, users signing in
 * one after the other. Each must get their own representation of a case from the service, never the
 * previous user's from the browser cache (an auditor's metadata-only copy, or an officer's narrative).
 */
describe('web console: one browser, users one after the other, each sees their own view of a case', () => {
  let c: ConsoleUnderTest;
  let officer: TestUser;
  let supervisor: TestUser;
  let auditor: TestUser;
  let kase: { id: string; caseNumber: string };

  beforeAll(async () => {
    c = await startConsole();
    [officer, supervisor, auditor] = await Promise.all([
      c.t.given.officer(1),
      c.t.given.supervisor(1),
      c.t.given.auditor(),
    ]);
    kase = await c.t.given.submittedCase(officer);
  }, 180_000);
  afterAll(async () => {
    await c?.close();
  });

  /** Opens the case as `user` would and checks what they see. */
  async function openCaseAs(page: Page, user: TestUser): Promise<void> {
    await signIn(page, user);
    if (user.role === 'AUDITOR') {
      await page.goto(`/audit/cases/${kase.id}`);
      await page.getByRole('heading', { level: 1, name: `Case ${kase.caseNumber}` }).waitFor();
      await page.locator('ol.timeline li').first().waitFor();
      const main = (await page.locator('main').textContent()) ?? '';
      expect(main).not.toContain(FULL_CASE.narrative);
      expect(main).not.toContain(FULL_CASE.incidentLocation);
    } else {
      await page.goto(`/cases/${kase.id}`);
      await page.getByRole('heading', { level: 1, name: `Case ${kase.caseNumber}` }).waitFor();
      expect(await page.locator('dd.narrative').textContent()).toBe(FULL_CASE.narrative);
      expect(await page.locator('main').textContent()).toContain(FULL_CASE.incidentLocation);
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').waitFor();
  }

  it('auditor, officer, auditor, supervisor, auditor in one profile: every one sees their own fields, and no API answer is a 304 or from cache', async () => {
    const { page, context, pageErrors } = await openConsole(c);
    const seen = await watchApi(await context.newCDPSession(page));

    for (const user of [auditor, officer, auditor, supervisor, auditor]) await openCaseAs(page, user);

    const caseAnswers = seen.filter((s) => new URL(s.url).pathname === `/api/v1/cases/${kase.id}`);
    expect(caseAnswers.length).toBeGreaterThanOrEqual(5);
    expect(seen.filter((s) => s.status === 304 || s.fromDiskCache)).toEqual([]);
    expect(seen.filter((s) => s.cacheControl !== 'no-store')).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
