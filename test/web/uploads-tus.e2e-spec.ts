import { createHash, randomBytes } from 'node:crypto';
import type { Page, Request, Route } from 'playwright-core';
import { axeViolations, consoleSuite, ConsoleUnderTest, screenshot, signIn } from '../harness/browser';
import { SUBMIT_ATTESTATION } from '../../libs/cases/src/order-rules';

const MiB = 1024 * 1024;
/** The console's tus chunk (apps/web/src/screens/officer/upload.ts CHUNK_SIZE). */
const CHUNK = 8 * MiB;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const UPLOADS = /\/api\/v1\/cases\/[0-9a-f-]+\/evidence\/uploads(\/|$)/;

/** An MP4 (ftyp box, then random media bytes) of `size` bytes: what a body-worn camera uploads. */
function mp4(size: number): Buffer {
  const b = randomBytes(size);
  Buffer.from('0000001c6674797069736f6d0000020069736f6d69736f326d703431', 'hex').copy(b, 0);
  return b;
}

interface Sent {
  method: string;
  url: string;
  offset: number;
  bytes: number;
}

/**
 * Issue 18 §2 in a real browser: several files picked at once upload one after another over tus, a network
 * cut is waited out and resumed by itself, a reload lists the unfinished upload and resumes it once the same
 * file is picked again (a different one is refused), and what the service stored is exactly what was picked.
 */
