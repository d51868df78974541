'use strict';
/*
 * Case search benchmark (issue 15): GET /api/v1/cases?q=... first pages over SEARCH_CASES generated cases
 * (default 100,000: realistic narratives, locations, violations) recording SEARCH_PERSONNEL federal personnel
 * records (default 200,000: names and badges from a shared pool, so the same badge recurs across districts,
 * and unidentified agents described only by clothing and vehicles).
 *
 * In one run it:
 *   0. starts an embedded PostgreSQL in a temp dir, applies the migrations, starts the built API (embedded S3
 *      in the temp DATA_DIR), creates an admin (CLI), supervisors and officers of four districts and an
 *      auditor through the API. Generates the cases straight in PostgreSQL, set-based (one INSERT ... SELECT;
 *      the database's own triggers fill the search vectors and the personnel index, as for any write), then
 *      VACUUM (ANALYZE). Generation is timed apart; not a target.
 *   1. measures sequentially (warm-up, then round-robin) SEARCH_REQUESTS requests of each first page (20 items,
 *      the API's default order with q: newest incident first):
 *        a. GET /auth/me                                       (baseline)
 *        b. supervisor, one word            q=Tahoe (a vehicle make, also in personnel descriptions: ~43% of cases)
 *        b3. the same, sort=relevance (informational: ranks every match before the first page)
 *        b2. the same with a word in ~40% of narratives (informational: the generator's sentences repeat)
 *        c. supervisor, phrase              q="silver Tahoe"
 *        c2. a phrase in ~20% of narratives (informational)
 *        d. supervisor, badge               q=<a badge recorded in that district, typed with leading zeros>
 *        e. supervisor, filtered            q=agents&felony=true&activityType=ARREST&from=..&to=..&sort=incident
 *        f. officer, one word               q=witnesses (their own cases only)
 *        g. auditor, case number            q=<a case number> (metadata only)
 *        g2. auditor, a word only narratives hold: q=irritant (must match nothing: total 0, not capped)
 *        h. GET /federal-personnel?q=<badge> as a supervisor
 *      Every answer is checked: 200; `total` and `totalCapped` equal a count made directly in PostgreSQL with the
 *      same query and the caller's scope (exact up to the API's cap of 1,000, then total 1,000 and totalCapped);
 *      the page is exactly PostgreSQL's first 20 of the matching ids in the expected order, all in scope. For
 *      relevance, items are among the matching ids (ties in rank make the order of equals arbitrary).
 *   2. prints EXPLAIN (ANALYZE, BUFFERS) of the API's SQL shapes (capped count and first page) with their server
 *      time and the indexes used; and the share of the case.searched audit append that is its commit's WAL flush
 *      (pg_stat_wal with track_wal_io_timing, over the measured requests).
 *   3. PASS/FAIL: p95 < 50 ms for b, c, d, e, h; exit 1 on FAIL or a failed check.
 * The machine may be shared and noisy: the baseline (a) is there to read the numbers against.
 *
 * Run:  npm run bench:search        (builds first)      node bench/search.js   (existing dist)
 * Settings: SEARCH_CASES (100000), SEARCH_PERSONNEL (200000), SEARCH_REQUESTS (100), SEARCH_WARMUP (10),
 *   SEARCH_DIR (keep the cluster, data and bench users there between runs: the first run generates, later runs
 *   reuse them and apply only new migrations; remove the directory to start over).
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  DIST,
  MAIN,
  intEnv,
  now,
  secondsSince,
  fmt,
  freePort,
  api,
  launchApi,
  startBenchDatabase,
  BenchRun,
  guardRun,
  waitForFiles,
  benchApiEnv,
  createBenchAdmin,
} = require('./lib');
const {
  sqlLit: lit,
  sqlArray: arr,
  hashSql: h,
  pickSql: pick,
  stats,
  LOCATIONS,
  NARRATIVE_SENTENCES,
} = require('./data');

const CLI = path.join(DIST, 'apps/api/src/cli/cli.js');
const DB_LIB = path.join(DIST, 'libs/database/src/index.js');
const DIST_WAIT_MS = 300_000;
const TARGET_P95_MS = 50;
const PAGE_SIZE = 20;
/** The API's count cap (libs/cases CASE_COUNT_CAP): exact up to it, then total = cap and totalCapped. */
const COUNT_CAP = 1000;
const INCIDENT_ORDER = 'COALESCE(c.incident_at, c.created_at) DESC, c.id DESC';
const DISTRICTS = [1, 7, 12, 18];

