import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations, ConsolePage, consoleSuite, ConsoleUnderTest, signIn } from '../harness/browser';
import type { TestUser } from '../harness/test-app';

/**
 * Two tabs of one officer edit the same DRAFT case. The stale tab's save is refused (409); recovering
 * from it must keep only what that tab changed (three-way merge against the version it started from),
 * show the fields both changed with both values and let the officer choose, and never write back a
 * field the stale tab did not touch. Outcomes are checked through the API and the audit trail.
 */
describe("web console: recovering from an edit conflict keeps the other person's changes", () => {
  const suite = consoleSuite();
  let c!: ConsoleUnderTest;
  beforeAll(() => {
    c = suite.c;
  });

  /** Two tabs (one browser profile, each tab with its own sessionStorage), both signed in and showing the case. */
  async function twoTabs(
    officer: TestUser,
    caseId: string,
    caseNumber: string,
  ): Promise<{ context: BrowserContext; tab1: Page; tab2: Page }> {
    const first = await suite.openConsolePage();
    const tab2 = await first.context.newPage();
    const second: ConsolePage = { page: tab2, context: first.context, cspViolations: [], pageErrors: [] };
    tab2.on('console', (m) => {
      if (/Content Security Policy|Refused to (load|execute|apply|connect)/i.test(m.text()))
        second.cspViolations.push(m.text());
    });
    tab2.on('pageerror', (e) => second.pageErrors.push(e.message));
    suite.watch(second);
    for (const p of [first.page, tab2]) {
      // Issue 16: a second tab of the same browser session is handed the sign-in by the first (no second sign-in).
      if (p === first.page) await signIn(p, officer);
      else await p.goto('/').then(() => p.getByRole('button', { name: 'Sign out' }).waitFor());
      await p.goto(`/cases/${caseId}`);
      await p.getByRole('heading', { level: 1, name: `Case ${caseNumber}` }).waitFor();
    }
    return { context: first.context, tab1: first.page, tab2 };
  }

  const incident = (p: Page) => p.getByRole('region', { name: 'Incident', exact: true });
  const location = (p: Page) => incident(p).getByLabel('Location of the incident', { exact: true });
  const narrative = (p: Page) => incident(p).getByLabel('Narrative: what happened', { exact: true });
  const notice = (p: Page) => p.getByRole('region', { name: 'Someone else changed this case while you were editing' });

  async function saveIncident(p: Page) {
    await incident(p).getByRole('button', { name: 'Save incident fields' }).click();
  }

  async function refusedAsStale(section: ReturnType<typeof incident>, context: string) {
    const alert = section.getByRole('alert').filter({ hasText: context });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Someone else changed this record since you opened it.');
  }

  async function apiCase(officer: TestUser, id: string) {
    const res = await c.t.http().get(`/api/v1/cases/${id}`).set(officer.auth);
    expect(res.status).toBe(200);
    return res.body;
  }

  async function updates(
    caseId: string,
    action: string,
  ): Promise<{ actor: string; details: Record<string, unknown> }[]> {
    const r = await c.t.owner.query(
      `SELECT actor_id AS actor, details FROM audit_events WHERE case_id = $1 AND action = $2 AND outcome = 'SUCCESS' ORDER BY seq`,
      [caseId, action],
    );
    return r.rows;
  }

  it('the other tab changed field A, this tab field B: after the 409 and "load the current version", A keeps their value and only B is sent', async () => {
    const officer = await c.t.given.officer(4);
    const draft = await c.t.given.draftCase(officer, {
      incidentLocation: '3300 W Fullerton Ave',
      narrative: 'Agents stopped a van.',
      agencies: ['ICE_ERO'],
    });
    const { tab1, tab2 } = await twoTabs(officer, draft.id, draft.caseNumber);

    // Tab 1 corrects the location and saves.
    await location(tab1).fill('2400 N Milwaukee Ave');
    await saveIncident(tab1);
    await incident(tab1).getByRole('status').filter({ hasText: 'Incident fields saved.' }).waitFor();

    // Tab 2, still showing the old version, adds to the narrative: refused as stale.
    await narrative(tab2).fill('Agents stopped a van on Cermak Rd and detained the driver.');
    await saveIncident(tab2);
    await refusedAsStale(incident(tab2), 'The incident fields were not saved');
    expect((await apiCase(officer, draft.id)).narrative).toBe('Agents stopped a van.');

    // Recover: the current version comes in; tab 1's location is taken, tab 2's narrative is kept.
    await incident(tab2).getByRole('button', { name: 'Load the current version of the case' }).click();
    const n = notice(tab2);
    await n.getByText('Their changes to Location of the incident are in the form.', { exact: false }).waitFor();
    expect(await n.textContent()).toContain('Your changes to Narrative are kept and not saved yet.');
    expect(await location(tab2).inputValue()).toBe('2400 N Milwaukee Ave');
    expect(await narrative(tab2).inputValue()).toBe('Agents stopped a van on Cermak Rd and detained the driver.');
    expect(await axeViolations(tab2)).toEqual([]);

    // The save sends only the narrative, with the current version.
    const sent: unknown[] = [];
    tab2.on('request', (r) => {
      if (r.method() === 'PATCH' && r.url().endsWith(`/api/v1/cases/${draft.id}`)) sent.push(r.postDataJSON());
    });
    await saveIncident(tab2);
    await incident(tab2).getByRole('status').filter({ hasText: 'Incident fields saved.' }).waitFor();
    expect(sent).toEqual([
      { narrative: 'Agents stopped a van on Cermak Rd and detained the driver.', version: draft.version + 1 },
    ]);

    const now = await apiCase(officer, draft.id);
    expect({ location: now.incidentLocation, narrative: now.narrative, version: now.version }).toEqual({
      location: '2400 N Milwaukee Ave',
      narrative: 'Agents stopped a van on Cermak Rd and detained the driver.',
      version: draft.version + 2,
    });
    // The audit trail: tab 1 changed the location, tab 2 the narrative, and nothing else.
    expect((await updates(draft.id, 'case.updated')).map((e) => e.details.fields)).toEqual([
      ['incidentLocation'],
      ['narrative'],
    ]);
  });

  it('both tabs changed one field: the conflict names it with both values, saving waits for a choice, and the draft survives a reload', async () => {
    const officer = await c.t.given.officer(4);
    const draft = await c.t.given.draftCase(officer, {
      incidentLocation: '3300 W Fullerton Ave',
      narrative: 'Agents stopped a van.',
      agencies: ['ICE_ERO'],
    });
    const { tab1, tab2 } = await twoTabs(officer, draft.id, draft.caseNumber);

    await narrative(tab1).fill('Tab one: four agents stopped a white van.');
    await saveIncident(tab1);
    await incident(tab1).getByRole('status').filter({ hasText: 'Incident fields saved.' }).waitFor();

    await narrative(tab2).fill('Tab two: agents in unmarked vests stopped a van.');
    await location(tab2).fill('Cermak Rd and Kedzie Ave');
    await saveIncident(tab2);
    await refusedAsStale(incident(tab2), 'The incident fields were not saved');

    // The stale tab is reloaded before recovering: the draft (with the version it started from) is still there,
    // and is carried onto the current version as soon as the case loads.
    await tab2.reload();
    await tab2.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();
    const n = notice(tab2);
    await n.waitFor();
    expect(await n.textContent()).toContain('Your changes to Location of the incident are kept and not saved yet.');
    const both = n.getByRole('group', { name: 'Narrative', exact: true });
    expect(await n.getByRole('list', { name: 'Fields changed by both' }).getByRole('listitem').count()).toBe(1);
    const theirs = both.getByRole('radio', { name: 'Keep their value' });
    const mine = both.getByRole('radio', { name: 'Use my value' });
    // Both values are shown, and the form holds theirs until the officer chooses.
    expect(await theirs.getAttribute('aria-describedby').then((id) => tab2.locator(`[id="${id}"]`).textContent())).toBe(
      'Tab one: four agents stopped a white van.',
    );
    expect(await mine.getAttribute('aria-describedby').then((id) => tab2.locator(`[id="${id}"]`).textContent())).toBe(
      'Tab two: agents in unmarked vests stopped a van.',
    );
    expect(await theirs.isChecked()).toBe(false);
    expect(await mine.isChecked()).toBe(false);
    expect(await narrative(tab2).inputValue()).toBe('Tab one: four agents stopped a white van.');
    expect(await location(tab2).inputValue()).toBe('Cermak Rd and Kedzie Ave');
    const save = incident(tab2).getByRole('button', { name: 'Save incident fields' });
    expect(await save.isDisabled()).toBe(true);
    await incident(tab2).getByText('Choose which value to keep for the field changed by both, then save.').waitFor();
    expect(await axeViolations(tab2)).toEqual([]);

    await mine.check();
    expect(await narrative(tab2).inputValue()).toBe('Tab two: agents in unmarked vests stopped a van.');
    await saveIncident(tab2);
    await incident(tab2).getByRole('status').filter({ hasText: 'Incident fields saved.' }).waitFor();

    const now = await apiCase(officer, draft.id);
    expect({ location: now.incidentLocation, narrative: now.narrative }).toEqual({
      location: 'Cermak Rd and Kedzie Ave',
      narrative: 'Tab two: agents in unmarked vests stopped a van.',
    });
    expect((await updates(draft.id, 'case.updated')).map((e) => e.details.fields)).toEqual([
      ['narrative'],
      ['incidentLocation', 'narrative'],
    ]);
  });

  it('lists edited with versions (violations): both tabs changed them, the officer keeps theirs, and nothing of the stale list is written', async () => {
    const officer = await c.t.given.officer(4);
    const draft = await c.t.given.draftCase(officer, { narrative: 'Agents stopped a van.', agencies: ['ICE_ERO'] });
    const { tab1, tab2 } = await twoTabs(officer, draft.id, draft.caseNumber);
    const violations = (p: Page) => p.getByRole('region', { name: 'Alleged violations', exact: true });

    async function addViolation(p: Page, citation: string, description: string) {
      await violations(p).getByRole('button', { name: 'Add a violation' }).click();
      const record = violations(p)
        .getByRole('group', { name: /^Violation \d+$/ })
        .last();
      await record.getByLabel('Citation').fill(citation);
      await record.getByLabel('Description').fill(description);
    }

    await addViolation(tab1, '720 ILCS 5/12-3 (battery)', 'Pushed a bystander who was filming.');
    await violations(tab1).getByRole('button', { name: 'Save violations' }).click();
    await violations(tab1).getByRole('status').filter({ hasText: 'Alleged violations saved (1).' }).waitFor();

    // Tab 2, still showing the old version, adds another violation: refused as stale.
    await addViolation(tab2, 'MCC 2-173 (Welcoming City)', 'Asked about immigration status.');
    await violations(tab2).getByRole('button', { name: 'Save violations' }).click();
    await refusedAsStale(violations(tab2), 'Violations not saved');
    await violations(tab2).getByRole('button', { name: 'Load the current version of the case' }).click();

    const n = violations(tab2).getByRole('region', { name: 'Someone else changed this case while you were editing' });
    const both = n.getByRole('group', { name: 'Alleged violations', exact: true });
    await both.waitFor();
    const theirs = both.getByRole('radio', { name: 'Keep their value' });
    expect(await theirs.getAttribute('aria-describedby').then((id) => tab2.locator(`[id="${id}"]`).textContent())).toBe(
      '720 ILCS 5/12-3 (battery)',
    );
    expect(
      await both
        .getByRole('radio', { name: 'Use my value' })
        .getAttribute('aria-describedby')
        .then((id) => tab2.locator(`[id="${id}"]`).textContent()),
    ).toBe('MCC 2-173 (Welcoming City)');
    expect(await violations(tab2).getByRole('button', { name: 'Save violations' }).isDisabled()).toBe(true);
    await theirs.check();
    // Keeping theirs leaves nothing to save; the form shows their list.
    expect(await violations(tab2).getByRole('button', { name: 'Save violations' }).isDisabled()).toBe(true);
    expect(await violations(tab2).getByLabel('Citation').inputValue()).toBe('720 ILCS 5/12-3 (battery)');
    expect(await axeViolations(tab2)).toEqual([]);

    const now = await apiCase(officer, draft.id);
    expect(now.violations).toEqual([
      { citation: '720 ILCS 5/12-3 (battery)', description: 'Pushed a bystander who was filming.', felony: false },
    ]);
    expect(await updates(draft.id, 'case.violations.updated')).toHaveLength(1);
  });
});
