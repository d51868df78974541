import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_API } from './harness/paths';
import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { Permission, roleHas } from '@app/auth';
import type { Role } from '@app/common';
import {
  auditRows,
  createTestApp,
  createTestDatabase,
  databaseUrls,
  ensureSecrets,
  processEnv,
  startApiProcess,
  TestApp,
  TestUser,
} from './harness/test-app';
import { routeInfos } from './harness/nest-routes';

/** Runs a built entry point as a user would, returning its exit code and output. */
function run(
  script: string,
  args: string[],
  env: Record<string, string>,
  stdin = '',
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(DIST_API, script), ...args], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
    child.stdin.end(stdin);
  });
}

describe('platform: health, OpenAPI, error contract, operator commands', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('logs one JSON line per request with its request id, status, time and caller, and no credentials', async () => {
    const api = await startApiProcess(t.dbName, t.storage, { LOG_LEVEL: 'info' });
    try {
      const officer = await t.given.officer();
      const requestId = `log-check-${Date.now()}`;
      await api.http().get('/api/v1/auth/me').set(officer.auth).set('X-Request-Id', requestId).expect(200);
      await api
        .http()
        .post('/api/v1/auth/login')
        .send({ username: officer.username, password: officer.password })
        .expect(200);
      await new Promise((r) => setTimeout(r, 300));
      const lines = api
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      const entries = lines.map((l) => JSON.parse(l) as Record<string, any>); // every log line is JSON
      const entry = entries.find((e) => e.req?.id === requestId);
      expect(entry).toMatchObject({
        level: 30,
        msg: 'request completed',
        req: { method: 'GET', url: '/api/v1/auth/me' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
        userId: officer.id,
        role: 'OFFICER',
      });
      expect(entries.some((e) => e.context === 'Main' && /Ready in/.test(e.msg))).toBe(true);
      const all = api.output();
      expect(all).not.toContain(officer.token);
      expect(all).not.toContain(officer.password);
      expect(all.toLowerCase()).not.toContain('authorization');
    } finally {
      await api.stop();
    }
  });

  it('DATABASE_MIGRATE_ON_START=false: starts without the owner credentials on a migrated database, refuses on one with a pending migration', async () => {
    const noOwner = { DATABASE_MIGRATION_URL: undefined, DATABASE_MIGRATE_ON_START: 'false' };
    const api = await startApiProcess(t.dbName, t.storage, noOwner);
    try {
      await api.http().get('/api/v1/health').expect(200);
    } finally {
      await api.stop();
    }
    const behind = await createTestDatabase();
    const owner = new Client({ connectionString: databaseUrls(behind).owner });
    await owner.connect();
    // As if this release's last migration had not run yet (the table it creates gone, its row too).
    await owner.query(`DROP TABLE rate_limit_hits`);
    await owner.query(`DELETE FROM schema_migrations WHERE name = 'CreateRateLimits1764100000000'`);
    await owner.end();
    const env: Record<string, string> = {
      ...processEnv(behind, t.storage),
      PORT: '0',
      DATABASE_MIGRATE_ON_START: 'false',
    };
    delete env.DATABASE_MIGRATION_URL;
    const r = await run('main.js', [], env);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /DATABASE_MIGRATE_ON_START=false and 1 migration\(s\) are pending \(CreateRateLimits1764100000000\): run the migrations/,
    );
    expect(r.out).not.toMatch(/Ready in/);

    // The release job (cli migrate, with the owner's URL) applies it under the same settings; then the API starts.
    const job = await run('cli/cli.js', ['migrate'], {
      ...processEnv(behind, t.storage),
      DATABASE_MIGRATE_ON_START: 'false',
    });
    expect(job.out).toMatch(/Migrations are up to date \(configured database\)/);
    expect(job.code).toBe(0);
    const after = await startApiProcess(behind, t.storage, noOwner);
    try {
      await after.http().get('/api/v1/health').expect(200);
    } finally {
      await after.stop();
    }
  });

  it('GET /api/v1/health reports the database up', async () => {
    const res = await t.http().get('/api/v1/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', checks: { database: { status: 'up' } } });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document listing the routes and their bodies', async () => {
    const res = await t.http().get('/api/docs/openapi.json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/cases',
        '/api/v1/cases/{id}/submit',
        '/api/v1/cases/{id}/timeline',
        '/api/v1/health',
      ]),
    );
    await t.http().get('/api/docs').expect(200).expect('Content-Type', /html/);
  });

  it('every error body has statusCode, code, message and requestId (echoing X-Request-Id)', async () => {
    const unknownRoute = await t.http().get('/api/v1/nothing-here').set('X-Request-Id', 'trace-abc-12345').expect(404);
    expect(unknownRoute.body).toEqual({
      statusCode: 404,
      code: 'ROUTE.NOT_FOUND',
      message: 'No such route.',
      requestId: 'trace-abc-12345',
    });
    expect(unknownRoute.headers['x-request-id']).toBe('trace-abc-12345');

    const malformed = await t
      .http()
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username":')
      .expect(400);
    expect(malformed.body).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION.MALFORMED_BODY',
      requestId: expect.any(String),
    });
    expect(malformed.body.message).toMatch(/could not be read/);

    const invalid = await t.http().post('/api/v1/auth/login').send({ username: 'x' }).expect(400);
    expect(invalid.body).toMatchObject({
      code: 'VALIDATION.FAILED',
      fields: [{ field: 'password', errors: expect.any(Array) }],
    });
    expect(invalid.body.message).toMatch(/password/);
  });

  it('create-admin makes the first administrator of a real deployment, once', async () => {
    const env = processEnv(t.dbName, t.storage);
    const first = await run(
      'cli/cli.js',
      ['create-admin', '--username', 'chief.admin', '--display-name', 'Chief Admin'],
      env,
      'a-long-admin-password\n',
    );
    expect(first.out).toMatch(/Created administrator chief\.admin/);
    expect(first.code).toBe(0);
    const token = await t.given.login('chief.admin', 'a-long-admin-password');
    const me = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body).toMatchObject({ username: 'chief.admin', role: 'ADMIN' });
    const created = (
      await t.owner.query(
        `SELECT actor_role, details FROM audit_events WHERE action = 'user.created' AND target_id = $1`,
        [me.body.id],
      )
    ).rows;
    expect(created).toEqual([
      { actor_role: 'SYSTEM', details: expect.objectContaining({ via: 'cli', role: 'ADMIN' }) },
    ]);

    const second = await run(
      'cli/cli.js',
      ['create-admin', '--username', 'another.admin'],
      env,
      'another-long-password\n',
    );
    expect(second.code).toBe(1);
    expect(second.out).toMatch(/An active administrator already exists/);
  });

  it.each([
    [{ DATABASE_URL: 'mysql://db/ion' }, /DATABASE_URL: must be a postgres/],
    [
      {
        DATABASE_URL: 'postgres://u:p@127.0.0.1:1/ion_test_x',
        SIGNING_PRIVATE_KEY: ensureSecrets().SIGNING_PRIVATE_KEY,
      },
      /JWT_SECRET: required/,
    ],
    [
      { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/ion_test_x', JWT_SECRET: 'x'.repeat(40) },
      /SIGNING_PRIVATE_KEY or SIGNING_PRIVATE_KEY_FILE: required/,
    ],
    [{ SIGNING_PRIVATE_KEY: 'not a key' }, /signing key from SIGNING_PRIVATE_KEY/],
    [{ PORT: 'eighty' }, /PORT/],
  ])('refuses to start on bad configuration %p, naming the variable', async (env, message) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ion-badconfig-'));
    const r = await run('main.js', [], { DATA_DIR: dataDir, ...env });
    rmSync(dataDir, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(message);
    expect(r.out).not.toMatch(/Ready in/);
  });
});

