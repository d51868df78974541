/**
 * Building blocks of the fuzz suite (test/fuzz.e2e-spec.ts): a raw HTTP client with full control
 * of bytes and headers, JWT crafting, what the app's routes take (read from Nest's and
 * class-validator's metadata, so new routes and DTO fields are fuzzed without editing this file),
 * and fast-check arbitraries for junk ids, wrong-typed values, query strings and multipart bodies.
 */
import { getMetadataStorage } from 'class-validator';
import type { MetadataStorage as TransformerMetadata } from 'class-transformer/types/MetadataStorage';
import { IS_SINGLE_LINE } from '@app/common';
import fc from 'fast-check';
import { createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { IncomingHttpHeaders, request as httpRequest } from 'node:http';

// ================================================================================================
// HTTP
// ================================================================================================

export interface FuzzRequest {
  method: string;
  /** Sent exactly as given (already percent-encoded where it must be). */
  path: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  /** Destroy the connection once this many body bytes are written (no response is expected). */
  disconnectAfter?: number;
  timeoutMs?: number;
}

export interface FuzzResponse {
  /** 0 when no response arrived (see `error`). */
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed when the response says it is JSON. */
  json: any;
  error?: string;
}

/**
 * One request on its own connection. The whole response body is read (streamed exports and
 * downloads included). Resolves with status 0 and an error when no response came.
 */
export function sendRaw(port: number, r: FuzzRequest): Promise<FuzzResponse> {
  return new Promise((resolve) => {
    let settled = false;
    let answered = false;
    const done = (res: FuzzResponse) => {
      if (settled) return;
      settled = true;
      resolve(res);
    };
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest({ host: '127.0.0.1', port, method: r.method, path: r.path, headers: r.headers, agent: false });
    } catch (e) {
      // Node refuses to send it (a character not allowed in a path or header): a generator bug, not a server answer.
      throw new Error(`the request cannot be sent: ${(e as Error).message}`);
    }
    req.setTimeout(r.timeoutMs ?? 30_000, () =>
      req.destroy(new Error(`no response within ${r.timeoutMs ?? 30_000} ms`)),
    );
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const finish = (error?: string) => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        if (/json/i.test(String(res.headers['content-type'] ?? ''))) {
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
        }
        done({ status: res.statusCode ?? 0, headers: res.headers, text, json, error });
      };
      res.on('end', () => finish(res.complete ? undefined : 'response cut short'));
      res.on('error', (e) => finish(e.message));
    });
    req.on('error', (e) => {
      if (!answered) done({ status: 0, headers: {}, text: '', json: undefined, error: e.message });
    });
    const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
    if (r.disconnectAfter !== undefined) {
      req.write(body?.subarray(0, r.disconnectAfter) ?? Buffer.alloc(0), () => {
        // Give the bytes to the socket, then cut it: the server sees a body that stops short.
        setImmediate(() => {
          req.destroy();
          done({ status: 0, headers: {}, text: '', json: undefined, error: 'client disconnected' });
        });
      });
      return;
    }
    if (body && body.length > 0) req.write(body);
    req.end();
  });
}

// ================================================================================================
// JWT
// ================================================================================================

export const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');
const HMAC = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
export type HmacAlg = keyof typeof HMAC;

/** A token signed with HMAC; `header.alg` may lie about the algorithm (confusion attempts). */
export function hmacToken(
  header: Record<string, unknown>,
  payload: unknown,
  secret: string | Buffer,
  alg: HmacAlg = 'HS256',
): string {
  const head = `${b64url(JSON.stringify(header))}.${b64url(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;
  return `${head}.${createHmac(HMAC[alg], secret).update(head).digest('base64url')}`;
}

let rsaKey: ReturnType<typeof generateKeyPairSync> | undefined;
/** A token really signed with RS256 by a key the service has never seen. */
export function rs256Token(payload: unknown, header: Record<string, unknown> = {}): string {
  rsaKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  const head = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', ...header }))}.${b64url(JSON.stringify(payload))}`;
  return `${head}.${cryptoSign('sha256', Buffer.from(head), rsaKey.privateKey).toString('base64url')}`;
}

export const nowS = () => Math.floor(Date.now() / 1000);

