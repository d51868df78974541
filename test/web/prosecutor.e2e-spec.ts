import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import {
  axeViolations,
  ConsolePage,
  ConsoleUnderTest,
  openConsole,
  screenshot,
  signIn,
  startConsole,
} from '../harness/browser';
import type { TestUser } from '../harness/test-app';
import { unzip } from '../harness/zip';

const API = '/api/v1';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const FELONY = {
  violations: [
    { citation: '720 ILCS 5/10-3', description: 'Unlawful restraint of a bystander at a bus stop', felony: true },
  ],
};

/** A small ISO-BMFF (MP4) file: an ftyp box, then an mdat box of random bytes. */
function mp4(size: number): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 24]),
    Buffer.from('ftypisom'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isommp41'),
  ]);
  const body = randomBytes(size);
  const mdatHead = Buffer.alloc(8);
  mdatHead.writeUInt32BE(body.length + 8, 0);
  mdatHead.write('mdat', 4);
  return Buffer.concat([ftyp, mdatHead, body]);
}

/** Reads until the value is the expected one (the screen reloads after a change), then asserts it. */
async function settles<T>(read: () => Promise<T>, expected: T, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  let v = await read();
  while (JSON.stringify(v) !== JSON.stringify(expected) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  expect(v).toEqual(expected);
}

const png = () => Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(3000)]);

