import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { keyIdOf, signMessage } from '@app/signing/signing-keys';
import { AuditEventBody, ChainedAuditEvent, GENESIS_HASH, hashAuditEvent } from '../audit-hash';
import {
  checkpointMessage,
  csvEventLine,
  csvMetaLine,
  EXPORT_FORMAT,
  ExportFormatName,
  ExportHeader,
  ExportTrailer,
  ExportWriter,
  ndjsonEventLine,
  parseCsvLine,
} from '../export-format';
import { fastRowHash } from './fast-path';
import { ExportVerification, verifyChunks, verifyLines } from './verifier';

/**
 * The fast path (./fast-path) is kept only behind this spec: on generated exports, clean and tampered
 * in every way the verifier detects (a flipped byte, a changed field with or without its hash
 * recomputed, a removed, duplicated or reordered line, a bad checkpoint or seal signature, a file
 * cut short), the verifier must say exactly the same (verdict, rows, failure line, seq and wording)
 * with the fast path as with the plain path (every row through the detailed checks and
 * hashAuditEvent), read as lines and as bytes, in one batch and in small ones.
 */

interface Key {
  priv: KeyObject;
  pub: KeyObject;
  keyId: string;
}

function newKey(): Key {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { priv: privateKey, pub: publicKey, keyId: keyIdOf(publicKey) };
}

const KEY = newKey();
const OTHER_KEY = newKey();

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces of text that exercise escaping (JSON and CSV), multi-byte UTF-8 and the fast path's "plain line" shortcut. */
const PIECES = [
  'a',
  'Z',
  '7',
  ' ',
  ',',
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\u0001',
  '\u001f',
  '\u007f',
  'é',
  'ü',
  '中',
  '🚨',
  '\u2028',
  '/',
  "'",
  '{',
  '}',
];

function text(r: () => number, plain: boolean): string {
  const n = 1 + Math.floor(r() * 12);
  let s = '';
  for (let i = 0; i < n; i++)
    s += plain ? 'abcxyz019 -_.'[Math.floor(r() * 13)] : PIECES[Math.floor(r() * PIECES.length)];
  return s;
}

function value(r: () => number, depth: number, plain: boolean): unknown {
  const k = Math.floor(r() * (depth > 2 ? 5 : 7));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -1, 1.5, 1e21, -0, 123456789, 2 ** 53 - 1][Math.floor(r() * 7)];
    case 3:
    case 4:
      return text(r, plain);
    case 5:
      return Array.from({ length: Math.floor(r() * 3) }, () => value(r, depth + 1, plain));
    default:
      return details(r, depth + 1, plain);
  }
}

function details(r: () => number, depth: number, plain: boolean): Record<string, unknown> {
  const keys = ['b', 'a', 'A', '_', '', 'é', 'aa', 'fields', 'version', '10', '9'];
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) o[keys[Math.floor(r() * keys.length)]] = value(r, depth, plain);
  return o;
}

