import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { bootApp, createTestDatabase, databaseUrls, FULL_CASE, Given } from './harness/test-app';
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
    expect(create.body).toMatchObject({ statusCode: 503, code: 'DEPENDENCY.UNAVAILABLE', requestId: expect.any(String) });
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
