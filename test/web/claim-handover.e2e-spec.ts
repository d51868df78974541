import type { Page } from 'playwright-core';
import { axeViolations, consoleSuite, screenshot, signIn } from '../harness/browser';
import { auditRows, type TestUser } from '../harness/test-app';

/**
 * Issue 16 in the console: a prosecutor releases a claim (from the queue), hands a packet to a colleague of the office
 * (who then sees it as theirs and may decide it), and corrects a decision's external reference beside the decision.
 */
describe('web console: release, hand-over and reference correction (issue 16)', () => {
  const suite = consoleSuite();
  let officer: TestUser;
  let supervisor: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let bobName: string;

  beforeAll(async () => {
    const g = suite.c.t.given;
    [officer, supervisor, alice, bob] = await Promise.all([
      g.officer(6),
      g.supervisor(6),
      g.prosecutor('CCSAO'),
      g.prosecutor('CCSAO'),
    ]);
    bobName = (await suite.c.t.owner.query(`SELECT display_name FROM users WHERE id = $1`, [bob.id])).rows[0]
      .display_name;
  }, 120_000);

  const sent = () => suite.c.t.given.sentPacket(officer, supervisor, 'CCSAO');
  const packetRow = async (id: string) =>
    (
      await suite.c.t.owner.query(
        `SELECT status, claimed_by, decision, external_reference, manifest_sha256 FROM packets WHERE id = $1`,
        [id],
      )
    ).rows[0];
  /** Focus moved to the element whose text is `text` (it moves once the element is on screen). */
  const focusedOn = (page: Page, text: string) =>
    page.waitForFunction(
      `document.activeElement !== null && document.activeElement.textContent === ${JSON.stringify(text)}`,
      undefined,
      { timeout: 5000 },
    );
  const row = (page: Page, caseNumber: string) =>
    page.getByRole('row').filter({ has: page.getByRole('link', { name: caseNumber, exact: true }) });

  it("releases one's own claim from the queue: back to pending, claimable again, without a confirmation (it is reversible)", async () => {
    const p = await sent();
    await suite.c.t.given.claim(alice, p.id);
    const page = await suite.open();
    await signIn(page, alice);
    await page.goto('/review-queue');
    const r = row(page, p.caseNumber);
    await r.getByRole('button', { name: `Release ${p.caseNumber} v1` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `You released packet version 1 of case ${p.caseNumber}. It is back in the queue, unclaimed.` })
      .waitFor();
    await r.getByRole('button', { name: `Claim ${p.caseNumber} v1` }).waitFor();
    await expect(r.textContent()).resolves.toContain('Pending');
    expect(await packetRow(p.id)).toMatchObject({ status: 'PENDING', claimed_by: null });
    const events = await auditRows(suite.c.t.owner, `target_id = $1 AND action = 'packet.released'`, [p.id]);
    expect(events.map((e) => [e.actor_id, e.outcome, e.details.basis])).toEqual([[alice.id, 'SUCCESS', 'CLAIMANT']]);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("hands a packet to a colleague chosen from the office's list, after one confirmation; the colleague then sees it as theirs and decides it", async () => {
    const p = await sent();
    await suite.c.t.given.claim(alice, p.id);
    const page = await suite.open();
    await signIn(page, alice);
    await page.goto(`/packets/${p.id}`);
    const review = page.getByRole('region', { name: 'Review' });
    const handOver = review.getByRole('region', { name: 'Release or hand over' });
    await handOver.waitFor();
    // The list is the office's other active prosecutors: Bob is there, Alice is not.
    await handOver.getByLabel('Colleague').locator('option', { hasText: bobName }).waitFor({ state: 'attached' });
    const options = await handOver.getByLabel('Colleague').locator('option').allTextContents();
    expect(options).toContain(bobName);
    const aliceName = (await suite.c.t.owner.query(`SELECT display_name FROM users WHERE id = $1`, [alice.id])).rows[0]
      .display_name;
    expect(options).not.toContain(aliceName);
    await handOver.getByRole('button', { name: 'Hand over…' }).click();
    // Nothing chosen yet: said next to the fields, nothing sent.
    await handOver.getByText('Choose the colleague who takes the packet over.').waitFor();
    await handOver.getByText('Say why you hand it over.').waitFor();
    await handOver.getByLabel('Colleague').selectOption({ label: bobName });
    await handOver.getByLabel('Why you hand it over').fill('Bob handles Border Patrol matters.');
    await handOver.getByRole('button', { name: 'Hand over…' }).click();
    const confirm = handOver.getByRole('group', { name: `Hand this packet to ${bobName}?` });
    await confirm.waitFor();
    await expect(confirm.textContent()).resolves.toMatch(
      /will hold the claim and record the decision\. You will no longer be able to decide this packet or take it\s+back yourself/,
    );
    // Focus moves into the confirmation.
    await focusedOn(page, `Hand this packet to ${bobName}?`);
    expect(await packetRow(p.id)).toMatchObject({ status: 'IN_REVIEW', claimed_by: alice.id }); // asked, not done yet
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'prosecutor-hand-over');
    await confirm.getByRole('button', { name: `Yes, hand it to ${bobName}` }).click();
    await review
      .getByRole('status')
      .filter({ hasText: `Packet version 1 of case ${p.caseNumber} is now ${bobName}'s to review and decide.` })
      .waitFor();
    await review.getByText(`${bobName} is reviewing this packet. Only they can record its decision.`).waitFor();
    await expect(review.getByRole('heading', { name: 'Record your decision' }).count()).resolves.toBe(0);
    expect(await packetRow(p.id)).toMatchObject({ status: 'IN_REVIEW', claimed_by: bob.id });
    const events = await auditRows(suite.c.t.owner, `target_id = $1 AND action = 'packet.handed_over'`, [p.id]);
    expect(events.map((e) => [e.actor_id, e.details.from.id, e.details.to.id, e.details.reason])).toEqual([
      [alice.id, alice.id, bob.id, 'Bob handles Border Patrol matters.'],
    ]);

    // Bob: the queue says it is his, and the packet offers him the decision.
    const bobPage = await suite.open();
    await signIn(bobPage, bob);
    await bobPage.goto('/review-queue');
    const r = row(bobPage, p.caseNumber);
    await expect(r.getByRole('cell').nth(5).textContent()).resolves.toMatch(/^You/);
    await r.getByRole('button', { name: `Release ${p.caseNumber} v1` }).waitFor();
    await r.getByRole('link', { name: p.caseNumber, exact: true }).click();
    const bobReview = bobPage.getByRole('region', { name: 'Review' });
    await bobReview.getByRole('heading', { name: 'Record your decision' }).waitFor();
    await expect(bobReview.textContent()).resolves.toContain('Claimed byYou');
  });

  it('corrects the external reference beside the decision, after one confirmation: the decision stays as decided', async () => {
    const p = await sent();
    await suite.c.t.given.claim(alice, p.id);
    await suite.c.t.given.decide(alice, p.id, {
      decision: 'CHARGES_FILED',
      reason: 'Probable cause for unlawful restraint.',
      externalReference: '2026-CR-0012345',
    });
    const before = await packetRow(p.id);
    const page = await suite.open();
    await signIn(page, alice);
    await page.goto(`/packets/${p.id}`);
    const review = page.getByRole('region', { name: 'Review' });
    await review.getByRole('heading', { name: 'Decision recorded' }).waitFor();
    await review.getByRole('button', { name: 'Correct the external reference…' }).click();
    await focusedOn(page, 'Correct the external reference');
    await review.getByLabel('Correct external reference').fill('2026-CR-0012345');
    await review.getByLabel('Why the reference is corrected').fill('The clerk assigned ...346; ...345 was a typo.');
    await review.getByRole('button', { name: 'Review correction…' }).click();
    await review.getByText('The reference is already 2026-CR-0012345.').waitFor();
    await review.getByLabel('Correct external reference').fill('2026-CR-0012346');
    await review.getByRole('button', { name: 'Review correction…' }).click();
    const confirm = review.getByRole('group', { name: 'Record this correction?' });
    await expect(confirm.textContent()).resolves.toMatch(
      /From2026-CR-0012345To2026-CR-0012346Reason.*typo\..*The decision and the signed packet are not changed\./,
    );
    await focusedOn(page, 'Record this correction?');
    expect(await axeViolations(page)).toEqual([]);
    await confirm.getByRole('button', { name: 'Yes, record the correction' }).click();
    await review
      .getByRole('status')
      .filter({ hasText: 'External reference corrected to 2026-CR-0012346. The decision itself is unchanged.' })
      .waitFor();
    // The packet is read again after the change: wait for it, then read what it says.
    await review.locator('.notice').getByText('As decided: 2026-CR-0012345').waitFor();
    const facts = review.locator('.notice dl.facts').first();
    await expect(facts.textContent()).resolves.toMatch(
      /DecisionCharges filed.*External reference2026-CR-0012346 \(corrected\)As decided: 2026-CR-0012345/,
    );
    const list = review.getByRole('list', { name: 'Corrections of the external reference' });
    await expect(list.textContent()).resolves.toMatch(
      /Corrected to 2026-CR-0012346 \(was 2026-CR-0012345\) by .+\.Reason: The clerk assigned \.\.\.346; \.\.\.345 was a typo\./,
    );
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'prosecutor-reference-correction');
    // The decision row and the signed manifest are as decided; the correction is its own row.
    expect(await packetRow(p.id)).toEqual(before);
    const { rows } = await suite.c.t.owner.query(
      `SELECT seq, previous_reference, external_reference, corrected_by FROM packet_reference_corrections WHERE packet_id = $1`,
      [p.id],
    );
    expect(rows).toEqual([
      { seq: 1, previous_reference: '2026-CR-0012345', external_reference: '2026-CR-0012346', corrected_by: alice.id },
    ]);

    // Another prosecutor of the office sees the correction, and no form to correct it.
    const bobPage = await suite.open();
    await signIn(bobPage, bob);
    await bobPage.goto(`/packets/${p.id}`);
    const bobReview = bobPage.getByRole('region', { name: 'Review' });
    await bobReview.getByRole('list', { name: 'Corrections of the external reference' }).waitFor();
    await expect(bobReview.getByRole('button', { name: 'Correct the external reference…' }).count()).resolves.toBe(0);
  });
});
