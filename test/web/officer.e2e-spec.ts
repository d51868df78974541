import { createHash, randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { missingForSubmit, SUBMIT_ATTESTATION, type OrderChecklistInput } from '../../libs/cases/src/order-rules';
import { CHECKLIST_ITEM_WORDS } from '../../apps/web/src/words';
import { axeViolations, consoleSuite, ConsoleUnderTest, screenshot, signIn } from '../harness/browser';
import { hmacToken, nowS } from '../harness/fuzz-arbitraries';
import { ensureSecrets } from '../harness/test-app';

const API = '/api/v1';
const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** `datetime-local` input text for a moment, in the zone the browser and this process share. */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A small MP4 (ftyp box, then random media bytes) of about `size` bytes: what a body-worn camera uploads. */
function mp4(size: number): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 24]),
    Buffer.from('ftypisom'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isommp41'),
  ]);
  const body = randomBytes(size - 32);
  const mdat = Buffer.alloc(8);
  mdat.writeUInt32BE(body.length + 8, 0);
  mdat.write('mdat', 4);
  return Buffer.concat([ftyp, mdat, body]);
}

describe('web console: the officer opens, documents and submits a case', () => {
  const suite = consoleSuite();
  let c!: ConsoleUnderTest;
  beforeAll(() => {
    c = suite.c;
  });

  const open = () => suite.open();

  async function expectAccessible(page: Page) {
    expect(await axeViolations(page)).toEqual([]);
  }

  /** The checklist shown beside the form: its count sentence and its items, exactly as the order's rules compute them. */
  async function expectChecklist(page: Page, state: OrderChecklistInput, evidenceCount = 0) {
    const missing = missingForSubmit(state, evidenceCount);
    const panel = page.getByRole('region', { name: 'Submit checklist' });
    const sentence =
      missing.length === 0
        ? 'Nothing is missing: everything the order requires is recorded.'
        : `Still needed before you can submit (${missing.length} ${missing.length === 1 ? 'item' : 'items'}):`;
    const live = panel.locator('[aria-live="polite"]');
    await live.filter({ hasText: sentence }).waitFor();
    expect(await live.textContent()).toBe(sentence);
    // In words (issue 16), not the rule's own message.
    expect(await panel.getByRole('listitem').allTextContents()).toEqual(
      missing.map((m) => CHECKLIST_ITEM_WORDS[m.item]),
    );
  }

  /** The service's message shown next to a field: inside its field, referenced by the input's aria-describedby. */
  async function fieldError(page: Page, input: Locator): Promise<string> {
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    const ids = (await input.getAttribute('aria-describedby'))!.split(' ');
    const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
    const own = await page.locator('.field', { has: input }).locator('.field-error').textContent();
    expect(texts).toContain(own);
    return own!;
  }

  const radio = (scope: Page | Locator, question: string, answer: 'Yes' | 'No') =>
    scope.getByRole('group', { name: question, exact: true }).getByRole('radio', { name: answer, exact: true });

  it('new case with a live checklist, a field error from the service, personnel, violation, a real upload with progress and hash, submit', async () => {
    const officer = await c.t.given.officer(7);
    const page = await open();
    await signIn(page, officer);
    // Issue 16: every role lands on its home screen; the list is one link away.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My cases' }).click();

    // --- My cases: empty to begin with
    await page.getByRole('heading', { level: 1, name: 'My cases' }).waitFor();
    await page.getByText('No cases yet.').waitFor();
    await expectAccessible(page);

    // --- New case: the checklist starts with everything the order requires, and shrinks (or grows) as the form is filled
    await page.getByRole('link', { name: 'New case' }).click();
    await page.getByRole('heading', { level: 1, name: 'New case' }).waitFor();
    const state: OrderChecklistInput = {};
    await expectChecklist(page, state);
    expect(missingForSubmit(state)).toHaveLength(9);
    await expectAccessible(page);

    await page
      .getByLabel('Origin: how the activity came to your attention')
      .selectOption({ label: 'Witnessed by me (the officer)' });
    state.origin = 'WITNESSED';
    await expectChecklist(page, state);

    // A time in the future first: the service refuses it, and says so next to that field.
    const future = new Date(Date.now() + 2 * 24 * 3600_000);
    const when = page.getByLabel('Date and time of the incident');
    await when.fill(localInput(future));
    state.incidentAt = future.toISOString();
    await expectChecklist(page, state);

    await page.getByLabel('Location of the incident').fill('2400 N Milwaukee Ave, Chicago');
    state.incidentLocation = 'x';
    await expectChecklist(page, state);
    await page.getByLabel('Type of federal activity').selectOption({ label: 'Detention' });
    state.activityType = 'DETENTION';
    await expectChecklist(page, state);
    await page.getByRole('checkbox', { name: 'ICE Enforcement and Removal Operations (ERO)' }).check();
    await page.getByRole('checkbox', { name: 'U.S. Border Patrol' }).check();
    state.agencies = ['ICE_ERO', 'BORDER_PATROL'];
    await expectChecklist(page, state);
    const narrative =
      'Four agents in unmarked vests detained a street vendor outside the bank and pushed a bystander who was filming.';
    await page.getByLabel('Narrative: what happened').fill(narrative);
    state.narrative = narrative;
    await expectChecklist(page, state);

    // Injured: three follow-up questions join the list, then leave it as they are answered.
    await radio(page, 'Was anyone injured?', 'Yes').check();
    state.injuriesReported = true;
    await expectChecklist(page, state);
    expect(missingForSubmit(state).map((m) => m.item)).toEqual([
      'federalSupervisorIdentification',
      'injuryDescription',
      'emsCalled',
      'aidGiven',
      'evidenceOrNoFootageReason',
    ]);
    await page.getByLabel('Description of the injuries').fill('Bystander fell and cut his left hand.');
    state.injuryDescription = 'x';
    await expectChecklist(page, state);
    await radio(page, 'Was EMS called?', 'Yes').check();
    state.emsCalled = true;
    await expectChecklist(page, state);
    const emsAt = new Date(Date.now() - 2 * 3600_000);
    await page.getByLabel('When EMS was called').fill(localInput(emsAt));
    state.emsCalledAt = emsAt.toISOString();
    await expectChecklist(page, state);
    await page.getByLabel('Aid given').fill('First aid by Officer on scene; bandage applied.');
    state.aidGiven = 'x';
    await expectChecklist(page, state);
    // What is left can only be added once the case exists: the federal supervisor and evidence (or the no-footage reason).
    expect(missingForSubmit(state).map((m) => m.item)).toEqual([
      'federalSupervisorIdentification',
      'evidenceOrNoFootageReason',
    ]);
    await page.getByText('Only needed if there will be no evidence at all').waitFor();

    await page.getByRole('button', { name: 'Save as draft case' }).click();
    await page.getByRole('alert').filter({ hasText: 'The case was not saved' }).waitFor();
    expect(await fieldError(page, when)).toBe('This date and time is in the future.'); // issue 16: words by rule, not the validator's text
    expect(
      (await c.t.owner.query(`SELECT count(*)::int AS n FROM cases WHERE created_by = $1`, [officer.id])).rows[0].n,
    ).toBe(0);
    await expectAccessible(page);

    const incidentAt = new Date(Date.now() - 3 * 3600_000);
    incidentAt.setSeconds(0, 0);
    await when.fill(localInput(incidentAt));
    await page.getByRole('button', { name: 'Save as draft case' }).click();

    // --- the case page
    const heading = page.getByRole('heading', { level: 1, name: /^Case ION-\d{4}-\d{6}$/ });
    await heading.waitFor();
    const caseNumber = (await heading.textContent())!.replace('Case ', '');
    const caseId = /\/cases\/([0-9a-f-]{36})/.exec(page.url())![1];
    await page
      .getByRole('status')
      .filter({ hasText: `Case ${caseNumber} was saved as a draft.` })
      .waitFor();
    const facts = await page.locator('dl.facts').first().textContent();
    expect(facts).toContain('StatusDraft');
    expect(facts).toContain('District7');
    expect(facts).toContain(`Authoryou (Test OFFICER`);
    const stored = (
      await c.t.owner.query(
        `SELECT status, incident_at, injuries_reported, ems_called, narrative, agencies FROM cases WHERE id = $1`,
        [caseId],
      )
    ).rows[0];
    expect(stored).toMatchObject({
      status: 'DRAFT',
      injuries_reported: true,
      ems_called: true,
      narrative,
      agencies: ['ICE_ERO', 'BORDER_PATROL'],
    });
    expect((stored.incident_at as Date).toISOString()).toBe(incidentAt.toISOString());
    await expectChecklist(page, state);
    const submit = page.getByRole('button', { name: 'Submit for supervisor review' });
    expect(await submit.isDisabled()).toBe(true);
    await expectAccessible(page);

    // --- federal personnel: the supervisor on scene, partly identified, and how
    const personnel = page.getByRole('region', { name: 'Federal personnel' });
    await personnel.getByText('Supervisor identification requirement: not met yet.').waitFor();
    await personnel.getByRole('button', { name: 'Add a federal agent' }).click();
    const agent = personnel.getByRole('group', { name: 'Federal agent 1 (federal supervisor)' });
    expect(await agent.getByRole('checkbox', { name: 'This is the federal supervisor on scene' }).isChecked()).toBe(
      true,
    );
    await agent.getByLabel('Identification outcome').selectOption('PARTIAL');
    await agent
      .getByLabel('How identification was attempted')
      .fill('Asked for name and badge number; gave a surname, badge covered by tape.');
    await agent.getByLabel('Name', { exact: true }).fill('Rourke');
    await agent.getByLabel('Agency').selectOption('ICE_ERO');
    await radio(agent, 'Masked?', 'Yes').check();
    await radio(agent, 'Badge displayed?', 'No').check();
    await radio(agent, 'Body camera worn?', 'No').check();
    await agent
      .getByLabel('Description', { exact: true })
      .fill('Tall, grey beard, black tactical vest marked POLICE ICE; white Ford Explorer.');
    // Counted live before it is saved; submit waits for the save.
    const officers = [{ isSupervisor: true, identificationOutcome: 'PARTIAL', identificationMethod: 'x' }];
    await expectChecklist(page, { ...state, federalOfficers: officers });
    await page.getByText('Save your changes first: the federal personnel has unsaved changes.').waitFor();
    await personnel.getByRole('button', { name: 'Save federal personnel' }).click();
    await personnel.getByRole('status').filter({ hasText: 'Federal personnel saved (1 record).' }).waitFor();
    await personnel.getByText('Supervisor identification requirement: met.').waitFor();
    await expectChecklist(page, { ...state, federalOfficers: officers });

    // --- an alleged violation
    const violations = page.getByRole('region', { name: 'Alleged violations' });
    await violations.getByRole('button', { name: 'Add a violation' }).click();
    const v1 = violations.getByRole('group', { name: 'Violation 1' });
    await v1.getByLabel('Citation').fill('720 ILCS 5/12-3');
    await v1.getByLabel('Description').fill('Battery: a bystander filming was pushed to the ground.');
    await violations.getByRole('button', { name: 'Save violations' }).click();
    await violations.getByRole('status').filter({ hasText: 'Alleged violations saved (1).' }).waitFor();
    await expectAccessible(page);

    // --- evidence: a real file of a few MiB through the file input; progress to 100 %, then the service's hash and size
    const bytes = mp4(6 * MiB + 12345);
    const evidence = page.getByRole('region', { name: 'Evidence', exact: true });
    await evidence
      .getByLabel('Files', { exact: true })
      .setInputFiles({ name: 'AXON_Body_4_0412.mp4', mimeType: 'video/mp4', buffer: bytes });
    const picked = evidence.getByRole('group', { name: /^AXON_Body_4_0412\.mp4 \(/ });
    expect(await picked.getByLabel('Kind of evidence').inputValue()).toBe('BWC');
    await picked.getByLabel('Camera or device id').fill('AXON-BODY4-X81234');
    await picked.getByLabel('Badge number of the officer who recorded it').fill('4471');
    await picked.getByLabel('Recording started').fill(localInput(new Date(incidentAt.getTime() - 5 * 60_000)));
    await picked.getByLabel('Recording ended').fill(localInput(new Date(incidentAt.getTime() + 25 * 60_000)));
    // Everything the live region says during the upload, as a screen reader would hear it.
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        spoken: string[];
        document: { querySelector(s: string): unknown };
        MutationObserver: new (cb: () => void) => { observe(n: unknown, o: unknown): void };
      };
      g.spoken = [];
      const region = g.document.querySelector('.upload [aria-live="polite"]') as { textContent: string };
      new g.MutationObserver(() => g.spoken.push(region.textContent)).observe(region, {
        childList: true,
        subtree: true,
        characterData: true,
      });
    });
    await evidence.getByRole('button', { name: 'Upload file' }).click();
    // The uploads tray (above every screen) says it is stored, with the SHA-256 and size the service computed.
    const storedMsg = page
      .getByRole('complementary', { name: 'Evidence uploads' })
      .getByRole('status')
      .filter({ hasText: 'Stored: AXON_Body_4_0412.mp4' });
    await storedMsg.locator('code.hash').waitFor({ timeout: 30_000 });
    const expectedHash = sha256(bytes);
    expect(await storedMsg.locator('code.hash').textContent()).toBe(expectedHash);
    expect(await storedMsg.textContent()).toContain(`SHA-256 ${expectedHash}`);
    expect(await storedMsg.textContent()).toContain(`(${bytes.length.toLocaleString('en-US')} bytes)`);
    const spoken = await page.evaluate(() => (globalThis as unknown as { spoken: string[] }).spoken);
    expect(spoken[0]).toBe('Uploading AXON_Body_4_0412.mp4: 0% sent.');
    expect(spoken[spoken.length - 1]).toBe('Upload of AXON_Body_4_0412.mp4 complete: stored.');
    // Only quarter steps are announced, never each progress event.
    for (const s of spoken) {
      expect(s).toMatch(
        /^(Uploading AXON_Body_4_0412\.mp4: (0|25|50|75)% sent\.|Uploading AXON_Body_4_0412\.mp4: 100% sent\. The service is storing .*|Upload of AXON_Body_4_0412\.mp4 complete: stored\.)$/,
      );
    }
    // The list shows the item with the same hash.
    const row = evidence
      .getByRole('table', { name: `Evidence of case ${caseNumber}, oldest first` })
      .getByRole('row')
      .nth(1);
    await row.getByText(expectedHash).waitFor();
    expect(await row.textContent()).toMatch(/^Body-worn camera footage \(BWC\)AXON_Body_4_0412\.mp4video\/mp4Active/);
    expect(await row.textContent()).toContain('Device AXON-BODY4-X81234');
    expect(await row.textContent()).toContain('by you (Test OFFICER');

    // Nothing missing now: submit is available once the officer attests (issue 16).
    await expectChecklist(page, { ...state, federalOfficers: officers }, 1);
    expect(await submit.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: SUBMIT_ATTESTATION.text, exact: true }).check();
    await page.waitForFunction(() => {
      const d = (globalThis as unknown as { document: { querySelector(s: string): { disabled: boolean } | null } })
        .document;
      return d.querySelector('.submit-box button.primary')?.disabled === false;
    });
    await expectAccessible(page);
    await screenshot(page, 'officer-flow');
    // What the window shows at the end of the upload (docs/console-officer.png in the README is one of these).
    await storedMsg.evaluate((el) =>
      (el as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'center' }),
    );
    await screenshot(page, 'officer-upload-window', { fullPage: false });

    // --- server side: the evidence row and the object in storage hold exactly those bytes
    const ev = (
      await c.t.owner.query(
        `SELECT sha256, size_bytes, storage_key, uploaded_by, kind, device_id, recording_officer_badge, original_filename, declared_content_type, status FROM evidence WHERE case_id = $1`,
        [caseId],
      )
    ).rows;
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({
      sha256: expectedHash,
      size_bytes: String(bytes.length),
      uploaded_by: officer.id,
      kind: 'BWC',
      device_id: 'AXON-BODY4-X81234',
      recording_officer_badge: '4471',
      original_filename: 'AXON_Body_4_0412.mp4',
      status: 'ACTIVE',
    });
    expect(await c.t.storage.sha256Of(ev[0].storage_key)).toEqual({ sha256: expectedHash, size: bytes.length });

    // --- submit
    await submit.click();
    await page
      .getByRole('status')
      .filter({ hasText: `Case ${caseNumber} was submitted for supervisor review. Its status is now Submitted.` })
      .waitFor();
    expect(await page.locator('dl.facts').first().textContent()).toContain('StatusSubmitted');
    expect(await page.getByRole('button', { name: 'Upload file' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Submit checklist' }).textContent()).toContain('Nothing is missing');
    await expectAccessible(page);

    const caseRow = (
      await c.t.owner.query(`SELECT status, submitted_by, federal_officers, violations FROM cases WHERE id = $1`, [
        caseId,
      ])
    ).rows[0];
    expect(caseRow).toMatchObject({ status: 'SUBMITTED', submitted_by: officer.id });
    expect(caseRow.federal_officers).toMatchObject([
      {
        isSupervisor: true,
        identificationOutcome: 'PARTIAL',
        name: 'Rourke',
        agency: 'ICE_ERO',
        masked: true,
        badgeDisplayed: false,
      },
    ]);
    expect(caseRow.violations).toEqual([
      {
        citation: '720 ILCS 5/12-3',
        description: 'Battery: a bystander filming was pushed to the ground.',
        felony: false,
      },
    ]);
    const events = (
      await c.t.owner.query(
        `SELECT action, outcome, actor_id FROM audit_events WHERE case_id = $1 AND (action LIKE 'case.%' OR action = 'evidence.uploaded')
       AND action NOT IN ('case.viewed') ORDER BY seq`,
        [caseId],
      )
    ).rows;
    expect(events.map((e) => e.action)).toEqual([
      'case.created',
      'case.federal_officers.updated',
      'case.violations.updated',
      'evidence.uploaded',
      'case.submitted',
    ]);
    for (const e of events) expect([e.outcome, e.actor_id]).toEqual(['SUCCESS', officer.id]);
    const attested = (
      await c.t.owner.query(`SELECT details FROM audit_events WHERE case_id = $1 AND action = 'case.submitted'`, [
        caseId,
      ])
    ).rows[0];
    expect(attested.details.attestation).toMatchObject({
      textVersion: SUBMIT_ATTESTATION.textVersion,
      text: SUBMIT_ATTESTATION.text,
    });
    const uploaded = (
      await c.t.owner.query(`SELECT details FROM audit_events WHERE case_id = $1 AND action = 'evidence.uploaded'`, [
        caseId,
      ])
    ).rows[0];
    expect(uploaded.details).toMatchObject({ sha256: expectedHash });

    // --- back on My cases: the case, submitted
    await page.getByRole('link', { name: 'My cases' }).click();
    await page.getByRole('heading', { level: 1, name: 'My cases' }).waitFor();
    const listed = page.getByRole('row').filter({ has: page.getByRole('link', { name: caseNumber, exact: true }) });
    await listed.waitFor();
    expect(await listed.textContent()).toMatch(/Submitted.*Detention.*ICE ERO, Border Patrol/);
    await expectAccessible(page);
  });

  it('a case returned by a supervisor, and one a prosecutor wants more on: flagged in the list, the note shown with who and when', async () => {
    const g = c.t.given;
    const [officer, supervisor, prosecutor] = await Promise.all([g.officer(4), g.supervisor(4), g.prosecutor('CCSAO')]);
    const returned = await g.submittedCase(officer);
    const supervisorNote = 'Add the time EMS was called and the name the agent gave you.';
    await c.t
      .http()
      .post(`${API}/cases/${returned.id}/return`)
      .set(supervisor.auth)
      .send({ reason: supervisorNote })
      .expect(200);
    const packet = await g.sentPacket(officer, supervisor, 'CCSAO');
    await g.claim(prosecutor, packet.id);
    const prosecutorNote = "We need the second officer's body-worn camera footage before deciding.";
    await c.t
      .http()
      .post(`${API}/packets/${packet.id}/decision`)
      .set(prosecutor.auth)
      .send({ decision: 'MORE_INFO_REQUESTED', reason: prosecutorNote })
      .expect(200);
    const draft = await g.draftCase(officer, { narrative: 'Not finished yet.' });

    const page = await open();
    await signIn(page, officer);
    // Issue 16: every role lands on its home screen; the list is one link away.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My cases' }).click();
    await page.getByRole('heading', { level: 1, name: 'My cases' }).waitFor();
    await page.getByText('2 cases were returned to you and need your action.').waitFor();
    const rowOf = (n: string) =>
      page.getByRole('row').filter({ has: page.getByRole('link', { name: n, exact: true }) });
    await rowOf(returned.caseNumber).waitFor();
    expect(await rowOf(returned.caseNumber).textContent()).toContain('ReturnedNeeds your action');
    expect(await rowOf(packet.caseNumber).textContent()).toContain('ReturnedNeeds your action');
    expect(await rowOf(draft.caseNumber).textContent()).not.toContain('Needs your action');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Show returned cases' }).click();
    await page.getByText('Showing 1–2 of 2 returned cases.').waitFor();
    expect(new URL(page.url()).search).toBe('?status=RETURNED');
    expect(await page.getByLabel('Status').inputValue()).toBe('RETURNED');

    // The supervisor's return
    await page.getByRole('link', { name: returned.caseNumber, exact: true }).click();
    const notice = page.getByRole('region', { name: 'Returned by a supervisor' });
    await notice.waitFor();
    const noticeText = await notice.textContent();
    expect(noticeText).toContain(`Sent back by ${supervisor.username} (supervisor) on`);
    expect(noticeText).toContain(`Supervisor's note: ${supervisorNote}`);
    const returnedAt = (
      await c.t.owner.query(`SELECT returned_at, returned_by FROM cases WHERE id = $1`, [returned.id])
    ).rows[0];
    expect(returnedAt.returned_by).toBe(supervisor.id);
    expect(await notice.locator('time').getAttribute('datetime')).toBe((returnedAt.returned_at as Date).toISOString());
    // With its author again: editable, and (complete as it is) ready to submit again, with a new attestation.
    await page.getByRole('button', { name: 'Save incident fields' }).waitFor();
    await page.getByRole('checkbox', { name: SUBMIT_ATTESTATION.text, exact: true }).check();
    await page.waitForFunction(() => {
      const d = (globalThis as unknown as { document: { querySelector(s: string): { disabled: boolean } | null } })
        .document;
      return d.querySelector('.submit-box button.primary')?.disabled === false;
    });
    await expectAccessible(page);

    // The prosecutor's request for more information
    await page.getByRole('link', { name: 'Back to the case list' }).click();
    await page.getByRole('link', { name: packet.caseNumber, exact: true }).click();
    const more = page.getByRole('region', { name: 'A prosecutor asked for more information' });
    await more.waitFor();
    const moreText = await more.textContent();
    expect(moreText).toContain(
      `Sent back by ${prosecutor.username} (prosecutor) of the Cook County State's Attorney (CCSAO) on`,
    );
    expect(moreText).toContain(`Prosecutor's note: ${prosecutorNote}`);
    expect(moreText).not.toContain("Supervisor's note");
    await expectAccessible(page);
    await screenshot(page, 'officer-returned');
  });

  it("lists: an officer sees only their own cases, paged; a supervisor opens on the district's submitted cases and can change the filter", async () => {
    const g = c.t.given;
    const [officer, colleague, outsider, supervisor] = await Promise.all([
      g.officer(9),
      g.officer(9),
      g.officer(10),
      g.supervisor(9),
    ]);
    const submitted = await g.submittedCase(officer);
    for (let i = 0; i < 21; i++) await g.draftCase(officer, { incidentLocation: `${100 + i} W Lake St, Chicago` });
    const colleagueCase = await g.submittedCase(colleague);
    const outsiderCase = await g.submittedCase(outsider);

    const page = await open();
    await signIn(page, officer);
    // Issue 16: every role lands on its home screen; the list is one link away.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My cases' }).click();
    await page.getByText('Showing 1–20 of 22 cases.').waitFor();
    await page.getByText('Page 1 of 2').waitFor();
    expect(await page.getByRole('table').getByRole('row').count()).toBe(21);
    expect(await page.getByRole('link', { name: colleagueCase.caseNumber }).count()).toBe(0);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Showing 21–22 of 22 cases.').waitFor();
    await page.getByText('Page 2 of 2').waitFor();
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    // The oldest (the submitted one, opened first) is last.
    await page.getByRole('link', { name: submitted.caseNumber, exact: true }).waitFor();

    const sup = await open();
    await signIn(sup, supervisor);
    // Issue 16: every role lands on its home screen; the list is one link away.
    await sup.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'District cases' }).click();
    await sup.getByRole('heading', { level: 1, name: 'District 9 cases' }).waitFor();
    expect(await sup.getByLabel('Status').inputValue()).toBe('SUBMITTED');
    await sup.getByText('Showing 1–2 of 2 submitted cases.').waitFor();
    const links = await sup.getByRole('table').getByRole('link').allTextContents();
    expect(links.sort()).toEqual([submitted.caseNumber, colleagueCase.caseNumber].sort());
    expect(await sup.getByRole('link', { name: outsiderCase.caseNumber }).count()).toBe(0);
    // The review list's row: who, where, and how long it has waited (issue 16's supervisor columns).
    expect(await sup.getByRole('row').filter({ hasText: submitted.caseNumber }).textContent()).toMatch(
      /less than an hour\s*since /,
    );
    await expectAccessible(sup);
    await sup.getByLabel('Status').selectOption({ label: 'All statuses' });
    await sup.getByText('Showing 1–20 of 23 cases.').waitFor();
    expect(new URL(sup.url()).search).toBe('?status=ALL');
    await sup.getByLabel('Status').selectOption('DRAFT');
    await sup.getByText('Showing 1–20 of 21 draft cases.').waitFor();
    await expectAccessible(sup);
  });

  it('an upload refused with 401 (the session ended meanwhile) shows sign-in in place; signed in again, the details typed are back and the upload goes on', async () => {
    const officer = await c.t.given.officer(5);
    const draft = await c.t.given.draftCase(officer, { narrative: 'Agents stopped a van on Cermak Rd.' });
    const page = await open();
    await signIn(page, officer);
    await page.goto(`/cases/${draft.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();
    const evidence = page.getByRole('region', { name: 'Evidence', exact: true });
    await evidence.getByLabel('Camera or device id').fill('AXON-BODY4-X99');
    await evidence.getByLabel('Badge number of the officer who recorded it').fill('5120');
    const bytes = mp4(256 * 1024);
    await evidence
      .getByLabel('Files', { exact: true })
      .setInputFiles({ name: 'van-stop.mp4', mimeType: 'video/mp4', buffer: bytes });

    // The upload goes out with a token that expired a minute ago (validly signed): the service answers 401.
    const expired = hmacToken(
      { alg: 'HS256', typ: 'JWT' },
      { sub: officer.id, role: 'OFFICER', username: officer.username, iat: nowS() - 3700, exp: nowS() - 60 },
      ensureSecrets().JWT_SECRET,
    );
    let refused = 0;
    await page.route(/\/api\/v1\/cases\/[0-9a-f-]+\/evidence\/uploads$/, async (route) => {
      if (route.request().method() !== 'POST' || refused > 0) return route.continue();
      refused++;
      await route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${expired}` } });
    });
    await evidence.getByRole('button', { name: 'Upload file' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your session has ended' }).waitFor();
    expect(refused).toBe(1);
    expect(page.url()).toContain(`/cases/${draft.id}`);
    expect(
      (await c.t.owner.query(`SELECT count(*)::int AS n FROM evidence WHERE case_id = $1`, [draft.id])).rows[0].n,
    ).toBe(0);
    const denied = await c.t.owner.query(
      "SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.unauthenticated' AND outcome = 'DENIED' AND occurred_at > now() - interval '1 minute'",
    );
    expect(denied.rows[0].n).toBeGreaterThanOrEqual(1);
    await expectAccessible(page);

    // Signed in again: the same case, with what was typed; the upload, still in this page, goes on by itself.
    await signIn(page, officer, { stay: true });
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();
    expect(await evidence.getByLabel('Camera or device id').inputValue()).toBe('AXON-BODY4-X99');
    expect(await evidence.getByLabel('Badge number of the officer who recorded it').inputValue()).toBe('5120');
    const stored = page
      .getByRole('complementary', { name: 'Evidence uploads' })
      .getByRole('status')
      .filter({ hasText: 'Stored: van-stop.mp4' });
    await stored.locator('code.hash').waitFor();
    expect(await stored.locator('code.hash').textContent()).toBe(sha256(bytes));
    const rows = (
      await c.t.owner.query(`SELECT sha256, device_id, recording_officer_badge FROM evidence WHERE case_id = $1`, [
        draft.id,
      ])
    ).rows;
    expect(rows).toEqual([{ sha256: sha256(bytes), device_id: 'AXON-BODY4-X99', recording_officer_badge: '5120' }]);
  });
  it('a mistaken upload is marked superseded with a reason and its replacement, never deleted', async () => {
    const officer = await c.t.given.officer(3);
    const draft = await c.t.given.draftCase(officer);
    const wrong = await c.t.given.evidence(
      officer,
      draft.id,
      randomBytes(2048),
      'kind=BWC&originalFilename=wrong-shift.mp4',
    );
    const right = await c.t.given.evidence(
      officer,
      draft.id,
      randomBytes(3072),
      'kind=BWC&originalFilename=right-shift.mp4',
    );
    const page = await open();
    await signIn(page, officer);
    await page.goto(`/cases/${draft.id}`);
    const table = page.getByRole('table', { name: `Evidence of case ${draft.caseNumber}, oldest first` });
    await table.getByText('wrong-shift.mp4').waitFor();

    await page.getByRole('button', { name: 'Mark as superseded: wrong-shift.mp4' }).click();
    const markButton = page.getByRole('button', { name: 'Mark superseded', exact: true });
    expect(await markButton.isDisabled()).toBe(true); // a reason is required
    await page.getByLabel('Why (required)').fill('Footage of the previous shift, uploaded by mistake.');
    await page.getByLabel('Replaced by (optional)').selectOption(right.id);
    await expectAccessible(page);
    await markButton.click();
    await page.getByText('wrong-shift.mp4 is now marked superseded.').waitFor();
    const row = table.getByRole('row').filter({ hasText: 'wrong-shift.mp4' });
    await row.getByText('Superseded', { exact: true }).waitFor();
    expect(await row.textContent()).toContain('Reason: Footage of the previous shift, uploaded by mistake.');
    expect(await table.getByRole('row').filter({ hasText: 'right-shift.mp4' }).textContent()).toContain('Active');

    // Server side: marked, not deleted (the row, the object and its hash remain), and audited.
    const stored = await c.t.owner.query(
      'SELECT status, supersede_reason, replaced_by, superseded_by, sha256 FROM evidence WHERE id = $1',
      [wrong.id],
    );
    expect(stored.rows[0]).toEqual({
      status: 'SUPERSEDED',
      supersede_reason: 'Footage of the previous shift, uploaded by mistake.',
      replaced_by: right.id,
      superseded_by: officer.id,
      sha256: wrong.sha256,
    });
    const object = await c.t.owner.query('SELECT storage_key FROM evidence WHERE id = $1', [wrong.id]);
    const stat = await c.t.storage.client.statObject(c.t.storage.bucket, object.rows[0].storage_key);
    expect(stat.size).toBe(2048);
    const events = await c.t.owner.query(
      "SELECT actor_id, outcome, details->>'reason' AS reason FROM audit_events WHERE action = 'evidence.superseded' AND target_id = $1",
      [wrong.id],
    );
    expect(events.rows).toEqual([
      { actor_id: officer.id, outcome: 'SUCCESS', reason: 'Footage of the previous shift, uploaded by mistake.' },
    ]);
    // Only active items offer the action.
    expect(await page.getByRole('button', { name: 'Mark as superseded: wrong-shift.mp4' }).count()).toBe(0);
  });
});
