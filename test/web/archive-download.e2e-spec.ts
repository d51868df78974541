import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { consoleSuite, ConsoleUnderTest, signIn } from '../harness/browser';
import { chunks, postStream, SIZE, SIZE_MB } from '../harness/large-source';

jest.setTimeout(600_000);

/**
 * Issue 18 §4 in a real browser: a packet archive larger than 1 GiB downloads as a plain link (a ticket's
 * URL): Chromium streams it to disk itself, the page never holds it (no Blob, no object URL).
 * ION_LARGE_UPLOAD_MB shrinks the evidence for quick local runs (default 1024: the archive is then > 1 GiB).
 */
describe(`web console: a packet archive of ${SIZE_MB} MiB of evidence downloads as a plain link`, () => {
  const suite = consoleSuite();
  let c!: ConsoleUnderTest;
  beforeAll(() => {
    c = suite.c;
  });

  it('the prosecutor clicks Download: the browser fetches the ticket URL itself and saves every byte; no Blob in the page', async () => {
    const officer = await c.t.given.officer(11);
    const supervisor = await c.t.given.supervisor(11);
    const prosecutor = await c.t.given.prosecutor('CCSAO');
    const draft = await c.t.given.caseReadyToSubmit(officer);
    const started = Date.now();
    const up = await postStream(
      `${c.url}/api/v1/cases/${draft.id}/evidence?kind=BWC&deviceId=AXON-LARGE-3&originalFilename=shift-0412.mp4`,
      { ...officer.auth, 'Content-Type': 'application/octet-stream', 'Content-Length': String(SIZE) },
      chunks(),
    );
    expect(up.status).toBe(201);
    const uploadS = (Date.now() - started) / 1000;
    await c.t.given.submit(officer, draft.id);
    await c.t.given.approve(supervisor, draft.id);
    const packet = await c.t.given.sendPacket(supervisor, draft.id, 'CCSAO');

    const cp = await suite.openConsolePage();
    const { page, context } = cp;
    // Counts every Blob and object URL the page makes (there must be none for a download).
    await context.addInitScript(() => {
      const g = globalThis as unknown as {
        URL: { createObjectURL(b: unknown): string };
        Blob: new (...a: unknown[]) => unknown;
        __made: { urls: number; blobs: number };
      };
      g.__made = { urls: 0, blobs: 0 };
      const create = g.URL.createObjectURL.bind(g.URL);
      g.URL.createObjectURL = (b: unknown) => {
        g.__made.urls++;
        return create(b);
      };
      const B = g.Blob;
      g.Blob = class extends (B as new (...a: unknown[]) => object) {
        constructor(...a: unknown[]) {
          super(...a);
          g.__made.blobs++;
        }
      } as unknown as typeof B;
    });
    await signIn(page, prosecutor);
    await page.goto(`/packets/${packet.id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(`^Packet ${draft.caseNumber}`) }).waitFor();
    const downloadStarted = Date.now();
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the packet (ZIP)' }).click(),
    ]);
    expect(new URL(dl.url()).pathname).toMatch(/^\/api\/v1\/tickets\/iontk_/);
    await page
      .getByRole('status')
      .filter({ hasText: `The download of ${draft.caseNumber}-packet-v1.zip` })
      .waitFor();
    const path = await dl.path();
    const downloadS = (Date.now() - downloadStarted) / 1000;
    expect(await dl.failure()).toBeNull();
    expect(dl.suggestedFilename()).toBe(`${draft.caseNumber}-packet-v1.zip`);
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(SIZE);
    const fd = openSync(path, 'r');
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    closeSync(fd);
    expect(head).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    expect(
      await page.evaluate(() => (globalThis as unknown as { __made: { urls: number; blobs: number } }).__made),
    ).toEqual({ urls: 0, blobs: 0 });
    const events = (
      await c.t.owner.query(
        `SELECT actor_id, outcome FROM audit_events WHERE action = 'packet.archive.downloaded' AND target_id = $1`,
        [packet.id],
      )
    ).rows;
    expect(events).toEqual([{ actor_id: prosecutor.id, outcome: 'SUCCESS' }]);
    console.log(
      `[archive-download] evidence ${SIZE_MB} MiB uploaded in ${uploadS.toFixed(1)} s; archive ${size} bytes saved by Chromium in ${downloadS.toFixed(1)} s`,
    );
    await dl.delete();
  });
});
