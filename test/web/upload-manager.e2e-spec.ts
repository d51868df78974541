import { createHash, randomBytes } from 'node:crypto';
import type { Page, Route } from 'playwright-core';
import { axeViolations, consoleSuite, ConsoleUnderTest, signIn } from '../harness/browser';
import { SUBMIT_ATTESTATION } from '../../libs/cases/src/order-rules';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** An MP4 (ftyp box, then random media bytes) of `size` bytes: what a body-worn camera uploads. */
function mp4(size: number): Buffer {
  const b = randomBytes(size);
  Buffer.from('0000001c6674797069736f6d0000020069736f6d69736f326d703431', 'hex').copy(b, 0);
  return b;
}

/**
 * Issue 14 point 6 in the console: an upload lives above the screens (it goes on and stays in sight when the
 * officer navigates), Submit waits for it, leaving the page asks first, and each outcome is said in plain words.
 */
describe('web console: evidence uploads go on across screens and hold Submit back', () => {
  const suite = consoleSuite();
  let c!: ConsoleUnderTest;
  beforeAll(() => {
    c = suite.c;
  });

  const open = () => suite.open();

  /** Holds every tus PATCH the page sends until `release()` (the upload is then in flight, deterministically). */
  async function holdUploads(
    page: Page,
  ): Promise<{ held: () => number; arrived: Promise<void>; release: () => Promise<void> }> {
    const routes: Route[] = [];
    let arrive!: () => void;
    const arrived = new Promise<void>((r) => {
      arrive = r;
    });
    await page.route(/\/api\/v1\/cases\/[0-9a-f-]+\/evidence\/uploads\//, async (route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      routes.push(route);
      arrive();
    });
    return {
      held: () => routes.length,
      arrived,
      release: async () => {
        for (const r of routes.splice(0)) await r.continue();
        await page.unroute(/\/api\/v1\/cases\/[0-9a-f-]+\/evidence\/uploads\//);
      },
    };
  }

  it('while uploading: Submit is disabled and says why, the upload stays listed on My cases, reload asks first; once stored, Submit is back', async () => {
    const officer = await c.t.given.officer(3);
    const draft = await c.t.given.caseReadyToSubmit(officer);
    const page = await open();
    await signIn(page, officer);
    await page.goto(`/cases/${draft.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();
    const submit = page.getByRole('button', { name: 'Submit for supervisor review' });
    await page.getByRole('checkbox', { name: SUBMIT_ATTESTATION.text, exact: true }).check();
    expect(await submit.isEnabled()).toBe(true);

    const hold = await holdUploads(page);
    const evidence = page.getByRole('region', { name: 'Evidence', exact: true });
    const bytes = mp4(2 * 1024 * 1024);
    await evidence
      .getByLabel('Files', { exact: true })
      .setInputFiles({ name: 'AXON_0815.mp4', mimeType: 'video/mp4', buffer: bytes });
    await evidence.getByRole('button', { name: 'Upload file' }).click();

    const panel = page.getByRole('complementary', { name: 'Evidence uploads' });
    await panel.getByText(`AXON_0815.mp4 to case ${draft.caseNumber}`).waitFor();
    await hold.arrived;
    expect(hold.held()).toBe(1);
    await page.getByText('Wait for the upload to finish first: AXON_0815.mp4').waitFor();
    expect(await submit.isDisabled()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    // Another screen: the upload is still there, still going.
    await page.getByRole('link', { name: 'My cases' }).click();
    await page.getByRole('heading', { level: 1, name: 'My cases' }).waitFor();
    await panel.getByRole('progressbar', { name: `Upload of AXON_0815.mp4 to case ${draft.caseNumber}` }).waitFor();
    await panel.getByRole('button', { name: 'Pause upload of AXON_0815.mp4' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // Reloading would cut it off: the browser asks first (and staying keeps it).
    const asking = page.waitForEvent('dialog');
    void page.reload().catch(() => undefined); // never completes: the officer chooses to stay
    const dialog = await asking;
    expect(dialog.type()).toBe('beforeunload');
    await dialog.dismiss();
    await panel.getByRole('progressbar', { name: `Upload of AXON_0815.mp4 to case ${draft.caseNumber}` }).waitFor();

    // Released: it finishes while the officer is on My cases; the panel says so with the service's SHA-256.
    await hold.release();
    const stored = panel.getByRole('status').filter({ hasText: 'Stored: AXON_0815.mp4' });
    await stored.locator('code.hash').waitFor();
    expect(await stored.locator('code.hash').textContent()).toBe(sha256(bytes));
    const rows = (await c.t.owner.query(`SELECT sha256 FROM evidence WHERE case_id = $1`, [draft.id])).rows;
    expect(rows).toEqual([{ sha256: sha256(bytes) }]);

    // Back on the case: Submit is available again, and goes through.
    await panel.getByRole('link', { name: draft.caseNumber }).first().click();
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();
    await page.getByRole('checkbox', { name: SUBMIT_ATTESTATION.text, exact: true }).check();
    await page.getByRole('button', { name: 'Submit for supervisor review' }).click();
    await page.getByText(`Case ${draft.caseNumber} was submitted for supervisor review.`).waitFor();
    // No leaving-the-page question once nothing is uploading.
    let asked = false;
    page.once('dialog', (d) => {
      asked = true;
      void d.dismiss();
    });
    await page.reload();
    expect(asked).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('the same file twice: the refusal names the existing item, and "Upload a second copy anyway" stores it on purpose', async () => {
    const officer = await c.t.given.officer(3);
    const draft = await c.t.given.draftCase(officer, { narrative: 'Two copies of one clip.' });
    const bytes = mp4(64 * 1024);
    const first = await c.t.given.evidence(officer, draft.id, bytes, 'kind=BWC&originalFilename=clip.mp4');
    const page = await open();
    await signIn(page, officer);
    await page.goto(`/cases/${draft.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();
    const evidence = page.getByRole('region', { name: 'Evidence', exact: true });
    await evidence
      .getByLabel('Files', { exact: true })
      .setInputFiles({ name: 'clip-again.mp4', mimeType: 'video/mp4', buffer: bytes });
    await evidence.getByRole('button', { name: 'Upload file' }).click();

    const panel = page.getByRole('complementary', { name: 'Evidence uploads' });
    const refusal = panel.getByRole('alert');
    await refusal
      .getByText(
        `clip-again.mp4 was not stored: case ${draft.caseNumber} already holds this exact file as evidence item ${first.id}.`,
      )
      .waitFor();
    expect(
      (await c.t.owner.query(`SELECT count(*)::int AS n FROM evidence WHERE case_id = $1`, [draft.id])).rows[0].n,
    ).toBe(1);
    expect(await axeViolations(page)).toEqual([]);

    await refusal.getByRole('button', { name: 'Upload a second copy anyway' }).click();
    await panel.getByRole('status').filter({ hasText: 'Stored: clip-again.mp4' }).waitFor();
    const events = (
      await c.t.owner.query(
        `SELECT details->>'duplicateOf' AS dup FROM audit_events WHERE case_id = $1 AND action = 'evidence.uploaded' ORDER BY seq`,
        [draft.id],
      )
    ).rows;
    expect(events).toEqual([{ dup: null }, { dup: first.id }]);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('signing out while uploading asks first and cancels it (nothing kept); the next user at that computer sees none of the uploads', async () => {
    const officer = await c.t.given.officer(3);
    const other = await c.t.given.officer(3);
    const draft = await c.t.given.draftCase(officer, { narrative: 'Shared district PC.' });
    const page = await open();
    await signIn(page, officer);
    await page.goto(`/cases/${draft.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();
    const hold = await holdUploads(page);
    const evidence = page.getByRole('region', { name: 'Evidence', exact: true });
    await evidence
      .getByLabel('Files', { exact: true })
      .setInputFiles({ name: 'AXON_0900.mp4', mimeType: 'video/mp4', buffer: mp4(256 * 1024) });
    await evidence.getByRole('button', { name: 'Upload file' }).click();
    const panel = page.getByRole('complementary', { name: 'Evidence uploads' });
    await hold.arrived;

    // "Stay": the officer stays signed in and the upload is still listed.
    let question = '';
    page.once('dialog', (d) => {
      question = d.message();
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(question).toBe(
      'An evidence upload is not finished. Signing out abandons it: nothing of it is kept. Sign out anyway?',
    );
    await panel.getByRole('progressbar', { name: `Upload of AXON_0900.mp4 to case ${draft.caseNumber}` }).waitFor();

    // "Sign out anyway": the upload is cancelled and the panel is gone.
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await panel.count()).toBe(0);

    // The next officer at that computer: no trace of the previous user's case number or file.
    await signIn(page, other);
    // Issue 16: the next officer lands on their own home screen.
    await page.getByRole('heading', { level: 1, name: 'What needs you now' }).waitFor();
    expect(await panel.count()).toBe(0);
    expect(await page.getByText('AXON_0900.mp4').count()).toBe(0);
    expect(await page.getByText(draft.caseNumber).count()).toBe(0);
    expect(
      (await c.t.owner.query(`SELECT count(*)::int AS n FROM evidence WHERE case_id = $1`, [draft.id])).rows[0].n,
    ).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });
});
