import { registerAs } from '@nestjs/config';
import { IsOptional, IsString } from 'class-validator';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateEnv } from '@app/common';

class SigningEnv {
  /** The service's Ed25519 private key, PEM (PKCS#8). Or SIGNING_PRIVATE_KEY_FILE. */
  @IsOptional()
  @IsString()
  SIGNING_PRIVATE_KEY?: string;

  @IsOptional()
  @IsString()
  SIGNING_PRIVATE_KEY_FILE?: string;

  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  DATA_DIR?: string;
}

export interface SigningConfig {
  privateKeyPem: string;
  /** Where the key came from, for the start-up log (never the key itself). */
  source: string;
}

/**
 * Embedded mode only: an Ed25519 key generated on first start under <dataDir>/keys (0600) and
 * reused after. Real deployments pass SIGNING_PRIVATE_KEY or SIGNING_PRIVATE_KEY_FILE.
 */
function readOrCreateKey(dataDir: string): { pem: string; file: string } {
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'signing-ed25519.pem');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return { pem: readFileSync(file, 'utf8'), file };
}

export function loadSigningConfig(env: Record<string, string | undefined> = process.env): SigningConfig {
  const v = validateEnv(SigningEnv, env);
  if (v.SIGNING_PRIVATE_KEY && v.SIGNING_PRIVATE_KEY_FILE) {
    throw new Error('Invalid configuration:\n  SIGNING_PRIVATE_KEY, SIGNING_PRIVATE_KEY_FILE: set one, not both');
  }
  if (v.SIGNING_PRIVATE_KEY)
    return { privateKeyPem: v.SIGNING_PRIVATE_KEY.replace(/\\n/g, '\n'), source: 'SIGNING_PRIVATE_KEY' };
  if (v.SIGNING_PRIVATE_KEY_FILE) {
    try {
      return { privateKeyPem: readFileSync(v.SIGNING_PRIVATE_KEY_FILE, 'utf8'), source: v.SIGNING_PRIVATE_KEY_FILE };
    } catch (e) {
      throw new Error(
        `Invalid configuration:\n  SIGNING_PRIVATE_KEY_FILE: cannot read ${v.SIGNING_PRIVATE_KEY_FILE} (${(e as Error).message})`,
      );
    }
  }
  if (v.DATABASE_URL) {
    throw new Error(
      'Invalid configuration:\n  SIGNING_PRIVATE_KEY or SIGNING_PRIVATE_KEY_FILE: required when DATABASE_URL is set ' +
        '(an Ed25519 private key in PEM; make one with: openssl genpkey -algorithm ed25519)',
    );
  }
  const { pem, file } = readOrCreateKey(resolve(v.DATA_DIR ?? '.data'));
  return { privateKeyPem: pem, source: file };
}

export const signingConfig = registerAs('signing', () => loadSigningConfig());
