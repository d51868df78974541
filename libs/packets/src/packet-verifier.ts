/**
 * Offline verification of a prosecutor packet (see ./packet-format): either the ZIP archive as
 * downloaded, or a manifest and its signature (and optionally the evidence files) on disk.
 *
 * Pure: node built-ins and yauzl only (no Nest, no database, no network), so the CLI
 * (apps/api/src/cli/packet-verify.ts) runs on an investigator's machine against a copy of the
 * packet and the service's published key.
 *
 * The checks run in a fixed order and stop at the first failure, which is named by the file that
 * does not match (`manifest.json`, `manifest.sig`, `SHA256SUMS`, `evidence/01-<id>.mp4`...).
 * Evidence files are hashed as they stream out of the archive: memory stays flat whatever their
 * size. yauzl does not check CRC-32s; the SHA-256 checks here are what count.
 */
import { createHash, KeyObject, verify } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open as openFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { Entry, openPromise as openZip, ZipFile } from 'yauzl';
import { canonicalJson } from '@app/common/canonical-json';
import { keyIdOf, publicKeyFromPem } from '@app/signing/signing-keys';
import {
  ARCHIVE_FILES,
  checksumsText,
  MANIFEST_FORMATS,
  ManifestCaseReport,
  ManifestEvidenceItem,
  PacketManifest,
  sha256Hex,
} from './packet-format';

export interface PacketCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface PacketVerification {
  ok: boolean;
  packetId?: string;
  caseNumber?: string;
  version?: number;
  office?: string;
  keyId?: string;
  manifestSha256?: string;
  /**
   * Whether the signing key was compared with a trusted key (trustedKeyPem). false: it came from
   * the packet itself, so the signature proves only that whoever holds that key signed; its id
   * must be compared with the service's published keys (GET /api/v1/keys).
   */
  keyPinned?: boolean;
  /** Every check that ran, in order; the last one failed if ok is false. */
  checks: PacketCheck[];
  /** What broke first: the file (as named in the packet) and why. */
  firstFailure: { what: string; detail: string } | null;
}

export interface PacketArchiveOptions {
  /** The key the packet must be signed with (PEM). Without it the archive's own key is used. */
  trustedKeyPem?: string;
  /** The manifest SHA-256 obtained from the service (or the sender), if any. */
  expectedManifestSha256?: string;
}

export interface PacketFilesOptions extends PacketArchiveOptions {
  manifestPath: string;
  /** The raw 64-byte signature, or its base64 text. */
  signaturePath: string;
  /** The public key to check with; defaults to the trusted key, else public-key.pem beside the manifest. */
  publicKeyPath?: string;
  /** Where the evidence files are: each at <dir>/<archivePath> or <dir>/<file name>. */
  evidenceDir?: string;
}

/** The manifest is read into memory; anything bigger is not a manifest this service writes. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const MAX_SUMS_BYTES = 16 * 1024 * 1024;
const MAX_SMALL_BYTES = 64 * 1024;
const SIGNATURE_BYTES = 64;
const HEX64 = /^[0-9a-f]{64}$/;

/** Thrown to stop at the first failure; the failure itself is already recorded. */
class Stop extends Error {}

class Recorder {
  readonly result: PacketVerification = { ok: false, checks: [], firstFailure: null };

  pass(name: string, detail: string): void {
    this.result.checks.push({ name, ok: true, detail });
  }

  fail(name: string, what: string, detail: string): never {
    this.result.checks.push({ name, ok: false, detail: name === what ? detail : `${what}: ${detail}` });
    this.result.firstFailure = { what, detail };
    throw new Stop();
  }

  async run(body: () => Promise<void>): Promise<PacketVerification> {
    try {
      await body();
      this.result.ok = true;
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
    }
    // The same key order whatever was learnt before the first failure (for --json).
    const { ok, packetId, caseNumber, version, office, keyId, manifestSha256, keyPinned, checks, firstFailure } =
      this.result;
    return { ok, packetId, caseNumber, version, office, keyId, manifestSha256, keyPinned, checks, firstFailure };
  }
}

