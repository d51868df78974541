import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertEmbeddedPostgresCanRun, assertTraversableByOthers, freePort } from './embedded-postgres';

describe('embedded PostgreSQL preflight', () => {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  (asRoot ? it : it.failing)('as root, names the directory user postgres cannot enter', () => {
    const base = mkdtempSync(join(tmpdir(), 'ion-perm-'));
    const blocked = join(base, 'private');
    mkdirSync(join(blocked, 'checkout'), { recursive: true });
    chmodSync(base, 0o755);
    chmodSync(blocked, 0o700);
    expect(() => assertTraversableByOthers([join(blocked, 'checkout', '.data', 'postgres')])).toThrow(
      new RegExp(`cannot enter ${blocked} \\(mode 700\\)`),
    );
    chmodSync(blocked, 0o755);
    expect(() => assertTraversableByOthers([join(blocked, 'checkout', '.data', 'postgres')])).not.toThrow();
    rmSync(base, { recursive: true, force: true });
  });

  (asRoot ? it : it.failing)(
    'accepts a cluster directory of mode 0700 (PostgreSQL requires it) under enterable parents',
    () => {
      const base = mkdtempSync(join(tmpdir(), 'ion-perm-'));
      chmodSync(base, 0o755);
      const cluster = join(base, '.data', 'postgres');
      mkdirSync(join(base, '.data'), { mode: 0o755 });
      mkdirSync(cluster, { mode: 0o700 });
      expect(() => assertEmbeddedPostgresCanRun(cluster)).not.toThrow();
      chmodSync(base, 0o700);
      expect(() => assertEmbeddedPostgresCanRun(cluster)).toThrow(/cannot enter/);
      rmSync(base, { recursive: true, force: true });
    },
  );

  it('picks a free loopback port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1023);
    expect(port).toBeLessThan(65536);
  });
});
