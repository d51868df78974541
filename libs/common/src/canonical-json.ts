/**
 * Canonical JSON (RFC 8785 style for the values this service produces): object keys sorted
 * by UTF-16 code units, no insignificant whitespace, strings and numbers as JSON.stringify
 * writes them (ES number serialisation is what RFC 8785 specifies). Everything else as
 * JSON.stringify does it (what PostgreSQL's jsonb and any verifier re-reading the text get):
 * `undefined` members are dropped, an `undefined` element or a hole of a sparse array is `null`,
 * `toJSON` is honoured (dates, buffers; an invalid date is `null`), boxed primitives are unwrapped.
 * What JSON.stringify would drop or mangle silently is refused with a TypeError instead: non-finite
 * numbers, functions, symbols, bigints, a top-level `undefined`.
 *
 * Written as one pass of string concatenation, with the sorted key order remembered for the
 * last object of each size and plain strings quoted without JSON.stringify: audit rows all have
 * the same shape and the offline export verifier canonicalises every row, so sorting and
 * quoting the same keys again dominated its time. The output is byte-identical.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '');
}

/** `key` is the member name or array index (as a string) the value sits at, passed to toJSON as JSON.stringify does. */
function write(input: unknown, key: string): string {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  if (typeof value === 'string') return quote(value);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (value instanceof String || value instanceof Number || value instanceof Boolean)
        return write(value.valueOf(), key);
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          // An undefined element and a hole of a sparse array are both null, as in JSON.stringify.
          const v: unknown = value[i];
          out += v === undefined ? 'null' : write(v, String(i));
        }
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      const { sorted, quoted } = keyOrder(Object.keys(obj));
      let out = '{';
      for (let i = 0; i < sorted.length; i++) {
        const v = obj[sorted[i]];
        if (v === undefined) continue;
        if (out.length > 1) out += ',';
        out += quoted[i] + write(v, sorted[i]);
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonicalJson: unsupported type ${typeof value}`);
  }
}

/** Characters JSON.stringify escapes (lone surrogates included, so any surrogate takes the slow path). */
// eslint-disable-next-line no-control-regex -- the control characters JSON.stringify escapes, named on purpose
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of a string, without its overhead for the common string that needs no escaping. */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

interface KeyOrder {
  keys: string[];
  sorted: string[];
  /** `"key":` for each sorted key. */
  quoted: string[];
}

/** The last key list seen per length; keys come from Object.keys, so === comparisons are cheap. */
const recentKeyOrders = new Map<number, KeyOrder>();
const MEMO_MAX_KEYS = 64;

function keyOrder(keys: string[]): KeyOrder {
  const recent = recentKeyOrders.get(keys.length);
  if (recent !== undefined) {
    let same = true;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== recent.keys[i]) {
        same = false;
        break;
      }
    }
    if (same) return recent;
  }
  const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const order: KeyOrder = { keys, sorted, quoted: sorted.map((k) => `${JSON.stringify(k)}:`) };
  if (keys.length <= MEMO_MAX_KEYS) recentKeyOrders.set(keys.length, order);
  return order;
}
