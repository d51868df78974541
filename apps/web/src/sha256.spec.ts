/// <reference types="jest" />
import { createHash, randomBytes } from 'node:crypto';
import { headDigest, HEAD_BYTES, sha256Hex } from './sha256';

const node = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe("sha256Hex (the console's digest of a file's first bytes)", () => {
  it("matches node's SHA-256 at every padding boundary and on random data", () => {
    expect(sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    for (const n of [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, HEAD_BYTES]) {
      const b = randomBytes(n);
      expect(sha256Hex(b)).toBe(node(b));
    }
  });

  it('headDigest covers exactly the first 64 KiB of a larger file', async () => {
    const b = randomBytes(HEAD_BYTES + 5000);
    expect(await headDigest(new Blob([b]))).toBe(node(b.subarray(0, HEAD_BYTES)));
    const other = Buffer.from(b);
    other[HEAD_BYTES + 10] ^= 1; // beyond the head: same digest (the size tells such files apart only if it differs)
    expect(await headDigest(new Blob([other]))).toBe(node(b.subarray(0, HEAD_BYTES)));
    other[100] ^= 1;
    expect(await headDigest(new Blob([other]))).not.toBe(node(b.subarray(0, HEAD_BYTES)));
  });
});