/** A chain of `n` rows; a third of them hold only text that needs no escaping (the fast path's plain lines). */
function chain(n: number, seed: number): ChainedAuditEvent[] {
  const r = rng(seed);
  const out: ChainedAuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const plain = seq % 3 === 0;
    const maybe = () => (r() < 0.25 ? null : text(r, plain));
    const body: AuditEventBody = {
      seq,
      id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
      occurredAt: new Date(Date.UTC(2026, 10, 21, 12, 0, seq, seq)).toISOString(),
      actorId: r() < 0.2 ? null : '11111111-1111-4111-8111-111111111111',
      actorUsername: maybe(),
      actorRole: r() < 0.2 ? 'SYSTEM' : 'OFFICER',
      action: ['case.updated', 'case.viewed', 'evidence.uploaded'][Math.floor(r() * 3)],
      outcome: (['SUCCESS', 'DENIED', 'FAILED'] as const)[Math.floor(r() * 3)],
      targetType: maybe(),
      targetId: maybe(),
      caseId: r() < 0.3 ? null : '22222222-2222-4222-8222-222222222222',
      requestId: maybe(),
      clientIp: r() < 0.2 ? '' : maybe(),
      userAgent: maybe(),
      details: details(r, 0, plain),
    };
    const hash = hashAuditEvent(prev, body);
    out.push({ ...body, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

const FIELDS: (keyof ChainedAuditEvent)[] = [
  'seq',
  'id',
  'occurredAt',
  'actorId',
  'actorUsername',
  'actorRole',
  'action',
  'outcome',
  'targetType',
  'targetId',
  'caseId',
  'requestId',
  'clientIp',
  'userAgent',
  'details',
  'prevHash',
  'hash',
];

interface Spec {
  format: ExportFormatName;
  /** The rows in the file; `head` is the chain's head the checkpoint signs. */
  rows: ChainedAuditEvent[];
  head: ChainedAuditEvent | null;
  filtered: boolean;
}

function header(key: Key, filtered: boolean): ExportHeader {
  return {
    type: 'header',
    format: EXPORT_FORMAT,
    exportedAt: '2026-11-22T08:00:00.000Z',
    exportedBy: { id: '44444444-4444-4444-8444-444444444444', username: 'auditor', role: 'AUDITOR' },
    filters: filtered ? { caseId: '22222222-2222-4222-8222-222222222222' } : {},
    filtered,
    keyId: key.keyId,
  };
}

/** The records the server would write (a CSV record may hold line breaks). */
function records(s: Spec, key: Key = KEY): string[] {
  const w = new ExportWriter(s.format, (m) => signMessage(key.priv, m));
  const unsigned = {
    seq: s.head?.seq ?? 0,
    headHash: s.head?.hash ?? GENESIS_HASH,
    createdAt: '2026-11-22T07:59:59.000Z',
    keyId: key.keyId,
  };
  const checkpoint = { ...unsigned, signature: signMessage(key.priv, checkpointMessage(unsigned)) };
  return [...w.begin(header(key, s.filtered)), ...s.rows.map((e) => w.event(e)), w.end(checkpoint)];
}

const fileOf = (recs: string[]): string => `${recs.join('\n')}\n`;

/** An event as the row would be written, with any JSON value in a field (a forger is not held to the types). */
function eventLine(format: ExportFormatName, e: Record<string, unknown>): string {
  if (format === 'ndjson') return JSON.stringify({ type: 'event', ...e });
  const cell = (v: unknown) => (v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));
  return csvEventLine(
    Object.fromEntries(
      Object.entries(e).map(([k, v]) => [k, k === 'details' || k === 'seq' ? v : cell(v)]),
    ) as unknown as ChainedAuditEvent,
  );
}

/** The same kind of value, changed: a character of a string, a number, an object. */
function changed(v: unknown): unknown {
  if (v === null) return 'x';
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'string') {
    const i = v.search(/[0-9a-zA-Z]/);
    if (i < 0) return `${v}x`;
    const c = v[i];
    return (
      v.slice(0, i) +
      (c === '9' ? '0' : c === 'z' ? 'a' : c === 'Z' ? 'A' : String.fromCharCode(c.charCodeAt(0) + 1)) +
      v.slice(i + 1)
    );
  }
  return { ...(v as object), tampered: true };
}

/** Recomputes a (possibly ill-typed) row's hash over its fields, as a forger would. */
function rehashed(e: Record<string, unknown>): Record<string, unknown> {
  return { ...e, hash: hashAuditEvent(e.prevHash as string, e as unknown as AuditEventBody) };
}

/** Recomputes every hash from row `from` on, so the chain is internally consistent again. */
function rechained(rows: ChainedAuditEvent[], from: number): ChainedAuditEvent[] {
  const out = [...rows];
  for (let i = from; i < out.length; i++) {
    const { prevHash: _p, hash: _h, ...body } = out[i];
    const prevHash = i === 0 ? GENESIS_HASH : out[i - 1].hash;
    out[i] = { ...body, prevHash, hash: hashAuditEvent(prevHash, body) };
  }
  return out;
}

interface Case {
  name: string;
  file: string;
}

/** Every tampering of one export: the clean file first. */
function tamperings(s: Spec, seed: number): Case[] {
  const r = rng(seed);
  const recs = records(s);
  const file = fileOf(recs);
  const lines = file.slice(0, -1).split('\n');
  const rowAt = (i: number) => (s.format === 'csv' ? 2 : 1) + i;
  const withRecord = (i: number, line: string) => fileOf(recs.map((x, j) => (j === i ? line : x)));
  const withRows = (rows: ChainedAuditEvent[]) => fileOf(records({ ...s, rows }));
  const cases: Case[] = [{ name: 'clean', file }];
  const n = s.rows.length;
  const picks = n ? [...new Set([0, 1, Math.floor(n / 2), n - 1])].filter((i) => i < n) : [];

  // A field changed, its hash left alone / recomputed (the chain breaks at the next row) / the whole chain recomputed after it.
  for (const i of picks) {
    for (const f of FIELDS) {
      const e = s.rows[i] as unknown as Record<string, unknown>;
      const t = { ...e, [f]: changed(e[f]) };
      cases.push({ name: `row ${i}: ${f} changed`, file: withRecord(rowAt(i), eventLine(s.format, t)) });
      if (f !== 'hash')
        cases.push({
          name: `row ${i}: ${f} changed, hash recomputed`,
          file: withRecord(rowAt(i), eventLine(s.format, rehashed(t))),
        });
    }
    if (s.format === 'ndjson') {
      const e = s.rows[i] as unknown as Record<string, unknown>;
      const { userAgent: _u, ...missing } = e;
      cases.push({ name: `row ${i}: a field missing`, file: withRecord(rowAt(i), eventLine(s.format, missing)) });
      cases.push({
        name: `row ${i}: a field its hash does not cover`,
        file: withRecord(rowAt(i), eventLine(s.format, { ...e, note: 'added' })),
      });
      cases.push({
        name: `row ${i}: a field its hash does not cover, hash recomputed`,
        file: withRecord(rowAt(i), eventLine(s.format, rehashed({ ...e, note: 'added' }))),
      });
    }
    // Ill-typed values whose hash is recomputed: only the type checks can tell.
    const e = s.rows[i] as unknown as Record<string, unknown>;
    const illTyped: [string, unknown][] = [
      ['outcome', 'MAYBE'],
      ['prevHash', (e.prevHash as string).toUpperCase()],
      ['prevHash', 'abc'],
      ['seq', 0],
      ...(s.format === 'ndjson'
        ? ([
            ['seq', 1.5],
            ['seq', String(e.seq)],
            ['actorId', 5],
            ['details', []],
            ['details', 'x'],
            ['action', null],
          ] as [string, unknown][])
        : []),
    ];
    for (const [f, v] of illTyped) {
      cases.push({
        name: `row ${i}: ${f} = ${JSON.stringify(v)}, hash recomputed`,
        file: withRecord(rowAt(i), eventLine(s.format, rehashed({ ...e, [f]: v }))),
      });
    }
    const t = [...s.rows];
    t[i] = { ...t[i], actorUsername: `forged ${i}` };
    cases.push({ name: `row ${i}: replaced, chain recomputed after it`, file: withRows(rechained(t, i)) });
    cases.push({
      name: `row ${i}: removed, chain recomputed after it`,
      file: withRows(
        rechained(
          s.rows.filter((_, j) => j !== i),
          i,
        ),
      ),
    });
  }

  // Lines removed, duplicated, swapped with the next, a blank line inserted.
  for (let i = 0; i < lines.length; i++) {
    const others = lines.filter((_, j) => j !== i);
    cases.push({ name: `line ${i + 1} removed`, file: `${others.join('\n')}\n` });
    cases.push({
      name: `line ${i + 1} duplicated`,
      file: `${[...lines.slice(0, i + 1), ...lines.slice(i)].join('\n')}\n`,
    });
    if (i + 1 < lines.length) {
      const swapped = [...lines];
      [swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
      cases.push({ name: `lines ${i + 1} and ${i + 2} swapped`, file: `${swapped.join('\n')}\n` });
    }
    cases.push({
      name: `blank line before line ${i + 1}`,
      file: `${[...lines.slice(0, i), '', ...lines.slice(i)].join('\n')}\n`,
    });
  }
  if (n > 1) {
    cases.push({ name: 'rows reversed', file: withRows([...s.rows].reverse()) });
    cases.push({ name: 'last row moved first', file: withRows([s.rows[n - 1], ...s.rows.slice(0, -1)]) });
  }

  // The checkpoint and seal: a signature flipped, re-signed by another key, the whole export made with another key.
  const trailerIndex = recs.length - 1;
  const trailer = (
    s.format === 'csv' ? JSON.parse(parseCsvLine(recs[trailerIndex])[15] as string) : JSON.parse(recs[trailerIndex])
  ) as ExportTrailer;
  const withTrailer = (t: ExportTrailer) =>
    withRecord(trailerIndex, s.format === 'csv' ? csvMetaLine('checkpoint', t) : JSON.stringify(t));
  const flipSig = (sig: string) =>
    sig[5] === 'A' ? `${sig.slice(0, 5)}B${sig.slice(6)}` : `${sig.slice(0, 5)}A${sig.slice(6)}`;
  cases.push({
    name: 'checkpoint signature flipped',
    file: withTrailer({
      ...trailer,
      checkpoint: { ...trailer.checkpoint, signature: flipSig(trailer.checkpoint.signature) },
    }),
  });
  cases.push({
    name: 'seal signature flipped',
    file: withTrailer({ ...trailer, seal: { ...trailer.seal, signature: flipSig(trailer.seal.signature) } }),
  });
  const { signature: _c, ...unsignedCheckpoint } = trailer.checkpoint;
  cases.push({
    name: 'checkpoint re-signed by another key under this key id',
    file: withTrailer({
      ...trailer,
      checkpoint: {
        ...trailer.checkpoint,
        signature: signMessage(OTHER_KEY.priv, checkpointMessage(unsignedCheckpoint)),
      },
    }),
  });
  cases.push({
    name: 'checkpoint head moved',
    file: withTrailer({ ...trailer, checkpoint: { ...trailer.checkpoint, seq: trailer.checkpoint.seq + 1 } }),
  });
  cases.push({
    name: 'seal row count changed',
    file: withTrailer({ ...trailer, seal: { ...trailer.seal, rows: trailer.seal.rows + 1 } }),
  });
  cases.push({ name: 'export made with another key', file: fileOf(records(s, OTHER_KEY)) });

  // Cut short: at sampled byte offsets (mid-line and mid UTF-8 sequence), and after each line.
  const bytes = Buffer.from(file);
  for (let k = 0; k < 30; k++) {
    const at = Math.floor(r() * bytes.length);
    cases.push({ name: `cut at byte ${at}`, file: bytes.subarray(0, at).toString('latin1') });
  }
  for (let i = 1; i < lines.length; i++)
    cases.push({ name: `cut after line ${i}`, file: `${lines.slice(0, i).join('\n')}\n` });

  // Single bytes flipped anywhere (may break the JSON or CSV, split a line, or land in a hash).
  for (let k = 0; k < 60; k++) {
    const at = Math.floor(r() * bytes.length);
    const flipped = Buffer.from(bytes);
    flipped[at] ^= 1 << Math.floor(r() * 7);
    cases.push({ name: `byte ${at} flipped`, file: flipped.toString('latin1') });
  }
  return cases.map((c) =>
    c.name.startsWith('cut at') || c.name.startsWith('byte ')
      ? c
      : { ...c, file: Buffer.from(c.file).toString('latin1') },
  );
}

/** The file's bytes (cases carry them as latin1 text, one character per byte) as the readers take them. */
const bytesOf = (file: string): Buffer => Buffer.from(file, 'latin1');

/** Lines as a reader of the file would get them: decoded as UTF-8, split at "\n", without the last empty one. */
function linesOf(file: string): string[] {
  const lines = bytesOf(file).toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The ways in: lines in one batch and in batches of 3 (records across batches); bytes in one block and in 64-byte blocks. */
const READERS: { name: string; run: (file: string, fast: boolean) => Promise<ExportVerification> }[] = [
  { name: 'lines', run: (f, fast) => verifyLines(linesOf(f), KEY.pub, {}, fast) },
  { name: 'lines, batches of 3', run: (f, fast) => verifyLines(linesOf(f), KEY.pub, { batchLines: 3 }, fast) },
  { name: 'bytes', run: (f, fast) => verifyChunks([bytesOf(f)], KEY.pub, {}, fast) },
  { name: 'bytes, blocks of 64', run: (f, fast) => verifyChunks([bytesOf(f)], KEY.pub, { blockBytes: 64 }, fast) },
];

const EVENTS = chain(16, 17);
/** Every other row of those of one case, as a filtered export holds them (its checkpoint still signs the chain's head). */
const FILTERED = EVENTS.filter((e) => e.seq % 2 === 1 || e.seq === 4);

const SPECS: (Spec & { name: string })[] = (['ndjson', 'csv'] as const).flatMap((format) => [
  { name: `${format}, complete`, format, rows: EVENTS, head: EVENTS[EVENTS.length - 1], filtered: false },
  { name: `${format}, filtered`, format, rows: FILTERED, head: EVENTS[EVENTS.length - 1], filtered: true },
  { name: `${format}, empty chain`, format, rows: [], head: null, filtered: false },
]);

describe('the fast path says exactly what the plain path says', () => {
  it('hashes every generated row as hashAuditEvent does (escaped and plain strings)', () => {
    const rows = chain(300, 5);
    for (const e of rows) expect(fastRowHash(e)).toBe(hashAuditEvent(e.prevHash, e));
    const plainRows = rows.filter((e) => !/[\\\ud800-\udfff]/.test(ndjsonEventLine(e)));
    expect(plainRows.length).toBeGreaterThan(50);
    for (const e of plainRows) expect(fastRowHash(e, true)).toBe(hashAuditEvent(e.prevHash, e));
  });

  describe.each(SPECS)('$name', (spec) => {
    const cases = tamperings(spec, spec.rows.length * 31 + (spec.format === 'csv' ? 1 : 0));

    it.each(READERS)('read as $name', async ({ run }) => {
      const verdicts: { name: string; fast: ExportVerification; plain: ExportVerification }[] = [];
      for (const c of cases)
        verdicts.push({ name: c.name, fast: await run(c.file, true), plain: await run(c.file, false) });
      // Compared one by one, named, so that a difference says which tampering it was.
      const differ = verdicts.filter((v) => JSON.stringify(v.fast) !== JSON.stringify(v.plain));
      expect(differ.map(({ name, fast, plain }) => ({ name, fast, plain }))).toEqual([]);
      // The clean export passes; the tamperings are caught (bar the few that change nothing a reader sees,
      // such as a blank line after the checkpoint or a cut after the last line break), and in many different ways.
      expect(verdicts[0]).toMatchObject({ name: 'clean', plain: { ok: true, rows: spec.rows.length } });
      const caught = verdicts.filter((v) => !v.plain.ok).length;
      expect(caught / verdicts.length).toBeGreaterThan(0.9);
      expect(new Set(verdicts.map((v) => v.plain.failure?.problem.replace(/\d+/g, '#'))).size).toBeGreaterThan(
        spec.rows.length ? 20 : 8,
      );
    });
  });
});
