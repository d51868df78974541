import { createHash, Hash } from 'node:crypto';
import { pipeline, Readable, Transform, TransformCallback } from 'node:stream';
import { StorageLengthError } from './exact-length';

/** The bytes read were the declared length, but their SHA-256 is not the one recorded (`check` answered false). */
export class DigestMismatchError extends Error {
  constructor(
    readonly sha256: string,
    readonly sizeBytes: number,
    message = `the bytes read do not match the recorded SHA-256 (read sha256 ${sha256}, ${sizeBytes} bytes)`,
  ) {
    super(message);
  }
}

export interface VerifiedStreamOptions {
  /**
   * Exactly this many bytes go out (the Content-Length sent, a ZIP entry's declared size), whatever storage
   * sends: a byte past it is never passed on, and a source ending short never ends the stream; both fail it
   * with a StorageLengthError. Never take storage's own length for it (s3rver answers a Range ending at
   * byte 0 with the whole object).
   */
  length: number;
  /**
   * Called once every byte has been read (SHA-256 and count of exactly what passed), before the last chunk
   * is released. `true` releases it and ends the stream; `false` fails the stream with `mismatch(...)`, a
   * rejection fails it with that error: either way the reader never receives a complete-looking body.
   * Absent (a Range read: no whole to compare), nothing is hashed and the end is released once the length matches.
   */
  check?: (sha256: string, sizeBytes: number) => Promise<boolean>;
  /** The error a `false` from `check` fails the stream with (default: a DigestMismatchError). */
  mismatch?: (sha256: string, sizeBytes: number) => Error;
}

/**
 * The one implementation of "hash as it streams, hold back the end until it matches", for every read of
 * stored bytes that goes out to a client (GET /evidence/:id/content, tickets, each evidence file of a
 * packet archive). Passes `source` through while counting (and, with `check`, hashing) what passes,
 * always one chunk behind: the last chunk is released only when the source has ended at exactly
 * `length` bytes and `check` (if any) approved the whole. On any failure the stream is destroyed with
 * the error, so whoever relays it cuts the connection instead of ending the body (the client can tell).
 * Destroying the returned stream (the client went away) destroys `source`; an error or premature end
 * of `source` fails the returned stream.
 */
export function verifiedStream(source: Readable, options: VerifiedStreamOptions): Readable {
  const verified = new VerifiedStream(options);
  // Errors surface on `verified` (pipeline destroys every stream with the first error); nothing to do here.
  pipeline(source, verified, () => undefined);
  return verified;
}

class VerifiedStream extends Transform {
  private readonly hash: Hash | null;
  private held: Buffer | null = null;
  private received = 0;

  constructor(private readonly options: VerifiedStreamOptions) {
    super();
    this.hash = options.check ? createHash('sha256') : null;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.options.length) {
      done(new StorageLengthError(this.options.length, this.received, true));
      return;
    }
    this.hash?.update(chunk);
    const previous = this.held;
    this.held = chunk;
    done(null, previous ?? undefined);
  }

  override _flush(done: TransformCallback): void {
    const { length, check, mismatch } = this.options;
    if (this.received !== length) {
      done(new StorageLengthError(length, this.received, false));
      return;
    }
    const release = () => done(null, this.held ?? undefined);
    if (!check || !this.hash) {
      release();
      return;
    }
    const sha256 = this.hash.digest('hex');
    const size = this.received;
    check(sha256, size).then(
      (ok) => (ok ? release() : done(mismatch ? mismatch(sha256, size) : new DigestMismatchError(sha256, size))),
      (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
    );
  }
}
