/* Offline verification of a prosecutor packet. Usage:
 *   npm run packet:verify -- <archive.zip> [--key trusted.pem] [--manifest-sha256 HEX] [--json]
 *   npm run packet:verify -- --manifest manifest.json --sig manifest.sig [--public-key public-key.pem]
 *                            [--key trusted.pem] [--evidence-dir DIR] [--manifest-sha256 HEX] [--json]
 * Exit status: 0 verified, 1 the packet fails verification, 2 usage error or unreadable input.
 *
 * --key pins the service key the packet must be signed with (as published at GET /api/v1/keys).
 * Without it the key inside the packet is used, and the output says so: the result is then only
 * as good as comparing the printed key id with the service's published ones.
 *
 * Imports only the pure verifier (no Nest, no database, no network), so it can run on an
 * investigator's machine against a copy of the packet.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { PacketVerification, verifyPacketArchive, verifyPacketFiles } from '@app/packets/packet-verifier';
import { publicKeyFromPem } from '@app/signing/signing-keys';
import { parseOrExit, runAsCommand, UsageError } from './cli-shell';

const USAGE = `usage: packet-verify <archive.zip> [--key trusted.pem] [--manifest-sha256 HEX] [--json]
       packet-verify --manifest manifest.json --sig manifest.sig [--public-key public-key.pem] [--key trusted.pem]
                     [--evidence-dir DIR] [--manifest-sha256 HEX] [--json]`;

interface Args {
  archive?: string;
  manifest?: string;
  sig?: string;
  publicKey?: string;
  evidenceDir?: string;
  keyPath?: string;
  manifestSha256?: string;
  json: boolean;
}

const VALUE_OPTIONS = {
  '--key': 'keyPath',
  '--manifest-sha256': 'manifestSha256',
  '--manifest': 'manifest',
  '--sig': 'sig',
  '--public-key': 'publicKey',
  '--evidence-dir': 'evidenceDir',
} as const;

type ValueOption = keyof typeof VALUE_OPTIONS;

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (name in VALUE_OPTIONS) {
      const value = name === a ? argv[++i] : a.slice(eq + 1);
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      const field = VALUE_OPTIONS[name as ValueOption];
      if (args[field] !== undefined) throw new UsageError(`${name} given twice`);
      args[field] = value;
    } else if (a === '--json') {
      args.json = true;
    } else if (a === '-h' || a === '--help') {
      throw new UsageError(''); // no message: the usage alone, exit 0
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option ${a}`);
    } else if (args.archive === undefined) {
      args.archive = a;
    } else {
      throw new UsageError(`only one archive, got ${args.archive} and ${a}`);
    }
  }
  if (args.manifest !== undefined || args.sig !== undefined) {
    if (args.archive !== undefined) throw new UsageError('give either an archive or --manifest and --sig, not both');
    if (args.manifest === undefined) throw new UsageError('--sig needs --manifest <manifest.json>');
    if (args.sig === undefined) throw new UsageError('--manifest needs --sig <manifest.sig>');
  } else {
    if (args.archive === undefined) throw new UsageError('missing the packet archive (or --manifest and --sig)');
    if (args.publicKey !== undefined || args.evidenceDir !== undefined) {
      throw new UsageError('--public-key and --evidence-dir go with --manifest and --sig (an archive carries its own)');
    }
  }
  if (args.manifestSha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(args.manifestSha256)) {
    throw new UsageError('--manifest-sha256 needs the 64 hex digits of the manifest SHA-256');
  }
  return args;
}

function report(r: PacketVerification): string {
  const lines = r.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  if (r.ok && r.keyPinned === false) {
    lines.push(
      `NOTE key not pinned with --key: trust in this packet comes only from comparing the key id ${r.keyId} with the keys the service publishes (GET /api/v1/keys)`,
    );
  }
  if (r.ok) {
    lines.push(
      `VERIFIED: packet ${r.packetId} (case ${r.caseNumber} v${r.version} to ${r.office}), manifest sha256 ${r.manifestSha256}, key ${r.keyId}`,
    );
  } else {
    lines.push(`NOT VERIFIED: ${r.firstFailure?.what}: ${r.firstFailure?.detail}`);
  }
  return `${lines.join('\n')}\n`;
}

function readable(path: string, what: string): string | null {
  try {
    if (!statSync(path).isFile()) return `the ${what} ${path} is not a regular file`;
    return null;
  } catch (e) {
    return `cannot read the ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

/** Runs the command; returns the exit status. Streams are parameters so the spec can drive it. */
export async function main(
  argv: string[],
  stdout: Writable = process.stdout,
  stderr: Writable = process.stderr,
): Promise<number> {
  const parsed = parseOrExit('packet-verify', USAGE, () => parseArgs(argv), stdout, stderr);
  if ('exit' in parsed) return parsed.exit;
  const { args } = parsed;

  let trustedKeyPem: string | undefined;
  if (args.keyPath !== undefined) {
    try {
      trustedKeyPem = readFileSync(args.keyPath, 'utf8');
      publicKeyFromPem(trustedKeyPem);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why =
        err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR'
          ? `cannot read it (${err.code})`
          : err.message;
      stderr.write(`packet-verify: the key ${args.keyPath} is not usable: ${why}\n`);
      return 2;
    }
  }

  const inputs: [string | undefined, string][] = [
    [args.archive, 'archive'],
    [args.manifest, 'manifest'],
    [args.sig, 'signature'],
    [args.publicKey, 'public key'],
  ];
  for (const [path, what] of inputs) {
    const problem = path === undefined ? null : readable(path, what);
    if (problem) {
      stderr.write(`packet-verify: ${problem}\n`);
      return 2;
    }
  }
  if (args.evidenceDir !== undefined) {
    let dir = false;
    try {
      dir = statSync(args.evidenceDir).isDirectory();
    } catch {
      dir = false;
    }
    if (!dir) {
      stderr.write(`packet-verify: the evidence folder ${args.evidenceDir} is not a readable folder\n`);
      return 2;
    }
  }

  const started = process.hrtime.bigint();
  let result: PacketVerification;
  const input = args.archive ?? args.manifest;
  try {
    result =
      args.archive !== undefined
        ? await verifyPacketArchive(args.archive, { trustedKeyPem, expectedManifestSha256: args.manifestSha256 })
        : await verifyPacketFiles({
            manifestPath: args.manifest as string,
            signaturePath: args.sig as string,
            publicKeyPath: args.publicKey,
            trustedKeyPem,
            evidenceDir: args.evidenceDir,
            expectedManifestSha256: args.manifestSha256,
          });
  } catch (e) {
    stderr.write(`packet-verify: cannot check ${input}: ${(e as Error).message}\n`);
    return 2;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : report(result));
  if (args.json && result.ok && result.keyPinned === false) {
    stderr.write(`packet-verify: key not pinned with --key: compare ${result.keyId} with GET /api/v1/keys\n`);
  }
  stderr.write(`checked in ${seconds.toFixed(2)} s\n`);
  return result.ok ? 0 : 1;
}

if (require.main === module) runAsCommand('packet-verify', () => main(process.argv.slice(2)));
