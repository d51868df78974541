import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Response } from 'playwright-core';
import { axeViolations, consoleSuite, ConsoleUnderTest, screenshot, signIn } from '../harness/browser';
import { muxWebm, webmFrames } from '../harness/webm';

const CLIP = readFileSync(join(__dirname, '..', 'fixtures', 'clip.webm'));
const MiB = 1024 * 1024;

/** What the page's <video> is doing (the test's tsconfig has no DOM types). */
async function videoState(page: Page): Promise<{
  duration: number;
  currentTime: number;
  readyState: number;
  paused: boolean;
  width: number;
  error: number | null;
}> {
  return page.locator('.media-player video').evaluate((el) => {
    const v = el as unknown as {
      duration: number;
      currentTime: number;
      readyState: number;
      paused: boolean;
      videoWidth: number;
      error: { code: number } | null;
    };
    return {
      duration: v.duration,
      currentTime: v.currentTime,
      readyState: v.readyState,
      paused: v.paused,
      width: v.videoWidth,
      error: v.error?.code ?? null,
    };
  });
}

/** Every answer to a ticket URL: status, the Range asked for, the Content-Range answered. */
function watchTickets(page: Page): { status: number; range: string | null; contentRange: string | null }[] {
  const seen: { status: number; range: string | null; contentRange: string | null }[] = [];
  page.on('response', (r: Response) => {
    if (!r.url().includes('/api/v1/tickets/')) return;
    seen.push({
      status: r.status(),
      range: r.request().headers().range ?? null,
      contentRange: r.headers()['content-range'] ?? null,
    });
  });
  return seen;
}

/**
 * Issue 18 §3 in a real browser: footage plays in the console from a PLAYBACK ticket's URL, and seeking to
 * the middle of a long file asks the service for that range only; the prosecutor plays disclosed footage.
 */
