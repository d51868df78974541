import type { Page } from 'playwright-core';
import { axeViolations, consoleSuite, field, fieldErrorOf, signIn, userRowOf } from '../harness/browser';
import { auditRows, type TestUser } from '../harness/test-app';

/*
 * Issue 16, "Standards for every screen", in real Chromium:
 * - plain words: a refused password is said in words, never in the validator's text (the short one caught in the
 *   browser, one the service refuses by its rule);
 * - tabs: a link opened in a new tab of the same browser session needs no second sign-in; signing out in one tab
 *   signs out the others, and on the service (POST /auth/logout: the token is refused from then on, even where it
 *   was copied); another browser (a new context: its own storage) must sign in;
 * - irreversible actions ask once, say what will happen, move focus into the question and back: the administrator's
 *   deactivation and the prosecutor's decision (cancel changes nothing, read back through the API; confirm does it once).
 */

const API = '/api/v1';
/** Text a validator writes; none of it may reach a screen. */
const VALIDATOR_TEXT =
  /must be longer than|must be shorter than|must be a single line|should not be empty|must be one of|must be a string|newPassword|isSingleLine/;

/** What has focus: its tag, its text (first 80 characters) and whether it lies inside `selector`. */
async function focused(page: Page, selector?: string): Promise<{ tag: string; text: string; inside: boolean }> {
  return page.evaluate((sel) => {
    const d = (
      globalThis as unknown as {
        document: {
          activeElement: { tagName: string; textContent: string | null; closest(s: string): unknown } | null;
        };
      }
    ).document;
    const a = d.activeElement;
    return {
      tag: a?.tagName ?? '',
      text: (a?.textContent ?? '').trim().slice(0, 80),
      inside: !!(sel && a?.closest(sel)),
    };
  }, selector ?? null);
}

