import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, TestApp, TestUser } from './harness/test-app';

/**
 * An auditor who abandons a large export mid-stream must not leave a database connection stuck
 * in COPY: the connection is discarded, the server's COPY ends, and the API carries on.
 */
describe('audit export abandoned by the client', () => {
  let t: TestApp;
  let auditor: TestUser;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp();
    auditor = await t.given.auditor();
    const [{ seq, hash }] = (await t.owner.query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')).rows;
    // 200,000 filler events (hashes cover their bodies; the link trigger is off only for this insert)
    await t.owner.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_link');
    try {
      await t.owner.query(
        `INSERT INTO audit_events (seq, id, occurred_at, actor_role, action, outcome, details, prev_hash, hash, body_json)
         SELECT $1::bigint + s, gen_random_uuid(), now(), 'SYSTEM', 'filler', 'SUCCESS', '{}', $2::char(64),
                encode(sha256(convert_to($2::text || b, 'UTF8')), 'hex'), b
           FROM generate_series(1, 200000) s, LATERAL (SELECT '{"filler":' || s || ',"pad":"' || repeat('x', 400) || '"}' AS b) x`,
        [seq, hash],
      );
    } finally {
      await t.owner.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_link');
    }
    const server = t.app.getHttpServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t?.close();
  });

  const copying = async () =>
    (
      await t.owner.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY (SELECT seq, body_json%'
       AND state <> 'idle'`,
      )
    ).rows[0].n;

  it('discards the connection, ends the COPY, and keeps serving', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/api/v1/audit/export?format=ndjson', headers: auditor.auth },
        (res) => {
          expect(res.statusCode).toBe(200);
          let got = 0;
          res.on('data', (d: Buffer) => {
            got += d.length;
            if (got > 2_000_000) {
              // well inside the ~90 MB export
              req.destroy();
              resolve();
            }
          });
          res.on('end', () => reject(new Error('the export finished before the test could abandon it')));
        },
      );
      req.on('error', () => undefined);
      req.end();
    });
    const deadline = Date.now() + 10_000;
    while ((await copying()) > 0) {
      if (Date.now() > deadline) throw new Error('a COPY is still running 10 s after the client left');
      await new Promise((r) => setTimeout(r, 100));
    }
    // the API still works, and a whole export still completes
    await t.http().get('/api/v1/audit/events?limit=1').set(auditor.auth).expect(200);
    const again = await t
      .http()
      .get('/api/v1/audit/export?format=ndjson&action=audit.exported')
      .set(auditor.auth)
      .expect(200);
    expect(String(again.text).trimEnd().split('\n').pop()).toMatch(/^\{"type":"checkpoint"/);
  });
});