// ================================================================================================
// What the routes take: read from Nest's metadata
// ================================================================================================

export { routeInfos } from './nest-routes';
export type { RouteInfo } from './nest-routes';

// ================================================================================================
// What a DTO accepts: read from class-validator's metadata
// ================================================================================================

export type FieldKind = 'string' | 'int' | 'number' | 'bool' | 'array' | 'nested' | 'true' | 'empty' | 'other';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  optional: boolean;
  /** Only values of a closed set or shape pass (enum, ISO date, UUID, anchored pattern): a `~` prefix makes any string invalid. */
  closed: boolean;
  /** Longest accepted string, when one is set. */
  maxLength: number | null;
  /** Shortest accepted string (an empty string is invalid when > 0). */
  minLength: number;
  /** A single-line text field (@IsSingleLine): control characters are refused. */
  singleLine: boolean;
  /** The DTO of a nested field (its @Type), when it has one. */
  nestedDto: (new () => object) | null;
  /** A list (@IsArray, or nested with `each`): its items are addressed as `name.0`. */
  array: boolean;
}

/** class-transformer's @Type registry (the class of a nested DTO); its main entry does not export it. */
const transformerMetadata =
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module path of class-transformer, typed here by hand
  (require('class-transformer/cjs/storage') as { defaultMetadataStorage: TransformerMetadata }).defaultMetadataStorage;

export function dtoFields(dto: new () => object): FieldSpec[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const byProp = new Map<string, typeof metas>();
  for (const m of metas) byProp.set(m.propertyName, [...(byProp.get(m.propertyName) ?? []), m]);
  const out: FieldSpec[] = [];
  for (const [name, ms] of byProp) {
    const names = new Set(ms.map((m) => String(m.name ?? m.type).toLowerCase()));
    const has = (n: string) => names.has(n);
    const optional = ms.some((m) => m.type === 'conditionalValidation');
    const nested = ms.some((m) => m.type === 'nestedValidation');
    const named = (n: string) => ms.find((m) => String(m.name).toLowerCase() === n);
    const length = named('islength');
    const maxL = named('maxlength');
    const minL = named('minlength');
    const matches = ms.filter((m) => m.name === 'matches').map((m) => m.constraints?.[0] as RegExp | string);
    const isInValues = named('isin')?.constraints?.[0] as unknown[] | undefined;
    const eq = named('equals');
    let kind: FieldKind = 'other';
    if (nested) kind = 'nested';
    else if (has('isboolean')) kind = 'bool';
    else if (has('isint')) kind = 'int';
    else if (has('isnumber')) kind = 'number';
    else if (eq && eq.constraints?.[0] === true) kind = 'true';
    else if (has('isempty')) kind = 'empty';
    else if (has('isarray')) kind = 'array';
    else if (
      has('isstring') ||
      has('isiso8601') ||
      has('isuuid') ||
      matches.length ||
      (isInValues && isInValues.every((v) => typeof v === 'string'))
    )
      kind = 'string';
    const anchored = matches.some((r) => String(r instanceof RegExp ? r.source : r).startsWith('^'));
    out.push({
      name,
      kind,
      optional,
      closed: kind === 'string' && (has('isiso8601') || has('isuuid') || !!isInValues || anchored),
      maxLength:
        (length?.constraints?.[1] as number | undefined) ?? (maxL?.constraints?.[0] as number | undefined) ?? null,
      minLength:
        (length?.constraints?.[0] as number | undefined) ?? (minL?.constraints?.[0] as number | undefined) ?? 0,
      singleLine: has(IS_SINGLE_LINE.toLowerCase()),
      nestedDto: nested
        ? ((transformerMetadata.findTypeMetadata(dto, name)?.typeFunction() as (new () => object) | undefined) ?? null)
        : null,
      array: has('isarray') || ms.some((m) => m.each === true),
    });
  }
  return out;
}

// ================================================================================================
// Arbitraries
// ================================================================================================

