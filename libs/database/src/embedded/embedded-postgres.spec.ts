import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertTraversableByOthers, freePort } from './embedded-postgres';

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
  });

  it('picks a free loopback port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1023);
    expect(port).toBeLessThan(65536);
  });
});
