'use strict';
/*
 * Audit export benchmark: the whole audit trail streamed as NDJSON through the API, verified
 * offline, and the database side of that stream (cursor vs. COPY) measured on its own.
 *
 * In one run it:
 *   0. starts an embedded PostgreSQL in a temp dir, applies the migrations, creates an admin
 *      (CLI) and, through the built API (dist/apps/api/apps/api/src/main.js), an auditor; then
 *      appends BENCH_EVENTS realistic, correctly hash-chained events to audit_events, continuing
 *      from the current head (COPY FROM STDIN, or multi-row INSERT ... unnest without
 *      pg-copy-streams), each with its body_json (canonicalAuditBody, the bytes its hash covers;
 *      the CHECK audit_events_hash_covers_body stays on). Generation time is reported apart; it is
 *      not part of the targets.
 *   1. GET /api/v1/audit/export?format=ndjson as the auditor, streamed to a file: time from
 *      request to last byte, events/s, MB/s, and the API process's RSS (VmRSS from
 *      /proc/<pid>/status every 50 ms: baseline just before the request, peak, growth).
 *   2. runs the offline verifier CLI (dist/apps/api/apps/api/src/cli/audit-verify.js) on that
 *      file with the public key from GET /api/v1/keys: must exit 0; events/s. Then flips one byte
 *      in a copy of the file's middle event line: the verifier must exit 1.
 *   3. streams the same lines straight from PostgreSQL in this process: through a cursor over the
 *      raw columns (seq, body_json, prev_hash, hash; FETCH 1000 / 5000 / 20000 and the
 *      API's default, lines built in Node as the API does) and through COPY (the same line built
 *      in SQL from body_json) TO STDOUT as CSV with quote/delimiter bytes JSON never holds raw
 *      (pg-copy-streams, if installed); rows/s, MB/s and this process's RSS growth for each, and
 *      PostgreSQL's own time to produce the rows (EXPLAIN ANALYZE: the API's select, COPY's, and
 *      the CSV export's all-text select). Untimed passes check that no body_json holds a byte
 *      that COPY's CSV would quote, that COPY's lines are valid JSON, and that cursor, COPY and
 *      the API file carry identical event lines (SHA-256).
 *   4. prints PASS/FAIL against the targets (export >= 100,000 events/s, API RSS growth < 100 MB,
 *      verifier >= 150,000 events/s) and exits 1 on any FAIL or failed check.
 * Everything it started is stopped and the temp dir removed, whatever happens (Ctrl-C included).
 *
 * Run:  npm run bench:audit-export                      (builds first; 1,000,000 events)
 *       BENCH_EVENTS=100000 node bench/audit-export.js   (against the existing dist)
 * Settings: BENCH_EVENTS (default 1000000); BENCH_API_FETCH_ROWS (passed to the API as
 * AUDIT_EXPORT_FETCH_ROWS; default: the API's own, read from its built config, 2000 today);
 * BENCH_KEEP_LINK_TRIGGER=1 keeps the audit_events_link trigger enabled while generating (slower;
 * by default it is disabled inside the generating transaction only, so no other session ever
 * sees it off); BENCH_DB_REPEATS (default 2: each database-side method runs that many times,
 * round-robin, best kept).
 * Linux only (reads /proc). Disk: about 4 kB per event in the temp dir (database, export, copy).
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { pipeline } = require('node:stream/promises');
const {
  ROOT,
  DIST,
  MAIN,
  MB,
  SAMPLE_MS,
  intEnv,
  now,
  secondsSince,
  kbToMB,
  fmt,
  requireProcfs,
  procStatusKb,
  RssSampler,
  freePort,
  api,
  launchApi,
  startBenchDatabase,
  BenchRun,
  guardRun,
  waitForFiles,
  runNode,
  benchApiEnv,
  createBenchAdmin,
} = require('./lib');

const CLI = path.join(DIST, 'apps/api/src/cli/cli.js');
const VERIFY_CLI = path.join(DIST, 'apps/api/src/cli/audit-verify.js');
const DB_LIB = path.join(DIST, 'libs/database/src/index.js');
const AUDIT_HASH = path.join(DIST, 'libs/audit/src/audit-hash.js');
const REVIEW_JS = path.join(DIST, 'libs/audit/src/audit-review.service.js');
const AUDIT_CONFIG_JS = path.join(DIST, 'libs/audit/src/audit.config.js');
const EXPORT_SQL_JS = path.join(DIST, 'libs/audit/src/export-sql.js');

const DIST_WAIT_MS = 300_000;
const CHILD_TIMEOUT_MS = 30 * 60_000;

const TARGET_EXPORT_EPS = 100_000;
const TARGET_API_RSS_GROWTH_MB = 100;
const TARGET_VERIFY_EPS = 150_000;

/** AuditService.append's advisory lock: holding it, no API request can append while we generate. */
const AUDIT_APPEND_LOCK = 726_300_001;
/** Step 3's cursor FETCH sizes; the API's default (AUDIT_EXPORT_FETCH_ROWS) is added if not among them. */
const CURSOR_FETCH_SIZES = [1000, 5000, 20000];
/** Used only if the built config cannot be loaded (libs/audit/src/audit.config.ts's default). */
const FALLBACK_API_FETCH_ROWS = 2000;
const GEN_INSERT_BATCH = 5000;
const GEN_COPY_BATCH = 2000;

// ---------------------------------------------------------------------------------------------
// The export's SQL: the service's own statements, required from the built library
// (libs/audit/src/export-sql.ts) once the build is there (see main), so that the database-side runs
// measure exactly what the API runs. The alternatives below are this bench's own.

/** ISO_MS, CSV_SELECT, NDJSON_SELECT and NDJSON_COPY of dist/.../libs/audit/src/export-sql.js. */
let exportSql = null;
/** The alternative the API used before: a cursor, every row decoded in Node and the line built as a string. */
const CURSOR_SELECT = 'SELECT seq::text, body_json, prev_hash, hash FROM audit_events';
const ndjsonLine = (r) => `{"type":"event",${r[1].slice(1, -1)},"prevHash":"${r[2]}","hash":"${r[3]}"}`;
/**
 * The same line built by PostgreSQL, for COPY: body_json without its outer braces between the
 * same prefix and suffix (substr/length count characters, as String.prototype.slice does).
 */
const COPY_LINE_SELECT = `SELECT '{"type":"event",' || substr(body_json, 2, length(body_json) - 2) || ',"prevHash":"' || prev_hash ||
  '","hash":"' || hash || '"}' FROM audit_events`;

