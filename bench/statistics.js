'use strict';
/*
 * Public statistics benchmark: the disclosure control (protect(), apps/api/src/statistics/disclosure-control.ts)
 * on a long history, computed on the main thread (inline, as before) and in a worker thread (as the built
 * API does now), with the main thread's event-loop delay while each computes.
 *
 * In one run it:
 *   0. generates a deterministic history: STATS_MONTHS months (default 60) of referred cases, about
 *      STATS_CASES_PER_MONTH a month (default 60, varying 0.5x..1.5x month to month), decisions, activities,
 *      supervisor identification outcomes and 1-3 agencies each drawn from skewed weights, so that many
 *      cells fall below the threshold of 10; grouped as the service's SQL groups them (month, decision,
 *      activity, outcome, agencies -> n);
 *   1. runs `publication()` of the built public-statistics.service.js (everything a computation does after
 *      the database read: counting, the model, protect(), the published tables, their SHA-256) with
 *      protect() inline and with protect() in a worker thread (protectInWorker of the built
 *      disclosure-worker.js): one warm-up of each, then STATS_RUNS (default 5) rounds alternating the two.
 *      For each: the wall time of the whole computation and of protect() alone (in the worker's case from
 *      the call to the answer: thread start, copying the model and the answer included), and the main
 *      thread's event-loop delay while it ran (perf_hooks.monitorEventLoopDelay, resolution 10 ms: the max
 *      is the longest any request would have waited for the API);
 *   2. checks that every run, inline and in the worker, gives the same tables and SHA-256.
 *   3. PASS/FAIL: in the worker, the main thread's longest event-loop delay < 100 ms; exit 1 on FAIL or a
 *      failed check.
 *
 * Run:  npm run bench:statistics         (builds first)
 *       node bench/statistics.js         (against the existing dist)
 * Settings: STATS_MONTHS (default 60), STATS_CASES_PER_MONTH (default 60), STATS_RUNS (default 5),
 * STATS_SEED (default 1). Nothing is started and nothing written: no database, no temp dir.
 */

const os = require('node:os');
const path = require('node:path');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { DIST, intEnv, fmt } = require('./lib');

const STATISTICS = path.join(DIST, 'apps/api/src/statistics');
const TARGET_MAX_DELAY_MS = 100;

const DECISIONS = [
  ['AWAITING_DECISION', 5],
  ['CHARGES_FILED', 30],
  ['DECLINED', 20],
  ['REFERRED_ELSEWHERE', 6],
  ['MORE_INFO_REQUESTED', 4],
];
const ACTIVITIES = [
  ['ARREST', 30],
  ['DETENTION', 25],
  ['VEHICLE_STOP', 15],
  ['SEARCH_OR_ENTRY', 8],
  ['USE_OF_FORCE', 5],
  ['CROWD_CONTROL', 4],
  ['SURVEILLANCE', 3],
  ['OTHER', 2],
];
const OUTCOMES = [
  ['VERIFIED', 20],
  ['PARTIAL', 15],
  ['REFUSED', 30],
  ['UNABLE', 10],
];
const AGENCIES = [
  ['ICE_ERO', 30],
  ['ICE_HSI', 8],
  ['CBP', 20],
  ['BORDER_PATROL', 12],
  ['FBI', 3],
  ['DEA', 2],
  ['ATF', 2],
  ['US_MARSHALS', 3],
  ['DHS_OTHER', 4],
  ['FEDERAL_UNKNOWN', 6],
];

/** The referred cases of `months` months ending last month, grouped as the service's SQL groups them. */
function history(monthRange, monthCount, perMonth, seed) {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = (weighted) => {
    let r = rnd() * weighted.reduce((a, [, w]) => a + w, 0);
    for (const [v, w] of weighted) if ((r -= w) < 0) return v;
    return weighted[weighted.length - 1][0];
  };
  const now = new Date();
  const lastY = now.getUTCMonth() === 0 ? now.getUTCFullYear() - 1 : now.getUTCFullYear();
  const lastM = now.getUTCMonth() === 0 ? 12 : now.getUTCMonth();
  const firstIndex = lastY * 12 + lastM - 1 - (monthCount - 1);
  const first = `${Math.floor(firstIndex / 12)}-${String((firstIndex % 12) + 1).padStart(2, '0')}`;
  const last = `${lastY}-${String(lastM).padStart(2, '0')}`;
  const months = monthRange(first, last);
  const groups = new Map();
  let cases = 0;
  for (const month of months) {
    const n = Math.round(perMonth * (0.5 + rnd()));
    for (let i = 0; i < n; i++) {
      const named = new Set([pick(AGENCIES)]);
      const extra = rnd();
      if (extra < 0.3) named.add(pick(AGENCIES));
      if (extra < 0.08) named.add(pick(AGENCIES));
      const f = {
        month,
        decision: pick(DECISIONS),
        activityType: pick(ACTIVITIES),
        supervisorIdentification: pick(OUTCOMES),
        agencies: [...named].sort(),
      };
      const key = JSON.stringify(f);
      const g = groups.get(key);
      if (g) g.n++;
      else groups.set(key, { ...f, n: 1 });
      cases++;
    }
  }
  return { facts: [...groups.values()], months, last, cases };
}

