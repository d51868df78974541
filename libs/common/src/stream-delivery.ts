import type { Readable, Writable } from 'node:stream';

/** Resolves when the stream can take more; rejects when it closed first (the client went away). */
export function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('client went away'));
    out.on('drain', onDrain);
    out.on('close', onClose);
  });
}

/** Writes a chunk and waits for the socket to drain when its buffer is full: flat memory for any size. */
export async function writeChunk(out: Writable, chunk: Buffer | string): Promise<void> {
  if (out.destroyed) throw new Error('client went away');
  if (!out.write(chunk)) await drained(out);
}

/** How a delivery ended. */
export interface Delivery {
  /** Bytes handed to the response. */
  bytesSent: number;
  /**
   * Every byte of the source was handed to the response and the response was ended: the download counts as
   * complete (a client that hangs up after that still got a whole body from us). False when the source
   * failed (storage, a length or hash check) or the client went away first.
   */
  complete: boolean;
  /** Why it is not complete. */
  error?: unknown;
}

/**
 * The one place that decides "a download counts as complete": relays `source` to `out` (an HTTP response
 * whose headers are set), honouring backpressure, and ends `out` once `source` ended. On a failure of
 * either side both are destroyed, so the connection is cut and never ended short (with a Content-Length
 * the client can tell its body is incomplete); the caller records the failure from the answer.
 * Never rejects.
 */
export async function deliver(source: Readable, out: Writable): Promise<Delivery> {
  let bytesSent = 0;
  // The client went away: stop reading (storage) at once, not at the next write.
  const onClose = () => source.destroy();
  out.on('close', onClose);
  try {
    for await (const chunk of source) {
      await writeChunk(out, chunk as Buffer);
      bytesSent += (chunk as Buffer).length;
    }
  } catch (error) {
    source.destroy();
    out.destroy();
    return { bytesSent, complete: false, error };
  } finally {
    out.off('close', onClose);
  }
  // Every byte was handed to the socket: complete, even if the client hung up right after.
  if (!out.destroyed) out.end();
  return { bytesSent, complete: true };
}