/**
 * Characters that break things, each reachable on its own: every C0 control (U+0000 first), DEL, C1
 * controls, lone surrogates (both halves, both ends of their ranges), noncharacters, BOM, U+FFFD, line
 * and paragraph separators, zero-width and bidi-override characters, a combining mark, astral
 * characters (emoji, the last code point, a tag), and the ASCII characters that quote or escape.
 *
 * Why this exists: fast-check 4's `fc.string()` unit is 'grapheme-ascii' (printable ASCII only),
 * 'grapheme' leaves out controls and lone surrogates, and 'binary-ascii' draws U+0000 once in 128
 * characters of short strings; and the properties only ever put that text where validation refused
 * the request for another reason first (a wrong-typed field, an unknown key, a `~`-prefixed closed
 * value, a string over its limit). So U+0000 never reached PostgreSQL in a field that accepts text,
 * and the 500s of issue 14 went unseen for thousands of cases.
 */
export const SPECIAL_CHARS: readonly string[] = [
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  '\u007f',
  '\u0080',
  '\u0085',
  '\u009b',
  '\u009f',
  '\u00a0',
  '\u00ad',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\ufdd0',
  '\ufdef',
  '\ufffe',
  '\uffff',
  '\ufeff',
  '\ufffd',
  '\u2028',
  '\u2029',
  '\u200b',
  '\u200d',
  '\u202e',
  '\u0301',
  '\u{1F693}',
  '\u{10FFFF}',
  '\u{E0001}',
  '\u{1FFFE}',
  '\u{10000}',
  '"',
  '\\',
  '%',
  "'",
  '<',
  '&',
  '/',
  '.',
  ' ',
];

/**
 * One character from anywhere in Unicode, biased toward SPECIAL_CHARS: a special character, printable
 * ASCII, any UTF-16 unit (lone surrogates included) or any code point U+0000..U+10FFFF.
 */
export const anyChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_CHARS) },
  { weight: 3, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
);

/**
 * Text for a field of `minLength`..`maxLength` characters: lengths biased to the boundaries (0, 1,
 * min-1, min, max-1, max, max+1, twice max), filled from a short random piece (cheap for long text),
 * with special characters placed at the start, the end and anywhere in between.
 */
export function hostileText(opts: { minLength?: number; maxLength?: number | null } = {}): fc.Arbitrary<string> {
  const min = opts.minLength ?? 0;
  const max = opts.maxLength ?? 300;
  const boundaries = [...new Set([0, 1, 2, min - 1, min, min + 1, max - 1, max, max + 1, 2 * max])]
    .filter((n) => n >= 0)
    .sort((a, b) => a - b);
  const length = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...boundaries) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: Math.min(max + 1, 40) }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: max + 1 }) },
  );
  // U+0000 gets its own share: the one character no text column can hold.
  const special = fc.oneof({ weight: 12, arbitrary: anyChar }, { weight: 1, arbitrary: fc.constant('\u0000') });
  const placed = fc.array(
    fc.tuple(fc.constantFrom<'start' | 'end' | 'any'>('start', 'end', 'any'), fc.nat(), special),
    { maxLength: 4 },
  );
  return fc.tuple(length, fc.array(anyChar, { minLength: 1, maxLength: 6 }), placed).map(([n, piece, specials]) => {
    const chars = Array.from({ length: n }, (_, i) => piece[i % piece.length]);
    for (const [where, k, ch] of specials) {
      if (n === 0) break;
      chars[where === 'start' ? 0 : where === 'end' ? n - 1 : k % n] = ch;
    }
    return chars.join('');
  });
}

/** Short text of any kind: printable ASCII, full Unicode graphemes, ASCII controls, and text from anywhere in Unicode (hostileText). */
export const anyText = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary-ascii', maxLength }),
    { weight: 3, arbitrary: hostileText({ maxLength }) },
  );

/** A long string of `min`..`max` characters, built by repeating a short random piece (cheap to generate). */
export const longText = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.string({
        unit: fc.constantFrom('a', 'Z', '9', ' ', 'é', '日', '🚓', '\u0000', '%', '"', '\\'),
        minLength: 1,
        maxLength: 6,
      }),
      fc.integer({ min, max }),
    )
    .map(([piece, n]) => piece.repeat(Math.ceil(n / piece.length)).slice(0, n));

/**
 * `min`..`max` bytes (sizes spread over the whole range: fast-check's own arrays stay short by
 * default), filled from a seed so that runs replay and generation stays cheap.
 */
