import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { axeViolations, consoleSuite, screenshot, signIn } from '../harness/browser';
import { pdfText } from '../harness/pdf-text';
import { auditRows, type TestUser } from '../harness/test-app';

const API = '/api/v1';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/*
 * Issue 15 §4 in the console: the prosecutor downloads the case report from the packet screen, the supervisor
 * from the case's list of packets. The file saved is the PDF the signed manifest records, byte for byte.
 */
describe('web console: the case report (PDF) of a sent case', () => {
  const suite = consoleSuite();
  let officer: TestUser;
  let supervisor: TestUser;
  let prosecutor: TestUser;
  let kase: { id: string; caseNumber: string };
  let packetId: string;
  let signed: { sha256: string; sizeBytes: number };

  beforeAll(async () => {
    const t = suite.c.t;
    [officer, supervisor, prosecutor] = await Promise.all([
      t.given.officer(6),
      t.given.supervisor(6),
      t.given.prosecutor('CCSAO'),
    ]);
    const c = await t.given.caseReadyToSubmit(officer);
    await t.given.evidence(officer, c.id, randomBytes(4096), 'kind=BWC&deviceId=AXON-9&originalFilename=stop-0412.mp4');
    await t.given.submit(officer, c.id);
    await t.given.approve(supervisor, c.id);
    const p = await t.given.sendPacket(supervisor, c.id, 'CCSAO');
    kase = { id: c.id, caseNumber: c.caseNumber };
    packetId = p.id;
    signed = (await t.http().get(`${API}/packets/${p.id}/manifest`).set(prosecutor.auth).expect(200)).body.manifest
      .caseReport;
  });

  it('the prosecutor clicks "Case report (PDF)" on the packet screen and saves exactly the signed report; the read is audited', async () => {
    const page = await suite.open();
    await signIn(page, prosecutor);
    await page.goto(`/packets/${packetId}`);
    const panel = page.getByRole('region', { name: 'Case report' });
    await page.getByRole('status').filter({ hasText: 'Signature valid' }).waitFor();
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      panel.getByRole('button', { name: 'Case report (PDF)' }).click(),
    ]);
    expect(dl.suggestedFilename()).toBe(`${kase.caseNumber}-packet-v1-case-report.pdf`);
    const pdf = readFileSync(await dl.path());
    expect({ sha256: sha256(pdf), sizeBytes: pdf.length }).toEqual({
      sha256: signed.sha256,
      sizeBytes: signed.sizeBytes,
    });
    await panel.getByRole('status').filter({ hasText: 'exactly the report the signed manifest records' }).waitFor();
    await expect(panel.getByRole('status').textContent()).resolves.toContain(signed.sha256);

    const { pages } = await pdfText(pdf);
    pages.forEach((text, i) =>
      expect(text).toContain(`Case ${kase.caseNumber} · packet v1 · page ${i + 1} of ${pages.length}`),
    );
    expect(pages.join('\n').replace(/\s+/g, '')).toContain('stop-0412.mp4');

    const events = await auditRows(suite.c.t.owner, `action = 'packet.case_report.downloaded' AND target_id = $1`, [
      packetId,
    ]);
    expect(events.map((e) => [e.actor_id, e.outcome])).toEqual([[prosecutor.id, 'SUCCESS']]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'case-report-prosecutor');
  });

  it("the supervisor downloads it from the case's packets", async () => {
    const page = await suite.open();
    await signIn(page, supervisor);
    await page.goto(`/cases/${kase.id}`);
    const packets = page.getByRole('region', { name: 'Packets sent to prosecutors' });
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      packets.getByRole('button', { name: 'Case report v1 (PDF)' }).click(),
    ]);
    const pdf = readFileSync(await dl.path());
    expect(sha256(pdf)).toBe(signed.sha256);
    await packets
      .getByRole('status')
      .filter({ hasText: `Saved ${kase.caseNumber}-packet-v1-case-report.pdf` })
      .waitFor();
    const events = await auditRows(
      suite.c.t.owner,
      `action = 'packet.case_report.downloaded' AND target_id = $1 AND actor_id = $2`,
      [packetId, supervisor.id],
    );
    expect(events).toHaveLength(1);
  });
});
