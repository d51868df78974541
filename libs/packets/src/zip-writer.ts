import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

/**
 * One file of a ZIP: its bytes in memory, or opened only when the archive reaches it (exactly `size`
 * bytes, or the archive fails).
 */
export type ZipEntry =
  | { name: string; mtime: Date; data: Buffer }
  | { name: string; mtime: Date; size: number; open: () => Promise<AsyncIterable<Buffer>> };

/** Past these, a field no longer fits its 32-bit (16-bit) slot and ZIP64 carries it (APPNOTE 4.3.9, 4.5.3). */
const MAX_32 = 0xfffffffe;
const MAX_16 = 0xfffe;

const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_OF_CENTRAL = 22;
const ZIP64_END_OF_CENTRAL = 56;
const ZIP64_LOCATOR = 20;
/** Extended timestamp (0x5455) with the modification time: 4 bytes of header, 5 of data. */
const TIMESTAMP_EXTRA = 9;
/** ZIP64 extra in a local header: both sizes (0 here: they follow in the data descriptor). */
const ZIP64_LOCAL_EXTRA = 20;

/** General purpose flags: bit 3 (sizes and CRC in a data descriptor after the data), bit 11 (UTF-8 names). */
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
/** Made by UNIX, APPNOTE 6.3; regular file, rw-rw-r--. */
const MADE_BY = (3 << 8) | 63;
const EXTERNAL_ATTRIBUTES = (0o100664 << 16) >>> 0;

interface Planned {
  entry: ZipEntry;
  name: Buffer;
  size: number;
  offset: number;
  /** The entry's size needs ZIP64 in its local header and data descriptor. */
  zip64: boolean;
  streamed: boolean;
  crc?: number;
}

function sizeOf(e: ZipEntry): number {
  return 'data' in e ? e.data.length : e.size;
}

/**
 * Plans a stored (uncompressed) ZIP: every offset and the total length are known before the first byte,
 * from the entries' sizes alone, so a response can announce its Content-Length. In-memory entries carry
 * their CRC-32 in the local header; streamed ones in a data descriptor after their bytes. ZIP64 is used
 * only where a size, an offset or the entry count needs it. CRC-32 is Node's native one.
 */
export class ZipWriter {
  private readonly planned: Planned[] = [];
  private readonly centralOffset: number;
  private readonly centralSize: number;
  /** The total length of the archive in bytes. */
  readonly size: number;

  constructor(entries: ZipEntry[]) {
    let offset = 0;
    for (const entry of entries) {
      const name = Buffer.from(entry.name, 'utf8');
      if (name.length > 0xffff) throw new Error(`ZIP entry name too long: ${entry.name.slice(0, 80)}…`);
      const size = sizeOf(entry);
      if (!Number.isSafeInteger(size) || size < 0) throw new Error(`ZIP entry ${entry.name}: invalid size ${size}`);
      const streamed = !('data' in entry);
      const zip64 = size > MAX_32;
      const p: Planned = {
        entry,
        name,
        size,
        offset,
        zip64,
        streamed,
        crc: 'data' in entry ? crc32(entry.data) : undefined,
      };
      this.planned.push(p);
      offset += this.localHeaderLength(p) + size + this.descriptorLength(p);
    }
    this.centralOffset = offset;
    this.centralSize = this.planned.reduce(
      (n, p) => n + CENTRAL_HEADER + p.name.length + this.centralExtraLength(p),
      0,
    );
    const end = this.needsZip64End() ? ZIP64_END_OF_CENTRAL + ZIP64_LOCATOR : 0;
    this.size = this.centralOffset + this.centralSize + end + END_OF_CENTRAL;
  }

  /**
   * The archive's bytes, one entry at a time (a streamed entry is opened when reached). A streamed entry
   * yielding more or fewer bytes than its declared size fails the stream: the offsets already sent would lie.
   */
  stream(): Readable {
    return Readable.from(this.bytes(), { objectMode: false, highWaterMark: 64 * 1024 });
  }

