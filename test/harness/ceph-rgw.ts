import { Client } from 'minio';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Ceph's RADOS Gateway for the suites: a one-node Ceph cluster (1 monitor, 1 memstore OSD, 1 radosgw on
 * 127.0.0.1) in a temporary directory of its own. The cluster itself is scripts/ceph-rgw-cluster.js
 * (plain JavaScript, so `npm run ceph` starts the same cluster for a developer without a build step);
 * this file types it and shares ONE cluster per jest run between the suites that ask for it: the first
 * suite that needs it starts it (~3-5 s), the others wait for it, and global-teardown.ts stops it and
 * fails the run if any of its daemons is still running. A run that never asks starts nothing.
 */

export interface CephRgw {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  accessKey: string;
  secretKey: string;
  region: string;
  /** The cluster's run directory (config, keyring, logs, pid registry). */
  dir: string;
  /** Milliseconds from nothing to an S3 endpoint that accepts the user's keys. */
  startMs: number;
  /** Ends every daemon by pid (waiting until each has really exited) and removes the directory. */
  stop(): Promise<void>;
}

interface ClusterModule {
  startCephRgw(opts?: {
    owner?: { pid: number; start: string };
    memstoreGiB?: number;
    port?: number;
  }): Promise<
    CephRgw & { pids: { pid: number; name: string }[]; reaped: { dir: string; pid: number; name: string }[] }
  >;
  stopCluster(dir: string): Promise<void>;
  reapLeftovers(base?: string): Promise<{ dir: string; pid: number; name: string }[]>;
  daemonsOf(dir: string): { pid: number; cmd: string }[];
  procStat(pid: number): { state: string; start: string } | null;
  missingBinaries(): string[];
  INSTALL_HINT: string;
  DIR_PREFIX: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script (scripts/) with no type declarations
export const cluster = require('../../scripts/ceph-rgw-cluster.js') as ClusterModule;

/**
 * Starts a cluster of the caller's own (stop it yourself). Throws, naming the packages to install
 * (`apt-get install -y ceph-mon ceph-osd radosgw ceph-common`), when Debian's Ceph packages are missing.
 */
export async function startCephRgw(opts: { memstoreGiB?: number } = {}): Promise<CephRgw> {
  return cluster.startCephRgw(opts);
}

/** Set by global-setup.ts: the run's shared directory, and the jest process that owns the run's cluster. */
const HOME_ENV = 'ION_TEST_CEPH_HOME';
const OWNER_ENV = 'ION_TEST_CEPH_OWNER';

/** For global-setup.ts: where the run's cluster will be recorded, and who owns it (jest's main process). */
export function prepareCephForRun(): void {
  const home = join(tmpdir(), `ion-test-ceph-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(home);
  process.env[HOME_ENV] = home;
  process.env[OWNER_ENV] = `${process.pid} ${cluster.procStat(process.pid)!.start}`;
}

export type Shared = Omit<CephRgw, 'stop'>;
let shared: Promise<Shared> | undefined;

/**
 * The run's cluster: started by the first suite that asks (an exclusive mkdir decides which worker),
 * awaited by the others through <home>/ready.json. Its daemons are owned by jest's main process, so
 * they outlive the worker that started them and global-teardown.ts ends them.
 */
export function sharedCephRgw(): Promise<Shared> {
  shared ??= acquire();
  return shared;
}

async function acquire(): Promise<Shared> {
  const home = process.env[HOME_ENV];
  const ownerText = process.env[OWNER_ENV];
  if (!home || !ownerText)
    throw new Error('The e2e harness did not run (ION_TEST_CEPH_HOME unset): run tests through jest.');
  const ready = join(home, 'ready.json');
  const failed = join(home, 'failed.txt');
  let mine = true;
  try {
    mkdirSync(join(home, 'lock'));
  } catch {
    mine = false;
  }
  if (mine) {
    const [pid, start] = ownerText.split(' ');
    try {
      const c = await cluster.startCephRgw({ owner: { pid: Number(pid), start } });
      const { stop: _stop, pids: _pids, reaped, ...info } = c;
      if (reaped.length)
        process.stdout.write(
          `\n[harness] ended Ceph daemons left by an earlier, interrupted run: ${reaped.map((r) => `${r.name} pid ${r.pid} (${r.dir})`).join(', ')}\n`,
        );
      writeFileSync(`${ready}.tmp`, JSON.stringify(info));
      renameSync(`${ready}.tmp`, ready);
      process.stdout.write(`\n[harness] Ceph RGW ready on ${c.endpoint} in ${c.startMs} ms\n`);
      return info;
    } catch (e) {
      writeFileSync(failed, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      return JSON.parse(readFileSync(ready, 'utf8')) as Shared;
    } catch {
      /* not yet */
    }
    try {
      throw new Error(`Ceph RGW could not start (in another suite of this run): ${readFileSync(failed, 'utf8')}`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (Date.now() > deadline)
      throw new Error('Ceph RGW did not become ready within 180 s (started by another suite of this run)');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * For global-teardown.ts: stops every cluster this run owns and checks that none of their daemons is
 * left; ends leftovers of earlier, interrupted runs too. Returns the problems (empty when all is well).
 */
export async function stopCephOfRun(): Promise<{ stopped: string[]; problems: string[]; reaped: string[] }> {
  const home = process.env[HOME_ENV];
  const owner = process.env[OWNER_ENV];
  const out = { stopped: [] as string[], problems: [] as string[], reaped: [] as string[] };
  if (!home || !owner) return out;
  const base = tmpdir();
  for (const e of readdirSync(base)) {
    if (!e.startsWith(cluster.DIR_PREFIX)) continue;
    const dir = join(base, e);
    let o = '';
    try {
      o = readFileSync(join(dir, 'owner'), 'utf8').trim();
    } catch {
      continue;
    }
    if (o !== owner) continue;
    try {
      await cluster.stopCluster(dir);
      out.stopped.push(dir);
    } catch (err) {
      out.problems.push(err instanceof Error ? err.message : String(err));
    }
    const left = cluster.daemonsOf(dir);
    if (left.length)
      out.problems.push(
        `Ceph daemons of ${dir} still running: ${left.map((p) => `pid ${p.pid} (${p.cmd})`).join('; ')}`,
      );
  }
  out.reaped = (await cluster.reapLeftovers()).map((r) => `${r.name} pid ${r.pid} (${r.dir})`);
  // The shared directories of interrupted runs (named after their jest process) hold no daemon: just remove them.
  for (const e of readdirSync(base)) {
    const m = /^ion-test-ceph-(\d+)-/.exec(e);
    if (m && Number(m[1]) !== process.pid && !cluster.procStat(Number(m[1])))
      rmSync(join(base, e), { recursive: true, force: true });
  }
  rmSync(home, { recursive: true, force: true });
  return out;
}

export function cephClient(c: { port: number; accessKey: string; secretKey: string; region: string }): Client {
  return new Client({
    endPoint: '127.0.0.1',
    port: c.port,
    useSSL: false,
    pathStyle: true,
    region: c.region,
    accessKey: c.accessKey,
    secretKey: c.secretKey,
  });
}