// ---------------------------------------------------------------------------------------------
// Helpers

const int = (n) => Math.round(n).toLocaleString('en-US');
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

/** A full GC before a baseline, so the bench process's own measurements start from the same floor. */
const gc = (() => {
  try {
    require('node:v8').setFlagsFromString('--expose-gc');
    return require('node:vm').runInNewContext('gc');
  } catch {
    return () => undefined;
  }
})();

function countNewlines(buf) {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** Child processes (runNode) and open pg clients (startBenchDatabase's openClient/closeClient), for cleanup. */
const children = new Set();
const clients = new Set();

// ---------------------------------------------------------------------------------------------
// Event generation: realistic rows, with body_json, hash-chained exactly as AuditService.append does.

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = [
  'garcia',
  'johnson',
  'nowak',
  'oconnor',
  'kowalski',
  'washington',
  'nguyen',
  'patel',
  'rivera',
  'murphy',
  'okafor',
  'kim',
  'lopez',
  'schmidt',
  'brooks',
  'hernandez',
  'walsh',
  'ali',
  'jackson',
  'moreno',
  // non-ASCII: body_json's characters and bytes differ, as COPY's substr(body_json, ...) must cope with
  'müller',
  'núñez',
];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox',
  'ion-records-sync/2.3.1 (+https://records.example.gov) node/20.20.2 linux',
];
const ROLE_MIX = [
  ['OFFICER', 70],
  ['SUPERVISOR', 12],
  ['PROSECUTOR', 10],
  ['AUDITOR', 3],
  ['ADMIN', 5],
];
const DISTRICTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 22, 24, 25];
const EVIDENCE_KINDS = ['BWC', 'PHOTO', 'DOCUMENT', 'AUDIO', 'DASHCAM'];
const CASE_FIELDS = ['narrative', 'location', 'incidentAt', 'federalAgency', 'officerCount', 'violations'];
const DENY_REASONS = ['outside_district', 'role_not_allowed', 'case_withdrawn', 'not_assigned'];

class EventGenerator {
  constructor(seed) {
    this.rnd = mulberry32(seed);
    this.users = [];
    for (let i = 0; i < 400; i++) {
      const role = this.weighted(ROLE_MIX.map(([r, w]) => [w, r]));
      const surname = this.pick(SURNAMES);
      this.users.push({
        id: crypto.randomUUID(),
        role,
        username: `${String.fromCharCode(97 + (i % 26))}${surname}.${1000 + i}`,
        ip: `10.${20 + this.intBelow(40)}.${this.intBelow(256)}.${1 + this.intBelow(254)}`,
        ua: this.pick(USER_AGENTS),
      });
    }
    this.cases = [];
    for (let i = 0; i < 20_000; i++) {
      this.cases.push({
        id: crypto.randomUUID(),
        number: `CEO-2026-${String(i + 1).padStart(6, '0')}`,
        district: this.pick(DISTRICTS),
      });
    }
    this.evidence = [];
    for (let i = 0; i < 60_000; i++) {
      this.evidence.push({
        id: crypto.randomUUID(),
        case: this.pick(this.cases),
        kind: this.pick(EVIDENCE_KINDS),
        size: 20_000 + this.intBelow(2_000_000_000),
      });
    }
    // weight, action, builder -> the event's target, outcome and details
    this.actions = [
      [
        30,
        'case.viewed',
        () => {
          const c = this.pick(this.cases);
          return {
            targetType: 'case',
            targetId: c.id,
            caseId: c.id,
            details: { caseNumber: c.number, view: this.pick(['detail', 'timeline', 'summary']) },
          };
        },
      ],
      [
        14,
        'evidence.downloaded',
        () => {
          const e = this.pick(this.evidence);
          return {
            targetType: 'evidence',
            targetId: e.id,
            caseId: e.case.id,
            details: {
              caseNumber: e.case.number,
              kind: e.kind,
              sizeBytes: e.size,
              range: this.rnd() < 0.2 ? 'bytes=0-8388607' : null,
            },
          };
        },
      ],
      [
        10,
        'evidence.viewed',
        () => {
          const e = this.pick(this.evidence);
          return {
            targetType: 'evidence',
            targetId: e.id,
            caseId: e.case.id,
            details: { kind: e.kind, caseNumber: e.case.number },
          };
        },
      ],
      [
        7,
        'evidence.listed',
        () => {
          const c = this.pick(this.cases);
          return {
            targetType: 'case',
            targetId: c.id,
            caseId: c.id,
            details: { caseNumber: c.number, count: this.intBelow(40) },
          };
        },
      ],
      [
        8,
        'access.denied',
        () => {
          const c = this.pick(this.cases);
          return {
            outcome: 'DENIED',
            targetType: 'case',
            targetId: c.id,
            caseId: c.id,
            details: {
              attempted: this.pick(['case.read', 'evidence.download', 'case.update']),
              method: 'GET',
              path: `/api/v1/cases/${c.id}`,
              status: 403,
              code: 'FORBIDDEN',
              reason: this.pick(DENY_REASONS),
            },
          };
        },
      ],
      [
        9,
        'auth.login',
        (u) =>
          this.rnd() < 0.9
            ? { targetType: 'user', targetId: u.id, details: { username: u.username } }
            : // Some failed logins are typed Windows-style, DOMAIN\user: a JSON escape (\\) in body_json,
              // which COPY's text format would double and its CSV passes through.
              {
                outcome: 'FAILED',
                anonymous: true,
                targetType: 'user',
                targetId: u.id,
                details: {
                  username: this.rnd() < 0.3 ? `CPD\\${u.username}` : u.username,
                  reason: 'wrong_password',
                  consecutiveFailures: 1 + this.intBelow(4),
                },
              },
      ],
      [
        6,
        'case.updated',
        () => {
          const c = this.pick(this.cases);
          return {
            targetType: 'case',
            targetId: c.id,
            caseId: c.id,
            details: {
              caseNumber: c.number,
              fields: [this.pick(CASE_FIELDS), this.pick(CASE_FIELDS)],
              version: 2 + this.intBelow(20),
            },
          };
        },
      ],
      [
        4,
        'evidence.uploaded',
        () => {
          const e = this.pick(this.evidence);
          return {
            targetType: 'evidence',
            targetId: e.id,
            caseId: e.case.id,
            details: { caseNumber: e.case.number, kind: e.kind, sizeBytes: e.size },
          };
        },
      ],
      [
        3,
        'case.created',
        () => {
          const c = this.pick(this.cases);
          return {
            targetType: 'case',
            targetId: c.id,
            caseId: c.id,
            details: { caseNumber: c.number, district: c.district, status: 'DRAFT' },
          };
        },
      ],
      [
        3,
        'case.submitted',
        () => {
          const c = this.pick(this.cases);
          return {
            targetType: 'case',
            targetId: c.id,
            caseId: c.id,
            details: { caseNumber: c.number, from: 'DRAFT', to: 'SUBMITTED' },
          };
        },
      ],
      [
        2,
        'case.approved',
        () => {
          const c = this.pick(this.cases);
          return {
            targetType: 'case',
            targetId: c.id,
            caseId: c.id,
            details: { caseNumber: c.number, from: 'SUBMITTED', to: 'APPROVED' },
          };
        },
      ],
      [
        1,
        'user.updated',
        () => {
          const t = this.pick(this.users);
          return {
            targetType: 'user',
            targetId: t.id,
            details: { username: t.username, fields: [this.pick(['role', 'district', 'active'])] },
          };
        },
      ],
    ];
    this.actionTotal = this.actions.reduce((s, a) => s + a[0], 0);
  }

