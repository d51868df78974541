import { createHash } from 'node:crypto';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { ZipFile } from 'yazl';
import {
  ARCHIVE_FILES, archiveRoot, checksumsText, ManifestEvidenceItem, manifestSha256Text, PacketManifest, verifyText,
} from './packet-format';

export interface PacketArchiveSource {
  manifest: PacketManifest;
  /** The manifest exactly as signed. */
  manifestBytes: Buffer;
  manifestSha256: string;
  /** Raw Ed25519 signature (64 bytes). */
  signature: Buffer;
  publicKeyPem: string;
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

/** Files are stored, not compressed: video does not shrink, and stored bytes are what the hashes cover. */
const ENTRY = { compress: false, mtime: new Date(0) } as const;

/**
 * Streams the packet as a ZIP (ZIP64 where needed), one evidence file at a time, re-hashing each
 * on the way: memory stays flat whatever the evidence size. Entries carry the send time.
 */
export function buildPacketArchive(src: PacketArchiveSource): PacketArchive {
  const zip = new ZipFile();
  const root = archiveRoot(src.manifest.case.caseNumber, src.manifest.version);
  const mtime = new Date(src.manifest.sentAt);
  const output = zip.outputStream as Readable;
  let failed: Error | null = null;
  const open: Readable[] = [];

  const fail = (e: Error) => {
    if (failed) return;
    failed = e;
    for (const s of open) s.destroy();
    output.destroy(e);
  };
  zip.on('error', (e: Error) => fail(e));

  const add = (name: string, data: Buffer | string) => zip.addBuffer(Buffer.from(data), `${root}/${name}`, { ...ENTRY, mtime });
  add(ARCHIVE_FILES.readme, verifyText(src.manifest, src.manifestSha256));
  add(ARCHIVE_FILES.manifest, src.manifestBytes);
  add(ARCHIVE_FILES.signature, src.signature);
  add(ARCHIVE_FILES.manifestSha256, manifestSha256Text(src.manifestSha256));
  add(ARCHIVE_FILES.publicKey, src.publicKeyPem);
  add(ARCHIVE_FILES.checksums, checksumsText(src.publicKeyPem, src.manifest.evidence));
  for (const item of src.manifest.evidence) {
    zip.addReadStreamLazy(`${root}/${item.archivePath}`, { ...ENTRY, mtime, size: item.sizeBytes }, (cb) => {
      if (failed) return;
      src.openEvidence(item).then(
        (stored) => {
          open.push(stored);
          const checked = new HashThenRelease((sha256, size) => src.checkEvidence(item, sha256, size));
          stored.on('error', (e: Error) => fail(e));
          checked.on('error', (e: Error) => fail(e));
          cb(null, stored.pipe(checked));
        },
        (e: Error) => fail(e),
      );
    });
  }
  // yazl passes the calculated total size (-1 when unknown) to end's callback; @types/yazl omits the argument.
  const end = zip.end.bind(zip) as unknown as (options: object, sized: (total: number) => void) => void;
  const size = new Promise<number>((resolve) => end({}, (total) => resolve(total)));
  return { stream: output, size, destroy: (reason) => fail(reason ?? new Error('archive stopped')) };
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
