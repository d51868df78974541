import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Embedded mode only: secrets generated on first start and kept under <dataDir>/keys with
 * mode 0600, so a restart reuses them. Real deployments pass secrets through configuration.
 */
export function readOrCreateSecret(dataDir: string, name: string, bytes = 32): string {
  const dir = join(dataDir, 'keys');
  mkdirSync(dataDir, { recursive: true }); // stays traversable: embedded PostgreSQL runs as another user
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(bytes).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}
