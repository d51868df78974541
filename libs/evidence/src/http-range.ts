/**
 * RFC 9110 §14 single byte-range parsing for evidence downloads (video players seek with Range).
 * Anything we choose not to honour yields null so the caller sends the whole object with 200,
 * which the RFC permits: a server MAY ignore the Range header field. docs/decisions/0002-own-content-sniffer-and-range-parser.md.
 */

/** Inclusive byte offsets, both within [0, size - 1]. */
export type RangeRequest = { start: number; end: number };

const RANGE_SPEC = /^(\d*)-(\d*)$/;

/**
 * Parses a Range header against an object of `size` bytes.
 * - null: no header, not a `bytes` range, malformed, or several ranges: serve the whole object (200).
 * - 'unsatisfiable': a well-formed range that selects no byte: answer 416 (Content-Range giving only the size).
 * - otherwise the range to serve (206), `end` clamped to the last byte.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest | 'unsatisfiable' | null {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid object size: ${size}`);
  if (header === undefined) return null;
  const value = header.trim();
  const eq = value.indexOf('=');
  // Range units are compared case-insensitively (RFC 9110 §14.1).
  if (eq < 0 || value.slice(0, eq).trim().toLowerCase() !== 'bytes') return null;
  // List syntax: empty elements are allowed and ignored, so "bytes=0-9," is still one range.
  const specs = value
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length !== 1) return null; // multipart/byteranges is not offered
  const m = RANGE_SPEC.exec(specs[0]);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  const first = m[1] === '' ? null : toSafeInt(m[1]);
  const last = m[2] === '' ? null : toSafeInt(m[2]);
  if (first === undefined || last === undefined) return null;

  if (first === null) {
    // Suffix range: the last `last` bytes, or the whole object when it is shorter.
    if (last === null || last === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - last), end: size - 1 };
  }
  if (last !== null && last < first) return null; // invalid per RFC 9110 §14.1.1, so ignored
  if (first >= size) return 'unsatisfiable';
  return { start: first, end: last === null ? size - 1 : Math.min(last, size - 1) };
}

/** Plain decimal digits only, and small enough to be exact; undefined when it is not. */
function toSafeInt(digits: string): number | undefined {
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : undefined;
}
