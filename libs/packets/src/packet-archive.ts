import { Readable } from 'node:stream';
import { DigestMismatchError, StorageLengthError, verifiedStream } from '@app/storage';
import {
  ARCHIVE_FILES,
  archiveRoot,
  checksumsText,
  ManifestEvidenceItem,
  manifestSha256Text,
  PacketManifest,
  verifyText,
} from './packet-format';
import { ZipEntry, ZipWriter } from './zip-writer';

export interface PacketArchiveSource {
  manifest: PacketManifest;
  /** The manifest exactly as signed. */
  manifestBytes: Buffer;
  manifestSha256: string;
  /** Raw Ed25519 signature (64 bytes). */
  signature: Buffer;
  publicKeyPem: string;
  /** case-report.pdf, already checked against the manifest's caseReport (format /2 on; absent before). */
  caseReport?: Buffer;
  /**
   * Opens one evidence file's stored bytes as storage sends them; called only when the archive reaches that file.
   * The archive takes exactly `item.sizeBytes` of them (verifiedStream): any other length stops it.
   */
  openEvidence(item: ManifestEvidenceItem): Promise<Readable>;
  /**
   * Called once an evidence file's bytes have all been read, before its last chunk is sent:
   * false (a mismatch) stops the archive, so no client takes a corrupt file for a complete one.
   */
  checkEvidence(item: ManifestEvidenceItem, sha256: string, sizeBytes: number): Promise<boolean>;
  /** Told when storage sent another length than `item.sizeBytes` (the archive then stops): the object is not the evidence listed. */
  storageLengthFailed?(item: ManifestEvidenceItem, error: StorageLengthError): void;
}

export interface PacketArchive {
  /** The ZIP bytes. Destroyed with an error if an evidence file cannot be read or does not match. */
  stream: Readable;
  /** Total size of the ZIP, known before the first byte (all sizes are in the manifest). */
  size: Promise<number>;
  /** Stops reading storage (e.g. the client went away). */
  destroy(reason?: Error): void;
}

/**
 * Streams the packet as a stored ZIP (ZIP64 where needed; files are not compressed: video does not shrink,
 * and stored bytes are what the hashes cover), one evidence file at a time, re-hashing each on the way:
 * memory stays flat whatever the evidence size. Entries carry the send time. The ZIP is written by
 * `ZipWriter` (native CRC-32), which knows the total size before the first byte.
 */
export function buildPacketArchive(src: PacketArchiveSource): PacketArchive {
  const root = archiveRoot(src.manifest.case.caseNumber, src.manifest.version);
  const mtime = new Date(src.manifest.sentAt);
  let failed: Error | null = null;
  const open: Readable[] = [];

  const file = (name: string, data: Buffer | string): ZipEntry => ({
    name: `${root}/${name}`,
    mtime,
    data: Buffer.from(data),
  });
  const entries: ZipEntry[] = [
    file(ARCHIVE_FILES.readme, verifyText(src.manifest, src.manifestSha256)),
    file(ARCHIVE_FILES.manifest, src.manifestBytes),
    file(ARCHIVE_FILES.signature, src.signature),
    file(ARCHIVE_FILES.manifestSha256, manifestSha256Text(src.manifestSha256)),
    file(ARCHIVE_FILES.publicKey, src.publicKeyPem),
    file(ARCHIVE_FILES.checksums, checksumsText(src.publicKeyPem, src.manifest.evidence, src.manifest.caseReport)),
  ];
  if (src.caseReport) entries.push(file(ARCHIVE_FILES.caseReport, src.caseReport));
  for (const item of src.manifest.evidence) {
    entries.push({
      name: `${root}/${item.archivePath}`,
      mtime,
      size: item.sizeBytes,
      open: async () => {
        if (failed) throw failed;
        const stored = await src.openEvidence(item);
        if (failed) {
          stored.destroy();
          throw failed;
        }
        // Exactly the manifest's size, re-hashed on the way, the last chunk held until checkEvidence approves it.
        const checked = verifiedStream(stored, {
          length: item.sizeBytes,
          check: (sha256, size) => src.checkEvidence(item, sha256, size),
          mismatch: (sha256, size) => new EvidenceMismatchError(sha256, size),
        });
        // Ended by fail() (destroying it destroys `stored`): an error in either (or the client going away) ends the archive, never hangs it.
        open.push(checked);
        checked.on('error', (e: Error) => {
          if (!failed && e instanceof StorageLengthError) src.storageLengthFailed?.(item, e);
          fail(e);
        });
        return checked;
      },
    });
  }
  const zip = new ZipWriter(entries);
  const output = zip.stream();
  output.on('error', (e: Error) => fail(e));

  function fail(e: Error): void {
    if (failed) return;
    failed = e;
    for (const s of open) s.destroy(e);
    output.destroy(e);
  }

  return {
    stream: output,
    size: Promise.resolve(zip.size),
    destroy: (reason) => fail(reason ?? new Error('archive stopped')),
  };
}

export class EvidenceMismatchError extends DigestMismatchError {
  constructor(sha256: string, sizeBytes: number) {
    super(
      sha256,
      sizeBytes,
      `stored evidence no longer matches its manifest entry (sha256 ${sha256}, ${sizeBytes} bytes)`,
    );
  }
}