  intBelow(n) {
    return Math.floor(this.rnd() * n);
  }

  pick(arr) {
    return arr[Math.floor(this.rnd() * arr.length)];
  }

  weighted(entries) {
    let r = this.rnd() * entries.reduce((s, e) => s + e[0], 0);
    for (const e of entries) if ((r -= e[0]) < 0) return e[1];
    return entries[entries.length - 1][1];
  }

  /** One event body (the hashed fields) for `seq` at `occurredAt`. */
  body(seq, occurredAt) {
    let r = this.rnd() * this.actionTotal;
    let a = this.actions[this.actions.length - 1];
    for (const x of this.actions)
      if ((r -= x[0]) < 0) {
        a = x;
        break;
      }
    const u = this.pick(this.users);
    const e = a[2](u);
    return {
      seq,
      id: crypto.randomUUID(),
      occurredAt,
      actorId: e.anonymous ? null : u.id,
      actorUsername: e.anonymous ? null : u.username,
      actorRole: e.anonymous ? 'ANONYMOUS' : u.role,
      action: a[1],
      outcome: e.outcome ?? 'SUCCESS',
      targetType: e.targetType ?? null,
      targetId: e.targetId ?? null,
      caseId: e.caseId ?? null,
      requestId: crypto.randomUUID(),
      clientIp: u.ip,
      userAgent: u.ua,
      details: e.details,
    };
  }
}

const COLUMNS = [
  'seq',
  'id',
  'occurred_at',
  'actor_id',
  'actor_username',
  'actor_role',
  'action',
  'outcome',
  'target_type',
  'target_id',
  'case_id',
  'request_id',
  'client_ip',
  'user_agent',
  'details',
  'body_json',
  'prev_hash',
  'hash',
];
const COLUMN_TYPES = [
  'bigint',
  'uuid',
  'timestamptz',
  'uuid',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'uuid',
  'text',
  'text',
  'text',
  'jsonb',
  'text',
  'text',
  'text',
];

/** One row in COLUMNS order; bodyJson = canonicalAuditBody(b), the bytes `hash` covers. */
function rowValues(b, bodyJson, prevHash, hash) {
  return [
    String(b.seq),
    b.id,
    b.occurredAt,
    b.actorId,
    b.actorUsername,
    b.actorRole,
    b.action,
    b.outcome,
    b.targetType,
    b.targetId,
    b.caseId,
    b.requestId,
    b.clientIp,
    b.userAgent,
    JSON.stringify(b.details),
    bodyJson,
    prevHash,
    hash,
  ];
}

/** COPY text format: \N for null; backslash, tab, newline and carriage return escaped. */
function copyText(v) {
  if (v === null) return '\\N';
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : v;
}

/**
 * Appends `count` events after the current head in ONE transaction holding AuditService's append
 * lock. Unless keepTrigger, the per-row link check trigger is disabled inside that transaction
 * (transactional DDL: no other session ever sees it disabled; a failure rolls it back too) and
 * re-enabled before COMMIT. Rows are chained here, so the chain stays valid either way. Each row
 * carries body_json, canonicalised once and hashed as is (the CHECK constraint
 * audit_events_hash_covers_body, which stays on, recomputes that hash in PostgreSQL).
 */
async function generateEvents(db, count, { copyFrom, keepTrigger, canonicalAuditBody, hashCanonicalBody }) {
  const client = await db.open(db.ownerUrl, 'ion-bench-generate');
  const gen = new EventGenerator(20260101);
  let inTx = false;
  try {
    await client.query('BEGIN');
    inTx = true;
    await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_APPEND_LOCK]);
    if (!keepTrigger) await client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_link');
    const { rows } = await client.query(
      `SELECT seq, hash, ${exportSql.ISO_MS} AS at FROM audit_events ORDER BY seq DESC LIMIT 1`,
    );
    const headSeq = rows.length ? Number(rows[0].seq) : 0;
    let prevHash = rows.length ? rows[0].hash : '0'.repeat(64);
    // A burst after the head: 10 events per millisecond, never before the head's own time.
    const startMs = Math.max(rows.length ? Date.parse(rows[0].at) : 0, Date.now());
    const next = (i) => {
      const body = gen.body(headSeq + 1 + i, new Date(startMs + Math.floor(i / 10)).toISOString());
      const bodyJson = canonicalAuditBody(body);
      const hash = hashCanonicalBody(prevHash, bodyJson);
      const values = rowValues(body, bodyJson, prevHash, hash);
      prevHash = hash;
      return values;
    };

    if (copyFrom) {
      const stream = client.query(copyFrom(`COPY audit_events (${COLUMNS.join(', ')}) FROM STDIN`));
      const finished = new Promise((resolve, reject) => {
        stream.once('finish', resolve);
        stream.once('error', reject);
      });
      finished.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      for (let i = 0; i < count && !stream.destroyed;) {
        const end = Math.min(count, i + GEN_COPY_BATCH);
        let chunk = '';
        for (; i < end; i++) chunk += next(i).map(copyText).join('\t') + '\n';
        if (!stream.write(chunk)) {
          await new Promise((resolve, reject) => {
            const done = (e) => {
              stream.off('drain', done);
              stream.off('error', done);
              if (e) reject(e);
              else resolve();
            };
            stream.once('drain', done);
            stream.once('error', done);
          });
        }
      }
      stream.end();
      await finished;
    } else {
      const params = COLUMN_TYPES.map((t, k) => `$${k + 1}::${t}[]`).join(', ');
      const sql = `INSERT INTO audit_events (${COLUMNS.join(', ')})
        SELECT ${COLUMNS.map((c) => `t.${c}`).join(', ')} FROM unnest(${params}) WITH ORDINALITY AS t(${COLUMNS.join(', ')}, ord) ORDER BY t.ord`;
      for (let i = 0; i < count;) {
        const end = Math.min(count, i + GEN_INSERT_BATCH);
        const cols = COLUMNS.map(() => []);
        for (; i < end; i++) next(i).forEach((v, k) => cols[k].push(v));
        await client.query(sql, cols);
      }
    }

    if (!keepTrigger) await client.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_link');
    await client.query('COMMIT');
    inTx = false;
    return { headSeq, lastSeq: headSeq + count };
  } finally {
    if (inTx) await client.query('ROLLBACK').catch(() => undefined);
    await db.close(client);
  }
}