const SENTENCES = NARRATIVE_SENTENCES;
const ACTIVITIES = [
  'ARREST',
  'DETENTION',
  'VEHICLE_STOP',
  'SEARCH_OR_ENTRY',
  'USE_OF_FORCE',
  'CROWD_CONTROL',
  'SURVEILLANCE',
  'OTHER',
];
const AGENCIES = ['ICE_ERO', 'ICE_HSI', 'CBP', 'BORDER_PATROL'];
const OUTCOMES = ['VERIFIED', 'PARTIAL', 'REFUSED', 'UNABLE'];
const FIRST = [
  'James',
  'Robert',
  'Michael',
  'David',
  'Daniel',
  'Mark',
  'Steven',
  'Kevin',
  'Brian',
  'Jason',
  'Laura',
  'Karen',
  'Maria',
  'Ana',
];
const LAST = [
  'Smith',
  'Johnson',
  'Miller',
  'Davis',
  'Garcia',
  'Rodriguez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Moore',
  'Martin',
  'Lee',
  'Walker',
  'Hall',
  'Young',
];
const DESCRIPTIONS = [
  'masked, black balaclava, olive tactical vest, drove a black Suburban',
  'tall, grey hoodie over body armour, no badge visible',
  'short beard, sunglasses, radio on the left shoulder, unmarked silver Tahoe',
  'green plate carrier marked POLICE only, drove a white Ford van',
  'neck gaiter over the face, tattoo on the right hand, blue Dodge Charger with Indiana plates',
];
const COLOURS = ['black', 'silver', 'grey', 'white', 'dark blue', 'maroon'];
const VEHICLES = ['Suburban', 'Tahoe', 'Explorer', 'Durango', 'Charger', 'Expedition', 'Sienna minivan', 'Transit van'];
const VIOLATIONS = [
  ['720 ILCS 5/12-3', 'Battery of a bystander who was filming', false],
  ['720 ILCS 5/12-3.05', 'Aggravated battery causing great bodily harm', true],
  ['720 ILCS 5/10-3', 'Unlawful restraint of a pedestrian without legal authority', true],
  ['720 ILCS 5/19-4', 'Criminal trespass to a residence', false],
  ['MCC 8-4-010', 'Disorderly conduct, blocking a public way', false],
];

/** One case per i; personnel: 1-3 records (about SEARCH_PERSONNEL / SEARCH_CASES on average), badges from a pool. */
function generateSql(badgePool) {
  const narrative =
    [0, 5, 9].map((k) => `(${arr(SENTENCES)})[1 + (${h('narr')} + ${k}) % ${SENTENCES.length}]`).join(" || ' ' || ") +
    ` || ' Afterwards the agents left in a ' || ${pick(COLOURS, 'col')} || ' ' || ${pick(VEHICLES, 'veh')} || ' heading toward ' || ${pick(LOCATIONS, 'to')} || '.'`;
  const person = (n) => `jsonb_build_object(
      'isSupervisor', ${n === 1}, 'agency', ${pick(AGENCIES, 'ag' + n)},
      'name', CASE WHEN ${h('nm' + n)} % 3 = 0 THEN NULL ELSE ${pick(FIRST, 'fn' + n)} || ' ' || ${pick(LAST, 'ln' + n)} END,
      'badgeNumber', CASE WHEN ${h('bd' + n)} % 4 = 0 THEN NULL ELSE lpad((${h('bn' + n)} % ${badgePool})::text, 5 + (${h('bz' + n)} % 2)::int, '0') END,
      'identificationOutcome', ${n === 1 ? pick(OUTCOMES, 'oc') : 'NULL'},
      'identificationMethod', ${n === 1 ? "'Asked for name and badge number'" : 'NULL'},
      'description', ${pick(DESCRIPTIONS, 'ds' + n)})`;
  return `
INSERT INTO cases (case_number, status, version, district, created_by, origin, incident_at, incident_location, activity_type, agencies,
                   narrative, injuries_reported, federal_officers, violations, created_at, updated_at)
SELECT 'ION-' || (2025 + i % 2) || '-' || lpad(i::text, 6, '0'), CASE WHEN i % 3 = 0 THEN 'REFERRED' ELSE 'DRAFT' END, 1,
       o.district, o.id, 'WITNESSED', ts, ${pick(LOCATIONS, 'loc')} || ', Chicago', ${pick(ACTIVITIES, 'act')}, ARRAY[${pick(AGENCIES, 'ag1')}],
       ${narrative}, false,
       CASE ${h('np')} % 4 WHEN 0 THEN jsonb_build_array(${person(1)})
                         WHEN 3 THEN jsonb_build_array(${person(1)}, ${person(2)}, ${person(3)})
                         ELSE jsonb_build_array(${person(1)}, ${person(2)}) END,
       jsonb_build_array(jsonb_build_object('citation', v[1], 'description', v[2], 'felony', v[3]::boolean)),
       ts + interval '2 hours', ts + interval '3 hours'
  FROM (SELECT i, timestamptz '2025-01-01' + (${h('ts')} % (600 * 86400)) * interval '1 second' AS ts,
               (${arr(VIOLATIONS.map((v) => `${v[0]}|${v[1]}|${v[2]}`))})[1 + ${h('vi')} % ${VIOLATIONS.length}] AS vr
          FROM generate_series(1, $1::int) i) g
  CROSS JOIN LATERAL (SELECT string_to_array(g.vr, '|') AS v) vv
  JOIN bench_authors o ON o.k = 1 + g.i % (SELECT count(*) FROM bench_authors)`;
}

