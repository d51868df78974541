import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { Clock } from '@app/common';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';

const API = '/api/v1';
const LOCKOUT_THRESHOLD = 5;
const LOCKOUT_MS = 10 * 60_000;

/** Keys that must never leave the service about a user. */
const SECRET_KEYS = /password|hash|failed/i;

/** Flags about credentials that are not secrets (issue 16: the user must set a new password). */
const NOT_SECRET = new Set(['mustChangePassword']);

function expectNoSecrets(user: Record<string, unknown>): void {
  expect(Object.keys(user).filter((k) => SECRET_KEYS.test(k) && !NOT_SECRET.has(k))).toEqual([]);
  if ('mustChangePassword' in user) expect(typeof user.mustChangePassword).toBe('boolean');
}

// --- tokens crafted with node:crypto (HS256 is HMAC-SHA256 over "header.payload") ----------------
const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');
const HMAC = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;

function craftToken(
  payload: Record<string, unknown>,
  opts: { alg?: keyof typeof HMAC | 'none'; secret?: string } = {},
): string {
  const alg = opts.alg ?? 'HS256';
  const head = `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
  if (alg === 'none') return `${head}.`;
  const secret = opts.secret ?? process.env.JWT_SECRET;
  if (!secret) throw new Error('JWT_SECRET is not set (the harness sets it when the app boots)');
  return `${head}.${createHmac(HMAC[alg], secret).update(head).digest('base64url')}`;
}

function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, any> } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
  };
}

const nowS = () => Math.floor(Date.now() / 1000);
const claimsFor = (u: TestUser, extra: Record<string, unknown> = {}) => ({
  sub: u.id,
  role: u.role,
  username: u.username,
  iat: nowS(),
  exp: nowS() + 600,
  ...extra,
});

describe('authentication and user administration', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.given.admin();
  });
  afterAll(async () => {
    await t?.close();
  });

  const login = (username: string, password: string) =>
    t.http().post(`${API}/auth/login`).set('X-Request-Id', `auth-${randomUUID()}`).send({ username, password });
  const userRow = async (id: string) => (await t.owner.query('SELECT * FROM users WHERE id = $1', [id])).rows[0];
  const eventsFor = (requestId: string) => auditRows(t.owner, 'request_id = $1', [requestId]);
  const headSeq = async () =>
    Number((await t.owner.query('SELECT coalesce(max(seq), 0) AS s FROM audit_events')).rows[0].s);
  let n = 0;
  const uniqueName = (prefix: string) => `${prefix}-${++n}-${randomUUID().slice(0, 8)}`;

  // ===============================================================================================
  describe('POST /auth/login', () => {
    it('returns a bearer token, its lifetime and the user (never the password hash), and audits the login', async () => {
      const u = await t.given.officer(3);
      const started = nowS();
      const res = await login(u.username, u.password).expect(200);

      expect(res.body).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: expect.any(Number),
        user: expect.objectContaining({
          id: u.id,
          username: u.username,
          role: 'OFFICER',
          district: 3,
          office: null,
          active: true,
          lockedUntil: null,
          lastLoginAt: expect.any(String),
        }),
      });
      expect(JSON.stringify(res.body)).not.toContain('argon2');
      expect(JSON.stringify(res.body)).not.toContain(u.password);
      expectNoSecrets(res.body.user);
      expect(res.body.expiresIn).toBeGreaterThan(0);

      const { header, payload } = decodeJwt(res.body.accessToken);
      expect(header.alg).toBe('HS256');
      expect(payload.sub).toBe(u.id);
      expect(payload.exp - payload.iat).toBe(res.body.expiresIn);
      expect(payload.iat).toBeGreaterThanOrEqual(started - 1);
      expect(JSON.stringify(payload)).not.toMatch(/password|hash/i);

      // The token works.
      const me = await t
        .http()
        .get(`${API}/auth/me`)
        .set('Authorization', `Bearer ${res.body.accessToken}`)
        .expect(200);
      expect(me.body.id).toBe(u.id);

      const events = await eventsFor(res.headers['x-request-id']);
      expect(events).toEqual([
        expect.objectContaining({ action: 'auth.login', outcome: 'SUCCESS', actor_id: u.id, target_id: u.id }),
      ]);
      expect(JSON.stringify(events[0].details)).not.toContain(u.password);
      expect((await userRow(u.id)).last_login_at).not.toBeNull();
    });

    it('accepts the username in any letter case', async () => {
      const u = await t.given.supervisor();
      const res = await login(u.username.toUpperCase(), u.password).expect(200);
      expect(res.body.user.id).toBe(u.id);
    });

    it('a wrong password is 401 AUTH.INVALID_CREDENTIALS, audited as a FAILED login without the password', async () => {
      const u = await t.given.officer();
      const res = await login(u.username, 'wrong-password-123');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        statusCode: 401,
        code: 'AUTH.INVALID_CREDENTIALS',
        message: 'Invalid username or password.',
      });
      expect(res.body.accessToken).toBeUndefined();

      const events = await eventsFor(res.body.requestId);
      expect(events).toEqual([
        expect.objectContaining({ action: 'auth.login', outcome: 'FAILED', actor_id: null, target_id: u.id }),
      ]);
      expect(events[0].details).toMatchObject({ reason: 'wrong_password', consecutiveFailures: 1 });
      expect(JSON.stringify(events[0].details)).not.toContain('wrong-password-123');
      expect((await userRow(u.id)).failed_login_count).toBe(1);
    });

    it('an unknown username gets the same 401 as a wrong password (no user enumeration)', async () => {
      const u = await t.given.officer();
      const wrong = await login(u.username, 'wrong-password-123');
      const unknown = await login(`nobody-${randomUUID().slice(0, 8)}`, 'whatever-password');
      expect(unknown.status).toBe(401);
      const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
      expect(strip(unknown.body)).toEqual(strip(wrong.body));

      const [ev] = await eventsFor(unknown.body.requestId);
      expect(ev).toMatchObject({ action: 'auth.login', outcome: 'FAILED', target_id: null });
      expect(ev.details.reason).toBe('unknown_username');
    });

    it('a deactivated account gets the same 401, even with the right password', async () => {
      const u = await t.given.officer();
      await t
        .http()
        .patch(`${API}/users/${u.id}`)
        .set(admin.auth)
        .send({ active: false, deactivationReason: 'Left the department' })
        .expect(200);
      const res = await login(u.username, u.password);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'AUTH.INVALID_CREDENTIALS', message: 'Invalid username or password.' });
      const [ev] = await eventsFor(res.body.requestId);
      expect(ev).toMatchObject({ action: 'auth.login', outcome: 'FAILED' });
      expect(ev.details.reason).toBe('account_inactive');
    });

    it('a malformed body is a 400 naming the field, audited as one FAILED login attempt (no login is tried)', async () => {
      const res = await t.http().post(`${API}/auth/login`).send({ username: 'someone' }).expect(400);
      expect(res.body.code).toBe('VALIDATION.FAILED');
      expect(res.body.fields.map((f: { field: string }) => f.field)).toContain('password');
      const events = await auditRows(t.owner, `request_id = $1`, [res.body.requestId]);
      expect(events.map((e) => [e.action, e.outcome, e.actor_role, e.details.code, e.details.fields])).toEqual([
        ['auth.login', 'FAILED', 'ANONYMOUS', 'VALIDATION.FAILED', ['password']],
      ]);
    });
  });

  // ===============================================================================================
  describe('lockout after 5 consecutive failures', () => {
    /** 5 wrong passwords; returns the window in which the lock was set. */
    async function lockOut(u: TestUser): Promise<{ before: number; after: number; fromSeq: number }> {
      const fromSeq = await headSeq();
      let before = 0;
      for (let i = 1; i <= LOCKOUT_THRESHOLD; i++) {
        if (i === LOCKOUT_THRESHOLD) before = Date.now();
        const res = await login(u.username, `wrong-password-${i}`);
        expect({ attempt: i, status: res.status, code: res.body.code }).toEqual({
          attempt: i,
          status: 401,
          code: 'AUTH.INVALID_CREDENTIALS',
        });
      }
      return { before, after: Date.now(), fromSeq };
    }

    it('the 6th attempt, even with the right password, is 423 AUTH.ACCOUNT_LOCKED for 10 minutes, and every step is audited', async () => {
      const u = await t.given.officer();
      const { before, after, fromSeq } = await lockOut(u);

      const locked = await login(u.username, u.password);
      expect(locked.status).toBe(423);
      expect(locked.body).toMatchObject({
        statusCode: 423,
        code: 'AUTH.ACCOUNT_LOCKED',
        lockedUntil: expect.any(String),
      });
      expect(locked.body.accessToken).toBeUndefined();
      const until = Date.parse(locked.body.lockedUntil);
      expect(until).toBeGreaterThanOrEqual(before + LOCKOUT_MS - 1000);
      expect(until).toBeLessThanOrEqual(after + LOCKOUT_MS + 1000);
      expect((await userRow(u.id)).locked_until.toISOString()).toBe(locked.body.lockedUntil);

      // A wrong password while locked is refused the same way (a locked account is no password oracle).
      const lockedWrong = await login(u.username, 'wrong-password-6');
      expect(lockedWrong.status).toBe(423);
      expect(lockedWrong.body.lockedUntil).toBe(locked.body.lockedUntil);

      // The administrator sees the lock.
      const view = await t.http().get(`${API}/users/${u.id}`).set(admin.auth).expect(200);
      expect(view.body.lockedUntil).toBe(locked.body.lockedUntil);

      const events = await auditRows(
        t.owner,
        `seq > $1 AND target_id = $2 AND action IN ('auth.login','user.locked')`,
        [fromSeq, u.id],
      );
      expect(events.map((e) => [e.action, e.outcome])).toEqual([
        ['auth.login', 'FAILED'],
        ['auth.login', 'FAILED'],
        ['auth.login', 'FAILED'],
        ['auth.login', 'FAILED'],
        ['auth.login', 'FAILED'],
        ['user.locked', 'SUCCESS'],
        ['auth.login', 'DENIED'],
        ['auth.login', 'DENIED'],
      ]);
      expect(events.slice(0, 5).map((e) => e.details.consecutiveFailures)).toEqual([1, 2, 3, 4, 5]);
      expect(events[5].details.lockedUntil).toBe(locked.body.lockedUntil);
      expect(events[6].details).toMatchObject({ reason: 'account_locked', lockedUntil: locked.body.lockedUntil });
      expect(events[6].request_id).toBe(locked.body.requestId);
      for (const e of events) {
        expect(JSON.stringify(e.details)).not.toContain('wrong-password');
        expect(JSON.stringify(e.details)).not.toContain(u.password);
      }
    });

    it('a concurrent burst of wrong passwords gets no more than 5 guesses checked before the lock applies', async () => {
      const u = await t.given.officer();
      const fromSeq = await headSeq();
      const burst = await Promise.all(Array.from({ length: 15 }, (_, i) => login(u.username, `burst-guess-${i}`)));
      const statuses = burst.map((r) => r.status).sort();
      // Each 401 is a password that was actually tried; once 5 have failed the rest must be refused unchecked.
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(LOCKOUT_THRESHOLD);
      expect(statuses.filter((s) => s !== 401 && s !== 423)).toEqual([]);
      const checked = await auditRows(
        t.owner,
        `seq > $1 AND target_id = $2 AND action = 'auth.login' AND outcome = 'FAILED'`,
        [fromSeq, u.id],
      );
      expect(checked.map((e) => e.details.consecutiveFailures).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(
        await auditRows(t.owner, `seq > $1 AND target_id = $2 AND action = 'user.locked'`, [fromSeq, u.id]),
      ).toHaveLength(1);
      expect((await login(u.username, u.password)).status).toBe(423);
    });

    it('only consecutive failures count: a successful login resets the counter', async () => {
      const u = await t.given.officer();
      for (let i = 0; i < LOCKOUT_THRESHOLD - 1; i++) expect((await login(u.username, `nope-${i}`)).status).toBe(401);
      await login(u.username, u.password).expect(200);
      expect((await userRow(u.id)).failed_login_count).toBe(0);
      for (let i = 0; i < LOCKOUT_THRESHOLD - 1; i++) expect((await login(u.username, `nope-${i}`)).status).toBe(401);
      await login(u.username, u.password).expect(200);
    });

    it('an administrator clears a lock with PATCH {unlock: true}; the user can log in again at once', async () => {
      const u = await t.given.officer();
      await lockOut(u);
      expect((await login(u.username, u.password)).status).toBe(423);

      const res = await t.http().patch(`${API}/users/${u.id}`).set(admin.auth).send({ unlock: true }).expect(200);
      expect(res.body).toMatchObject({ id: u.id, lockedUntil: null });
      const row = await userRow(u.id);
      expect({ locked_until: row.locked_until, failed_login_count: row.failed_login_count }).toEqual({
        locked_until: null,
        failed_login_count: 0,
      });
      const [ev] = await eventsFor(res.headers['x-request-id']);
      expect(ev).toMatchObject({ action: 'user.updated', outcome: 'SUCCESS', actor_id: admin.id, target_id: u.id });
      expect(ev.details.unlocked).toBe(true);

      await login(u.username, u.password).expect(200);
    });

    it('a lock that has expired no longer applies', async () => {
      const u = await t.given.officer();
      await lockOut(u);
      expect((await login(u.username, u.password)).status).toBe(423);
      // Eleven minutes later (the service's clock; nothing sleeps).
      const later = jest
        .spyOn(Clock.prototype, 'now')
        .mockImplementation(() => new Date(Date.now() + LOCKOUT_MS + 60_000));

      const res = await login(u.username, u.password).expect(200);
      later.mockRestore();
      expect(res.body.user.lockedUntil).toBeNull();
      expect((await userRow(u.id)).locked_until).toBeNull();
      // ...and the count starts afresh: one more wrong password does not lock again.
      const again = await login(u.username, 'wrong-again-1');
      expect(again.status).toBe(401);
      const [ev] = await eventsFor(again.body.requestId);
      expect(ev.details.consecutiveFailures).toBe(1);
    });
  });

  // ===============================================================================================
  describe('lockout does not reveal which usernames exist', () => {
    afterEach(() => jest.restoreAllMocks());

    /** What a client sees of an answer: status, body without its requestId, and the headers that matter. */
    const seen = (r: Response) => ({
      status: r.status,
      body: { ...r.body, requestId: undefined },
      headers: Object.fromEntries(
        ['content-type', 'content-length', 'retry-after', 'cache-control', 'www-authenticate'].map((h) => [
          h,
          r.headers[h],
        ]),
      ),
    });
    /** Same-length request ids, so that content-length compares the rest of the body. */
    const attempt = (username: string, password: string) =>
      t.http().post(`${API}/auth/login`).set('X-Request-Id', `auth-${randomUUID()}`).send({ username, password });
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
    };
    async function timed(username: string, password: string): Promise<number> {
      const t0 = process.hrtime.bigint();
      await attempt(username, password);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    }

    it('an unknown username locks out after 5 failures exactly like a real account: same status, body and headers', async () => {
      const u = await t.given.officer();
      const ghost = uniqueName('ghost');
      const fromSeq = await headSeq();
      // One instant for both lockouts, so that their lockedUntil is the same too.
      jest.spyOn(Clock.prototype, 'now').mockReturnValue(new Date());
      for (let i = 1; i <= LOCKOUT_THRESHOLD; i++) {
        const real = await attempt(u.username, `wrong-password-${i}`);
        const unknown = await attempt(ghost, `wrong-password-${i}`);
        expect({ i, ...seen(unknown) }).toEqual({ i, ...seen(real) });
        expect(real.status).toBe(401);
      }
      const real6 = await attempt(u.username, 'wrong-password-6');
      const unknown6 = await attempt(ghost, 'wrong-password-6');
      expect(real6.status).toBe(423);
      expect(real6.body).toMatchObject({ code: 'AUTH.ACCOUNT_LOCKED', lockedUntil: expect.any(String) });
      expect(seen(unknown6)).toEqual(seen(real6));
      // The right password during the lock is refused with the very same answer.
      expect(seen(await attempt(u.username, u.password))).toEqual(seen(real6));
      // Letter case does not give an unknown name a fresh counter (normalised like the account lookup).
      expect(seen(await attempt(ghost.toUpperCase(), 'wrong-password-7'))).toEqual(seen(real6));

      // Audited alike: five failures counted, the lock, then the refusals; the attempted name, never a password.
      const ghostEvents = await auditRows(t.owner, `seq > $1 AND details->>'username' = $2`, [fromSeq, ghost]);
      expect(ghostEvents.map((e) => [e.action, e.outcome, e.details.reason ?? null])).toEqual([
        ...Array.from({ length: LOCKOUT_THRESHOLD }, () => ['auth.login', 'FAILED', 'unknown_username']),
        ['user.locked', 'SUCCESS', `${LOCKOUT_THRESHOLD} consecutive failed logins`],
        ['auth.login', 'DENIED', 'account_locked'],
      ]);
      expect(ghostEvents.slice(0, 5).map((e) => e.details.consecutiveFailures)).toEqual([1, 2, 3, 4, 5]);
      expect(ghostEvents[5].details.lockedUntil).toBe(real6.body.lockedUntil);
      const upper = await eventsFor(
        (await auditRows(t.owner, `seq > $1 AND details->>'username' = $2`, [fromSeq, ghost.toUpperCase()]))[0]
          .request_id,
      );
      expect(upper.map((e) => [e.action, e.outcome, e.details.reason])).toEqual([
        ['auth.login', 'DENIED', 'account_locked'],
      ]);
      for (const e of ghostEvents) expect(JSON.stringify(e.details)).not.toContain('wrong-password');
    });

    it('a lockout of an unknown username expires like a real one, and an administrator still clears a real one', async () => {
      const u = await t.given.officer();
      const v = await t.given.officer();
      const ghost = uniqueName('ghost');
      for (const name of [u.username, v.username, ghost]) {
        for (let i = 1; i <= LOCKOUT_THRESHOLD; i++) await attempt(name, `wrong-password-${i}`);
        expect((await attempt(name, 'wrong-password-6')).status).toBe(423);
      }
      await t.http().patch(`${API}/users/${v.id}`).set(admin.auth).send({ unlock: true }).expect(200);
      await attempt(v.username, v.password).expect(200);

      jest.spyOn(Clock.prototype, 'now').mockImplementation(() => new Date(Date.now() + LOCKOUT_MS + 60_000));
      const real = await attempt(u.username, 'wrong-after-expiry');
      const unknown = await attempt(ghost, 'wrong-after-expiry');
      expect(real.status).toBe(401);
      expect(seen(unknown)).toEqual(seen(real));
      expect((await eventsFor(unknown.body.requestId))[0].details).toMatchObject({
        reason: 'unknown_username',
        consecutiveFailures: 1,
      });
      expect((await eventsFor(real.body.requestId))[0].details).toMatchObject({
        reason: 'wrong_password',
        consecutiveFailures: 1,
      });
    });

    it('a real and an unknown username take the same time to refuse, locked or not (argon2 runs on every path)', async () => {
      const ROUNDS = 20;
      const reals = await Promise.all(Array.from({ length: ROUNDS }, () => t.given.officer()));
      const lockedReal = await t.given.officer();
      const lockedGhost = uniqueName('ghost');
      for (const name of [lockedReal.username, lockedGhost]) {
        for (let i = 1; i <= LOCKOUT_THRESHOLD; i++) await attempt(name, `wrong-password-${i}`);
      }
      await timed(uniqueName('warm-up'), 'x'); // the dummy hash is made once, on first use
      const unlocked = { real: [] as number[], unknown: [] as number[] };
      const locked = { real: [] as number[], unknown: [] as number[] };
      // Interleaved, so that load from other work on the machine falls on both sides alike.
      for (let i = 0; i < ROUNDS; i++) {
        unlocked.real.push(await timed(reals[i].username, `wrong-${i}`));
        unlocked.unknown.push(await timed(uniqueName('ghost'), `wrong-${i}`));
        locked.real.push(await timed(lockedReal.username, i % 2 ? lockedReal.password : `wrong-${i}`));
        locked.unknown.push(await timed(lockedGhost, `wrong-${i}`));
      }
      const m = {
        unlockedReal: median(unlocked.real),
        unlockedUnknown: median(unlocked.unknown),
        lockedReal: median(locked.real),
        lockedUnknown: median(locked.unknown),
      };
      console.info(`login timing medians over ${ROUNDS} attempts (ms): ${JSON.stringify(m)}`);
      // argon2 (19 MiB, t=2) dominates every refusal: medians agree within half (a short cut without it is several times faster).
      const ratio = (a: number, b: number) => Math.max(a, b) / Math.min(a, b);
      expect({
        unlocked: ratio(m.unlockedReal, m.unlockedUnknown) < 1.5,
        locked: ratio(m.lockedReal, m.lockedUnknown) < 1.5,
      }).toEqual({ unlocked: true, locked: true });
      // ...and a locked refusal costs a password check too (no short cut that would tell locked from unlocked).
      expect(ratio(m.lockedReal, m.unlockedReal)).toBeLessThan(1.5);
    });
  });

  // ===============================================================================================
  describe('bearer tokens', () => {
    let u: TestUser;
    beforeAll(async () => {
      u = await t.given.officer();
    });

    const me = (authorization?: string) => {
      const req = t.http().get(`${API}/auth/me`);
      return authorization === undefined ? req : req.set('Authorization', authorization);
    };

    it('a token crafted with the service secret is accepted (positive control for the refusals below)', async () => {
      const res = await me(`Bearer ${craftToken(claimsFor(u))}`).expect(200);
      expect(res.body.id).toBe(u.id);
    });

    const refused: { name: string; header: () => string | undefined; message?: RegExp }[] = [
      { name: 'no Authorization header', header: () => undefined },
      { name: 'an empty bearer', header: () => 'Bearer ' },
      { name: 'garbage', header: () => 'Bearer not-a-jwt' },
      {
        name: 'a Basic credential instead of a bearer token',
        header: () => `Basic ${b64url(`${u.username}:${u.password}`)}`,
      },
      {
        name: 'a bad signature (another secret)',
        header: () => `Bearer ${craftToken(claimsFor(u), { secret: randomBytes(32).toString('hex') })}`,
      },
      { name: 'alg: none', header: () => `Bearer ${craftToken(claimsFor(u), { alg: 'none' })}` },
      {
        name: 'another algorithm (HS512) with the right secret',
        header: () => `Bearer ${craftToken(claimsFor(u), { alg: 'HS512' })}`,
      },
      {
        name: 'an expired token (right secret)',
        header: () => `Bearer ${craftToken(claimsFor(u, { iat: nowS() - 7200, exp: nowS() - 3600 }))}`,
        message: /expired/i,
      },
      {
        name: 'a token for a user that does not exist',
        header: () => `Bearer ${craftToken(claimsFor(u, { sub: randomUUID() }))}`,
      },
      {
        name: 'a token whose subject is not a user id',
        header: () => `Bearer ${craftToken(claimsFor(u, { sub: 'admin' }))}`,
      },
      {
        name: 'a real token with its payload edited (role ADMIN)',
        header: () => {
          const [h, , s] = u.token.split('.');
          return `Bearer ${h}.${b64url(JSON.stringify({ ...decodeJwt(u.token).payload, role: 'ADMIN' }))}.${s}`;
        },
      },
    ];

    it.each(refused)(
      '$name -> 401 AUTH.UNAUTHENTICATED, audited as auth.unauthenticated',
      async ({ header, message }) => {
        const res = await me(header());
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ statusCode: 401, code: 'AUTH.UNAUTHENTICATED', message: expect.any(String) });
        if (message) expect(res.body.message).toMatch(message);
        expect(res.body.id).toBeUndefined();
        const events = await eventsFor(res.body.requestId);
        expect(events).toEqual([
          expect.objectContaining({
            action: 'auth.unauthenticated',
            outcome: 'DENIED',
            actor_id: null,
            actor_role: 'ANONYMOUS',
          }),
        ]);
      },
    );

    it('the role comes from the user record, not the token: an OFFICER token claiming ADMIN (validly signed) is still an officer', async () => {
      const forged = craftToken(claimsFor(u, { role: 'ADMIN' }));
      const res = await t.http().get(`${API}/users`).set('Authorization', `Bearer ${forged}`);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('AUTH.FORBIDDEN');
    });

    it('deactivating a user (PATCH {active:false}) makes their existing token fail at once', async () => {
      const victim = await t.given.officer();
      await t.http().get(`${API}/auth/me`).set(victim.auth).expect(200);

      const res = await t
        .http()
        .patch(`${API}/users/${victim.id}`)
        .set(admin.auth)
        .send({ active: false, deactivationReason: 'Credentials reported stolen' })
        .expect(200);
      expect(res.body.active).toBe(false);
      expect((await userRow(victim.id)).active).toBe(false);
      const [ev] = await eventsFor(res.headers['x-request-id']);
      expect(ev).toMatchObject({ action: 'user.updated', actor_id: admin.id, target_id: victim.id });
      expect(ev.details.changes.active).toEqual({ from: true, to: false });

      const after = await t.http().get(`${API}/auth/me`).set(victim.auth);
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('AUTH.UNAUTHENTICATED');
      const created = await t.http().post(`${API}/cases`).set(victim.auth).send({});
      expect(created.status).toBe(401);
      expect(
        (await t.owner.query('SELECT count(*)::int AS n FROM cases WHERE created_by = $1', [victim.id])).rows[0].n,
      ).toBe(0);
    });

    it('a role change takes effect on the existing token at once', async () => {
      const moved = await t.given.officer();
      await t
        .http()
        .patch(`${API}/users/${moved.id}`)
        .set(admin.auth)
        .send({ role: 'AUDITOR', district: null })
        .expect(200);
      const res = await t.http().get(`${API}/auth/me`).set(moved.auth).expect(200);
      expect(res.body).toMatchObject({ role: 'AUDITOR', district: null });
      expect((await t.http().post(`${API}/cases`).set(moved.auth).send({})).status).toBe(403);
    });
  });

  // ===============================================================================================
  describe('GET /auth/me', () => {
    it.each(['OFFICER', 'SUPERVISOR', 'PROSECUTOR', 'AUDITOR', 'ADMIN'] as const)(
      'returns the %s caller, with scope, without secrets',
      async (role) => {
        const u = await t.given.user(role, role === 'PROSECUTOR' ? { office: 'CITY_LAW' } : { district: 9 });
        const res = await t.http().get(`${API}/auth/me`).set(u.auth).expect(200);
        expect(res.body).toMatchObject({
          id: u.id,
          username: u.username,
          role,
          active: true,
          district: role === 'OFFICER' || role === 'SUPERVISOR' ? 9 : null,
          office: role === 'PROSECUTOR' ? 'CITY_LAW' : null,
        });
        expectNoSecrets(res.body);
      },
    );
  });

  // ===============================================================================================
  describe('signing out (POST /auth/logout): every session of the user ends on the service', () => {
    const SIGNED_OUT = /^This session was signed out/;
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    const logout = (auth: { Authorization: string }) =>
      t.http().post(`${API}/auth/logout`).set(auth).set('X-Request-Id', `logout-${randomUUID()}`);
    /** A protected request with `auth`: 401 naming the sign-out, recorded once as auth.unauthenticated. */
    const expectSignedOut = async (auth: { Authorization: string }, path = `${API}/cases`) => {
      const rid = `signed-out-${randomUUID()}`;
      const res = await t.http().get(path).set(auth).set('X-Request-Id', rid);
      expect([res.status, res.body.code]).toEqual([401, 'AUTH.UNAUTHENTICATED']);
      expect(res.body.message).toMatch(SIGNED_OUT);
      expect(await eventsFor(rid)).toEqual([
        expect.objectContaining({ action: 'auth.unauthenticated', outcome: 'DENIED', actor_id: null }),
      ]);
    };

    it('204; the same token, and a second session of the user, are refused with 401; a new sign-in works; audited', async () => {
      const u = await t.given.officer(3);
      const other = await t.given.officer(3);
      // A second session (another browser or device) opened before the sign-out.
      const second = bearer((await login(u.username, u.password).expect(200)).body.accessToken);
      await t.http().get(`${API}/cases`).set(u.auth).expect(200);
      await t.http().get(`${API}/cases`).set(second).expect(200);

      const res = await logout(u.auth);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const row = await userRow(u.id);
      expect(row.tokens_valid_after).toBeInstanceOf(Date);
      const [ev, ...more] = await eventsFor(res.headers['x-request-id']);
      expect(more).toEqual([]);
      expect(ev).toMatchObject({
        action: 'auth.logged_out',
        outcome: 'SUCCESS',
        actor_id: u.id,
        actor_role: 'OFFICER',
        target_type: 'user',
        target_id: u.id,
      });
      expect(ev.details).toEqual({
        username: u.username,
        tokensValidAfter: row.tokens_valid_after.toISOString(),
      });

      await expectSignedOut(u.auth);
      await expectSignedOut(u.auth, `${API}/auth/me`);
      await expectSignedOut(second);
      // A write with the ended token changes nothing.
      const created = await t.http().post(`${API}/cases`).set(u.auth).send({});
      expect(created.status).toBe(401);
      expect(
        (await t.owner.query('SELECT count(*)::int AS n FROM cases WHERE created_by = $1', [u.id])).rows[0].n,
      ).toBe(0);
      // Signing out again with the ended token: 401, and nothing is moved or recorded as a sign-out.
      const again = await logout(u.auth);
      expect([again.status, again.body.message]).toEqual([401, expect.stringMatching(SIGNED_OUT)]);
      expect((await userRow(u.id)).tokens_valid_after).toEqual(row.tokens_valid_after);
      expect((await eventsFor(again.headers['x-request-id'])).map((e) => e.action)).toEqual(['auth.unauthenticated']);
      // Another user's session is untouched.
      await t.http().get(`${API}/cases`).set(other.auth).expect(200);

      // A new sign-in afterwards works, and stays working.
      const fresh = bearer((await login(u.username, u.password).expect(200)).body.accessToken);
      const me = await t.http().get(`${API}/auth/me`).set(fresh).expect(200);
      expect(me.body.id).toBe(u.id);
      await t.http().get(`${API}/cases`).set(fresh).expect(200);
    });

    it('a token without iat_ms counts from its iat (whole seconds): issued before the sign-out, refused; after it, accepted', async () => {
      const u = await t.given.auditor();
      const issued = decodeJwt(u.token).payload;
      expect(issued.iat_ms).toEqual(expect.any(Number));
      expect(Math.floor(issued.iat_ms / 1000)).toBe(issued.iat);
      await logout(u.auth).expect(204);
      const cutoff = (await userRow(u.id)).tokens_valid_after.getTime();
      // Validly signed (the service's key), as an older release issued them: no iat_ms.
      const before = craftToken(claimsFor(u, { iat: Math.floor(cutoff / 1000) }));
      await expectSignedOut(bearer(before), `${API}/auth/me`);
      const after = craftToken(claimsFor(u, { iat: Math.floor(cutoff / 1000) + 1 }));
      await t.http().get(`${API}/auth/me`).set(bearer(after)).expect(200);
      // iat_ms, when present, decides: one millisecond after the cutoff is enough, the cutoff itself is not.
      const atCutoff = craftToken(claimsFor(u, { iat: Math.floor(cutoff / 1000) + 1, iat_ms: cutoff }));
      await expectSignedOut(bearer(atCutoff), `${API}/auth/me`);
      const justAfter = craftToken(claimsFor(u, { iat: Math.floor(cutoff / 1000), iat_ms: cutoff + 1 }));
      await t.http().get(`${API}/auth/me`).set(bearer(justAfter)).expect(200);
    });

    it('changing one’s password ends the tokens of before (this session and the others); the fresh token it answers works', async () => {
      const u = await t.given.supervisor(4);
      const second = bearer((await login(u.username, u.password).expect(200)).body.accessToken);
      const newPassword = 'Navy Pier fireworks at nine';
      const changed = await t
        .http()
        .post(`${API}/auth/password`)
        .set(u.auth)
        .send({ currentPassword: u.password, newPassword })
        .expect(200);
      const fresh = bearer(changed.body.accessToken);
      await expectSignedOut(u.auth);
      await expectSignedOut(second);
      await t.http().get(`${API}/cases`).set(fresh).expect(200);
      await t.http().get(`${API}/auth/me`).set(fresh).expect(200);
      // A wrong current password (refused) ends nothing.
      const wrong = await t
        .http()
        .post(`${API}/auth/password`)
        .set(fresh)
        .send({ currentPassword: 'not the password at all', newPassword: 'something else entirely' });
      expect(wrong.status).toBe(400);
      await t.http().get(`${API}/cases`).set(fresh).expect(200);
      await login(u.username, newPassword).expect(200);
    });

    it('is open while a reset password must be changed; an administrator’s reset and a deactivation end the user’s tokens (a reactivation does not bring them back)', async () => {
      const u = await t.given.officer(5);
      const reset = await t.http().post(`${API}/users/${u.id}/password-reset`).set(admin.auth).send({}).expect(200);
      await expectSignedOut(u.auth, `${API}/auth/me`);
      const temporary = bearer((await login(u.username, reset.body.temporaryPassword).expect(200)).body.accessToken);
      expect((await t.http().get(`${API}/cases`).set(temporary)).body.code).toBe('AUTH.PASSWORD_CHANGE_REQUIRED');
      const out = await logout(temporary);
      expect(out.status).toBe(204);
      expect((await eventsFor(out.headers['x-request-id']))[0]).toMatchObject({
        action: 'auth.logged_out',
        outcome: 'SUCCESS',
      });
      await expectSignedOut(temporary, `${API}/auth/me`);

      const v = await t.given.officer(5);
      await t
        .http()
        .patch(`${API}/users/${v.id}`)
        .set(admin.auth)
        .send({ active: false, deactivationReason: 'Badge reported lost' })
        .expect(200);
      await t.http().patch(`${API}/users/${v.id}`).set(admin.auth).send({ active: true }).expect(200);
      await expectSignedOut(v.auth);
      await login(v.username, v.password).expect(200);
    });
  });

  // ===============================================================================================
  describe('user administration (ADMIN)', () => {
    const create = (body: Record<string, unknown>, as: TestUser = admin) =>
      t.http().post(`${API}/users`).set(as.auth).send(body);
    const countUsers = async (username: string) =>
      (await t.owner.query('SELECT count(*)::int AS n FROM users WHERE lower(username) = lower($1)', [username]))
        .rows[0].n;
    const fieldsOf = (res: Response) => (res.body.fields ?? []).map((f: { field: string }) => f.field);

    it('POST /users creates a user: 201, no password in the body, argon2 hash stored, audited, can log in', async () => {
      const username = uniqueName('new.officer');
      const password = 'correct horse battery staple';
      const badge = `B-${randomUUID().slice(0, 8)}`;
      const res = await create({
        username,
        displayName: 'Officer New',
        password,
        role: 'OFFICER',
        district: 7,
        badgeNumber: badge,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        username,
        displayName: 'Officer New',
        role: 'OFFICER',
        district: 7,
        office: null,
        badgeNumber: badge,
        active: true,
      });
      expectNoSecrets(res.body);
      expect(JSON.stringify(res.body)).not.toContain(password);

      const row = await userRow(res.body.id);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.password_hash).not.toContain(password);

      const [ev] = await eventsFor(res.headers['x-request-id']);
      expect(ev).toMatchObject({
        action: 'user.created',
        outcome: 'SUCCESS',
        actor_id: admin.id,
        actor_role: 'ADMIN',
        target_type: 'user',
        target_id: res.body.id,
      });
      expect(ev.details).toMatchObject({ username, role: 'OFFICER', district: 7 });
      expect(JSON.stringify(ev.details)).not.toMatch(/password|argon2|correct horse/i);

      await login(username, password).expect(200);
    });

    const invalid: { name: string; patch: Record<string, unknown>; field: string }[] = [
      { name: 'OFFICER without district', patch: { role: 'OFFICER' }, field: 'district' },
      { name: 'SUPERVISOR without district', patch: { role: 'SUPERVISOR' }, field: 'district' },
      { name: 'PROSECUTOR without office', patch: { role: 'PROSECUTOR' }, field: 'office' },
      { name: 'AUDITOR with a district', patch: { role: 'AUDITOR', district: 4 }, field: 'district' },
      { name: 'ADMIN with an office', patch: { role: 'ADMIN', office: 'CCSAO' }, field: 'office' },
      {
        name: 'OFFICER with an office as well',
        patch: { role: 'OFFICER', district: 4, office: 'CCSAO' },
        field: 'office',
      },
      { name: 'a district not in service (13)', patch: { role: 'OFFICER', district: 13 }, field: 'district' },
      { name: 'an unknown role', patch: { role: 'CHIEF' }, field: 'role' },
      { name: 'a password shorter than 12', patch: { role: 'AUDITOR', password: 'short' }, field: 'password' },
      {
        name: 'an unknown field (passwordHash)',
        patch: { role: 'AUDITOR', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$forged' },
        field: 'passwordHash',
      },
      { name: 'an unknown field (active)', patch: { role: 'AUDITOR', active: false }, field: 'active' },
    ];

    it.each(invalid)('POST /users with $name -> 400 naming $field, nothing created', async ({ patch, field }) => {
      const username = uniqueName('invalid');
      const res = await create({ username, displayName: 'Invalid', password: 'long-enough-password', ...patch });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION.FAILED');
      expect(fieldsOf(res)).toContain(field);
      expect(res.body.message).toContain(field);
      expect(await countUsers(username)).toBe(0);
      expect(await auditRows(t.owner, `action = 'user.created' AND details->>'username' = $1`, [username])).toEqual([]);
    });

    it('POST /users with a username already taken in another letter case -> 409, one user only', async () => {
      const username = uniqueName('dup.user');
      await create({ username, displayName: 'First', password: 'long-enough-password', role: 'AUDITOR' }).expect(201);
      const res = await create({
        username: username.toUpperCase(),
        displayName: 'Second',
        password: 'long-enough-password',
        role: 'AUDITOR',
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('RESOURCE.CONFLICT');
      expect(res.body.message).toContain('username');
      expect(await countUsers(username)).toBe(1);
    });

    it('POST /users with a badge number already assigned -> 409', async () => {
      const badge = `DUP-${randomUUID().slice(0, 8)}`;
      await create({
        username: uniqueName('badge1'),
        displayName: 'A',
        password: 'long-enough-password',
        role: 'OFFICER',
        district: 2,
        badgeNumber: badge,
      }).expect(201);
      const username = uniqueName('badge2');
      const res = await create({
        username,
        displayName: 'B',
        password: 'long-enough-password',
        role: 'OFFICER',
        district: 2,
        badgeNumber: badge,
      });
      expect(res.status).toBe(409);
      expect(res.body.message).toContain('badgeNumber');
      expect(await countUsers(username)).toBe(0);
    });

    it('GET /users paginates in creation order and filters by role and active', async () => {
      const made: string[] = [];
      for (let i = 0; i < 3; i++) made.push((await t.given.prosecutor(i % 2 ? 'CITY_LAW' : 'CCSAO')).id);
      await t
        .http()
        .patch(`${API}/users/${made[1]}`)
        .set(admin.auth)
        .send({ active: false, deactivationReason: 'Transferred out' })
        .expect(200);

      const { rows } = await t.owner.query(`SELECT id FROM users WHERE role = 'PROSECUTOR' ORDER BY created_at, id`);
      const expected = rows.map((r: { id: string }) => r.id);
      const seen: string[] = [];
      for (let page = 1; ; page++) {
        const res = await t
          .http()
          .get(`${API}/users?role=PROSECUTOR&pageSize=2&page=${page}`)
          .set(admin.auth)
          .expect(200);
        expect(res.body).toMatchObject({ page, pageSize: 2, total: expected.length });
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        for (const item of res.body.items) {
          expect(item.role).toBe('PROSECUTOR');
          expectNoSecrets(item);
        }
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        if (res.body.items.length < 2) break;
      }
      expect(seen).toEqual(expected);
      expect(seen).toEqual(expect.arrayContaining(made));

      const inactive = await t
        .http()
        .get(`${API}/users?role=PROSECUTOR&active=false&pageSize=100`)
        .set(admin.auth)
        .expect(200);
      expect(inactive.body.items.map((i: { id: string }) => i.id)).toEqual([made[1]]);

      const all = await t.http().get(`${API}/users?pageSize=100`).set(admin.auth).expect(200);
      const total = (await t.owner.query('SELECT count(*)::int AS n FROM users')).rows[0].n;
      expect(all.body.total).toBe(total);
    });

    it.each([
      ['pageSize=101', 'pageSize'],
      ['page=0', 'page'],
      ['role=CHIEF', 'role'],
      ['active=maybe', 'active'],
    ])('GET /users?%s -> 400 naming %s', async (query, field) => {
      const res = await t.http().get(`${API}/users?${query}`).set(admin.auth).expect(400);
      expect(fieldsOf(res)).toContain(field);
    });

    describe('PATCH /users/:id role change keeps role and scope consistent', () => {
      it('OFFICER -> PROSECUTOR without an office (and still with a district) -> 400 naming office and district; unchanged', async () => {
        const u = await t.given.officer(5);
        const res = await t.http().patch(`${API}/users/${u.id}`).set(admin.auth).send({ role: 'PROSECUTOR' });
        expect(res.status).toBe(400);
        expect(fieldsOf(res)).toEqual(expect.arrayContaining(['office', 'district']));
        expect(await userRow(u.id)).toMatchObject({ role: 'OFFICER', district: 5, office: null });
      });

      it('OFFICER -> PROSECUTOR with an office and district cleared -> 200, stored, audited with from/to', async () => {
        const u = await t.given.officer(5);
        const res = await t
          .http()
          .patch(`${API}/users/${u.id}`)
          .set(admin.auth)
          .send({ role: 'PROSECUTOR', office: 'CITY_LAW', district: null });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ id: u.id, role: 'PROSECUTOR', office: 'CITY_LAW', district: null });
        expect(await userRow(u.id)).toMatchObject({ role: 'PROSECUTOR', office: 'CITY_LAW', district: null });
        const [ev] = await eventsFor(res.headers['x-request-id']);
        expect(ev).toMatchObject({ action: 'user.updated', actor_id: admin.id, target_id: u.id });
        expect(ev.details.changes).toMatchObject({
          role: { from: 'OFFICER', to: 'PROSECUTOR' },
          office: { from: null, to: 'CITY_LAW' },
          district: { from: 5, to: null },
        });
      });

      it('OFFICER -> SUPERVISOR keeps the district -> 200', async () => {
        const u = await t.given.officer(6);
        const res = await t
          .http()
          .patch(`${API}/users/${u.id}`)
          .set(admin.auth)
          .send({ role: 'SUPERVISOR' })
          .expect(200);
        expect(res.body).toMatchObject({ role: 'SUPERVISOR', district: 6 });
      });

      it('AUDITOR -> OFFICER without a district -> 400 naming district', async () => {
        const u = await t.given.auditor();
        const res = await t.http().patch(`${API}/users/${u.id}`).set(admin.auth).send({ role: 'OFFICER' }).expect(400);
        expect(fieldsOf(res)).toContain('district');
        expect((await userRow(u.id)).role).toBe('AUDITOR');
      });

      it('an unknown field, an unknown id and a malformed id are refused', async () => {
        const u = await t.given.officer();
        const unknownField = await t
          .http()
          .patch(`${API}/users/${u.id}`)
          .set(admin.auth)
          .send({ passwordHash: 'x' })
          .expect(400);
        expect(fieldsOf(unknownField)).toContain('passwordHash');
        const missing = await t
          .http()
          .patch(`${API}/users/${randomUUID()}`)
          .set(admin.auth)
          .send({ displayName: 'X' })
          .expect(404);
        expect(missing.body.code).toBe('RESOURCE.NOT_FOUND');
        const malformed = await t
          .http()
          .patch(`${API}/users/not-a-uuid`)
          .set(admin.auth)
          .send({ displayName: 'X' })
          .expect(400);
        expect(fieldsOf(malformed)).toContain('id');
      });

      it('a password reset: the new password works, the old one does not, and no password reaches the audit trail', async () => {
        const u = await t.given.officer();
        const res = await t
          .http()
          .patch(`${API}/users/${u.id}`)
          .set(admin.auth)
          .send({ password: 'brand-new-password-42' })
          .expect(200);
        const [ev] = await eventsFor(res.headers['x-request-id']);
        expect(ev.details.passwordReset).toBe(true);
        expect(JSON.stringify(ev.details)).not.toContain('brand-new-password-42');
        expect((await login(u.username, u.password)).status).toBe(401);
        await login(u.username, 'brand-new-password-42').expect(200);
      });
    });

    describe('an administrator cannot lock themselves out', () => {
      it.each([
        {
          name: 'deactivate themselves',
          body: { active: false, deactivationReason: 'Leaving' },
          code: 'USER.SELF_DEACTIVATION',
        },
        { name: 'demote themselves', body: { role: 'AUDITOR' }, code: 'USER.SELF_ROLE_CHANGE' },
        {
          name: 'set their own password through PATCH',
          body: { password: 'my-own-new-password-1' },
          code: 'USER.SELF_PASSWORD_RESET',
        },
      ])('cannot $name -> 403 $code, unchanged, audited as access.denied', async ({ body, code }) => {
        const self = await t.given.admin();
        const res = await t.http().patch(`${API}/users/${self.id}`).set(self.auth).send(body);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe(code);
        expect(await userRow(self.id)).toMatchObject({ role: 'ADMIN', active: true });
        const events = await eventsFor(res.body.requestId);
        expect(events).toEqual([
          expect.objectContaining({ action: 'access.denied', outcome: 'DENIED', actor_id: self.id }),
        ]);
        await t.http().get(`${API}/users`).set(self.auth).expect(200);
      });

      it('may still edit their own display name, and another administrator may deactivate them', async () => {
        const self = await t.given.admin();
        await t
          .http()
          .patch(`${API}/users/${self.id}`)
          .set(self.auth)
          .send({ displayName: 'Admin Renamed' })
          .expect(200);
        await t
          .http()
          .patch(`${API}/users/${self.id}`)
          .set(admin.auth)
          .send({ active: false, deactivationReason: 'Second administrator retired' })
          .expect(200);
        expect((await t.http().get(`${API}/users`).set(self.auth)).status).toBe(401);
      });
    });

    it.each(['OFFICER', 'SUPERVISOR', 'PROSECUTOR', 'AUDITOR'] as const)(
      'a %s gets 403 on every /users route and changes nothing',
      async (role) => {
        const caller = await t.given.user(role);
        const target = await t.given.officer();
        const username = uniqueName('by-non-admin');
        const responses = [
          await t
            .http()
            .post(`${API}/users`)
            .set(caller.auth)
            .send({ username, displayName: 'X', password: 'long-enough-password', role: 'ADMIN' }),
          await t.http().get(`${API}/users`).set(caller.auth),
          await t.http().get(`${API}/users/${target.id}`).set(caller.auth),
          await t.http().patch(`${API}/users/${target.id}`).set(caller.auth).send({ role: 'ADMIN', district: null }),
          await t
            .http()
            .patch(`${API}/users/${caller.id}`)
            .set(caller.auth)
            .send({ role: 'ADMIN', district: null, office: null }),
        ];
        expect(responses.map((r) => [r.status, r.body.code])).toEqual(Array(5).fill([403, 'AUTH.FORBIDDEN']));
        expect(await countUsers(username)).toBe(0);
        expect((await userRow(target.id)).role).toBe('OFFICER');
        expect((await userRow(caller.id)).role).toBe(role);
        for (const r of responses) {
          expect(await eventsFor(r.body.requestId)).toEqual([
            expect.objectContaining({ action: 'access.denied', outcome: 'DENIED', actor_id: caller.id }),
          ]);
        }
      },
    );
  });
});
