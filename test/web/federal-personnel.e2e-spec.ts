import type { Page } from 'playwright-core';
import { axeViolations, consoleSuite, screenshot, signIn } from '../harness/browser';
import { auditRows, FULL_CASE, type TestUser } from '../harness/test-app';

/*
 * Issue 15 section 2 in the console: the federal personnel index. The same masked supervisor (one badge written
 * two ways) in cases of districts 1 and 10, both sent to CCSAO: the CCSAO prosecutor sees one person with both
 * cases; a district 1 supervisor only their case; an auditor counts without names. Two unidentified agents
 * (the same description, one per district) are linked by one prosecutor with a reason and unlinked by another.
 */

const API = '/api/v1';
const BALACLAVA = 'Tall agent in a green balaclava, drove a black Suburban';
const LINK_REASON = 'Same green balaclava and black Suburban five weeks apart; BWC stills compared side by side.';
const UNLINK_REASON = 'The BWC stills show two different heights: not the same person.';

describe('web console: the federal personnel index', () => {
  const suite = consoleSuite();
  let o1: TestUser;
  let o10: TestUser;
  let sup1: TestUser;
  let sup10: TestUser;
  let ccsao: TestUser;
  let ccsao2: TestUser;
  let auditor: TestUser;
  let caseA: { id: string; caseNumber: string; packetId: string };
  let caseB: { id: string; caseNumber: string; packetId: string };

  const nameOf = async (u: TestUser) =>
    (await suite.c.t.owner.query(`SELECT display_name FROM users WHERE id = $1`, [u.id])).rows[0]
      .display_name as string;
  const expectAccessible = async (page: Page) => expect(await axeViolations(page)).toEqual([]);
  /** The page's width against the viewport's: equal when nothing makes a phone scroll sideways. */
  const sideways = (page: Page) =>
    page.evaluate(() => {
      const d = (
        globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
      ).document.documentElement;
      return { scrollWidth: d.scrollWidth, clientWidth: d.clientWidth };
    });
  const entries = (page: Page) => page.getByRole('list', { name: 'Federal personnel' }).locator('> li');
  const cases = (page: Page) =>
    page.getByRole('list', { name: 'Cases that record this entry, latest incident first' }).locator('> li');
  const links = (page: Page) => page.getByRole('list', { name: 'Links to other entries' }).locator('> li');

  /** A complete case recording these federal officers, submitted, approved by `sup` and sent to CCSAO. */
  async function sentCase(author: TestUser, sup: TestUser, officers: unknown[], fields: Record<string, unknown>) {
    const t = suite.c.t;
    const d = await t.given.draftCase(author, { ...FULL_CASE, ...fields });
    const o = await t
      .http()
      .put(`${API}/cases/${d.id}/federal-officers`)
      .set(author.auth)
      .set('If-Match', `"${d.version}"`)
      .send({ officers })
      .expect(200);
    await t
      .http()
      .put(`${API}/cases/${d.id}/violations`)
      .set(author.auth)
      .set('If-Match', `"${o.body.version}"`)
      .send({
        violations: [
          { citation: '720 ILCS 5/12-3', description: 'Battery of a bystander who filmed the arrest', felony: true },
        ],
      })
      .expect(200);
    await t.given.submit(author, d.id);
    await t.given.approve(sup, d.id);
    const p = await t.given.sendPacket(sup, d.id, 'CCSAO');
    return { id: d.id, caseNumber: d.caseNumber, packetId: p.id };
  }

  const masked = (badgeNumber: string, name: string | null) => ({
    isSupervisor: true,
    name,
    agency: 'ICE_ERO',
    badgeNumber,
    identificationOutcome: 'REFUSED',
    identificationMethod: 'Asked for name and badge; refused',
    masked: true,
  });

  beforeAll(async () => {
    const g = suite.c.t.given;
    [o1, o10, sup1, sup10, ccsao, ccsao2, auditor] = await Promise.all([
      g.officer(1),
      g.officer(10),
      g.supervisor(1),
      g.supervisor(10),
      g.prosecutor('CCSAO'),
      g.prosecutor('CCSAO'),
      g.auditor(),
    ]);
    caseA = await sentCase(
      o1,
      sup1,
      [masked('0471', null), { isSupervisor: false, agency: 'ICE_ERO', description: BALACLAVA }],
      { incidentLocation: '5500 S Pulaski Rd', activityType: 'ARREST', incidentAt: '2026-03-02T08:00:00-06:00' },
    );
    caseB = await sentCase(
      o10,
      sup10,
      [masked('#471', 'Sgt. D. Roe'), { isSupervisor: false, agency: 'ICE_ERO', description: BALACLAVA }],
      { incidentLocation: '1200 W Lawrence Ave', activityType: 'DETENTION', incidentAt: '2026-04-10T08:00:00-05:00' },
    );
  }, 180_000);

  it("CCSAO's prosecutor finds one person with cases of two districts, in words, and opens each through its packet", async () => {
    const page = await suite.open();
    await signIn(page, ccsao);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Federal personnel' }).click();
    await page.getByRole('heading', { level: 1, name: 'Federal personnel' }).waitFor();
    await page.getByLabel('Name, badge or description').fill('471');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '1 entry match “471”, most cases first' }).waitFor();
    expect(new URL(page.url()).search).toBe('?q=471');
    await expect(entries(page).count()).resolves.toBe(1);
    const card = entries(page).first();
    await expect(card.getByRole('heading', { level: 2 }).textContent()).resolves.toBe('Sgt. D. Roe');
    const text = (await card.textContent())!;
    for (const words of ['2 cases', 'ICE ERO', '#471, 0471', 'Federal supervisor on scene', 'Refused to identify'])
      expect(text).toContain(words);
    for (const code of ['ICE_ERO', 'REFUSED', 'SUPERVISOR']) expect(text).not.toContain(code); // words, not codes
    await expectAccessible(page);

    await card.getByRole('link', { name: 'Sgt. D. Roe' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sgt. D. Roe' }).waitFor();
    await expect(cases(page).count()).resolves.toBe(2);
    // Latest incident first: district 10's, then district 1's, each with date, place, activity, outcome, violations.
    const [b, a] = await cases(page).allTextContents();
    expect(b).toContain(caseB.caseNumber);
    for (const words of [
      'District 10',
      '1200 W Lawrence Ave',
      'Detention',
      'Sgt. D. Roe, badge #471',
      'Refused to identify',
      '720 ILCS 5/12-3 (felony): Battery of a bystander who filmed the arrest',
    ]) {
      expect(b).toContain(words);
    }
    expect(a).toContain(caseA.caseNumber);
    for (const words of [
      'District 1',
      '5500 S Pulaski Rd',
      'Arrest',
      'Federal supervisor on scene, badge 0471',
      'Refused to identify',
    ])
      expect(a).toContain(words);
    expect(await cases(page).nth(0).getByRole('link', { name: caseB.caseNumber }).getAttribute('href')).toBe(
      `/packets/${caseB.packetId}`,
    );
    expect(await cases(page).nth(1).getByRole('link', { name: caseA.caseNumber }).getAttribute('href')).toBe(
      `/packets/${caseA.packetId}`,
    );
    await expectAccessible(page);
    await screenshot(page, 'personnel-prosecutor');

    // The view was audited with the cases it showed.
    const entryId = new URL(page.url()).pathname.split('/').pop()!;
    const viewed = await auditRows(
      suite.c.t.owner,
      `action = 'federal_personnel.viewed' AND actor_id = $1 AND target_id = $2`,
      [ccsao.id, entryId],
    );
    expect(viewed.map((e) => e.details.caseIds)).toEqual([[caseB.id, caseA.id]]);

    // The case opens through the packet sent to the office.
    await cases(page).nth(1).getByRole('link', { name: caseA.caseNumber }).click();
    await page.waitForURL(`**/packets/${caseA.packetId}`);
    await page.getByRole('link', { name: 'Back to the review queue' }).waitFor();
  }, 120_000);

  it("a district 1 supervisor sees only their district's case; an auditor sees counts without names", async () => {
    const page = await suite.open();
    await signIn(page, sup1);
    await page.goto('/federal-personnel?q=471');
    await page.getByRole('status').filter({ hasText: '1 entry match “471”' }).waitFor();
    const card = entries(page).first();
    await expect(card.getByRole('heading', { level: 2 }).textContent()).resolves.toBe('Badge 0471'); // district 1 recorded no name
    expect(await card.textContent()).toContain('1 case');
    await card.getByRole('link', { name: 'Badge 0471' }).click();
    await page.getByRole('heading', { level: 1, name: 'Badge 0471' }).waitFor();
    await expect(cases(page).count()).resolves.toBe(1);
    expect(await cases(page).first().getByRole('link', { name: caseA.caseNumber }).getAttribute('href')).toBe(
      `/cases/${caseA.id}`,
    );
    const main = (await page.locator('main').textContent())!;
    for (const other of [caseB.caseNumber, 'Sgt. D. Roe', '#471', '1200 W Lawrence Ave'])
      expect(main).not.toContain(other);
    await expectAccessible(page);

    const audit = await suite.open();
    await signIn(audit, auditor);
    await audit.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Federal personnel' }).click();
    await audit.getByRole('heading', { level: 1, name: 'Federal personnel' }).waitFor();
    await audit
      .getByRole('status')
      .filter({ hasText: /entries, most cases first/ })
      .waitFor();
    await expect(audit.getByLabel('Name, badge or description').count()).resolves.toBe(0); // no search over names for auditors
    const top = entries(audit).first();
    expect(await top.textContent()).toContain('2 cases');
    await top.getByRole('heading', { level: 2 }).getByRole('link').click();
    await cases(audit).nth(1).waitFor();
    await expect(cases(audit).count()).resolves.toBe(2);
    expect(await cases(audit).first().getByRole('link', { name: caseB.caseNumber }).getAttribute('href')).toBe(
      `/audit/cases/${caseB.id}`,
    );
    const seen = (await audit.locator('main').textContent())!;
    for (const hidden of ['Roe', '471', 'balaclava', 'Lawrence', 'Pulaski', 'Battery'])
      expect(seen).not.toContain(hidden);
    await expectAccessible(audit);
  }, 120_000);

  it('one prosecutor links two unidentified agents with a reason; another undoes it with a reason; both shown and audited', async () => {
    const page = await suite.open();
    await signIn(page, ccsao);
    await page.goto('/federal-personnel?q=balaclava');
    await page.getByRole('status').filter({ hasText: '2 entries match “balaclava”' }).waitFor();
    await expect(entries(page).getByRole('heading', { level: 2 }).allTextContents()).resolves.toEqual([
      `Unidentified: ${BALACLAVA}`,
      `Unidentified: ${BALACLAVA}`,
    ]);
    const ids = await entries(page)
      .getByRole('heading', { level: 2 })
      .getByRole('link')
      .evaluateAll((as) => as.map((a) => (a as unknown as { pathname: string }).pathname.split('/').pop()!));
    await entries(page).first().getByRole('heading', { level: 2 }).getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: `Unidentified: ${BALACLAVA}` }).waitFor();
    await page.getByText('No user has linked this entry to another one.').waitFor();

    const form = page.getByRole('region', { name: 'Link to another entry' });
    await form.getByLabel('Find the other entry by name, badge or description').fill('green balaclava');
    await form.getByRole('button', { name: 'Find' }).click();
    const choice = form.getByRole('group', { name: 'The same person as this entry' }).getByRole('radio');
    await choice.first().waitFor();
    await expect(choice.count()).resolves.toBe(1); // the other one; never this entry itself
    // Without a reason: said next to the field, nothing recorded.
    await choice.check();
    await form.getByRole('button', { name: 'Link the two entries' }).click();
    await form.getByText('Give the reason the two are one person.').waitFor();
    const count = async () =>
      (
        await suite.c.t.owner.query(
          `SELECT count(*)::int AS n FROM federal_personnel_links WHERE entry_a = ANY($1) OR entry_b = ANY($1)`,
          [ids],
        )
      ).rows[0].n;
    expect(await count()).toBe(0);
    await form.getByLabel('Why are the two entries one person?').fill(LINK_REASON);
    await form.getByRole('button', { name: 'Link the two entries' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: `Linked to Unidentified: ${BALACLAVA}` })
      .waitFor();
    await links(page).first().waitFor(); // the entry reloaded with its link
    await expect(links(page).count()).resolves.toBe(1);
    const linkText = (await links(page).first().textContent())!;
    expect(linkText).toContain(`Linked to Unidentified: ${BALACLAVA} (ICE ERO, 1 case)`);
    expect(linkText).toContain(`by ${await nameOf(ccsao)}`);
    expect(linkText).toContain(`Reason: ${LINK_REASON}`);
    await expectAccessible(page);
    const {
      rows: [link],
    } = await suite.c.t.owner.query(`SELECT * FROM federal_personnel_links WHERE entry_a = ANY($1)`, [ids]);
    expect(link).toMatchObject({ reason: LINK_REASON, linked_by: ccsao.id, unlinked_at: null });
    expect([link.entry_a, link.entry_b].sort()).toEqual([...ids].sort());
    const [linked] = await auditRows(suite.c.t.owner, `action = 'federal_personnel.linked' AND target_id = $1`, [
      link.id,
    ]);
    expect(linked).toMatchObject({
      actor_id: ccsao.id,
      outcome: 'SUCCESS',
      details: { entries: [link.entry_a, link.entry_b], reason: LINK_REASON },
    });

    // Another prosecutor of the office, on the other entry: sees the link and its reason, and undoes it.
    const other = await suite.open();
    await signIn(other, ccsao2);
    await other.goto(`/federal-personnel/${ids[1]}`);
    await other.getByRole('heading', { level: 1, name: `Unidentified: ${BALACLAVA}` }).waitFor();
    const shown = links(other).first();
    expect(await shown.textContent()).toContain(`Reason: ${LINK_REASON}`);
    await shown.getByRole('button', { name: 'Undo this link' }).click();
    await shown.getByRole('button', { name: 'Undo the link' }).click();
    await shown.getByText('Give the reason the link is wrong.').waitFor();
    await shown.getByLabel('Why is this link wrong?').fill(UNLINK_REASON);
    await shown.getByRole('button', { name: 'Undo the link' }).click();
    const undone = links(other).first();
    await undone.getByText(`Undone by ${await nameOf(ccsao2)}`, { exact: false }).waitFor();
    const undoneText = (await undone.textContent())!;
    expect(undoneText).toContain('Was linked to');
    expect(undoneText).toContain(`Reason: ${LINK_REASON}`);
    expect(undoneText).toContain(`Why it was undone: ${UNLINK_REASON}`);
    await expect(undone.getByRole('button', { name: 'Undo this link' }).count()).resolves.toBe(0);
    await expectAccessible(other);
    await screenshot(other, 'personnel-unlinked');
    const {
      rows: [after],
    } = await suite.c.t.owner.query(`SELECT * FROM federal_personnel_links WHERE id = $1`, [link.id]);
    expect(after).toMatchObject({
      reason: LINK_REASON,
      linked_by: ccsao.id,
      unlinked_by: ccsao2.id,
      unlink_reason: UNLINK_REASON,
    });
    const [unlinked] = await auditRows(suite.c.t.owner, `action = 'federal_personnel.unlinked' AND target_id = $1`, [
      link.id,
    ]);
    expect(unlinked).toMatchObject({ actor_id: ccsao2.id, outcome: 'SUCCESS' });
    expect(unlinked.details).toMatchObject({ reason: UNLINK_REASON, linkReason: LINK_REASON, linkedBy: ccsao.id });

    // The first prosecutor, on reload, sees it undone too.
    await page.reload();
    await links(page).first().getByText(`Why it was undone: ${UNLINK_REASON}`).waitFor();
  }, 120_000);

  it('at 390 x 844 neither the index nor a person page scrolls sideways', async () => {
    const page = await suite.open();
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, ccsao);
    for (const path of ['/federal-personnel', '/federal-personnel?q=balaclava']) {
      await page.goto(path);
      await page
        .getByRole('status')
        .filter({ hasText: /match|entries|entry/ })
        .waitFor();
      const { scrollWidth, clientWidth } = await sideways(page);
      expect({ path, scrollWidth }).toEqual({ path, scrollWidth: clientWidth });
    }
    await entries(page).first().getByRole('heading', { level: 2 }).getByRole('link').click();
    await cases(page).first().waitFor();
    await page.waitForLoadState('networkidle');
    const person = await sideways(page);
    expect(person.scrollWidth).toBe(person.clientWidth);
    expect(person.clientWidth).toBeLessThanOrEqual(390);
    await screenshot(page, 'personnel-390', { fullPage: true });
    await page.goto('/federal-personnel?q=471');
    await entries(page).first().getByRole('heading', { level: 2 }).getByRole('link').click();
    await cases(page).nth(1).waitFor();
    const two = await sideways(page);
    expect(two.scrollWidth).toBe(two.clientWidth);
  }, 120_000);
});
