import { randomBytes, randomUUID } from 'node:crypto';
import { auditRows, createTestApp, startApiProcess, TestApp, TestUser } from './harness/test-app';

/**
 * Rate limits on login (per client IP) and evidence uploads (per user): past the limit the API
 * answers 429 with Retry-After, does nothing else, and records a DENIED `rate_limit.exceeded`
 * event. Counters live in PostgreSQL, so a second API process on the same database counts
 * against the same limit. The suite's own set-up logins are forgotten before each test.
 */
const LOGIN_LIMIT = 5;
const UPLOAD_LIMIT = 3;
const WINDOW_SECONDS = 2;

describe('rate limits on login and uploads', () => {
  let t: TestApp;
  let officer: TestUser;
  let other: TestUser;
  let caseId: string;

  const resetCounters = () => t.owner.query('DELETE FROM rate_limit_hits');
  const login = (username: string, password: string, requestId = `rl-${randomUUID()}`) =>
    t.http().post('/api/v1/auth/login').set('X-Request-Id', requestId).send({ username, password });
  const upload = (user: TestUser, requestId = `rl-${randomUUID()}`) =>
    t
      .http()
      .post(`/api/v1/cases/${caseId}/evidence?kind=BWC&deviceId=AXON-RL-1`)
      .set(user.auth)
      .set('X-Request-Id', requestId)
      .set('Content-Type', 'application/octet-stream')
      .send(randomBytes(2048));
  const evidenceCount = async () =>
    Number((await t.owner.query('SELECT count(*) FROM evidence WHERE case_id = $1', [caseId])).rows[0].count);

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        LOGIN_RATE_LIMIT: String(LOGIN_LIMIT),
        UPLOAD_RATE_LIMIT: String(UPLOAD_LIMIT),
        RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
      },
    });
    await resetCounters();
    officer = await t.given.officer();
    await resetCounters();
    other = await t.given.officer();
    await resetCounters();
    caseId = (await t.given.draftCase(officer)).id;
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    await resetCounters();
  });

  it(`login: the ${LOGIN_LIMIT + 1}th attempt from one IP within the window is 429 with Retry-After, audited, and not checked`, async () => {
    for (let i = 0; i < LOGIN_LIMIT; i++) {
      const res = await login(officer.username, officer.password);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-remaining-login']).toBe(String(LOGIN_LIMIT - i - 1));
    }
    const requestId = `rl-login-${randomUUID()}`;
    const refused = await login(officer.username, officer.password, requestId).expect(429);
    expect(refused.body).toMatchObject({
      statusCode: 429,
      code: 'RATE.LIMITED',
      requestId,
      retryAfterSeconds: expect.any(Number),
    });
    expect(refused.body.message).toMatch(/Too many login requests: at most 5 per 2 s/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(refused.body.accessToken).toBeUndefined();

    const events = await auditRows(t.owner, 'request_id = $1', [requestId]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'rate_limit.exceeded',
      outcome: 'DENIED',
      actor_id: null,
      client_ip: expect.stringMatching(/127\.0\.0\.1/),
    });
    expect(events[0].details).toMatchObject({
      attempted: 'login',
      status: 429,
      limit: { max: LOGIN_LIMIT, windowSeconds: WINDOW_SECONDS },
    });
    // The refused attempt never reached the password check: no login event, no failure counted on the account.
    const user = (await t.owner.query('SELECT failed_login_count FROM users WHERE id = $1', [officer.id])).rows[0];
    expect(user.failed_login_count).toBe(0);
  });

  it('login: a wrong password counts like any attempt, and the limit lifts once the block has passed', async () => {
    for (let i = 0; i < LOGIN_LIMIT; i++) await login(other.username, 'wrong-password').expect(401);
    const refused = await login(officer.username, officer.password).expect(429);
    await new Promise((r) => setTimeout(r, Number(refused.headers['retry-after']) * 1000 + 250));
    await login(officer.username, officer.password).expect(200);
  });

  it(`login: of ${LOGIN_LIMIT * 4} concurrent attempts exactly ${LOGIN_LIMIT} get through`, async () => {
    const answers = await Promise.all(
      Array.from({ length: LOGIN_LIMIT * 4 }, () => login(officer.username, officer.password)),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(LOGIN_LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(LOGIN_LIMIT * 3);
  });

  it(`uploads: the ${UPLOAD_LIMIT + 1}th upload of one user is 429 and stores nothing; another user is not affected`, async () => {
    const before = await evidenceCount();
    const keysBefore = await t.storage.keys(`cases/${caseId}/`);
    for (let i = 0; i < UPLOAD_LIMIT; i++) await upload(officer).expect(201);
    const requestId = `rl-upload-${randomUUID()}`;
    const refused = await upload(officer, requestId).expect(429);
    expect(refused.body).toMatchObject({ code: 'RATE.LIMITED', requestId });
    expect(refused.body.message).toMatch(/Too many upload requests: at most 3 per 2 s/);
    expect(await evidenceCount()).toBe(before + UPLOAD_LIMIT);
    expect(await t.storage.keys(`cases/${caseId}/`)).toHaveLength(keysBefore.length + UPLOAD_LIMIT);
    expect(t.storage.pendingMultipartUploads()).toEqual([]);

    const [event] = await auditRows(t.owner, 'request_id = $1', [requestId]);
    expect(event).toMatchObject({
      action: 'rate_limit.exceeded',
      outcome: 'DENIED',
      actor_id: officer.id,
      case_id: caseId,
    });
    expect(event.details).toMatchObject({ attempted: 'evidence.upload', limit: { max: UPLOAD_LIMIT } });

    // Another user of the same IP has their own upload budget.
    const otherCase = (await t.given.draftCase(other)).id;
    await t
      .http()
      .post(`/api/v1/cases/${otherCase}/evidence?kind=BWC&deviceId=AXON-RL-2`)
      .set(other.auth)
      .set('Content-Type', 'application/octet-stream')
      .send(randomBytes(512))
      .expect(201);
  });

  it('behind a proxy (TRUST_PROXY=1) the login limit counts per forwarded client IP, and the audit names that IP', async () => {
    const behindProxy = await startApiProcess(t.dbName, t.storage, {
      LOGIN_RATE_LIMIT: String(LOGIN_LIMIT),
      RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
      TRUST_PROXY: '1',
    });
    try {
      await resetCounters();
      const from = (ip: string, requestId = `rl-${randomUUID()}`) =>
        behindProxy
          .http()
          .post('/api/v1/auth/login')
          .set('X-Forwarded-For', ip)
          .set('X-Request-Id', requestId)
          .send({ username: officer.username, password: officer.password });
      for (let i = 0; i < LOGIN_LIMIT; i++) await from('203.0.113.7').expect(200);
      const requestId = `rl-xff-${randomUUID()}`;
      await from('203.0.113.7', requestId).expect(429);
      await from('203.0.113.8').expect(200); // another client behind the same proxy
      // A client cannot pick its own IP: with one trusted hop, only the address the proxy appended counts.
      await from('198.51.100.1, 203.0.113.7').expect(429);
      const [event] = await auditRows(t.owner, 'request_id = $1', [requestId]);
      expect(event).toMatchObject({ action: 'rate_limit.exceeded', client_ip: '203.0.113.7' });
    } finally {
      await behindProxy.stop();
    }
  });

  it('a second API process on the same database counts against the same limits', async () => {
    const second = await startApiProcess(t.dbName, t.storage, {
      LOGIN_RATE_LIMIT: String(LOGIN_LIMIT),
      UPLOAD_RATE_LIMIT: String(UPLOAD_LIMIT),
      RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    });
    try {
      await resetCounters();
      const statuses: number[] = [];
      for (let i = 0; i < LOGIN_LIMIT + 2; i++) {
        const via = i % 2 === 0 ? t.http() : second.http();
        statuses.push(
          (await via.post('/api/v1/auth/login').send({ username: officer.username, password: officer.password }))
            .status,
        );
      }
      expect(statuses).toEqual([...Array(LOGIN_LIMIT).fill(200), 429, 429]);
    } finally {
      await second.stop();
    }
  });
});
