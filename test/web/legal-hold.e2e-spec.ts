import type { Client } from 'minio';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { axeViolations, consoleSuite, screenshot, signIn } from '../harness/browser';
import { CephTestStorage, legalHoldOf, s3Refusal } from '../harness/ceph-storage';
import { auditRows, type TestUser } from '../harness/test-app';

/*
 * Issue 19, section 3, in the console: on Ceph RGW (S3 Object Lock), a supervisor of the district who did not write
 * the case sees each item's legal hold and releases it after the case ended (reason, reference, a confirmation
 * that says what a release means), places it again; a prosecutor the packet went to places one. Every outcome is
 * read back from the engine by the version id the database records.
 */

const API = '/api/v1';

describe('web console: legal holds (Ceph RGW, Object Lock)', () => {
  const suite = consoleSuite({ storage: 'ceph' });
  let engine: Client;
  let storage: CephTestStorage;
  let officer: TestUser;
  let supervisor: TestUser;
  let prosecutor: TestUser;
  let withdrawn: { id: string; caseNumber: string };
  let closed: { id: string; caseNumber: string; packetId: string };

  const upload = async (caseId: string, name: string) =>
    suite.c.t.given.evidence(officer, caseId, randomBytes(2048), `kind=BWC&deviceId=AXON-7&originalFilename=${name}`);
  const row = async (name: string) =>
    (
      await suite.c.t.owner.query(
        `SELECT id, case_id, storage_key, storage_version_id FROM evidence WHERE original_filename = $1`,
        [name],
      )
    ).rows[0] as { id: string; case_id: string; storage_key: string; storage_version_id: string };
  const holdOf = async (name: string) => {
    const r = await row(name);
    return legalHoldOf(engine, storage.bucket, r.storage_key, r.storage_version_id);
  };
  const holds = (page: Page) => page.getByRole('region', { name: 'Legal holds' });
  const item = (page: Page, name: string) => holds(page).getByRole('group', { name: `Legal hold of ${name}` });

  beforeAll(async () => {
    const t = suite.c.t;
    storage = t.storage as CephTestStorage;
    engine = storage.newClient();
    [officer, supervisor, prosecutor] = await Promise.all([
      t.given.officer(1),
      t.given.supervisor(1),
      t.given.prosecutor('CCSAO'),
    ]);
    // A case the officer opened, with two files, withdrawn by the supervisor.
    const draft = await t.given.draftCase(officer);
    await upload(draft.id, 'bwc-release.mp4');
    await upload(draft.id, 'bwc-refused.mp4');
    const w = await t.given.withdraw(supervisor, draft.id, draft.version);
    withdrawn = { id: w.id, caseNumber: w.caseNumber };
    // A case sent to CCSAO and decided (CLOSED); its file's hold released by the supervisor.
    const c = await t.given.caseReadyToSubmit(officer);
    await upload(c.id, 'bwc-court.mp4');
    await t.given.submit(officer, c.id);
    await t.given.approve(supervisor, c.id);
    const p = await t.given.sendPacket(supervisor, c.id, 'CCSAO');
    await t.given.claim(prosecutor, p.id);
    const decided = await t
      .http()
      .post(`${API}/packets/${p.id}/decision`)
      .set(prosecutor.auth)
      .send({ decision: 'CHARGES_FILED', reason: 'Charged with battery.', externalReference: '2026-CR-0099' });
    expect(decided.status).toBe(200);
    const court = await row('bwc-court.mp4');
    const released = await t
      .http()
      .post(`${API}/evidence/${court.id}/legal-hold/release`)
      .set(supervisor.auth)
      .send({ reason: 'Judgment final.', reference: 'Cook County 2026-CR-0099, order of 2031-01-05' });
    expect(released.status).toBe(200);
    closed = { id: c.id, caseNumber: c.caseNumber, packetId: p.id };
  }, 180_000);

  it('a supervisor who did not write the case sees the hold, releases it after confirming what that means, and places it again', async () => {
    const page = await suite.open();
    await signIn(page, supervisor);
    await page.goto(`/cases/${withdrawn.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${withdrawn.caseNumber}` }).waitFor();
    const it = item(page, 'bwc-release.mp4');
    await it.getByText('Legal hold on', { exact: true }).waitFor();
    expect(await it.textContent()).toMatch(/Under legal hold, since upload .*COMPLIANCE retention runs until/);
    expect(await axeViolations(page)).toEqual([]);

    await it.getByRole('button', { name: 'Release legal hold…' }).click();
    const continueButton = it.getByRole('button', { name: 'Continue' });
    expect(await continueButton.isDisabled()).toBe(true); // reason and reference are both required
    await it.getByLabel('Why the hold may be released (required)').fill('The case was withdrawn: opened by mistake.');
    await it
      .getByLabel('Court order or prosecutor office reference that allows it (required)')
      .fill('Dept. of Law memo 2031-17');
    await continueButton.click();
    const confirmation = it.getByRole('group', { name: 'Release the legal hold of bwc-release.mp4?' });
    await confirmation.waitFor();
    const said = await confirmation.textContent();
    expect(said).toContain('The file is not deleted');
    expect(said).toContain('its COMPLIANCE retention still runs');
    expect(said).toContain('reference Dept. of Law memo 2031-17');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'legal-hold-release-confirm');
    expect(await holdOf('bwc-release.mp4')).toBe('ON'); // nothing sent before the confirmation

    await confirmation.getByRole('button', { name: 'Yes, release the legal hold' }).click();
    await it.getByRole('status').filter({ hasText: 'The legal hold of bwc-release.mp4 is released.' }).waitFor();
    await it.getByText('Legal hold off', { exact: true }).waitFor();
    expect(await it.textContent()).toContain('reference Dept. of Law memo 2031-17');
    expect(await holdOf('bwc-release.mp4')).toBe('OFF');
    const r = await row('bwc-release.mp4');
    expect(
      await auditRows(suite.c.t.owner, `action = 'evidence.legal_hold_released' AND target_id = $1`, [r.id]),
    ).toEqual([
      expect.objectContaining({
        actor_id: supervisor.id,
        outcome: 'SUCCESS',
        details: expect.objectContaining({
          reason: 'The case was withdrawn: opened by mistake.',
          reference: 'Dept. of Law memo 2031-17',
          legalHold: false,
        }),
      }),
    ]);

    await it.getByRole('button', { name: 'Place legal hold…' }).click();
    await it.getByLabel('Why the hold is placed (required)').fill('A civil claim was announced.');
    await it.getByRole('button', { name: 'Place legal hold', exact: true }).click();
    await it.getByRole('status').filter({ hasText: 'bwc-release.mp4 is under legal hold.' }).waitFor();
    await it.getByText('Legal hold on', { exact: true }).waitFor();
    expect(await it.textContent()).toContain('placed again on');
    expect(await holdOf('bwc-release.mp4')).toBe('ON');
  });

  it('a refusal of the storage engine is shown in words, naming its code; the hold stays on', async () => {
    const r = await row('bwc-refused.mp4');
    await engine.setBucketPolicy(
      storage.bucket,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: ['*'] },
            Action: ['s3:PutObjectLegalHold'],
            Resource: [`arn:aws:s3:::${storage.bucket}/${r.storage_key}`],
          },
        ],
      }),
    );
    try {
      const page = await suite.open();
      await signIn(page, supervisor);
      await page.goto(`/cases/${withdrawn.id}`);
      const it = item(page, 'bwc-refused.mp4');
      await it.getByRole('button', { name: 'Release legal hold…' }).click();
      await it.getByLabel('Why the hold may be released (required)').fill('Withdrawn case.');
      await it.getByLabel('Court order or prosecutor office reference that allows it (required)').fill('Memo 2031-18');
      await it.getByRole('button', { name: 'Continue' }).click();
      await it.getByRole('button', { name: 'Yes, release the legal hold' }).click();
      const alert = it.getByRole('alert');
      await alert.waitFor();
      const text = await alert.textContent();
      expect(text).toContain(
        'The legal hold was not released: The storage engine refused to release the legal hold of evidence',
      );
      expect(text).toContain('(AccessDenied)');
      expect(text).toContain('not an outage');
      await it.getByText('Legal hold on', { exact: true }).waitFor();
    } finally {
      await engine.setBucketPolicy(storage.bucket, '').catch(() => undefined); // RGW answers 200 where minio-js expects 204
      expect(await s3Refusal(engine.getBucketPolicy(storage.bucket))).toBe('NoSuchBucketPolicy');
    }
    expect(await holdOf('bwc-refused.mp4')).toBe('ON');
  });

  it('a prosecutor of the office the packet went to sees the released hold and places it again; releasing is not offered', async () => {
    const page = await suite.open();
    await signIn(page, prosecutor);
    await page.goto(`/packets/${closed.packetId}`);
    await holds(page).getByRole('button', { name: 'Show legal hold: bwc-court.mp4' }).click();
    const it = item(page, 'bwc-court.mp4');
    await it.getByText('Legal hold off', { exact: true }).waitFor();
    expect(await it.textContent()).toContain('reference Cook County 2026-CR-0099, order of 2031-01-05');
    expect(await it.getByRole('button', { name: 'Release legal hold…' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await it.getByRole('button', { name: 'Place legal hold…' }).click();
    await it.getByLabel('Why the hold is placed (required)').fill('Post-conviction petition filed.');
    await it.getByLabel('Reference (optional)').fill('CCSAO 2031-PC-12');
    await it.getByRole('button', { name: 'Place legal hold', exact: true }).click();
    await item(page, 'bwc-court.mp4').getByText('Legal hold on', { exact: true }).waitFor();
    expect(await holdOf('bwc-court.mp4')).toBe('ON');
    const r = await row('bwc-court.mp4');
    expect(
      await auditRows(suite.c.t.owner, `action = 'evidence.legal_hold_placed' AND target_id = $1`, [r.id]),
    ).toEqual([
      expect.objectContaining({
        actor_id: prosecutor.id,
        details: expect.objectContaining({ reason: 'Post-conviction petition filed.', reference: 'CCSAO 2031-PC-12' }),
      }),
    ]);
  });
});