// ---------------------------------------------------------------------------------------------
// 1. The export through the API

/** GETs urlPath into `file`; times request to last byte; counts newlines on the way. */
function download(port, urlPath, token, file) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    let lastByte = null;
    let bytes = 0;
    let newlines = 0;
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'GET',
      path: urlPath,
      agent: false,
      headers: { Authorization: `Bearer ${token}` },
    });
    req.once('error', reject);
    req.once('response', (res) => {
      if (res.statusCode !== 200) {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.once('end', () => reject(new Error(`GET ${urlPath} -> ${res.statusCode}: ${text.slice(0, 500)}`)));
        res.once('error', reject);
        return;
      }
      res.on('data', (buf) => {
        bytes += buf.length;
        newlines += countNewlines(buf);
      });
      res.once('end', () => (lastByte = now()));
      pipeline(res, fs.createWriteStream(file, { highWaterMark: 1 << 20 })).then(
        () =>
          resolve({
            bytes,
            newlines,
            seconds: Number((lastByte ?? now()) - t0) / 1e9,
            contentType: res.headers['content-type'],
          }),
        reject,
      );
    });
    req.end();
  });
}

/**
 * Untimed pass over the downloaded file: header and trailer parsed, event lines counted and
 * hashed (SHA-256 of every event line + "\n"), and where the middle event line starts.
 */
