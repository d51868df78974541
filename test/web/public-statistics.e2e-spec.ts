import { readFileSync } from 'node:fs';
import { axeViolations, consoleSuite, screenshot } from '../harness/browser';
import { chicagoMonthsBack, craftReferrals } from '../harness/statistics-fixtures';

/*
 * Issue 15 §5 in the console: the public statistics open without signing in, from a link on the sign-in
 * screen and at their own address; the tables show the counts in words (no codes), "fewer than 10" for small
 * counts, when they were computed, and a CSV download of the same cells.
 */

const API = '/api/v1';

type Cell = { count: number | null; suppressed: 'FEWER_THAN_10' | 'COMPLEMENTARY' | null };
type Table = {
  id: string;
  categories: string[];
  rows: { month: string; cells: Cell[]; total: Cell }[];
  columnTotals: Cell[];
  total: Cell;
};

describe('web console: public statistics', () => {
  const suite = consoleSuite();
  const [OCT, NOV] = [chicagoMonthsBack(2), chicagoMonthsBack(1)];

  beforeAll(async () => {
    const t = suite.c.t;
    const [officer, supervisor] = await Promise.all([t.given.officer(1), t.given.supervisor(1)]);
    const people = { officerId: officer.id, supervisorId: supervisor.id };
    await craftReferrals(
      t.owner,
      { month: OCT, n: 25, decision: 'CHARGES_FILED', activity: 'ARREST', outcome: 'REFUSED', agencies: ['ICE_ERO'] },
      people,
    );
    await craftReferrals(
      t.owner,
      { month: OCT, n: 14, decision: 'DECLINED', activity: 'DETENTION', outcome: 'UNABLE', agencies: ['CBP'] },
      people,
    );
    await craftReferrals(
      t.owner,
      { month: NOV, n: 31, decision: 'CHARGES_FILED', activity: 'ARREST', outcome: 'REFUSED', agencies: ['ICE_ERO'] },
      people,
    );
    await craftReferrals(
      t.owner,
      { month: NOV, n: 9, decision: 'DECLINED', activity: 'DETENTION', outcome: 'UNABLE', agencies: ['CBP'] },
      people,
    );
  }, 120_000);

  it('signed out: from the sign-in screen to the tables, in words, with "fewer than 10", the time computed and the CSV', async () => {
    const page = await suite.open();
    await page.goto('/');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'public statistics on the cases referred to prosecutors' }).click();
    await page.getByRole('heading', { level: 1, name: 'Public statistics: cases referred to prosecutors' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/statistics');

    // What the service publishes (anonymous, as the page asked for it).
    const res = await page.request.get(`${API}/public/statistics`);
    expect(res.status()).toBe(200);
    const doc = (await res.json()) as { computedAt: string; tables: Table[] };

    const decision = page
      .getByRole('table')
      .filter({ has: page.getByRole('columnheader', { name: 'Declined to prosecute' }) });
    await decision.waitFor();
    const headers = (await decision.getByRole('columnheader').allTextContents()).map((s) => s.trim());
    expect(headers).toEqual([
      'Month of referral',
      'Awaiting a decision',
      'Charges filed',
      'Declined to prosecute',
      'Referred elsewhere',
      'More information requested',
      'All cases',
    ]);
    const monthName = (m: string) =>
      new Date(`${m}-15T12:00:00Z`).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    const words = (c: Cell) =>
      c.suppressed === 'FEWER_THAN_10'
        ? 'fewer than 10'
        : c.suppressed === 'COMPLEMENTARY'
          ? 'withheld'
          : String(c.count);
    const published = doc.tables.find((x) => x.id === 'decision')!;
    const rows = decision.getByRole('row');
    expect(await rows.count()).toBe(published.rows.length + 2);
    for (const [i, r] of published.rows.entries()) {
      const cells = (
        await rows
          .nth(i + 1)
          .locator('th, td')
          .allTextContents()
      ).map((s) => s.trim());
      expect(cells).toEqual([monthName(r.month), ...r.cells.map(words), words(r.total)]);
    }
    const foot = (
      await rows
        .nth(published.rows.length + 1)
        .locator('th, td')
        .allTextContents()
    ).map((s) => s.trim());
    expect(foot).toEqual(['All months', ...published.columnTotals.map(words), words(published.total)]);
    // The 9 declined in NOV (a count below 10) reads "fewer than 10"; the 31 charged in NOV is a number.
    const nov = published.rows.findIndex((r) => r.month === NOV);
    expect(published.rows[nov].cells[2]).toEqual({ count: null, suppressed: 'FEWER_THAN_10' });
    expect(
      (
        await rows
          .nth(nov + 1)
          .locator('td')
          .nth(2)
          .textContent()
      )?.trim(),
    ).toBe('fewer than 10');
    expect(await page.getByText('fewer than 10', { exact: true }).count()).toBeGreaterThan(10);

    // Words, never codes, on the page; the other tables are there too.
    const text = (await page.locator('main').textContent()) ?? '';
    for (const code of [
      'CHARGES_FILED',
      'AWAITING_DECISION',
      'ICE_ERO',
      'NOT_RECORDED',
      'FEWER_THAN_10',
      'COMPLEMENTARY',
      'VEHICLE_STOP',
      'REFUSED',
    ]) {
      expect(text).not.toContain(code);
    }
    for (const title of [
      'Cases referred, by what the federal agents were doing',
      'Cases referred, by federal agency involved',
      'Cases referred, by whether the federal supervisor on scene was identified',
    ]) {
      await page.getByRole('heading', { level: 2, name: title }).waitFor();
    }
    expect(text).toContain('ICE ERO');
    expect(text).toContain('Refused to identify');

    // When computed, in Chicago time, from the service's computedAt.
    const time = page.locator('.computed-at time');
    expect(await time.getAttribute('datetime')).toBe(doc.computedAt);
    expect(await time.textContent()).toMatch(/\(Chicago time\)$/);

    // The CSV link downloads the same cells.
    const link = page.getByRole('link', { name: 'Download these tables (CSV)' });
    expect(await link.getAttribute('href')).toBe(`${API}/public/statistics?format=csv`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^ion-public-statistics-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toBe('table,unit,month,category,count,computed_at');
    expect(csv).toContain(`decision,CASES,${NOV},DECLINED,fewer than 10,${doc.computedAt}`);

    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'public-statistics');
    // Signed out all along: the way back is to sign in.
    await page.getByRole('link', { name: 'Sign in to the case console' }).waitFor();
  });

  it('its own address opens it directly, signed out', async () => {
    const page = await suite.open();
    await page.goto('/statistics');
    await page.getByRole('heading', { level: 1, name: 'Public statistics: cases referred to prosecutors' }).waitFor();
    await page.getByRole('table').first().waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });
});
