import { randomBytes } from 'node:crypto';
import type { Locator } from 'playwright-core';
import {
  acknowledgeNotice,
  axeViolations,
  ConsoleUnderTest,
  field,
  fieldErrorOf,
  openConsole,
  screenshot,
  signIn,
  startConsole,
  userRowOf,
} from '../harness/browser';
import { auditRows, TestUser } from '../harness/test-app';

async function cells(row: Locator): Promise<string[]> {
  return (await row.locator('td').allTextContents()).map((t) => t.trim());
}

describe('web console: the administrator creates, changes and deactivates accounts', () => {
  let c: ConsoleUnderTest;
  let admin: TestUser;
  let changing: TestUser;
  let leaving: TestUser;

  beforeAll(async () => {
    c = await startConsole();
    [admin, changing, leaving] = await Promise.all([c.t.given.admin(), c.t.given.officer(3), c.t.given.officer(4)]);
  }, 180_000);
  afterAll(() => c?.close());

  it('field errors next to the fields, a created officer, a role change, a refused self-deactivation, and a deactivated user locked out', async () => {
    // The account about to be deactivated is signed in at another computer.
    const elsewhere = await openConsole(c);
    await signIn(elsewhere.page, leaving);

    const { page, cspViolations, pageErrors } = await openConsole(c);
    await signIn(page, admin);
    // Issue 16: every role lands on its home screen; the users are one link away.
    expect(new URL(page.url()).pathname).toBe('/home');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    expect(new URL(page.url()).pathname).toBe('/admin/users');
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await userRowOf(page, leaving.username).waitFor();
    expect(await cells(userRowOf(page, leaving.username))).toEqual(
      expect.arrayContaining(['Officer', 'District 4', 'Active', 'Not locked']),
    );
    expect(await axeViolations(page)).toEqual([]);

    // --- create an officer: a weak password first, then no district, then right ---------------------
    const username = `jrivera-${randomBytes(3).toString('hex')}`;
    const weak = 'short-pw';
    const strong = `Lake Shore ${randomBytes(6).toString('hex')} Drive`;
    await field(page, 'Role').selectOption('OFFICER');
    await field(page, 'District').waitFor();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Display name').fill('Officer Julia Rivera');
    await page.getByLabel('Badge number').fill('D7-4411');
    await page.getByLabel('Initial password').fill(weak);
    await page.getByRole('button', { name: 'Create user' }).click();
    expect(await fieldErrorOf(page, 'Initial password')).toBe(
      'Choose a password of 12 to 128 characters, on one line.',
    );
    expect(await page.getByRole('alert').textContent()).toContain('The user was not created');
    // What was typed is kept for a session that ends mid-form, except the password.
    const stored = (await page.evaluate('JSON.stringify(Object.assign({}, sessionStorage))')) as string;
    expect(stored).toContain(username);
    expect(stored).not.toContain(weak);

    await page.getByLabel('Initial password').fill(strong);
    await page.getByRole('button', { name: 'Create user' }).click();
    expect(await fieldErrorOf(page, 'District')).toBe(
      'Officers and supervisors need a police district; other roles have none.',
    );
    expect(await page.locator('.field.has-error').count()).toBe(1); // the password is fine now
    expect(await axeViolations(page)).toEqual([]);

    await field(page, 'District').selectOption('7');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Created ${username} (officer, District 7)` })
      .waitFor();
    expect(await page.getByLabel('Username').inputValue()).toBe(''); // a fresh form
    expect(await page.getByLabel('Initial password').inputValue()).toBe('');
    await userRowOf(page, username).waitFor();
    expect(await cells(userRowOf(page, username))).toEqual([
      username,
      'Officer Julia Rivera',
      'Officer',
      'District 7',
      'D7-4411',
      'Active',
      'Not locked',
      'Never',
      expect.any(String),
    ]);
    const {
      rows: [created],
    } = await c.t.owner.query('SELECT * FROM users WHERE username = $1', [username]);
    expect(created).toMatchObject({
      role: 'OFFICER',
      district: 7,
      office: null,
      badge_number: 'D7-4411',
      active: true,
      display_name: 'Officer Julia Rivera',
    });
    expect(created.password_hash).toMatch(/^\$argon2id\$/);
    const [createdEvent] = await auditRows(c.t.owner, `action = 'user.created' AND target_id = $1`, [created.id]);
    expect(createdEvent).toMatchObject({
      actor_id: admin.id,
      actor_role: 'ADMIN',
      outcome: 'SUCCESS',
      target_type: 'user',
    });
    expect(createdEvent.details).toMatchObject({
      username,
      role: 'OFFICER',
      district: 7,
      office: null,
      badgeNumber: 'D7-4411',
    });
    expect(JSON.stringify(createdEvent.details)).not.toContain(strong);
    // the two refused attempts are on record too, naming the field (never the password typed)
    const refusedCreates = await auditRows(c.t.owner, `action = 'user.create' AND actor_id = $1`, [admin.id]);
    expect(refusedCreates.map((r) => [r.outcome, r.details.fields])).toEqual([
      ['FAILED', ['password']],
      ['FAILED', ['district']],
    ]);
    expect(JSON.stringify(refusedCreates)).not.toContain(weak);
    // the new officer can sign in with the initial password
    expect(await c.t.given.login(username, strong)).toEqual(expect.any(String));

    // --- change a role: officer of district 3 -> prosecutor (CCSAO) ---------------------------------
    await page.getByRole('button', { name: `Change role of ${changing.username}` }).click();
    const roleForm = page.getByRole('form', { name: `Change the role of ${changing.username}` });
    await field(roleForm, 'New role').selectOption('PROSECUTOR');
    await roleForm.getByRole('button', { name: 'Save role' }).click();
    expect(await fieldErrorOf(roleForm, 'Office')).toBe(
      "Prosecutors need an office (the State's Attorney or the Department of Law); other roles have none.",
    );
    await field(roleForm, 'Office').selectOption('CCSAO');
    await roleForm.getByRole('button', { name: 'Save role' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${changing.username} is now prosecutor (Cook County State's Attorney (CCSAO))` })
      .waitFor();
    await userRowOf(page, changing.username).filter({ hasText: 'Prosecutor' }).waitFor(); // the list, reloaded
    expect(await cells(userRowOf(page, changing.username))).toEqual(
      expect.arrayContaining(['Prosecutor', "Cook County State's Attorney (CCSAO)"]),
    );
    const {
      rows: [changed],
    } = await c.t.owner.query('SELECT role, district, office FROM users WHERE id = $1', [changing.id]);
    expect(changed).toEqual({ role: 'PROSECUTOR', district: null, office: 'CCSAO' });
    const roleEvents = await auditRows(c.t.owner, `action = 'user.updated' AND target_id = $1`, [changing.id]);
    expect(roleEvents).toHaveLength(1); // the refused attempt changed nothing
    expect(roleEvents[0]).toMatchObject({ actor_id: admin.id, outcome: 'SUCCESS' });
    expect(roleEvents[0].details.changes).toEqual({
      role: { from: 'OFFICER', to: 'PROSECUTOR' },
      district: { from: 3, to: null },
      office: { from: null, to: 'CCSAO' },
    });

    // --- an administrator cannot deactivate themselves: no such button on their own row (the service refuses it too) ---
    await userRowOf(page, admin.username).getByRole('button', { name: 'Edit details' }).waitFor();
    expect(
      await userRowOf(page, admin.username)
        .getByRole('button', { name: /Deactivate/ })
        .count(),
    ).toBe(0);
    expect(
      await userRowOf(page, admin.username)
        .getByRole('button', { name: /Reset password/ })
        .count(),
    ).toBe(0);

    // --- deactivate a user, after confirming ---------------------------------------------------------
    await page.getByRole('button', { name: `Deactivate ${leaving.username}` }).click();
    await page.getByText(`Deactivate ${leaving.username} (`).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // A reason is required: asked for, next to its field, before anything is sent.
    await page.getByRole('button', { name: `Yes, deactivate ${leaving.username}` }).click();
    expect(await fieldErrorOf(page, 'Reason for deactivating')).toBe('Say why the account is being deactivated.');
    expect(await page.evaluate('document.activeElement && document.activeElement.tagName')).toBe('TEXTAREA');
    await field(page, 'Reason for deactivating').fill('Resigned from the department on 1 December 2026');
    await page.getByRole('button', { name: `Yes, deactivate ${leaving.username}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Deactivated ${leaving.username}: they are signed out and can no longer sign in.` })
      .waitFor();
    await userRowOf(page, leaving.username)
      .getByText('Reason: Resigned from the department on 1 December 2026', { exact: false })
      .waitFor();
    await userRowOf(page, leaving.username).getByRole('button', { name: 'Reactivate' }).waitFor(); // the list, reloaded
    expect((await cells(userRowOf(page, leaving.username)))[5]).toMatch(
      /^DeactivatedReason: Resigned from the department on 1 December 2026 \(/,
    );
    const {
      rows: [gone],
    } = await c.t.owner.query('SELECT active FROM users WHERE id = $1', [leaving.id]);
    expect(gone.active).toBe(false);
    const [deactivation] = await auditRows(c.t.owner, `action = 'user.updated' AND target_id = $1`, [leaving.id]);
    expect(deactivation).toMatchObject({ actor_id: admin.id, outcome: 'SUCCESS' });
    expect(deactivation.details.changes).toEqual({ active: { from: true, to: false } });
    expect(deactivation.details.deactivationReason).toBe('Resigned from the department on 1 December 2026');

    await screenshot(page, 'admin-flow');

    // only the deactivated, when asked
    await page.getByLabel('Show status').selectOption('inactive');
    await page.locator('table.users caption', { hasText: 'deactivated only' }).waitFor();
    expect((await page.locator('table.users tbody tr td:first-child').allTextContents()).map((t) => t.trim())).toEqual([
      leaving.username,
    ]);
    expect(await axeViolations(page)).toEqual([]);

    // --- the deactivated user: their open session ends, and signing in is refused -----------------
    await elsewhere.page.reload();
    await elsewhere.page.getByRole('heading', { level: 1, name: 'Your session has ended' }).waitFor();
    await elsewhere.page.getByLabel('Password').fill(leaving.password);
    await acknowledgeNotice(elsewhere.page);
    await elsewhere.page.getByRole('button', { name: 'Sign in' }).click();
    const denied = elsewhere.page.getByRole('alert');
    await denied.waitFor();
    expect(await denied.textContent()).toContain('The username or password is wrong.');
    expect(await denied.textContent()).not.toContain('Reference for support');
    expect(await elsewhere.page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await axeViolations(elsewhere.page)).toEqual([]);
    const logins = await auditRows(c.t.owner, `action = 'auth.login' AND target_id = $1`, [leaving.id]);
    expect(logins[logins.length - 1]).toMatchObject({ outcome: 'FAILED', actor_role: 'ANONYMOUS' });
    expect(logins[logins.length - 1].details).toMatchObject({ username: leaving.username, reason: 'account_inactive' });

    for (const p of [{ cspViolations, pageErrors }, elsewhere]) {
      expect(p.cspViolations).toEqual([]);
      expect(p.pageErrors).toEqual([]);
    }
  }, 180_000);
});
