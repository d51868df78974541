import type { Page } from 'playwright-core';
import { axeViolations, consoleSuite, screenshot, signIn } from '../harness/browser';
import { auditRows, FULL_CASE, SUPERVISOR_RECORD, type TestUser } from '../harness/test-app';

/*
 * Issue 15, "the console: search with filters on every list": the officer's and the supervisor's case list,
 * the prosecutor's review queue and the auditor's case search, each with its search box and filters in the
 * address (Back and reload keep them), what was searched said in words when nothing matches, a refused field
 * named in words, and no sideways scrolling on a 390 px phone.
 */

const API = '/api/v1';
type Made = { id: string; caseNumber: string; version: number };

describe('web console: search with filters on every list', () => {
  const suite = consoleSuite();
  let officerA: TestUser;
  let officerB: TestUser;
  let officerC: TestUser;
  let sup3: TestUser;
  let auditor: TestUser;
  let prosecutor: TestUser;
  let sup7: TestUser;
  const c = {} as Record<'van' | 'church' | 'grocery' | 'other', Made>;
  let saxPacket: { id: string; caseNumber: string };
  let plainPacket: { id: string; caseNumber: string };

  /** A case of `author` with these fields, federal officers and violations; submitted when `submit`. */
  async function make(
    author: TestUser,
    fields: Record<string, unknown>,
    officers: unknown[],
    violations: unknown[],
    submit: boolean,
  ): Promise<Made> {
    const t = suite.c.t;
    const d = await t.given.draftCase(author, { ...FULL_CASE, ...fields });
    const o = await t
      .http()
      .put(`${API}/cases/${d.id}/federal-officers`)
      .set(author.auth)
      .set('If-Match', `"${d.version}"`)
      .send({ officers })
      .expect(200);
    const v = await t
      .http()
      .put(`${API}/cases/${d.id}/violations`)
      .set(author.auth)
      .set('If-Match', `"${o.body.version}"`)
      .send({ violations })
      .expect(200);
    if (submit) await t.given.submit(author, d.id);
    return { id: d.id, caseNumber: d.caseNumber, version: v.body.version as number };
  }

  /** Waits until the list's case links are exactly these (in any order). The auditor's screen has an event table too. */
  async function shows(page: Page, expected: string[]) {
    const table = page.locator('table.case-results, table.packets');
    const want = [...expected].sort();
    let got: string[] = [];
    for (let i = 0; i < 100; i++) {
      got = (await table.count()) ? (await table.getByRole('link').allTextContents()).sort() : [];
      if (JSON.stringify(got) === JSON.stringify(want)) return;
      await page.waitForTimeout(100);
    }
    expect(got).toEqual(want);
  }
  const noSidewaysScroll = (page: Page) =>
    page.evaluate(() => {
      const d = (
        globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
      ).document.documentElement;
      return { scrollWidth: d.scrollWidth, clientWidth: d.clientWidth };
    });
  async function expectNoOverflow(page: Page) {
    const { scrollWidth, clientWidth } = await noSidewaysScroll(page);
    expect({ url: page.url(), scrollWidth }).toEqual({ url: page.url(), scrollWidth: clientWidth });
  }

  beforeAll(async () => {
    const g = suite.c.t.given;
    [officerA, officerB, officerC, sup3, sup7, auditor, prosecutor] = await Promise.all([
      g.officer(3),
      g.officer(3),
      g.officer(7),
      g.supervisor(3),
      g.supervisor(7),
      g.auditor(),
      g.prosecutor('CCSAO'),
    ]);
    await suite.c.t.owner.query(`UPDATE users SET badge_number = '8812' WHERE id = $1`, [officerA.id]);
    const felony = [
      { citation: '720 ILCS 5/12-3', description: 'Battery of a bystander who filmed the arrest', felony: true },
    ];
    const misdemeanour = [{ citation: 'MCC 2-173-020', description: 'Obstruction of a public way', felony: false }];
    c.van = await make(
      officerA,
      {
        incidentLocation: '4000 W Irving Park Rd',
        narrative: 'Agents in a grey van detained a man at the bus stop on Pulaski and refused to identify themselves.',
      },
      [
        {
          ...SUPERVISOR_RECORD.officers[0],
          name: 'Rutherford Quill',
          badgeNumber: '004471',
          identificationOutcome: 'REFUSED',
          description: 'Silver Tahoe, Illinois plate ZX9911, tactical vest',
        },
      ],
      felony,
      true,
    );
    c.church = await make(
      officerA,
      {
        incidentLocation: 'Outside St. Casimir church',
        narrative: 'Agents were detaining people outside a church; a grey sedan left northbound.',
      },
      SUPERVISOR_RECORD.officers,
      misdemeanour,
      true,
    );
    c.grocery = await make(
      officerB,
      { incidentLocation: 'Grocery store parking lot', narrative: 'A grey van watched the grocery store.' },
      SUPERVISOR_RECORD.officers,
      felony,
      false,
    );
    c.other = await make(
      officerC,
      { incidentLocation: '600 S Western Ave', narrative: 'The grey van again; agents detained a cyclist.' },
      SUPERVISOR_RECORD.officers,
      felony,
      true,
    );

    // Two packets sent to CCSAO; only one manifest says "saxophone".
    const sent = async (narrative: string) => {
      const m = await make(officerC, { narrative }, SUPERVISOR_RECORD.officers, misdemeanour, true);
      await g.approve(sup7, m.id);
      return g.sendPacket(sup7, m.id, 'CCSAO');
    };
    saxPacket = await sent('A street musician with a saxophone was detained by masked agents near the Blue Line.');
    plainPacket = await sent('Masked agents detained a cook outside a restaurant and refused to identify themselves.');
  }, 180_000);

  it('an officer finds their case by a phrase and by a plate; reload and Back keep the search; a bad date or q is named in words', async () => {
    const page = await suite.open();
    await signIn(page, officerA);
    // Issue 16: every role lands on its home screen; the list is one link away.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My cases' }).click();
    await page.getByRole('heading', { level: 1, name: 'My cases' }).waitFor();
    await shows(page, [c.van.caseNumber, c.church.caseNumber]);

    await page.getByLabel('Search words').fill('"grey van"');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await shows(page, [c.van.caseNumber]);
    expect(new URL(page.url()).searchParams.get('q')).toBe('"grey van"');
    await page.getByText('Showing 1–1 of 1 case. Searched for: “"grey van"”.').waitFor();
    // The row carries what a list needs: place, author, district, age, evidence, felony.
    const row = await page.getByRole('row').filter({ hasText: c.van.caseNumber }).textContent();
    for (const part of [
      '4000 W Irving Park Rd',
      'District 3',
      'less than a day old',
      'No evidence items',
      'Felony alleged',
      'Federal supervisor: refused to identify',
    ]) {
      expect(row).toContain(part);
    }
    expect(row).toContain('Badge 8812');

    await page.getByLabel('Search words').fill('ZX9911');
    await page.keyboard.press('Enter');
    await shows(page, [c.van.caseNumber]);
    expect(new URL(page.url()).searchParams.get('q')).toBe('ZX9911');
    await page.reload();
    await shows(page, [c.van.caseNumber]);
    expect(await page.getByLabel('Search words').inputValue()).toBe('ZX9911');
    await page.goBack();
    await page.waitForURL((u) => u.searchParams.get('q') === '"grey van"');
    expect(await page.getByLabel('Search words').inputValue()).toBe('"grey van"');
    await shows(page, [c.van.caseNumber]);
    // Another officer's case of the same district never appears, whatever the words.
    await page.getByLabel('Search words').fill('grocery');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'No cases match “grocery”.' }).waitFor();
    await page.getByText('Only the cases you opened are searched.').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // A date or q the service refuses: the field is named in words, not in the validator's text.
    await page.goto('/cases?from=2026-13-45');
    const alert = page.getByRole('alert');
    await alert.getByText('Nothing was searched: correct the marked field.').waitFor();
    expect(await alert.textContent()).toContain('Incident from: The “Incident from” date is not a date.');
    await page.locator('.field-error', { hasText: 'The “Incident from” date is not a date.' }).waitFor();
    expect(await page.locator('main').textContent()).not.toMatch(/ISO 8601|must be a valid/);
    await page.goto(`/cases?q=${encodeURIComponent('grey\u0001van')}`);
    await page.locator('.field-error', { hasText: 'The search words must be one line' }).waitFor();
    expect(await page.locator('main').textContent()).not.toMatch(/control characters \(it holds|must be a single line/);
    await screenshot(page, 'search-officer-error');
  }, 120_000);

  it('a supervisor filters by status and felony and sees only their district; the filters stay in the address', async () => {
    const page = await suite.open();
    await signIn(page, sup3);
    // Issue 16: every role lands on its home screen; the list is one link away.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'District cases' }).click();
    await page.getByRole('heading', { level: 1, name: 'District 3 cases' }).waitFor();
    await page.getByText('District 3 (yours)').waitFor();
    await shows(page, [c.van.caseNumber, c.church.caseNumber]); // opens on the submitted ones
    await page.getByText('More filters', { exact: false }).click();
    await page.getByLabel('Felony alleged').selectOption({ label: 'Yes: a felony is alleged' });
    await shows(page, [c.van.caseNumber]);
    await page.getByLabel('Status').selectOption({ label: 'All statuses' });
    await shows(page, [c.van.caseNumber, c.grocery.caseNumber]); // the district's felony cases; never district 7's
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ status: 'ALL', felony: 'true' });
    for (const r of await page
      .getByRole('table')
      .getByRole('row')
      .filter({ has: page.getByRole('link') })
      .allTextContents())
      expect(r).toContain('District 3');
    await page.getByLabel('Status').selectOption('SUBMITTED');
    await shows(page, [c.van.caseNumber]);
    await page.getByText('Showing 1–1 of 1 submitted case. Searched for: felony alleged.').waitFor();
    await page.reload();
    await shows(page, [c.van.caseNumber]);
    expect(await page.getByLabel('Felony alleged').inputValue()).toBe('true');
    expect(await page.getByLabel('Status').inputValue()).toBe('SUBMITTED');
    // A district in the address widens nothing: a supervisor's district is theirs.
    await page.goto('/cases?status=ALL&felony=true&district=7');
    await shows(page, [c.van.caseNumber, c.grocery.caseNumber]);
    // Narrowing to one author from a row.
    await page
      .getByRole('row')
      .filter({ hasText: c.grocery.caseNumber })
      .getByRole('button', { name: /^Only cases by / })
      .click();
    await shows(page, [c.grocery.caseNumber]);
    expect(new URL(page.url()).searchParams.get('author')).toBe(officerB.id);
    await page.getByText('Only cases written by').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'search-supervisor');
    // What the console asked was audited as searched.
    const [ev] = (await auditRows(suite.c.t.owner, `action = 'case.searched' AND actor_id = $1`, [sup3.id])).slice(-1);
    expect(ev.details).toMatchObject({ q: null, searched: 'content', total: 1, caseIds: [c.grocery.id] });
    expect(ev.details.filters).toEqual({ felony: true, author: officerB.id });
  }, 120_000);

  it("the prosecutor's queue finds a packet by a word of its manifest, and says what found nothing", async () => {
    const page = await suite.open();
    await signIn(page, prosecutor);
    // Issue 16: every role lands on its home screen; the list is one link away.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review queue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Review queue' }).waitFor();
    await shows(page, [saxPacket.caseNumber, plainPacket.caseNumber]);
    await page.getByLabel('Search the packets').fill('saxophones');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await shows(page, [saxPacket.caseNumber]);
    await page
      .getByRole('caption')
      .filter({ hasText: 'Pending and in review packets matching “saxophones”, oldest first: 1 in all' })
      .waitFor();
    await page.reload();
    await shows(page, [saxPacket.caseNumber]);
    expect(await page.getByLabel('Search the packets').inputValue()).toBe('saxophones');
    await page.getByLabel('Search the packets').fill('zebra');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'No pending and in review packets sent to' })
      .filter({ hasText: 'match “zebra”.' })
      .waitFor();
    await page.goBack();
    await shows(page, [saxPacket.caseNumber]);
    expect(await axeViolations(page)).toEqual([]);
  }, 120_000);

  it("the auditor's search reads metadata only: a narrative-only word finds nothing and the screen says why", async () => {
    // The word is in the van case's narrative: its supervisor finds the case by it.
    const sup = await suite.c.t
      .http()
      .get(`${API}/cases`)
      .query({ q: 'Pulaski', status: 'SUBMITTED' })
      .set(sup3.auth)
      .expect(200);
    expect(sup.body.items.map((i: { id: string }) => i.id)).toEqual([c.van.id]);

    const page = await suite.open();
    await signIn(page, auditor);
    // Issue 16: every role lands on its home screen; the list is one link away.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const box = page.getByLabel('Search case metadata');
    await page.getByText('Narratives and personnel are never searched.').waitFor();
    await box.fill('Pulaski');
    await page.getByRole('button', { name: 'Find cases' }).click();
    const empty = page.getByRole('status').filter({ hasText: 'No case matches “Pulaski”.' });
    await empty.waitFor();
    expect(await empty.textContent()).toContain('never at narratives or personnel');
    expect(new URL(page.url()).searchParams.get('q')).toBe('Pulaski');

    // A case number finds its case; the row carries no place (case content).
    await box.fill(c.van.caseNumber);
    await page.getByRole('button', { name: 'Find cases' }).click();
    await shows(page, [c.van.caseNumber]);
    const auditRow = await page
      .locator('table.case-results')
      .getByRole('row')
      .filter({ hasText: c.van.caseNumber })
      .textContent();
    expect(auditRow).toContain('District 3');
    expect(auditRow).not.toContain('Irving Park');
    await page.reload();
    await shows(page, [c.van.caseNumber]);
    expect(await page.getByLabel('Search case metadata').inputValue()).toBe(c.van.caseNumber);
    await page.locator('table.case-results').getByRole('link', { name: c.van.caseNumber }).click();
    await page.getByRole('heading', { level: 1, name: `Case ${c.van.caseNumber}` }).waitFor();
    await page.goBack();
    await shows(page, [c.van.caseNumber]);
    expect(await axeViolations(page)).toEqual([]);
  }, 120_000);

  it('at 390 x 844 no list scrolls sideways (tables become stacks)', async () => {
    const check = async (user: TestUser, paths: string[]) => {
      const page = await suite.open();
      await page.setViewportSize({ width: 390, height: 844 });
      await signIn(page, user);
      for (const p of paths) {
        await page.goto(p);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await page.locator('table, [role=status]').first().waitFor();
        await page.waitForLoadState('networkidle');
        await expectNoOverflow(page);
      }
      return page;
    };
    const officerPage = await check(officerA, ['/cases', '/cases?q=grey']);
    await screenshot(officerPage, 'search-officer-390');
    await check(sup3, ['/cases?status=ALL', '/cases?status=ALL&felony=true']);
    const queue = await check(prosecutor, ['/review-queue', '/review-queue?q=saxophone']);
    await screenshot(queue, 'search-queue-390');
    const audit = await check(auditor, [`/audit?q=${c.van.caseNumber}`, '/audit?status=SUBMITTED']);
    await screenshot(audit, 'search-audit-390');
  }, 180_000);
});
