/**
 * Packets for the verifier's tests, built by the real archive builder with a throwaway Ed25519 key: shared by
 * `packet-verifier.spec.ts` (the library) and `apps/api/src/cli/packet-verify.spec.ts` (the CLI), so that no file
 * of `libs/` imports `apps/`. Test code only: the API build leaves `testing/` folders out (apps/api/tsconfig.app.json).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fromBufferPromise } from 'yauzl';
import { ZipFile as YazlZip } from 'yazl';
import { canonicalJson } from '@app/common/canonical-json';
import { keyIdOf } from '@app/signing/signing-keys';
import { buildPacketArchive } from '../packet-archive';
import {
  archiveRoot,
  checksumsText,
  evidenceArchivePath,
  MANIFEST_FORMAT,
  ManifestEvidenceItem,
  ManifestPerson,
  PacketManifest,
  sha256Hex,
} from '../packet-format';

export const { privateKey, publicKey } = generateKeyPairSync('ed25519');
export const PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
export const KEY_ID = keyIdOf(publicKey);
export const OTHER_PEM = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

export const CASE_NUMBER = 'ION-2026-000042';
export const ROOT = archiveRoot(CASE_NUMBER, 1);

export interface EvidenceSpec {
  id: string;
  contentType: string;
  chunks: Buffer[];
}

/** A few MB in uneven chunks, a small photo: the packet most tests use. */
export const VIDEO: EvidenceSpec = {
  id: '7d0c5a52-1f0e-4b8e-9c43-000000000001',
  contentType: 'video/mp4',
  chunks: [randomBytes(1024 * 1024), randomBytes(700_000), randomBytes(1024 * 1024 + 17), randomBytes(333_333)],
};
export const PHOTO: EvidenceSpec = {
  id: '7d0c5a52-1f0e-4b8e-9c43-000000000002',
  contentType: 'image/jpeg',
  chunks: [Buffer.from('small photo: not really a JPEG, but bytes are bytes\n')],
};
export const VIDEO_PATH = evidenceArchivePath(0, VIDEO.id, VIDEO.contentType);
export const PHOTO_PATH = evidenceArchivePath(1, PHOTO.id, PHOTO.contentType);

const person = (id: string, displayName: string, role: string, badgeNumber: string | null): ManifestPerson => ({
  id,
  displayName,
  role,
  badgeNumber,
});
export const OFFICER = person('u-officer', 'Officer Dana Reyes', 'OFFICER', '4471');
export const SUPERVISOR = person('u-super', 'Sgt. Lee Park', 'SUPERVISOR', '1102');

/** Stands in for case-report.pdf: the verifier checks its bytes against the manifest, not what they draw. */
export const REPORT = Buffer.concat([Buffer.from('%PDF-1.3\n'), randomBytes(5000), Buffer.from('\n%%EOF\n')]);

/** Format /2 (with a case report) unless `format1`: a packet sent before case reports existed. */
export function manifestFor(evidence: EvidenceSpec[], format1 = false): PacketManifest {
  const items: ManifestEvidenceItem[] = evidence.map((e, i) => {
    const data = Buffer.concat(e.chunks);
    return {
      id: e.id,
      archivePath: evidenceArchivePath(i, e.id, e.contentType),
      kind: e.contentType.startsWith('video/') ? 'BODY_CAMERA' : 'PHOTO',
      contentType: e.contentType,
      sizeBytes: data.length,
      sha256: sha256Hex(data),
      originalFilename: `upload-${i + 1}`,
      deviceId: null,
      recordingOfficerBadge: '4471',
      recordedStart: '2026-11-20T17:00:00.000Z',
      recordedEnd: null,
      uploadedAt: '2026-11-20T18:00:00.000Z',
      uploadedBy: OFFICER,
      integrityStatus: 'OK',
      lastVerifiedAt: null,
    };
  });
  const caseReport = format1
    ? undefined
    : {
        file: 'case-report.pdf' as const,
        contentType: 'application/pdf' as const,
        sizeBytes: REPORT.length,
        sha256: sha256Hex(REPORT),
      };
  return {
    format: format1 ? 'ion-packet-manifest/1' : MANIFEST_FORMAT,
    packetId: 'c0ffee00-0000-4000-8000-000000000042',
    version: 1,
    office: 'CCSAO',
    sentAt: '2026-11-21T12:00:00.000Z',
    sentBy: SUPERVISOR,
    previousPacket: null,
    case: {
      id: 'case-42',
      caseNumber: CASE_NUMBER,
      title: 'Use of force, 2400 S Pulaski',
      incidentAt: '2026-11-20T16:55:00.000Z',
      status: 'APPROVED',
    },
    federalOfficers: [{ name: 'Unknown agent 1', agency: 'ICE ERO', badge: null }],
    violations: [{ citation: '720 ILCS 5/12-3.05', description: 'Aggravated battery', felony: true }],
    approvals: {
      submittedAt: '2026-11-20T19:00:00.000Z',
      submittedBy: OFFICER,
      approvedAt: '2026-11-21T11:00:00.000Z',
      approvedBy: SUPERVISOR,
    },
    evidence: items,
    ...(caseReport ? { caseReport } : {}),
    checksums: { file: 'SHA256SUMS', sha256: sha256Hex(checksumsText(PEM, items, caseReport)) },
    signing: { algorithm: 'Ed25519', keyId: KEY_ID },
  };
}

