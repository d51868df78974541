'use strict';
/**
 * A one-node Ceph cluster serving S3 through the RADOS Gateway (RGW), for the tests and for a developer
 * (scripts/ceph-rgw.js): one monitor, one OSD on the in-memory object store, one radosgw (beast frontend)
 * on 127.0.0.1, all in a temporary directory of their own with free loopback ports, a new fsid and new
 * keys. Built from Debian's packages (ceph-mon ceph-osd radosgw ceph-common); the settings are the ones
 * measured when the engine was first brought up (docs/decisions/0007-ceph-rgw-for-object-lock-tests.md). Plain CommonJS with no dependency but Node, so the developer script can run
 * it without a TypeScript step; the jest harness uses it through test/harness/ceph-rgw.ts.
 *
 * Every daemon runs in the foreground (-f) as a detached process, logging under the run directory; its
 * pid and its start time (from /proc, so a recycled pid is never mistaken for it) are written to
 * <dir>/pids as soon as it is spawned, and <dir>/owner names the process that owns the cluster. A run
 * cut short (jest killed, Ctrl-C twice, a crash) leaves that registry behind: every start first ends the
 * daemons of any ion-ceph-* directory whose owner is gone ({@link reapLeftovers}), and the harness checks
 * at the end of a run that nothing of its cluster still runs ({@link daemonsOf}).
 */
const { spawn, execFile } = require('node:child_process');
const { randomBytes, randomUUID } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const http = require('node:http');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const PACKAGES = 'ceph-mon ceph-osd radosgw ceph-common';
const INSTALL_HINT = `apt-get install -y ${PACKAGES}`;
const BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'ceph-authtool', 'monmaptool', 'timeout'];
const DIR_PREFIX = 'ion-ceph-';
/** Every `ceph` / `radosgw-admin` call is wrapped in timeout(1): without a manager some commands never return. */
const CLI_TIMEOUT_S = 60;

/**
 * RGW's pools, created up front in one `ceph` call (RGW would otherwise create them one by one while
 * answering its first requests).
 */
const RGW_POOLS = [
  '.rgw.root',
  'default.rgw.control',
  'default.rgw.meta',
  'default.rgw.log',
  'default.rgw.buckets.index',
  'default.rgw.buckets.data',
  'default.rgw.buckets.non-ec',
];

/**
 * The memstore's capacity. It is only a ceiling (memory is taken as objects are stored, at about 1.6x
 * their size), but a full memstore does not fail requests: they hang. The suites store at most ~1-2 GiB
 * per large test and COMPLIANCE-locked versions can never be deleted during the run, so the run's total
 * must stay under 0.95 of this; 8 GiB leaves room for several large suites while a full store (~13 GiB
 * of OSD memory) still fits in the RAM of the machines the suite runs on. ION_CEPH_MEMSTORE_GIB overrides.
 */
const DEFAULT_MEMSTORE_GIB = 8;

/** Where the binaries are looked for: PATH, and the system directories a non-root PATH may lack. */
function defaultSearchPath() {
  return (process.env.PATH || '/usr/bin:/bin').split(':').concat(['/usr/bin', '/usr/sbin', '/sbin', '/bin']);
}

/** The missing Debian packages' binaries (not an executable file in any directory of `searchPath`), or [] when all are installed. */
function missingBinaries(searchPath = defaultSearchPath()) {
  const executable = (file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile(); // a directory is "executable" too
    } catch {
      return false;
    }
  };
  return BINARIES.filter((b) => !searchPath.some((d) => executable(join(d, b))));
}

/** What `npm test` says when Ceph cannot start for want of its packages: names what is missing and exactly what to install. Null when nothing is. */
function installProblem(missing) {
  if (!missing.length) return null;
  return (
    `Ceph RGW cannot start: ${missing.join(', ')} not found. Install Debian's packages (as root): ` +
    `apt-get update && ${INSTALL_HINT}   (.ci/run does this by itself)`
  );
}

function assertInstalled(searchPath) {
  const problem = installProblem(missingBinaries(searchPath));
  if (problem) throw new Error(problem);
}

/** The start time of a process (field 22 of /proc/<pid>/stat, clock ticks since boot) and its state; null when gone. */
function procStat(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    return { state: rest[0], start: rest[19] };
  } catch {
    return null;
  }
}

/** True while the process recorded as (pid, start) exists and has not exited (a zombie has exited). */
function running(pid, start) {
  const st = procStat(pid);
  return !!st && st.state !== 'Z' && st.state !== 'X' && (start === undefined || st.start === start);
}

