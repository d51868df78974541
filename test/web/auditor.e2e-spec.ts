import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CSV_COLUMNS, parseCsvLine } from '@app/audit/export-format';
import { axeViolations, ConsoleUnderTest, openConsole, screenshot, signIn, startConsole } from '../harness/browser';
import { auditRows, FULL_CASE, TestUser } from '../harness/test-app';
import { verifyAuditExportOffline } from '../harness/offline-verify';

/** The text of the first element matching, once it is there. */
async function textOf(page: Page, selector: string): Promise<string> {
  const l = page.locator(selector).first();
  await l.waitFor();
  return (await l.textContent()) ?? '';
}

/** The event numbers (first column) of the result table as shown. */
async function shownSeqs(page: Page): Promise<number[]> {
  return (await page.locator('table.events tbody tr td:first-child').allTextContents()).map(Number);
}

/** Clicks a button that makes the browser save a file; returns the file saved under `dir`. */
async function saveDownload(page: Page, button: string, dir: string): Promise<{ name: string; file: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  const name = dl.suggestedFilename();
  const file = join(dir, name);
  await dl.saveAs(file);
  return { name, file };
}

describe('web console: the auditor verifies the chain, searches, opens a case, exports and verifies offline', () => {
  let c: ConsoleUnderTest;
  let officer: TestUser;
  let supervisor: TestUser;
  let outsider: TestUser;
  let auditor: TestUser;
  let approved: { id: string; caseNumber: string };
  let draft: { id: string; caseNumber: string };
  let dir: string;

  beforeAll(async () => {
    c = await startConsole();
    dir = mkdtempSync(join(tmpdir(), 'ion-web-auditor-'));
    [officer, supervisor, outsider, auditor] = await Promise.all([
      c.t.given.officer(1),
      c.t.given.supervisor(1),
      c.t.given.officer(2),
      c.t.given.auditor(),
    ]);
    approved = await c.t.given.approvedCase(officer, supervisor);
    draft = await c.t.given.draftCase(officer, { ...FULL_CASE, narrative: 'Second case, still a draft.' });
    // A refused attempt: an officer of another district asks for the case (404 by scope, recorded as access.denied).
    const refused = await c.t.http().get(`/api/v1/cases/${approved.id}`).set(outsider.auth);
    expect(refused.status).toBe(404);
  }, 180_000);

  afterAll(async () => {
    await c?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the chain intact with the right count, finds exactly the matching events, opens timelines, exports both formats that verify offline', async () => {
    const { page, cspViolations, pageErrors } = await openConsole(c);
    await signIn(page, auditor);
    // Issue 16: every role lands on its home screen; the audit log is one link away.
    expect(new URL(page.url()).pathname).toBe('/home');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    expect(new URL(page.url()).pathname).toBe('/audit');
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();

    // --- the chain, verified by the service when the screen opens ---------------------------------
    const headline = await textOf(page, '.verify-result .verify-headline');
    const m = /^Chain intact: (\d+) events checked \(#1 to #(\d+)\)$/.exec(headline.trim());
    expect(m).not.toBeNull();
    const checked = Number(m![1]);
    expect(Number(m![2])).toBe(checked);
    let rows = await auditRows(c.t.owner);
    // Everything recorded before the check was checked; the check itself is the one event after it.
    const {
      rows: [{ n }],
    } = await c.t.owner.query('SELECT count(*)::int AS n FROM audit_events');
    expect(n).toBe(checked + 1);
    expect(rows[checked]).toMatchObject({ action: 'audit.verified', outcome: 'SUCCESS', actor_id: auditor.id });
    expect(rows[checked].details).toMatchObject({ ok: true, checked, fromSeq: 1, toSeq: null });
    expect(await textOf(page, '.verify-result code.hash')).toBe(rows[checked - 1].hash);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Verify again' }).click();
    await page.getByText(`Chain intact: ${checked + 1} events checked`).waitFor();
    rows = await auditRows(c.t.owner);
    expect(rows).toHaveLength(checked + 2);
    expect(await textOf(page, '.verify-result code.hash')).toBe(rows[checked].hash);

    // --- search by action (chosen in words from the catalogue): exactly the matching events, newest first ---
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Case submitted for review' });
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('Showing events with action Case submitted for review, newest first').waitFor();
    const submitted = await auditRows(c.t.owner, 'action = $1', ['case.submitted']);
    expect(submitted).toHaveLength(1);
    expect(await shownSeqs(page)).toEqual(submitted.map((r) => Number(r.seq)));
    const row = page.locator('table.events tbody tr').first();
    expect(await row.locator('td').nth(2).textContent()).toContain(officer.username);
    expect(await row.locator('td').nth(3).locator('.action-words').textContent()).toBe('Case submitted for review');
    expect(await row.locator('td').nth(4).textContent()).toBe('Done');
    expect(await row.locator('td').nth(6).textContent()).toBe(approved.caseNumber);
    expect(await row.locator('td').nth(7).textContent()).toBe(submitted[0].request_id);

    // the refused attempt, by outcome
    await page.getByLabel('Action', { exact: true }).selectOption('');
    await page.getByLabel('Outcome').selectOption({ label: 'Refused (not allowed)' });
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('Showing events with outcome Refused (not allowed), newest first').waitFor();
    const denied = await auditRows(c.t.owner, 'outcome = $1', ['DENIED']);
    expect(denied.map((r) => r.action)).toContain('access.denied');
    expect(await shownSeqs(page)).toEqual(denied.map((r) => Number(r.seq)).reverse());
    const deniedRow = page.locator('table.events tbody tr', { hasText: 'Access refused' }).first();
    expect(await deniedRow.textContent()).toContain(outsider.username);
    expect(await deniedRow.locator('td').nth(4).textContent()).toBe('Refused (not allowed)');
    expect(await axeViolations(page)).toEqual([]);

    // --- a case's timeline, opened from a result -------------------------------------------------
    // (asked for once: the page shows the timeline it loaded with the case, not a second load of its own)
    const timelineLoads: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === `/api/v1/cases/${approved.id}/timeline`) timelineLoads.push(r.method());
    });
    await page.getByLabel('Outcome').selectOption('');
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Case approved' });
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('Showing events with action Case approved').waitFor();
    await page.locator('table.events').getByRole('link', { name: approved.caseNumber }).click();
    await page.getByRole('heading', { level: 1, name: `Case ${approved.caseNumber}` }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/audit/cases/${approved.id}`);
    await page.locator('ol.timeline li').first().waitFor();
    const facts = await textOf(page, 'dl.facts');
    expect(facts).toContain('StatusApproved');
    expect(facts).toContain(`Submitted`);
    expect(facts).toMatch(new RegExp(`Submitted.*by ${officer.username} \\(officer\\)`));
    expect(facts).toMatch(new RegExp(`Approved.*by ${supervisor.username} \\(supervisor\\)`));
    expect(await page.locator('main').textContent()).not.toContain(FULL_CASE.narrative); // metadata only
    const caseRows = await auditRows(c.t.owner, 'case_id = $1', [approved.id]);
    const timeline = (await page.locator('ol.timeline li').allTextContents()).map((t) =>
      Number(/event #(\d+)/.exec(t)![1]),
    );
    expect(timeline).toEqual(caseRows.map((r) => Number(r.seq)));
    await page.waitForLoadState('networkidle');
    expect(timelineLoads).toEqual(['GET']);
    expect(caseRows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['case.created', 'case.submitted', 'case.approved', 'access.denied', 'case.viewed']),
    );
    expect(caseRows[caseRows.length - 1]).toMatchObject({ action: 'case.viewed', actor_id: auditor.id }); // this very look was recorded
    expect(await axeViolations(page)).toEqual([]);

    // --- a case without an event at hand: find it by number ---------------------------------------
    await page.getByRole('link', { name: 'Back to the audit log' }).click();
    await page.getByLabel('Search case metadata').fill(draft.caseNumber);
    await page.getByRole('button', { name: 'Find cases' }).click();
    await page.locator('table.case-results').getByRole('link', { name: draft.caseNumber, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();
    expect(await textOf(page, 'dl.facts')).toContain('StatusDraft');
    await page.locator('ol.timeline li').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'auditor-case');

    // --- export NDJSON of one case (from the case screen), and check it as an investigator would ---
    await page.goto(`/audit/cases/${approved.id}`);
    await page.getByRole('link', { name: "Search and export this case's audit events" }).click();
    await page.getByText(`Showing events with case ${approved.caseNumber}, newest first`).waitFor();
    const key = await saveDownload(page, 'Save public key (ion-public.pem)', dir);
    expect(key.name).toBe('ion-public.pem');
    expect(readFileSync(key.file, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);

    await page.getByRole('radio', { name: /NDJSON/ }).check();
    const nd = await saveDownload(page, 'Export and download', dir);
    expect(nd.name).toMatch(/^ion-audit-\d{4}-\d\d-\d\dT[\d-]+Z\.ndjson$/);
    // A plain link: the browser saves the file itself (its name from the service), the page only says it started.
    const savedNd = await textOf(page, '.export-saved');
    expect(savedNd).toContain('The export has started');
    expect(statSync(nd.file).size).toBeGreaterThan(0);
    expect(await page.locator('code.command').textContent()).toBe(
      'npm run audit:verify -- EXPORT-FILE --key ion-public.pem',
    );

    const lines = readFileSync(nd.file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const [header, ...rest] = lines;
    const trailer = rest.pop();
    expect(header).toMatchObject({
      type: 'header',
      filters: { caseId: approved.id },
      filtered: true,
      exportedBy: { id: auditor.id, role: 'AUDITOR' },
    });
    expect(trailer).toMatchObject({
      type: 'checkpoint',
      checkpoint: { seq: expect.any(Number), signature: expect.any(String) },
      seal: { rows: rest.length },
    });
    expect(rest.every((e) => e.type === 'event' && e.caseId === approved.id)).toBe(true);
    const expectedNd = await auditRows(c.t.owner, 'case_id = $1 AND seq <= $2', [approved.id, trailer.checkpoint.seq]);
    expect(rest.map((e) => e.seq)).toEqual(expectedNd.map((r) => Number(r.seq)));
    const okNd = await verifyAuditExportOffline(nd.file, key.file);
    expect(okNd.out).toMatch(/^OK: \d+ rows .*filtered export/m);
    expect(okNd.code).toBe(0);

    // --- export CSV of one action ---------------------------------------------------------------
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByText('Showing every event (the whole trail)').waitFor();
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Case submitted for review' });
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('Showing events with action Case submitted for review, newest first').waitFor();
    await page.getByRole('radio', { name: /CSV/ }).check();
    const csv = await saveDownload(page, 'Export and download', dir);
    expect(csv.name).toMatch(/^ion-audit-.*\.csv$/);
    await page.locator('.export-saved').filter({ hasText: 'as CSV' }).waitFor();
    const csvLines = readFileSync(csv.file, 'utf8').trimEnd().split('\n');
    expect(csvLines[0]).toBe(CSV_COLUMNS.join(','));
    const records = csvLines.slice(1).map(parseCsvLine);
    expect(records[0][0]).toBe('header');
    expect(records[records.length - 1][0]).toBe('checkpoint');
    const csvEvents = records.slice(1, -1);
    const at = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    expect(csvEvents.map((r) => Number(r[at('seq')]))).toEqual(submitted.map((r) => Number(r.seq)));
    expect(csvEvents.every((r) => r[at('record')] === 'event' && r[at('action')] === 'case.submitted')).toBe(true);
    const okCsv = await verifyAuditExportOffline(csv.file, key.file);
    expect(okCsv.out).toMatch(/^OK: 1 rows .*filtered export/m);
    expect(okCsv.code).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'auditor-flow');

    // --- server side: both exports recorded, by this auditor, with their filters ------------------
    const exported = await auditRows(c.t.owner, 'action = $1', ['audit.exported']);
    expect(exported).toHaveLength(2);
    expect(exported[0]).toMatchObject({ actor_id: auditor.id, actor_role: 'AUDITOR', outcome: 'SUCCESS' });
    // Downloaded through a ticket (a plain link): the export's event says so.
    expect(exported[0].details).toEqual({
      format: 'ndjson',
      filters: { caseId: approved.id },
      filtered: true,
      via: 'ticket',
      purpose: 'DOWNLOAD',
      ticketId: expect.any(String),
    });
    expect(exported[1]).toMatchObject({ actor_id: auditor.id, outcome: 'SUCCESS' });
    expect(exported[1].details).toEqual({
      format: 'csv',
      filters: { action: 'case.submitted' },
      filtered: true,
      via: 'ticket',
      purpose: 'DOWNLOAD',
      ticketId: expect.any(String),
    });

    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('keeps the search in the address: actor picked by username, action from the catalogue; reload keeps it, Back restores the previous one; case numbers and labelled details', async () => {
    const { page, cspViolations, pageErrors } = await openConsole(c);
    await signIn(page, auditor);
    await page.goto('/audit');
    await page.getByRole('heading', { level: 2, name: 'Search the audit log' }).waitFor();
    await page.getByText('Showing every event (the whole trail), newest first').waitFor();
    const all = await auditRows(c.t.owner);
    const shown = await shownSeqs(page);
    // Newest first by default: the first row is the newest event at the time of the search.
    expect(shown[0]).toBeGreaterThan(shown[shown.length - 1]);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    expect(shown[0]).toBeLessThanOrEqual(Number(all[all.length - 1].seq));

    // --- search 1: the officer (picked from the suggestions by part of the name) and one action ---------------
    const actorBox = page.getByLabel('Actor (username)');
    await actorBox.fill(officer.username.slice(0, -2));
    await page.locator(`datalist option[value="${officer.username}"]`).waitFor({ state: 'attached' });
    await actorBox.fill(officer.username);
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Case submitted for review' });
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const first = `Showing events with actor ${officer.username}, action Case submitted for review, newest first`;
    await page.getByText(first).waitFor();
    let url = new URL(page.url());
    expect(url.searchParams.get('actor')).toBe(officer.username);
    expect(url.searchParams.get('actorId')).toBe(officer.id);
    expect(url.searchParams.get('action')).toBe('case.submitted');
    const mine = await auditRows(c.t.owner, 'actor_id = $1 AND action = $2', [officer.id, 'case.submitted']);
    expect(mine).toHaveLength(1);
    expect(await shownSeqs(page)).toEqual(mine.map((r) => Number(r.seq)));
    // The case by its number, linking to the auditor's case page.
    const caseCell = page.locator('table.events tbody tr').first().locator('td').nth(6);
    expect(await caseCell.textContent()).toBe(approved.caseNumber);
    expect(await caseCell.getByRole('link').getAttribute('href')).toBe(`/audit/cases/${approved.id}`);
    // The lookups behind the suggestions are in the trail, by this auditor.
    const lookups = await auditRows(c.t.owner, 'action = $1 AND actor_id = $2', ['audit.actors.searched', auditor.id]);
    expect(lookups.length).toBeGreaterThanOrEqual(1);
    expect(lookups.map((r) => r.details.q)).toContain(officer.username.slice(0, -2));

    // --- search 2: the outsider's refused read; details as labelled fields, never JSON -----------------------
    await actorBox.fill(outsider.username);
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Access refused' });
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const second = `Showing events with actor ${outsider.username}, action Access refused, newest first`;
    await page.getByText(second).waitFor();
    const refusedRows = await auditRows(c.t.owner, 'actor_id = $1 AND action = $2', [outsider.id, 'access.denied']);
    expect(refusedRows).toHaveLength(1);
    expect(await shownSeqs(page)).toEqual([Number(refusedRows[0].seq)]);
    const row = page.locator('table.events tbody tr').first();
    expect(await row.locator('td').nth(6).textContent()).toBe(approved.caseNumber);
    await row.getByText('Details', { exact: true }).click();
    const facts = row.locator('dl.details').first();
    await facts.waitFor();
    const labelled = Object.fromEntries(
      await facts
        .locator(':scope > dt')
        .evaluateAll((dts) => dts.map((dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? ''])),
    );
    expect(labelled).toMatchObject({
      Attempted: 'Read or search cases',
      'Request method': 'GET',
      Address: `/api/v1/cases/${approved.id}`,
      'HTTP status': '404',
      Result: 'Not found, or not yours to see.',
      Reason: 'Out of scope',
    });
    expect(Object.keys(labelled)).toEqual(
      Object.keys(refusedRows[0].details).map(
        (k) =>
          (
            ({
              attempted: 'Attempted',
              method: 'Request method',
              path: 'Address',
              status: 'HTTP status',
              code: 'Result',
              message: 'Message from the service',
              reason: 'Reason',
            }) as Record<string, string>
          )[k] ?? k,
      ),
    );
    const tableText = (await page.locator('table.events').textContent()) ?? '';
    expect(tableText).not.toMatch(/[{}]/);
    expect(tableText).not.toContain('access.denied');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'auditor-search-details');

    // --- reload: the same search, in the form and in the results ---------------------------------------------
    url = new URL(page.url());
    await page.reload();
    await page.getByText(second).waitFor();
    expect(new URL(page.url()).search).toBe(url.search);
    expect(await page.getByLabel('Actor (username)').inputValue()).toBe(outsider.username);
    expect(await page.getByLabel('Action', { exact: true }).inputValue()).toBe('access.denied');
    expect(await shownSeqs(page)).toEqual([Number(refusedRows[0].seq)]);

    // --- Back: the previous search, in the form and in the results -------------------------------------------
    await page.goBack();
    await page.getByText(first).waitFor();
    expect(await page.getByLabel('Actor (username)').inputValue()).toBe(officer.username);
    expect(await page.getByLabel('Action', { exact: true }).inputValue()).toBe('case.submitted');
    expect(await shownSeqs(page)).toEqual(mine.map((r) => Number(r.seq)));

    // --- a page further and Back again: the page is in the address too ---------------------------------------
    // More than a page of events (50): the auditor's own case reads add what the suite has not recorded yet.
    const {
      rows: [{ n }],
    } = await c.t.owner.query('SELECT count(*)::int AS n FROM audit_events');
    for (let i = n; i < 75; i++) await c.t.http().get(`/api/v1/cases/${draft.id}`).set(auditor.auth).expect(200);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByText('Showing every event (the whole trail), newest first: page 1').waitFor();
    const page1 = await shownSeqs(page);
    expect(page1).toHaveLength(50); // the trail holds more than a page by now
    await page.getByRole('button', { name: 'Next page (older events)' }).click();
    await page.getByText('Showing every event (the whole trail), newest first: page 2').waitFor();
    const page2 = await shownSeqs(page);
    expect(page2[0]).toBe(page1[page1.length - 1] - 1);
    await page.reload();
    await page.getByText('Showing every event (the whole trail), newest first: page 2').waitFor();
    expect(await shownSeqs(page)).toEqual(page2);
    await page.getByRole('button', { name: 'Previous page (newer events)' }).click();
    await page.getByText('Showing every event (the whole trail), newest first: page 1').waitFor();
    // The first page again: the newest 50 (the reload's own chain check is newer than what page 1 showed before).
    const newest = (await auditRows(c.t.owner))
      .map((r) => Number(r.seq))
      .reverse()
      .slice(0, 50);
    expect(newest[0]).toBeGreaterThan(page1[0]);
    expect(await shownSeqs(page)).toEqual(newest);
    await page.goBack();
    await page.getByText('Showing every event (the whole trail), newest first: page 2').waitFor();

    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