describe('web console: the prosecutor reviews a packet', () => {
  let c: ConsoleUnderTest;
  let officer: TestUser;
  let supervisor: TestUser;
  let prosecutor: TestUser;
  let colleague: TestUser;
  /** Sent second, moved three days back: the oldest packet of the queue. */
  let older: {
    id: string;
    caseId: string;
    caseNumber: string;
    evidence: { id: string; sha256: string; sizeBytes: number }[];
  };
  let newer: { id: string; caseId: string; caseNumber: string };

  /** A felony case with evidence, submitted by the officer, approved and sent to CCSAO by the supervisor. */
  async function sentPacket(files: { bytes: Buffer; query: string }[]) {
    const g = c.t.given;
    const draft = await g.caseReadyToSubmit(officer);
    const res = await c.t
      .http()
      .put(`${API}/cases/${draft.id}/violations`)
      .set(officer.auth)
      .set('If-Match', `"${draft.version}"`)
      .send(FELONY);
    if (res.status !== 200) throw new Error(`violations: ${res.status} ${JSON.stringify(res.body)}`);
    const evidence = [];
    for (const f of files) evidence.push(await g.evidence(officer, draft.id, f.bytes, f.query));
    await g.submit(officer, draft.id);
    await g.approve(supervisor, draft.id);
    const p = await g.sendPacket(supervisor, draft.id, 'CCSAO');
    return { id: p.id, caseId: draft.id, caseNumber: draft.caseNumber, evidence };
  }

  /** Moves a packet's sending time back (the owner lifts the trigger that freezes sent_at). */
  async function sentAgo(packetId: string, interval: string) {
    await c.t.owner.query(`ALTER TABLE packets DISABLE TRIGGER packets_review_only`);
    try {
      await c.t.owner.query(`UPDATE packets SET sent_at = now() - $2::interval WHERE id = $1`, [packetId, interval]);
    } finally {
      await c.t.owner.query(`ALTER TABLE packets ENABLE TRIGGER packets_review_only`);
    }
  }

  async function expectAccessible(page: Page) {
    expect(await axeViolations(page)).toEqual([]);
  }

  const row = (page: Page, caseNumber: string) =>
    page.getByRole('row').filter({ has: page.getByRole('link', { name: caseNumber, exact: true }) });

  beforeAll(async () => {
    c = await startConsole();
    const g = c.t.given;
    [officer, supervisor, prosecutor, colleague] = await Promise.all([
      g.officer(2),
      g.supervisor(2),
      g.prosecutor('CCSAO'),
      g.prosecutor('CCSAO'),
    ]);
    // Sent in this order, then the second one moved three days back: oldest-first must follow sentAt, not creation.
    newer = await sentPacket([{ bytes: mp4(20_000), query: 'kind=BWC&deviceId=AXON-BODY3-X2' }]);
    older = await sentPacket([
      { bytes: mp4(60_000), query: 'kind=BWC&deviceId=AXON-BODY3-X1&originalFilename=bwc-officer-0412.mp4' },
      { bytes: png(), query: 'kind=PHOTO&originalFilename=scene.png' },
    ]);
    await sentAgo(older.id, '3 days');
  }, 180_000);

  afterAll(async () => {
    await c?.close();
  });

  it('queue oldest first with ages, claim (and a lost race), manifest, evidence hashes, signature, archive, decision, SLA breach', async () => {
    const cp: ConsolePage = await openConsole(c);
    const { page } = cp;
    await signIn(page, prosecutor);
    // Issue 16: every role lands on its home screen; the list is one link away.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review queue' }).click();

    // --- the queue: both packets, the older one first, with their ages
    await page.getByRole('heading', { level: 1, name: 'Review queue' }).waitFor();
    const table = page.getByRole('table');
    await table.waitFor();
    const caseLinks = await table.getByRole('link').allTextContents();
    expect(caseLinks).toEqual([older.caseNumber, newer.caseNumber]);
    await expect(row(page, older.caseNumber).getByRole('cell').nth(2).textContent()).resolves.toMatch(/^3 d 0 h/);
    await expect(row(page, newer.caseNumber).getByRole('cell').nth(2).textContent()).resolves.toMatch(/^\d+ min/);
    await expect(row(page, older.caseNumber).textContent()).resolves.toContain('Pending');
    await expect(row(page, older.caseNumber).textContent()).resolves.toContain('Within SLA');
    await expectAccessible(page);
    await page.getByLabel('Order by time sent').selectOption('newest');
    await settles(() => table.getByRole('link').allTextContents(), [newer.caseNumber, older.caseNumber]);
    expect(new URL(page.url()).search).toContain('sort=newest');
    await page.getByLabel('Order by time sent').selectOption('oldest');
    await settles(() => table.getByRole('link').allTextContents(), [older.caseNumber, newer.caseNumber]);

    // --- claim the first packet from the queue
    await row(page, older.caseNumber)
      .getByRole('button', { name: `Claim ${older.caseNumber} v1` })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: `You claimed packet version 1 of case ${older.caseNumber}` })
      .waitFor();
    await row(page, older.caseNumber).getByText('In review', { exact: true }).waitFor();
    await expect(row(page, older.caseNumber).getByRole('cell').nth(5).textContent()).resolves.toMatch(/^You/);
    // Issue 16: one's own claim offers only its release.
    await expect(row(page, older.caseNumber).getByRole('button').allTextContents()).resolves.toEqual([
      `Release ${older.caseNumber} v1`,
    ]);

    // --- a colleague claims the second one while this list still offers it: the claim is refused in words, the list reloads
    await c.t.given.claim(colleague, newer.id);
    await row(page, newer.caseNumber)
      .getByRole('button', { name: `Claim ${newer.caseNumber} v1` })
      .click();
    const refusal = page.getByRole('alert');
    await refusal
      .filter({ hasText: `Someone else claimed packet version 1 of case ${newer.caseNumber} before you did` })
      .waitFor();
    const colleagueName = (await c.t.owner.query(`SELECT display_name FROM users WHERE id = $1`, [colleague.id]))
      .rows[0].display_name as string;
    await row(page, newer.caseNumber).getByText(colleagueName).waitFor();
    await expect(row(page, newer.caseNumber).getByRole('button').count()).resolves.toBe(0);
    await expectAccessible(page);

    // --- open the claimed packet
    await page.getByRole('link', { name: older.caseNumber, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Packet ${older.caseNumber}, version 1` }).waitFor();
    await page.getByText('Signature valid').waitFor();
    const keys = await c.t.http().get(`${API}/keys`).expect(200);
    const keyId = keys.body.keys[0].id as string;
    await expect(page.getByRole('status').filter({ hasText: 'Signature valid' }).textContent()).resolves.toBe(
      `Signature valid (key ${keyId})`,
    );
    await expect(page.getByText('Signature INVALID').count()).resolves.toBe(0);

    // manifest summary: the case as sent
    const caseFacts = page.getByRole('region', { name: 'The case as sent' });
    await expect(caseFacts.textContent()).resolves.toContain(older.caseNumber);
    await expect(caseFacts.textContent()).resolves.toContain('3300 W Fullerton Ave, Chicago');
    await expect(caseFacts.textContent()).resolves.toContain("Cook County State's Attorney (CCSAO)");
    await expect(caseFacts.getByText('Masked agents detained a man at a bus stop').count()).resolves.toBe(1);
    const people = page.getByRole('table', { name: /Federal personnel/ });
    await expect(people.getByRole('row').nth(1).textContent()).resolves.toMatch(
      /Supervisor.*J\. Smith.*ICE ERO.*F-123.*Partly identified/,
    );
    const violations = page.getByRole('table', { name: /Alleged violations/ });
    await expect(violations.getByRole('row').nth(1).textContent()).resolves.toMatch(
      /720 ILCS 5\/10-3.*Unlawful restraint.*Felony/,
    );
    const supName = (await c.t.owner.query(`SELECT display_name FROM users WHERE id = $1`, [supervisor.id])).rows[0]
      .display_name as string;
    await expect(page.getByRole('region', { name: 'Approvals' }).textContent()).resolves.toContain(
      `Approved by${supName}`,
    );

    // evidence: each item's SHA-256 as stored
    const evidenceTable = page.getByRole('table', { name: /evidence files/ });
    await expect(evidenceTable.getByRole('row').count()).resolves.toBe(1 + older.evidence.length);
    for (const [i, e] of older.evidence.entries()) {
      const stored = (await c.t.owner.query(`SELECT sha256, size_bytes FROM evidence WHERE id = $1`, [e.id])).rows[0];
      expect(stored.sha256).toBe(e.sha256);
      const cells = evidenceTable
        .getByRole('row')
        .nth(i + 1)
        .getByRole('cell');
      await expect(cells.nth(4).textContent()).resolves.toBe(stored.sha256);
      await expect(cells.nth(3).textContent()).resolves.toContain(
        `(${Number(stored.size_bytes).toLocaleString('en-US')} bytes)`,
      );
    }
    await expect(evidenceTable.getByRole('row').nth(1).textContent()).resolves.toMatch(
      /Body-worn camera footage \(BWC\).*bwc-officer-0412\.mp4.*video\/mp4.*device AXON-BODY3-X1/,
    );
    await expectAccessible(page);

    // --- download the archive: a plain link (a download ticket's URL) that the browser saves itself
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the packet (ZIP)' }).click(),
    ]);
    await page
      .getByRole('status')
      .filter({ hasText: `The download of ${older.caseNumber}-packet-v1.zip` })
      .waitFor();
    expect(new URL(dl.url()).pathname).toMatch(/^\/api\/v1\/tickets\//);
    expect(dl.suggestedFilename()).toBe(`${older.caseNumber}-packet-v1.zip`);
    const zip = readFileSync((await dl.path())!);
    expect(zip.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const files = await unzip(zip);
    const inZip = [...files.entries()]
      .filter(([name]) => name.includes('/evidence/'))
      .map(([, b]) => sha256(b))
      .sort();
    expect(inZip).toEqual(older.evidence.map((e) => e.sha256).sort());

    // --- decide: charges filed, with a reason and a court case number, after a confirmation
    const form = page.getByRole('region', { name: 'Review' });
    await form.getByRole('radio', { name: 'Charges filed' }).check();
    await form.getByLabel('Reason').fill('Sufficient evidence of unlawful restraint; charged.');
    await form.getByLabel('External reference (optional)').fill('2026-CR-0012345');
    // What was typed is kept as a draft: a reload (or an expired session) brings it back.
    await page.reload();
    await form.getByRole('heading', { name: 'Record your decision' }).waitFor();
    await expect(form.getByRole('radio', { name: 'Charges filed' }).isChecked()).resolves.toBe(true);
    await expect(form.getByLabel('Reason').inputValue()).resolves.toBe(
      'Sufficient evidence of unlawful restraint; charged.',
    );
    await expect(form.getByLabel('External reference (optional)').inputValue()).resolves.toBe('2026-CR-0012345');
    await form.getByRole('button', { name: 'Review decision…' }).click();
    const confirm = form.getByRole('group', { name: 'Record this decision?' });
    await expect(confirm.textContent()).resolves.toMatch(
      /Charges filed.*Sufficient evidence of unlawful restraint; charged\..*2026-CR-0012345.*will be closed/,
    );
    await expectAccessible(page);
    await confirm.getByRole('button', { name: 'Yes, record the decision' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: `Decision recorded: charges filed. Case ${older.caseNumber} is now closed.` })
      .waitFor();
    await form.getByRole('heading', { name: 'Decision recorded' }).waitFor();
    await expect(form.textContent()).resolves.toMatch(
      /Decided.*Charges filed.*Sufficient evidence of unlawful restraint; charged\..*2026-CR-0012345/,
    );
    await expect(form.getByRole('button', { name: 'Yes, record the decision' }).count()).resolves.toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'prosecutor-flow');

    // --- server side: packet decided, case closed with that disposition, events by this prosecutor
    const packetRow = (
      await c.t.owner.query(
        `SELECT status, decision, decision_reason, external_reference, claimed_by, decided_by FROM packets WHERE id = $1`,
        [older.id],
      )
    ).rows[0];
    expect(packetRow).toEqual({
      status: 'DECIDED',
      decision: 'CHARGES_FILED',
      decision_reason: 'Sufficient evidence of unlawful restraint; charged.',
      external_reference: '2026-CR-0012345',
      claimed_by: prosecutor.id,
      decided_by: prosecutor.id,
    });
    const caseRow = (
      await c.t.owner.query(`SELECT status, disposition, closed_at FROM cases WHERE id = $1`, [older.caseId])
    ).rows[0];
    expect(caseRow).toMatchObject({ status: 'CLOSED', disposition: 'CHARGES_FILED' });
    expect(caseRow.closed_at).toBeInstanceOf(Date);
    const events = (
      await c.t.owner.query(
        `SELECT action, outcome, actor_id, actor_role, target_id, details FROM audit_events WHERE case_id = $1 AND action IN ('packet.claimed', 'packet.decided', 'packet.archive.downloaded') ORDER BY seq`,
        [older.caseId],
      )
    ).rows;
    expect(events.map((e) => [e.action, e.outcome, e.actor_id, e.actor_role, e.target_id])).toEqual([
      ['packet.claimed', 'SUCCESS', prosecutor.id, 'PROSECUTOR', older.id],
      ['packet.archive.downloaded', 'SUCCESS', prosecutor.id, 'PROSECUTOR', older.id],
      ['packet.decided', 'SUCCESS', prosecutor.id, 'PROSECUTOR', older.id],
    ]);
    expect(events[2].details).toMatchObject({
      decision: 'CHARGES_FILED',
      disposition: 'CHARGES_FILED',
      externalReference: '2026-CR-0012345',
    });
    // The colleague's claim won; this prosecutor's attempt changed nothing.
    const newerRow = (await c.t.owner.query(`SELECT status, claimed_by FROM packets WHERE id = $1`, [newer.id]))
      .rows[0];
    expect(newerRow).toEqual({ status: 'IN_REVIEW', claimed_by: colleague.id });

    // --- a packet past its SLA shows the breach in words
    await sentAgo(newer.id, '40 days');
    await page.getByRole('link', { name: 'Back to the review queue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Review queue' }).waitFor();
    await row(page, newer.caseNumber).waitFor();
    await expect(row(page, newer.caseNumber).getByText('SLA breached', { exact: true }).isVisible()).resolves.toBe(
      true,
    );
    await expect(row(page, newer.caseNumber).getByRole('cell').nth(2).textContent()).resolves.toMatch(/^40 d 0 h/);
    await expect(page.getByRole('link', { name: older.caseNumber, exact: true }).count()).resolves.toBe(0); // decided: not in the open queue
    await page.getByRole('checkbox', { name: 'Decided' }).check();
    await row(page, older.caseNumber).getByText('Decided', { exact: true }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'prosecutor-queue');

    expect(cp.cspViolations).toEqual([]);
    expect(cp.pageErrors).toEqual([]);
    await cp.context.close();
  }, 180_000);

  it('pages through a long queue, twenty packets a page', async () => {
    const cityLaw = await c.t.given.prosecutor('CITY_LAW');
    const sent: string[] = [];
    for (let i = 0; i < 21; i++) sent.push((await c.t.given.sentPacket(officer, supervisor, 'CITY_LAW')).caseNumber);
    const cp = await openConsole(c);
    const { page } = cp;
    await signIn(page, cityLaw);
    // Issue 16: every role lands on its home screen; the list is one link away.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review queue' }).click();
    const table = page.getByRole('table');
    await table
      .getByRole('caption')
      .filter({ hasText: 'Pending and in review packets, oldest first: 21 in all' })
      .waitFor();
    await expect(table.getByRole('link').allTextContents()).resolves.toEqual(sent.slice(0, 20));
    const pages = page.getByRole('navigation', { name: 'Queue pages' });
    await expect(pages.textContent()).resolves.toContain('Page 1 of 2');
    await expect(pages.getByRole('button', { name: 'Previous page' }).isDisabled()).resolves.toBe(true);
    await pages.getByRole('button', { name: 'Next page' }).click();
    await pages.getByText('Page 2 of 2').waitFor();
    await settles(() => table.getByRole('link').allTextContents(), sent.slice(20));
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    await expect(pages.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true);
    await expectAccessible(page);
    expect(cp.cspViolations).toEqual([]);
    expect(cp.pageErrors).toEqual([]);
    await cp.context.close();
  }, 120_000);

  it('says "Signature INVALID" when the manifest does not match its signature', async () => {
    const cp = await openConsole(c);
    const { page } = cp;
    await signIn(page, prosecutor);
    // The manifest as a tampering intermediary would deliver it: one word of the narrative changed.
    await page.route('**/api/v1/packets/*/manifest', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      body.manifest.case.narrative = String(body.manifest.case.narrative).replace('Masked', 'Unmasked');
      await route.fulfill({ response: res, json: body });
    });
    await page.goto(`/packets/${newer.id}`);
    await page.getByRole('heading', { level: 1, name: `Packet ${newer.caseNumber}, version 1` }).waitFor();
    const alert = page.getByRole('alert').filter({ hasText: 'Signature INVALID' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('not to the recorded manifest SHA-256');
    await expect(page.getByText('Signature valid').count()).resolves.toBe(0);
    // Claimed by the colleague: no claim button and no decision form for this prosecutor.
    await expect(page.getByRole('button', { name: 'Claim this packet' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Review decision…' }).count()).resolves.toBe(0);
    await expectAccessible(page);
    expect(cp.cspViolations).toEqual([]);
    expect(cp.pageErrors).toEqual([]);
    await cp.context.close();
  }, 120_000);
});
