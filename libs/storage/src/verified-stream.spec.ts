import { createHash, randomBytes } from 'node:crypto';
import { createServer, get, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { deliver, Delivery } from '@app/common';
import { StorageLengthError } from './exact-length';
import { DigestMismatchError, verifiedStream } from './verified-stream';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const source = (...chunks: Buffer[]) => Readable.from(chunks, { objectMode: false });
const split = (b: Buffer, ...at: number[]) => [0, ...at].map((start, i) => b.subarray(start, [...at, b.length][i]));

/** Reads `r` to its end or its error; `got` fills as chunks arrive (a check can look at what the reader has so far). */
async function drain(r: Readable, got: Buffer[] = []): Promise<{ bytes: Buffer; error?: unknown }> {
  try {
    for await (const c of r) got.push(c as Buffer);
    return { bytes: Buffer.concat(got) };
  } catch (error) {
    return { bytes: Buffer.concat(got), error };
  }
}

/** A check against a recorded SHA-256 that notes its calls and how many bytes the reader had read when it answered. */
function checker(recorded: string, got: Buffer[]) {
  const calls: { sha256: string; sizeBytes: number; readerHad: number }[] = [];
  const check = async (s: string, n: number) => {
    await new Promise((resolve) => setTimeout(resolve, 5)); // an audit write: the reader must not get the end meanwhile
    calls.push({ sha256: s, sizeBytes: n, readerHad: Buffer.concat(got).length }); // what it has read by the time the check answers
    return s === recorded;
  };
  return { calls, check };
}

describe('verifiedStream', () => {
  const file = randomBytes(100_000);
  const chunks = split(file, 30_000, 60_000, 99_000); // the last chunk: 1,000 bytes

  it('a match: every byte passes, the last chunk only after the check approved the SHA-256 of exactly what passed', async () => {
    const got: Buffer[] = [];
    const { calls, check } = checker(sha256(file), got);
    const r = await drain(verifiedStream(source(...chunks), { length: file.length, check }), got);
    expect(r.error).toBeUndefined();
    expect(r.bytes.equals(file)).toBe(true);
    expect(calls).toEqual([{ sha256: sha256(file), sizeBytes: file.length, readerHad: 99_000 }]);
  });

  it('a mismatch at the last byte: the last chunk is never released and the stream fails with the mismatch', async () => {
    const tampered = Buffer.from(file);
    tampered[tampered.length - 1] ^= 0xff;
    const got: Buffer[] = [];
    const { calls, check } = checker(sha256(file), got);
    const r = await drain(
      verifiedStream(source(...split(tampered, 30_000, 60_000, 99_000)), { length: file.length, check }),
      got,
    );
    expect(r.error).toBeInstanceOf(DigestMismatchError);
    expect(r.error).toMatchObject({ sha256: sha256(tampered), sizeBytes: file.length });
    expect(calls).toEqual([{ sha256: sha256(tampered), sizeBytes: file.length, readerHad: 99_000 }]);
    expect(r.bytes.length).toBe(99_000); // never a complete-looking body
    expect(r.bytes.equals(file.subarray(0, 99_000))).toBe(true);
  });

  it("a mismatch fails with the caller's error when it names one; a check that throws fails the stream with that error", async () => {
    const wrong = await drain(
      verifiedStream(source(...chunks), {
        length: file.length,
        check: async () => false,
        mismatch: (s, n) => new Error(`custom ${n} ${s.slice(0, 8)}`),
      }),
    );
    expect(wrong.error).toMatchObject({ message: `custom ${file.length} ${sha256(file).slice(0, 8)}` });
    const broken = await drain(
      verifiedStream(source(...chunks), {
        length: file.length,
        check: async () => {
          throw new Error('audit down');
        },
      }),
    );
    expect(broken.error).toMatchObject({ message: 'audit down' });
    expect(broken.bytes.length).toBe(99_000);
  });

  it('a short stream: fails with StorageLengthError, the last chunk held back, the check never asked', async () => {
    const got: Buffer[] = [];
    const { calls, check } = checker(sha256(file), got);
    const r = await drain(verifiedStream(source(...chunks.slice(0, 3)), { length: file.length, check }), got);
    expect(r.error).toBeInstanceOf(StorageLengthError);
    expect(r.error).toMatchObject({
      expected: file.length,
      received: 99_000,
      more: false,
      message: `storage sent only 99000 of ${file.length} bytes declared`,
    });
    // The held-back third chunk never reaches the reader. How much of the first two it read before the error is
    // timing (a stream that errors may drop what it had buffered): a prefix of at most 60,000 bytes.
    expect(r.bytes.length).toBeLessThanOrEqual(60_000);
    expect(r.bytes.equals(file.subarray(0, r.bytes.length))).toBe(true);
    expect(calls).toEqual([]);
  });

  it('a long stream past the expected length: not one byte past it is passed on, fails with StorageLengthError, no check', async () => {
    const got: Buffer[] = [];
    const { calls, check } = checker(sha256(file), got);
    const r = await drain(verifiedStream(source(...chunks, randomBytes(10)), { length: file.length, check }), got);
    expect(r.error).toBeInstanceOf(StorageLengthError);
    expect(r.error).toMatchObject({ expected: file.length, received: file.length + 10, more: true });
    expect((r.error as Error).message).toBe(
      `storage sent more than the ${file.length} bytes declared (at least ${file.length + 10})`,
    );
    expect(r.bytes.length).toBeLessThan(file.length);
    expect(calls).toEqual([]);
    // Overflow inside one chunk (s3rver answering bytes=0-0 with the whole object): nothing of it passes.
    const whole = await drain(verifiedStream(source(Buffer.from('abcdef')), { length: 1 }));
    expect(whole).toMatchObject({
      bytes: Buffer.alloc(0),
      error: expect.objectContaining({ expected: 1, received: 6, more: true }),
    });
  });

  it('without a check (a Range read): exactly `length` bytes pass, a zero-length read ends at once, other lengths fail', async () => {
    const whole = await drain(verifiedStream(source(...chunks), { length: file.length }));
    expect(whole.error).toBeUndefined();
    expect(whole.bytes.equals(file)).toBe(true);
    expect(await drain(verifiedStream(source(), { length: 0 }))).toEqual({ bytes: Buffer.alloc(0) });
    expect((await drain(verifiedStream(source(Buffer.from('ab')), { length: 3 }))).error).toMatchObject({
      received: 2,
      more: false,
    });
    expect((await drain(verifiedStream(source(Buffer.from('abcd')), { length: 3 }))).error).toMatchObject({
      received: 4,
      more: true,
    });
  });

  it('storage failing passes its error on; the reader going away (destroy) stops reading storage and never asks the check', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('reset'));
      },
    });
    expect((await drain(verifiedStream(broken, { length: 3 }))).error).toMatchObject({ message: 'reset' });
    let reads = 0;
    const endless = new Readable({
      read() {
        reads++;
        this.push(Buffer.alloc(16_384));
      },
    });
    const check = jest.fn(async () => true);
    const verified = verifiedStream(endless, { length: 1 << 30, check });
    for await (const _ of verified) break; // the client went away after the first chunk
    await new Promise((resolve) => setImmediate(resolve));
    expect(endless.destroyed).toBe(true);
    const after = reads;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reads).toBe(after);
    expect(check).not.toHaveBeenCalled();
  });
});

