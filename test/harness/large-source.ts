import { readFileSync } from 'node:fs';
import http from 'node:http';

/*
 * A large, deterministic evidence source for the 1 GiB suites (evidence-large, packets-large):
 * generated on the fly, never held whole in memory, any byte range recomputable. Plus the
 * /proc RSS reading and a GET that tolerates a cut connection.
 *
 * ION_LARGE_UPLOAD_MB shrinks the file for quick local runs (default 1024, at least 16).
 */

export const MiB = 1024 * 1024;
export const SIZE_MB = Number(process.env.ION_LARGE_UPLOAD_MB ?? 1024);
if (!Number.isInteger(SIZE_MB) || SIZE_MB < 16)
  throw new Error(`ION_LARGE_UPLOAD_MB must be an integer >= 16 (got ${process.env.ION_LARGE_UPLOAD_MB})`);
export const SIZE = SIZE_MB * MiB;
const CHUNK = MiB;
export const RSS_LIMIT = 150 * 1e6; // "150 MB"
// --- deterministic source: one seeded pseudo-random 1 MiB block; chunk i is that block with its first 8 bytes = i ---

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const BASE = (() => {
  const next = mulberry32(0x10a_2026);
  const b = Buffer.allocUnsafe(CHUNK);
  for (let i = 0; i < CHUNK; i += 4) b.writeUInt32LE(next(), i);
  return b;
})();

/** Chunk `i` of the source, freshly allocated (it may still be queued in the socket when the next is made). */
export function chunkAt(i: number): Buffer {
  const n = Math.min(CHUNK, SIZE - i * CHUNK);
  const c = Buffer.allocUnsafe(n);
  BASE.copy(c, 0, 0, n);
  const header = Buffer.alloc(8);
  header.writeBigUInt64BE(BigInt(i));
  header.copy(c, 0, 0, Math.min(8, n));
  return c;
}

export function* chunks(): Generator<Buffer> {
  for (let i = 0; i * CHUNK < SIZE; i++) yield chunkAt(i);
}

/** The source's bytes [offset, offset + length), recomputed from the rule. */
export function bytesAt(offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let written = 0;
  while (written < length) {
    const pos = offset + written;
    const i = Math.floor(pos / CHUNK);
    const within = pos - i * CHUNK;
    const c = chunkAt(i);
    written += c.copy(out, written, within, Math.min(c.length, within + (length - written)));
  }
  return out;
}

// --- helpers ---

export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

export const mb = (n: number) => (n / 1e6).toFixed(1);

export interface Received {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The response was read to its proper end. */
  complete: boolean;
  error?: string;
}

/** GET collecting the body; resolves also when the connection is cut (complete=false). */
export function get(url: string, headers: Record<string, string>): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      let error: string | undefined;
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body: Buffer.concat(parts),
          complete: res.complete,
          error,
        });
      };
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', (e) => {
        error = e.message;
      });
      res.on('aborted', () => {
        error ??= 'aborted';
      });
      res.on('end', finish);
      res.on('close', finish);
    });
    req.on('error', reject);
  });
}

/** POSTs `source` as the body (with backpressure), feeding each chunk to `onChunk`; resolves with the parsed answer. */
export function postStream(
  url: string,
  headers: Record<string, string>,
  source: Iterable<Buffer>,
  onChunk: (c: Buffer) => void = () => {},
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers }, (r) => {
      const parts: Buffer[] = [];
      r.on('data', (d: Buffer) => parts.push(d));
      r.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        try {
          resolve({ status: r.statusCode!, body: JSON.parse(text) });
        } catch {
          resolve({ status: r.statusCode!, body: text });
        }
      });
      r.on('error', reject);
    });
    req.on('error', reject);
    const it = source[Symbol.iterator]();
    const pump = () => {
      for (;;) {
        const n = it.next();
        if (n.done) {
          req.end();
          return;
        }
        onChunk(n.value);
        if (!req.write(n.value)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}
