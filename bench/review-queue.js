'use strict';
/*
 * Review queue benchmark: a prosecutor's GET /api/v1/review-queue over a realistic packets table,
 * with and without the queue's two indexes.
 *
 * In one run it:
 *   0. starts an embedded PostgreSQL in a temp dir, applies the migrations, creates an admin
 *      (CLI) and, through the built API (dist/apps/api/apps/api/src/main.js, embedded S3 in the
 *      temp DATA_DIR), officers, supervisors and prosecutors of both offices (CCSAO, CITY_LAW);
 *      logs in as a CCSAO prosecutor. Then generates QUEUE_PACKETS packets (default 50,000) straight
 *      in PostgreSQL, set-based (generate_series into a temp table, then one INSERT ... SELECT for
 *      the cases and one for the packets, one transaction, owner connection): one case per packet
 *      (FK, and at most one open packet per case), offices about half each, about 70% DECIDED /
 *      20% PENDING / 10% IN_REVIEW, sent_at uniform over the past two years, claim and decision
 *      times and people consistent with every CHECK, and a ~3-4 KB canonical-JSON manifest per row
 *      (with its real SHA-256). Then VACUUM (ANALYZE). Generation is timed apart; not a target.
 *   1. measures, sequentially (one request at a time, round-robin over the variants, after a
 *      warm-up), QUEUE_REQUESTS requests each of:
 *        a. GET /auth/me                              (baseline: HTTP + JWT + user lookup)
 *        b. GET /review-queue                         (the open queue, PENDING + IN_REVIEW, oldest first, page 1)
 *        c. GET /review-queue?status=PENDING
 *        d. GET /review-queue?status=DECIDED
 *        e. GET /review-queue?status=DECIDED&sort=newest
 *        f. GET /review-queue?page=QUEUE_DEEP_PAGE    (deep page of the open queue)
 *      p50/p95/p99/max ms (request to last byte) and each page's total; every answer is checked
 *      (200, the caller's office only, the requested states, the order, the page size, the total
 *      against a count made directly in PostgreSQL).
 *   2. prints EXPLAIN (ANALYZE, BUFFERS) of the service's page and count queries (built by the
 *      repository's own queueSql, required from dist) for the open queue
 *      and for status=PENDING, and the indexes they use.
 *   3. drops packets_queue_idx and packets_open_queue_idx in this throwaway database and measures
 *      b, c, d again: both side by side, with the plans without the indexes (informational).
 *   4. PASS/FAIL: p95 < 50 ms for b, c and d (with the indexes); exit 1 on FAIL or a failed check.
 * Everything it started is stopped and the temp dir removed, whatever happens (Ctrl-C included).
 *
 * Run:  npm run bench:review-queue                  (builds first)
 *       node bench/review-queue.js                  (against the existing dist)
 * Settings: QUEUE_PACKETS (default 50000), QUEUE_REQUESTS (default 200 per variant and phase),
 * QUEUE_WARMUP (default 20 rounds), QUEUE_DEEP_PAGE (default 50).
 * Linux only (reads /proc for the API's RSS). Disk: about 13 kB per packet in the temp dir (table, TOAST, indexes, WAL).
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  ROOT,
  DIST,
  MAIN,
  intEnv,
  now,
  secondsSince,
  kbToMB,
  fmt,
  requireProcfs,
  procStatusKb,
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
const { sqlLit: lit, sqlArray, hashSql, pickSql, stats, LOCATIONS, NARRATIVE_SENTENCES } = require('./data');

const CLI = path.join(DIST, 'apps/api/src/cli/cli.js');
const DB_LIB = path.join(DIST, 'libs/database/src/index.js');
const PACKETS_REPOSITORY_JS = path.join(DIST, 'libs/packets/src/packets.repository.js');

const DIST_WAIT_MS = 300_000;

const TARGET_P95_MS = 50;
const PAGE_SIZE = 20; // PageQuery's default: the bench sends no pageSize, as the UI's first page would not
const QUEUE_INDEXES = ['packets_queue_idx', 'packets_open_queue_idx'];

// ---------------------------------------------------------------------------------------------
// The queue's SQL: built by the service's own queueSql (libs/packets/src/packets.repository.ts),
// required from the build once it is there (see main), so that the EXPLAIN output is of the very
// statements the API runs.

/** queueSql of dist/.../libs/packets/src/packets.repository.js. */
let repositoryQueueSql = null;

/**
 * PacketsService.queue's two statements and parameters for a prosecutor of `office` and `status` (null: the
 * default, open queue), as the service calls the repository.
 */
function queueSql(office, status, sort = 'oldest', page = 1, pageSize = PAGE_SIZE) {
  const auth = {
    id: '00000000-0000-4000-8000-000000000000',
    username: 'bench',
    role: 'PROSECUTOR',
    district: null,
    office,
    badgeNumber: null,
    displayName: 'bench',
  };
  const filter = {
    status: status?.length ? [...new Set(status)] : ['PENDING', 'IN_REVIEW'],
    dir: sort === 'newest' ? 'DESC' : 'ASC',
    page,
    pageSize,
  };
  const q = repositoryQueueSql(auth, filter);
  return { page: q.page, count: q.count, params: q.params };
}

// ---------------------------------------------------------------------------------------------
// Helpers

const int = (n) => Math.round(n).toLocaleString('en-US');
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

/** Child processes (runNode) and open pg clients (startBenchDatabase's openClient/closeClient), for cleanup. */
const children = new Set();
const clients = new Set();

