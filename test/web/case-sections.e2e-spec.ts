import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { SUBMIT_ATTESTATION } from '../../libs/cases/src/order-rules';
import { axeViolations, consoleSuite, ConsoleUnderTest, screenshot, signIn } from '../harness/browser';
import { FULL_CASE } from '../harness/test-app';

const API = '/api/v1';
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Whether `target` is the element that has the keyboard focus (the test's tsconfig has no DOM types). */
const focused = (target: Locator) =>
  target.evaluate(
    (el) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
  );
const activeId = (page: Page) =>
  page.evaluate(
    () =>
      (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id ??
      null,
  );

/**
 * Issue 16, the officer's case page: sections in the order the report is written (incident, federal personnel,
 * violations, evidence, submit), each saved on its own and saying its state in words (saved / unsaved changes /
 * conflict), the checklist's items linking to the fields they need, submit with the officer's attestation
 * (recorded with the case.submitted event), and the officer downloading their own evidence.
 */
describe("web console: the officer's case page in sections, with attestation on submit", () => {
  const suite = consoleSuite();
  let c!: ConsoleUnderTest;
  beforeAll(() => {
    c = suite.c;
  });

  const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true });
  const stateOf = (page: Page, id: 'order-state' | 'fed-state' | 'viol-state') => page.locator(`[id="${id}"]`);
  const checklist = (page: Page) => page.getByRole('region', { name: 'Submit checklist' });

  it('sections in order, each saved on its own with its state; a conflict shown and recovered; checklist links focus their field', async () => {
    const officer = await c.t.given.officer(6);
    // Everything but the narrative, the federal supervisor and the evidence (or the reason there is none).
    const { narrative: _n, noFootageReason: _r, ...partial } = FULL_CASE;
    const draft = await c.t.given.draftCase(officer, partial);
    const page = await suite.open();
    await signIn(page, officer);
    await page.goto(`/cases/${draft.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();

    // The sections follow the order of the report; submit comes last.
    const headings = await page.locator('.two-col > div:first-child').locator('h2').allTextContents();
    expect(headings).toEqual(['Incident', 'Federal personnel', 'Alleged violations', 'Evidence', 'Submit']);
    for (const id of ['order-state', 'fed-state', 'viol-state'] as const) {
      expect(await stateOf(page, id).textContent()).toBe('Saved. Everything in this section is saved in the case.');
    }

    // The checklist names what is missing in words, each a link to its field.
    const list = checklist(page);
    expect(await list.getByRole('listitem').allTextContents()).toEqual([
      'A narrative of what happened',
      'A federal supervisor record saying what came of the attempt to identify them (identity confirmed, partly identified, refused or unable) and how it was made',
      'Body-worn camera or other video footage (photos and documents do not count), or the reason there is no footage',
    ]);
    expect(await list.textContent()).not.toMatch(/VERIFIED|PARTIAL|REFUSED|UNABLE/);
    await list.getByRole('link', { name: 'A narrative of what happened' }).click();
    const narrative = region(page, 'Incident').getByLabel('Narrative: what happened');
    expect(await focused(narrative)).toBe(true);
    await page.keyboard.type('Agents in unmarked cars stopped a delivery van and detained the driver.');
    expect(await stateOf(page, 'order-state').textContent()).toMatch(/^Unsaved changes\. Save this section/);
    expect(await stateOf(page, 'fed-state').textContent()).toMatch(/^Saved\./);

    // No supervisor record yet: the link lands on "Add a federal agent".
    await list.getByRole('link', { name: /^A federal supervisor record/ }).click();
    const personnel = region(page, 'Federal personnel');
    const add = personnel.getByRole('button', { name: 'Add a federal agent' });
    expect(await focused(add)).toBe(true);
    await page.keyboard.press('Enter');
    const agent = personnel.getByRole('group', { name: 'Federal agent 1 (federal supervisor)' });
    await agent.getByLabel('Identification outcome').selectOption('REFUSED');
    await agent
      .getByLabel('How identification was attempted')
      .fill('Asked twice for name and badge number; the agent refused.');
    expect(await stateOf(page, 'fed-state').textContent()).toMatch(/^Unsaved changes\./);
    // Met as typed (the live checklist runs the service's rules): the item leaves the list before it is saved.
    await list.getByRole('link', { name: /^A federal supervisor record/ }).waitFor({ state: 'detached' });

    // Saving the incident saves only the incident: the personnel typed meanwhile stays unsaved in its form.
    await region(page, 'Incident').getByRole('button', { name: 'Save incident fields' }).click();
    await stateOf(page, 'order-state').filter({ hasText: 'Incident fields saved. Saved.' }).waitFor();
    expect(await activeId(page)).toBe('order-state'); // focus moved to the state message
    expect(await stateOf(page, 'fed-state').textContent()).toMatch(/^Unsaved changes\./);
    expect(await agent.getByLabel('Identification outcome').inputValue()).toBe('REFUSED');
    let row = (
      await c.t.owner.query('SELECT version, narrative, federal_officers FROM cases WHERE id = $1', [draft.id])
    ).rows[0];
    expect(row).toMatchObject({
      version: 2,
      narrative: 'Agents in unmarked cars stopped a delivery van and detained the driver.',
      federal_officers: [],
    });
    expect(await axeViolations(page)).toEqual([]);

    // Someone else (the same officer in another tab) saves the violations: the personnel save is refused as stale.
    const other = {
      violations: [{ citation: '720 ILCS 5/10-3', description: 'Unlawful restraint of the driver.', felony: true }],
    };
    await c.t
      .http()
      .put(`${API}/cases/${draft.id}/violations`)
      .set(officer.auth)
      .set('If-Match', '"2"')
      .send(other)
      .expect(200);
    await personnel.getByRole('button', { name: 'Save federal personnel' }).click();
    await personnel.getByRole('alert').filter({ hasText: 'Federal personnel not saved' }).waitFor();
    await stateOf(page, 'fed-state').filter({ hasText: 'Conflict.' }).waitFor();
    expect(await stateOf(page, 'fed-state').textContent()).toBe(
      'Conflict. Someone else saved this case after you opened it. Your changes are kept in the form but not saved: load the current version ' +
        'if asked, choose which value to keep for any field you both changed, then save this section again.',
    );
    expect(
      (await c.t.owner.query('SELECT version, federal_officers FROM cases WHERE id = $1', [draft.id])).rows[0],
    ).toEqual({ version: 3, federal_officers: [] });
    await expectAccessible(page);
    await screenshot(page, 'officer-section-conflict', { fullPage: false });

    // Loading the current version keeps the typed personnel and shows their violation; nothing both changed: just unsaved.
    await personnel.getByRole('button', { name: 'Load the current version of the case' }).click();
    await region(page, 'Alleged violations').getByRole('group', { name: 'Violation 1' }).waitFor();
    expect(await region(page, 'Alleged violations').getByLabel('Citation').inputValue()).toBe('720 ILCS 5/10-3');
    await stateOf(page, 'fed-state').filter({ hasText: 'Unsaved changes.' }).waitFor();
    expect(await agent.getByLabel('How identification was attempted').inputValue()).toBe(
      'Asked twice for name and badge number; the agent refused.',
    );
    expect(await stateOf(page, 'viol-state').textContent()).toMatch(/^Saved\./);
    await personnel.getByRole('button', { name: 'Save federal personnel' }).click();
    await stateOf(page, 'fed-state').filter({ hasText: 'Federal personnel saved (1 record). Saved.' }).waitFor();
    expect(await activeId(page)).toBe('fed-state');
    row = (
      await c.t.owner.query('SELECT version, narrative, federal_officers, violations FROM cases WHERE id = $1', [
        draft.id,
      ])
    ).rows[0];
    expect(row.version).toBe(4);
    expect(row.violations).toEqual(other.violations); // theirs, not overwritten
    expect(row.federal_officers).toMatchObject([{ isSupervisor: true, identificationOutcome: 'REFUSED' }]);
    const events = (
      await c.t.owner.query(
        `SELECT action, outcome FROM audit_events WHERE case_id = $1 AND action IN ('case.updated', 'case.violations.updated', 'case.federal_officers.updated', 'case.update')
       ORDER BY seq`,
        [draft.id],
      )
    ).rows;
    expect(events).toEqual([
      { action: 'case.updated', outcome: 'SUCCESS' },
      { action: 'case.violations.updated', outcome: 'SUCCESS' },
      { action: 'case.update', outcome: 'FAILED' }, // the refused stale save, audited
      { action: 'case.federal_officers.updated', outcome: 'SUCCESS' },
    ]);

    // What is left: the footage or the reason; its two links land on the upload and on the reason field.
    expect(await list.getByRole('listitem').count()).toBe(1);
    await list.getByRole('link', { name: 'Body-worn camera or other video footage', exact: true }).click();
    expect(await focused(region(page, 'Evidence').getByLabel('Files', { exact: true }))).toBe(true);
    await list.getByRole('link', { name: 'the reason there is no footage', exact: true }).click();
    expect(await focused(region(page, 'Incident').getByLabel('Reason there is no footage'))).toBe(true);
    await expectAccessible(page);
  });

  it('submit asks for the attestation once: refused without it (400, nothing changed, audited); with it the event records the words; the officer downloads their evidence', async () => {
    const officer = await c.t.given.officer(6);
    const auditor = await c.t.given.auditor();
    const draft = await c.t.given.caseReadyToSubmit(officer);
    const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(300 * 1024)]);
    const item = await c.t.given.evidence(
      officer,
      draft.id,
      bytes,
      'kind=DOCUMENT&originalFilename=witness-statement.pdf',
    );
    expect(item.sha256).toBe(sha256(bytes));

    // The API refuses a submit without the attestation: 400 naming it, the case unchanged, the refusal audited.
    const refused = await c.t.http().post(`${API}/cases/${draft.id}/submit`).set(officer.auth).send({});
    expect(refused.status).toBe(400);
    expect(refused.body.fields.map((f: { field: string }) => f.field)).toEqual(['attestation']);
    const audited = (
      await c.t.owner.query(`SELECT action, outcome, details FROM audit_events WHERE request_id = $1`, [
        refused.headers['x-request-id'],
      ])
    ).rows;
    expect(audited).toMatchObject([
      { action: 'case.submit', outcome: 'FAILED', details: { fields: ['attestation'], status: 400 } },
    ]);

    const page = await suite.open();
    await signIn(page, officer);
    await page.goto(`/cases/${draft.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();
    const box = region(page, 'Submit');
    expect(await box.textContent()).toContain(
      'What happens when you submit: the case goes to a supervisor of District 6 for review and is locked: ' +
        'you cannot change it afterwards unless it is returned to you. Submitting cannot be undone.',
    );
    const attest = box.getByRole('checkbox', { name: SUBMIT_ATTESTATION.text, exact: true });
    const submit = box.getByRole('button', { name: 'Submit for supervisor review' });
    expect(await attest.isChecked()).toBe(false);
    expect(await submit.isDisabled()).toBe(true);
    await box.getByText('Tick the attestation above to submit.').waitFor();
    await expectAccessible(page);
    await box.evaluate((el) =>
      (el as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'center' }),
    );
    await screenshot(page, 'officer-attestation', { fullPage: false });

    // A client that leaves the attestation out (here: the request rewritten on its way) is refused, and the page says so.
    await page.route(`**${API}/cases/${draft.id}/submit`, async (route) => {
      const body = JSON.parse(route.request().postData() ?? '{}');
      delete body.attestation;
      await route.continue({ postData: JSON.stringify(body) });
    });
    await attest.check();
    expect(await submit.isEnabled()).toBe(true);
    await submit.click();
    await box.getByRole('alert').filter({ hasText: 'The case was not submitted' }).waitFor();
    await box.getByText('The service did not accept the attestation: reload the case and attest again.').waitFor();
    expect((await c.t.owner.query('SELECT status, submitted_at FROM cases WHERE id = $1', [draft.id])).rows[0]).toEqual(
      { status: 'DRAFT', submitted_at: null },
    );
    await page.unroute(`**${API}/cases/${draft.id}/submit`);

    // As the console sends it: submitted, and the case.submitted event carries the attestation.
    await submit.click();
    await page
      .getByRole('status')
      .filter({ hasText: `Case ${draft.caseNumber} was submitted for supervisor review. Its status is now Submitted.` })
      .waitFor();
    expect(await activeId(page)).toBe('submitted-state'); // focus moved to what happened
    const stored = (
      await c.t.owner.query('SELECT status, submitted_at, submitted_by FROM cases WHERE id = $1', [draft.id])
    ).rows[0];
    expect(stored).toMatchObject({ status: 'SUBMITTED', submitted_by: officer.id });
    const events = (
      await c.t.owner.query(
        `SELECT actor_id, outcome, details FROM audit_events WHERE case_id = $1 AND action = 'case.submitted'`,
        [draft.id],
      )
    ).rows;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: officer.id, outcome: 'SUCCESS' });
    const attestation = {
      textVersion: SUBMIT_ATTESTATION.textVersion,
      text: SUBMIT_ATTESTATION.text,
      sha256: sha256(SUBMIT_ATTESTATION.text),
      attestedAt: (stored.submitted_at as Date).toISOString(),
    };
    expect(events[0].details.attestation).toEqual(attestation);
    // The auditor reads the same through the API.
    const viaApi = await c.t
      .http()
      .get(`${API}/audit/events`)
      .query({ caseId: draft.id, action: 'case.submitted' })
      .set(auditor.auth)
      .expect(200);
    expect(viaApi.body.items.map((e: { details: { attestation: unknown } }) => e.details.attestation)).toEqual([
      attestation,
    ]);
    // Locked for editing now, and no attestation asked any more.
    expect(await page.getByRole('button', { name: 'Save incident fields' }).count()).toBe(0);
    expect(await page.getByRole('checkbox', { name: SUBMIT_ATTESTATION.text }).count()).toBe(0);

    // The officer opens their own evidence: the download is the stored bytes (same SHA-256), and a custody event.
    const evidence = region(page, 'Evidence');
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      evidence.getByRole('button', { name: 'Download witness-statement.pdf' }).click(),
    ]);
    expect(await dl.failure()).toBeNull();
    expect(new URL(dl.url()).pathname).toMatch(/^\/api\/v1\/tickets\//);
    const got = readFileSync(await dl.path());
    expect(got.length).toBe(bytes.length);
    expect(sha256(got)).toBe(item.sha256);
    const custody = (
      await c.t.owner.query(
        `SELECT actor_id, outcome FROM audit_events WHERE target_id = $1 AND action = 'evidence.downloaded'`,
        [item.id],
      )
    ).rows;
    expect(custody).toEqual([{ actor_id: officer.id, outcome: 'SUCCESS' }]);
    await dl.delete();
    await expectAccessible(page);
    await screenshot(page, 'officer-submitted-attested');
  });

  async function expectAccessible(page: Page) {
    expect(await axeViolations(page)).toEqual([]);
  }
});
