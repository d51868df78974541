import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPostmasterOf, isRunning, readPostmasterPid, stopOrphanedPostmaster } from './orphaned-postmaster';

describe('orphaned postmaster detection', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ion-pmpid-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads PID, data directory and port from postmaster.pid; none or garbage is no lock file', () => {
    expect(readPostmasterPid(dir)).toBeNull();
    writeFileSync(
      join(dir, 'postmaster.pid'),
      `4242\n${dir}\n1796586240\n36871\n\n127.0.0.1\n  2221297        54\nready   \n`,
    );
    expect(readPostmasterPid(dir)).toEqual({ pid: 4242, dataDir: dir, port: 36871 });
    writeFileSync(join(dir, 'postmaster.pid'), 'not a pid\n');
    expect(readPostmasterPid(dir)).toBeNull();
  });

  it('a live PID that is not a postgres serving this directory (PID reuse) is not taken for the orphan', () => {
    expect(isRunning(process.pid)).toBe(true);
    expect(isPostmasterOf(process.pid, dir)).toBe(false);
  });

  it('a lock file naming a live unrelated process is removed as stale, never signalled', async () => {
    writeFileSync(join(dir, 'postmaster.pid'), `${process.pid}\n${dir}\n0\n5432\n`);
    const log: string[] = [];
    await expect(stopOrphanedPostmaster(dir, (m) => log.push(m))).resolves.toEqual({
      kind: 'stale',
      pid: process.pid,
      removed: true,
    });
    expect(readPostmasterPid(dir)).toBeNull();
    expect(log).toEqual([
      expect.stringMatching(/Removed a stale postmaster.pid .* PID \d+ is now an unrelated process/),
    ]);
  });

  it('a lock file naming a dead PID is left to PostgreSQL', async () => {
    writeFileSync(join(dir, 'postmaster.pid'), `2147483646\n${dir}\n0\n5432\n`);
    await expect(stopOrphanedPostmaster(dir, () => undefined)).resolves.toEqual({
      kind: 'stale',
      pid: 2147483646,
      removed: false,
    });
    expect(readPostmasterPid(dir)).not.toBeNull();
  });

  it('a lock file naming an exited but unreaped PID (a zombie: kill(pid, 0) still succeeds, so PostgreSQL would refuse it) is removed', async () => {
    // sh starts a short child, then becomes `sleep`, which never reaps it: the child stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(
        await new Promise<string>((r) => parent.stdout.once('data', (d: Buffer) => r(d.toString().trim()))),
      );
      const state = () => {
        try {
          return readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1][0];
        } catch {
          return null;
        }
      };
      for (let i = 0; i < 200 && state() !== 'Z'; i++) await new Promise((r) => setTimeout(r, 10));
      expect(state()).toBe('Z');
      expect(() => process.kill(zombie, 0)).not.toThrow(); // what PostgreSQL checks
      expect(isRunning(zombie)).toBe(false);
      writeFileSync(join(dir, 'postmaster.pid'), `${zombie}\n${dir}\n0\n5432\n`);
      const log: string[] = [];
      await expect(stopOrphanedPostmaster(dir, (m) => log.push(m))).resolves.toEqual({
        kind: 'stale',
        pid: zombie,
        removed: true,
      });
      expect(readPostmasterPid(dir)).toBeNull();
      expect(log).toEqual([
        `Removed a stale postmaster.pid in ${dir}: its PID ${zombie} has exited (a zombie not yet reaped)`,
      ]);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