export interface Packet {
  zipPath: string;
  manifest: PacketManifest;
  manifestBytes: Buffer;
  manifestSha256: string;
}

/** The folder every helper writes into; a spec that imports this file removes it with `afterAll(removeFixtureDir)`. */
export const dir = mkdtempSync(join(tmpdir(), 'packet-verifier-'));

export function removeFixtureDir(): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A packet ZIP built by the real archive builder, written to a file whose size the builder predicted. */
export async function buildPacket(name: string, evidence: EvidenceSpec[], format1 = false): Promise<Packet> {
  const manifest = manifestFor(evidence, format1);
  const manifestBytes = Buffer.from(canonicalJson(manifest));
  const manifestSha256 = sha256Hex(manifestBytes);
  const chunks = new Map(evidence.map((e, i) => [manifest.evidence[i].archivePath, e.chunks]));
  const archive = buildPacketArchive({
    manifest,
    manifestBytes,
    manifestSha256,
    signature: sign(null, manifestBytes, privateKey),
    publicKeyPem: PEM,
    caseReport: format1 ? undefined : REPORT,
    openEvidence: async (item) => Readable.from(chunks.get(item.archivePath) as Buffer[]),
    checkEvidence: async (item, sha256, sizeBytes) => sha256 === item.sha256 && sizeBytes === item.sizeBytes,
  });
  const zipPath = join(dir, name);
  await pipeline(archive.stream, createWriteStream(zipPath));
  expect(statSync(zipPath).size).toBe(await archive.size);
  return { zipPath, manifest, manifestBytes, manifestSha256 };
}

/** Where an entry's data starts in the ZIP (after its local header) and how long it is. */
export async function entryData(zip: Buffer, rel: string): Promise<{ start: number; size: number }> {
  const z = await fromBufferPromise(zip, { lazyEntries: true });
  for await (const entry of z.eachEntry()) {
    if (entry.fileName === `${ROOT}/${rel}`) {
      const header = await z.readLocalFileHeaderPromise(entry, { minimal: true });
      z.close();
      return { start: header.fileDataStart, size: entry.compressedSize };
    }
  }
  throw new Error(`no ${rel} in the archive`);
}

/** A copy of the ZIP with one data byte of `rel` flipped (its headers untouched). */
export async function flippedCopy(src: string, rel: string, name: string, at = 0.5): Promise<string> {
  const zip = readFileSync(src);
  const { start, size } = await entryData(zip, rel);
  zip[start + Math.floor(size * at)] ^= 0x01;
  const out = join(dir, name);
  writeFileSync(out, zip);
  return out;
}

/** Every entry of a ZIP, in order, with its data. */
export async function entriesOf(zipPath: string): Promise<{ name: string; data: Buffer }[]> {
  const z = await fromBufferPromise(readFileSync(zipPath), { lazyEntries: true });
  const out: { name: string; data: Buffer }[] = [];
  for await (const entry of z.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const c of await z.openReadStreamPromise(entry)) chunks.push(c as Buffer);
    out.push({ name: entry.fileName, data: Buffer.concat(chunks) });
  }
  return out;
}

/** Writes a ZIP of the given entries (for archives the builder would never make). */
export async function zipOf(
  name: string,
  entries: { name: string; data: Buffer }[],
  compress = false,
): Promise<string> {
  const zip = new YazlZip();
  for (const e of entries) {
    if (e.name.endsWith('/')) zip.addEmptyDirectory(e.name);
    else zip.addBuffer(e.data, e.name, { compress });
  }
  zip.end();
  const out = join(dir, name);
  await pipeline(zip.outputStream, createWriteStream(out));
  return out;
}

/** Extracts a ZIP with the real unzip tool; returns the packet's root folder. */
export function unzip(zipPath: string, name: string): string {
  const into = join(dir, name);
  mkdirSync(into);
  execFileSync('/usr/bin/unzip', ['-q', zipPath, '-d', into]);
  return join(into, ROOT);
}

export function flipFile(path: string, at = 0.5): void {
  const data = readFileSync(path);
  data[Math.floor(data.length * at)] ^= 0x01;
  writeFileSync(path, data);
}