// Its own app: the test needs a user of every role, and create-admin above needs a deployment without an administrator.
describe('platform: query parameters', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('one rule for query parameters: every route refuses one it does not take with a 400 naming it, audited like any validation failure', async () => {
    const roles: Role[] = ['OFFICER', 'SUPERVISOR', 'PROSECUTOR', 'AUDITOR', 'ADMIN'];
    const users = new Map<Role, TestUser>();
    for (const role of roles) users.set(role, await t.given.user(role, {}));
    const gets = [...routeInfos(t.app).values()].filter((r) => r.method === 'GET');
    expect(gets.length).toBeGreaterThan(15);
    const checked: string[] = [];
    for (const r of gets) {
      // A caller the guard lets through (else the 401/403 comes first): public routes need none.
      const caller = r.isPublic
        ? null
        : roles
            .map((role) => users.get(role)!)
            .find((u) => !r.permission || roleHas(u.role, r.permission as Permission))!;
      const path = r.path.replace(/:id\b/g, randomUUID());
      const req = t.http().get(`${path}?cacheBust=1`);
      const res = await (caller ? req.set(caller.auth) : req);
      expect({ route: r.route, status: res.status, code: res.body.code }).toEqual({
        route: r.route,
        status: 400,
        code: 'VALIDATION.FAILED',
      });
      expect(res.body.fields).toEqual([
        {
          field: 'cacheBust',
          errors: [expect.stringMatching(/^cacheBust is not an accepted/)],
          constraints: ['whitelistValidation'],
        },
      ]);
      expect(res.body.message).toMatch(/Unknown .*cacheBust/);
      if (caller) {
        const [event] = await auditRows(t.owner, 'request_id = $1', [res.body.requestId]);
        expect({ route: r.route, event }).toMatchObject({
          route: r.route,
          event: {
            outcome: 'FAILED',
            actor_id: caller.id,
            details: expect.objectContaining({ status: 400, fields: ['cacheBust'] }),
          },
        });
      }
      checked.push(r.route);
    }
    // Among them the routes that take no query at all, which used to ignore it.
    expect(checked).toEqual(
      expect.arrayContaining([
        'GET /api/v1/cases/:id',
        'GET /api/v1/evidence/:id',
        'GET /api/v1/keys',
        'GET /api/v1/auth/me',
        'GET /api/v1/health',
      ]),
    );
    // The same routes without the stray parameter still answer.
    await t.http().get('/api/v1/keys').expect(200);
    await t.http().get('/api/v1/auth/me').set(users.get('OFFICER')!.auth).expect(200);
  });
});