async function timedGet(base, urlPath, token) {
  const t0 = now();
  const res = await fetch(`${base}${urlPath}`, { headers: { Authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { ms: Number(now() - t0) / 1e6, status: res.status, text };
}

const children = new Set();
const clients = new Set();
const run = new BenchRun('bench/search', {
  first: async () => {
    for (const c of children) c.kill('SIGTERM');
    for (const c of clients) await c.end().catch(() => undefined);
  },
});

async function main() {
  const caseCount = intEnv('SEARCH_CASES', 100_000, 100, 5_000_000);
  const personnelTarget = intEnv('SEARCH_PERSONNEL', 200_000, 100, 10_000_000);
  const requests = intEnv('SEARCH_REQUESTS', 100, 1, 100_000);
  const warmup = intEnv('SEARCH_WARMUP', 10, 0, 10_000);
  process.env.NO_COLOR = '1';
  const cpus = os.cpus();
  console.log('Case search benchmark: GET /api/v1/cases?q=... first pages');
  console.log(
    `Machine: node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model?.trim() ?? 'unknown'}), load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} ` + '(shared machine: other processes may run; read against the /auth/me baseline)',
  );
  await waitForFiles([MAIN, CLI, DB_LIB], DIST_WAIT_MS, 'bench:search');
  const dbLib = require(DB_LIB);
  const unguard = guardRun(run);
  try {
    let t = now();
    // SEARCH_DIR: keep the cluster, its generated data and the bench users between runs (generation at 100k takes minutes).
    const keepDir = process.env.SEARCH_DIR || undefined;
    const statePath = keepDir && path.join(path.resolve(keepDir), 'bench-search-state.json');
    const state = statePath && fs.existsSync(statePath) ? JSON.parse(fs.readFileSync(statePath, 'utf8')) : null;
    if (state && (state.cases !== caseCount || state.personnel !== personnelTarget)) {
      throw new Error(
        `${keepDir} holds ${state.cases} cases / ${state.personnel} personnel, not ${caseCount} / ${personnelTarget}: remove it or use another SEARCH_DIR`,
      );
    }
    const { dataDir, db, applied, openClient, closeClient } = await startBenchDatabase(run, {
      dbLib,
      tempPrefix: 'ion-bench-search-',
      clients,
      keepDir,
    });
    const owner = await openClient(db.ownerUrl, 'ion-bench-owner');
    run.defer(() => closeClient(owner));
    console.log(`PostgreSQL ready, ${applied.length} migrations applied, in ${fmt(secondsSince(t))} s`);

    const apiPort = await freePort();
    const env = benchApiEnv({ db, dataDir, port: apiPort });
    const adminPassword = state ? state.adminPassword : await createBenchAdmin(children, CLI, env);
    await launchApi(run, env);
    const base = `http://127.0.0.1:${apiPort}/api/v1`;

    const admin = await api(base, 'POST', '/auth/login', { username: 'bench.admin', password: adminPassword });
    const password = state ? state.password : `bench-${crypto.randomBytes(12).toString('hex')}`;
    const createUser = (u) => api(base, 'POST', '/users', { ...u, password }, admin.accessToken);
    const authors = [];
    const supervisors = {};
    for (const district of state ? [] : DISTRICTS) {
      supervisors[district] = await createUser({
        username: `bench.sgt${district}`,
        displayName: `Sgt. Bench ${district}`,
        role: 'SUPERVISOR',
        district,
        badgeNumber: `S${district}`,
      });
      for (const j of [1, 2, 3]) {
        authors.push(
          await createUser({
            username: `bench.officer${district}-${j}`,
            displayName: `Officer ${district}-${j}`,
            role: 'OFFICER',
            district,
            badgeNumber: `O${district}${j}`,
          }),
        );
      }
    }
    if (!state) await createUser({ username: 'bench.auditor', displayName: 'Auditor Bench', role: 'AUDITOR' });
    const token = async (username) => (await api(base, 'POST', '/auth/login', { username, password })).accessToken;
    const supToken = await token('bench.sgt1');
    const offToken = await token('bench.officer1-1');
    const audToken = await token('bench.auditor');

    // --- generation: the triggers compute the search vectors and the personnel index for every row, as for any write
    t = now();
    if (!state) {
      await owner.query('BEGIN');
      await owner.query('CREATE TEMP TABLE bench_authors (k int, id uuid, district int) ON COMMIT DROP');
      await owner.query(
        'INSERT INTO bench_authors SELECT k, id, d FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS t(id, d, k)',
        [authors.map((a) => a.id), authors.map((a) => a.district)],
      );
      const badgePool = Math.max(100, Math.round(personnelTarget / 8));
      await owner.query(generateSql(badgePool), [caseCount]);
      await owner.query(
        `INSERT INTO case_number_counters (year, last_value) VALUES (2025, $1), (2026, $1) ON CONFLICT (year) DO UPDATE SET last_value = EXCLUDED.last_value`,
        [caseCount],
      );
      await owner.query('COMMIT');
    }
    const genSec = secondsSince(t);
    t = now();
    for (const tbl of ['cases', 'federal_personnel', 'federal_personnel_records'])
      await owner.query(`VACUUM (ANALYZE) ${tbl}`);
    if (statePath && !state)
      fs.writeFileSync(
        statePath,
        JSON.stringify({ cases: caseCount, personnel: personnelTarget, adminPassword, password }),
        { mode: 0o600 },
      );
    const counts = (
      await owner.query(`SELECT (SELECT count(*) FROM cases)::int AS cases, (SELECT count(*) FROM federal_personnel_records)::int AS records,
      (SELECT count(*) FROM federal_personnel)::int AS entries, (SELECT count(*) FROM cases WHERE district = 1)::int AS d1`)
    ).rows[0];
    console.log(
      `${state ? `Reused ${keepDir}:` : 'Generated'} ${counts.cases} cases, ${counts.records} personnel records (${counts.entries} index entries)${state ? '' : ` in ${fmt(genSec, 1)} s`}; ` +
        `VACUUM (ANALYZE) ${fmt(secondsSince(t), 1)} s. District 1 (the supervisor's scope): ${counts.d1} cases. Not part of the target.`,
    );

    // --- a badge recorded in district 1 and elsewhere; a case number
    const badge = (
      await owner.query(`SELECT r.badge_recorded, r.badge_normalised FROM federal_personnel_records r JOIN cases c ON c.id = r.case_id
      WHERE c.district = 1 AND r.badge_recorded LIKE '0%' AND length(r.badge_normalised) >= 3 ORDER BY r.badge_normalised LIMIT 1`)
    ).rows[0];
    const caseNo = (
      await owner.query(
        `SELECT case_number FROM cases ORDER BY case_number OFFSET ${Math.min(4321, caseCount - 1)} LIMIT 1`,
      )
    ).rows[0].case_number;
    const badgeQ = `00${badge.badge_normalised}`;
    const me = (await api(base, 'GET', '/auth/me', undefined, offToken)).id;

    // Expected totals and ids, counted directly in PostgreSQL (same tsquery, the caller's scope).
    const tsq = {
      word: `websearch_to_tsquery('english', 'irritant')`,
      tahoe: `websearch_to_tsquery('english', 'Tahoe')`,
      silverTahoe: `websearch_to_tsquery('english', '"silver Tahoe"')`,
      phrase: `websearch_to_tsquery('english', '"unmarked grey SUV"')`,
      badge: `(websearch_to_tsquery('english', ${lit(badgeQ)}) || ${lit(`'${badge.badge_normalised}'`)}::tsquery)`,
      agents: `websearch_to_tsquery('english', 'agents')`,
      witness: `websearch_to_tsquery('english', 'witnesses')`,
      caseNo: `(websearch_to_tsquery('english', ${lit(caseNo)}) || ${lit(`'${caseNo.toLowerCase()}'`)}::tsquery)`,
    };
    const FILTER = `felony=true&activityType=ARREST&from=2025-03-01T00:00:00Z&to=2025-12-31T23:59:59Z&sort=incident`;
    const filterSql = `c.violations @> '[{"felony": true}]' AND c.activity_type = 'ARREST' AND COALESCE(c.incident_at, c.created_at) BETWEEN '2025-03-01T00:00:00Z' AND '2025-12-31T23:59:59Z'`;
    const variants = [
      { key: 'a', label: 'GET /auth/me (baseline)', path: '/auth/me', token: supToken },
      {
        key: 'b',
        label: 'supervisor, one word: Tahoe',
        path: '/cases?q=Tahoe',
        token: supToken,
        where: `c.district = 1 AND c.search_content @@ ${tsq.tahoe}`,
        scope: (i) => i.district === 1,
        target: true,
      },
      {
        key: 'b3',
        label: 'supervisor, one word, sort=relevance (informational)',
        path: '/cases?q=Tahoe&sort=relevance',
        token: supToken,
        where: `c.district = 1 AND c.search_content @@ ${tsq.tahoe}`,
        scope: (i) => i.district === 1,
        unordered: true,
      },
      {
        key: 'b2',
        label: 'supervisor, one word in ~40% of narratives: irritant',
        path: '/cases?q=irritant',
        token: supToken,
        where: `c.district = 1 AND c.search_content @@ ${tsq.word}`,
        scope: (i) => i.district === 1,
      },
      {
        key: 'c',
        label: 'supervisor, phrase: "silver Tahoe"',
        path: `/cases?q=${encodeURIComponent('"silver Tahoe"')}`,
        token: supToken,
        where: `c.district = 1 AND c.search_content @@ ${tsq.silverTahoe}`,
        scope: (i) => i.district === 1,
        target: true,
      },
      {
        key: 'c2',
        label: 'supervisor, phrase in ~20% of narratives: "unmarked grey SUV"',
        path: `/cases?q=${encodeURIComponent('"unmarked grey SUV"')}`,
        token: supToken,
        where: `c.district = 1 AND c.search_content @@ ${tsq.phrase}`,
        scope: (i) => i.district === 1,
      },
      {
        key: 'd',
        label: `supervisor, badge: ${badgeQ}`,
        path: `/cases?q=${encodeURIComponent(badgeQ)}`,
        token: supToken,
        where: `c.district = 1 AND c.search_content @@ ${tsq.badge}`,
        scope: (i) => i.district === 1,
        target: true,
      },
      {
        key: 'e',
        label: 'supervisor, filtered: agents + felony, ARREST, 10 months, by incident',
        path: `/cases?q=agents&${FILTER}`,
        token: supToken,
        where: `c.district = 1 AND c.search_content @@ ${tsq.agents} AND ${filterSql}`,
        scope: (i) => i.district === 1 && i.anyFelony && i.activityType === 'ARREST',
        target: true,
      },
      {
        key: 'f',
        label: 'officer, one word: witnesses',
        path: '/cases?q=witnesses',
        token: offToken,
        where: `c.created_by = ${lit(me)} AND c.search_content @@ ${tsq.witness}`,
        scope: (i) => i.createdBy === me,
      },
      {
        key: 'g',
        label: `auditor, case number ${caseNo}`,
        path: `/cases?q=${caseNo}`,
        token: audToken,
        where: `c.search_meta @@ ${tsq.caseNo}`,
        scope: (i) => !('incidentLocation' in i),
      },
      {
        key: 'g2',
        label: 'auditor, a narrative-only word: irritant (no match, no count)',
        path: '/cases?q=irritant',
        token: audToken,
        where: `c.search_meta @@ ${tsq.word}`,
        scope: () => false,
      },
      {
        key: 'h',
        label: `GET /federal-personnel?q=${badgeQ} (supervisor)`,
        path: `/federal-personnel?q=${encodeURIComponent(badgeQ)}`,
        token: supToken,
        personnel: true,
        target: true,
      },
    ];
    for (const v of variants.filter((x) => x.where)) {
      const r = await owner.query(`SELECT array_agg(c.id) AS ids, count(*)::int AS n FROM cases c WHERE ${v.where}`);
      v.expectTotal = Math.min(r.rows[0].n, COUNT_CAP);
      v.expectCapped = r.rows[0].n > COUNT_CAP;
      v.expectIds = new Set(r.rows[0].ids ?? []);
      v.expectPage = (
        await owner.query(`SELECT c.id FROM cases c WHERE ${v.where} ORDER BY ${INCIDENT_ORDER} LIMIT ${PAGE_SIZE}`)
      ).rows.map((x) => x.id);
    }
    if (variants.find((v) => v.key === 'g2').expectTotal !== 0)
      throw new Error('bench: search_meta matches the narrative-only word');

    // The audit append's commit: WAL flush time over the measured requests (track_wal_io_timing, owner only).
    await owner.query('ALTER SYSTEM SET track_wal_io_timing = on');
    await owner.query('SELECT pg_reload_conf()');
    const walStats = async () =>
      (
        await owner.query(`SELECT wal_sync::bigint AS syncs, wal_sync_time AS sync_ms, wal_write_time AS write_ms,
      (SELECT count(*) FROM audit_events WHERE action = 'case.searched')::int AS searched FROM pg_stat_wal`)
      ).rows[0];
    let wal0 = null;

    const results = new Map(variants.map((v) => [v.key, { times: [], problem: null, total: null }]));
    for (let round = 0; round < warmup + requests; round++) {
      if (round === warmup) wal0 = await walStats();
      for (const v of variants) {
        const r = await timedGet(base, v.path, v.token);
        const o = results.get(v.key);
        if (round >= warmup) o.times.push(r.ms);
        if (o.problem) continue;
        if (r.status !== 200) {
          o.problem = `HTTP ${r.status}: ${r.text.slice(0, 300)}`;
          continue;
        }
        const body = JSON.parse(r.text);
        if (v.personnel) {
          o.total = body.total;
          if (!body.items.some((i) => i.badgeNormalised === badge.badge_normalised))
            o.problem = "the badge's entry is not on the first page";
          continue;
        }
        if (!v.where) continue;
        o.total = body.total;
        o.capped = body.totalCapped;
        if (body.total !== v.expectTotal || body.totalCapped !== v.expectCapped) {
          o.problem = `total ${body.total} (totalCapped ${body.totalCapped}), PostgreSQL: ${v.expectTotal} (capped ${v.expectCapped})`;
        } else if (body.items.length !== v.expectPage.length)
          o.problem = `${body.items.length} items, PostgreSQL ${v.expectPage.length}`;
        else if (!body.items.every((i) => v.expectIds.has(i.id) && v.scope(i)))
          o.problem = 'an item outside the expected set or scope';
        else if (!v.unordered && body.items.map((i) => i.id).join() !== v.expectPage.join())
          o.problem = "not PostgreSQL's first page by incident time";
      }
    }

    const wal1 = await walStats();
    await owner.query('ALTER SYSTEM RESET track_wal_io_timing');
    await owner.query('SELECT pg_reload_conf()');
    const audited = wal1.searched - wal0.searched;
    const walShare = {
      searched: audited,
      syncs: Number(wal1.syncs) - Number(wal0.syncs),
      syncMs: wal1.sync_ms - wal0.sync_ms,
      writeMs: wal1.write_ms - wal0.write_ms,
    };

    // --- EXPLAIN of the API's SQL shapes (capped count + first page by incident time) on the API's role
    const reader = await openClient(db.appUrl, 'ion-bench-explain');
    run.defer(() => closeClient(reader));
    const plans = [];
    for (const v of variants.filter((x) => x.target && x.where)) {
      for (const [kind, sql] of [
        [
          'count',
          `SELECT count(*) FROM (SELECT 1 FROM cases c WHERE ${v.where} ORDER BY ${INCIDENT_ORDER} LIMIT ${COUNT_CAP + 1}) capped`,
        ],
        ['page', `SELECT c.id FROM cases c WHERE ${v.where} ORDER BY ${INCIDENT_ORDER} LIMIT ${PAGE_SIZE}`],
      ]) {
        // Five runs, the median server time kept (the machine may be shared); the plan of the last.
        const times = [];
        let lines = [];
        for (let k = 0; k < 5; k++) {
          lines = (await reader.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`)).rows.map((r) => r['QUERY PLAN']);
          times.push(Number((lines.map((l) => /Execution Time: ([\d.]+) ms/.exec(l)).find(Boolean) ?? [0, NaN])[1]));
        }
        const scans = lines
          .map((l) => l.trim().replace(/^->\s*/, ''))
          .filter((l) => /(Scan|Bitmap)/.test(l))
          .map((l) => l.replace(/\s+\(cost=.*$/, ''));
        const ms = stats(times).p50;
        const buffers = Number(
          (/Buffers: shared hit=(\d+)/.exec(lines.find((l) => /Buffers:/.test(l)) ?? '') ?? [0, NaN])[1],
        );
        // Never a sequential scan of cases; an index of cases: the GIN index, or (a broad word, newest first) the scope's
        // incident-time index, walked until a page (or the cap) of matches is found.
        const ok = !scans.some((s) => /Seq Scan on cases/.test(s)) && scans.some((s) => /cases_\w+_idx/.test(s));
        plans.push({ key: v.key, kind, scans, ms, buffers, ok });
      }
    }

    // --- report
    console.log('');
    console.log(
      'variant'.padEnd(74) +
        'total'.padStart(8) +
        'p50'.padStart(9) +
        'p95'.padStart(9) +
        'p99'.padStart(9) +
        'max'.padStart(9),
    );
    const problems = [];
    const summary = {};
    for (const v of variants) {
      const o = results.get(v.key);
      const s = stats(o.times);
      summary[v.key] = { label: v.label, total: o.total, totalCapped: o.capped, ...s };
      console.log(
        `${v.key}. ${v.label}`.padEnd(74) +
          `${o.capped ? '>' : ''}${o.total ?? ''}`.padStart(8) +
          [s.p50, s.p95, s.p99, s.max].map((x) => fmt(x, 1).padStart(9)).join(''),
      );
      if (o.problem) problems.push(`${v.key}. ${v.label}: ${o.problem}`);
      if (v.target && s.p95 >= TARGET_P95_MS) problems.push(`${v.key}. p95 ${fmt(s.p95, 1)} ms >= ${TARGET_P95_MS} ms`);
    }
    console.log(
      "\nPlans (EXPLAIN (ANALYZE, BUFFERS) of the API's SQL shapes, API role; median server time of 5 runs, shared buffers hit of the top node):",
    );
    for (const p of plans) {
      console.log(
        `  ${p.key} ${p.kind.padEnd(5)} ${fmt(p.ms, 2).padStart(8)} ms ${String(p.buffers).padStart(7)} buffers  ${p.scans.join(' | ')}`,
      );
      if (!p.ok) problems.push(`${p.key} ${p.kind}: a sequential scan of cases, or no index of cases`);
    }
    console.log(
      `\nAudit share: ${walShare.searched} case.searched events appended during the measured requests; WAL flushes ` +
        `${walShare.syncs}, ${fmt(walShare.syncMs, 1)} ms syncing (${fmt(walShare.syncMs / Math.max(1, walShare.searched), 2)} ms per search), ` +
        `${fmt(walShare.writeMs, 1)} ms writing: the commit the audit append makes a read pay for.`,
    );
    console.log('');
    console.log(
      problems.length
        ? `FAIL\n  ${problems.join('\n  ')}`
        : `PASS: p95 < ${TARGET_P95_MS} ms for b, c, d, e, h; every answer checked; plans use the indexes`,
    );
    console.log(
      JSON.stringify({
        bench: 'search',
        cases: counts.cases,
        personnelRecords: counts.records,
        entries: counts.entries,
        requests,
        load: os.loadavg(),
        results: summary,
        plans,
        audit: walShare,
        pass: !problems.length,
      }),
    );
    return problems.length ? 1 : 0;
  } finally {
    await run.cleanup();
    unguard();
  }
}

run.exitWith(main(), { stack: true });
