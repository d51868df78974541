/* Offline verification of an audit export. Usage:
 *   npm run audit:verify -- <export.ndjson | export.csv | -> --key <public.pem> [--json] [--threads N]
 * Exit status: 0 verified, 1 the export fails verification, 2 usage error or unreadable input.
 * --threads: worker threads for the per-row checks (default: one per core, at most 4; 0: none).
 *
 * Imports only the pure verifier (no Nest, no database, no network), so it starts in a blink and
 * can run on an investigator's machine against a copy of the file and the published public key.
 */
import type { KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { ExportVerification, verifyExportChunks, verifyExportFile } from '@app/audit/export-verifier';
import { publicKeyFromPem } from '@app/signing/signing-keys';
import { parseOrExit, runAsCommand, UsageError } from './cli-shell';

const USAGE = 'usage: audit-verify <export file | -> --key <public.pem> [--json] [--threads N]';

interface Args {
  file: string;
  keyPath: string;
  json: boolean;
  threads: number;
}

function parseArgs(argv: string[]): Args {
  let file: string | undefined;
  let keyPath: string | undefined;
  let json = false;
  // Row checks in worker threads, one per core: parsing and hashing rows is CPU-bound.
  let threads = Math.min(availableParallelism(), 4);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--key') {
      keyPath = argv[++i];
      if (keyPath === undefined) throw new UsageError('--key needs the path of the public key (PEM)');
    } else if (a.startsWith('--key=')) {
      keyPath = a.slice('--key='.length);
    } else if (a === '--threads') {
      threads = Number(argv[++i]);
      if (!Number.isInteger(threads) || threads < 0)
        throw new UsageError('--threads needs a whole number (0: check in the main thread)');
    } else if (a === '--json') {
      json = true;
    } else if (a === '-h' || a === '--help') {
      throw new UsageError(''); // no message: the usage alone, exit 0
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option ${a}`);
    } else if (file === undefined) {
      file = a;
    } else {
      throw new UsageError(`only one export file, got ${file} and ${a}`);
    }
  }
  if (file === undefined) throw new UsageError('missing the export file (or - for standard input)');
  if (keyPath === undefined)
    throw new UsageError('missing --key <public.pem>: the public key the export must verify with');
  return { file, keyPath, json, threads };
}

function summary(r: ExportVerification): string {
  if (!r.ok) {
    const f = r.failure;
    return `FAILED at line ${f?.line}${f?.seq !== undefined ? ` (seq ${f.seq})` : ''}: ${f?.problem}`;
  }
  const rows = r.rows === 0 ? 'no rows' : `${r.rows} rows (seq ${r.firstSeq}..${r.lastSeq})`;
  const kind = r.filtered
    ? 'filtered export (rows checked for their own hashes and the chain where consecutive)'
    : 'complete export';
  return `OK: ${rows}, chain intact, checkpoint seq ${r.checkpointSeq} signed by ${r.keyId}, sealed; ${kind}`;
}

/** Runs the command; returns the exit status. Streams are parameters so the spec can drive it. */
export async function main(
  argv: string[],
  stdout: Writable = process.stdout,
  stderr: Writable = process.stderr,
  stdin: Readable = process.stdin,
): Promise<number> {
  const parsed = parseOrExit('audit-verify', USAGE, () => parseArgs(argv), stdout, stderr);
  if ('exit' in parsed) return parsed.exit;
  const { args } = parsed;

  let publicKey: KeyObject;
  try {
    publicKey = publicKeyFromPem(readFileSync(args.keyPath, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR'
        ? `cannot read it (${err.code})`
        : err.message;
    stderr.write(`audit-verify: the key ${args.keyPath} is not usable: ${why}\n`);
    return 2;
  }

  if (args.file !== '-') {
    try {
      if (!statSync(args.file).isFile()) throw Object.assign(new Error(), { code: 'not a regular file' });
    } catch (e) {
      stderr.write(
        `audit-verify: cannot read the export ${args.file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`,
      );
      return 2;
    }
  }

  const started = process.hrtime.bigint();
  let result: ExportVerification;
  try {
    // Read as bytes in blocks of whole lines, which the worker threads split and decode; lines
    // end at \n, a \r before it is dropped (CRLF).
    const options = { threads: args.threads };
    result =
      args.file === '-'
        ? await verifyExportChunks(stdin, publicKey, options)
        : await verifyExportFile(args.file, publicKey, options);
  } catch (e) {
    stderr.write(`audit-verify: cannot read the export ${args.file}: ${(e as Error).message}\n`);
    return 2;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : `${summary(result)}\n`);
  const rate = seconds > 0 ? Math.round(result.rows / seconds) : result.rows;
  stderr.write(`verified ${result.rows} rows in ${seconds.toFixed(2)} s (${rate} rows/s)\n`);
  return result.ok ? 0 : 1;
}

if (require.main === module) runAsCommand('audit-verify', () => main(process.argv.slice(2)));
