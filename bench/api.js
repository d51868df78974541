'use strict';
/*
 * API load benchmark (autocannon): the service as `npm start` runs it, on its embedded defaults
 * (no DATABASE_URL, no S3_ENDPOINT: embedded PostgreSQL and S3 server in a temporary DATA_DIR,
 * demo users, default settings incl. JSON request logs at info and the rate limits), under
 * concurrent load from this process.
 *
 * In one run it:
 *   0. starts the built API (dist/apps/api/apps/api/src/main.js) and, through the API, has the demo
 *      officer write API_PACKETS complete cases that the demo supervisor approves and sends to
 *      CCSAO, so the prosecutor's review queue has real pages to read.
 *   1. runs, one after another, each for API_DURATION seconds with API_CONNECTIONS connections
 *      (after an API_WARMUP-second warm-up of the same request):
 *        a. GET  /api/v1/health           the baseline: the framework's ceiling on this machine
 *                                         (routing, guards, filters, logging, one SELECT 1 and one
 *                                         S3 HEAD bucket)
 *        b. POST /api/v1/cases            an officer opens a case (a row, its number, its audit event,
 *                                         all in one transaction, the audit chain serialised)
 *        c. GET  /api/v1/cases/:id        the officer reads their case (JWT, user lookup, scope, and a
 *                                         `case.viewed` audit event: a read of case content is custody)
 *        d. GET  /api/v1/review-queue     a CCSAO prosecutor's first queue page with its total
 *        e. GET  /api/v1/health           again, to show the baseline did not drift
 *      and prints req/s, latency p50/p99/max, non-2xx and errors, and each one's ratio to the mean of
 *      the two health runs.
 *   2. checks what the load did: every 201 of (b) is a case the API lists (the officer's total grew by at
 *      least that many, and by at most that many plus the requests autocannon abandons in flight when a
 *      run's time is up: one per connection per run, which the server still completes), and the audit
 *      chain verifies end to end (GET /audit/verify as the auditor).
 *   Exit 1 on any non-2xx answer, transport error, lost write or broken chain; there is no speed target.
 * Everything it started is stopped and the temp dir removed, whatever happens (Ctrl-C included).
 *
 * Run:  npm run bench:api             (builds first)
 *       node bench/api.js             (against the existing dist)
 * Settings: API_DURATION (s, default 10), API_CONNECTIONS (default 10), API_WARMUP (s, default 2),
 * API_PACKETS (default 30).
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { ROOT, MAIN, intEnv, fmt, freePort, api, launchApi, BenchRun, guardRun } = require('./lib');

const { SAMPLE_CASE: CASE, SAMPLE_FEDERAL_OFFICERS: FEDERAL_OFFICERS, SUBMIT_BODY } = require('./data');

/** One autocannon run; resolves with its result (rejects on a setup error). */
function cannon(opts) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    run.defer(() => instance.stop());
  });
}