export const bytes = (min: number, max: number): fc.Arbitrary<Buffer> =>
  fc
    .tuple(fc.oneof(fc.integer({ min, max: Math.min(max, min + 64) }), fc.integer({ min, max })), fc.integer())
    .map(([n, seed]) => {
      const out = Buffer.alloc(n);
      let x = seed | 0 || 0x9e3779b9;
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        out[i] = x & 0xff;
      }
      return out;
    });

/** JSON values of every kind, small. */
export const jsonJunk: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

/** A JSON text nested `depth` levels deep (objects or arrays), built without recursion. */
export function deepJsonText(depth: number, shape: 'object' | 'array', leaf = '"x"'): string {
  return shape === 'object'
    ? '{"a":'.repeat(depth) + leaf + '}'.repeat(depth)
    : '['.repeat(depth) + leaf + ']'.repeat(depth);
}

const nonIntegerNumber = fc
  .double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
  .filter((d) => !Number.isInteger(d));
const smallObject = fc.dictionary(fc.string({ maxLength: 8 }), jsonJunk, { minKeys: 0, maxKeys: 3 });
const smallArray = fc.array(jsonJunk, { maxLength: 3 });

/** JSON text of a value the field cannot accept, whatever its optionality (null and absence are never used). */
export function wrongValueFor(f: FieldSpec): fc.Arbitrary<string> {
  const j = (a: fc.Arbitrary<unknown>) => a.map((v) => JSON.stringify(v));
  const deep = fc
    .integer({ min: 50, max: 400 })
    .chain((d) => fc.constantFrom(deepJsonText(d, 'object'), deepJsonText(d, 'array', '1')));
  switch (f.kind) {
    case 'string': {
      const options: fc.Arbitrary<string>[] = [
        j(fc.integer()),
        j(nonIntegerNumber),
        j(fc.boolean()),
        j(smallArray),
        j(smallObject),
        deep,
      ];
      if (f.closed) options.push(j(anyText().map((s) => `~${s}`)));
      if (f.minLength > 0) options.push(fc.constant('""'));
      // Lengths count code points (a surrogate pair is one): twice the limit in UTF-16 units is always too long.
      if (f.maxLength !== null) options.push(j(longText(2 * f.maxLength + 2, Math.max(2 * f.maxLength + 2, 200_000))));
      return fc.oneof(...options);
    }
    case 'int':
      return fc.oneof(
        j(anyText()),
        j(fc.integer().map(String)),
        j(nonIntegerNumber),
        j(fc.boolean()),
        j(smallArray),
        j(smallObject),
        deep,
      );
    case 'number':
      return fc.oneof(j(anyText()), j(fc.boolean()), j(smallArray), j(smallObject));
    case 'bool':
      return fc.oneof(
        j(anyText()),
        j(fc.constantFrom('true', 'false', '1', '0')),
        j(fc.integer()),
        j(smallArray),
        j(smallObject),
        deep,
      );
    case 'true':
      return fc.oneof(j(fc.constant(false)), j(anyText()), j(fc.integer()), j(smallArray), j(smallObject));
    case 'empty':
      return fc.oneof(
        j(anyText().filter((s) => s !== '')),
        j(fc.integer()),
        j(fc.boolean()),
        j(smallArray),
        j(smallObject),
      );
    case 'array':
      return fc.oneof(
        j(anyText()),
        j(fc.integer()),
        j(fc.boolean()),
        j(smallObject),
        j(
          fc.array(
            anyText().map((s) => `~${s}`),
            { minLength: 1, maxLength: 4 },
          ),
        ),
        j(fc.integer({ min: 51, max: 500 }).map((n) => Array.from({ length: n }, (_, i) => `~${i}`))),
      );
    case 'nested':
      return fc.oneof(
        j(anyText()),
        j(fc.integer()),
        j(fc.boolean()),
        j(smallObject),
        // Arrays whose items are not objects.
        j(fc.array(fc.oneof(anyText(), fc.integer(), fc.boolean()), { minLength: 1, maxLength: 4 })),
        deep.filter((s) => s.startsWith('{')),
      );
    case 'other':
      return fc.constant('"~"').filter(() => false);
  }
}

