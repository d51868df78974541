import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { DEFAULT_SYSTEM_USE_NOTICE } from '../../libs/auth/src/auth.config';
import {
  acknowledgeNotice,
  axeViolations,
  consoleSuite,
  field,
  fieldErrorOf,
  screenshot,
  signIn,
  userRowOf,
} from '../harness/browser';
import { auditRows, TestUser } from '../harness/test-app';

const activeTag = (page: Page) =>
  page.evaluate(
    'document.activeElement ? document.activeElement.tagName + "|" + (document.activeElement.getAttribute("type") || "") + "|" + (document.activeElement.textContent || "").slice(0, 200) : ""',
  ) as Promise<string>;

describe("web console (issue 16): the system use notification, the administrator's edits, a reset password changed at sign-in", () => {
  const suite = consoleSuite();
  let admin: TestUser;
  let officer: TestUser;
  let holder: TestUser;

  beforeAll(async () => {
    [admin, officer, holder] = await Promise.all([
      suite.c.t.given.admin(),
      suite.c.t.given.officer(3),
      suite.c.t.given.officer(3),
    ]);
  });

  it('the sign-in page shows the notification, refuses to sign in until it is acknowledged, and records the acknowledgement', async () => {
    const page = await suite.open();
    await page.goto('/');
    const notice = page.getByRole('region', { name: 'System use notification' });
    await notice.getByText(/authorized use only/).waitFor();
    expect((await notice.textContent())?.replace(/\s+/g, ' ')).toContain(DEFAULT_SYSTEM_USE_NOTICE);
    expect(await axeViolations(page)).toEqual([]);
    // On a phone the notice, the box and the form fit the width (no sideways scrolling).
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'sign-in-system-use-notice-phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Not acknowledged: nothing is sent, the box says why and takes focus.
    const before = (
      await auditRows(suite.c.t.owner, `action = 'auth.login' AND details->>'username' = $1`, [officer.username])
    ).length;
    await page.getByLabel('Username').fill(officer.username);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(
      await fieldErrorOf(
        page,
        'I have read this notice and accept that my use of this system is monitored and recorded',
      ),
    ).toBe('Confirm that you have read the notice before signing in.');
    expect(await activeTag(page)).toMatch(/^INPUT\|checkbox\|/);
    expect(
      (await auditRows(suite.c.t.owner, `action = 'auth.login' AND details->>'username' = $1`, [officer.username]))
        .length,
    ).toBe(before);
    expect(await axeViolations(page)).toEqual([]);

    // A wrong password: words, no request id, no validator text; the attempt is on record with the acknowledgement.
    await acknowledgeNotice(page);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect((await alert.textContent())?.trim()).toBe('The username or password is wrong.');
    const sha = createHash('sha256').update(DEFAULT_SYSTEM_USE_NOTICE, 'utf8').digest('hex');
    const [failed] = (
      await auditRows(suite.c.t.owner, `action = 'auth.login' AND details->>'username' = $1`, [officer.username])
    ).slice(-1);
    expect(failed).toMatchObject({ outcome: 'FAILED' });
    expect(failed.details.systemUseNotice).toEqual({ acknowledged: true, sha256: sha });

    // Right password: signed in, the event says what was acknowledged.
    await page.getByLabel('Password').fill(officer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const [ok] = (await auditRows(suite.c.t.owner, `action = 'auth.login' AND target_id = $1`, [officer.id])).slice(-1);
    expect(ok).toMatchObject({ outcome: 'SUCCESS', actor_id: officer.id });
    expect(ok.details.systemUseNotice).toEqual({ acknowledged: true, sha256: sha });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('region', { name: 'System use notification' }).waitFor();
    await screenshot(page, 'sign-in-system-use-notice', { fullPage: false });
  }, 120_000);

  it('the administrator finds an officer, edits name, badge and district (a taken badge is said in words), and resets the password; the officer must set a new one', async () => {
    const tag = randomBytes(3).toString('hex');
    const takenBadge = `T-${tag}`;
    await suite.c.t
      .http()
      .patch(`/api/v1/users/${holder.id}`)
      .set(admin.auth)
      .send({ badgeNumber: takenBadge })
      .expect(200);

    const page = await suite.open();
    await signIn(page, admin);
    // Issue 16: every role lands on its home screen; the list is one link away.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();

    // --- search -------------------------------------------------------------------------------------
    await page.getByLabel('Find an account').fill(officer.username.toUpperCase());
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('table.users caption', { hasText: `matching “${officer.username.toUpperCase()}”` }).waitFor();
    expect((await page.locator('table.users tbody tr td:first-child').allTextContents()).map((t) => t.trim())).toEqual([
      officer.username,
    ]);
    expect(await axeViolations(page)).toEqual([]);

    // --- edit the details: a taken badge first --------------------------------------------------------
    await page.getByRole('button', { name: `Edit details of ${officer.username}` }).click();
    const form = page.getByRole('form', { name: `Edit the details of ${officer.username}` });
    await form.waitFor();
    expect(await activeTag(page)).toMatch(/^FORM\|/); // focus moved into the form that opened
    await field(form, 'Display name').fill(`Officer Dana Whitfield ${tag}`);
    await field(form, 'Badge number').fill(takenBadge.toLowerCase());
    await field(form, 'District').selectOption('9');
    await form.getByRole('button', { name: 'Save details' }).click();
    expect(await fieldErrorOf(form, 'Badge number')).toBe(
      `Already the badge of ${holder.username}: badge numbers are unique.`,
    );
    expect(await form.getByRole('alert').textContent()).toContain(
      `This badge number already belongs to ${holder.username}.`,
    );
    expect(await activeTag(page)).toMatch(/^INPUT\|text\|/);
    expect(await axeViolations(page)).toEqual([]);
    const {
      rows: [unchanged],
    } = await suite.c.t.owner.query('SELECT display_name, badge_number, district FROM users WHERE id = $1', [
      officer.id,
    ]);
    expect(unchanged).toEqual({
      display_name: expect.stringMatching(/^Test OFFICER/),
      badge_number: null,
      district: 3,
    });

    await field(form, 'Badge number').fill(`D9-${tag}`);
    await form.getByRole('button', { name: 'Save details' }).click();
    const saved = page.getByRole('status').filter({ hasText: `Saved the details of ${officer.username}.` });
    await saved.waitFor();
    expect(await saved.textContent()).toContain(
      'Moved to District 9: their existing cases stay in the district where they were opened.',
    );
    expect(await activeTag(page)).toMatch(/^P\|\|Saved the details/); // focus on what changed
    await userRowOf(page, officer.username)
      .filter({ hasText: `D9-${tag}` })
      .waitFor();
    expect(
      (await userRowOf(page, officer.username).locator('td').allTextContents()).slice(0, 5).map((t) => t.trim()),
    ).toEqual([officer.username, `Officer Dana Whitfield ${tag}`, 'Officer', 'District 9', `D9-${tag}`]);
    const edits = await auditRows(suite.c.t.owner, `action = 'user.updated' AND target_id = $1`, [officer.id]);
    expect(edits).toHaveLength(1);
    expect(edits[0]).toMatchObject({ actor_id: admin.id, outcome: 'SUCCESS' });
    expect(edits[0].details.changes).toEqual({
      displayName: { from: expect.stringMatching(/^Test OFFICER/), to: `Officer Dana Whitfield ${tag}` },
      badgeNumber: { from: null, to: `D9-${tag}` },
      district: { from: 3, to: 9 },
    });
    const [collision] = await auditRows(suite.c.t.owner, `action = 'user.update' AND target_id = $1`, [officer.id]);
    expect(collision).toMatchObject({ outcome: 'FAILED', actor_id: admin.id });

    // --- reset the password: asks once, generates, shows it once ---------------------------------------
    await page.getByRole('button', { name: `Reset password of ${officer.username}` }).click();
    const confirm = page.getByRole('group', { name: new RegExp(`Reset the password of ${officer.username}`) });
    await confirm.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await confirm.getByRole('button', { name: `Yes, reset the password of ${officer.username}` }).click();
    const shown = page.getByRole('group', { name: `Temporary password for ${officer.username}` });
    await shown.waitFor();
    const temporary = ((await shown.locator('code.temporary').textContent()) ?? '').trim();
    expect(temporary).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(await activeTag(page)).toMatch(/^DIV\|\|Temporary password for/);
    await userRowOf(page, officer.username).getByText('Must set a new password at next sign-in').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-temporary-password');
    await shown.getByRole('button', { name: 'Done, I have handed it over' }).click();
    expect(await page.getByText(temporary).count()).toBe(0);
    const stored = (await page.evaluate('JSON.stringify(Object.assign({}, sessionStorage, localStorage))')) as string;
    expect(stored).not.toContain(temporary);
    const [reset] = await auditRows(suite.c.t.owner, `action = 'user.password_reset' AND target_id = $1`, [officer.id]);
    expect(reset).toMatchObject({ actor_id: admin.id, outcome: 'SUCCESS' });
    expect(reset.details).toEqual({ username: officer.username, generated: true, mustChangePassword: true });

    // --- the officer signs in with it: only the forced change is on offer --------------------------------
    const op = await suite.open();
    await signIn(op, { username: officer.username, password: temporary });
    await op.getByRole('heading', { level: 1, name: 'Set a new password' }).waitFor();
    expect(await op.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    expect(await axeViolations(op)).toEqual([]);
    await screenshot(op, 'forced-password-change');
    // Another address is not a way round it.
    await op.goto('/cases');
    await op.getByRole('heading', { level: 1, name: 'Set a new password' }).waitFor();

    const forced = op.getByRole('form', { name: 'Set a new password' });
    await field(forced, 'Temporary password').fill('not the temporary one');
    await field(forced, 'New password').fill('Montrose harbor in winter');
    await field(forced, 'New password again').fill('Montrose harbor in winter');
    await forced.getByRole('button', { name: 'Save new password' }).click();
    expect(await fieldErrorOf(forced, 'Temporary password')).toBe(
      'This is not the temporary password the administrator gave you.',
    );
    expect(await forced.getByRole('alert').textContent()).not.toMatch(/currentPassword|Reference for support/);
    const [wrong] = await auditRows(suite.c.t.owner, `action = 'auth.password.change' AND actor_id = $1`, [officer.id]);
    expect(wrong).toMatchObject({ outcome: 'FAILED' });

    await field(forced, 'Temporary password').fill(temporary);
    await field(forced, 'New password again').fill('Montrose harbor in winte');
    await forced.getByRole('button', { name: 'Save new password' }).click();
    expect(await fieldErrorOf(forced, 'New password again')).toBe(
      'The two new passwords are not the same: type it again.',
    );
    await field(forced, 'New password again').fill('Montrose harbor in winter');
    await forced.getByRole('button', { name: 'Save new password' }).click();
    // Issue 16: then on to the home screen every role lands on.
    await op.getByRole('heading', { level: 1, name: 'What needs you now' }).waitFor();
    await op.getByRole('navigation', { name: 'Main' }).waitFor();
    const [changed] = await auditRows(suite.c.t.owner, `action = 'auth.password_changed' AND actor_id = $1`, [
      officer.id,
    ]);
    expect(changed.details).toEqual({ username: officer.username, afterReset: true });
    const {
      rows: [after],
    } = await suite.c.t.owner.query('SELECT must_change_password FROM users WHERE id = $1', [officer.id]);
    expect(after.must_change_password).toBe(false);
    expect(await suite.c.t.given.login(officer.username, 'Montrose harbor in winter')).toEqual(expect.any(String));
    expect((await op.evaluate('JSON.stringify(Object.assign({}, sessionStorage))')) as string).not.toContain(
      'Montrose',
    );
  }, 180_000);
});
