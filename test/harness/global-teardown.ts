import { rmSync } from 'node:fs';
import { stopCephOfRun } from './ceph-rgw';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __ionPg?: { stop(): Promise<void>; dir: string } }).__ionPg;
  if (pg) {
    await pg.stop();
    rmSync(pg.dir, { recursive: true, force: true });
  }
  // The run's Ceph cluster (if a suite started one): stopped by pid, and no daemon of it may be left.
  const ceph = await stopCephOfRun();
  if (ceph.reaped.length)
    process.stdout.write(
      `\n[harness] ended Ceph daemons left by an earlier, interrupted run: ${ceph.reaped.join(', ')}\n`,
    );
  if (ceph.problems.length)
    throw new Error(`[harness] Ceph daemons left behind at the end of the run:\n${ceph.problems.join('\n')}`);
}
