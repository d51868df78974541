import type { Page } from 'playwright-core';
import { axeViolations, ConsoleUnderTest, openConsole, screenshot, signIn, startConsole } from '../harness/browser';
import type { TestUser } from '../harness/test-app';
import { AUDIT_ACTION_WORDS } from '../../apps/web/src/words';

const API = '/api/v1';
const FELONY = {
  violations: [
    { citation: '720 ILCS 5/10-3', description: 'Unlawful restraint of a bystander at a bus stop', felony: true },
  ],
};

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
  const sidewaysOverflow = (page: Page, selector: string) =>
    page.evaluate((sel): string[] => {
      const d = (globalThis as unknown as { document: any }).document;
      const width: number = d.documentElement.clientWidth;
      const root = d.querySelector(sel);
      return [root, ...Array.from(root.querySelectorAll('*') as ArrayLike<any>)]
        .filter((el) => el.getBoundingClientRect().right > width + 0.5)
        .map(
          (el) =>
            `${el.tagName.toLowerCase()}.${el.className}: ${Math.round(el.getBoundingClientRect().right)} > ${width}`,
        );
    }, selector);

  const statusShown = (page: Page) =>
    page.getByRole('region', { name: 'Case facts' }).locator('dd .badge').first().textContent();
  const statusBadge = (page: Page, status: string) =>
    page.getByRole('region', { name: 'Case facts' }).locator('dd .badge', { hasText: new RegExp(`^${status}$`) });

  beforeAll(async () => {
    c = await startConsole();
    const g = c.t.given;
    [officer, supervisor] = await Promise.all([g.officer(1), g.supervisor(1)]);
    // A submitted case in district 1 with a felony violation and one evidence file.
    const draft = await g.caseReadyToSubmit(officer);
    const res = await c.t
      .http()
      .put(`${API}/cases/${draft.id}/violations`)
      .set(officer.auth)
      .set('If-Match', `"${draft.version}"`)
      .send(FELONY);
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

  it('lists the submitted cases with officer, location, felony, waiting time and evidence, the one waiting longest first', async () => {
    // The felony case was submitted first (2 days 3 hours ago), the supervisor's own case since (5 hours ago); opened in that order too,
    // so the list's usual order (newest opened first) would show them the other way round.
    await c.t.owner.query(`UPDATE cases SET submitted_at = now() - interval '2 days 3 hours' WHERE id = $1`, [
      felonyCase.id,
    ]);
    await c.t.owner.query(`UPDATE cases SET submitted_at = now() - interval '5 hours' WHERE id = $1`, [ownCase.id]);
    const { rows: facts } = await c.t.owner.query(
      `SELECT c.id, c.incident_location, u.display_name, u.badge_number,
              (SELECT count(*)::int FROM evidence e WHERE e.case_id = c.id AND e.status = 'ACTIVE') AS evidence
         FROM cases c JOIN users u ON u.id = c.created_by WHERE c.id = ANY($1::uuid[])`,
      [[felonyCase.id, ownCase.id]],
    );
    const of = (id: string) => facts.find((f) => f.id === id)!;
    const evidenceWords = (n: number) => (n === 0 ? 'None' : n === 1 ? '1 item' : `${n} items`);
    const cp = await openConsole(c);
    const { page } = cp;
    await signIn(page, supervisor);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'District cases' }).click();
    await page.getByRole('heading', { level: 1, name: 'District 1 cases' }).waitFor();
    const table = page.getByRole('table', { name: /oldest waiting first$/ });
    await table.waitFor();
    await expect(table.getByRole('columnheader').allTextContents()).resolves.toEqual([
      'Case',
      'Officer',
      'Location',
      'Felony',
      'Waiting',
      'Evidence',
    ]);
    const rows = table.getByRole('row');
    await expect(rows.count()).resolves.toBe(3);
    const cells = async (i: number) => rows.nth(i).getByRole('cell').allTextContents();
    const [older, newer] = [await cells(1), await cells(2)];
    expect(older[0]).toBe(felonyCase.caseNumber);
    expect(older.slice(1)).toEqual([
      `${of(felonyCase.id).display_name}${of(felonyCase.id).badge_number ? `Badge ${of(felonyCase.id).badge_number}` : ''}`,
      of(felonyCase.id).incident_location,
      'Yes',
      expect.stringMatching(/^2 dayssince /),
      evidenceWords(of(felonyCase.id).evidence),
    ]);
    expect(newer[0]).toMatch(new RegExp(`^${ownCase.caseNumber}Opened by you`));
    expect(newer.slice(2)).toEqual([
      of(ownCase.id).incident_location,
      'No',
      expect.stringMatching(/^5 hourssince /),
      evidenceWords(of(ownCase.id).evidence),
    ]);
    // No code on screen: the felony column says yes or no.
    expect((await table.textContent())!).not.toMatch(/\b(true|false|SUBMITTED)\b/);
    await expectAccessible(page);
    await screenshot(page, 'supervisor-queue');
    // On a phone the table reads as a stack (each cell says what it is) and nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(table.locator('td[data-label="Waiting"]').count()).resolves.toBe(2);
    // (The stack's header row is kept for screen readers but clipped out of sight, so only the rows are measured.)
    expect(await sidewaysOverflow(page, 'table.waiting-cases tbody')).toEqual([]);
    await expect(
      page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
            .scrollWidth,
      ),
    ).resolves.toBeLessThanOrEqual(390);
    await screenshot(page, 'supervisor-queue-phone');
    expect(cp.cspViolations).toEqual([]);
    expect(cp.pageErrors).toEqual([]);
    await cp.context.close();
  }, 120_000);

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

    // Issue 16: the case's content first, the decision beside it (1280 px wide), not above it; below it on a phone.
    const incident = page.getByRole('region', { name: 'Incident' });
    await page.getByRole('region', { name: 'Evidence', exact: true }).waitFor();
    const content = page.locator('.two-col > div').first(); // the case: incident, personnel, violations, evidence, holds
    const contentFirst = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: any }).document;
      const content = d.getElementById('order-h').closest('section');
      const decision = d.getElementById('supervisor-h').closest('section');
      return Boolean(content.compareDocumentPosition(decision) & 4); // DOCUMENT_POSITION_FOLLOWING
    });
    expect(contentFirst).toBe(true);
    const [contentBox, decisionBox] = [await incident.boundingBox(), await panel.boundingBox()];
    expect(decisionBox!.x).toBeGreaterThanOrEqual(contentBox!.x + contentBox!.width); // beside: to the right of the content
    expect(decisionBox!.y).toBeLessThan(contentBox!.y + contentBox!.height); // ... and level with it, not above or below
    expect(Math.abs(decisionBox!.y - contentBox!.y)).toBeLessThan(50);
    await page.setViewportSize({ width: 390, height: 844 });
    const [contentNarrow, decisionNarrow] = [await content.boundingBox(), await panel.boundingBox()];
    expect(decisionNarrow!.y).toBeGreaterThanOrEqual(contentNarrow!.y + contentNarrow!.height); // below the content on a phone
    await page.setViewportSize({ width: 1280, height: 900 });

    // Returning needs a reason: refused on the spot, nothing sent.
    await panel.getByRole('button', { name: 'Return to the officer' }).click();
    await panel.getByText('Give the reason for returning the case.').waitFor();

    // --- approve, with a note
    await panel
      .getByLabel('Note for the record (optional)')
      .fill('Footage and narrative reviewed; the record is complete.');
    await panel.getByRole('button', { name: 'Approve case' }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: `Case ${felonyCase.caseNumber} approved.` })
      .waitFor();
    await statusBadge(page, 'Approved').waitFor();
    await expect(statusShown(page)).resolves.toBe('Approved');
    // The approval's note stays visible on the case, with who approved it.
    const {
      rows: [{ display_name: approverName }],
    } = await c.t.owner.query(`SELECT display_name FROM users WHERE id = $1`, [supervisor.id]);
    const notes = page.getByRole('region', { name: 'Review notes' });
    const approvalNote = notes.getByRole('listitem').filter({ hasText: `Approved by ${approverName}` });
    await approvalNote.waitFor();
    await expect(approvalNote.locator('blockquote').textContent()).resolves.toBe(
      'Footage and narrative reviewed; the record is complete.',
    );

    // --- send: CCSAO is preselected (a felony), and the screen says why
    const ccsao = panel.getByRole('radio', { name: "Cook County State's Attorney (CCSAO)" });
    const cityLaw = panel.getByRole('radio', { name: 'City of Chicago Department of Law' });
    await ccsao.waitFor();
    await expect(ccsao.isChecked()).resolves.toBe(true);
    await expect(cityLaw.isChecked()).resolves.toBe(false);
    await expect(panel.getByRole('group', { name: 'Prosecuting office' }).textContent()).resolves.toContain(
      'because at least one alleged violation is a felony (720 ILCS 5/10-3)',
    );
    await expectAccessible(page);
    await screenshot(page, 'supervisor-send');
    // Choosing the other office is possible and is flagged; back to the preselection.
    await cityLaw.check();
    await panel.getByText("You chose a different office from the felony rule's suggestion.").waitFor();
    await expect(
      panel.getByRole('button', { name: 'Review the packet for City of Chicago Department of Law…' }).count(),
    ).resolves.toBe(1);
    await ccsao.check();
    await expect(
      panel.getByText("You chose a different office from the felony rule's suggestion.").count(),
    ).resolves.toBe(0);

    // --- before the irreversible send: the packet's preview and one confirmation saying what will happen
    const CCSAO_NAME = "Cook County State's Attorney (CCSAO)";
    const reviewButton = panel.getByRole('button', { name: `Review the packet for ${CCSAO_NAME}…` });
    await reviewButton.click();
    const confirm = panel.getByRole('group', {
      name: `Send packet version 1 of case ${felonyCase.caseNumber} to ${CCSAO_NAME}?`,
    });
    await confirm.waitFor();
    await expect(
      page.evaluate(
        () => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id,
      ),
    ).resolves.toBe('packet-confirm-h'); // focus moved into the confirmation
    const confirmText = await confirm.textContent();
    expect(confirmText).toContain('This cannot be undone.');
    expect(confirmText).toContain(`signed with the department's key and sent to ${CCSAO_NAME}`);
    const facts = Object.fromEntries(
      await confirm
        .getByRole('term')
        .evaluateAll((dts) =>
          dts.map((dt) => [
            dt.textContent,
            (dt as unknown as { nextElementSibling: { textContent: string } }).nextElementSibling.textContent,
          ]),
        ),
    );
    expect(facts).toMatchObject({
      Case: felonyCase.caseNumber,
      'Goes to': CCSAO_NAME,
      'Packet version': '1',
      'Felony alleged': 'Yes',
      'Case report': expect.stringMatching(/^Included: a printable report \(PDF\)/),
    });
    // The evidence listed is the stored evidence: names, sizes and the SHA-256 the manifest will record.
    const { rows: stored } = await c.t.owner.query(
      `SELECT sha256, size_bytes::int AS size FROM evidence WHERE case_id = $1 AND status = 'ACTIVE' ORDER BY uploaded_at, id`,
      [felonyCase.id],
    );
    expect(stored.length).toBeGreaterThan(0);
    await expect(confirm.locator('ol.preview-evidence code.hash').allTextContents()).resolves.toEqual(
      stored.map((r) => r.sha256),
    );
    const items = await confirm.locator('ol.preview-evidence > li').allTextContents();
    stored.forEach((r, i) => expect(items[i]).toContain(`(${r.size.toLocaleString('en-US')} bytes)`));
    await expectAccessible(page);
    await screenshot(page, 'supervisor-packet-preview');
    // "No" sends nothing: no packet, no packet.sent; the preview itself is on record as a read.
    await confirm.getByRole('button', { name: 'No, go back' }).click();
    await expect(confirm.count()).resolves.toBe(0);
    await reviewButton.waitFor();
    // Focus returns to where the question was asked.
    await page.waitForFunction(
      (name) =>
        (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document
          .activeElement?.textContent === name,
      `Review the packet for ${CCSAO_NAME}…`,
    );
    const sentSoFar = async () => ({
      packets: (await c.t.owner.query(`SELECT count(*)::int AS n FROM packets WHERE case_id = $1`, [felonyCase.id]))
        .rows[0].n,
      sent: (
        await c.t.owner.query(
          `SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1 AND action = 'packet.sent'`,
          [felonyCase.id],
        )
      ).rows[0].n,
      previewed: (
        await c.t.owner.query(
          `SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1 AND action = 'packet.previewed' AND actor_id = $2 AND outcome = 'SUCCESS'`,
          [felonyCase.id, supervisor.id],
        )
      ).rows[0].n,
      status: (await c.t.owner.query(`SELECT status FROM cases WHERE id = $1`, [felonyCase.id])).rows[0].status,
    });
    await expect(sentSoFar()).resolves.toEqual({ packets: 0, sent: 0, previewed: 1, status: 'APPROVED' });
    await expect(statusShown(page)).resolves.toBe('Approved');

    // Asked once: "Yes" sends it.
    await reviewButton.click();
    await confirm.getByRole('button', { name: `Yes, sign and send to ${CCSAO_NAME}` }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: "Packet version 1 was signed and sent to Cook County State's Attorney (CCSAO)." })
      .waitFor();
    await statusBadge(page, 'Referred').waitFor();
    const sent = panel.getByRole('definition');
    const {
      rows: [packet],
    } = await c.t.owner.query(
      `SELECT id, office, version, status, sent_by, manifest_sha256, key_id FROM packets WHERE case_id = $1`,
      [felonyCase.id],
    );
    expect(packet).toMatchObject({ office: 'CCSAO', version: 1, status: 'PENDING', sent_by: supervisor.id });
    await expect(sent.allTextContents()).resolves.toEqual(
      expect.arrayContaining(['1', "Cook County State's Attorney (CCSAO)", '1', packet.manifest_sha256, packet.key_id]),
    );
    // The case's packets, with their review status
    const packets = page.getByRole('table', { name: `Packets of case ${felonyCase.caseNumber}, oldest version first` });
    await expect(packets.getByRole('row').count()).resolves.toBe(2);
    await expect(packets.getByRole('row').nth(1).textContent()).resolves.toMatch(
      new RegExp(`v1.*Cook County State's Attorney \\(CCSAO\\).*Pending.*—.*${packet.manifest_sha256}`),
    );
    // Nothing more to do while it waits for a prosecutor; the timeline has the step.
    await expect(panel.getByRole('button').count()).resolves.toBe(0);
    // In words, the approval with its note; the raw event (in the catalogue's words) only on demand.
    const {
      rows: [{ display_name: supName }],
    } = await c.t.owner.query(`SELECT display_name FROM users WHERE id = $1`, [supervisor.id]);
    const history = page.getByRole('region', { name: 'Timeline' });
    await history
      .locator('ol.timeline > li', {
        hasText: `Approved by ${supName}: Footage and narrative reviewed; the record is complete.`,
      })
      .waitFor();
    await history.locator('ol.timeline > li', { hasText: `Sent to prosecutors (CCSAO) by ${supName}` }).waitFor();
    await expect(history.getByText(AUDIT_ACTION_WORDS['packet.sent'], { exact: true }).count()).resolves.toBe(0);
    await history.getByRole('button', { name: /^Show the \d+ raw audit events$/ }).click();
    await history
      .getByRole('list', { name: `Raw audit events of case ${felonyCase.caseNumber}, oldest first` })
      .getByText(AUDIT_ACTION_WORDS['packet.sent'], { exact: true })
      .waitFor();
    await expectAccessible(page);
    await screenshot(page, 'supervisor-flow');

    // --- server side: referred, one CCSAO packet, approval and sending audited as this supervisor
    const {
      rows: [kase],
    } = await c.t.owner.query(`SELECT status, approved_by FROM cases WHERE id = $1`, [felonyCase.id]);
    expect(kase).toEqual({ status: 'REFERRED', approved_by: supervisor.id });
    const { rows: events } = await c.t.owner.query(
      `SELECT action, outcome, actor_id, actor_role, details FROM audit_events WHERE case_id = $1 AND action IN ('case.approved', 'packet.sent', 'case.returned') ORDER BY seq`,
      [felonyCase.id],
    );
    expect(events.map((e) => [e.action, e.outcome, e.actor_id, e.actor_role])).toEqual([
      ['case.approved', 'SUCCESS', supervisor.id, 'SUPERVISOR'],
      ['packet.sent', 'SUCCESS', supervisor.id, 'SUPERVISOR'],
    ]);
    expect(events[0].details).toMatchObject({
      from: 'SUBMITTED',
      to: 'APPROVED',
      note: 'Footage and narrative reviewed; the record is complete.',
    });
    // The preselected office was left to the service's felony rule: recorded as the default choice.
    expect(events[1].details).toMatchObject({
      from: 'APPROVED',
      to: 'REFERRED',
      office: 'CCSAO',
      officeChosen: 'default',
      felony: true,
      packetId: packet.id,
      manifestSha256: packet.manifest_sha256,
    });

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
    const res = await c.t
      .http()
      .post(`${API}/cases/${kase.id}/return`)
      .set(other.auth)
      .send({ reason: 'Narrative lacks the time agents left.' });
    expect(res.status).toBe(200);
    await panel.getByRole('button', { name: 'Approve case' }).click();
    const alert = panel.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('The case is now Returned.');
    await expectAccessible(page);
    await panel.getByRole('button', { name: 'Reload the case' }).click();
    await statusBadge(page, 'Returned').waitFor();
    await expect(panel.getByRole('button', { name: 'Approve case' }).count()).resolves.toBe(0);
    // The return's reason is on the case, with who returned it.
    const {
      rows: [{ display_name: otherName }],
    } = await c.t.owner.query(`SELECT display_name FROM users WHERE id = $1`, [other.id]);
    const returnNote = page
      .getByRole('region', { name: 'Review notes' })
      .getByRole('listitem')
      .filter({ hasText: `Returned to the officer by ${otherName}` });
    await returnNote.waitFor();
    await expect(returnNote.locator('blockquote').textContent()).resolves.toBe('Narrative lacks the time agents left.');
    await panel.getByRole('button', { name: 'Withdraw case…' }).waitFor();
    const { rows } = await c.t.owner.query(
      `SELECT action, outcome FROM audit_events WHERE case_id = $1 AND action = 'case.approved'`,
      [kase.id],
    );
    expect(rows.every((r) => r.outcome !== 'SUCCESS')).toBe(true);
    expect((await c.t.owner.query(`SELECT status FROM cases WHERE id = $1`, [kase.id])).rows[0].status).toBe(
      'RETURNED',
    );
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
    await expect(panel.textContent()).resolves.toContain(
      'You wrote this case, so you cannot approve it or return it. The two-person rule requires a different supervisor of District 1',
    );
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
    await expect(confirm.textContent()).resolves.toMatch(
      /This is final.*Duplicate of an earlier case opened for the same incident\./,
    );
    await expectAccessible(page);
    await confirm.getByRole('button', { name: 'No, keep it' }).click();
    await expect(confirm.count()).resolves.toBe(0);
    expect((await c.t.owner.query(`SELECT status FROM cases WHERE id = $1`, [ownCase.id])).rows[0].status).toBe(
      'SUBMITTED',
    );

    await panel.getByRole('button', { name: 'Withdraw case…' }).click();
    await confirm.getByRole('button', { name: 'Yes, withdraw the case' }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: `Case ${ownCase.caseNumber} withdrawn.` })
      .waitFor();
    await statusBadge(page, 'Withdrawn').waitFor();
    await expect(panel.getByRole('button').count()).resolves.toBe(0);
    await expectAccessible(page);

    const {
      rows: [kase],
    } = await c.t.owner.query(`SELECT status, withdrawn_by, withdraw_reason, approved_by FROM cases WHERE id = $1`, [
      ownCase.id,
    ]);
    expect(kase).toEqual({
      status: 'WITHDRAWN',
      withdrawn_by: supervisor.id,
      withdraw_reason: 'Duplicate of an earlier case opened for the same incident.',
      approved_by: null,
    });
    const { rows: events } = await c.t.owner.query(
      `SELECT action, outcome, actor_id FROM audit_events WHERE case_id = $1 AND action IN ('case.approved', 'case.returned', 'case.withdrawn') ORDER BY seq`,
      [ownCase.id],
    );
    expect(events).toEqual([{ action: 'case.withdrawn', outcome: 'SUCCESS', actor_id: supervisor.id }]);

    expect(cp.cspViolations).toEqual([]);
    expect(cp.pageErrors).toEqual([]);
    await cp.context.close();
  }, 120_000);

  it('reads the case history in words: "Narrative changed" with what it said before and after, reads folded', async () => {
    const g = c.t.given;
    const draft = await g.caseReadyToSubmit(officer);
    const before = (await c.t.http().get(`${API}/cases/${draft.id}`).set(officer.auth).expect(200)).body
      .narrative as string;
    await c.t.http().get(`${API}/cases/${draft.id}`).set(officer.auth).expect(200); // two reads in a row: folded
    const after = 'The supervisor covered his badge and refused to give his name when asked twice.';
    await c.t
      .http()
      .patch(`${API}/cases/${draft.id}`)
      .set(officer.auth)
      .set('If-Match', `"${draft.version}"`)
      .send({ narrative: after })
      .expect(200);
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
    // Words, not codes: no action code in the history, nor in the raw events when they are asked for.
    const entriesText = (await timeline.locator('ol.timeline > li').allTextContents()).join('\n');
    for (const code of [
      'case.created',
      'case.updated',
      'case.submitted',
      'case.federal_officers.updated',
      'ARREST',
      'WITNESSED',
      'ICE_ERO',
      'PARTIAL',
    ]) {
      expect(entriesText).not.toContain(code);
    }
    // The opening's diff says the order's vocabulary in words.
    const opened = timeline.locator('ol.timeline > li', { hasText: 'Case opened by' }).locator('dl.diff');
    const said = Object.fromEntries(
      await opened
        .locator('dt')
        .evaluateAll((dts) =>
          dts.map((dt) => [
            dt.textContent,
            (dt as unknown as { nextElementSibling: { textContent: string } }).nextElementSibling.textContent,
          ]),
        ),
    );
    expect(said).toMatchObject({
      Origin: '(empty) → Witnessed by me (the officer)',
      'Activity type': '(empty) → Arrest',
      Agencies: '(empty) → ICE ERO',
    });
    const officers = timeline
      .locator('ol.timeline > li', { hasText: 'Federal supervisor recorded: partly identified' })
      .locator('dl.diff dd');
    await expect(officers.textContent()).resolves.toMatch(/^\(empty\) → supervisor .*\(ICE ERO\): partly identified$/);
    const rawList = timeline.getByRole('list', { name: `Raw audit events of case ${draft.caseNumber}, oldest first` });
    await expect(rawList.count()).resolves.toBe(0);
    await timeline.getByRole('button', { name: /^Show the \d+ raw audit events$/ }).click();
    // Every raw event in its words from the catalogue (no action code on screen), in the chain's order.
    const seqs = (await rawList.locator('> li').allTextContents()).map((t) => Number(/event #(\d+)/.exec(t)![1]));
    const rawWords = await rawList.locator('> li > strong').allTextContents();
    const shown = seqs.map((seq, i) => ({ seq, words: rawWords[i] }));
    const { rows: rawRows } = await c.t.owner.query(
      `SELECT seq::int, action FROM audit_events WHERE case_id = $1 AND seq <= $2 ORDER BY seq`,
      [draft.id, shown.at(-1)!.seq],
    );
    expect(shown).toEqual(
      rawRows.map((r) => ({ seq: r.seq, words: AUDIT_ACTION_WORDS[r.action as keyof typeof AUDIT_ACTION_WORDS] })),
    );
    expect((await rawList.allTextContents()).join('\n')).not.toMatch(/\b[a-z_]+\.[a-z_]+\b/);
    expect(rawRows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['case.created', 'case.updated', 'case.submitted', 'case.viewed']),
    );
    await expectAccessible(page);
    // On a phone: the history wraps, nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await sidewaysOverflow(page, 'section[aria-labelledby="timeline-h"]')).toEqual([]);
    expect(cp.cspViolations).toEqual([]);
    expect(cp.pageErrors).toEqual([]);
    await cp.context.close();
  }, 120_000);

  it("loads the case's timeline once per opening and once per change, not once for each part of the page that shows it", async () => {
    const kase = await c.t.given.submittedCase(officer);
    const cp = await openConsole(c);
    const { page } = cp;
    await signIn(page, supervisor);
    // Every API request of the page, and which of them asked for this case's timeline.
    const pending = new Set<object>();
    const timelineLoads: string[] = [];
    page.on('request', (r) => {
      const { pathname } = new URL(r.url());
      if (!pathname.startsWith('/api/')) return;
      pending.add(r);
      if (pathname === `${API}/cases/${kase.id}/timeline`) timelineLoads.push(r.method());
    });
    page.on('requestfinished', (r) => pending.delete(r));
    page.on('requestfailed', (r) => pending.delete(r));
    const answered = async () => {
      while (pending.size > 0) await new Promise((r) => setTimeout(r, 50)); // every request of the page answered
    };

    await page.goto(`/cases/${kase.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${kase.caseNumber}` }).waitFor();
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByRole('button', { name: /^Show the \d+ raw audit events$/ }).waitFor();
    await page.getByRole('region', { name: 'Review notes' }).waitFor();
    await answered();
    expect(timelineLoads).toEqual(['GET']);

    // A change on the page (the approval) loads it once more, for the review notes and the timeline alike.
    const panel = page.getByRole('region', { name: 'Supervisor review' });
    await panel.getByRole('button', { name: 'Approve case' }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: `Case ${kase.caseNumber} approved.` })
      .waitFor();
    await timeline.locator('ol.timeline > li', { hasText: 'Approved by' }).waitFor();
    await answered();
    expect(timelineLoads).toEqual(['GET', 'GET']);

    expect(cp.cspViolations).toEqual([]);
    expect(cp.pageErrors).toEqual([]);
    await cp.context.close();
  }, 120_000);
});
