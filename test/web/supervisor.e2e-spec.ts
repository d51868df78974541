import type { Page } from 'playwright-core';
import { axeViolations, ConsoleUnderTest, openConsole, screenshot, signIn, startConsole } from '../harness/browser';
import type { TestUser } from '../harness/test-app';

const API = '/api/v1';
const FELONY = { violations: [{ citation: '720 ILCS 5/10-3', description: 'Unlawful restraint of a bystander at a bus stop', felony: true }] };

describe('web console: the supervisor reviews a case and sends its packet', () => {
  let c: ConsoleUnderTest;
  let officer: TestUser;
  let supervisor: TestUser;
  let felonyCase: { id: string; caseNumber: string };
  let ownCase: { id: string; caseNumber: string };

  async function expectAccessible(page: Page) {
    expect(await axeViolations(page)).toEqual([]);
  }

  /** Elements inside `selector` that stick out past the viewport's right edge (a phone would scroll sideways to read them). */
  const sidewaysOverflow = (page: Page, selector: string) => page.evaluate((sel): string[] => {
    const d = (globalThis as unknown as { document: any }).document; // eslint-disable-line @typescript-eslint/no-explicit-any
    const width: number = d.documentElement.clientWidth;
    const root = d.querySelector(sel);
    return [root, ...Array.from(root.querySelectorAll('*') as ArrayLike<any>)] // eslint-disable-line @typescript-eslint/no-explicit-any
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${Math.round(el.getBoundingClientRect().right)} > ${width}`);
  }, selector);

  const statusShown = (page: Page) => page.getByRole('region', { name: 'Case facts' }).locator('dd .badge').first().textContent();
  const statusBadge = (page: Page, status: string) => page.getByRole('region', { name: 'Case facts' }).locator('dd .badge', { hasText: new RegExp(`^${status}$`) });

  beforeAll(async () => {
    c = await startConsole();
    const g = c.t.given;
    [officer, supervisor] = await Promise.all([g.officer(1), g.supervisor(1)]);
    // A submitted case in district 1 with a felony violation and one evidence file.
    const draft = await g.caseReadyToSubmit(officer);
    const res = await c.t.http().put(`${API}/cases/${draft.id}/violations`).set(officer.auth).set('If-Match', `"${draft.version}"`).send(FELONY);
    if (res.status !== 200) throw new Error(`violations: ${res.status} ${JSON.stringify(res.body)}`);
    await g.evidence(officer, draft.id);
    await g.submit(officer, draft.id);
    felonyCase = draft;
    // A case the supervisor wrote and submitted: another supervisor must review it.
    ownCase = await g.caseReadyToSubmit(supervisor);
    await g.submit(supervisor, ownCase.id);
  }, 180_000);

  afterAll(async () => {
    await c?.close();
  });

  it('approves a submitted felony case, then sends its packet to CCSAO, preselected by the felony rule', async () => {
    const cp = await openConsole(c);
    const { page } = cp;
    await signIn(page, supervisor);

    // --- District cases: the submitted case is listed; open it
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'District cases' }).click();
    await page.getByRole('heading', { level: 1, name: 'District 1 cases' }).waitFor();
    await page.getByRole('link', { name: felonyCase.caseNumber, exact: true }).waitFor();
    await expectAccessible(page);
    await page.getByRole('link', { name: felonyCase.caseNumber, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Case ${felonyCase.caseNumber}` }).waitFor();
    const panel = page.getByRole('region', { name: 'Supervisor review' });
    await panel.waitFor();
    await expect(statusShown(page)).resolves.toBe('Submitted');
    await expectAccessible(page);

    // Returning needs a reason: refused on the spot, nothing sent.
    await panel.getByRole('button', { name: 'Return to the officer' }).click();
    await panel.getByText('Give the reason for returning the case.').waitFor();

    // --- approve, with a note
    await panel.getByLabel('Note for the record (optional)').fill('Footage and narrative reviewed; the record is complete.');
    await panel.getByRole('button', { name: 'Approve case' }).click();
    await panel.getByRole('status').filter({ hasText: `Case ${felonyCase.caseNumber} approved.` }).waitFor();
    await statusBadge(page, 'Approved').waitFor();
    await expect(statusShown(page)).resolves.toBe('Approved');

    // --- send: CCSAO is preselected (a felony), and the screen says why
    const ccsao = panel.getByRole('radio', { name: "Cook County State's Attorney (CCSAO)" });
    const cityLaw = panel.getByRole('radio', { name: 'City of Chicago Department of Law (CITY_LAW)' });
    await ccsao.waitFor();
    await expect(ccsao.isChecked()).resolves.toBe(true);
    await expect(cityLaw.isChecked()).resolves.toBe(false);
    await expect(panel.getByRole('group', { name: 'Prosecuting office' }).textContent()).resolves
      .toContain('because at least one alleged violation is a felony (720 ILCS 5/10-3)');
    await expectAccessible(page);
    await screenshot(page, 'supervisor-send');
    // Choosing the other office is possible and is flagged; back to the preselection.
    await cityLaw.check();
    await panel.getByText("You chose a different office from the felony rule's suggestion.").waitFor();
    await expect(panel.getByRole('button', { name: 'Send packet to CITY_LAW' }).count()).resolves.toBe(1);
    await ccsao.check();
    await expect(panel.getByText("You chose a different office from the felony rule's suggestion.").count()).resolves.toBe(0);

    await panel.getByRole('button', { name: 'Send packet to CCSAO' }).click();
    await panel.getByRole('status').filter({ hasText: "Packet version 1 was signed and sent to Cook County State's Attorney (CCSAO)." }).waitFor();
    await statusBadge(page, 'Referred').waitFor();
    const sent = panel.getByRole('definition');
    const { rows: [packet] } = await c.t.owner.query(
      `SELECT id, office, version, status, sent_by, manifest_sha256, key_id FROM packets WHERE case_id = $1`, [felonyCase.id],
    );
    expect(packet).toMatchObject({ office: 'CCSAO', version: 1, status: 'PENDING', sent_by: supervisor.id });
    await expect(sent.allTextContents()).resolves.toEqual(expect.arrayContaining(['1', "Cook County State's Attorney (CCSAO)", '1', packet.manifest_sha256, packet.key_id]));
    // The case's packets, with their review status
    const packets = page.getByRole('table', { name: `Packets of case ${felonyCase.caseNumber}, oldest version first` });
    await expect(packets.getByRole('row').count()).resolves.toBe(2);
    await expect(packets.getByRole('row').nth(1).textContent()).resolves.toMatch(new RegExp(`v1.*Cook County State's Attorney \\(CCSAO\\).*Pending.*—.*${packet.manifest_sha256}`));
    // Nothing more to do while it waits for a prosecutor; the timeline has the step.
    await expect(panel.getByRole('button').count()).resolves.toBe(0);
    // In words, the approval with its note; the raw event (its action code) only on demand.
    const { rows: [{ display_name: supName }] } = await c.t.owner.query(`SELECT display_name FROM users WHERE id = $1`, [supervisor.id]);
    const history = page.getByRole('region', { name: 'Timeline' });
    await history.locator('ol.timeline > li', { hasText: `Approved by ${supName}: Footage and narrative reviewed; the record is complete.` }).waitFor();
    await history.locator('ol.timeline > li', { hasText: `Sent to prosecutors (CCSAO) by ${supName}` }).waitFor();
    await expect(history.getByText('packet.sent', { exact: true }).count()).resolves.toBe(0);
    await history.getByRole('button', { name: /^Show the \d+ raw audit events$/ }).click();
    await history.getByRole('list', { name: `Raw audit events of case ${felonyCase.caseNumber}, oldest first` }).getByText('packet.sent', { exact: true }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'supervisor-flow');

    // --- server side: referred, one CCSAO packet, approval and sending audited as this supervisor
    const { rows: [kase] } = await c.t.owner.query(`SELECT status, approved_by FROM cases WHERE id = $1`, [felonyCase.id]);
    expect(kase).toEqual({ status: 'REFERRED', approved_by: supervisor.id });
    const { rows: events } = await c.t.owner.query(
      `SELECT action, outcome, actor_id, actor_role, details FROM audit_events WHERE case_id = $1 AND action IN ('case.approved', 'packet.sent', 'case.returned') ORDER BY seq`,
      [felonyCase.id],
    );
    expect(events.map((e) => [e.action, e.outcome, e.actor_id, e.actor_role])).toEqual([
      ['case.approved', 'SUCCESS', supervisor.id, 'SUPERVISOR'],
      ['packet.sent', 'SUCCESS', supervisor.id, 'SUPERVISOR'],
    ]);
    expect(events[0].details).toMatchObject({ from: 'SUBMITTED', to: 'APPROVED', note: 'Footage and narrative reviewed; the record is complete.' });
    // The preselected office was left to the service's felony rule: recorded as the default choice.
    expect(events[1].details).toMatchObject({ from: 'APPROVED', to: 'REFERRED', office: 'CCSAO', officeChosen: 'default', felony: true, packetId: packet.id, manifestSha256: packet.manifest_sha256 });

    expect(cp.cspViolations).toEqual([]);
    expect(cp.pageErrors).toEqual([]);
    await cp.context.close();
  }, 180_000);

  it('when another supervisor acted first, says what the case is now and offers to reload it', async () => {
    const other = await c.t.given.supervisor(1);
    const kase = await c.t.given.submittedCase(officer);
    const cp = await openConsole(c);
    const { page } = cp;
    await signIn(page, supervisor);
    await page.goto(`/cases/${kase.id}`);
    const panel = page.getByRole('region', { name: 'Supervisor review' });
    await panel.getByRole('button', { name: 'Approve case' }).waitFor();
    // Meanwhile another supervisor of the district returns it.
    const res = await c.t.http().post(`${API}/cases/${kase.id}/return`).set(other.auth).send({ reason: 'Narrative lacks the time agents left.' });
    expect(res.status).toBe(200);
    await panel.getByRole('button', { name: 'Approve case' }).click();
    const alert = panel.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('The case is now Returned.');
    await expectAccessible(page);
    await panel.getByRole('button', { name: 'Reload the case' }).click();
    await statusBadge(page, 'Returned').waitFor();
    await expect(panel.getByRole('button', { name: 'Approve case' }).count()).resolves.toBe(0);
    await panel.getByRole('button', { name: 'Withdraw case…' }).waitFor();
    const { rows } = await c.t.owner.query(`SELECT action, outcome FROM audit_events WHERE case_id = $1 AND action = 'case.approved'`, [kase.id]);
    expect(rows.every((r) => r.outcome !== 'SUCCESS')).toBe(true);
    expect((await c.t.owner.query(`SELECT status FROM cases WHERE id = $1`, [kase.id])).rows[0].status).toBe('RETURNED');
    expect(cp.cspViolations).toEqual([]);
    expect(cp.pageErrors).toEqual([]);
    await cp.context.close();
  }, 120_000);

  it('explains the two-person rule on a case the supervisor wrote, and withdraws it only after a confirmation', async () => {
    const cp = await openConsole(c);
    const { page } = cp;
    await signIn(page, supervisor);
    // Issue 16: every role lands on its home screen; the list is one link away.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'District cases' }).click();
    await page.getByRole('link', { name: ownCase.caseNumber, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Case ${ownCase.caseNumber}` }).waitFor();
    const panel = page.getByRole('region', { name: 'Supervisor review' });
    await panel.getByRole('heading', { name: 'Review by another supervisor needed' }).waitFor();
    await expect(panel.textContent()).resolves.toContain('You wrote this case, so you cannot approve it or return it. The two-person rule requires a different supervisor of District 1');
    await expect(panel.getByRole('button', { name: 'Approve case' }).count()).resolves.toBe(0);
    await expect(panel.getByRole('button', { name: 'Return to the officer' }).count()).resolves.toBe(0);
    await expect(statusShown(page)).resolves.toBe('Submitted');
    await expectAccessible(page);

    // Withdraw: a reason first, then a confirmation that says it is final; "No" changes nothing.
    await panel.getByRole('button', { name: 'Withdraw case…' }).click();
    await panel.getByText('Give the reason for withdrawing the case.').waitFor();
    await panel.getByLabel('Reason for withdrawing').fill('Duplicate of an earlier case opened for the same incident.');
    await panel.getByRole('button', { name: 'Withdraw case…' }).click();
    const confirm = panel.getByRole('group', { name: `Withdraw case ${ownCase.caseNumber}?` });
    await expect(confirm.textContent()).resolves.toMatch(/This is final.*Duplicate of an earlier case opened for the same incident\./);
    await expectAccessible(page);
    await confirm.getByRole('button', { name: 'No, keep it' }).click();
    await expect(confirm.count()).resolves.toBe(0);
    expect((await c.t.owner.query(`SELECT status FROM cases WHERE id = $1`, [ownCase.id])).rows[0].status).toBe('SUBMITTED');

    await panel.getByRole('button', { name: 'Withdraw case…' }).click();
    await confirm.getByRole('button', { name: 'Yes, withdraw the case' }).click();
    await panel.getByRole('status').filter({ hasText: `Case ${ownCase.caseNumber} withdrawn.` }).waitFor();
    await statusBadge(page, 'Withdrawn').waitFor();
    await expect(panel.getByRole('button').count()).resolves.toBe(0);
    await expectAccessible(page);

    const { rows: [kase] } = await c.t.owner.query(`SELECT status, withdrawn_by, withdraw_reason, approved_by FROM cases WHERE id = $1`, [ownCase.id]);
    expect(kase).toEqual({ status: 'WITHDRAWN', withdrawn_by: supervisor.id, withdraw_reason: 'Duplicate of an earlier case opened for the same incident.', approved_by: null });
    const { rows: events } = await c.t.owner.query(
      `SELECT action, outcome, actor_id FROM audit_events WHERE case_id = $1 AND action IN ('case.approved', 'case.returned', 'case.withdrawn') ORDER BY seq`, [ownCase.id],
    );
    expect(events).toEqual([{ action: 'case.withdrawn', outcome: 'SUCCESS', actor_id: supervisor.id }]);

    expect(cp.cspViolations).toEqual([]);
    expect(cp.pageErrors).toEqual([]);
    await cp.context.close();
  }, 120_000);

  it('reads the case history in words: "Narrative changed" with what it said before and after, reads folded', async () => {
    const g = c.t.given;
    const draft = await g.caseReadyToSubmit(officer);
    const before = (await c.t.http().get(`${API}/cases/${draft.id}`).set(officer.auth).expect(200)).body.narrative as string;
    await c.t.http().get(`${API}/cases/${draft.id}`).set(officer.auth).expect(200); // two reads in a row: folded
    const after = 'The supervisor covered his badge and refused to give his name when asked twice.';
    await c.t.http().patch(`${API}/cases/${draft.id}`).set(officer.auth).set('If-Match', `"${draft.version}"`).send({ narrative: after }).expect(200);
    await g.submit(officer, draft.id);
    const cp = await openConsole(c);
    const { page } = cp;
    await signIn(page, supervisor);
    await page.goto(`/cases/${draft.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();
    const timeline = page.getByRole('region', { name: 'Timeline' });
    const edit = timeline.locator('li', { hasText: 'Narrative changed' });
    await edit.waitFor();
    const diff = edit.getByRole('definition');
    await expect(edit.getByRole('term').textContent()).resolves.toBe('Narrative');
    await expect(diff.locator('del').textContent()).resolves.toBe(`“${before}”`);
    await expect(diff.locator('ins').textContent()).resolves.toBe(`“${after}”`);
    await timeline.getByText('Federal supervisor recorded: partly identified').waitFor();
    const folded = timeline.locator('li.folded', { hasText: 'Viewed 2 times by 1 person' });
    await expect(folded.locator('ol li').count()).resolves.toBe(0); // folded until asked
    await folded.getByRole('button', { name: 'Show the 2 reads' }).click();
    await expect(folded.locator('ol li').count()).resolves.toBe(2);
    // Words, not codes: no action code in the history until the raw events are asked for, then every event with its code.
    const entriesText = (await timeline.locator('ol.timeline > li').allTextContents()).join('\n');
    for (const code of ['case.created', 'case.updated', 'case.submitted', 'case.federal_officers.updated', 'ARREST', 'WITNESSED', 'ICE_ERO', 'PARTIAL']) {
      expect(entriesText).not.toContain(code);
    }
    // The opening's diff says the order's vocabulary in words.
    const opened = timeline.locator('ol.timeline > li', { hasText: 'Case opened by' }).locator('dl.diff');
    const said = Object.fromEntries(await opened.locator('dt').evaluateAll((dts) => dts.map((dt) => [dt.textContent, (dt as unknown as { nextElementSibling: { textContent: string } }).nextElementSibling.textContent])));
    expect(said).toMatchObject({ Origin: '(empty) → Witnessed by me (the officer)', 'Activity type': '(empty) → Arrest', Agencies: '(empty) → ICE ERO' });
    const officers = timeline.locator('ol.timeline > li', { hasText: 'Federal supervisor recorded: partly identified' }).locator('dl.diff dd');
    await expect(officers.textContent()).resolves.toMatch(/^\(empty\) → supervisor .*\(ICE ERO\): partly identified$/);
    const rawList = timeline.getByRole('list', { name: `Raw audit events of case ${draft.caseNumber}, oldest first` });
    await expect(rawList.count()).resolves.toBe(0);
    await timeline.getByRole('button', { name: /^Show the \d+ raw audit events$/ }).click();
    const shown = (await rawList.locator('> li').allTextContents()).map((t) => ({ seq: Number(/event #(\d+)/.exec(t)![1]), code: /(\w+(?:\.\w+)+)/.exec(t.split('·')[1])![1] }));
    const { rows: rawRows } = await c.t.owner.query(`SELECT seq::int, action FROM audit_events WHERE case_id = $1 AND seq <= $2 ORDER BY seq`, [draft.id, shown.at(-1)!.seq]);
    expect(shown).toEqual(rawRows.map((r) => ({ seq: r.seq, code: r.action })));
    expect(rawRows.map((r) => r.action)).toEqual(expect.arrayContaining(['case.created', 'case.updated', 'case.submitted', 'case.viewed']));
    await expectAccessible(page);
    // On a phone: the history wraps, nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await sidewaysOverflow(page, 'section[aria-labelledby="timeline-h"]')).toEqual([]);
    expect(cp.cspViolations).toEqual([]);
    expect(cp.pageErrors).toEqual([]);
    await cp.context.close();
  }, 120_000);
});
