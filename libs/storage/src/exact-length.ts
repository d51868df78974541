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
 * Relays exactly `length` bytes of `source`: the one guard wherever stored bytes go out under a
 * declared length (Content-Length, a ZIP entry's size). A byte past `length` is never passed on:
 * the stream fails with a StorageLengthError instead, as it does when `source` ends short. The caller
 * then cuts the connection (so no client takes a short or padded body for a complete one) and
 * audits it. Destroying the returned stream destroys `source`.
 */
export function exactLength(source: Readable, length: number): Readable {
  return Readable.from(
    (async function* () {
      let received = 0;
      try {
        for await (const chunk of source) {
          received += (chunk as Buffer).length;
          if (received > length) throw new StorageLengthError(length, received, true);
          yield chunk as Buffer;
        }
      } finally {
        source.destroy();
      }
      if (received !== length) throw new StorageLengthError(length, received, false);
    })(),
    { objectMode: false },
  );
}

/**
 * The first `length` bytes of `source`, then the end (the rest is not read). Only for a source known to
 * start at the right offset and to hold at least that much, e.g. a 206 whose Content-Range says so;
 * it may hold fewer, which exactLength then catches.
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