async function inspectExport(file, totalLines) {
  const middleLine = 2 + Math.floor(Math.max(0, totalLines - 2) / 2);
  const rl = readline.createInterface({
    input: fs.createReadStream(file, { highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  });
  const digest = crypto.createHash('sha256');
  let n = 0;
  let offset = 0;
  let header = null;
  let prev = null;
  let middle = null;
  for await (const line of rl) {
    n++;
    if (n === 1) header = line;
    else if (prev !== null) digest.update(prev + '\n');
    if (n > 1) prev = line;
    if (n === middleLine) middle = { line: n, offset, text: line };
    offset += Buffer.byteLength(line) + 1;
  }
  const parse = (s) => {
    try {
      return JSON.parse(s);
    } catch {
      return null;
    }
  };
  return {
    lines: n,
    events: Math.max(0, n - 2),
    header: parse(header),
    trailer: parse(prev),
    eventsSha256: digest.digest('hex'),
    middle,
  };
}

// ---------------------------------------------------------------------------------------------
// 3. Database-side streaming, from this process

/** The export's cursor loop without the API: FETCH `fetchRows` at a time, lines built and joined as the API does. */
async function cursorRun(client, maxSeq, fetchRows, digest) {
  let rows = 0;
  let bytes = 0;
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(
      `DECLARE bench_export NO SCROLL CURSOR FOR ${CURSOR_SELECT} WHERE seq <= $1::bigint ORDER BY audit_events.seq`,
      [maxSeq],
    );
    const fetch = { text: `FETCH FORWARD ${fetchRows} FROM bench_export`, rowMode: 'array' };
    for (;;) {
      const res = await client.query(fetch);
      if (!res.rows.length) break;
      let chunk = '';
      for (const r of res.rows) chunk += ndjsonLine(r) + '\n';
      bytes += Buffer.byteLength(chunk);
      if (digest) digest.update(chunk);
      rows += res.rows.length;
      if (res.rows.length < fetchRows) break;
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return { rows, bytes };
}

/** The API's way, from this process: COPY the raw columns and splice each row into its line with the API's own code. */
async function spliceRun(client, copyTo, maxSeq, digest) {
  const { ndjsonFromCopy } = require(REVIEW_JS);
  const { ExportWriter } = require(path.join(path.dirname(REVIEW_JS), 'export-format.js'));
  const writer = new ExportWriter('ndjson', () => 'unsigned');
  writer.begin({
    type: 'header',
    format: 'ion-audit-export/1',
    exportedAt: '',
    exportedBy: { id: null, username: null, role: 'SYSTEM' },
    filters: {},
    filtered: false,
    keyId: '',
  });
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  let bytes = 0;
  try {
    for await (const b of ndjsonFromCopy(
      client.query(copyTo(exportSql.NDJSON_COPY(`seq <= ${Number(maxSeq)}`))),
      writer,
    )) {
      bytes += b.length;
      if (digest) digest.update(b);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return { rows: writer.rowCount, bytes };
}

/**
 * COPY (the line built in SQL, one column) TO STDOUT as CSV with quote \x01 and delimiter \x02.
 * Text format would escape every backslash of the JSON (\" becomes \\"); CSV escapes nothing and
 * quotes a value only if it holds the quote or delimiter byte, CR or LF, none of which canonical
 * JSON or hex hashes contain raw (checkCopySafe confirms it on the data), so each CSV record is
 * exactly the JSON line. With `check`, every line is also hashed and parsed (seq must run on without gaps).
 */
async function copyRun(client, copyTo, maxSeq, check) {
  const sql = `COPY (${COPY_LINE_SELECT} WHERE seq <= ${Number(maxSeq)} ORDER BY seq) TO STDOUT WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')`;
  const stream = client.query(copyTo(sql));
  let rows = 0;
  let bytes = 0;
  let rest = null;
  let expectSeq = 1;
  let bad = null;
  for await (const buf of stream) {
    bytes += buf.length;
    rows += countNewlines(buf);
    if (!check) continue;
    check.digest.update(buf);
    const data = rest ? Buffer.concat([rest, buf]) : buf;
    let start = 0;
    for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
      if (!bad) {
        const text = data.toString('utf8', start, nl);
        try {
          const o = JSON.parse(text);
          if (o.type !== 'event' || o.seq !== expectSeq)
            bad = `line for seq ${expectSeq}: type ${o.type}, seq ${o.seq}`;
        } catch (e) {
          bad = `line for seq ${expectSeq} is not JSON (${e.message}): ${text.slice(0, 120)}`;
        }
        expectSeq++;
      }
      start = nl + 1;
    }
    rest = start < data.length ? data.subarray(start) : null;
  }
  if (check) {
    if (rest && !bad) bad = 'COPY output does not end with a newline';
    check.problem = bad;
  }
  await client.query('SELECT 1'); // queued behind the COPY: its CommandComplete (row count) has been read
  return { rows, bytes, reportedRows: stream.rowCount };
}

/**
 * Untimed: would any row's line not pass through COPY's CSV unchanged? Counts rows whose body_json
 * holds a raw control character (\x01 quote, \x02 delimiter, CR, LF among them) or whose hashes are
 * not 64 lowercase hex digits. Rows with backslashes (JSON escapes: CSV passes them through as they
 * are) and with multibyte characters (substr/length count characters) are counted for information:
 * the identity check covers them only if there are some.
 */
async function checkCopySafe(client, maxSeq) {
  const {
    rows: [r],
  } = await client.query(
    `SELECT count(*)::int AS rows,
      count(*) FILTER (WHERE body_json ~ '[\\x01-\\x1f]')::int AS control,
      count(*) FILTER (WHERE prev_hash !~ '^[0-9a-f]{64}$' OR hash !~ '^[0-9a-f]{64}$')::int AS badhash,
      count(*) FILTER (WHERE strpos(body_json, '\\') > 0)::int AS backslash,
      count(*) FILTER (WHERE octet_length(body_json) <> length(body_json))::int AS multibyte,
      count(*) FILTER (WHERE left(body_json, 1) <> '{' OR right(body_json, 1) <> '}')::int AS notobject
    FROM audit_events WHERE seq <= $1::bigint`,
    [maxSeq],
  );
  return r;
}

/** PostgreSQL's own time to produce the rows (EXPLAIN ANALYZE evaluates the select list, sends nothing). */
async function serverOnly(client, select, maxSeq) {
  const res = await client.query(
    `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${select} WHERE seq <= ${Number(maxSeq)} ORDER BY seq`,
  );
  const plan = res.rows[0]['QUERY PLAN'][0];
  return { seconds: plan['Execution Time'] / 1000, rows: plan.Plan['Actual Rows'] };
}

async function measureInProcess(fn) {
  gc();
  const rss = new RssSampler(process.pid);
  rss.start();
  const t = now();
  let result;
  let mem;
  try {
    result = await fn();
  } finally {
    mem = rss.stop();
  }
  return { ...result, seconds: secondsSince(t), rss: mem };
}

// ---------------------------------------------------------------------------------------------

/**
 * Undone in reverse order, once, whether the run ends, fails or is interrupted; child processes
 * are signalled and pg clients ended before the rest.
 */
const run = new BenchRun('bench/audit-export', {
  first: async () => {
    for (const c of children) c.kill('SIGTERM');
    for (const c of clients) await c.end().catch(() => undefined);
  },
});

async function main() {
  const events = intEnv('BENCH_EVENTS', 1_000_000, 1, 50_000_000);
  const apiFetchRows = intEnv('BENCH_API_FETCH_ROWS', 0, 100, 100_000) || null;
  const keepTrigger = process.env.BENCH_KEEP_LINK_TRIGGER === '1';
  const dbRepeats = intEnv('BENCH_DB_REPEATS', 2, 1, 10);
  requireProcfs();
  process.env.NO_COLOR = '1'; // Nest's logger inside the database lib

  console.log('Audit export benchmark: NDJSON export through the API, offline verification, cursor vs. COPY');
  const cpus = os.cpus();
  console.log(
    `Machine: node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model?.trim() ?? 'unknown'}), ` +
      `${fmt(os.totalmem() / 1024 ** 3)} GiB RAM (${fmt(os.freemem() / 1024 ** 3)} GiB free), ${os.platform()} ${os.release()}, ` +
      `load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );

  await waitForFiles(
    [MAIN, CLI, VERIFY_CLI, DB_LIB, AUDIT_HASH, REVIEW_JS, EXPORT_SQL_JS],
    DIST_WAIT_MS,
    'bench:audit-export',
  );
  let copyStreams = null;
  try {
    copyStreams = require('pg-copy-streams');
  } catch {
    // optional: without it, generation uses INSERT ... unnest and the COPY measurement is skipped
  }
  const dbLib = require(DB_LIB);
  const { canonicalAuditBody, hashCanonicalBody } = require(AUDIT_HASH);
  if (typeof canonicalAuditBody !== 'function' || typeof hashCanonicalBody !== 'function') {
    throw new Error(
      `${path.relative(ROOT, AUDIT_HASH)} exports no canonicalAuditBody/hashCanonicalBody: rebuild (npm run build)`,
    );
  }
  exportSql = require(EXPORT_SQL_JS);
  for (const name of ['ISO_MS', 'CSV_SELECT', 'NDJSON_SELECT', 'NDJSON_COPY']) {
    if (exportSql[name] === undefined)
      throw new Error(`${path.relative(ROOT, EXPORT_SQL_JS)} exports no ${name}: rebuild (npm run build)`);
  }
  /** The API's own default fetch size, from its built config (the bench gives the API no AUDIT_* variable). */
  let defaultFetchRows = FALLBACK_API_FETCH_ROWS;
  let defaultFetchFrom = 'fallback: the built config could not be loaded';
  try {
    defaultFetchRows = require(AUDIT_CONFIG_JS).loadAuditConfig({}).exportFetchRows;
    defaultFetchFrom = "the API's default";
  } catch (e) {
    defaultFetchFrom += ` (${e instanceof Error ? e.message.split('\n')[0] : e})`;
  }
  const apiFetchLabel = apiFetchRows ? String(apiFetchRows) : `${defaultFetchRows} (${defaultFetchFrom})`;
  const fetchSizes = [...new Set([...CURSOR_FETCH_SIZES, apiFetchRows ?? defaultFetchRows])].sort((a, b) => a - b);
  const copyVersion = copyStreams ? require('pg-copy-streams/package.json').version : null;
  console.log(
    `Events: ${int(events)} generated; API AUDIT_EXPORT_FETCH_ROWS=${apiFetchLabel}; ` +
      `pg-copy-streams ${copyVersion ?? 'not installed (COPY not measured)'}`,
  );

  const unguard = guardRun(run);

  try {
    // --- temp dir and PostgreSQL (embedded, migrations applied: lib.js's startBenchDatabase)
    let t = now();
    const { tmp, dataDir, db, applied, openClient, closeClient } = await startBenchDatabase(run, {
      dbLib,
      tempPrefix: 'ion-bench-audit-',
      clients,
    });
    const pgVersion = await (async () => {
      const c = await openClient(db.ownerUrl, 'ion-bench');
      try {
        return (await c.query('SHOW server_version')).rows[0].server_version;
      } finally {
        await closeClient(c);
      }
    })();
    console.log(
      `PostgreSQL ${pgVersion} (embedded, port ${db.port}) ready, ${applied.length} migrations applied, in ${fmt(secondsSince(t))} s`,
    );

    // --- API environment, admin (CLI), API
    const apiPort = await freePort();
    const env = benchApiEnv({ db, dataDir, port: apiPort });
    if (apiFetchRows) env.AUDIT_EXPORT_FETCH_ROWS = String(apiFetchRows);

    const adminPassword = await createBenchAdmin(children, CLI, env);

    t = now();
    const apiProc = await launchApi(run, env);
    const apiPid = apiProc.child.pid;
    console.log(`API started in ${fmt(secondsSince(t))} s (pid ${apiPid}, port ${apiPort})`);

    const base = `http://127.0.0.1:${apiPort}/api/v1`;
    const admin = await api(base, 'POST', '/auth/login', { username: 'bench.admin', password: adminPassword });
    const auditorPassword = `bench-auditor-${crypto.randomBytes(12).toString('hex')}`;
    await api(
      base,
      'POST',
      '/users',
      { username: 'bench.auditor', displayName: 'Bench Auditor', password: auditorPassword, role: 'AUDITOR' },
      admin.accessToken,
    );
    const auditor = await api(base, 'POST', '/auth/login', { username: 'bench.auditor', password: auditorPassword });
    const { keys } = await api(base, 'GET', '/keys');
    if (!keys?.length) throw new Error('GET /keys returned no key');

    // --- generation
    t = now();
    const gen = await generateEvents({ ownerUrl: db.ownerUrl, open: openClient, close: closeClient }, events, {
      copyFrom: copyStreams ? copyStreams.from : null,
      keepTrigger,
      canonicalAuditBody,
      hashCanonicalBody,
    });
    const genSec = secondsSince(t);
    t = now();
    const vac = await openClient(db.ownerUrl, 'ion-bench-vacuum');
    try {
      await vac.query('VACUUM (ANALYZE) audit_events');
    } finally {
      await closeClient(vac);
    }
    const vacSec = secondsSince(t);
    const genMethod = copyStreams ? 'COPY FROM STDIN' : `INSERT ... unnest, ${GEN_INSERT_BATCH} rows per statement`;
    console.log(
      `Generated ${int(events)} events (seq ${gen.headSeq + 1}..${gen.lastSeq}, after ${gen.headSeq} existing) in ` +
        `${fmt(genSec, 2)} s (${int(events / genSec)} events/s, ${genMethod}, one transaction; ` +
        `${keepTrigger ? 'trigger audit_events_link kept enabled' : 'trigger audit_events_link DISABLED inside that transaction and re-enabled before COMMIT'}); ` +
        `VACUUM (ANALYZE) ${fmt(vacSec, 2)} s. Not part of the targets.`,
    );

    // --- 1. export through the API
    const exportFile = path.join(tmp, 'export.ndjson');
    const apiRss = new RssSampler(apiPid);
    apiRss.start();
    let dl;
    let apiMem;
    try {
      dl = await download(apiPort, '/api/v1/audit/export?format=ndjson', auditor.accessToken, exportFile);
    } finally {
      apiMem = apiRss.stop();
    }
    const hwmKb = procStatusKb(apiPid, 'VmHWM');
    const info = await inspectExport(exportFile, dl.newlines);
    const problems = [];
    const exportEvents = info.events;
    const checkpointSeq = info.trailer?.checkpoint?.seq;
    if (info.header?.type !== 'header') problems.push('export: the first line is not the header');
    if (info.trailer?.type !== 'checkpoint')
      problems.push('export: the last line is not the signed checkpoint (cut short?)');
    if (info.trailer?.seal && info.trailer.seal.rows !== exportEvents)
      problems.push(`export: seal says ${info.trailer.seal.rows} rows, file has ${exportEvents}`);
    if (checkpointSeq !== undefined && checkpointSeq !== exportEvents)
      problems.push(`export: ${exportEvents} events but checkpoint seq ${checkpointSeq}`);
    if (checkpointSeq !== undefined && checkpointSeq !== gen.lastSeq + 1)
      problems.push(
        `export: checkpoint seq ${checkpointSeq}, expected ${gen.lastSeq + 1} (generated head + audit.exported)`,
      );
    if (info.lines !== dl.newlines)
      problems.push(`export: ${info.lines} lines read back, ${dl.newlines} newlines received`);
    const exportEps = exportEvents / dl.seconds;

    // --- 2. offline verifier
    const keyId = info.header?.keyId;
    const key = keys.find((k) => k.id === keyId) ?? keys[0];
    const pemFile = path.join(tmp, 'public.pem');
    fs.writeFileSync(pemFile, key.publicKeyPem);
    const verify = await runNode(children, VERIFY_CLI, [exportFile, '--key', pemFile], { timeoutMs: CHILD_TIMEOUT_MS });
    const verifyEps = exportEvents / verify.seconds;
    if (verify.code !== 0)
      problems.push(
        `verifier exited ${verify.code ?? verify.signal} on the export: ${(verify.stdout + verify.stderr).trim().slice(0, 500)}`,
      );

    const tamperedFile = path.join(tmp, 'export-tampered.ndjson');
    fs.copyFileSync(exportFile, tamperedFile);
    let tamper = null;
    if (info.middle && info.events > 0) {
      const marker = '"action":"';
      const idx = info.middle.text.indexOf(marker);
      const at = info.middle.offset + Buffer.byteLength(info.middle.text.slice(0, idx >= 0 ? idx + marker.length : 0));
      const fd = fs.openSync(tamperedFile, 'r+');
      try {
        const b = Buffer.alloc(1);
        fs.readSync(fd, b, 0, 1, at);
        const was = String.fromCharCode(b[0]);
        b[0] = /[A-Za-z]/.test(was) ? b[0] ^ 0x20 : b[0] ^ 0x01; // letter case flipped: still valid JSON
        fs.writeSync(fd, b, 0, 1, at);
        tamper = { line: info.middle.line, byte: at, was, now: String.fromCharCode(b[0]) };
      } finally {
        fs.closeSync(fd);
      }
      tamper.result = await runNode(children, VERIFY_CLI, [tamperedFile, '--key', pemFile], {
        timeoutMs: CHILD_TIMEOUT_MS,
      });
      if (tamper.result.code !== 1)
        problems.push(`verifier exited ${tamper.result.code ?? tamper.result.signal} on the tampered copy, expected 1`);
    } else {
      problems.push('no event line to tamper with');
    }
    fs.rmSync(tamperedFile, { force: true });

    // --- 3. database side, from this process
    const reader = await openClient(db.appUrl, 'ion-bench-read');
    const dbRuns = [];
    const serverRuns = [];
    let identity;
    let copySafe;
    try {
      const maxSeq = checkpointSeq ?? gen.lastSeq + 1;
      const variants = fetchSizes.map((n) => ({ name: `cursor FETCH ${n}`, run: () => cursorRun(reader, maxSeq, n) }));
      if (copyStreams)
        variants.push({ name: 'COPY TO STDOUT (csv)', run: () => copyRun(reader, copyStreams.to, maxSeq) });
      if (copyStreams)
        variants.push({ name: 'COPY raw + splice (API)', run: () => spliceRun(reader, copyStreams.to, maxSeq) });
      // Round-robin, so a burst of load from elsewhere does not land on one method only; best run kept.
      for (let rep = 0; rep < dbRepeats; rep++) {
        for (const v of variants) {
          const r = await measureInProcess(v.run);
          let entry = dbRuns.find((x) => x.name === v.name);
          if (!entry) dbRuns.push((entry = { name: v.name, times: [], maxGrowthMB: 0 }));
          entry.times.push(r.seconds);
          entry.maxGrowthMB = Math.max(entry.maxGrowthMB, r.rss.growthMB);
          if (entry.seconds === undefined || r.seconds < entry.seconds)
            Object.assign(entry, { rows: r.rows, bytes: r.bytes, reportedRows: r.reportedRows, seconds: r.seconds });
        }
      }
      serverRuns.push({
        name: "raw columns (the API's COPY select)",
        ...(await serverOnly(reader, exportSql.NDJSON_SELECT, maxSeq)),
      });
      serverRuns.push({
        name: "COPY's select (line built in SQL)",
        ...(await serverOnly(reader, COPY_LINE_SELECT, maxSeq)),
      });
      serverRuns.push({
        name: 'CSV select (17 columns as text)',
        ...(await serverOnly(reader, exportSql.CSV_SELECT, maxSeq)),
      });
      // untimed: can COPY's CSV pass every line through, and are the bytes the same everywhere?
      copySafe = await checkCopySafe(reader, maxSeq);
      const cursorDigest = crypto.createHash('sha256');
      await cursorRun(reader, maxSeq, apiFetchRows ?? defaultFetchRows, cursorDigest);
      identity = {
        api: info.eventsSha256,
        cursor: cursorDigest.digest('hex'),
        copy: null,
        copyProblem: null,
        splice: null,
      };
      if (copyStreams) {
        const spliceDigest = crypto.createHash('sha256');
        await spliceRun(reader, copyStreams.to, maxSeq, spliceDigest);
        identity.splice = spliceDigest.digest('hex');
      }
      if (copyStreams) {
        const check = { digest: crypto.createHash('sha256'), problem: null };
        await copyRun(reader, copyStreams.to, maxSeq, check);
        identity.copy = check.digest.digest('hex');
        identity.copyProblem = check.problem;
      }
    } finally {
      await closeClient(reader);
    }
    for (const r of dbRuns) {
      if (r.rows !== exportEvents) problems.push(`${r.name}: ${r.rows} rows, the export has ${exportEvents}`);
      if (r.reportedRows !== undefined && r.reportedRows !== r.rows)
        problems.push(`${r.name}: COPY reported ${r.reportedRows} rows, ${r.rows} lines received`);
    }
    if (copySafe.control || copySafe.badhash || copySafe.notobject) {
      problems.push(
        `body_json/hashes unsafe for COPY's CSV pass-through: ${copySafe.control} rows with raw control characters, ` +
          `${copySafe.badhash} with non-hex hashes, ${copySafe.notobject} not a JSON object`,
      );
    }
    if (identity.cursor !== identity.api) problems.push("cursor lines differ from the API export's event lines");
    if (identity.copy !== null && identity.copy !== identity.cursor)
      problems.push("COPY lines differ from the cursor's");
    if (identity.splice !== null && identity.splice !== identity.api)
      problems.push("spliced COPY lines differ from the API export's");
    if (identity.copyProblem) problems.push(`COPY output: ${identity.copyProblem}`);

    // --- report
    const cursorRuns = dbRuns.filter((r) => r.name.startsWith('cursor'));
    const bestCursor = cursorRuns.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const copy = dbRuns.find((r) => r.name.startsWith('COPY raw')) ?? dbRuns.find((r) => r.name.startsWith('COPY'));
    const exportMB = dl.bytes / MB;

    console.log('');
    console.log('=== Audit export benchmark report ===');
    console.log(
      `Machine:               node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model?.trim() ?? 'unknown'}), ${fmt(os.totalmem() / 1024 ** 3)} GiB RAM; PostgreSQL ${pgVersion}`,
    );
    console.log(
      `Audit trail:           ${int(exportEvents)} events (${int(events)} generated + ${gen.headSeq} before + audit.exported), ` +
        `generated in ${fmt(genSec, 2)} s (${int(events / genSec)} events/s, not a target)`,
    );
    console.log('');
    console.log(
      `1. Export through the API (GET /audit/export?format=ndjson, AUDIT_EXPORT_FETCH_ROWS=${apiFetchLabel})`,
    );
    console.log(
      `   File:                ${int(dl.bytes)} bytes (${fmt(exportMB)} MB), ${int(info.lines)} lines = header + ${int(exportEvents)} events + checkpoint (seq ${checkpointSeq})`,
    );
    console.log(`   Time:                ${fmt(dl.seconds, 2)} s request to last byte`);
    console.log(`   Throughput:          ${int(exportEps)} events/s, ${fmt(exportMB / dl.seconds)} MB/s`);
    console.log(
      `   API RSS:             baseline ${fmt(apiMem.baselineMB)} MB, peak ${fmt(apiMem.peakMB)} MB, growth ${fmt(apiMem.growthMB)} MB ` +
        `(${apiMem.samples} samples every ${SAMPLE_MS} ms; VmHWM ${hwmKb === null ? 'n/a' : `${fmt(kbToMB(hwmKb))} MB`}, lifetime incl. startup)`,
    );
    console.log('');
    console.log('2. Offline verifier (audit-verify.js FILE --key public.pem)');
    console.log(
      `   Export:              exit ${verify.code}, ${fmt(verify.seconds, 2)} s wall (node start-up included), ${int(verifyEps)} events/s`,
    );
    for (const l of (verify.stdout + verify.stderr).trim().split('\n')) console.log(`                        ${l}`);
    if (tamper) {
      console.log(
        `   Tampered copy:       line ${tamper.line} (middle event), byte ${tamper.byte}: '${tamper.was}' -> '${tamper.now}'; ` +
          `exit ${tamper.result.code} (${tamper.result.code === 1 ? 'rejected, as expected' : 'NOT rejected'})`,
      );
      for (const l of (tamper.result.stdout + tamper.result.stderr).trim().split('\n'))
        console.log(`                        ${l}`);
    }
    console.log('');
    console.log(
      `3. Database-side streaming: COPY or a cursor (this process <-> PostgreSQL, ${int(exportEvents)} rows; cursor: rows decoded ` +
        "and lines built as strings in Node (the API's first design); COPY (csv): lines built in SQL, passed through; COPY raw + splice: " +
        "the raw columns spliced into lines as bytes by the API's own code (what the API does now))",
    );
    console.log(
      `   ${pad('method', 22)} ${lpad('best s', 8)} ${lpad('rows/s', 11)} ${lpad('MB/s', 7)} ${lpad('MB', 7)} ${lpad('RSS growth MB', 14)}  all runs (s)`,
    );
    for (const r of dbRuns) {
      console.log(
        `   ${pad(r.name, 22)} ${lpad(fmt(r.seconds, 2), 8)} ${lpad(int(r.rows / r.seconds), 11)} ${lpad(fmt(r.bytes / MB / r.seconds), 7)} ` +
          `${lpad(fmt(r.bytes / MB), 7)} ${lpad(fmt(r.maxGrowthMB), 14)}  ${r.times.map((x) => fmt(x, 2)).join(', ')}`,
      );
    }
    console.log(`   (best of ${dbRepeats} round-robin runs; RSS growth: this process, the largest over the runs)`);
    if (copy) {
      const faster = copy.seconds < bestCursor.seconds;
      const ratio = faster ? bestCursor.seconds / copy.seconds : copy.seconds / bestCursor.seconds;
      console.log(
        `   Faster: ${faster ? copy.name : bestCursor.name}, ${fmt(ratio, 2)}x ${faster ? `the best cursor (${bestCursor.name})` : copy.name}` +
          `${ratio < 1.05 ? ' - within 5%: no clear winner' : ''}.`,
      );
    } else {
      console.log(`   COPY not measured (pg-copy-streams not installed). Best cursor: ${bestCursor.name}.`);
    }
    for (const r of serverRuns) {
      console.log(
        `   PostgreSQL alone, ${pad(r.name + ':', 36)} ${fmt(r.seconds, 2)} s, ${int(r.rows / r.seconds)} rows/s ` +
          '(EXPLAIN ANALYZE: rows produced, nothing sent)',
      );
    }
    console.log(
      `   COPY CSV pass-through (untimed scan of ${int(copySafe.rows)} rows): body_json with raw control characters ${copySafe.control}, ` +
        `non-hex hashes ${copySafe.badhash}, not a JSON object ${copySafe.notobject} -> ${copySafe.control || copySafe.badhash || copySafe.notobject ? 'UNSAFE' : 'safe'}; ` +
        `covered by the identity check below: rows with backslashes (JSON escapes) ${int(copySafe.backslash)}, with multibyte characters ${int(copySafe.multibyte)}`,
    );
    console.log(
      `   Same lines (SHA-256 of the event lines, untimed pass): API file ${identity.api.slice(0, 16)}..., cursor ${identity.cursor.slice(0, 16)}...` +
        `${identity.copy ? `, COPY ${identity.copy.slice(0, 16)}...` : ''}${identity.splice ? `, splice ${identity.splice.slice(0, 16)}...` : ''} -> ` +
        `${identity.api === identity.cursor && (identity.copy === null || identity.copy === identity.cursor) && (identity.splice === null || identity.splice === identity.cursor) ? 'identical' : 'DIFFERENT'}` +
        `${copy ? `; every COPY line parsed as JSON, seq 1..${exportEvents} in order: ${identity.copyProblem ? 'NO' : 'yes'}` : ''}`,
    );
    console.log('(MB = 10^6 bytes)');
    console.log('');
    for (const p of problems) console.log(`ERROR: ${p}`);
    const targets = [
      [exportEps >= TARGET_EXPORT_EPS, `export >= ${int(TARGET_EXPORT_EPS)} events/s (measured ${int(exportEps)})`],
      [
        apiMem.growthMB < TARGET_API_RSS_GROWTH_MB,
        `API RSS growth < ${TARGET_API_RSS_GROWTH_MB} MB (measured ${fmt(apiMem.growthMB)} MB)`,
      ],
      [
        verify.code === 0 && verifyEps >= TARGET_VERIFY_EPS,
        `verifier >= ${int(TARGET_VERIFY_EPS)} events/s (measured ${int(verifyEps)}${verify.code === 0 ? '' : `, exit ${verify.code}`})`,
      ],
    ];
    for (const [ok, text] of targets) console.log(`${ok ? 'PASS' : 'FAIL'}: ${text}`);
    const pass = targets.every(([ok]) => ok) && problems.length === 0;
    console.log(
      pass
        ? 'Result: PASS'
        : `Result: FAIL${problems.length ? ` (${problems.length} check${problems.length > 1 ? 's' : ''} failed)` : ''}`,
    );
    return pass ? 0 : 1;
  } finally {
    await run.cleanup();
    unguard();
  }
}

run.exitWith(main(), { stack: true });
