/**
 * The packet format, shared by the service that builds packets and the offline verifier that
 * checks them. Nothing here touches a database or the network.
 *
 * A packet is a manifest (canonical JSON, see @app/common/canonical-json) and an Ed25519
 * signature over exactly those bytes. The archive adds the files needed to check it with
 * standard tools:
 *
 *   <caseNumber>-packet-v<version>/
 *     VERIFY.txt        how to check everything with sha256sum and openssl (not itself signed)
 *     manifest.json     the signed manifest, byte for byte as signed
 *     manifest.sig      the raw 64-byte Ed25519 signature of manifest.json
 *     manifest.sha256   "<sha256>  manifest.json" (the manifest hash recorded by the service)
 *     public-key.pem    the service key that signed (its id is manifest.signing.keyId)
 *     SHA256SUMS        sha256sum lines for public-key.pem, case-report.pdf and every evidence file;
 *                       its own SHA-256 is in the manifest (checksums.sha256), so the signature covers it
 *     case-report.pdf   the case as sent, printable (format /2 on; its SHA-256 and size are in the
 *                       manifest's caseReport, so the signature covers it too)
 *     evidence/NN-<evidence id>.<ext>   the evidence files, as stored, in manifest order
 *
 * Format history: /1 had no case report; /2 adds `caseReport` and the case-report.pdf file. The
 * verifier accepts both, so packets sent before /2 stay verifiable.
 */
import { createHash } from 'node:crypto';

/** The format the service writes now. */
export const MANIFEST_FORMAT = 'ion-packet-manifest/2';
/** Every format the verifier accepts: /1 (before the case report) and /2. */
export const MANIFEST_FORMATS = ['ion-packet-manifest/1', MANIFEST_FORMAT] as const;
export type ManifestFormat = (typeof MANIFEST_FORMATS)[number];

export const ARCHIVE_FILES = {
  readme: 'VERIFY.txt',
  manifest: 'manifest.json',
  signature: 'manifest.sig',
  manifestSha256: 'manifest.sha256',
  publicKey: 'public-key.pem',
  checksums: 'SHA256SUMS',
  caseReport: 'case-report.pdf',
} as const;

export const PACKET_OFFICES = ['CCSAO', 'CITY_LAW'] as const;

/** Who did something, as the manifest names them (ids stay resolvable in the audit trail). */
export interface ManifestPerson {
  id: string;
  displayName: string;
  role: string;
  badgeNumber: string | null;
}

export interface ManifestEvidenceItem {
  id: string;
  /** Path of the file inside the archive, relative to its root folder. */
  archivePath: string;
  kind: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  originalFilename: string | null;
  deviceId: string | null;
  recordingOfficerBadge: string | null;
  recordedStart: string | null;
  recordedEnd: string | null;
  uploadedAt: string;
  uploadedBy: ManifestPerson;
  /** The item's integrity state when the packet was sent (OK unless a re-verification failed). */
  integrityStatus: string;
  lastVerifiedAt: string | null;
}

export interface ManifestPreviousPacket {
  id: string;
  version: number;
  manifestSha256: string;
  decision: string | null;
  decisionReason: string | null;
  decidedAt: string | null;
}

/** The printable case report the packet carries (format /2 on): its bytes are covered through this entry. */
export interface ManifestCaseReport {
  file: typeof ARCHIVE_FILES.caseReport;
  contentType: 'application/pdf';
  sizeBytes: number;
  sha256: string;
}

export interface PacketManifest {
  format: ManifestFormat;
  packetId: string;
  version: number;
  office: string;
  sentAt: string;
  sentBy: ManifestPerson;
  previousPacket: ManifestPreviousPacket | null;
  case: Record<string, unknown> & { id: string; caseNumber: string };
  federalOfficers: unknown[];
  violations: { citation: string; description: string; felony: boolean }[];
  approvals: {
    submittedAt: string | null;
    submittedBy: ManifestPerson | null;
    approvedAt: string | null;
    approvedBy: ManifestPerson | null;
  };
  evidence: ManifestEvidenceItem[];
  /** The case report (absent in format /1 packets, which have none). */
  caseReport?: ManifestCaseReport;
  /** SHA-256 of the archive's SHA256SUMS file, which this manifest fully determines. */
  checksums: { file: typeof ARCHIVE_FILES.checksums; sha256: string };
  signing: { algorithm: 'Ed25519'; keyId: string };
}

