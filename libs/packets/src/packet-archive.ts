import { createHash } from 'node:crypto';
import { Readable, Transform, TransformCallback } from 'node:stream';
import {
  ARCHIVE_FILES, archiveRoot, checksumsText, ManifestEvidenceItem, manifestSha256Text, PacketManifest, verifyText,
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
  /** Opens one evidence file's stored bytes; called only when the archive reaches that file. */
  openEvidence(item: ManifestEvidenceItem): Promise<Readable>;
  /**
   * Called once an evidence file's bytes have all been read, before its last chunk is sent:
   * false (a mismatch) stops the archive, so no client takes a corrupt file for a complete one.
   */
  checkEvidence(item: ManifestEvidenceItem, sha256: string, sizeBytes: number): Promise<boolean>;
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

  const file = (name: string, data: Buffer | string): ZipEntry => ({ name: `${root}/${name}`, mtime, data: Buffer.from(data) });
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
        const checked = new HashThenRelease((sha256, size) => src.checkEvidence(item, sha256, size));
        // Both are ended by fail(): an error in either (or the client going away) ends the archive, never hangs it.
        open.push(stored, checked);
        if (failed) {
          stored.destroy();
          throw failed;
        }
        stored.on('error', (e: Error) => fail(e));
        checked.on('error', (e: Error) => fail(e));
        return stored.pipe(checked);
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

  return { stream: output, size: Promise.resolve(zip.size), destroy: (reason) => fail(reason ?? new Error('archive stopped')) };
}

/** Passes bytes through while hashing them, holding the last chunk until `check` approves the whole. */
class HashThenRelease extends Transform {
  private readonly hash = createHash('sha256');
  private held: Buffer | null = null;
  private bytes = 0;

  constructor(private readonly check: (sha256: string, sizeBytes: number) => Promise<boolean>) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    const previous = this.held;
    this.held = chunk;
    done(null, previous ?? undefined);
  }

  override _flush(done: TransformCallback): void {
    const sha256 = this.hash.digest('hex');
    this.check(sha256, this.bytes).then(
      (ok) => (ok ? done(null, this.held ?? undefined) : done(new EvidenceMismatchError(sha256, this.bytes))),
      (e: Error) => done(e),
    );
  }
}

export class EvidenceMismatchError extends Error {
  constructor(readonly sha256: string, readonly sizeBytes: number) {
    super(`stored evidence no longer matches its manifest entry (sha256 ${sha256}, ${sizeBytes} bytes)`);
  }
}