describe('web console: bulk, resumable, visible uploads (tus)', () => {
  const suite = consoleSuite();
  let c!: ConsoleUnderTest;
  beforeAll(() => {
    c = suite.c;
  });

  /** Every tus request the page sends (method, upload URL, Upload-Offset, body bytes); `hook` may take over one. */
  async function watchTus(
    page: Page,
    hook?: (r: Request, route: Route, n: number) => Promise<boolean>,
  ): Promise<Sent[]> {
    const sent: Sent[] = [];
    await page.route(UPLOADS, async (route) => {
      const r = route.request();
      sent.push({
        method: r.method(),
        url: r.url(),
        offset: Number(r.headers()['upload-offset'] ?? -1),
        bytes: r.postDataBuffer()?.length ?? 0,
      });
      if (hook && (await hook(r, route, sent.length))) return;
      await route.continue();
    });
    return sent;
  }

  const evidenceRows = async (caseId: string) =>
    (
      await c.t.owner.query(
        `SELECT original_filename AS name, sha256, size_bytes::bigint AS size, kind, device_id AS device FROM evidence WHERE case_id = $1 ORDER BY uploaded_at`,
        [caseId],
      )
    ).rows;

  it('three files at once, with batch defaults; the network drops mid-file and the upload goes on by itself when it is back', async () => {
    const officer = await c.t.given.officer(4);
    const draft = await c.t.given.caseReadyToSubmit(officer);
    const cp = await suite.openConsolePage();
    const { page, context } = cp;
    await signIn(page, officer);
    await page.goto(`/cases/${draft.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();

    const files = [
      { name: 'AXON_0412.mp4', mimeType: 'video/mp4', buffer: mp4(20 * MiB + 4321) },
      {
        name: 'scene-photo.jpg',
        mimeType: 'image/jpeg',
        buffer: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(300 * 1024)]),
      },
      { name: 'AXON_0413.mp4', mimeType: 'video/mp4', buffer: mp4(9 * MiB) },
    ];
    const evidence = page.getByRole('region', { name: 'Evidence', exact: true });
    await evidence.getByLabel('Camera or device id').first().fill('AXON-BODY4-X7');
    await evidence.getByLabel('Badge number of the officer who recorded it').first().fill('4471');
    await evidence.getByLabel('Files', { exact: true }).setInputFiles(files);
    // Each file has its own metadata: the kind from its type, the camera and badge from the batch, editable.
    for (const [name, kind] of [
      ['AXON_0412.mp4', 'BWC'],
      ['scene-photo.jpg', 'PHOTO'],
      ['AXON_0413.mp4', 'BWC'],
    ]) {
      const group = evidence.getByRole('group', { name: new RegExp(`^${name.replace('.', '\\.')} \\(`) });
      expect(await group.getByLabel('Kind of evidence').inputValue()).toBe(kind);
      expect(await group.getByLabel('Camera or device id').inputValue()).toBe('AXON-BODY4-X7');
    }
    await evidence
      .getByRole('group', { name: /^scene-photo\.jpg \(/ })
      .getByLabel('Camera or device id')
      .fill('PHONE-CAM-2');
    expect(await axeViolations(page)).toEqual([]);

    // The network drops while the second chunk of the first file is on its way.
    let cut = false;
    const sent = await watchTus(page, async (r, route) => {
      if (cut || r.method() !== 'PATCH' || Number(r.headers()['upload-offset']) !== CHUNK) return false;
      cut = true;
      await context.setOffline(true);
      await route.abort('internetdisconnected');
      return true;
    });
    await evidence.getByRole('button', { name: 'Upload 3 files' }).click();
    const tray = page.getByRole('complementary', { name: 'Evidence uploads' });
    const first = tray.locator('li.upload-entry').filter({ hasText: 'AXON_0412.mp4 to case' });
    await first.getByText(/waiting for the network at \d+%/).waitFor();
    // Meanwhile Submit waits, and says why.
    await page.getByText('Wait for the upload to finish first: AXON_0412.mp4').waitFor();
    expect(await page.getByRole('button', { name: 'Submit for supervisor review' }).isDisabled()).toBe(true);
    expect(await tray.locator('li.upload-entry[data-phase="queued"]').count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await screenshot(page, 'upload-tray-offline', { fullPage: false });

    // The network is back: no click needed.
    await context.setOffline(false);
    for (const f of files)
      await tray
        .getByRole('status')
        .filter({ hasText: `Stored: ${f.name} is evidence of case ${draft.caseNumber}` })
        .waitFor({ timeout: 60_000 });
    for (const f of files) {
      const shown = tray
        .locator('li.upload-entry')
        .filter({ hasText: `${f.name} to case` })
        .locator('code.hash');
      await shown.waitFor();
      expect(await shown.textContent()).toBe(sha256(f.buffer));
    }

    // What the service stored is exactly what was picked, with each file's metadata.
    const rows = await evidenceRows(draft.id);
    expect(rows).toEqual(
      files.map((f) => ({
        name: f.name,
        sha256: sha256(f.buffer),
        size: String(f.buffer.length),
        kind: f.name.endsWith('.jpg') ? 'PHOTO' : 'BWC',
        device: f.name.endsWith('.jpg') ? 'PHONE-CAM-2' : 'AXON-BODY4-X7',
      })),
    );
    // The first file resumed where it stopped: its bytes went out once, plus at most the chunk the cut lost.
    const firstUrl = sent.find((s) => s.method === 'PATCH')!.url;
    const patches = sent.filter((s) => s.method === 'PATCH' && s.url === firstUrl);
    const total = patches.reduce((n, s) => n + s.bytes, 0);
    expect(total).toBeGreaterThanOrEqual(files[0].buffer.length);
    expect(total).toBeLessThanOrEqual(files[0].buffer.length + CHUNK);
    expect(sent.filter((s) => s.method === 'HEAD' && s.url === firstUrl).length).toBeGreaterThanOrEqual(1);
    expect(sent.filter((s) => s.method === 'POST').length).toBe(3);

    // Every upload ended: Submit is back (with the officer's attestation).
    await page.getByRole('checkbox', { name: SUBMIT_ATTESTATION.text, exact: true }).check();
    await page.getByRole('button', { name: 'Submit for supervisor review' }).click();
    await page.getByText(`Case ${draft.caseNumber} was submitted for supervisor review.`).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'upload-tray-done', { fullPage: false });
  });

  it('a reload mid-upload: the tray lists it; a different file is refused, the same file picked again resumes where it stopped; abandon deletes', async () => {
    const officer = await c.t.given.officer(4);
    const draft = await c.t.given.draftCase(officer, { narrative: 'Agents stopped a van on Cermak Rd.' });
    const page = await suite.open();
    await signIn(page, officer);
    await page.goto(`/cases/${draft.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();

    const bytes = mp4(24 * MiB + 777);
    const evidence = page.getByRole('region', { name: 'Evidence', exact: true });
    // The second chunk is held (in flight) when the officer reloads the page.
    let held: Route | null = null;
    const arrived = new Promise<void>((resolve) => {
      void watchTus(page, async (r, route) => {
        if (held || r.method() !== 'PATCH' || Number(r.headers()['upload-offset']) !== CHUNK) return false;
        held = route;
        resolve();
        return true;
      });
    });
    await evidence
      .getByLabel('Files', { exact: true })
      .setInputFiles({ name: 'AXON_0500.mp4', mimeType: 'video/mp4', buffer: bytes });
    await evidence.getByRole('button', { name: 'Upload file' }).click();
    await arrived;
    page.once('dialog', (d) => void d.accept()); // "Leave the page?": yes
    await page.reload();
    await (held as Route | null)?.abort().catch(() => undefined);

    const tray = page.getByRole('complementary', { name: 'Evidence uploads' });
    const entry = tray.locator('li.upload-entry').filter({ hasText: 'AXON_0500.mp4 to case' });
    await entry.getByText('not finished: choose the same file again to resume it').waitFor();
    await tray.getByText('Some uploads did not finish when this page was last open.').waitFor();
    await page.getByText('Wait for the upload to finish first: AXON_0500.mp4').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'upload-tray-reselect', { fullPage: false });

    // Same name, same size, other bytes: refused, nothing sent.
    const sent = await watchTus(page);
    const other = Buffer.from(bytes);
    other[1000] ^= 0xff;
    await entry
      .getByLabel('Choose AXON_0500.mp4 again to resume')
      .setInputFiles({ name: 'AXON_0500.mp4', mimeType: 'video/mp4', buffer: other });
    await entry
      .getByRole('alert')
      .getByText('AXON_0500.mp4 is not the file this upload was sending (AXON_0500.mp4, 24.0 MiB')
      .waitFor();
    expect(await entry.getByRole('alert').textContent()).toContain('its first bytes differ');
    expect(sent).toEqual([]);

    // Another name, the right bytes: accepted (the bytes decide, not the name), and it goes on from the stored offset.
    const head = page.waitForResponse((r) => r.request().method() === 'HEAD' && UPLOADS.test(r.url()));
    await entry
      .getByLabel('Choose AXON_0500.mp4 again to resume')
      .setInputFiles({ name: 'copy-from-usb.mp4', mimeType: 'video/mp4', buffer: bytes });
    const resumedAt = Number((await head).headers()['upload-offset']);
    expect(resumedAt).toBeGreaterThanOrEqual(CHUNK);
    expect(resumedAt).toBeLessThan(bytes.length);
    await tray
      .getByRole('status')
      .filter({ hasText: `Stored: AXON_0500.mp4 is evidence of case ${draft.caseNumber}` })
      .waitFor({ timeout: 60_000 });
    expect(sent[0].method).toBe('HEAD');
    const patches = sent.filter((s) => s.method === 'PATCH');
    expect(patches[0].offset).toBe(resumedAt);
    expect(patches.reduce((n, s) => n + s.bytes, 0)).toBe(bytes.length - resumedAt);
    expect(sent.some((s) => s.method === 'POST')).toBe(false);
    expect(await evidenceRows(draft.id)).toEqual([
      { name: 'AXON_0500.mp4', sha256: sha256(bytes), size: String(bytes.length), kind: 'BWC', device: null },
    ]);

    // Abandon: the service deletes the upload (tus DELETE); nothing becomes evidence.
    let hold: Route | null = null;
    const second = new Promise<void>((resolve) => {
      void watchTus(page, async (r, route) => {
        if (hold || r.method() !== 'PATCH') return false;
        hold = route;
        resolve();
        return true;
      });
    });
    await evidence
      .getByLabel('Files', { exact: true })
      .setInputFiles({ name: 'wrong-shift.mp4', mimeType: 'video/mp4', buffer: mp4(2 * MiB) });
    await evidence.getByRole('button', { name: 'Upload file' }).click();
    await second;
    const wrong = tray.locator('li.upload-entry').filter({ hasText: 'wrong-shift.mp4 to case' });
    await wrong.getByRole('button', { name: 'Abandon upload of wrong-shift.mp4' }).click();
    await wrong
      .getByRole('group', { name: 'Abandon the upload of wrong-shift.mp4?' })
      .getByRole('button', { name: 'Yes, abandon it' })
      .click();
    await (hold as Route | null)?.abort().catch(() => undefined);
    await wrong
      .getByText('Abandoned: wrong-shift.mp4 was not stored; the service deleted what it had received.')
      .waitFor();
    expect((await evidenceRows(draft.id)).map((r) => r.name)).toEqual(['AXON_0500.mp4']);
    const deleted = (
      await c.t.owner.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1 AND actor_id = $2 AND action = 'evidence.upload.cancelled' AND outcome = 'SUCCESS'`,
        [draft.id, officer.id],
      )
    ).rows[0].n;
    expect(deleted).toBe(1);
    // Nothing left to resume after a reload.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();
    expect(await tray.count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });
});
