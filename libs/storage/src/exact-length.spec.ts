import { Readable } from 'node:stream';
import { exactLength, firstBytes, StorageLengthError } from './exact-length';

const source = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c)), { objectMode: false });

async function drain(r: Readable): Promise<{ bytes: string; error?: unknown }> {
  const got: Buffer[] = [];
  try {
    for await (const c of r) got.push(c as Buffer);
    return { bytes: Buffer.concat(got).toString() };
  } catch (error) {
    return { bytes: Buffer.concat(got).toString(), error };
  }
}

describe('exactLength', () => {
  it('passes a source of exactly the declared length through', async () => {
    expect(await drain(exactLength(source('abc', 'de'), 5))).toEqual({ bytes: 'abcde' });
    expect(await drain(exactLength(source(), 0))).toEqual({ bytes: '' });
  });

  it('fails without passing on the chunk that goes past the declared length', async () => {
    const r = await drain(exactLength(source('abc', 'def'), 4));
    expect(r.bytes).toBe('abc');
    expect(r.error).toBeInstanceOf(StorageLengthError);
    expect(r.error).toMatchObject({ expected: 4, received: 6, more: true });
  });

  it('fails when the source ends short', async () => {
    const r = await drain(exactLength(source('ab'), 3));
    expect(r.bytes).toBe('ab');
    expect(r.error).toMatchObject({ expected: 3, received: 2, more: false, message: 'storage sent only 2 of 3 bytes declared' });
  });

  it('passes a source error on, and destroying it destroys the source', async () => {
    const broken = new Readable({ read() { this.destroy(new Error('reset')); } });
    expect((await drain(exactLength(broken, 3))).error).toMatchObject({ message: 'reset' });
    const endless = new Readable({ read() { this.push(Buffer.alloc(16)); } });
    const guarded = exactLength(endless, 1 << 30);
    for await (const _ of guarded) break;
    expect(endless.destroyed).toBe(true);
  });
});

describe('firstBytes', () => {
  it('keeps the first n bytes, cutting inside a chunk, and stops reading the source', async () => {
    const s = source('abc', 'def', 'ghi');
    expect(await drain(firstBytes(s, 4))).toEqual({ bytes: 'abcd' });
    expect(s.destroyed).toBe(true);
    expect(await drain(firstBytes(source('a', 'b'), 1))).toEqual({ bytes: 'a' });
  });
});