const ms = (ns) => ns / 1e6;
const RESOLUTION_MS = 10;
/** An event-loop delay histogram's value (ns between ticks of a RESOLUTION_MS timer) as the delay beyond the tick, ms. */
const late = (ns) => (Number.isFinite(ns) && ns > 0 ? Math.max(0, ms(ns) - RESOLUTION_MS) : 0);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const monthCount = intEnv('STATS_MONTHS', 60, 1, 600);
  const perMonth = intEnv('STATS_CASES_PER_MONTH', 60, 0, 100_000);
  const runs = intEnv('STATS_RUNS', 5, 1, 1000);
  const seed = intEnv('STATS_SEED', 1, 0, 2 ** 31 - 1);

  console.log('Public statistics benchmark: the disclosure control inline vs in a worker thread');
  const cpus = os.cpus();
  console.log(
    `Machine: node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model?.trim() ?? 'unknown'}), ` +
      `${fmt(os.totalmem() / 1024 ** 3)} GiB RAM, ${os.platform()} ${os.release()}, load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log(
    `Settings: STATS_MONTHS=${monthCount} STATS_CASES_PER_MONTH=${perMonth} STATS_RUNS=${runs} STATS_SEED=${seed}`,
  );

  process.env.NO_COLOR = '1';
  const { publication } = require(path.join(STATISTICS, 'public-statistics.service.js'));
  const { protect, THRESHOLD } = require(path.join(STATISTICS, 'disclosure-control.js'));
  const { protectInWorker } = require(path.join(STATISTICS, 'disclosure-worker.js'));
  const { monthRange, countCases, buildModel } = require(path.join(STATISTICS, 'statistics-tables.js'));

  const h = history(monthRange, monthCount, perMonth, seed);
  {
    const { counts, categories } = countCases(h.facts, h.months);
    const model = buildModel(counts, h.months, categories);
    const small = model.cells.filter((c) => c.value < THRESHOLD).length;
    console.log(
      `History: ${h.cases} cases in ${h.months.length} months (${h.months[0]}..${h.last}), ${h.facts.length} groups; ` +
        `model: ${model.cells.length} cells (${small} below ${THRESHOLD}), ${model.relations.length} relations`,
    );
  }

  const modes = {
    inline: (time) => (model) => {
      const t = process.hrtime.bigint();
      const state = protect(model);
      time.protectNs = Number(process.hrtime.bigint() - t);
      return Promise.resolve(state);
    },
    worker: (time) => async (model) => {
      const t = process.hrtime.bigint();
      const state = await protectInWorker(model);
      time.protectNs = Number(process.hrtime.bigint() - t);
      return state;
    },
  };

  const once = async (mode) => {
    const time = {};
    const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    delay.enable();
    // The histogram records from its second tick on: let it tick before the computation starts.
    await new Promise((resolve) => setTimeout(resolve, 3 * RESOLUTION_MS));
    const t = process.hrtime.bigint();
    const out = await publication(h.facts, h.last, modes[mode](time));
    const totalNs = Number(process.hrtime.bigint() - t);
    // A few ticks more: a computation that never yielded shows only in the first tick after it.
    await new Promise((resolve) => setTimeout(resolve, 3 * RESOLUTION_MS));
    delay.disable();
    const complementary = out.tables.reduce(
      (n, tb) =>
        n +
        [...tb.rows.flatMap((r) => [...r.cells, r.total]), ...tb.columnTotals, tb.total].filter(
          (c) => c.suppressed === 'COMPLEMENTARY',
        ).length,
      0,
    );
    return {
      mode,
      totalMs: ms(totalNs),
      protectMs: ms(time.protectNs),
      // On the main thread in both modes: counting and the model before protect(), the tables and hash after.
      restMs: ms(totalNs - time.protectNs),
      // The histogram records the time between its timer's ticks (10 ms on an idle loop): the delay is the rest.
      delayMaxMs: late(delay.max),
      delayP99Ms: late(delay.percentile(99)),
      delayMeanMs: late(delay.mean),
      sha256: out.sha256,
      tablesJson: JSON.stringify(out.tables),
      complementary,
    };
  };

  const problems = [];
  const warm = [await once('inline'), await once('worker')];
  const results = [];
  for (let r = 0; r < runs; r++)
    for (const mode of r % 2 ? ['worker', 'inline'] : ['inline', 'worker']) results.push(await once(mode));

  const reference = warm[0];
  for (const x of [...warm, ...results]) {
    if (x.sha256 !== reference.sha256 || x.tablesJson !== reference.tablesJson)
      problems.push(
        `${x.mode}: tables or SHA-256 differ from the first inline run (${x.sha256} vs ${reference.sha256})`,
      );
  }

  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  console.log(
    `Published: SHA-256 ${reference.sha256}, ${reference.complementary} complementary suppressions; ` +
      `warm-up: inline ${fmt(warm[0].totalMs, 0)} ms, worker ${fmt(warm[1].totalMs, 0)} ms`,
  );
  console.log('');
  console.log(
    `${pad('mode', 8)} ${lpad('runs', 4)}  ${lpad('computation ms', 14)} ${lpad('(max)', 7)}  ${lpad('protect ms', 10)} ${lpad('(max)', 7)}  ` +
      `${lpad('rest ms', 7)}  ${lpad('event-loop delay: max ms', 24)} ${lpad('(worst)', 8)} ${lpad('p99', 7)} ${lpad('mean', 7)}`,
  );
  const summary = {};
  for (const mode of ['inline', 'worker']) {
    const xs = results.filter((x) => x.mode === mode);
    const s = {
      runs: xs.length,
      totalMsMedian: median(xs.map((x) => x.totalMs)),
      totalMsMax: Math.max(...xs.map((x) => x.totalMs)),
      protectMsMedian: median(xs.map((x) => x.protectMs)),
      protectMsMax: Math.max(...xs.map((x) => x.protectMs)),
      restMsMedian: median(xs.map((x) => x.restMs)),
      delayMaxMsMedian: median(xs.map((x) => x.delayMaxMs)),
      delayMaxMsWorst: Math.max(...xs.map((x) => x.delayMaxMs)),
      delayP99MsMedian: median(xs.map((x) => x.delayP99Ms)),
      delayMeanMsMedian: median(xs.map((x) => x.delayMeanMs)),
    };
    summary[mode] = s;
    console.log(
      `${pad(mode, 8)} ${lpad(s.runs, 4)}  ${lpad(fmt(s.totalMsMedian, 0), 14)} ${lpad(fmt(s.totalMsMax, 0), 7)}  ` +
        `${lpad(fmt(s.protectMsMedian, 0), 10)} ${lpad(fmt(s.protectMsMax, 0), 7)}  ` +
        `${lpad(fmt(s.restMsMedian, 0), 7)}  ${lpad(fmt(s.delayMaxMsMedian, 1), 24)} ${lpad(fmt(s.delayMaxMsWorst, 1), 8)} ${lpad(fmt(s.delayP99MsMedian, 1), 7)} ${lpad(fmt(s.delayMeanMsMedian, 1), 7)}`,
    );
  }
  console.log('(medians over the runs; "max"/"worst": the largest of the runs; event-loop delay of the main thread)');
  console.log('');
  console.log(
    JSON.stringify({
      bench: 'statistics',
      months: h.months.length,
      cases: h.cases,
      groups: h.facts.length,
      sha256: reference.sha256,
      ...Object.fromEntries(
        Object.entries(summary).flatMap(([mode, s]) =>
          Object.entries(s).map(([k, v]) => [`${mode}${k[0].toUpperCase()}${k.slice(1)}`, Math.round(v * 10) / 10]),
        ),
      ),
    }),
  );
  for (const p of problems) console.log(`ERROR: ${p}`);
  const targets = [
    [
      summary.worker.delayMaxMsWorst < TARGET_MAX_DELAY_MS,
      `worker: the main thread's longest event-loop delay < ${TARGET_MAX_DELAY_MS} ms ` +
        `(measured ${fmt(summary.worker.delayMaxMsWorst, 1)} ms; inline ${fmt(summary.inline.delayMaxMsWorst, 1)} ms)`,
    ],
  ];
  for (const [ok, text] of targets) console.log(`${ok ? 'PASS' : 'FAIL'}: ${text}`);
  const pass = targets.every(([ok]) => ok) && problems.length === 0;
  console.log(pass ? 'Result: PASS' : `Result: FAIL${problems.length ? ` (${problems.length} checks failed)` : ''}`);
  return pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`statistics bench: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
    process.exit(1);
  },
);
