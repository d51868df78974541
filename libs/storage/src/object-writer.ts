import type { AbandonOutcome, StorageService, StoredPart } from './storage.service';

/**
 * Where in-flight multipart uploads are recorded, so an upload cut off by a crash or an
 * unreachable storage service can be aborted later instead of being left half-uploaded.
 */
export interface UploadJournal {
  opened(upload: { key: string; uploadId: string }): Promise<void>;
  partStored(uploadId: string, part: StoredPart): Promise<void>;
  closed(uploadId: string, outcome: 'COMPLETED' | AbandonOutcome, detail?: string): Promise<void>;
}

export interface WrittenObject {
  key: string;
  size: number;
  etag: string;
  versionId: string | null;
  parts: number;
}

/**
 * Streams one object into storage: chunks are gathered into parts of `partSize` bytes and each
 * full part is uploaded before more is accepted (the caller awaits `write`), so memory stays at
 * about one part whatever the object's size. An object smaller than one part is stored with a
 * single PUT at `complete()`; a larger one as a multipart upload that `complete()` finishes and
 * `abort()` abandons. Nothing is visible in the bucket before `complete()`.
 */
export class ObjectWriter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private uploadId?: string;
  private readonly parts: StoredPart[] = [];
  private written = 0;
  private state: 'open' | 'completed' | 'aborted' = 'open';
  private completedVersionId: string | null = null;

  constructor(
    private readonly storage: StorageService,
    readonly key: string,
    private contentType: string,
    private readonly partSize: number,
    private readonly journal?: UploadJournal,
  ) {}

  /** The object's Content-Type; effective until the first part is stored. */
  setContentType(contentType: string): void {
    this.contentType = contentType;
  }

  /** True once the object exists in storage. */
  get completed(): boolean {
    return this.state === 'completed';
  }

  /** The stored object's version (versioned buckets), once completed. */
  get versionId(): string | null {
    return this.completedVersionId;
  }

  /** Bytes accepted so far. */
  get size(): number {
    return this.written;
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.state !== 'open') throw new Error(`ObjectWriter for ${this.key} is ${this.state}`);
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.written += chunk.length;
    while (this.buffered >= this.partSize) {
      await this.flushPart(this.takeBuffered(this.partSize));
    }
  }

  async complete(): Promise<WrittenObject> {
    if (this.state !== 'open') throw new Error(`ObjectWriter for ${this.key} is ${this.state}`);
    if (!this.uploadId) {
      const body = this.takeBuffered(this.buffered);
      const r = await this.storage.putSmall(this.key, body, this.contentType);
      this.state = 'completed';
      this.completedVersionId = r.versionId;
      return { key: this.key, size: this.written, etag: r.etag, versionId: r.versionId, parts: 1 };
    }
    if (this.buffered > 0) await this.flushPart(this.takeBuffered(this.buffered));
    const r = await this.storage.completeMultipart(this.key, this.uploadId, this.parts);
    this.state = 'completed';
    this.completedVersionId = r.versionId;
    // The object exists now; a journal row left OPEN is harmless (its later abort finds no such upload).
    await this.journal?.closed(this.uploadId, 'COMPLETED').catch(() => undefined);
    return { key: this.key, size: this.written, etag: r.etag, versionId: r.versionId, parts: this.parts.length };
  }

  /**
   * Abandons the upload: buffered bytes are dropped and a multipart upload is aborted. Never
   * throws; returns what happened so the caller can record it.
   */
  async abort(reason: string): Promise<AbandonOutcome | 'NOTHING_STORED'> {
    if (this.state !== 'open') return 'NOTHING_STORED';
    this.state = 'aborted';
    this.chunks = [];
    this.buffered = 0;
    if (!this.uploadId) return 'NOTHING_STORED';
    let outcome: AbandonOutcome;
    try {
      outcome = await this.storage.abandonMultipart(this.key, this.uploadId, this.parts);
    } catch {
      outcome = 'ABORT_PENDING';
    }
    await this.journal?.closed(this.uploadId, outcome, reason).catch(() => undefined);
    return outcome;
  }

  private takeBuffered(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    const part = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return part;
  }

  private async flushPart(body: Buffer): Promise<void> {
    if (!this.uploadId) {
      this.uploadId = await this.storage.initiateMultipart(this.key, this.contentType);
      await this.journal?.opened({ key: this.key, uploadId: this.uploadId });
    }
    const part = await this.storage.uploadPart(this.key, this.uploadId, this.parts.length + 1, body);
    this.parts.push(part);
    await this.journal?.partStored(this.uploadId, part);
  }
}