describe('web console: footage plays in the browser through playback tickets', () => {
  const suite = consoleSuite();
  let c!: ConsoleUnderTest;
  beforeAll(() => {
    c = suite.c;
  });

  it('a supervisor of the district plays a video and seeks to its middle: the service serves that range, not the whole file; one custody event', async () => {
    const officer = await c.t.given.officer(9);
    const supervisor = await c.t.given.supervisor(9);
    const draft = await c.t.given.caseReadyToSubmit(officer);
    // Ten real frames, one every 6 s (a minute of video), 4 MiB apart: seeking to 0:30 must fetch from the middle.
    const long = muxWebm({
      width: 64,
      height: 48,
      frames: webmFrames(CLIP),
      frameMs: 6000,
      durationMs: 60_000,
      padding: 4 * MiB,
    });
    const item = await c.t.given.evidence(
      officer,
      draft.id,
      long,
      'kind=BWC&deviceId=AXON-BODY4-X9&originalFilename=bodycam-0930.webm',
    );
    expect(
      (await c.t.owner.query(`SELECT content_type FROM evidence WHERE id = $1`, [item.id])).rows[0].content_type,
    ).toBe('video/webm');
    await c.t.given.submit(officer, draft.id);

    const page = await suite.open();
    await signIn(page, supervisor);
    await page.goto(`/cases/${draft.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${draft.caseNumber}` }).waitFor();
    const seen = watchTickets(page);
    await page.getByRole('button', { name: 'Play bodycam-0930.webm' }).click();
    const player = page.getByRole('region', { name: 'Playing bodycam-0930.webm' });
    await player.getByLabel('Video: bodycam-0930.webm').waitFor();
    await page.waitForFunction(
      () => {
        const v = (
          globalThis as unknown as {
            document: { querySelector(s: string): { readyState: number; currentTime: number } | null };
          }
        ).document.querySelector('.media-player video');
        return !!v && v.readyState >= 2 && v.currentTime > 0;
      },
      undefined,
      { timeout: 30_000 },
    );
    const started = await videoState(page);
    expect(started).toMatchObject({ duration: 60, paused: false, width: 64, error: null });

    // Seek to the middle, as dragging the bar does.
    await page.locator('.media-player video').evaluate((el) => {
      (el as unknown as { currentTime: number }).currentTime = 30;
    });
    await page.waitForFunction(
      () => {
        const v = (
          globalThis as unknown as {
            document: {
              querySelector(s: string): { readyState: number; currentTime: number; seeking: boolean } | null;
            };
          }
        ).document.querySelector('.media-player video');
        return !!v && !v.seeking && v.readyState >= 2 && v.currentTime >= 30;
      },
      undefined,
      { timeout: 30_000 },
    );
    const after = await videoState(page);
    expect(after.currentTime).toBeGreaterThanOrEqual(30);
    expect(after.error).toBeNull();

    // Every answer was a partial one (206) for a range the browser asked for; one of them starts in the file's middle.
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((s) => s.status === 206 && s.range?.startsWith('bytes='))).toBe(true);
    const starts = seen.map((s) => Number(/^bytes=(\d+)-/.exec(s.range!)![1]));
    const middle = seen.find((_s, i) => starts[i] >= long.length * 0.45 && starts[i] <= long.length * 0.6);
    expect(middle).toBeDefined();
    expect(middle!.contentRange).toMatch(
      new RegExp(`^bytes ${/^bytes=(\d+)-/.exec(middle!.range!)![1]}-\\d+/${long.length}$`),
    );
    // One custody event for this playback, however many ranges the browser asked for.
    const viewed = (
      await c.t.owner.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE target_id = $1 AND action = 'evidence.viewed' AND actor_id = $2`,
        [item.id, supervisor.id],
      )
    ).rows[0].n;
    expect(viewed).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await player.evaluate((el) =>
      (el as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'center' }),
    );
    await screenshot(page, 'player-supervisor', { fullPage: false });
  });

  it('the prosecutor plays footage disclosed in a packet to their office', async () => {
    const officer = await c.t.given.officer(9);
    const supervisor = await c.t.given.supervisor(9);
    const prosecutor = await c.t.given.prosecutor('CCSAO');
    const draft = await c.t.given.caseReadyToSubmit(officer);
    const item = await c.t.given.evidence(
      officer,
      draft.id,
      CLIP,
      'kind=BWC&deviceId=AXON-BODY4-X9&originalFilename=arrest-0412.webm',
    );
    await c.t.given.submit(officer, draft.id);
    await c.t.given.approve(supervisor, draft.id);
    const packet = await c.t.given.sendPacket(supervisor, draft.id, 'CCSAO');

    const page = await suite.open();
    await signIn(page, prosecutor);
    await page.goto(`/packets/${packet.id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(`^Packet ${draft.caseNumber}`) }).waitFor();
    const seen = watchTickets(page);
    await page.getByRole('button', { name: 'Play arrest-0412.webm' }).click();
    await page
      .getByRole('region', { name: 'Playing arrest-0412.webm' })
      .getByLabel('Video: arrest-0412.webm')
      .waitFor();
    await page.waitForFunction(
      () => {
        const v = (
          globalThis as unknown as {
            document: { querySelector(s: string): { readyState: number; currentTime: number } | null };
          }
        ).document.querySelector('.media-player video');
        return !!v && v.readyState >= 2 && v.currentTime > 0.5;
      },
      undefined,
      { timeout: 30_000 },
    );
    expect(await videoState(page)).toMatchObject({ duration: 10, paused: false, width: 64, error: null });
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.every((s) => s.status === 206 || s.status === 200)).toBe(true);
    const viewed = (
      await c.t.owner.query(`SELECT actor_role FROM audit_events WHERE target_id = $1 AND action = 'evidence.viewed'`, [
        item.id,
      ])
    ).rows;
    expect(viewed).toEqual([{ actor_role: 'PROSECUTOR' }]);
    expect(await axeViolations(page)).toEqual([]);
  });
});