describe('verifiedStream relayed by deliver over HTTP (what a client sees)', () => {
  let server: Server;
  let port: number;
  let handler: (res: import('node:http').ServerResponse) => Promise<void>;
  beforeAll(async () => {
    server = createServer((_req, res) => void handler(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** Serves `stream` under Content-Length `length`; resolves with what the client got and what deliver answered. */
  async function fetchThrough(
    stream: Readable,
    length: number,
  ): Promise<{ body: Buffer; complete: boolean; delivery: Delivery }> {
    let delivered!: Promise<Delivery>;
    handler = async (res) => {
      res.setHeader('Content-Length', String(length));
      res.flushHeaders();
      delivered = deliver(stream, res);
    };
    const client = await new Promise<{ body: Buffer; complete: boolean }>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/', agent: false }, (res: IncomingMessage) => {
        const got: Buffer[] = [];
        res.on('data', (d: Buffer) => got.push(d));
        res.on('error', () => undefined); // a cut connection: 'aborted' / ECONNRESET
        res.on('close', () => resolve({ body: Buffer.concat(got), complete: res.complete }));
      }).on('error', reject);
    });
    return { ...client, delivery: await delivered };
  }

  const file = randomBytes(300_000);

  it('a match: the client gets every byte and a complete response; deliver counts it complete', async () => {
    const r = await fetchThrough(
      verifiedStream(source(...split(file, 100_000, 200_000)), {
        length: file.length,
        check: async (s) => s === sha256(file),
      }),
      file.length,
    );
    expect(r.complete).toBe(true);
    expect(r.body.equals(file)).toBe(true);
    expect(r.delivery).toEqual({ bytesSent: file.length, complete: true });
  });

  it('a mismatch at the last byte: the connection is cut before the end, the client can tell; deliver says not complete, with the mismatch', async () => {
    const tampered = Buffer.from(file);
    tampered[tampered.length - 1] ^= 1;
    const r = await fetchThrough(
      verifiedStream(source(...split(tampered, 100_000, 200_000)), {
        length: file.length,
        check: async (s) => s === sha256(file),
      }),
      file.length,
    );
    expect(r.complete).toBe(false);
    expect(r.body.length).toBe(200_000);
    expect(r.delivery).toMatchObject({ bytesSent: 200_000, complete: false, error: expect.any(DigestMismatchError) });
  });

  it('a client that goes away mid-download: deliver says not complete and storage is no longer read', async () => {
    let reads = 0;
    const endless = new Readable({
      read() {
        reads++;
        this.push(Buffer.alloc(65_536));
      },
    });
    const verified = verifiedStream(endless, { length: 1 << 30, check: async () => true });
    let delivered!: Promise<Delivery>;
    handler = async (res) => {
      res.setHeader('Content-Length', String(1 << 30));
      res.flushHeaders();
      delivered = deliver(verified, res);
    };
    await new Promise<void>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let n = 0;
        res.on('error', () => undefined);
        res.on('data', (d: Buffer) => {
          n += d.length;
          if (n > 1_000_000) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', () => undefined);
      req.on('close', () => resolve());
      req.on('timeout', () => reject(new Error('timeout')));
    });
    const d = await delivered;
    expect(d.complete).toBe(false);
    expect(d.bytesSent).toBeGreaterThan(1_000_000);
    expect(d.bytesSent).toBeLessThan(1 << 30);
    expect(endless.destroyed).toBe(true);
    const after = reads;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads).toBe(after);
  });
});