/** Bytes under `dir` (files only; what the run leaves in its temp dir). */
function dirBytes(dir) {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    try {
      if (e.isDirectory()) n += dirBytes(p);
      else if (e.isFile()) n += fs.statSync(p).size;
    } catch {
      // vanished meanwhile (PostgreSQL recycles WAL segments)
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Data generation: set-based, in PostgreSQL

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
const AGENCIES = ['ICE_ERO', 'ICE_HSI', 'CBP', 'BORDER_PATROL', 'DHS_OTHER', 'FEDERAL_UNKNOWN'];
const SENTENCES = NARRATIVE_SENTENCES.slice(0, 12);
const DECISION_REASONS = {
  CHARGES_FILED: 'Charges approved on review of the body-worn camera footage and two independent witness statements.',
  DECLINED: 'Declined: the evidence does not establish identity of the agent who used force beyond a reasonable doubt.',
  REFERRED_ELSEWHERE: 'Referred to the U.S. Attorney civil rights unit; federal jurisdiction over the conduct alleged.',
  MORE_INFO_REQUESTED:
    'Please obtain the store surveillance footage and a statement from the second assisting officer.',
};

const iso = (expr) => `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One row per packet with everything both INSERTs need: office, state, times, people, the case's
 * fields and the JSON fragments the manifest shares with the case. setseed() makes it the same
 * data in every run; ids are md5-derived, so deterministic too.
 */
function genTableSql() {
  // three different sentences: offsets 0, 5 and 10 modulo 12
  const narrative = [0, 5, 10]
    .map((k) => `(${sqlArray(SENTENCES)})[1 + (${hashSql('narrative', 'v.i')} + ${k}) % ${SENTENCES.length}]`)
    .join(" || ' ' || ");
  return `
CREATE TEMP TABLE bench_gen ON COMMIT DROP AS
WITH s AS (
  SELECT i, random() AS r_office, random() AS r_status, random() AS r_sent, random() AS r_claim, random() AS r_decide,
         random() AS r_decision, random() AS r_felony, random() AS r_who, random() AS r_officer, random() AS r_created,
         random() AS r_incident, random() AS r_submit
  FROM generate_series(1, $1::int) AS i
), t AS (
  SELECT s.*,
    CASE WHEN r_office < 0.5 THEN 'CCSAO' ELSE 'CITY_LAW' END AS office,
    CASE WHEN r_status < 0.7 THEN 'DECIDED' WHEN r_status < 0.9 THEN 'PENDING' ELSE 'IN_REVIEW' END AS status,
    date_trunc('milliseconds', $2::timestamptz - interval '1 hour' - r_sent * interval '730 days') AS sent_at
  FROM s
), u AS (
  SELECT t.*,
    CASE WHEN status <> 'PENDING'
      THEN date_trunc('milliseconds', sent_at + r_claim * least(interval '4 days', ($2::timestamptz - sent_at) / 2)) END AS claimed_at,
    date_trunc('milliseconds', sent_at - interval '1 day' - r_created * interval '20 days') AS created_at
  FROM t
), v AS (
  SELECT u.*,
    CASE WHEN status = 'DECIDED'
      THEN date_trunc('milliseconds', claimed_at + r_decide * least(interval '45 days', $2::timestamptz - claimed_at)) END AS decided_at,
    CASE WHEN status = 'DECIDED' THEN
      CASE WHEN r_decision < 0.40 THEN 'CHARGES_FILED' WHEN r_decision < 0.75 THEN 'DECLINED'
           WHEN r_decision < 0.87 THEN 'REFERRED_ELSEWHERE' ELSE 'MORE_INFO_REQUESTED' END END AS decision,
    date_trunc('milliseconds', created_at - r_incident * interval '36 hours') AS incident_at,
    date_trunc('milliseconds', created_at + (sent_at - created_at) * (0.2 + 0.3 * r_submit)) AS submitted_at,
    CASE WHEN office = 'CCSAO' THEN r_felony < 0.92 ELSE r_felony < 0.03 END AS felony,
    extract(year FROM created_at AT TIME ZONE 'America/Chicago')::int AS case_year
  FROM u
)
SELECT v.i, v.office, v.status, v.sent_at, v.claimed_at, v.decided_at, v.decision, v.created_at, v.incident_at, v.submitted_at,
  date_trunc('milliseconds', v.submitted_at + (v.sent_at - v.submitted_at) * 0.6) AS approved_at,
  v.felony, v.case_year,
  md5('ion-bench-packet-' || v.i)::uuid AS packet_id,
  md5('ion-bench-case-' || v.i)::uuid AS case_id,
  'ION-' || v.case_year || '-' || lpad(n.rn::text, greatest(6, length(n.rn::text)), '0') AS case_number,
  CASE WHEN v.status <> 'PENDING' THEN p.id END AS claimed_by,
  CASE WHEN v.status = 'DECIDED' THEN p.id END AS decided_by,
  CASE v.decision ${Object.entries(DECISION_REASONS)
    .map(([d, r]) => `WHEN ${lit(d)} THEN ${lit(r)}`)
    .join(' ')} END AS decision_reason,
  CASE WHEN v.decision = 'CHARGES_FILED' THEN extract(year FROM v.decided_at)::int || '-CR-' || lpad((v.i % 10000000)::text, 7, '0') END AS external_reference,
  o.id AS officer_id, o.badge AS officer_badge, o.district,
  format('{"badgeNumber":"%s","displayName":"%s","id":"%s","role":"OFFICER"}', o.badge, o.name, o.id) AS officer_json,
  o.sup_id,
  format('{"badgeNumber":"%s","displayName":"%s","id":"%s","role":"SUPERVISOR"}', o.sup_badge, o.sup_name, o.sup_id) AS sup_json,
  ${pickSql(LOCATIONS, 'loc', 'v.i')} AS location,
  ${pickSql(ACTIVITIES, 'act', 'v.i')} AS activity,
  ${pickSql(AGENCIES, 'agency', 'v.i')} AS agency,
  CASE WHEN ${hashSql('origin', 'v.i')} % 4 = 0 THEN 'REPORTED' ELSE 'WITNESSED' END AS origin,
  ${narrative} AS narrative,
  2 + ${hashSql('evidence', 'v.i')} % 2 AS n_evidence
FROM v
JOIN (SELECT i, row_number() OVER (PARTITION BY case_year ORDER BY created_at, i) AS rn FROM v) n ON n.i = v.i
JOIN bench_prosecutors p ON p.office = v.office AND p.k = 1 + floor(v.r_who * $3::int)::int
JOIN bench_officers o ON o.k = 1 + floor(v.r_officer * $4::int)::int`;
}

/** federal_officers and violations as canonical JSON text (used for the case's jsonb and the manifest). */
const FED_JSON = `format('[{"agency":"%s","badgeDisplayed":false,"badgeNumber":null,"bodyCameraWorn":false,"description":"%s","identificationMethod":"asked verbally for name and badge","identificationNotes":null,"identificationOutcome":"%s","isSupervisor":true,"masked":%s,"name":null}]',
  g.agency, ${pickSql(
    [
      'White male, about 40, grey tactical vest, black balaclava',
      'Tall, dark jacket marked POLICE in yellow, face covering',
      'Female agent, green plate carrier, no name tape',
      'Heavyset, beard, plain clothes with a DHS badge on the belt',
    ],
    'fed',
    'g.i',
  )},
  ${pickSql(['REFUSED', 'UNABLE', 'PARTIAL', 'VERIFIED'], 'outcome', 'g.i')}, CASE WHEN ${hashSql('masked', 'g.i')} % 3 = 0 THEN 'false' ELSE 'true' END)`;
const VIOL_JSON = `CASE WHEN g.felony
  THEN '[{"citation":"720 ILCS 5/12-3.05","description":"Aggravated battery of a person on a public way","felony":true},{"citation":"EO 2026-01 §3(b)","description":"Use of force without identification","felony":false}]'
  ELSE '[{"citation":"EO 2026-01 §3(a)","description":"Failure to display identification during an enforcement action","felony":false}]' END`;

const CASES_INSERT_SQL = `
INSERT INTO cases (id, case_number, status, version, district, created_by, origin, incident_at, incident_location, activity_type,
  agencies, narrative, injuries_reported, ems_called, federal_officers, violations, submitted_at, submitted_by, approved_at,
  approved_by, returned_at, returned_by, return_reason, disposition, closed_at, created_at, updated_at)
SELECT g.case_id, g.case_number,
  CASE g.status WHEN 'PENDING' THEN 'REFERRED' WHEN 'IN_REVIEW' THEN 'IN_REVIEW'
    ELSE CASE WHEN g.decision = 'MORE_INFO_REQUESTED' THEN 'RETURNED' ELSE 'CLOSED' END END,
  CASE g.status WHEN 'PENDING' THEN 5 WHEN 'IN_REVIEW' THEN 6 ELSE 7 END,
  g.district, g.officer_id, g.origin, g.incident_at, g.location, g.activity, ARRAY[g.agency], g.narrative, false, false,
  (${FED_JSON})::jsonb, (${VIOL_JSON})::jsonb, g.submitted_at, g.officer_id, g.approved_at, g.sup_id,
  CASE WHEN g.decision = 'MORE_INFO_REQUESTED' THEN g.decided_at END,
  CASE WHEN g.decision = 'MORE_INFO_REQUESTED' THEN g.decided_by END,
  CASE WHEN g.decision = 'MORE_INFO_REQUESTED' THEN g.decision_reason END,
  CASE WHEN g.decision <> 'MORE_INFO_REQUESTED' THEN g.decision END,
  CASE WHEN g.decision <> 'MORE_INFO_REQUESTED' THEN g.decided_at END,
  g.created_at, coalesce(g.decided_at, g.claimed_at, g.sent_at)
FROM bench_gen g
ORDER BY g.created_at`;

const KINDS = ['BWC', 'OTHER_VIDEO', 'PHOTO', 'AUDIO', 'DOCUMENT'];
const CTYPES = ['video/mp4', 'video/quicktime', 'image/jpeg', 'audio/mpeg', 'application/pdf'];
const EXTS = ['mp4', 'mov', 'jpg', 'mp3', 'pdf'];

/**
 * The packets, in sent_at order (the order the API appends them), each with its manifest: canonical
 * JSON (sorted keys, no whitespace) of the shape PacketsService.buildManifest writes, 2-3 evidence
 * items with their own ids and SHA-256s, and the row's real manifest_sha256. Signature: 64
 * pseudo-random bytes in base64 (not a real signature; the queue never reads it).
 */
const PACKETS_INSERT_SQL = `
INSERT INTO packets (id, case_id, case_number, version, previous_packet_id, office, felony, status, sent_by, sent_at, manifest,
  manifest_sha256, signature, key_id, public_key_pem, storage_bucket, manifest_key, signature_key, evidence_count, evidence_bytes,
  claimed_by, claimed_at, decision, decision_reason, external_reference, decided_by, decided_at)
SELECT g.packet_id, g.case_id, g.case_number, 1, NULL, g.office, g.felony, g.status, g.sup_id, g.sent_at, m.manifest,
  encode(sha256(convert_to(m.manifest, 'UTF8')), 'hex'),
  replace(encode(sha512(convert_to('ion-bench-signature-' || g.i, 'UTF8')), 'base64'), E'\\n', ''),
  $1::text, $2::text, $3::text,
  'packets/' || g.case_id || '/' || g.packet_id || '/manifest.json',
  'packets/' || g.case_id || '/' || g.packet_id || '/manifest.sig',
  g.n_evidence, e.bytes, g.claimed_by, g.claimed_at, g.decision, g.decision_reason, g.external_reference, g.decided_by, g.decided_at
FROM bench_gen g
CROSS JOIN LATERAL (
  SELECT string_agg(format('{"archivePath":"evidence/%s-%s.%s","contentType":"%s","deviceId":%s,"id":"%s","integrityStatus":"OK","kind":"%s","lastVerifiedAt":%s,"originalFilename":"%s","recordedEnd":"%s","recordedStart":"%s","recordingOfficerBadge":"%s","sha256":"%s","sizeBytes":%s,"uploadedAt":"%s","uploadedBy":%s}',
      lpad(x.k::text, 2, '0'), x.eid, (${sqlArray(EXTS)})[x.kx], (${sqlArray(CTYPES)})[x.kx],
      CASE WHEN x.kx <= 2 THEN '"AXON-X' || upper(substr(md5(x.eid::text), 1, 8)) || '"' ELSE 'null' END,
      x.eid, (${sqlArray(KINDS)})[x.kx],
      CASE WHEN x.h % 5 = 0 THEN '"' || ${iso("g.sent_at - interval '2 hours'")} || '"' ELSE 'null' END,
      CASE x.kx WHEN 1 THEN 'AXON_BODY_3_' || to_char(g.incident_at, 'YYYYMMDD_HH24MISS') || '_' || x.k || '.mp4'
        WHEN 2 THEN 'IMG_' || (1000 + x.h % 9000) || '.MOV' WHEN 3 THEN 'IMG_' || (1000 + x.h % 9000) || '.JPG'
        WHEN 4 THEN 'witness-statement-' || x.k || '.mp3' ELSE 'supplementary-report-' || x.k || '.pdf' END,
      ${iso("g.incident_at + x.k * interval '3 minutes' + (x.h % 1800) * interval '1 second'")},
      ${iso("g.incident_at + x.k * interval '3 minutes'")},
      g.officer_badge, encode(sha256(convert_to('ion-bench-evidence-' || g.i || '-' || x.k, 'UTF8')), 'hex'),
      x.size, ${iso("g.created_at + x.k * interval '7 minutes'")}, g.officer_json), ',' ORDER BY x.k) AS items,
    sum(x.size)::bigint AS bytes
  FROM (
    SELECT k, h, kx, md5('ion-bench-evidence-' || g.i || '-' || k)::uuid AS eid,
      CASE kx WHEN 1 THEN 40000000 + h % 1900000000 WHEN 2 THEN 5000000 + h % 400000000 WHEN 3 THEN 800000 + h % 6000000
        WHEN 4 THEN 300000 + h % 40000000 ELSE 60000 + h % 3000000 END AS size
    FROM (
      SELECT k, ${hashSql('ev', "g.i || '-' || k")} AS h,
        CASE WHEN k = 1 THEN 1 ELSE 1 + ${hashSql('kind', "g.i || '-' || k")} % ${KINDS.length} END AS kx
      FROM generate_series(1, g.n_evidence) AS k
    ) y
  ) x
) e
CROSS JOIN LATERAL (
  SELECT format('{"approvals":{"approvedAt":"%s","approvedBy":%s,"submittedAt":"%s","submittedBy":%s},"case":{"activityType":"%s","agencies":["%s"],"caseNumber":"%s","district":%s,"emsCalled":false,"id":"%s","incidentAt":"%s","incidentLocation":"%s","injuriesReported":false,"narrative":"%s","origin":"%s"},"checksums":{"file":"SHA256SUMS","sha256":"%s"},"evidence":[%s],"federalOfficers":%s,"format":"ion-packet-manifest/1","office":"%s","packetId":"%s","previousPacket":null,"sentAt":"%s","sentBy":%s,"signing":{"algorithm":"Ed25519","keyId":"%s"},"version":1,"violations":%s}',
    ${iso('g.approved_at')}, g.sup_json, ${iso('g.submitted_at')}, g.officer_json,
    g.activity, g.agency, g.case_number, g.district, g.case_id, ${iso('g.incident_at')}, g.location, g.narrative, g.origin,
    encode(sha256(convert_to('ion-bench-sums-' || g.i, 'UTF8')), 'hex'), e.items, ${FED_JSON}, g.office, g.packet_id,
    ${iso('g.sent_at')}, g.sup_json, $1::text, ${VIOL_JSON}) AS manifest
) m
ORDER BY g.sent_at, g.packet_id`;

/**
 * Generates `count` packets (and their cases) in one transaction on the owner connection, then
 * keeps case_number_counters ahead of the generated numbers.
 */
async function generatePackets(client, count, { people, nowIso, keyId, publicKeyPem, bucket }) {
  await client.query('BEGIN');
  try {
    await client.query('SELECT setseed(0.2026)');
    await client.query('CREATE TEMP TABLE bench_prosecutors (office text, k int, id uuid, name text) ON COMMIT DROP');
    await client.query(
      'CREATE TEMP TABLE bench_officers (k int, id uuid, name text, badge text, district int, sup_id uuid, sup_name text, sup_badge text) ON COMMIT DROP',
    );
    for (const office of ['CCSAO', 'CITY_LAW']) {
      const list = people.prosecutors[office];
      await client.query(
        'INSERT INTO bench_prosecutors SELECT $1::text, k, id, name FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS t(id, name, k)',
        [office, list.map((p) => p.id), list.map((p) => p.displayName)],
      );
    }
    const off = people.officers;
    await client.query(
      `INSERT INTO bench_officers SELECT k, id, name, badge, district, sup_id, sup_name, sup_badge
      FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::uuid[], $6::text[], $7::text[]) WITH ORDINALITY AS t(id, name, badge, district, sup_id, sup_name, sup_badge, k)`,
      [
        off.map((o) => o.id),
        off.map((o) => o.displayName),
        off.map((o) => o.badgeNumber),
        off.map((o) => o.district),
        off.map((o) => o.supervisor.id),
        off.map((o) => o.supervisor.displayName),
        off.map((o) => o.supervisor.badgeNumber),
      ],
    );
    const perOffice = people.prosecutors.CCSAO.length;
    if (people.prosecutors.CITY_LAW.length !== perOffice)
      throw new Error('the bench needs as many prosecutors in each office');
    await client.query(genTableSql(), [count, nowIso, perOffice, off.length]);
    const cases = await client.query(CASES_INSERT_SQL);
    const packets = await client.query(PACKETS_INSERT_SQL, [keyId, publicKeyPem, bucket]);
    await client.query(`INSERT INTO case_number_counters (year, last_value)
      SELECT case_year, count(*) FROM bench_gen GROUP BY case_year
      ON CONFLICT (year) DO UPDATE SET last_value = greatest(case_number_counters.last_value, EXCLUDED.last_value)`);
    await client.query('COMMIT');
    return { cases: cases.rowCount, packets: packets.rowCount };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

/** One GET, timed from the request to the last byte of the body (parsing is not timed). */
async function timedGet(base, urlPath, token) {
  const t0 = now();
  const res = await fetch(`${base}${urlPath}`, { headers: { Authorization: `Bearer ${token}` } });
  const text = await res.text();
  const ms = Number(now() - t0) / 1e6;
  return { ms, status: res.status, text };
}

/** Problems with one review-queue answer, or null. */
function checkQueueAnswer(v, body, expectTotal, office) {
  if (!body || !Array.isArray(body.items)) return 'no items array';
  if (body.total !== expectTotal) return `total ${body.total}, PostgreSQL counts ${expectTotal}`;
  const offset = (v.page - 1) * PAGE_SIZE;
  const expectItems = Math.max(0, Math.min(PAGE_SIZE, expectTotal - offset));
  if (body.items.length !== expectItems) return `${body.items.length} items, expected ${expectItems}`;
  for (let k = 0; k < body.items.length; k++) {
    const it = body.items[k];
    if (it.office !== office) return `item ${it.id} of office ${it.office}`;
    if (!v.statuses.includes(it.status)) return `item ${it.id} is ${it.status}`;
    if (k > 0) {
      const a = body.items[k - 1];
      const cmp = a.sentAt === it.sentAt ? (a.id < it.id ? -1 : 1) : a.sentAt < it.sentAt ? -1 : 1;
      if ((v.sort === 'newest' ? -cmp : cmp) > 0) return `items ${k - 1} and ${k} out of ${v.sort} order`;
    }
  }
  return null;
}

/**
 * Runs `variants` round-robin: `warmup` rounds untimed, then `n` timed rounds, one request at a
 * time. Every answer is checked; the first problem of each variant is kept.
 */
async function measure(base, token, variants, { n, warmup, expectTotals, office }) {
  const out = new Map(variants.map((v) => [v.key, { times: [], bytes: 0, total: null, problem: null }]));
  for (let round = 0; round < warmup + n; round++) {
    for (const v of variants) {
      const r = await timedGet(base, v.path, token);
      const o = out.get(v.key);
      if (round >= warmup) {
        o.times.push(r.ms);
        o.bytes = Buffer.byteLength(r.text);
      }
      if (o.problem) continue;
      if (r.status !== 200) {
        o.problem = `HTTP ${r.status}: ${r.text.slice(0, 300)}`;
        continue;
      }
      if (!v.statuses) continue;
      const body = JSON.parse(r.text);
      o.total = body.total;
      o.problem = checkQueueAnswer(v, body, expectTotals(v.statuses), office);
    }
  }
  for (const v of variants) Object.assign(out.get(v.key), stats(out.get(v.key).times));
  return out;
}

// ---------------------------------------------------------------------------------------------
// EXPLAIN

async function explain(client, sql, params) {
  const res = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  return res.rows.map((r) => r['QUERY PLAN']);
}

/** The scan nodes of a plan, e.g. "Index Scan using packets_open_queue_idx on packets p". */
function scanNodes(lines) {
  return lines
    .map((l) => l.trim().replace(/^->\s*/, ''))
    .filter((l) => /^(Parallel )?(Seq Scan|Index Scan|Index Only Scan|Bitmap Index Scan|Bitmap Heap Scan)/.test(l))
    .map((l) => l.replace(/\s+\(cost=.*$/, ''));
}

function execTime(lines) {
  const m = lines.map((l) => /Execution Time: ([\d.]+) ms/.exec(l)).find(Boolean);
  return m ? Number(m[1]) : NaN;
}

// ---------------------------------------------------------------------------------------------

const run = new BenchRun('bench/review-queue', {
  first: async () => {
    for (const c of children) c.kill('SIGTERM');
    for (const c of clients) await c.end().catch(() => undefined);
  },
});

async function main() {
  const started = now();
  const packetCount = intEnv('QUEUE_PACKETS', 50_000, 100, 5_000_000);
  const requests = intEnv('QUEUE_REQUESTS', 200, 1, 100_000);
  const warmup = intEnv('QUEUE_WARMUP', 20, 0, 10_000);
  const deepPage = intEnv('QUEUE_DEEP_PAGE', 50, 2, 1_000_000);
  requireProcfs();
  process.env.NO_COLOR = '1'; // Nest's logger inside the database lib

  console.log(
    'Review queue benchmark: GET /api/v1/review-queue as a CCSAO prosecutor, with and without the queue indexes',
  );
  const cpus = os.cpus();
  const machine =
    `node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model?.trim() ?? 'unknown'}), ` +
    `${fmt(os.totalmem() / 1024 ** 3)} GiB RAM (${fmt(os.freemem() / 1024 ** 3)} GiB free), ${os.platform()} ${os.release()}`;
  console.log(
    `Machine: ${machine}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `Settings: QUEUE_PACKETS=${packetCount} QUEUE_REQUESTS=${requests} QUEUE_WARMUP=${warmup} QUEUE_DEEP_PAGE=${deepPage}`,
  );

  await waitForFiles([MAIN, CLI, DB_LIB, PACKETS_REPOSITORY_JS], DIST_WAIT_MS, 'bench:review-queue');
  const dbLib = require(DB_LIB);
  repositoryQueueSql = require(PACKETS_REPOSITORY_JS).queueSql;
  if (typeof repositoryQueueSql !== 'function') {
    throw new Error(`${path.relative(ROOT, PACKETS_REPOSITORY_JS)} exports no queueSql: rebuild (npm run build)`);
  }

  const unguard = guardRun(run);

  try {
    // --- temp dir and PostgreSQL (embedded, migrations applied: lib.js's startBenchDatabase)
    let t = now();
    const { tmp, dataDir, db, applied, openClient, closeClient } = await startBenchDatabase(run, {
      dbLib,
      tempPrefix: 'ion-bench-queue-',
      clients,
    });
    const owner = await openClient(db.ownerUrl, 'ion-bench-owner');
    run.defer(() => closeClient(owner));
    const pgVersion = (await owner.query('SHOW server_version')).rows[0].server_version;
    const sharedBuffers = (await owner.query('SHOW shared_buffers')).rows[0].shared_buffers;
    console.log(
      `PostgreSQL ${pgVersion} (embedded, port ${db.port}, shared_buffers ${sharedBuffers}) ready, ${applied.length} migrations applied, in ${fmt(secondsSince(t))} s`,
    );
    const idx = await owner.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'packets' AND indexname = ANY($1)`,
      [QUEUE_INDEXES],
    );
    if (idx.rows.length !== QUEUE_INDEXES.length)
      throw new Error(
        `the migrations created ${idx.rows.map((r) => r.indexname).join(', ') || 'none'} of ${QUEUE_INDEXES.join(', ')}`,
      );
    for (const r of idx.rows) console.log(`  ${r.indexdef}`);

    // --- API environment, admin (CLI), API (embedded S3 in DATA_DIR: no S3_* variables)
    const apiPort = await freePort();
    const env = benchApiEnv({ db, dataDir, port: apiPort });
    const adminPassword = await createBenchAdmin(children, CLI, env);

    t = now();
    const apiProc = await launchApi(run, env);
    const apiPid = apiProc.child.pid;
    console.log(`API started in ${fmt(secondsSince(t))} s (pid ${apiPid}, port ${apiPort})`);
    const base = `http://127.0.0.1:${apiPort}/api/v1`;

    // --- users: officers with their supervisors (case authors, senders), prosecutors of both offices (claims, decisions)
    t = now();
    const admin = await api(base, 'POST', '/auth/login', { username: 'bench.admin', password: adminPassword });
    const password = `bench-${crypto.randomBytes(12).toString('hex')}`;
    const createUser = (u) => api(base, 'POST', '/users', { ...u, password }, admin.accessToken);
    const officers = [];
    for (const [k, district] of [1, 12, 7, 18].entries()) {
      const supervisor = await createUser({
        username: `bench.sgt${district}`,
        displayName: `Sgt. Bench ${district}`,
        role: 'SUPERVISOR',
        district,
        badgeNumber: `D${district}-9${k}01`,
      });
      for (const j of [1, 2]) {
        const o = await createUser({
          username: `bench.officer${district}-${j}`,
          displayName: `Officer Bench ${district}-${j}`,
          role: 'OFFICER',
          district,
          badgeNumber: `D${district}-1${k}0${j}`,
        });
        officers.push({ ...o, supervisor });
      }
    }
    const prosecutors = { CCSAO: [], CITY_LAW: [] };
    for (const office of ['CCSAO', 'CITY_LAW']) {
      for (let j = 1; j <= 3; j++) {
        const title = office === 'CCSAO' ? 'ASA' : 'ACC';
        prosecutors[office].push(
          await createUser({
            username: `bench.${title.toLowerCase()}${j}`,
            displayName: `${title} Bench ${j}`,
            role: 'PROSECUTOR',
            office,
          }),
        );
      }
    }
    for (const u of [...officers, ...prosecutors.CCSAO, ...prosecutors.CITY_LAW]) {
      if (!u?.id) throw new Error(`POST /users returned no id: ${JSON.stringify(u).slice(0, 300)}`);
    }
    const office = 'CCSAO';
    const me = prosecutors[office][0];
    const login = await api(base, 'POST', '/auth/login', { username: me.username, password });
    const token = login.accessToken;
    const who = await api(base, 'GET', '/auth/me', undefined, token);
    if (who.role !== 'PROSECUTOR' || who.office !== office)
      throw new Error(`logged in as ${JSON.stringify(who).slice(0, 300)}, expected a ${office} prosecutor`);
    const { keys } = await api(base, 'GET', '/keys');
    if (!keys?.length) throw new Error('GET /keys returned no key');
    console.log(
      `Users: ${officers.length} officers, ${officers.length / 2} supervisors, 3 prosecutors per office, created in ${fmt(secondsSince(t))} s; ` +
        `measuring as ${me.username} (PROSECUTOR, ${office})`,
    );

    // --- generation
    t = now();
    const gen = await generatePackets(owner, packetCount, {
      people: { officers, prosecutors },
      nowIso: new Date().toISOString(),
      keyId: keys[0].id,
      publicKeyPem: keys[0].publicKeyPem,
      bucket: 'ion-evidence',
    });
    const genSec = secondsSince(t);
    t = now();
    await owner.query('VACUUM (ANALYZE) cases');
    await owner.query('VACUUM (ANALYZE) packets');
    const vacSec = secondsSince(t);
    const mix = (
      await owner.query(
        `SELECT office, status, count(*)::int AS n FROM packets GROUP BY office, status ORDER BY office, status`,
      )
    ).rows;
    const expect = new Map(mix.filter((r) => r.office === office).map((r) => [r.status, r.n]));
    const expectTotals = (statuses) => statuses.reduce((s, x) => s + (expect.get(x) ?? 0), 0);
    const shape = (
      await owner.query(`SELECT avg(octet_length(manifest))::int AS avg_len, min(octet_length(manifest)) AS min_len,
        max(octet_length(manifest)) AS max_len, avg(pg_column_size(manifest))::int AS avg_stored,
        min(sent_at) AS first_sent, max(sent_at) AS last_sent,
        count(*) FILTER (WHERE felony)::int AS felony,
        count(*) FILTER (WHERE NOT (manifest IS JSON OBJECT))::int AS not_json
      FROM packets`)
    ).rows[0];
    const sizes = (
      await owner.query(`SELECT pg_relation_size('packets') AS heap,
        coalesce(pg_total_relation_size(reltoastrelid), 0) AS toast, pg_indexes_size('packets') AS indexes,
        pg_total_relation_size('packets') AS total,
        (SELECT json_object_agg(indexrelname, pg_relation_size(indexrelid)) FROM pg_stat_user_indexes WHERE relname = 'packets') AS per_index
      FROM pg_class WHERE oid = 'packets'::regclass`)
    ).rows[0];
    const mb = (b) => `${fmt(Number(b) / 1e6)} MB`;
    const totalPackets = mix.reduce((s, r) => s + r.n, 0);
    console.log(
      `Generated ${int(gen.packets)} packets and ${int(gen.cases)} cases in ${fmt(genSec, 2)} s (temp table + 2 INSERT ... SELECT, one transaction); ` +
        `VACUUM (ANALYZE) ${fmt(vacSec, 2)} s. Not part of the target.`,
    );
    console.log(
      `  mix: ${mix.map((r) => `${r.office} ${r.status} ${int(r.n)} (${fmt((100 * r.n) / totalPackets)}%)`).join(', ')}`,
    );
    console.log(
      `  sent_at ${new Date(shape.first_sent).toISOString()} .. ${new Date(shape.last_sent).toISOString()}; felony ${fmt((100 * shape.felony) / totalPackets)}%; ` +
        `manifest ${int(shape.avg_len)} bytes on average (${int(shape.min_len)}..${int(shape.max_len)}), ${int(shape.avg_stored)} bytes stored (pglz)`,
    );
    console.log(
      `  table: heap ${mb(sizes.heap)}, TOAST ${mb(sizes.toast)}, indexes ${mb(sizes.indexes)} (` +
        `${Object.entries(sizes.per_index)
          .map(([k, v]) => `${k} ${mb(v)}`)
          .join(', ')}), total ${mb(sizes.total)}`,
    );

    // --- 1. with the indexes
    const open = ['PENDING', 'IN_REVIEW'];
    const variants = [
      { key: 'a', label: 'GET /auth/me (baseline)', path: '/auth/me' },
      {
        key: 'b',
        label: 'open queue, page 1',
        path: '/review-queue',
        statuses: open,
        sort: 'oldest',
        page: 1,
        target: true,
      },
      {
        key: 'c',
        label: '?status=PENDING',
        path: '/review-queue?status=PENDING',
        statuses: ['PENDING'],
        sort: 'oldest',
        page: 1,
        target: true,
      },
      {
        key: 'd',
        label: '?status=DECIDED',
        path: '/review-queue?status=DECIDED',
        statuses: ['DECIDED'],
        sort: 'oldest',
        page: 1,
        target: true,
      },
      {
        key: 'e',
        label: '?status=DECIDED&sort=newest',
        path: '/review-queue?status=DECIDED&sort=newest',
        statuses: ['DECIDED'],
        sort: 'newest',
        page: 1,
      },
      {
        key: 'f',
        label: `open queue, page ${deepPage}`,
        path: `/review-queue?page=${deepPage}`,
        statuses: open,
        sort: 'oldest',
        page: deepPage,
      },
    ];
    t = now();
    const rssBeforeKb = procStatusKb(apiPid, 'VmRSS');
    const withIdx = await measure(base, token, variants, { n: requests, warmup, expectTotals, office });
    const rssAfterKb = procStatusKb(apiPid, 'VmRSS');
    const measureSec = secondsSince(t);

    // --- 2. EXPLAIN, on the API's own (app) role, the service's SQL with the same parameters
    const reader = await openClient(db.appUrl, 'ion-bench-explain');
    run.defer(() => closeClient(reader));
    const explained = [];
    for (const [label, status] of [
      ['open queue (default)', null],
      ['status=PENDING', ['PENDING']],
      ['status=DECIDED', ['DECIDED']],
    ]) {
      const q = queueSql(office, status);
      explained.push({
        label,
        kind: 'page',
        sql: q.page,
        params: q.params,
        lines: await explain(reader, q.page, q.params),
      });
      explained.push({
        label,
        kind: 'count',
        sql: q.count,
        params: q.params,
        lines: await explain(reader, q.count, q.params),
      });
    }

    // --- 3. without the queue indexes (this throwaway database only)
    await owner.query(`DROP INDEX ${QUEUE_INDEXES.join(', ')}`);
    const left = (
      await owner.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'packets' ORDER BY indexname`)
    ).rows.map((r) => r.indexname);
    const noIdxVariants = variants.filter((v) => ['b', 'c', 'd'].includes(v.key));
    t = now();
    const withoutIdx = await measure(base, token, noIdxVariants, { n: requests, warmup, expectTotals, office });
    const noIdxSec = secondsSince(t);
    const explainedNoIdx = [];
    for (const [label, status] of [
      ['open queue (default)', null],
      ['status=PENDING', ['PENDING']],
      ['status=DECIDED', ['DECIDED']],
    ]) {
      const q = queueSql(office, status);
      explainedNoIdx.push({ label, kind: 'page', lines: await explain(reader, q.page, q.params) });
      explainedNoIdx.push({ label, kind: 'count', lines: await explain(reader, q.count, q.params) });
    }

    // --- report
    const problems = [];
    if (shape.not_json) problems.push(`${shape.not_json} generated manifests are not JSON objects`);
    for (const [phase, res, vs] of [
      ['with indexes', withIdx, variants],
      ['without indexes', withoutIdx, noIdxVariants],
    ]) {
      for (const v of vs) {
        const r = res.get(v.key);
        if (r.problem) problems.push(`${v.key}. ${v.label} (${phase}): ${r.problem}`);
      }
    }
    const base50 = withIdx.get('a').p50;

    console.log('');
    console.log('=== Review queue benchmark report ===');
    console.log(`Machine:   ${machine}; PostgreSQL ${pgVersion} (shared_buffers ${sharedBuffers})`);
    console.log(
      `Data:      ${int(totalPackets)} packets (${office}: ${[...expect].map(([s, n]) => `${s} ${int(n)}`).join(', ')}), manifest ~${int(shape.avg_len)} B/row, ` +
        `table ${mb(sizes.total)}`,
    );
    console.log(
      `Requests:  ${requests} timed per variant after ${warmup} warm-up rounds, one at a time, round-robin over the variants; ` +
        `ms from request to last byte (keep-alive); page size ${PAGE_SIZE}`,
    );
    console.log('');
    console.log(
      `1. With ${QUEUE_INDEXES.join(' and ')} (${fmt(measureSec, 1)} s; API RSS ${rssBeforeKb && rssAfterKb ? `${fmt(kbToMB(rssBeforeKb))} -> ${fmt(kbToMB(rssAfterKb))} MB` : 'n/a'})`,
    );
    console.log(
      `   ${pad('', 3)}${pad('request', 34)} ${lpad('p50', 7)} ${lpad('p95', 7)} ${lpad('p99', 7)} ${lpad('max', 7)} ${lpad('p50-(a)', 8)} ${lpad('total', 8)} ${lpad('bytes', 7)}`,
    );
    for (const v of variants) {
      const r = withIdx.get(v.key);
      console.log(
        `   ${pad(`${v.key}.`, 3)}${pad(v.label, 34)} ${lpad(fmt(r.p50, 2), 7)} ${lpad(fmt(r.p95, 2), 7)} ${lpad(fmt(r.p99, 2), 7)} ${lpad(fmt(r.max, 2), 7)} ` +
          `${lpad(v.key === 'a' ? '' : fmt(r.p50 - base50, 2), 8)} ${lpad(r.total === null ? '' : int(r.total), 8)} ${lpad(int(r.bytes), 7)}`,
      );
    }

    console.log('');
    console.log("2. EXPLAIN (ANALYZE, BUFFERS) of PacketsService.queue's SQL (app role, same parameters as the API)");
    for (const e of explained) {
      if (e.label === 'status=DECIDED') continue;
      console.log(`   --- ${e.label}, ${e.kind} query; params ${JSON.stringify(e.params)}`);
      console.log(`   ${e.sql.replace(/\s*\n\s*/g, ' ')}`);
      for (const l of e.lines) console.log(`     ${l}`);
    }
    console.log('   Indexes used:');
    for (const e of explained) {
      console.log(
        `     ${pad(`${e.label}, ${e.kind}:`, 34)} ${scanNodes(e.lines).join('; ')} (${fmt(execTime(e.lines), 3)} ms)`,
      );
    }

    console.log('');
    console.log(
      `3. Without ${QUEUE_INDEXES.join(' and ')} (dropped in this throwaway database; left: ${left.join(', ')}; ${fmt(noIdxSec, 1)} s) - informational`,
    );
    console.log(
      `   ${pad('', 3)}${pad('request', 22)} ${lpad('with: p50', 10)} ${lpad('p95', 7)} ${lpad('p99', 7)} ${lpad('max', 7)}   ${lpad('without: p50', 13)} ${lpad('p95', 7)} ${lpad('p99', 7)} ${lpad('max', 7)}  ${lpad('p50 ratio', 9)}`,
    );
    for (const v of noIdxVariants) {
      const a = withIdx.get(v.key);
      const b = withoutIdx.get(v.key);
      console.log(
        `   ${pad(`${v.key}.`, 3)}${pad(v.label, 22)} ${lpad(fmt(a.p50, 2), 10)} ${lpad(fmt(a.p95, 2), 7)} ${lpad(fmt(a.p99, 2), 7)} ${lpad(fmt(a.max, 2), 7)}   ` +
          `${lpad(fmt(b.p50, 2), 13)} ${lpad(fmt(b.p95, 2), 7)} ${lpad(fmt(b.p99, 2), 7)} ${lpad(fmt(b.max, 2), 7)}  ${lpad(`${fmt(b.p50 / a.p50, 1)}x`, 9)}`,
      );
    }
    console.log('   Plans without the indexes:');
    for (const e of explainedNoIdx) {
      console.log(
        `     ${pad(`${e.label}, ${e.kind}:`, 34)} ${scanNodes(e.lines).join('; ')} (${fmt(execTime(e.lines), 3)} ms)`,
      );
    }
    for (const e of explainedNoIdx.filter((x) => x.label !== 'status=DECIDED')) {
      console.log(`   --- ${e.label}, ${e.kind} query, without the indexes`);
      for (const l of e.lines) console.log(`     ${l}`);
    }

    console.log('');
    for (const p of problems) console.log(`ERROR: ${p}`);
    const targets = variants
      .filter((v) => v.target)
      .map((v) => {
        const r = withIdx.get(v.key);
        return [
          r.p95 < TARGET_P95_MS,
          `${v.key}. ${v.label}: p95 < ${TARGET_P95_MS} ms (measured ${fmt(r.p95, 2)} ms)`,
        ];
      });
    for (const [ok, text] of targets) console.log(`${ok ? 'PASS' : 'FAIL'}: ${text}`);
    const pass = targets.every(([ok]) => ok) && problems.length === 0;
    console.log(
      pass
        ? 'Result: PASS'
        : `Result: FAIL${problems.length ? ` (${problems.length} check${problems.length > 1 ? 's' : ''} failed)` : ''}`,
    );
    console.log(
      `Run time: ${fmt(secondsSince(started), 1)} s; temp dir ${mb(dirBytes(tmp))} (database, WAL, API data)`,
    );
    return pass ? 0 : 1;
  } finally {
    await run.cleanup();
    unguard();
  }
}

run.exitWith(main(), { stack: true });
