import { Readable } from 'node:stream';

/** Storage sent another number of bytes than the length the answer declared for them. */
export class StorageLengthError extends Error {
  constructor(
    readonly expected: number,
    /** Bytes storage sent: all of them when fewer; at least this many when `more`. */
    readonly received: number,
    readonly more: boolean,
  ) {
    super(
      more
        ? `storage sent more than the ${expected} bytes declared (at least ${received})`
        : `storage sent only ${received} of ${expected} bytes declared`,
    );
  }
}

/**
 * The first `length` bytes of `source`, then the end (the rest is not read). Only for a source known to
 * start at the right offset and to hold at least that much, e.g. a 206 whose Content-Range says so;
 * it may hold fewer, which verifiedStream (verified-stream.ts) then catches.
 */
export function firstBytes(source: Readable, length: number): Readable {
  return Readable.from(
    (async function* () {
      let left = length;
      try {
        for await (const chunk of source) {
          const c = chunk as Buffer;
          const part = c.length <= left ? c : c.subarray(0, left);
          left -= part.length;
          if (part.length) yield part;
          if (left === 0) return;
        }
      } finally {
        source.destroy();
      }
    })(),
    { objectMode: false },
  );
}