describe('web console: plain words, tabs sharing a session, confirmations (issue 16)', () => {
  const suite = consoleSuite();
  let officer: TestUser;
  let supervisor: TestUser;
  let prosecutor: TestUser;
  let admin: TestUser;
  let leaving: TestUser;

  beforeAll(async () => {
    const t = suite.c.t;
    [officer, supervisor, prosecutor, admin, leaving] = await Promise.all([
      t.given.officer(7),
      t.given.supervisor(7),
      t.given.prosecutor('CCSAO'),
      t.given.admin(),
      t.given.officer(8),
    ]);
  }, 120_000);

  it('a refused new password is said in words: too short (checked in the browser) and a tab in it (refused by the service)', async () => {
    const page = await suite.open();
    await signIn(page, officer);
    await page.goto('/account/password');
    await page.getByRole('heading', { level: 1, name: 'Change my password' }).waitFor();
    await page.getByLabel('Current password').fill(officer.password);
    await field(page, 'New password').fill('short-pw');
    await page.getByLabel('New password again').fill('short-pw');
    await page.getByRole('button', { name: 'Save new password' }).click();
    expect(await fieldErrorOf(page, 'New password')).toBe(
      'Choose a password of 12 to 128 characters: a few words make a good one.',
    );

    // Long enough for the browser's check, but the service refuses a control character (isSingleLine).
    const withTab = 'Lake Shore\tDrive 2026';
    await page.getByLabel('Current password').fill(officer.password);
    await field(page, 'New password').fill(withTab);
    await page.getByLabel('New password again').fill(withTab);
    const answer = page.waitForResponse((r) => r.url().endsWith(`${API}/auth/password`));
    await page.getByRole('button', { name: 'Save new password' }).click();
    const res = await answer;
    // The service names the field and the rule it broke (not only its English), which the console words.
    expect(res.status()).toBe(400);
    expect((await res.json()).fields).toEqual([
      expect.objectContaining({ field: 'newPassword', constraints: ['isSingleLine'] }),
    ]);
    await page.getByRole('alert').filter({ hasText: 'The password was not changed: see the marked fields.' }).waitFor();
    expect(await fieldErrorOf(page, 'New password')).toBe(
      'Choose a password of 12 to 128 characters, different from the current one, on one line.',
    );
    expect(await page.locator('main').textContent()).not.toMatch(VALIDATOR_TEXT);
    // The old password still works: nothing changed.
    const login = await suite.c.t
      .http()
      .post(`${API}/auth/login`)
      .send({ username: officer.username, password: officer.password });
    expect(login.status).toBe(200);
  });

  it('the service says which rule a field broke, with its bound, so no client needs the validator text', async () => {
    const res = await suite.c.t
      .http()
      .post(`${API}/auth/password`)
      .set(officer.auth)
      .send({ currentPassword: officer.password, newPassword: 'short' });
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual([
      expect.objectContaining({
        field: 'newPassword',
        constraints: expect.arrayContaining(['minLength']),
        limits: expect.objectContaining({ minLength: 12 }),
      }),
    ]);
  });

  it('a case link opened in a new tab needs no second sign-in; signing out in one tab signs out the other; another browser must sign in', async () => {
    const c = await suite.c.t.given.draftCase(officer);
    const first = await suite.openConsolePage();
    await signIn(first.page, officer);

    // A second tab of the same browser opens the case's link directly.
    const second = await first.context.newPage();
    suite.watch({ ...first, page: second, cspViolations: [], pageErrors: [] });
    await second.goto(`/cases/${c.id}`);
    await second.getByRole('heading', { level: 1, name: `Case ${c.caseNumber}` }).waitFor();
    expect(await second.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    expect(await second.getByLabel('Username').count()).toBe(0);
    // Nothing of the session outlives the browser: nothing in localStorage, no cookie.
    expect(await second.evaluate('Object.keys(localStorage).length')).toBe(0);
    expect(await first.context.cookies()).toEqual([]);

    // Another browser (its own storage, as on another computer or after the browser was closed) must sign in.
    const other = await suite.open();
    await other.goto(`/cases/${c.id}`);
    await other.getByLabel('Username').waitFor();
    expect(await other.getByRole('heading', { level: 1, name: `Case ${c.caseNumber}` }).count()).toBe(0);

    // Signing out in the first tab signs out on the service first: the token the tabs held is refused from then on.
    const held = JSON.parse((await first.page.evaluate('sessionStorage.getItem("ion.session")')) as string).token;
    await suite.c.t
      .http()
      .get(`${API}/auth/me`)
      .set({ Authorization: `Bearer ${held}` })
      .expect(200);
    const loggedOut = first.page.waitForResponse(
      (r) => r.url().endsWith(`${API}/auth/logout`) && r.request().method() === 'POST',
    );
    await first.page.getByRole('button', { name: 'Sign out' }).click();
    const answer = await loggedOut;
    expect(answer.status()).toBe(204);
    expect(answer.request().headers().authorization).toBe(`Bearer ${held}`);
    await first.page.getByLabel('Username').waitFor();
    const refused = await suite.c.t
      .http()
      .get(`${API}/auth/me`)
      .set({ Authorization: `Bearer ${held}` });
    expect([refused.status, refused.body.message]).toEqual([
      401,
      expect.stringMatching(/^This session was signed out/),
    ]);
    const [signedOut] = await auditRows(suite.c.t.owner, `action = 'auth.logged_out' AND actor_id = $1`, [officer.id]);
    expect(signedOut).toMatchObject({ outcome: 'SUCCESS', target_id: officer.id });
    // (every session of the officer ended, this suite's own API token too: the later tests go on with a new one)
    officer.token = await suite.c.t.given.login(officer.username, officer.password);
    officer.auth = { Authorization: `Bearer ${officer.token}` };

    // ... and signs out the second tab: it shows the sign-in form, and its storage is empty.
    await second.getByLabel('Username').waitFor();
    await second.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await second.getByRole('heading', { level: 1, name: `Case ${c.caseNumber}` }).count()).toBe(0);
    expect(await second.evaluate('sessionStorage.getItem("ion.session")')).toBeNull();

    // A third tab opened now finds no session anywhere: it asks for a sign-in.
    const third = await first.context.newPage();
    await third.goto(`/cases/${c.id}`);
    await third.getByLabel('Username').waitFor();
    await third.close();
    await second.close();
  });

  it('signing out when the service already ended the session (signed out elsewhere) still forgets it here', async () => {
    const elsewhere = await suite.c.t.given.auditor();
    const page = await suite.open();
    await signIn(page, elsewhere);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // Signed out on another device: every session of the account ended, this browser's too.
    await suite.c.t.http().post(`${API}/auth/logout`).set(elsewhere.auth).expect(204);
    const loggedOut = page.waitForResponse((r) => r.url().endsWith(`${API}/auth/logout`));
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect((await loggedOut).status()).toBe(401);
    // Signed out, not "your session has ended": the person asked for it.
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("ion.session")')).toBeNull();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });

  it('deactivating asks once with the reason and says what happens; cancelling changes nothing and returns focus; confirming deactivates once', async () => {
    const page = await suite.open();
    await signIn(page, admin);
    await page.goto('/admin/users');
    const row = userRowOf(page, leaving.username);
    await row.waitFor();
    const open = page.getByRole('button', { name: `Deactivate ${leaving.username}` });
    await open.click();
    const question = page.getByRole('group', { name: new RegExp(`^Deactivate ${leaving.username} \\(`) });
    await question.waitFor();
    expect(await question.textContent()).toContain(
      'They are signed out at once and cannot sign in until an administrator reactivates the account.',
    );
    expect((await focused(page, '.warning')).inside).toBe(true); // focus moved into the question
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel(/^Reason for deactivating/).fill('Transferred to another agency.');
    await question.getByRole('button', { name: 'Cancel' }).click();
    await question.waitFor({ state: 'detached' });
    await page.waitForFunction((name) => {
      const a = (
        globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }
      ).document.activeElement;
      return a?.getAttribute('aria-label') === `Deactivate ${name}`;
    }, leaving.username);
    // Nothing changed, as the service says.
    const still = await suite.c.t.http().get(`${API}/users`).query({ q: leaving.username }).set(admin.auth);
    expect(still.body.items.find((u: { id: string }) => u.id === leaving.id)).toMatchObject({ active: true });
    expect(await auditRows(suite.c.t.owner, `action = 'user.updated' AND target_id = $1`, [leaving.id])).toEqual([]);

    await open.click();
    await page.getByLabel(/^Reason for deactivating/).fill('Transferred to another agency.');
    await question.getByRole('button', { name: `Yes, deactivate ${leaving.username}` }).click();
    const done = page.getByRole('status').filter({ hasText: `Deactivated ${leaving.username}` });
    await done.waitFor();
    await row.getByRole('button', { name: 'Reactivate' }).waitFor();
    const after = await suite.c.t.http().get(`${API}/users`).query({ q: leaving.username }).set(admin.auth);
    expect(after.body.items.find((u: { id: string }) => u.id === leaving.id)).toMatchObject({
      active: false,
      deactivationReason: 'Transferred to another agency.',
    });
    const events = await auditRows(suite.c.t.owner, `action = 'user.updated' AND target_id = $1`, [leaving.id]);
    expect(events.map((e) => [e.outcome, e.details.changes])).toEqual([
      ['SUCCESS', { active: { from: true, to: false } }],
    ]);
  });

  it('a decision asks once, showing what will be recorded; going back changes nothing and returns focus; confirming records it once', async () => {
    const t = suite.c.t;
    const c = await t.given.caseReadyToSubmit(officer);
    await t.given.submit(officer, c.id);
    await t.given.approve(supervisor, c.id);
    const p = await t.given.sendPacket(supervisor, c.id, 'CCSAO');
    await t.given.claim(prosecutor, p.id);

    const page = await suite.open();
    await signIn(page, prosecutor);
    await page.goto(`/packets/${p.id}`);
    await page.getByRole('heading', { name: 'Record your decision' }).waitFor();
    await page.getByRole('radio', { name: /^Declined to prosecute/ }).check();
    await page.getByLabel(/^Reason/).fill('Insufficient evidence of a state-law violation.');
    await page.getByLabel('External reference (optional)').fill('CCSAO-2026-0042');
    await page.getByRole('button', { name: 'Review decision…' }).click();
    const question = page.getByRole('group', { name: 'Record this decision?' });
    await question.waitFor();
    expect(await question.textContent()).toMatch(
      /Declined to prosecute.*Insufficient evidence of a state-law violation\..*CCSAO-2026-0042.*This is final: it cannot be changed, and case .* will be closed\./,
    );
    expect(await focused(page)).toMatchObject({ tag: 'H4', text: 'Record this decision?' });
    expect(await axeViolations(page)).toEqual([]);

    await question.getByRole('button', { name: 'Go back and change it' }).click();
    await question.waitFor({ state: 'detached' });
    await page.waitForFunction(() => {
      const a = (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } })
        .document.activeElement;
      return a?.textContent === 'Review decision…';
    });
    const undecided = await t.http().get(`${API}/packets/${p.id}`).set(prosecutor.auth);
    expect(undecided.body).toMatchObject({ status: 'IN_REVIEW', review: { decision: null } });
    expect(await auditRows(t.owner, `action = 'packet.decided' AND target_id = $1`, [p.id])).toEqual([]);
    // What was typed is still there.
    expect(await page.getByLabel(/^Reason/).inputValue()).toBe('Insufficient evidence of a state-law violation.');

    await page.getByRole('button', { name: 'Review decision…' }).click();
    await question.getByRole('button', { name: 'Yes, record the decision' }).click();
    const done = page.getByRole('status').filter({ hasText: 'Decision recorded: declined to prosecute.' });
    await done.waitFor();
    await page.waitForFunction(() => {
      const a = (
        globalThis as unknown as {
          document: { activeElement: { className: string; textContent: string | null } | null };
        }
      ).document.activeElement;
      return !!a && a.className.includes('success') && (a.textContent ?? '').startsWith('Decision recorded');
    });
    const decided = await t.http().get(`${API}/packets/${p.id}`).set(prosecutor.auth);
    expect(decided.body).toMatchObject({
      status: 'DECIDED',
      review: { decision: 'DECLINED', decisionReason: 'Insufficient evidence of a state-law violation.' },
    });
    const events = await auditRows(t.owner, `action = 'packet.decided' AND target_id = $1`, [p.id]);
    expect(events.map((e) => e.outcome)).toEqual(['SUCCESS']);
  });
});