/** An evidence file as found: its size, and its bytes on demand. */
interface FoundEvidence {
  size: number;
  open(): Promise<Readable>;
}

// ---------------------------------------------------------------------------------------------
// The archive

/**
 * Verifies a packet ZIP. Rejects (rather than reporting a failure) only when the file cannot be
 * opened at all or an option is malformed; anything wrong with the packet is a failed check.
 */
export async function verifyPacketArchive(
  zipPath: string,
  opts: PacketArchiveOptions = {},
): Promise<PacketVerification> {
  const trusted = opts.trustedKeyPem === undefined ? undefined : trustedKey(opts.trustedKeyPem);
  const expected = expectedSha256(opts.expectedManifestSha256);
  const info = await stat(zipPath);
  if (!info.isFile()) throw new Error(`${zipPath} is not a regular file`);

  const r: Recorder = new Recorder();
  let zip: ZipFile | undefined;
  try {
    return await r.run(async () => {
      // 1. A ZIP whose entries all sit under one root folder, each name once.
      const archiveName = basename(zipPath);
      const entries: Entry[] = [];
      try {
        zip = await openZip(zipPath, {
          lazyEntries: true,
          autoClose: false,
          decodeStrings: true,
          validateEntrySizes: true,
        });
        // An error closing the file after the last read has nowhere to go; the checks are done by then.
        zip.on('error', () => undefined);
        for await (const entry of zip.eachEntry()) entries.push(entry);
      } catch (e) {
        r.fail('archive', archiveName, `not a readable ZIP archive (${(e as Error).message})`);
      }
      const zipFile = zip as ZipFile;
      if (entries.length === 0) r.fail('archive', archiveName, 'the archive is empty');
      const root = entries[0].fileName.split('/')[0];
      const files = new Map<string, Entry>();
      const dirs = new Set<string>();
      for (const entry of entries) {
        const name = entry.fileName;
        if (!root || !name.startsWith(`${root}/`)) {
          r.fail(
            'archive',
            name,
            `not under the archive's root folder ${root}/ (a packet keeps every file in one folder)`,
          );
        }
        const rel = name.slice(root.length + 1);
        if (rel === '' || rel.endsWith('/')) {
          dirs.add(rel.replace(/\/$/, ''));
          continue;
        }
        // unzip would make a link (its data is the target's name), not the file that was hashed.
        if (((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000)
          r.fail('archive', rel, 'is a symbolic link');
        if (files.has(rel))
          r.fail('archive', rel, 'appears more than once in the archive (an unzip tool would keep only one copy)');
        files.set(rel, entry);
      }
      r.pass('archive', `${archiveName}: ZIP with ${files.size} files under ${root}/`);

      // 2. The fixed files.
      const required = [
        ARCHIVE_FILES.manifest,
        ARCHIVE_FILES.signature,
        ARCHIVE_FILES.manifestSha256,
        ARCHIVE_FILES.publicKey,
        ARCHIVE_FILES.checksums,
      ];
      for (const name of required) if (!files.has(name)) r.fail('required files', name, `missing from ${root}/`);
      const readme = files.has(ARCHIVE_FILES.readme)
        ? `; ${ARCHIVE_FILES.readme} present (instructions, not signed)`
        : `; no ${ARCHIVE_FILES.readme} (optional)`;
      r.pass('required files', `${required.join(', ')} present${readme}`);

      // The small files, read into memory (capped); a file that cannot be read fails at its turn.
      const limits: [string, number][] = [
        [ARCHIVE_FILES.manifest, MAX_MANIFEST_BYTES],
        [ARCHIVE_FILES.manifestSha256, MAX_SMALL_BYTES],
        [ARCHIVE_FILES.publicKey, MAX_SMALL_BYTES],
        [ARCHIVE_FILES.signature, MAX_SMALL_BYTES],
        [ARCHIVE_FILES.checksums, MAX_SUMS_BYTES],
      ];
      const small = new Map<string, Buffer | string>();
      for (const [name, max] of limits) small.set(name, await readEntry(zipFile, files.get(name) as Entry, name, max));
      const peek = (name: string): Buffer | null => {
        const got = small.get(name);
        return Buffer.isBuffer(got) ? got : null;
      };
      const read = (name: string): Buffer => {
        const got = small.get(name) as Buffer | string;
        if (typeof got === 'string') r.fail('read', name, got);
        return got;
      };

      // 3. The manifest.
      const manifestBytes = read(ARCHIVE_FILES.manifest);
      const manifest = checkManifest(r, manifestBytes);

      // 4. Its hash, as recorded in the archive (and given by the caller).
      const manifestSha256 = sha256Hex(manifestBytes);
      r.result.manifestSha256 = manifestSha256;
      checkRecordedSha256(r, manifestBytes, read(ARCHIVE_FILES.manifestSha256), ARCHIVE_FILES.manifestSha256, () =>
        signedBy(manifest, manifestBytes, peek(ARCHIVE_FILES.publicKey), peek(ARCHIVE_FILES.signature)),
      );
      checkExpectedSha256(r, manifestSha256, expected, `matches ${ARCHIVE_FILES.manifestSha256}`);

      // 5-6. The key and the signature.
      const publicKeyPem = read(ARCHIVE_FILES.publicKey).toString('utf8');
      const key = checkKey(r, manifest, publicKeyPem, ARCHIVE_FILES.publicKey, trusted);
      const signature = read(ARCHIVE_FILES.signature);
      if (signature.length !== SIGNATURE_BYTES) {
        r.fail(
          'signature',
          ARCHIVE_FILES.signature,
          `${signature.length} bytes; an Ed25519 signature is ${SIGNATURE_BYTES}`,
        );
      }
      checkSignature(r, manifestBytes, signature, key, ARCHIVE_FILES.signature);

      // 7. SHA256SUMS: covered by the signature through its hash, and fully determined by the manifest.
      const sums = read(ARCHIVE_FILES.checksums);
      checkSums(r, manifest, sums, publicKeyPem);

      // 8. The case report (format /2 on), then the evidence in manifest order, streamed.
      await checkCaseReport(r, manifest, async (report) => {
        const entry = files.get(report.file);
        return entry ? { size: entry.uncompressedSize, open: () => zipFile.openReadStreamPromise(entry) } : null;
      });
      await checkEvidence(r, manifest, async (item) => {
        const entry = files.get(item.archivePath);
        if (!entry) return null;
        return { size: entry.uncompressedSize, open: () => zipFile.openReadStreamPromise(entry) };
      });

      // 9. Nothing else: a packet is exactly what the signed manifest lists.
      const expectedFiles = new Set<string>([
        ...required,
        ARCHIVE_FILES.readme,
        ...manifest.evidence.map((e) => e.archivePath),
      ]);
      if (manifest.caseReport) expectedFiles.add(manifest.caseReport.file);
      const expectedDirs = new Set<string>(['']);
      for (const path of expectedFiles)
        for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) expectedDirs.add(path.slice(0, i));
      for (const rel of files.keys())
        if (!expectedFiles.has(rel)) r.fail('no other files', rel, 'is in the archive but not in the signed manifest');
      for (const dir of dirs)
        if (!expectedDirs.has(dir))
          r.fail('no other files', `${dir}/`, 'is a folder the signed manifest does not account for');
      r.pass('no other files', `the archive holds only the packet's files (${files.size})`);
    });
  } finally {
    zip?.close();
  }
}

/** Reads one small entry into memory, refusing more than `max` bytes; a string says why it could not. */
async function readEntry(zip: ZipFile, entry: Entry, name: string, max: number): Promise<Buffer | string> {
  if (entry.uncompressedSize > max)
    return `${entry.uncompressedSize} bytes, more than the ${max} a packet's ${name} can be`;
  try {
    const stream = await zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > max) {
        stream.destroy();
        return `more than ${max} bytes`;
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    return `cannot be read from the archive (${(e as Error).message})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Manifest and signature files on disk

/**
 * Verifies a manifest and its signature as separate files; with `evidenceDir`, also the evidence
 * files it lists. Rejects when an input file cannot be read (or no key is available at all).
 */
export async function verifyPacketFiles(opts: PacketFilesOptions): Promise<PacketVerification> {
  const trusted = opts.trustedKeyPem === undefined ? undefined : trustedKey(opts.trustedKeyPem);
  const expected = expectedSha256(opts.expectedManifestSha256);
  const manifestBytes = await readCapped(opts.manifestPath, MAX_MANIFEST_BYTES);
  const signatureFile = await readCapped(opts.signaturePath, MAX_SMALL_BYTES);
  let keyPath = opts.publicKeyPath;
  if (keyPath === undefined && trusted === undefined) {
    const beside = join(dirname(opts.manifestPath), ARCHIVE_FILES.publicKey);
    if (await isFile(beside)) keyPath = beside;
    else
      throw new Error(
        `no public key: give the key file (or a trusted key); there is no ${ARCHIVE_FILES.publicKey} beside the manifest`,
      );
  }
  // An extracted packet has the recorded manifest hash beside the manifest: it tells a changed
  // manifest.json from a changed manifest.sig.
  const recordedPath = join(dirname(opts.manifestPath), ARCHIVE_FILES.manifestSha256);
  const recordedFile = (await isFile(recordedPath)) ? await readCapped(recordedPath, MAX_SMALL_BYTES) : undefined;
  const keyFile =
    keyPath === undefined ? Buffer.from(opts.trustedKeyPem as string) : await readCapped(keyPath, MAX_SMALL_BYTES);

  const r: Recorder = new Recorder();
  return r.run(async () => {
    if (manifestBytes === null) r.fail('read', ARCHIVE_FILES.manifest, `more than ${MAX_MANIFEST_BYTES} bytes`);
    if (signatureFile === null) r.fail('read', ARCHIVE_FILES.signature, `more than ${MAX_SMALL_BYTES} bytes`);
    if (keyFile === null) r.fail('read', ARCHIVE_FILES.publicKey, `more than ${MAX_SMALL_BYTES} bytes`);
    const publicKeyPem = keyFile.toString('utf8');

    const manifest = checkManifest(r, manifestBytes);
    const manifestSha256 = sha256Hex(manifestBytes);
    r.result.manifestSha256 = manifestSha256;
    if (recordedFile !== undefined) {
      if (recordedFile === null) r.fail('read', ARCHIVE_FILES.manifestSha256, `more than ${MAX_SMALL_BYTES} bytes`);
      checkRecordedSha256(r, manifestBytes, recordedFile, `${ARCHIVE_FILES.manifestSha256} beside the manifest`, () =>
        signedBy(manifest, manifestBytes, keyFile, decodeSignature(signatureFile)),
      );
    }
    checkExpectedSha256(
      r,
      manifestSha256,
      expected,
      recordedFile !== undefined
        ? `matches ${ARCHIVE_FILES.manifestSha256} beside the manifest`
        : 'computed (no manifest.sha256 beside the manifest)',
    );

    const key = checkKey(
      r,
      manifest,
      publicKeyPem,
      keyPath === undefined ? 'trusted key' : ARCHIVE_FILES.publicKey,
      trusted,
    );
    const signature = decodeSignature(signatureFile);
    if (!signature) {
      r.fail(
        'signature',
        ARCHIVE_FILES.signature,
        `neither the raw ${SIGNATURE_BYTES}-byte Ed25519 signature nor its base64 text (${signatureFile.length} bytes)`,
      );
    }
    // Without a recorded or expected manifest hash, a changed manifest and a changed signature look the same.
    const hint =
      recordedFile === undefined && expected === undefined
        ? ` (or ${ARCHIVE_FILES.manifest} was changed: with no recorded manifest hash the two cannot be told apart)`
        : '';
    checkSignature(r, manifestBytes, signature, key, ARCHIVE_FILES.signature, hint);

    const dir = opts.evidenceDir;
    if (dir === undefined) {
      r.pass(
        'evidence',
        `not checked (no evidence folder given): ${evidenceCount(manifest.evidence.length)} listed, none read`,
      );
      return;
    }
    // The report sits beside the manifest in an extracted packet; the evidence folder may be that folder or evidence/.
    const reportDirs = [...new Set([dir, dirname(opts.manifestPath)])];
    await checkCaseReport(
      r,
      manifest,
      async (report) => {
        for (const path of reportDirs.map((d) => join(d, report.file))) {
          const s = await stat(path).catch(() => null);
          if (s?.isFile()) return { size: s.size, open: async () => createReadStream(path) };
        }
        return null;
      },
      reportDirs.join(' or '),
    );
    await checkEvidence(
      r,
      manifest,
      async (item) => {
        for (const path of [join(dir, item.archivePath), join(dir, basename(item.archivePath))]) {
          const s = await stat(path).catch(() => null);
          if (s?.isFile())
            return { size: s.size, open: async () => createReadStream(path, { highWaterMark: 1024 * 1024 }) };
        }
        return null;
      },
      dir,
    );
  });
}

/** The file's bytes, or null when it is larger than `max` (nothing more is read). */
async function readCapped(path: string, max: number): Promise<Buffer | null> {
  const handle = await openFile(path, 'r');
  try {
    const s = await handle.stat();
    if (!s.isFile()) throw new Error(`${path} is not a regular file`);
    if (s.size > max) return null;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

/** Raw 64 bytes, or base64 text of them (whitespace ignored). */
function decodeSignature(file: Buffer): Buffer | null {
  if (file.length === SIGNATURE_BYTES) return file;
  const text = file.toString('latin1').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const raw = Buffer.from(text, 'base64');
  return raw.length === SIGNATURE_BYTES ? raw : null;
}

// ---------------------------------------------------------------------------------------------
// The checks both modes share

function trustedKey(pem: string): KeyObject {
  try {
    return publicKeyFromPem(pem);
  } catch (e) {
    throw new Error(`the trusted key is not an Ed25519 public key (${(e as Error).message})`);
  }
}

function expectedSha256(hex: string | undefined): string | undefined {
  if (hex === undefined) return undefined;
  const h = hex.trim().toLowerCase();
  if (!HEX64.test(h))
    throw new Error(`the expected manifest SHA-256 must be 64 hex digits, got ${JSON.stringify(hex)}`);
  return h;
}

/**
 * The manifest hashes to the value recorded beside it ("<sha256>  manifest.json"). On a mismatch
 * either file may be the changed one: if the manifest is still validly signed, it is the record.
 */
function checkRecordedSha256(
  r: Recorder,
  manifestBytes: Buffer,
  recordedFile: Buffer,
  where: string,
  signed: () => boolean,
): void {
  const actual = sha256Hex(manifestBytes);
  const recorded = /^([0-9a-fA-F]{64}) [ *]manifest\.json\r?\n?$/
    .exec(recordedFile.toString('utf8'))?.[1]
    .toLowerCase();
  if (!recorded)
    r.fail('manifest sha256', ARCHIVE_FILES.manifestSha256, `is not a "<sha256>  ${ARCHIVE_FILES.manifest}" line`);
  if (recorded !== actual) {
    if (signed())
      r.fail(
        'manifest sha256',
        ARCHIVE_FILES.manifestSha256,
        `records ${recorded}, but the validly signed ${ARCHIVE_FILES.manifest} hashes to ${actual}`,
      );
    r.fail('manifest sha256', ARCHIVE_FILES.manifest, `hashes to ${actual}, but ${where} records ${recorded}`);
  }
}

/** Whether the manifest verifies with the key it names (for telling which file changed; not a check). */
function signedBy(m: PacketManifest, manifestBytes: Buffer, pem: Buffer | null, signature: Buffer | null): boolean {
  if (!pem || !signature || signature.length !== SIGNATURE_BYTES) return false;
  try {
    const key = publicKeyFromPem(pem.toString('utf8'));
    return keyIdOf(key) === m.signing.keyId && verify(null, manifestBytes, key, signature);
  } catch {
    return false;
  }
}

function checkExpectedSha256(r: Recorder, actual: string, expected: string | undefined, what: string): void {
  if (expected !== undefined && actual !== expected) {
    r.fail('manifest sha256', ARCHIVE_FILES.manifest, `hashes to ${actual}, not the expected ${expected}`);
  }
  r.pass('manifest sha256', `${actual} ${what}${expected !== undefined ? ' and the expected value' : ''}`);
}

/** JSON, canonical byte for byte, the packet format, and the shape the rest of the checks rely on. */
function checkManifest(r: Recorder, bytes: Buffer): PacketManifest {
  const what = ARCHIVE_FILES.manifest;
  let text: string;
  let parsed: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    r.fail('manifest', what, 'is not UTF-8 text');
  }
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    r.fail('manifest', what, `is not JSON (${(e as Error).message})`);
  }
  if (!isObject(parsed)) r.fail('manifest', what, 'is not a JSON object');
  if (!(MANIFEST_FORMATS as readonly unknown[]).includes(parsed.format)) {
    r.fail('manifest', what, `format is ${JSON.stringify(parsed.format)}, not ${MANIFEST_FORMATS.join(' or ')}`);
  }
  let canonical: string;
  try {
    canonical = canonicalJson(parsed);
  } catch (e) {
    r.fail('manifest', what, `holds a value canonical JSON cannot carry (${(e as Error).message})`);
  }
  if (!Buffer.from(canonical, 'utf8').equals(bytes)) {
    r.fail('manifest', what, 'is not in canonical form (the service signs canonical JSON: sorted keys, no whitespace)');
  }
  const problem = shapeProblem(parsed);
  if (problem) r.fail('manifest', what, problem);
  const m = parsed as unknown as PacketManifest;
  Object.assign(r.result, {
    packetId: m.packetId,
    caseNumber: m.case.caseNumber,
    version: m.version,
    office: m.office,
  });
  r.pass(
    'manifest',
    `canonical ${m.format}: packet ${m.packetId}, case ${m.case.caseNumber} v${m.version} to ${m.office}, ${evidenceCount(m.evidence.length)}`,
  );
  return m;
}

const evidenceCount = (n: number) => `${n} evidence file${n === 1 ? '' : 's'}`;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const FIXED_NAMES = new Set<string>(Object.values(ARCHIVE_FILES));

/** What the verifier needs from the manifest; null when it is all there. */
function shapeProblem(m: Record<string, unknown>): string | null {
  if (typeof m.packetId !== 'string' || !m.packetId) return 'packetId is missing';
  if (!Number.isSafeInteger(m.version) || (m.version as number) < 1) return 'version is not a positive whole number';
  if (typeof m.office !== 'string') return 'office is missing';
  if (!isObject(m.case) || typeof m.case.caseNumber !== 'string') return 'case.caseNumber is missing';
  const signing = m.signing;
  if (!isObject(signing) || signing.algorithm !== 'Ed25519' || typeof signing.keyId !== 'string')
    return 'signing is not {algorithm: "Ed25519", keyId}';
  const sums = m.checksums;
  if (
    !isObject(sums) ||
    sums.file !== ARCHIVE_FILES.checksums ||
    typeof sums.sha256 !== 'string' ||
    !HEX64.test(sums.sha256)
  ) {
    return `checksums is not {file: "${ARCHIVE_FILES.checksums}", sha256}`;
  }
  if (m.format === MANIFEST_FORMATS[0]) {
    if (m.caseReport !== undefined) return `caseReport is not part of format ${MANIFEST_FORMATS[0]}`;
  } else {
    const report = m.caseReport;
    if (!isObject(report) || report.file !== ARCHIVE_FILES.caseReport || report.contentType !== 'application/pdf') {
      return `caseReport is not {file: "${ARCHIVE_FILES.caseReport}", contentType: "application/pdf", sizeBytes, sha256}`;
    }
    if (!Number.isSafeInteger(report.sizeBytes) || (report.sizeBytes as number) < 1)
      return 'caseReport.sizeBytes is not a byte count';
    if (typeof report.sha256 !== 'string' || !HEX64.test(report.sha256))
      return 'caseReport.sha256 is not 64 lowercase hex digits';
  }
  if (!Array.isArray(m.evidence)) return 'evidence is not a list';
  const paths = new Set<string>();
  for (const [i, e] of m.evidence.entries()) {
    if (!isObject(e) || typeof e.id !== 'string') return `evidence[${i}] has no id`;
    if (!Number.isSafeInteger(e.sizeBytes) || (e.sizeBytes as number) < 0)
      return `evidence[${i}].sizeBytes is not a byte count`;
    if (typeof e.sha256 !== 'string' || !HEX64.test(e.sha256))
      return `evidence[${i}].sha256 is not 64 lowercase hex digits`;
    const p = e.archivePath;
    if (typeof p !== 'string' || !safeRelativePath(p) || FIXED_NAMES.has(p))
      return `evidence[${i}].archivePath ${JSON.stringify(p)} is not a file path inside the packet`;
    if (paths.has(p)) return `evidence[${i}].archivePath ${p} is listed twice`;
    paths.add(p);
  }
  return null;
}

/** A/b/c: no absolute path, no empty, "." or ".." segment, no backslash or control character. */
function safeRelativePath(p: string): boolean {
  // eslint-disable-next-line no-control-regex -- an archive path with a control character is refused on purpose
  if (!p || p.startsWith('/') || /[\\\u0000-\u001f]/.test(p)) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** The key is Ed25519, is the one the manifest names, and (when given) is the trusted key. */
function checkKey(
  r: Recorder,
  m: PacketManifest,
  pem: string,
  what: string,
  trusted: KeyObject | undefined,
): KeyObject {
  let key: KeyObject;
  try {
    key = publicKeyFromPem(pem);
  } catch (e) {
    r.fail('public key', what, `is not an Ed25519 public key (${(e as Error).message})`);
  }
  const keyId = keyIdOf(key);
  r.result.keyId = keyId;
  if (keyId !== m.signing.keyId)
    r.fail('public key', what, `is key ${keyId}, but the manifest says it was signed with ${m.signing.keyId}`);
  r.pass('public key', `Ed25519 key ${keyId}, as manifest.signing.keyId names`);
  if (trusted) {
    const der = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
    if (!der(key).equals(der(trusted)))
      r.fail('key trust', what, `is key ${keyId}, not the trusted key ${keyIdOf(trusted)}`);
    r.result.keyPinned = true;
    r.pass('key trust', `${keyId} is the trusted key`);
  } else {
    r.result.keyPinned = false;
    r.pass(
      'key trust',
      `NOT PINNED: the key came from the packet itself; trust it only if ${keyId} is a key the service publishes (GET /api/v1/keys)`,
    );
  }
  return key;
}

function checkSignature(
  r: Recorder,
  manifestBytes: Buffer,
  signature: Buffer,
  key: KeyObject,
  what: string,
  hint = '',
): void {
  let ok = false;
  try {
    ok = verify(null, manifestBytes, key, signature);
  } catch {
    ok = false;
  }
  if (!ok)
    r.fail(
      'signature',
      what,
      `is not a valid Ed25519 signature of ${ARCHIVE_FILES.manifest} by ${keyIdOf(key)}${hint}`,
    );
  r.pass('signature', `Ed25519 signature of ${ARCHIVE_FILES.manifest} verifies with ${keyIdOf(key)}`);
}

function checkSums(r: Recorder, m: PacketManifest, sums: Buffer, publicKeyPem: string): void {
  const what = ARCHIVE_FILES.checksums;
  const actual = sha256Hex(sums);
  if (actual !== m.checksums.sha256)
    r.fail('checksums', what, `hashes to ${actual}, but the signed manifest gives ${m.checksums.sha256}`);
  const expected = checksumsText(publicKeyPem, m.evidence, m.caseReport);
  if (!Buffer.from(expected, 'utf8').equals(sums)) {
    // Authentic (its hash is signed) but not what this key and evidence list give: either the
    // key file is not byte for byte the one the service hashed, or the manifest contradicts itself.
    const keyLine = expected.slice(0, expected.indexOf('\n') + 1);
    if (!sums.subarray(0, Buffer.byteLength(keyLine)).equals(Buffer.from(keyLine))) {
      r.fail(
        'checksums',
        ARCHIVE_FILES.publicKey,
        `does not hash to its ${what} line (the file is not byte for byte the key the service packed)`,
      );
    }
    r.fail('checksums', what, "does not list the signed manifest's evidence files and hashes");
  }
  const report = m.caseReport ? `, ${m.caseReport.file}` : '';
  r.pass(
    'checksums',
    `${what} hashes to the signed value and lists ${ARCHIVE_FILES.publicKey}${report} and ${evidenceCount(m.evidence.length)}`,
  );
}

/** case-report.pdf (format /2 on): present, and exactly the size and SHA-256 the signed manifest gives. */
async function checkCaseReport(
  r: Recorder,
  m: PacketManifest,
  find: (report: ManifestCaseReport) => Promise<FoundEvidence | null>,
  dir?: string,
): Promise<void> {
  const report = m.caseReport;
  if (!report) return;
  const found = await find(report);
  if (!found)
    r.fail(report.file, report.file, dir === undefined ? 'is missing from the archive' : `not found in ${dir}`);
  await checkFile(r, report.file, report, found);
}

async function checkEvidence(
  r: Recorder,
  m: PacketManifest,
  find: (item: ManifestEvidenceItem) => Promise<FoundEvidence | null>,
  dir?: string,
): Promise<void> {
  for (const item of m.evidence) {
    const what = item.archivePath;
    const found = await find(item);
    if (!found) {
      r.fail(
        what,
        what,
        dir === undefined
          ? 'is missing from the archive'
          : `not found in ${dir} (as ${item.archivePath} or ${basename(item.archivePath)})`,
      );
    }
    await checkFile(r, what, item, found);
  }
  if (m.evidence.length === 0) r.pass('evidence', 'no evidence files in this packet');
}

/** One file against its manifest entry: size first, then its bytes streamed through SHA-256. */
async function checkFile(
  r: Recorder,
  what: string,
  expected: { sizeBytes: number; sha256: string },
  found: FoundEvidence,
): Promise<void> {
  if (found.size !== expected.sizeBytes)
    r.fail(what, what, `is ${found.size} bytes; the manifest lists ${expected.sizeBytes}`);
  let sha256: string;
  let bytes = 0;
  try {
    const hash = createHash('sha256');
    for await (const chunk of (await found.open()) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    sha256 = hash.digest('hex');
  } catch (e) {
    r.fail(what, what, `cannot be read (${(e as Error).message})`);
  }
  if (bytes !== expected.sizeBytes) r.fail(what, what, `held ${bytes} bytes; the manifest lists ${expected.sizeBytes}`);
  if (sha256 !== expected.sha256) r.fail(what, what, `hashes to ${sha256}; the manifest lists ${expected.sha256}`);
  r.pass(what, `${expected.sizeBytes} bytes, sha256 ${expected.sha256}`);
}
