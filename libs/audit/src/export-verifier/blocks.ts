// --- blocks of bytes ------------------------------------------------------------------------------
//
// verifyExportFile and verifyExportChunks read bytes, in blocks of whole lines that go to the
// worker threads as they are (the block's memory is moved, not copied), so that the main thread
// neither splits nor decodes lines: the workers do (blockLines).

export const DEFAULT_BLOCK_BYTES = 1024 * 1024;
/** A block is decoded to one string, which V8 limits to about 2^29 characters. */
const MAX_BLOCK_BYTES = 2 ** 29 - 24;
export const LF = 0x0a;

/**
 * The lines of a block of whole lines, decoded as UTF-8 (the line break after the last one is
 * optional). The block is decoded as latin1 first, one character per byte: that is fast, and
 * gives one-byte strings, faster to parse and hash than the two-byte string UTF-8 makes of a
 * whole block as soon as one of its characters is not ASCII. The lines with a byte past ASCII
 * are decoded again as UTF-8 (the offsets in the latin1 text are those of the bytes). A line
 * break is never part of a multi-byte sequence, so this decodes as the whole block would.
 */
export function blockLines(block: Uint8Array): string[] {
  const bytes = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  const text = bytes.toString('latin1');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  // eslint-disable-next-line no-control-regex -- the ASCII range from U+0000 on purpose: anything outside it is not ASCII
  const nonAscii = /[^\x00-\x7f]/g;
  let next = nonAscii.exec(text)?.index ?? -1;
  for (let i = 0, at = 0; next >= 0 && i < lines.length; i++) {
    const end = at + lines[i].length;
    if (next < end) {
      lines[i] = bytes.toString('utf8', at, end);
      nonAscii.lastIndex = end;
      next = nonAscii.exec(text)?.index ?? -1;
    }
    at = end + 1;
  }
  return lines;
}

/** How the CSV writer starts an event or checkpoint record. */
const CSV_RECORD_STARTS = [Buffer.from('event,'), Buffer.from('checkpoint,')];

/**
 * Where a block of `n` bytes read ends: after its last line break (0: it has none). For CSV,
 * after the last line break in its second half that is followed by the start of a record as the
 * writer starts it, if any: a quoted field may hold a line break, and a record cut in two by a
 * block boundary has the next block checked again in the main thread (see ExportCheck.settle in ./verifier). A
 * guess only, which keeps that rare; what the checks find does not depend on it.
 */
function blockEnd(buf: Uint8Array, n: number, csv: boolean): number {
  const b = Buffer.from(buf.buffer, buf.byteOffset, n);
  const last = b.lastIndexOf(LF);
  if (csv) {
    for (let nl = last; nl > 0 && nl >= n / 2; nl = b.lastIndexOf(LF, nl - 1)) {
      const at = nl + 1;
      if (CSV_RECORD_STARTS.some((s) => at + s.length <= n && b.compare(s, 0, s.length, at, at + s.length) === 0))
        return at;
    }
  }
  return last + 1;
}

/**
 * Reads the input into blocks of whole lines: fills a block, ends it at a line break (see
 * blockEnd) and carries the bytes after it over to the next block.
 */
export class BlockReader {
  private rest?: Uint8Array;
  /** The input has ended: the block last returned was the last one. */
  done = false;

  constructor(
    private readonly read: (into: Uint8Array) => Promise<number>,
    private readonly blockBytes: number,
    /** Blocks back from the workers, to read into again. */
    private readonly spare: ArrayBuffer[],
    private readonly csv: () => boolean,
  ) {}

  /** The next block (a view of a buffer of its own, which the caller may hand to a worker), or undefined at the end. */
  async next(): Promise<Uint8Array | undefined> {
    if (this.done) return undefined;
    const rest = this.rest;
    this.rest = undefined;
    let size = this.blockBytes;
    while (rest && rest.length >= size) size = Math.min(size * 2, MAX_BLOCK_BYTES);
    let buf = new Uint8Array((size === this.blockBytes && this.spare.pop()) || new ArrayBuffer(size));
    let n = 0;
    if (rest) {
      buf.set(rest);
      n = rest.length;
    }
    for (;;) {
      while (n < buf.length && !this.done) {
        const got = await this.read(buf.subarray(n));
        if (got === 0) this.done = true;
        n += got;
      }
      if (this.done) return n > 0 ? buf.subarray(0, n) : undefined;
      const end = blockEnd(buf, n, this.csv());
      if (end > 0) {
        if (end < n) this.rest = buf.slice(end, n);
        return buf.subarray(0, end);
      }
      // No line break in a whole block: a longer line, read on in a larger block.
      if (buf.length >= MAX_BLOCK_BYTES) throw new Error(`a line longer than ${MAX_BLOCK_BYTES} bytes`);
      const larger = new Uint8Array(Math.min(buf.length * 2, MAX_BLOCK_BYTES));
      larger.set(buf);
      buf = larger;
    }
  }
}
