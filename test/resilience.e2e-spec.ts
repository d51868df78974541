import { INestApplication } from '@nestjs/common';
import { Client, Pool } from 'pg';
import request from 'supertest';
import { auditRows, bootApp, createTestDatabase, databaseUrls, FULL_CASE, Given } from './harness/test-app';
import { TcpProxy, viaProxy } from './harness/tcp-proxy';
import { TestStorage } from './harness/test-storage';

/**
 * The database goes away under a running API: requests get a clear 503 (not a 500, not a hang),
 * health says so, and when the database is back the same process recovers with nothing lost.
 * The API reaches PostgreSQL through a TCP proxy that the test cuts and restores.
 */
describe('database outage', () => {
  let app: INestApplication;
  let proxy: TcpProxy;
  let storage: TestStorage;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const dbName = await createTestDatabase();
    const urls = databaseUrls(dbName);
    const target = new URL(urls.app);
    proxy = new TcpProxy(target.hostname, Number(target.port));
    const port = await proxy.start();
    storage = await TestStorage.start();
    app = await bootApp(dbName, { app: viaProxy(urls.app, port), owner: viaProxy(urls.owner, port) }, storage.env());
  });

  afterAll(async () => {
    await proxy.restore();
    await app?.close();
    await proxy.cut();
    await storage?.stop();
  });

  it('answers 503 while the database is unreachable and recovers without a restart, losing nothing', async () => {
    const given = new Given(app, http);
    const officer = await given.officer(1);
    const before = await given.draftCase(officer, FULL_CASE);

    await proxy.cut();
    const health = await http().get('/api/v1/health').expect(503);
    expect(health.body).toMatchObject({ status: 'unavailable', checks: { database: { status: 'down' } } });
    const create = await http().post('/api/v1/cases').set(officer.auth).send(FULL_CASE).expect(503);
    expect(create.body).toMatchObject({
      statusCode: 503,
      code: 'DEPENDENCY.UNAVAILABLE',
      requestId: expect.any(String),
    });
    expect(create.body.message).toMatch(/database is unavailable; nothing was changed/);
    await http().get(`/api/v1/cases/${before.id}`).set(officer.auth).expect(503);

    await proxy.restore();
    await http().get('/api/v1/health').expect(200);
    const read = await http().get(`/api/v1/cases/${before.id}`).set(officer.auth).expect(200);
    expect(read.body).toMatchObject({ caseNumber: before.caseNumber, narrative: FULL_CASE.narrative });
    const after = await http().post('/api/v1/cases').set(officer.auth).send(FULL_CASE).expect(201);
    const seq = (n: string) => Number(n.slice(-6));
    expect(seq(after.body.caseNumber)).toBe(seq(before.caseNumber) + 1); // the refused create consumed no number
  });
});

/**
 * The database is there but does not answer in time: a statement waiting on a lock, or a server that
 * stops answering altogether (its replies held by the proxy, as when PostgreSQL is SIGSTOPped). Every
 * statement is bounded (DATABASE_STATEMENT_TIMEOUT_MS, and the client's own timeout just after it), so
 * requests answer 503 within seconds instead of hanging for as long as the stall lasts, and work
 * again once it ends.
 */
describe('database stall', () => {
  const STATEMENT_TIMEOUT_MS = 1500;
  let app: INestApplication;
  let proxy: TcpProxy;
  let storage: TestStorage;
  let owner: Pool;
  let ownerUrl: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const dbName = await createTestDatabase();
    const urls = databaseUrls(dbName);
    ownerUrl = urls.owner;
    const target = new URL(urls.app);
    proxy = new TcpProxy(target.hostname, Number(target.port));
    const port = await proxy.start();
    storage = await TestStorage.start();
    owner = new Pool({ connectionString: urls.owner, max: 2 });
    app = await bootApp(
      dbName,
      { app: viaProxy(urls.app, port), owner: urls.owner },
      {
        ...storage.env(),
        DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        DATABASE_CONNECT_TIMEOUT_MS: '1500',
      },
    );
  });

  afterAll(async () => {
    proxy.resumeDownstream();
    await app?.close();
    await proxy.cut();
    await owner?.end();
    await storage?.stop();
  });

  /** The response and how long it took; a request still unanswered after 10 s fails the test (it would have hung). */
  async function timed(req: request.Test): Promise<{ res: request.Response; ms: number }> {
    const started = Date.now();
    const res = await req.timeout({ response: 10_000 });
    return { res, ms: Date.now() - started };
  }

  it('a statement stuck behind a lock is cancelled: 503 within seconds, audited, and the same read works once the lock is gone', async () => {
    const given = new Given(app, http);
    const officer = await given.officer(1);
    const c = await given.draftCase(officer, FULL_CASE);
    const locker = new Client({ connectionString: ownerUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE cases IN ACCESS EXCLUSIVE MODE');
      const { res, ms } = await timed(http().get(`/api/v1/cases/${c.id}`).set(officer.auth));
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        code: 'DEPENDENCY.UNAVAILABLE',
        message: expect.stringMatching(/database is unavailable/),
      });
      expect(ms).toBeLessThan(STATEMENT_TIMEOUT_MS + 2500);
      // The audit trail was reachable (only the cases table was locked): the failure is on record.
      const [event] = await auditRows(owner, 'request_id = $1', [res.body.requestId]);
      expect(event).toMatchObject({
        action: 'case.read',
        outcome: 'FAILED',
        case_id: c.id,
        details: expect.objectContaining({ status: 503, code: 'DEPENDENCY.UNAVAILABLE' }),
      });
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    await http().get(`/api/v1/cases/${c.id}`).set(officer.auth).expect(200);
  });

  it('a server that stops answering: reads and writes get 503 within seconds, and work again when it answers again', async () => {
    const given = new Given(app, http);
    const officer = await given.officer(2);
    const c = await given.draftCase(officer, FULL_CASE);
    const casesBefore = (await owner.query('SELECT count(*)::int AS n FROM cases')).rows[0].n;

    proxy.stallDownstreamAfter(0);
    const read = await timed(http().get(`/api/v1/cases/${c.id}`).set(officer.auth));
    const write = await timed(http().post('/api/v1/cases').set(officer.auth).send(FULL_CASE));
    for (const { res, ms } of [read, write]) {
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'DEPENDENCY.UNAVAILABLE' });
      // The statement's bound, then the failed attempt to audit it (the database is what is down: logged instead).
      expect(ms).toBeLessThan(2 * (STATEMENT_TIMEOUT_MS + 1000) + 2000);
    }

    proxy.resumeDownstream();
    const again = await timed(http().get(`/api/v1/cases/${c.id}`).set(officer.auth));
    expect(again.res.status).toBe(200);
    expect(again.res.body).toMatchObject({ id: c.id, narrative: FULL_CASE.narrative });
    await http().post('/api/v1/cases').set(officer.auth).send(FULL_CASE).expect(201);
    // The refused create changed nothing; the one after the stall is the only new case.
    expect((await owner.query('SELECT count(*)::int AS n FROM cases')).rows[0].n).toBe(casesBefore + 1);
  });
});