/** Keys a DTO does not declare, of any shape (never an Object.prototype member: see `PROTOTYPE_KEYS`). */
export function unknownKey(known: ReadonlySet<string>): fc.Arbitrary<string> {
  return fc
    .oneof(
      anyText(30),
      fc.constantFrom(
        'id',
        'status',
        'role',
        'createdBy',
        'district',
        'caseNumber',
        'isAdmin',
        '$where',
        'a.b',
        '0',
        '',
      ),
      // Lone surrogates (valid JSON escapes, not valid Unicode): they end up in error messages and audit details.
      fc.constantFrom('\ud800', 'x\udfff', '\udbff\udbff', '\udc00\ud800'),
    )
    .filter((k) => !known.has(k) && !isPrototypeKey(k));
}

/** Keys that name Object.prototype members or reach the prototype chain. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
] as const;
export function isPrototypeKey(k: string): boolean {
  return k === '__proto__' || k === 'prototype' || k in Object.prototype;
}

/** Joins JSON-text members into an object text (keys may repeat; order kept). */
export function objectText(members: [string, string][]): string {
  return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

// --- path ids --------------------------------------------------------------------------------------

export interface Segment {
  /** The path segment as sent (URL-safe). */
  segment: string;
  /** What was generated, for counterexamples. */
  raw: string;
}

/** Ids that are not the id of anything: junk of every kind, near-misses of real ids, and well-formed UUIDs of nothing. */
export function junkIdSegment(realIds: readonly string[]): fc.Arbitrary<Segment> {
  const real = new Set(realIds.map((i) => i.toLowerCase()));
  const near = fc
    .tuple(
      fc.constantFrom(...realIds),
      fc.nat(),
      fc.constantFrom('swap', 'cut', 'grow', 'braces', 'urn', 'space', 'hexflip', 'nohyphen', 'nul'),
    )
    .map(([id, n, how]) => {
      const i = n % id.length;
      switch (how) {
        case 'swap':
          return id.slice(0, i) + 'g' + id.slice(i + 1);
        case 'cut':
          return id.slice(0, i);
        case 'grow':
          return id + '0';
        case 'braces':
          return `{${id}}`;
        case 'urn':
          return `urn:uuid:${id}`;
        case 'space':
          return ` ${id} `;
        case 'hexflip': {
          const hex = [...id].map((c, k) => (/[0-9a-f]/.test(c) ? k : -1)).filter((k) => k >= 0);
          const k = hex[n % hex.length];
          return id.slice(0, k) + (id[k] === '0' ? '1' : '0') + id.slice(k + 1); // a valid UUID of nothing
        }
        case 'nohyphen':
          return id.replace(/-/g, '');
        default:
          return `${id}\u0000`;
      }
    });
  const strings = fc
    .oneof(
      { weight: 3, arbitrary: anyText(60) },
      { weight: 1, arbitrary: longText(1000, 10_000) },
      { weight: 1, arbitrary: fc.oneof(fc.integer().map(String), fc.double().map(String), fc.bigInt().map(String)) },
      { weight: 2, arbitrary: near },
      {
        weight: 2,
        arbitrary: fc.oneof(
          fc.uuid(),
          fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
        ),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '../',
          '..',
          '.',
          '../../etc/passwd',
          '..%2f..%2f',
          "' OR 1=1 --",
          '1; DROP TABLE cases',
          '${id}',
          ':id',
          '*',
          'null',
          'undefined',
          '[object Object]',
        ),
      },
    )
    .filter((s) => s.length > 0 && !real.has(s.toLowerCase()));
  const encoded = strings.map((s) => {
    let segment: string;
    try {
      segment = encodeURIComponent(s);
    } catch {
      segment = encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'));
    }
    return { segment, raw: s };
  });
  // Segments sent as they are: percent-encodings of NUL, slashes and dots, and broken escapes.
  const rawSegments = fc
    .constantFrom(
      '%00',
      '%2e%2e',
      '%2e',
      '%2F',
      '..%2F..%2Fusers',
      '%252e%252e',
      '%C0%AE%C0%AE',
      '%ff%fe',
      '%u002e',
      'a;b=c',
      '%20',
      '+',
      '%0d%0aX-Injected:%201',
      '~',
      "!$&'()*+,;=:@",
    )
    .map((s) => ({ segment: s, raw: s }));
  return fc.oneof({ weight: 8, arbitrary: encoded }, { weight: 1, arbitrary: rawSegments });
}

