/**
 * Issue 16, the administrator's user management and the sign-in's system use notification (API rules):
 * a reset password the user must change (enforced on every route), reasons on deactivation, no
 * self-deactivation, edits audited with before and after, badge collisions, district moves, search,
 * and the AC-8 notification acknowledged with the sign-in event.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { DEFAULT_SYSTEM_USE_NOTICE } from '../libs/auth/src/auth.config';
import { routeInfos } from './harness/nest-routes';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';

const API = '/api/v1';
const fieldsOf = (res: Response) => (res.body.fields ?? []).map((f: { field: string }) => f.field);

describe('user administration (issue 16)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.given.admin();
  });
  afterAll(async () => {
    await t?.close();
  });

  const userRow = async (id: string) => (await t.owner.query('SELECT * FROM users WHERE id = $1', [id])).rows[0];
  const eventsOf = (res: Response) => auditRows(t.owner, 'request_id = $1', [res.headers['x-request-id']]);
  const login = (username: string, password: string, extra: Record<string, unknown> = {}) =>
    t
      .http()
      .post(`${API}/auth/login`)
      .send({ username, password, ...extra });
  const reset = (id: string, body: Record<string, unknown> = {}, as: TestUser = admin) =>
    t.http().post(`${API}/users/${id}/password-reset`).set(as.auth).send(body);

  // ===============================================================================================
  describe('a reset password must be changed at the next sign-in', () => {
    it('the generated temporary password is shown once, signs in, and the token serves only POST /auth/password on EVERY other route', async () => {
      const u = await t.given.officer(2);
      const res = await reset(u.id);
      expect(res.status).toBe(200);
      const temporary: string = res.body.temporaryPassword;
      expect(temporary).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
      expect(res.body.user).toMatchObject({ id: u.id, mustChangePassword: true });
      expect(await userRow(u.id)).toMatchObject({ must_change_password: true });
      const [ev] = await eventsOf(res);
      expect(ev).toMatchObject({
        action: 'user.password_reset',
        outcome: 'SUCCESS',
        actor_id: admin.id,
        target_id: u.id,
      });
      expect(ev.details).toEqual({ username: u.username, generated: true, mustChangePassword: true });
      expect(JSON.stringify(ev)).not.toContain(temporary);
      // Shown once: nothing else ever answers it.
      const read = await t.http().get(`${API}/users/${u.id}`).set(admin.auth).expect(200);
      expect(JSON.stringify(read.body)).not.toContain(temporary);

      // The old password no longer works; the temporary one does, and says the change is due.
      expect((await login(u.username, u.password)).status).toBe(401);
      const signedIn = await login(u.username, temporary).expect(200);
      expect(signedIn.body.user.mustChangePassword).toBe(true);
      const token = { Authorization: `Bearer ${signedIn.body.accessToken}` };

      // The token issued before the reset ended with it (401, signed out); every authenticated route but POST
      // /auth/password (and signing out) refuses the new token.
      const old = await t.http().get(`${API}/auth/me`).set(u.auth);
      expect([old.status, old.body.code, old.body.message]).toEqual([
        401,
        'AUTH.UNAUTHENTICATED',
        expect.stringMatching(/^This session was signed out/),
      ]);
      const routes = [...routeInfos(t.app).values()].filter((r) => !r.isPublic);
      expect(routes.length).toBeGreaterThan(40);
      const refused: string[] = [];
      for (const r of routes) {
        if (r.route === `POST ${API}/auth/password` || r.route === `POST ${API}/auth/logout`) continue;
        const path = r.path.replace(/:\w+/g, randomUUID());
        for (const auth of [token]) {
          const rid = `pwc-${randomUUID()}`;
          const verb = r.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head';
          const res2 = await t.http()[verb](path).set(auth).set('X-Request-Id', rid).set('Tus-Resumable', '1.0.0');
          const body = r.method === 'HEAD' ? null : res2.body;
          if (res2.status !== 403 || (body && body.code !== 'AUTH.PASSWORD_CHANGE_REQUIRED'))
            refused.push(`${r.route}: ${res2.status} ${body?.code}`);
          if (body) expect(body.state).toBe('PASSWORD_CHANGE_REQUIRED');
          const events = await auditRows(t.owner, 'request_id = $1', [rid]);
          expect(events).toEqual([
            expect.objectContaining({ action: 'access.denied', outcome: 'DENIED', actor_id: u.id }),
          ]);
        }
      }
      expect(refused).toEqual([]);

      // Changing it: a wrong current password is 400 naming it (and audited), the same password is refused.
      const wrong = await t
        .http()
        .post(`${API}/auth/password`)
        .set(token)
        .send({ currentPassword: u.password, newPassword: 'a brand new passphrase' });
      expect(wrong.status).toBe(400);
      expect(fieldsOf(wrong)).toEqual(['currentPassword']);
      expect(await eventsOf(wrong)).toEqual([
        expect.objectContaining({ action: 'auth.password.change', outcome: 'FAILED', actor_id: u.id }),
      ]);
      const same = await t
        .http()
        .post(`${API}/auth/password`)
        .set(token)
        .send({ currentPassword: temporary, newPassword: temporary });
      expect(same.status).toBe(400);
      expect(fieldsOf(same)).toEqual(['newPassword']);
      const short = await t
        .http()
        .post(`${API}/auth/password`)
        .set(token)
        .send({ currentPassword: temporary, newPassword: 'short' });
      expect(fieldsOf(short)).toEqual(['newPassword']);
      expect(await userRow(u.id)).toMatchObject({ must_change_password: true });

      const changed = await t
        .http()
        .post(`${API}/auth/password`)
        .set(token)
        .send({ currentPassword: temporary, newPassword: 'Wrigley field at dusk 1914' });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        tokenType: 'Bearer',
        accessToken: expect.any(String),
        user: { id: u.id, mustChangePassword: false },
      });
      const [done] = await eventsOf(changed);
      expect(done).toMatchObject({
        action: 'auth.password_changed',
        outcome: 'SUCCESS',
        actor_id: u.id,
        target_id: u.id,
      });
      expect(done.details).toEqual({ username: u.username, afterReset: true });
      expect(JSON.stringify(done)).not.toMatch(/Wrigley|dusk/);
      const row = await userRow(u.id);
      expect(row).toMatchObject({ must_change_password: false });
      expect(row.password_changed_at).toBeInstanceOf(Date);
      // The fresh token works; the tokens of before the change (the temporary password's, the one before the reset) do
      // not; the temporary password is gone.
      await t
        .http()
        .get(`${API}/cases`)
        .set({ Authorization: `Bearer ${changed.body.accessToken}` })
        .expect(200);
      expect((await t.http().get(`${API}/cases`).set(token)).status).toBe(401);
      expect((await t.http().get(`${API}/cases`).set(u.auth)).status).toBe(401);
      expect((await login(u.username, temporary)).status).toBe(401);
      await login(u.username, 'Wrigley field at dusk 1914').expect(200);
    }, 120_000);

    it('a chosen temporary password is not echoed; a download ticket issued before the reset stops working', async () => {
      const u = await t.given.officer(2);
      const c = await t.given.draftCase(u);
      const e = await t.given.evidence(u, c.id);
      const ticket = await t.given.ticket(u, e.id);
      const res = await reset(u.id, { temporaryPassword: 'chosen by the admin 42' }).expect(200);
      expect(res.body.temporaryPassword).toBeNull();
      const [ev] = await eventsOf(res);
      expect(ev.details).toMatchObject({ generated: false, mustChangePassword: true });
      expect(JSON.stringify(ev)).not.toContain('chosen by the admin');
      const used = await t.http().get(`${API}/tickets/${ticket.ticket}`);
      expect(used.status).toBe(403);
      expect(used.body.code).toBe('AUTH.PASSWORD_CHANGE_REQUIRED');
      await login(u.username, 'chosen by the admin 42').expect(200);
    });

    it('a reset clears a lockout; an administrator cannot reset their own password; a bad temporary password is 400 naming it', async () => {
      const u = await t.given.officer(2);
      for (let i = 0; i < 5; i++) await login(u.username, 'not the password');
      expect((await login(u.username, u.password)).status).toBe(423);
      const res = await reset(u.id).expect(200);
      expect((await eventsOf(res))[0].details).toMatchObject({ unlocked: true });
      await login(u.username, res.body.temporaryPassword).expect(200);

      const self = await reset(admin.id);
      expect(self.status).toBe(403);
      expect(self.body.code).toBe('USER.SELF_PASSWORD_RESET');
      expect(await eventsOf(self)).toEqual([
        expect.objectContaining({ action: 'access.denied', outcome: 'DENIED', actor_id: admin.id }),
      ]);
      expect((await userRow(admin.id)).must_change_password).toBe(false);

      const bad = await reset(u.id, { temporaryPassword: 'short' });
      expect(bad.status).toBe(400);
      expect(fieldsOf(bad)).toEqual(['temporaryPassword']);
      expect(await eventsOf(bad)).toEqual([
        expect.objectContaining({ action: 'user.reset_password', outcome: 'FAILED' }),
      ]);
    });

    it('PATCH {password} is a reset too: the user must change it', async () => {
      const u = await t.given.auditor();
      const res = await t
        .http()
        .patch(`${API}/users/${u.id}`)
        .set(admin.auth)
        .send({ password: 'typed by an admin 77' })
        .expect(200);
      expect(res.body.mustChangePassword).toBe(true);
      const token = (await login(u.username, 'typed by an admin 77').expect(200)).body.accessToken;
      const r = await t
        .http()
        .get(`${API}/audit/events`)
        .set({ Authorization: `Bearer ${token}` });
      expect([r.status, r.body.code]).toEqual([403, 'AUTH.PASSWORD_CHANGE_REQUIRED']);
    });
  });

  // ===============================================================================================
  describe('deactivation', () => {
    it('needs a reason: without one 400 naming deactivationReason, nothing changed, audited; with one stored, shown, audited', async () => {
      const u = await t.given.officer(3);
      const without = await t.http().patch(`${API}/users/${u.id}`).set(admin.auth).send({ active: false });
      expect(without.status).toBe(400);
      expect(fieldsOf(without)).toEqual(['deactivationReason']);
      expect(await userRow(u.id)).toMatchObject({ active: true, deactivation_reason: null });
      expect(await eventsOf(without)).toEqual([
        expect.objectContaining({ action: 'user.update', outcome: 'FAILED', actor_id: admin.id }),
      ]);
      const blank = await t
        .http()
        .patch(`${API}/users/${u.id}`)
        .set(admin.auth)
        .send({ active: false, deactivationReason: '   ' });
      expect(fieldsOf(blank)).toEqual(['deactivationReason']);
      const stray = await t
        .http()
        .patch(`${API}/users/${u.id}`)
        .set(admin.auth)
        .send({ displayName: 'X', deactivationReason: 'why' });
      expect([stray.status, fieldsOf(stray)]).toEqual([400, ['deactivationReason']]);
      await t.http().get(`${API}/cases`).set(u.auth).expect(200);

      const reason = 'Retired on 30 November 2026 (HR ticket 5521)';
      const res = await t
        .http()
        .patch(`${API}/users/${u.id}`)
        .set(admin.auth)
        .send({ active: false, deactivationReason: reason })
        .expect(200);
      expect(res.body).toMatchObject({ active: false, deactivationReason: reason, deactivatedAt: expect.any(String) });
      expect(await userRow(u.id)).toMatchObject({
        active: false,
        deactivation_reason: reason,
        deactivated_by: admin.id,
      });
      const [ev] = await eventsOf(res);
      expect(ev).toMatchObject({ action: 'user.updated', outcome: 'SUCCESS', actor_id: admin.id, target_id: u.id });
      expect(ev.details).toEqual({
        username: u.username,
        changes: { active: { from: true, to: false } },
        deactivationReason: reason,
      });
      expect((await t.http().get(`${API}/cases`).set(u.auth)).status).toBe(401);
      const listed = await t.http().get(`${API}/users?active=false&q=${u.username}`).set(admin.auth).expect(200);
      expect(listed.body.items).toEqual([expect.objectContaining({ id: u.id, deactivationReason: reason })]);

      // Reactivated: the reason leaves the account (it stays in the trail, and is named again in this event).
      const back = await t.http().patch(`${API}/users/${u.id}`).set(admin.auth).send({ active: true }).expect(200);
      expect(back.body).toMatchObject({ active: true, deactivationReason: null, deactivatedAt: null });
      expect((await eventsOf(back))[0].details).toEqual({
        username: u.username,
        changes: { active: { from: false, to: true } },
        previousDeactivationReason: reason,
      });
    });

    it('an administrator cannot deactivate their own account: 403 USER.SELF_DEACTIVATION, audited, unchanged', async () => {
      const self = await t.given.admin();
      const res = await t
        .http()
        .patch(`${API}/users/${self.id}`)
        .set(self.auth)
        .send({ active: false, deactivationReason: 'Leaving' });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        code: 'USER.SELF_DEACTIVATION',
        message: expect.stringContaining('another administrator'),
      });
      expect(await eventsOf(res)).toEqual([
        expect.objectContaining({
          action: 'access.denied',
          outcome: 'DENIED',
          actor_id: self.id,
          target_type: 'user',
          target_id: self.id,
        }),
      ]);
      expect(await userRow(self.id)).toMatchObject({ active: true, deactivation_reason: null });
    });
  });

  // ===============================================================================================
  describe('edits of name, badge and district', () => {
    it('are audited with before and after', async () => {
      const u = await t.given.officer(4);
      const badge = `E-${randomUUID().slice(0, 6)}`;
      const res = await t
        .http()
        .patch(`${API}/users/${u.id}`)
        .set(admin.auth)
        .send({ displayName: 'Officer Ana Ruiz', badgeNumber: badge, district: 9 })
        .expect(200);
      expect(res.body).toMatchObject({ displayName: 'Officer Ana Ruiz', badgeNumber: badge, district: 9 });
      const [ev] = await eventsOf(res);
      expect(ev.details.changes).toEqual({
        displayName: { from: expect.stringMatching(/^Test OFFICER /), to: 'Officer Ana Ruiz' },
        badgeNumber: { from: null, to: badge },
        district: { from: 4, to: 9 },
      });
      const blank = await t.http().patch(`${API}/users/${u.id}`).set(admin.auth).send({ displayName: '' });
      expect([blank.status, fieldsOf(blank)]).toEqual([400, ['displayName']]);
      const bad = await t.http().patch(`${API}/users/${u.id}`).set(admin.auth).send({ badgeNumber: 'has space' });
      expect([bad.status, fieldsOf(bad)]).toEqual([400, ['badgeNumber']]);
    });

    it('a badge another account holds, in any letter case, is 409 naming that account; nothing changes; audited', async () => {
      const holder = await t.given.officer(5);
      const badge = `d5-${randomUUID().slice(0, 6)}`;
      await t.http().patch(`${API}/users/${holder.id}`).set(admin.auth).send({ badgeNumber: badge }).expect(200);
      // The holder deactivated: the badge still names them on past records.
      await t
        .http()
        .patch(`${API}/users/${holder.id}`)
        .set(admin.auth)
        .send({ active: false, deactivationReason: 'Transferred' })
        .expect(200);
      const u = await t.given.officer(5);
      const res = await t
        .http()
        .patch(`${API}/users/${u.id}`)
        .set(admin.auth)
        .send({ badgeNumber: badge.toUpperCase(), displayName: 'Changed' });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        code: 'RESOURCE.CONFLICT',
        heldBy: holder.username,
        message: expect.stringMatching(/^badgeNumber: /),
      });
      expect(await userRow(u.id)).toMatchObject({
        badge_number: null,
        display_name: expect.not.stringMatching('Changed'),
      });
      expect(await eventsOf(res)).toEqual([
        expect.objectContaining({ action: 'user.update', outcome: 'FAILED', actor_id: admin.id }),
      ]);
      const created = await t
        .http()
        .post(`${API}/users`)
        .set(admin.auth)
        .send({
          username: `badge-${randomUUID().slice(0, 8)}`,
          displayName: 'New',
          password: 'long-enough-password',
          role: 'OFFICER',
          district: 5,
          badgeNumber: badge.toUpperCase(),
        });
      expect([created.status, created.body.heldBy]).toEqual([409, holder.username]);
    });

    it('a district move moves the scope, not the cases: the case stays in its district, the officer keeps it, supervisors follow the district', async () => {
      const officer = await t.given.officer(6);
      const oldSupervisor = await t.given.supervisor(6);
      const newSupervisor = await t.given.supervisor(7);
      const c = await t.given.draftCase(officer, { narrative: 'Opened before the transfer.' });
      await t.http().patch(`${API}/users/${officer.id}`).set(admin.auth).send({ district: 7 }).expect(200);
      const mine = await t.http().get(`${API}/cases/${c.id}`).set(officer.auth).expect(200);
      expect(mine.body.district).toBe(6);
      await t
        .http()
        .patch(`${API}/cases/${c.id}`)
        .set(officer.auth)
        .set('If-Match', `"${mine.body.version}"`)
        .send({ narrative: 'Edited after the transfer.' })
        .expect(200);
      await t.http().get(`${API}/cases/${c.id}`).set(oldSupervisor.auth).expect(200);
      await t.http().get(`${API}/cases/${c.id}`).set(newSupervisor.auth).expect(404);
      // A new case opens in the new district.
      const next = await t.given.draftCase(officer);
      expect((await t.http().get(`${API}/cases/${next.id}`).set(officer.auth)).body.district).toBe(7);
    });
  });

  // ===============================================================================================
  describe('search and filters', () => {
    it('q finds part of a username, name or badge in any letter case, with role and active; % and _ are literal', async () => {
      const tag = randomUUID().slice(0, 6);
      const a = await t.given.officer(8);
      const b = await t.given.supervisor(8);
      await t
        .http()
        .patch(`${API}/users/${a.id}`)
        .set(admin.auth)
        .send({ displayName: `Officer Zed ${tag}`, badgeNumber: `ZB-${tag}` })
        .expect(200);
      await t
        .http()
        .patch(`${API}/users/${b.id}`)
        .set(admin.auth)
        .send({ displayName: `Sergeant Zed ${tag}` })
        .expect(200);
      const ids = async (query: string) =>
        (await t.http().get(`${API}/users?${query}`).set(admin.auth).expect(200)).body.items.map(
          (i: { id: string }) => i.id,
        );
      expect(await ids(`q=zed%20${tag}`)).toEqual([a.id, b.id]);
      expect(await ids(`q=zb-${tag.toUpperCase()}`)).toEqual([a.id]);
      expect(await ids(`q=${a.username.toUpperCase()}`)).toEqual([a.id]);
      expect(await ids(`q=zed%20${tag}&role=SUPERVISOR`)).toEqual([b.id]);
      expect(await ids(`q=zed%20${tag}&active=false`)).toEqual([]);
      expect(await ids('q=%25')).toEqual([]);
      expect(await ids('q=_')).toEqual([]);
      const long = await t
        .http()
        .get(`${API}/users?q=${'x'.repeat(101)}`)
        .set(admin.auth);
      expect([long.status, fieldsOf(long)]).toEqual([400, ['q']]);
    });
  });

  // ===============================================================================================
  describe('the system use notification (AC-8)', () => {
    const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

    it('is public, says authorised use only and monitored, and its acknowledgement is recorded with the sign-in event', async () => {
      const n = await t.http().get(`${API}/auth/system-use-notice`).expect(200);
      expect(n.body).toEqual({
        text: DEFAULT_SYSTEM_USE_NOTICE,
        sha256: sha(DEFAULT_SYSTEM_USE_NOTICE),
        acknowledgementRequired: false,
      });
      expect(n.body.text).toMatch(/authorized use only/);
      expect(n.body.text).toMatch(/monitored, recorded/);
      const u = await t.given.officer();
      const ok = await login(u.username, u.password, { systemUseNotice: n.body.sha256 }).expect(200);
      expect((await eventsOf(ok))[0]).toMatchObject({ action: 'auth.login', outcome: 'SUCCESS' });
      expect((await eventsOf(ok))[0].details.systemUseNotice).toEqual({ acknowledged: true, sha256: n.body.sha256 });
      const failed = await login(u.username, 'wrong password!', { systemUseNotice: n.body.sha256 }).expect(401);
      expect((await eventsOf(failed))[0].details).toMatchObject({
        reason: 'wrong_password',
        systemUseNotice: { acknowledged: true },
      });
      const none = await login(u.username, u.password).expect(200);
      expect((await eventsOf(none))[0].details.systemUseNotice).toEqual({ acknowledged: false, sha256: n.body.sha256 });
      // A notification other than the current one (the text changed since the page was shown) is refused before any check.
      const stale = await login(u.username, u.password, { systemUseNotice: sha('an older notice') });
      expect([stale.status, fieldsOf(stale)]).toEqual([400, ['systemUseNotice']]);
      expect(await eventsOf(stale)).toEqual([expect.objectContaining({ action: 'auth.login', outcome: 'FAILED' })]);
    });

    it('its text is configurable (SYSTEM_USE_NOTICE), and AUTH_REQUIRE_NOTICE_ACK=true refuses a sign-in without the acknowledgement', async () => {
      const text = 'Property of the City of Chicago. Authorized use only; every action is monitored and recorded.';
      const other = await createTestApp({ env: { SYSTEM_USE_NOTICE: text, AUTH_REQUIRE_NOTICE_ACK: 'true' } });
      try {
        const n = await other.http().get(`${API}/auth/system-use-notice`).expect(200);
        expect(n.body).toEqual({ text, sha256: sha(text), acknowledgementRequired: true });
        const u = await other.app.get((await import('@app/auth')).UsersService).create('SYSTEM', {
          username: `notice-${randomUUID().slice(0, 8)}`,
          displayName: 'N',
          password: 'long-enough-password',
          role: 'AUDITOR',
        });
        const without = await other
          .http()
          .post(`${API}/auth/login`)
          .send({ username: u.username, password: 'long-enough-password' });
        expect([without.status, fieldsOf(without)]).toEqual([400, ['systemUseNotice']]);
        await other
          .http()
          .post(`${API}/auth/login`)
          .send({ username: u.username, password: 'long-enough-password', systemUseNotice: sha(text) })
          .expect(200);
      } finally {
        await other.close();
      }
    }, 120_000);
  });
});
