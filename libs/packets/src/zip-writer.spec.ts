import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { Entry, open as openZip, ZipFile } from 'yauzl';
import { ZipEntry, ZipWriter } from './zip-writer';

const MTIME = new Date('2026-11-21T12:34:56.000Z');
const dir = mkdtempSync(join(tmpdir(), 'zip-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function chunksOf(total: number, chunk: number, fill?: (i: number) => Buffer): () => Promise<AsyncIterable<Buffer>> {
  return async () =>
    (async function* () {
      for (let sent = 0, i = 0; sent < total; i++) {
        const n = Math.min(chunk, total - sent);
        yield fill ? fill(i).subarray(0, n) : Buffer.alloc(n, i % 251);
        sent += n;
      }
    })();
}

async function write(entries: ZipEntry[], name: string): Promise<{ path: string; declared: number }> {
  const zip = new ZipWriter(entries);
  const path = join(dir, name);
  await pipeline(zip.stream(), createWriteStream(path));
  return { path, declared: zip.size };
}

function entriesOf(path: string): Promise<{ entries: Entry[]; zip: ZipFile }> {
  return new Promise((resolve, reject) =>
    openZip(path, { lazyEntries: false, autoClose: false }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const entries: Entry[] = [];
      zip.on('entry', (e: Entry) => entries.push(e));
      zip.on('end', () => resolve({ entries, zip }));
      zip.on('error', reject);
    }),
  );
}

function readEntry(zip: ZipFile, e: Entry): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(e, (err, s) => {
      if (err || !s) return reject(err ?? new Error('no stream'));
      const parts: Buffer[] = [];
      s.on('data', (c: Buffer) => parts.push(c))
        .on('end', () => resolve(Buffer.concat(parts)))
        .on('error', reject);
    }),
  );
}

/** Python's zipfile checks every entry's CRC-32 against its bytes; prints name, size, crc per entry. */
function pythonCheck(path: string): string {
  return execFileSync(
    'python3',
    [
      '-c',
      `
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
if bad: sys.exit('bad CRC in ' + bad)
for i in z.infolist(): print(i.filename, i.file_size, '%08x' % i.CRC, i.date_time)
`,
      path,
    ],
    { encoding: 'utf8' },
  );
}

describe('ZipWriter', () => {
  it('writes in-memory and streamed entries that yauzl, Python zipfile and unzip read back byte for byte, at the declared size', async () => {
    const small = Buffer.from('manifest: {"a":1}\n');
    const empty = Buffer.alloc(0);
    const random = randomBytes(3 * 1024 * 1024 + 7);
    const entries: ZipEntry[] = [
      { name: 'ION-2026-000001-v1/README.txt', mtime: MTIME, data: small },
      { name: 'ION-2026-000001-v1/empty.bin', mtime: MTIME, data: empty },
      {
        name: 'ION-2026-000001-v1/evidence/01-ü.mp4',
        mtime: MTIME,
        size: random.length,
        open: chunksOf(random.length, 65_536, (i) => random.subarray(i * 65_536)),
      },
      { name: 'ION-2026-000001-v1/evidence/02-empty.bin', mtime: MTIME, size: 0, open: chunksOf(0, 1) },
    ];
    const { path, declared } = await write(entries, 'mixed.zip');
    expect(statSync(path).size).toBe(declared);

    const { entries: read, zip } = await entriesOf(path);
    expect(read.map((e) => e.fileName)).toEqual(entries.map((e) => e.name));
    const bodies = await Promise.all(read.map((e) => readEntry(zip, e)));
    zip.close();
    expect(bodies.map((b) => createHash('sha256').update(b).digest('hex'))).toEqual(
      [small, empty, random, empty].map((b) => createHash('sha256').update(b).digest('hex')),
    );
    expect(read.map((e) => e.crc32)).toEqual([small, empty, random, empty].map((b) => crc32(b)));
    expect(read[2].getLastModDate().toISOString()).toBe('2026-11-21T12:34:56.000Z');

    const py = pythonCheck(path);
    expect(py).toContain(
      `ION-2026-000001-v1/evidence/01-ü.mp4 ${random.length} ${crc32(random).toString(16).padStart(8, '0')} (2026, 11, 21, 12, 34, 56)`,
    );
    expect(execFileSync('unzip', ['-tq', path], { encoding: 'utf8' })).toMatch(/No errors detected/);
  });

  it('fails the stream when a streamed entry yields fewer or more bytes than declared', async () => {
    for (const actual of [999, 1001]) {
      const zip = new ZipWriter([{ name: 'x.bin', mtime: MTIME, size: 1000, open: chunksOf(actual, 100) }]);
      await expect(pipeline(zip.stream(), createWriteStream(join(dir, `short-${actual}.zip`)))).rejects.toThrow(
        actual < 1000 ? 'x.bin: 999 bytes, 1000 declared' : 'x.bin: more than its declared 1000 bytes',
      );
    }
  });

  it('uses ZIP64 for an entry past 4 GiB and for offsets past it, and Python (CRC included) and unzip read it', async () => {
    const big = 2 ** 32 + 5; // one entry whose size does not fit 32 bits
    const block = randomBytes(8 * 1024 * 1024);
    const after = Buffer.from('an entry whose local header starts past 4 GiB\n');
    const entries: ZipEntry[] = [
      { name: 'big.bin', mtime: MTIME, size: big, open: chunksOf(big, block.length, () => block) },
      { name: 'after.txt', mtime: MTIME, data: after },
      {
        name: 'after-streamed.txt',
        mtime: MTIME,
        size: after.length,
        open: chunksOf(after.length, 7, (i) => after.subarray(i * 7)),
      },
    ];
    const { path, declared } = await write(entries, 'zip64.zip');
    expect(statSync(path).size).toBe(declared);
    let crc = 0;
    for await (const c of await chunksOf(big, block.length, () => block)()) crc = crc32(c, crc);

    const { entries: read, zip } = await entriesOf(path);
    expect(read.map((e) => [e.fileName, e.uncompressedSize, e.relativeOffsetOfLocalHeader > 2 ** 32])).toEqual([
      ['big.bin', big, false],
      ['after.txt', after.length, true],
      ['after-streamed.txt', after.length, true],
    ]);
    expect(read[0].crc32).toBe(crc);
    expect((await readEntry(zip, read[2])).toString()).toBe(after.toString());
    zip.close();
    // Python reads every byte and checks the CRC-32 (unzip -t would read the 4 GiB a second time).
    expect(pythonCheck(path)).toContain(`big.bin ${big} ${crc.toString(16).padStart(8, '0')}`);
    expect(execFileSync('unzip', ['-lq', path], { encoding: 'utf8' })).toContain(`${big}`);
    rmSync(path);
  }, 180_000);
});