// --- query strings --------------------------------------------------------------------------------

/** A query value: sane, numeric edge cases, bad dates, long or Unicode junk. */
export const queryValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: anyText(30) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '1',
      '0',
      '-1',
      '20',
      '100',
      '101',
      '1000',
      '1001',
      '1.5',
      '-0',
      '1e3',
      '1e400',
      'NaN',
      'Infinity',
      '-Infinity',
      '0x10',
      ' 1',
      '1 ',
      '',
      'true',
      'false',
      'null',
      '[]',
      '{}',
    ),
  },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '2026-11-20T14:05:00-06:00',
      '2026-02-30T00:00:00Z',
      '2026-13-01',
      '0000-01-01T00:00:00Z',
      '+275760-09-13T00:00:00Z',
      '-271821-04-20T00:00:00Z',
      '9999-12-31T23:59:59.999999999Z',
      '2026-11-20T25:61:61Z',
      '2026-11-20',
      '1970-01-01T00:00:00Z',
      'yesterday',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'PENDING',
      'IN_REVIEW',
      'DECIDED',
      'PENDING,IN_REVIEW',
      ',,,',
      'pending',
      'DRAFT',
      'SUBMITTED',
      'OFFICER',
      'ADMIN',
      'SUCCESS',
      'DENIED',
      'ndjson',
      'csv',
      'xml',
      'oldest',
      'newest',
      'case.submitted',
      'auth.unauthenticated',
    ),
  },
  { weight: 1, arbitrary: fc.oneof(fc.uuid(), fc.constant('00000000-0000-0000-0000-000000000000')) },
  { weight: 1, arbitrary: longText(500, 3000) },
);

/** A query string of known and unknown keys (repeated keys make arrays), encoded, with the odd raw junk piece. */
export function queryString(knownKeys: readonly string[]): fc.Arbitrary<{ query: string; pairs: [string, string][] }> {
  const key = knownKeys.length
    ? fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...knownKeys) },
        { weight: 1, arbitrary: anyText(20) },
        { weight: 1, arbitrary: fc.constantFrom('a[b]', 'a[]', '__proto__', 'constructor[prototype][x]', 'page[0]') },
      )
    : fc.oneof(anyText(20), fc.constantFrom('page', 'pageSize', 'limit', '__proto__', 'a[b]'));
  const encode = (s: string) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'));
    }
  };
  const rawJunk = fc.constantFrom('%', '%zz', '&&', '==', '=', ';', '+', '%00', '%E0%A4%A', '&=&', 'a=%ff');
  return fc
    .tuple(
      fc.array(fc.tuple(key, queryValue), { minLength: 1, maxLength: 6 }),
      fc.option(rawJunk, { nil: undefined, freq: 6 }),
    )
    .map(([pairs, junk]) => {
      const parts = pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`);
      if (junk) parts.push(junk);
      return { query: parts.join('&'), pairs };
    });
}

// --- multipart ------------------------------------------------------------------------------------

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/**
 * A multipart/form-data body. `closingAt`: where the closing delimiter starts; `dataAt`: where
 * each part's content starts (its headers are complete once that many bytes arrived).
 */
export function multipartBody(
  boundary: string,
  parts: Part[],
  opts: { close?: boolean } = {},
): { body: Buffer; closingAt: number; dataAt: number[] } {
  const chunks: Buffer[] = [];
  const dataAt: number[] = [];
  let n = 0;
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: ${disp}\r\n${p.contentType ? `Content-Type: ${p.contentType}\r\n` : ''}\r\n`,
      'utf8',
    );
    dataAt.push(n + head.length);
    chunks.push(head, p.data, Buffer.from('\r\n'));
    n += head.length + p.data.length + 2;
  }
  const closingAt = n - 2; // the CRLF before "--boundary--" belongs to the delimiter
  if (opts.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), closingAt, dataAt };
}

/** Gives a generated value a short description for fast-check's counterexamples (bodies can be megabytes). */
export function labelled<T extends object>(value: T, label: string): T {
  Object.defineProperty(value, fc.toStringMethod, {
    value: () => (label.length > 300 ? `${label.slice(0, 300)}…(${label.length} chars)` : label),
    enumerable: false,
  });
  return value;
}
