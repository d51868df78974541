import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DIST_API } from './paths';

/** The built offline audit verifier, run as an investigator runs it: its own process, no database, no network. */
export function verifyAuditExportOffline(file: string, keyFile: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(DIST_API, 'cli', 'audit-verify.js'), file, '--key', keyFile], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}
