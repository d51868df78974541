import { Readable } from 'node:stream';
import { firstBytes } from './exact-length';

const source = (...chunks: string[]) =>
  Readable.from(
    chunks.map((c) => Buffer.from(c)),
    { objectMode: false },
  );

async function drain(r: Readable): Promise<{ bytes: string; error?: unknown }> {
  const got: Buffer[] = [];
  try {
    for await (const c of r) got.push(c as Buffer);
    return { bytes: Buffer.concat(got).toString() };
  } catch (error) {
    return { bytes: Buffer.concat(got).toString(), error };
  }
}

describe('firstBytes', () => {
  it('keeps the first n bytes, cutting inside a chunk, and stops reading the source', async () => {
    const s = source('abc', 'def', 'ghi');
    expect(await drain(firstBytes(s, 4))).toEqual({ bytes: 'abcd' });
    expect(s.destroyed).toBe(true);
    expect(await drain(firstBytes(source('a', 'b'), 1))).toEqual({ bytes: 'a' });
  });
});