function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** Processes still running whose command line mentions `dir` (the cluster's config path is under it). */
function daemonsOf(dir) {
  const out = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    const line = cmdline(Number(e));
    if (line.includes(dir) && running(Number(e))) out.push({ pid: Number(e), cmd: line });
  }
  return out;
}

function readRegistry(dir) {
  let text = '';
  try {
    text = fs.readFileSync(join(dir, 'pids'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [pid, start, name] = l.split(' ');
      return { pid: Number(pid), start, name };
    });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Ends processes by pid with SIGKILL and resolves with those still running after 10 s (none, normally)
 * once each has really exited: gone from /proc, or a zombie (exited, waiting for its parent to reap it),
 * since `kill -0` alone succeeds on a zombie. SIGKILL, not SIGTERM: the cluster's data is thrown away,
 * and a radosgw whose monitor has gone waits minutes on SIGTERM (an OSD seconds). Never signals a pid
 * whose start time differs from the one recorded (a recycled pid belongs to someone else).
 */
async function endProcesses(procs) {
  const live = () => procs.filter((p) => running(p.pid, p.start));
  for (const p of live()) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  const deadline = Date.now() + 10_000;
  while (live().length && Date.now() < deadline) await sleep(10);
  return live();
}

/**
 * Ends the daemons of earlier runs that were cut short: every <tmpdir>/ion-ceph-* directory whose owner
 * process is gone (another run going on at the same time keeps its cluster). Returns what it ended.
 */
async function reapLeftovers(base = tmpdir()) {
  const ended = [];
  let entries = [];
  try {
    entries = fs.readdirSync(base);
  } catch {
    return ended;
  }
  for (const e of entries) {
    if (!e.startsWith(DIR_PREFIX)) continue;
    const dir = join(base, e);
    let owner = null;
    try {
      const [pid, start] = fs.readFileSync(join(dir, 'owner'), 'utf8').trim().split(' ');
      owner = { pid: Number(pid), start };
    } catch {
      /* none */
    }
    if (owner && running(owner.pid, owner.start)) continue;
    if (!owner) {
      // Written right after the directory is made: without it, leave a directory younger than a minute alone (being created).
      try {
        if (Date.now() - fs.statSync(dir).mtimeMs < 60_000) continue;
      } catch {
        continue;
      }
    }
    const procs = readRegistry(dir);
    for (const d of daemonsOf(dir))
      if (!procs.some((p) => p.pid === d.pid)) procs.push({ pid: d.pid, start: procStat(d.pid)?.start, name: d.cmd });
    const left = await endProcesses(procs);
    ended.push(...procs.filter((p) => !left.includes(p)).map((p) => ({ dir, pid: p.pid, name: p.name })));
    if (!left.length) fs.rmSync(dir, { recursive: true, force: true });
  }
  return ended;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a short command to its end; rejects with its output when it fails. */
function run(file, args, { input, timeoutS } = {}) {
  const [cmd, argv] = timeoutS ? ['timeout', ['-k', '5', String(timeoutS), file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      argv,
      { maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        if (err) {
          const why = err.code === 124 ? `timed out after ${timeoutS} s` : `exited with ${err.code ?? err.signal}`;
          reject(new Error(`${file} ${args.join(' ')} ${why}:\n${stdout}${stderr}`));
        } else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin.end(input);
  });
}

function configFile(dir, o) {
  return `[global]
fsid = ${o.fsid}
mon host = [v2:127.0.0.1:${o.monV2},v1:127.0.0.1:${o.monV1}]
mon initial members = a
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = ${dir}/keyring
run dir = ${dir}/run
pid file = ${dir}/run/$name.pid
admin socket = ${dir}/run/$name.$pid.asok
log file = ${dir}/log/$name.log
log to stderr = false
err to stderr = false
log to syslog = false
crash dir = ${dir}/crash
# One OSD: one replica, or the placement groups never become active and RGW never answers.
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
# A nearly full CI disk must not stop the monitor.
mon data avail crit = 0
mon data avail warn = 0
# 4-5 s to an answering S3 endpoint instead of ~20 s.
paxos propose interval = 0.1

[mon.a]
mon data = ${dir}/mon.a

[osd.0]
osd data = ${dir}/osd.0
osd objectstore = memstore
memstore device bytes = ${o.memstoreBytes}
osd max object name len = 460
osd max object namespace len = 64

[client.rgw.a]
rgw data = ${dir}/rgw.a
rgw frontends = beast endpoint=127.0.0.1:${o.rgwPort}
rgw dns name = 127.0.0.1
rgw enable usage log = false
${o.extraConf || ''}`;
}

/** Waits until an HTTP GET of `url` gets any answer (the frontend is listening). */
async function untilAnswers(url, timeoutMs, why) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const req = http.get(url, { timeout: 1000, agent: false }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => {
        req.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    const err = why();
    if (err) throw err;
    if (Date.now() > deadline) throw new Error(`RGW did not answer on ${url} within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

function tail(file, bytes = 4000) {
  try {
    const b = fs.readFileSync(file);
    return b.subarray(Math.max(0, b.length - bytes)).toString();
  } catch {
    return '(no log)';
  }
}

/**
 * Starts the cluster. Resolves with the S3 endpoint and the keys of a new S3 user once a signed S3
 * request (ListBuckets) succeeds. `owner`: the process whose end makes the cluster a leftover for the next
 * start to clean up (default: this one); the jest harness names jest's main process.
 */
async function startCephRgw(opts = {}) {
  const started = Date.now();
  assertInstalled(opts.searchPath); // before anything is created or ended
  const reaped = await reapLeftovers();
  const dir = fs.mkdtempSync(join(opts.baseDir || tmpdir(), DIR_PREFIX));
  const ownerPid = opts.owner ? opts.owner.pid : process.pid;
  const ownerStart = opts.owner ? opts.owner.start : procStat(process.pid).start;
  fs.writeFileSync(join(dir, 'owner'), `${ownerPid} ${ownerStart}\n`);
  const daemons = [];
  const steps = [];
  const step = (name) => steps.push([name, Date.now() - started]);
  const stop = async () => {
    const left = await endProcesses(
      readRegistry(dir).concat(daemons.filter((d) => !readRegistry(dir).some((r) => r.pid === d.pid))),
    );
    const stray = daemonsOf(dir);
    if (left.length || stray.length) {
      throw new Error(
        `Ceph daemons still running after stop: ${[...left.map((p) => `${p.name} pid ${p.pid}`), ...stray.map((p) => `pid ${p.pid}: ${p.cmd}`)].join('; ')}`,
      );
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const d of ['run', 'log', 'crash', 'mon.a', 'osd.0', 'rgw.a']) fs.mkdirSync(join(dir, d));
    const [monV2, monV1, rgwPort] = [await freePort(), await freePort(), opts.port || (await freePort())];
    const memstoreBytes = Math.round(
      (Number(process.env.ION_CEPH_MEMSTORE_GIB) || opts.memstoreGiB || DEFAULT_MEMSTORE_GIB) * 1024 ** 3,
    );
    const fsid = randomUUID();
    const conf = join(dir, 'ceph.conf');
    fs.writeFileSync(conf, configFile(dir, { fsid, monV2, monV1, rgwPort, memstoreBytes, extraConf: opts.extraConf }));
    const c = ['-c', conf];

    // Keys for the monitor, the admin, the OSD and the gateway, in one keyring the monitor imports at mkfs.
    const keyring = join(dir, 'keyring');
    await run('ceph-authtool', ['--create-keyring', keyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
    await run('ceph-authtool', [
      keyring,
      '--gen-key',
      '-n',
      'client.admin',
      '--cap',
      'mon',
      'allow *',
      '--cap',
      'osd',
      'allow *',
      '--cap',
      'mgr',
      'allow *',
      '--cap',
      'mds',
      'allow *',
    ]);
    await run('ceph-authtool', [
      keyring,
      '--gen-key',
      '-n',
      'osd.0',
      '--cap',
      'mon',
      'allow profile osd',
      '--cap',
      'mgr',
      'allow profile osd',
      '--cap',
      'osd',
      'allow *',
    ]);
    await run('ceph-authtool', [
      keyring,
      '--gen-key',
      '-n',
      'client.rgw.a',
      '--cap',
      'mon',
      'allow rw',
      '--cap',
      'osd',
      'allow rwx',
    ]);
    await run('monmaptool', [
      '--create',
      '--fsid',
      fsid,
      '--addv',
      'a',
      `[v2:127.0.0.1:${monV2},v1:127.0.0.1:${monV1}]`,
      join(dir, 'monmap'),
    ]);
    await run('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap'), '--keyring', keyring]);
    step('keys and monitor store');

    const spawnDaemon = (name, file, args) => {
      const child = spawn(file, [...c, '-f', ...args], { detached: true, stdio: 'ignore' });
      child.unref();
      const pid = child.pid;
      const start = procStat(pid)?.start ?? '?';
      const d = { pid, start, name, child, exited: null };
      child.on('exit', (code, signal) => {
        d.exited = code ?? signal;
      });
      daemons.push(d);
      fs.appendFileSync(join(dir, 'pids'), `${pid} ${start} ${name}\n`);
      return d;
    };
    const died = () => {
      const d = daemons.find((x) => x.exited !== null);
      return d
        ? new Error(
            `${d.name} exited (${d.exited}) while starting; its log:\n${tail(join(dir, 'log', `${d.name}.log`))}`,
          )
        : null;
    };
    const mon = spawnDaemon('mon.a', 'ceph-mon', ['-i', 'a']);

    // The OSD is registered, made and started before RGW's pools exist: pools created while their OSD is up
    // get active placement groups at once (created before, RGW's first read waits ~5 s for them).
    const osdUuid = randomUUID();
    const cli = (commands) =>
      run('ceph', [...c, '-n', 'client.admin', '--connect-timeout', '30'], {
        input: commands.join('\n') + '\n',
        timeoutS: CLI_TIMEOUT_S,
      }).catch((e) => {
        throw died() || e;
      });
    const mkfs = run('ceph-osd', [...c, '-i', '0', '--mkfs', '--osd-uuid', osdUuid]); // needs no monitor
    await cli([`osd create ${osdUuid} 0`]);
    await mkfs;
    step('monitor up, OSD registered');
    spawnDaemon('osd.0', 'ceph-osd', ['-i', '0']);
    // RGW's pools in one `ceph` call (commands on stdin); RGW would otherwise create them one by one at start.
    const commands = [];
    for (const p of RGW_POOLS) commands.push(`osd pool create ${p} 8 8 replicated`);
    await cli(commands);
    step('pools created');

    // The S3 user (its keys are ours to choose) while the gateway starts.
    const accessKey = `ION${randomBytes(8).toString('hex').toUpperCase()}`;
    const secretKey = randomBytes(24).toString('base64url');
    const user = run(
      'radosgw-admin',
      [
        ...c,
        '-n',
        'client.admin',
        'user',
        'create',
        '--uid',
        'ion-test',
        '--display-name',
        'ION test user',
        '--access-key',
        accessKey,
        '--secret-key',
        secretKey,
      ],
      { timeoutS: CLI_TIMEOUT_S },
    );
    spawnDaemon('client.rgw.a', 'radosgw', ['-n', 'client.rgw.a']);
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await untilAnswers(endpoint + '/', 90_000, died);
    await user.catch((e) => {
      throw died() || e;
    });
    step('RGW answering, user created');
    // A signed request: the user's keys work.
    const { Client } = require('minio');
    const client = new Client({
      endPoint: '127.0.0.1',
      port: rgwPort,
      useSSL: false,
      pathStyle: true,
      region: 'us-east-1',
      accessKey,
      secretKey,
    });
    for (let i = 0; ; i++) {
      try {
        await client.listBuckets();
        break;
      } catch (e) {
        if (i > 100) throw new Error(`RGW answers but refuses the new user's keys: ${e.message}`);
        await sleep(50);
      }
    }
    step('S3 ready');
    void mon;
    return {
      dir,
      endpoint,
      port: rgwPort,
      accessKey,
      secretKey,
      region: 'us-east-1',
      fsid,
      pids: daemons.map((d) => ({ pid: d.pid, name: d.name })),
      reaped,
      startMs: Date.now() - started,
      steps,
      stop,
      logOf: (name) => tail(join(dir, 'log', `${name}.log`)),
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

/** Stops the cluster recorded in `dir` (from another process than the one that started it). */
async function stopCluster(dir) {
  const left = await endProcesses(readRegistry(dir));
  const stray = daemonsOf(dir);
  if (stray.length) await endProcesses(stray.map((p) => ({ pid: p.pid, start: procStat(p.pid)?.start, name: p.cmd })));
  const still = daemonsOf(dir);
  if (left.length || still.length) {
    throw new Error(`Ceph daemons still running after stop: ${still.map((p) => `pid ${p.pid}: ${p.cmd}`).join('; ')}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

module.exports = {
  startCephRgw,
  stopCluster,
  reapLeftovers,
  daemonsOf,
  procStat,
  running,
  missingBinaries,
  installProblem,
  BINARIES,
  INSTALL_HINT,
  PACKAGES,
  DIR_PREFIX,
};