const EXTENSIONS: Record<string, string> = {
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/x-matroska': 'mkv',
  'video/webm': 'webm',
  'video/x-msvideo': 'avi',
  'video/mp2t': 'ts',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/tiff': 'tif',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/ogg': 'ogg',
  'audio/mp4': 'm4a',
  'audio/flac': 'flac',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'application/zip': 'zip',
  'video/mpeg': 'mpg',
  'video/3gpp': '3gp',
  'video/3gpp2': '3g2',
  'video/ogg': 'ogv',
  'video/x-ms-asf': 'wmv',
  'video/x-flv': 'flv',
  'image/bmp': 'bmp',
  'image/avif': 'avif',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'audio/amr-wb': 'awb',
  'application/rtf': 'rtf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
};

/**
 * Extensions an original filename may lend a file whose bytes were not recognised (sniffed as
 * application/octet-stream): media and document formats a camera, phone or office produces, and
 * nothing a desktop would run or render as a page (no .exe, .js, .html, .svg, .lnk...).
 */
const NAME_EXTENSIONS = new Set([
  ...Object.values(EXTENSIONS),
  'mpeg',
  'm4v',
  'mts',
  'm2ts',
  'mxf',
  'dav',
  'h264',
  'h265',
  'hevc',
  'wma',
  'aiff',
  'opus',
  'jpeg',
  'tiff',
  'heif',
  'dng',
  'raw',
  'doc',
  'xls',
  'ppt',
  'odt',
  'ods',
  'csv',
  'gpx',
  'srt',
  'vtt',
]);

/**
 * The extension an evidence file carries in the archive: the one of the type sniffed from its bytes (never
 * trusted from the name) when the service knows it; else, for bytes it did not recognise, the original
 * filename's extension when it is a known media or document one (lowercased); else `bin`.
 */
export function evidenceExtension(contentType: string, originalFilename: string | null = null): string {
  const sniffed = EXTENSIONS[contentType.split(';')[0].trim().toLowerCase()];
  if (sniffed) return sniffed;
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(originalFilename ?? '');
  const named = m?.[1].toLowerCase();
  return named && NAME_EXTENSIONS.has(named) ? named : 'bin';
}

/** `evidence/03-<id>.mp4`: position first so a file listing reads in manifest order. */
export function evidenceArchivePath(
  index: number,
  evidenceId: string,
  contentType: string,
  originalFilename: string | null = null,
): string {
  return `evidence/${String(index + 1).padStart(2, '0')}-${evidenceId}.${evidenceExtension(contentType, originalFilename)}`;
}

/** The archive's root folder, so that unzipping never scatters files. */
export function archiveRoot(caseNumber: string, version: number): string {
  return `${caseNumber.replace(/[^A-Za-z0-9-]/g, '_')}-packet-v${version}`;
}

/** The SHA256SUMS file: `sha256sum -c SHA256SUMS` checks the key, the case report (when there is one) and every evidence file. */
export function checksumsText(
  publicKeyPem: string,
  evidence: Pick<ManifestEvidenceItem, 'sha256' | 'archivePath'>[],
  caseReport?: Pick<ManifestCaseReport, 'sha256' | 'file'>,
): string {
  const lines = [`${sha256Hex(publicKeyPem)}  ${ARCHIVE_FILES.publicKey}`];
  if (caseReport) lines.push(`${caseReport.sha256}  ${caseReport.file}`);
  for (const e of evidence) lines.push(`${e.sha256}  ${e.archivePath}`);
  return `${lines.join('\n')}\n`;
}

