import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ClusterModule {
  missingBinaries(searchPath?: string[]): string[];
  installProblem(missing: string[]): string | null;
  startCephRgw(opts: { searchPath?: string[]; baseDir?: string }): Promise<unknown>;
  BINARIES: string[];
  DIR_PREFIX: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script with no type declarations
const cluster = require('./ceph-rgw-cluster.js') as ClusterModule;

/*
 * What `npm test` says on a machine without Debian's Ceph packages, decided on directories of this test's own
 * (real files, real permission bits) instead of uninstalling anything.
 */
describe('Ceph packages missing: the message npm test prints', () => {
  let dir: string;
  const bin = (name: string, mode = 0o755) => {
    writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, name), mode);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ion-ceph-bins-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('nothing is missing when every binary is an executable file on the search path: no message', () => {
    for (const b of cluster.BINARIES) bin(b);
    expect(cluster.missingBinaries([dir])).toEqual([]);
    expect(cluster.installProblem([])).toBeNull();
  });

  it('names exactly the binaries that are absent, not executable, or not a file, and the packages to install', () => {
    for (const b of cluster.BINARIES) bin(b);
    rmSync(join(dir, 'radosgw'));
    bin('ceph-osd', 0o644);
    rmSync(join(dir, 'monmaptool'));
    mkdirSync(join(dir, 'monmaptool'));
    const missing = cluster.missingBinaries([dir]);
    expect(missing).toEqual(['ceph-osd', 'radosgw', 'monmaptool']);
    expect(cluster.installProblem(missing)).toBe(
      "Ceph RGW cannot start: ceph-osd, radosgw, monmaptool not found. Install Debian's packages (as root): " +
        'apt-get update && apt-get install -y ceph-mon ceph-osd radosgw ceph-common   (.ci/run does this by itself)',
    );
  });

  it('a binary found in any directory of the search path counts', () => {
    const other = mkdtempSync(join(tmpdir(), 'ion-ceph-bins-'));
    try {
      for (const b of cluster.BINARIES) if (b !== 'radosgw') bin(b);
      writeFileSync(join(other, 'radosgw'), '');
      chmodSync(join(other, 'radosgw'), 0o755);
      expect(cluster.missingBinaries([dir])).toEqual(['radosgw']);
      expect(cluster.missingBinaries([dir, other])).toEqual([]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('starting a cluster without them fails with that message before anything is created', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ion-ceph-base-'));
    try {
      await expect(cluster.startCephRgw({ searchPath: [dir], baseDir: base })).rejects.toThrow(
        `Ceph RGW cannot start: ${cluster.BINARIES.join(', ')} not found. Install Debian's packages (as root): apt-get update && apt-get install -y ceph-mon ceph-osd radosgw ceph-common`,
      );
      expect(readdirSync(base)).toEqual([]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
