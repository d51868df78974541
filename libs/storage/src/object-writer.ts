import type { AbandonOutcome, MultipartStore, StoredPart, UploadJournal } from './storage.types';

/**
 * Part buffers (partSize bytes each) kept for reuse: a writer takes one when a part starts and gives it back once
 * the engine has stored that part. At most `keep` are kept (resident) between uploads; more are allocated while
 * more parts are in flight at once, and dropped when given back. A buffer is reused only after its part's request
 * ended with the engine's answer, which comes after it read the whole body.
 */
export class PartBuffers {
  private readonly free: Buffer[] = [];

  constructor(
    readonly partSize: number,
    private readonly keep: number,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.partSize);
  }

  /** Gives back the buffer under `part` (a view from its start); views of anything else are ignored. */
  give(part: Buffer): void {
    const whole = part.buffer;
    if (part.byteOffset !== 0 || whole.byteLength !== this.partSize || this.free.length >= this.keep) return;
    if (this.free.some((b) => b.buffer === whole)) return;
    this.free.push(Buffer.from(whole, 0, this.partSize));
  }
}

/** A multipart upload begun by an earlier writer (same key and part size), with the parts it stored. */
export interface ResumedUpload {
  uploadId: string;
  parts: StoredPart[];
}

export interface WrittenObject {
  key: string;
  size: number;
  etag: string;
  versionId: string | null;
  parts: number;
}

/**
 * Streams one object into storage: chunks are gathered into parts of `partSize` bytes and up to
 * `concurrency` full parts are uploaded at once while the next one is gathered; `write` resolves
 * once its part is under way, and waits (backpressure to the caller) while `concurrency` parts are
 * in flight. Memory per upload is therefore at most (concurrency + 1) x partSize, whatever the
 * object's size. Each chunk is copied on arrival into the part it belongs to, and the buffer of a
 * stored part is reused for a later one: no part is assembled by concatenation, and the caller's
 * chunks are free as soon as `write` returns (held until a part filled, they would outlive the young
 * generation and leave their memory to full collections: measured, several CPU-seconds per GiB). Parts are numbered in stream order, recorded in the journal in that order, and
 * completed in that order. An object smaller than one part is stored with a single PUT at
 * `complete()`; a larger one as a multipart upload that `complete()` finishes and `abort()`
 * abandons (after every part in flight has settled). A failed part fails the next `write` or
 * `complete`. Nothing is visible in the bucket before `complete()`.
 */
export class ObjectWriter {
  /** The part being filled (a partSize buffer, allocated on the first byte), and how many of its bytes are written. */
  private part: Buffer | null = null;
  private buffered = 0;
  private uploadId?: string;
  /** Parts stored, in part order up to the first gap; parts stored out of order wait in `done`. */
  private readonly parts: StoredPart[] = [];
  private readonly done = new Map<number, StoredPart>();
  private nextPart = 1;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;
  private journalChain: Promise<void> = Promise.resolve();
  private written = 0;
  private state: 'open' | 'completed' | 'aborted' = 'open';
  private completedVersionId: string | null = null;

  constructor(
    private readonly storage: MultipartStore,
    readonly key: string,
    private contentType: string,
    private readonly partSize: number,
    private readonly journal?: UploadJournal,
    private readonly concurrency = 1,
    resume?: ResumedUpload,
    private readonly buffers: PartBuffers = new PartBuffers(partSize, concurrency + 1),
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error(`ObjectWriter concurrency must be a positive integer (got ${concurrency})`);
    if (resume) {
      // Parts 1..n, each a full part: what a writer of this part size stored before (a tus upload resumed by another process).
      resume.parts.forEach((p, i) => {
        if (p.part !== i + 1 || p.size !== partSize)
          throw new Error(
            `ObjectWriter for ${key}: cannot resume upload ${resume.uploadId}: part ${i + 1} is ${JSON.stringify(p)}, not a full part`,
          );
      });
      this.uploadId = resume.uploadId;
      this.parts.push(...resume.parts);
      this.nextPart = resume.parts.length + 1;
      this.written = resume.parts.length * partSize;
    }
  }

  /** Bytes in parts stored (and journaled, in order) so far. */
  get storedBytes(): number {
    return this.parts.reduce((n, p) => n + p.size, 0);
  }

  /**
   * Waits until every part under way is stored and journaled; throws the first failure. Bytes short of a
   * full part stay buffered (a later write or complete() sends them).
   */
  async drain(): Promise<void> {
    await this.settle();
    this.throwIfFailed();
  }

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
    this.throwIfFailed();
    if (chunk.length === 0) return;
    this.written += chunk.length;
    for (let at = 0; at < chunk.length;) {
      this.part ??= this.buffers.take();
      const n = chunk.copy(this.part, this.buffered, at, Math.min(chunk.length, at + this.partSize - this.buffered));
      this.buffered += n;
      at += n;
      if (this.buffered === this.partSize) await this.flushPart(this.takeBuffered());
    }
  }

  async complete(): Promise<WrittenObject> {
    if (this.state !== 'open') throw new Error(`ObjectWriter for ${this.key} is ${this.state}`);
    if (!this.uploadId) {
      const body = this.takeBuffered();
      const r = await this.storage.putSmall(this.key, body, this.contentType);
      this.buffers.give(body);
      this.state = 'completed';
      this.completedVersionId = r.versionId;
      return { key: this.key, size: this.written, etag: r.etag, versionId: r.versionId, parts: 1 };
    }
    if (this.buffered > 0) await this.flushPart(this.takeBuffered());
    await this.settle();
    this.throwIfFailed();
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
    this.part = null;
    this.buffered = 0;
    await this.settle(); // no part may land after the abort
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

  /** The bytes gathered so far (a view of the part buffer, handed over: the next byte starts a new part). */
  private takeBuffered(): Buffer {
    const body = this.part ? this.part.subarray(0, this.buffered) : Buffer.alloc(0);
    this.part = null;
    this.buffered = 0;
    return body;
  }

  /** Starts uploading one part once fewer than `concurrency` are in flight; resolves when it is under way. */
  private async flushPart(body: Buffer): Promise<void> {
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    this.throwIfFailed();
    if (!this.uploadId) {
      const uploadId = await this.storage.initiateMultipart(this.key, this.contentType);
      this.uploadId = uploadId;
      await this.journal?.opened({ key: this.key, uploadId });
    }
    const uploadId = this.uploadId;
    const partNumber = this.nextPart++;
    const task: Promise<void> = this.storage
      .uploadPart(this.key, uploadId, partNumber, body)
      .then((part) => {
        // Stored: the engine answered after reading the whole body, so its buffer is free for a later part
        // (a failed part's buffer is never reused: its request may not have let go of it).
        this.buffers.give(body);
        return this.stored(uploadId, part);
      })
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** Moves every part stored without a gap before it into `parts`, and records them in the journal in part order. */
  private stored(uploadId: string, part: StoredPart): Promise<void> {
    this.done.set(part.part, part);
    const ready: StoredPart[] = [];
    for (let next = this.parts.length + 1; this.done.has(next); next++) {
      ready.push(this.done.get(next)!);
      this.done.delete(next);
      this.parts.push(ready[ready.length - 1]);
    }
    if (!this.journal || ready.length === 0) return Promise.resolve();
    const journal = this.journal;
    this.journalChain = this.journalChain.then(async () => {
      for (const p of ready) await journal.partStored(uploadId, p);
    });
    return this.journalChain;
  }

  /** Waits until no part is in flight (each records its own failure). */
  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    await this.journalChain.catch(() => undefined);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