function summarise(name, r) {
  return {
    name,
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    total: r.requests.total,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

async function login(base, username, password) {
  return (await api(base, 'POST', '/auth/login', { username, password })).accessToken;
}

async function main() {
  const duration = intEnv('API_DURATION', 10, 1, 3600);
  const connections = intEnv('API_CONNECTIONS', 10, 1, 1000);
  const warmup = intEnv('API_WARMUP', 2, 0, 600);
  const packets = intEnv('API_PACKETS', 30, 1, 10000);
  if (!fs.existsSync(MAIN)) {
    throw new Error(
      `Built API not found at ${path.relative(ROOT, MAIN)}: run "npm run build" first (or use "npm run bench:api").`,
    );
  }

  console.log('API load benchmark (autocannon) against the service on its embedded defaults');
  console.log(
    `Machine: node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model?.trim() ?? 'unknown'}), ` +
      `${fmt(os.totalmem() / 1024 ** 3)} GiB RAM, load average ${os
        .loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}`,
  );
  console.log(
    `Load: ${connections} connections, ${duration} s per scenario after ${warmup} s of warm-up; ${packets} packets in the queue`,
  );

  const tmp = run.tempDir('ion-bench-api-');
  const dataDir = path.join(tmp, 'data');
  fs.mkdirSync(dataDir, { mode: 0o755 });
  const port = await freePort();
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', NO_COLOR: '1' };
  for (const k of [
    'DATABASE_URL',
    'DATABASE_MIGRATION_URL',
    'S3_ENDPOINT',
    'JWT_SECRET',
    'SIGNING_PRIVATE_KEY',
    'LOG_LEVEL',
  ])
    delete env[k];
  let t = Date.now();
  await launchApi(run, env);
  console.log(`API started in ${fmt((Date.now() - t) / 1000)} s on port ${port} (DATA_DIR ${dataDir})`);

  const origin = `http://127.0.0.1:${port}`;
  const base = `${origin}/api/v1`;
  const officer = await login(base, 'officer', 'officer-demo-2026');
  const supervisor = await login(base, 'supervisor', 'supervisor-demo-2026');
  const prosecutor = await login(base, 'prosecutor', 'prosecutor-demo-2026');
  const auditor = await login(base, 'auditor', 'auditor-demo-2026');

  t = Date.now();
  for (let i = 0; i < packets; i++) {
    const c = await api(base, 'POST', '/cases', CASE, officer);
    const withOfficers = await fetch(`${base}/cases/${c.id}/federal-officers`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${officer}`, 'If-Match': `"${c.version}"` },
      body: JSON.stringify(FEDERAL_OFFICERS),
    });
    if (!withOfficers.ok) throw new Error(`federal officers: ${withOfficers.status} ${await withOfficers.text()}`);
    await api(base, 'POST', `/cases/${c.id}/submit`, SUBMIT_BODY, officer);
    await api(base, 'POST', `/cases/${c.id}/approve`, {}, supervisor);
    await api(base, 'POST', `/cases/${c.id}/packets`, { office: 'CCSAO' }, supervisor);
  }
  const queueTotal = (await api(base, 'GET', '/review-queue', undefined, prosecutor)).total;
  if (queueTotal !== packets) throw new Error(`the review queue holds ${queueTotal} packets, expected ${packets}`);
  const readCase = await api(base, 'POST', '/cases', CASE, officer);
  console.log(
    `Fixtures: ${packets} cases sent as packets to CCSAO in ${fmt((Date.now() - t) / 1000)} s; case ${readCase.caseNumber} to read`,
  );

  const casesBefore = (await api(base, 'GET', '/cases?pageSize=1', undefined, officer)).total;
  const json = (token) => ({ 'Content-Type': 'application/json', Authorization: `Bearer ${token}` });
  const scenarios = [
    { name: 'GET /health', url: `${base}/health` },
    { name: 'POST /cases', url: `${base}/cases`, method: 'POST', headers: json(officer), body: JSON.stringify(CASE) },
    { name: 'GET /cases/:id', url: `${base}/cases/${readCase.id}`, headers: json(officer) },
    { name: 'GET /review-queue', url: `${base}/review-queue`, headers: json(prosecutor) },
    { name: 'GET /health (again)', url: `${base}/health` },
  ];

  const results = [];
  let created = 0;
  let warmCreated = 0;
  for (const s of scenarios) {
    const opts = { url: s.url, method: s.method ?? 'GET', headers: s.headers, body: s.body, connections };
    if (warmup > 0) {
      const w = await cannon({ ...opts, duration: warmup });
      if (s.method === 'POST') warmCreated += w['2xx'];
    }
    const r = await cannon({ ...opts, duration });
    const sum = summarise(s.name, r);
    if (s.method === 'POST') created += sum.ok;
    results.push(sum);
    console.log(
      `  ${s.name.padEnd(20)} ${fmt(sum.reqPerSec).padStart(8)} req/s  p50 ${sum.p50} ms  p99 ${sum.p99} ms  ` +
        `(${sum.total} requests, ${sum.non2xx} non-2xx, ${sum.errors} errors)`,
    );
  }

  // --- what the load did
  const casesAfter = (await api(base, 'GET', '/cases?pageSize=1', undefined, officer)).total;
  const verify = await api(base, 'GET', '/audit/verify', undefined, auditor);

  const health = results.filter((r) => r.name.startsWith('GET /health'));
  const baseline = health.reduce((a, r) => a + r.reqPerSec, 0) / health.length;
  const baseP50 = health.reduce((a, r) => a + r.p50, 0) / health.length;
  const baseP99 = health.reduce((a, r) => a + r.p99, 0) / health.length;

  console.log('');
  console.log('=== API load benchmark report ===');
  console.log(
    `${'scenario'.padEnd(20)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)}` +
      ` ${'req/s vs health'.padStart(16)} ${'p50 vs health'.padStart(14)} ${'p99 vs health'.padStart(14)} ${'non-2xx'.padStart(8)}`,
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(20)} ${fmt(r.reqPerSec).padStart(9)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ` +
        `${String(r.max).padStart(7)} ${`${fmt((r.reqPerSec / baseline) * 100, 0)}%`.padStart(16)} ` +
        `${`${fmt(r.p50 / baseP50, 2)}x`.padStart(14)} ${`${fmt(r.p99 / baseP99, 2)}x`.padStart(14)} ${String(r.non2xx + r.errors).padStart(8)}`,
    );
  }
  console.log(
    `Health baseline: ${fmt(baseline)} req/s (mean of the two runs: ${health.map((r) => fmt(r.reqPerSec)).join(' and ')})`,
  );
  console.log(
    `Cases: ${casesBefore} before, ${casesAfter} after; ${warmCreated} + ${created} answered 201 (warm-up + measured), ` +
      `${casesAfter - casesBefore - created - warmCreated} completed after autocannon stopped waiting (at most one per connection per run)`,
  );
  console.log(`Audit chain: ${verify.ok ? 'intact' : 'BROKEN'}, ${verify.checked} events checked`);

  const problems = [];
  for (const r of results)
    if (r.non2xx + r.errors > 0) problems.push(`${r.name}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
  const listed = casesAfter - casesBefore;
  const acknowledged = created + warmCreated;
  const inFlightAtStop = connections * (warmup > 0 ? 2 : 1);
  if (listed < acknowledged)
    problems.push(`lost writes: ${acknowledged} creations acknowledged, only ${listed} new cases listed`);
  if (listed > acknowledged + inFlightAtStop) {
    problems.push(
      `phantom writes: ${listed} new cases listed, ${acknowledged} acknowledged + at most ${inFlightAtStop} in flight at stop`,
    );
  }
  if (!verify.ok) problems.push(`audit chain broken: ${JSON.stringify(verify)}`);
  for (const p of problems) console.log(`ERROR: ${p}`);
  console.log(problems.length ? 'FAIL' : 'OK: no errors, no lost writes, chain intact');
  return problems.length ? 1 : 0;
}

const run = new BenchRun('bench/api');
const unguard = guardRun(run);
run.exitWith(
  main().finally(async () => {
    await run.cleanup();
    unguard();
  }),
  { stack: true },
);