export function manifestSha256Text(manifestSha256: string): string {
  return `${manifestSha256}  ${ARCHIVE_FILES.manifest}\n`;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export const VERIFY_SCRIPT_BEGIN = '----- BEGIN VERIFY SCRIPT -----';
export const VERIFY_SCRIPT_END = '----- END VERIFY SCRIPT -----';

/** The script VERIFY.txt carries: POSIX sh, sha256sum, grep and OpenSSL 3. Stops at the first failure. */
export const VERIFY_SCRIPT = [
  'set -e',
  `sha256sum --strict -c ${ARCHIVE_FILES.manifestSha256}`,
  `openssl pkeyutl -verify -pubin -inkey ${ARCHIVE_FILES.publicKey} -rawin -in ${ARCHIVE_FILES.manifest} -sigfile ${ARCHIVE_FILES.signature}`,
  `sums=$(grep -o '"checksums":{"file":"${ARCHIVE_FILES.checksums}","sha256":"[0-9a-f]\\{64\\}"}' ${ARCHIVE_FILES.manifest} | grep -o '[0-9a-f]\\{64\\}')`,
  `echo "$sums  ${ARCHIVE_FILES.checksums}" | sha256sum --strict -c -`,
  `sha256sum --strict -c ${ARCHIVE_FILES.checksums}`,
  `echo "key id: ed25519:$(openssl pkey -pubin -in ${ARCHIVE_FILES.publicKey} -outform DER | sha256sum | cut -c1-16)"`,
  'echo "ALL CHECKS PASSED"',
].join('\n');

/** VERIFY.txt: what the packet is and how anyone can check it without this service. */
export function verifyText(m: PacketManifest, manifestSha256: string): string {
  const files = m.evidence.length
    ? m.evidence.map((e) => `  ${e.archivePath}  ${e.sizeBytes} bytes  sha256 ${e.sha256}`).join('\n')
    : '  (none: the case records why there is no footage)';
  const report = m.caseReport
    ? `\nCase report (printable, covered by the signature like the evidence):\n  ${m.caseReport.file}  ${m.caseReport.sizeBytes} bytes  sha256 ${m.caseReport.sha256}\n`
    : '';
  return `ICE ON NOTICE EVIDENCE PACKET
Case ${m.case.caseNumber}, packet version ${m.version}, sent to ${m.office} at ${m.sentAt}
Packet id ${m.packetId}
Manifest SHA-256 ${manifestSha256}
Signed with Ed25519 key ${m.signing.keyId}

Evidence files:
${files}
${report}
HOW TO VERIFY THIS PACKET
manifest.json is the signed record of the case as sent: the case, the federal personnel, the
alleged violations, who submitted and approved it, and every evidence file with its size and
SHA-256. manifest.sig is the Ed25519 signature of manifest.json, byte for byte.${
    m.caseReport
      ? `
${m.caseReport.file} is the same case as a printable report; manifest.json records its SHA-256.`
      : ''
  }

1. Trust the key. The key id is "ed25519:" followed by the first 16 hex digits of the SHA-256 of
   the public key (DER); the script's last line before ALL CHECKS PASSED prints it. Compare it
   with the key published by the service at GET /api/v1/keys, or obtained from the sending
   department, never with an id written in this file (this file is not signed): anyone can
   make a packet that checks out against a key of their own.
2. From this folder, run the script below (POSIX sh with GNU sha256sum, grep and OpenSSL 3.0 or
   later; on macOS install coreutils and openssl@3 first, the system LibreSSL and shasum differ).
   It stops at the first check that fails and prints ALL CHECKS PASSED otherwise:
   - manifest.json hashes to the recorded manifest SHA-256 (manifest.sha256);
   - the signature of manifest.json verifies with public-key.pem;
   - SHA256SUMS hashes to the value the signed manifest gives ("checksums");
   - public-key.pem${m.caseReport ? `, ${m.caseReport.file}` : ''} and every evidence file hash to their lines in SHA256SUMS.
   Save the lines between the markers as verify.sh and run: sh verify.sh

${VERIFY_SCRIPT_BEGIN}
${VERIFY_SCRIPT}
${VERIFY_SCRIPT_END}

The same checks without a shell: npm run packet:verify -- <archive.zip> [--key <trusted.pem>]
(from the service's source), which also names the first thing that does not match.
`;
}