  private async *bytes(): AsyncGenerator<Buffer> {
    for (const p of this.planned) {
      yield this.localHeader(p);
      if ('data' in p.entry) {
        if (p.size > 0) yield p.entry.data;
        continue;
      }
      let crc = 0;
      let n = 0;
      for await (const chunk of await p.entry.open()) {
        n += chunk.length;
        if (n > p.size) throw new Error(`ZIP entry ${p.entry.name}: more than its declared ${p.size} bytes`);
        crc = crc32(chunk, crc);
        yield chunk;
      }
      if (n !== p.size) throw new Error(`ZIP entry ${p.entry.name}: ${n} bytes, ${p.size} declared`);
      p.crc = crc;
      yield this.descriptor(p);
    }
    yield this.centralDirectory();
  }

  private localHeaderLength(p: Planned): number {
    return LOCAL_HEADER + p.name.length + TIMESTAMP_EXTRA + (p.zip64 ? ZIP64_LOCAL_EXTRA : 0);
  }

  private descriptorLength(p: Planned): number {
    if (!p.streamed) return 0;
    return p.zip64 ? 24 : 16;
  }

  /** ZIP64 extra of a central header: only the fields whose 32-bit slot overflowed, in APPNOTE order. */
  private centralZip64Fields(p: Planned): number[] {
    const fields: number[] = [];
    if (p.size > MAX_32) fields.push(p.size, p.size);
    if (p.offset > MAX_32) fields.push(p.offset);
    return fields;
  }

  private centralExtraLength(p: Planned): number {
    const z = this.centralZip64Fields(p).length;
    return TIMESTAMP_EXTRA + (z ? 4 + 8 * z : 0);
  }

  private needsZip64End(): boolean {
    return this.planned.length > MAX_16 || this.centralOffset > MAX_32 || this.centralSize > MAX_32;
  }

  private localHeader(p: Planned): Buffer {
    const b = Buffer.alloc(this.localHeaderLength(p));
    const { time, date } = dosDateTime(p.entry.mtime);
    b.writeUInt32LE(0x04034b50, 0);
    b.writeUInt16LE(p.zip64 ? 45 : 20, 4);
    b.writeUInt16LE(FLAG_UTF8 | (p.streamed ? FLAG_DESCRIPTOR : 0), 6);
    b.writeUInt16LE(0, 8); // stored
    b.writeUInt16LE(time, 10);
    b.writeUInt16LE(date, 12);
    b.writeUInt32LE(p.streamed ? 0 : p.crc!, 14);
    const size32 = p.zip64 ? 0xffffffff : p.streamed ? 0 : p.size;
    b.writeUInt32LE(size32, 18);
    b.writeUInt32LE(size32, 22);
    b.writeUInt16LE(p.name.length, 26);
    b.writeUInt16LE(this.localHeaderLength(p) - LOCAL_HEADER - p.name.length, 28);
    p.name.copy(b, LOCAL_HEADER);
    let at = LOCAL_HEADER + p.name.length;
    at = writeTimestampExtra(b, at, p.entry.mtime);
    if (p.zip64) {
      b.writeUInt16LE(0x0001, at);
      b.writeUInt16LE(16, at + 2);
      // Both sizes stay 0 here; the data descriptor carries them (APPNOTE 4.3.9.2, 4.5.3).
      if (!p.streamed) {
        b.writeBigUInt64LE(BigInt(p.size), at + 4);
        b.writeBigUInt64LE(BigInt(p.size), at + 12);
      }
    }
    return b;
  }

  private descriptor(p: Planned): Buffer {
    const b = Buffer.alloc(this.descriptorLength(p));
    b.writeUInt32LE(0x08074b50, 0);
    b.writeUInt32LE(p.crc!, 4);
    if (p.zip64) {
      b.writeBigUInt64LE(BigInt(p.size), 8);
      b.writeBigUInt64LE(BigInt(p.size), 16);
    } else {
      b.writeUInt32LE(p.size, 8);
      b.writeUInt32LE(p.size, 12);
    }
    return b;
  }

