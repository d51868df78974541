import type { Writable } from 'node:stream';

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