  private centralDirectory(): Buffer {
    const zip64End = this.needsZip64End();
    const b = Buffer.alloc(this.size - this.centralOffset);
    let at = 0;
    for (const p of this.planned) {
      const { time, date } = dosDateTime(p.entry.mtime);
      const fields = this.centralZip64Fields(p);
      b.writeUInt32LE(0x02014b50, at);
      b.writeUInt16LE(MADE_BY, at + 4);
      b.writeUInt16LE(p.zip64 || fields.length ? 45 : 20, at + 6);
      b.writeUInt16LE(FLAG_UTF8 | (p.streamed ? FLAG_DESCRIPTOR : 0), at + 8);
      b.writeUInt16LE(0, at + 10);
      b.writeUInt16LE(time, at + 12);
      b.writeUInt16LE(date, at + 14);
      b.writeUInt32LE(p.crc!, at + 16);
      const size32 = p.size > MAX_32 ? 0xffffffff : p.size;
      b.writeUInt32LE(size32, at + 20);
      b.writeUInt32LE(size32, at + 24);
      b.writeUInt16LE(p.name.length, at + 28);
      b.writeUInt16LE(this.centralExtraLength(p), at + 30);
      b.writeUInt16LE(0, at + 32); // comment
      b.writeUInt16LE(0, at + 34); // disk
      b.writeUInt16LE(0, at + 36); // internal attributes
      b.writeUInt32LE(EXTERNAL_ATTRIBUTES, at + 38);
      b.writeUInt32LE(p.offset > MAX_32 ? 0xffffffff : p.offset, at + 42);
      p.name.copy(b, at + CENTRAL_HEADER);
      at += CENTRAL_HEADER + p.name.length;
      at = writeTimestampExtra(b, at, p.entry.mtime);
      if (fields.length) {
        b.writeUInt16LE(0x0001, at);
        b.writeUInt16LE(8 * fields.length, at + 2);
        at += 4;
        for (const f of fields) {
          b.writeBigUInt64LE(BigInt(f), at);
          at += 8;
        }
      }
    }
    const count = this.planned.length;
    if (zip64End) {
      const zip64EndOffset = this.centralOffset + this.centralSize;
      b.writeUInt32LE(0x06064b50, at);
      b.writeBigUInt64LE(BigInt(ZIP64_END_OF_CENTRAL - 12), at + 4);
      b.writeUInt16LE(MADE_BY, at + 12);
      b.writeUInt16LE(45, at + 14);
      b.writeUInt32LE(0, at + 16);
      b.writeUInt32LE(0, at + 20);
      b.writeBigUInt64LE(BigInt(count), at + 24);
      b.writeBigUInt64LE(BigInt(count), at + 32);
      b.writeBigUInt64LE(BigInt(this.centralSize), at + 40);
      b.writeBigUInt64LE(BigInt(this.centralOffset), at + 48);
      at += ZIP64_END_OF_CENTRAL;
      b.writeUInt32LE(0x07064b50, at);
      b.writeUInt32LE(0, at + 4);
      b.writeBigUInt64LE(BigInt(zip64EndOffset), at + 8);
      b.writeUInt32LE(1, at + 16);
      at += ZIP64_LOCATOR;
    }
    b.writeUInt32LE(0x06054b50, at);
    b.writeUInt16LE(0, at + 4);
    b.writeUInt16LE(0, at + 6);
    b.writeUInt16LE(zip64End ? 0xffff : count, at + 8);
    b.writeUInt16LE(zip64End ? 0xffff : count, at + 10);
    b.writeUInt32LE(zip64End ? 0xffffffff : this.centralSize, at + 12);
    b.writeUInt32LE(zip64End ? 0xffffffff : this.centralOffset, at + 16);
    b.writeUInt16LE(0, at + 20); // comment
    return b;
  }
}

function writeTimestampExtra(b: Buffer, at: number, mtime: Date): number {
  b.writeUInt16LE(0x5455, at);
  b.writeUInt16LE(5, at + 2);
  b.writeUInt8(1, at + 4); // modification time present
  b.writeUInt32LE(Math.max(0, Math.min(0xffffffff, Math.floor(mtime.getTime() / 1000))), at + 5);
  return at + TIMESTAMP_EXTRA;
}

/** MS-DOS date and time (UTC, 2-second resolution, 1980 to 2107), as the ZIP headers hold them. */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = d.getUTCFullYear();
  if (year < 1980) return { time: 0, date: (1 << 5) | 1 };
  if (year > 2107) return { time: (23 << 11) | (59 << 5) | 29, date: (127 << 9) | (12 << 5) | 31 };
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}
