import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyIdOf, signMessage } from '@app/signing/signing-keys';
import { AuditEventBody, ChainedAuditEvent, GENESIS_HASH, hashAuditEvent } from './audit-hash';
import {
  checkpointMessage,
  csvEventLine,
  csvMetaLine,
  csvRow,
  EXPORT_FORMAT,
  ExportFilters,
  ExportFormatName,
  ExportHeader,
  ExportTrailer,
  ExportWriter,
  parseCsvLine,
} from './export-format';
import { ExportVerification, fastRowHash, verifyExport, verifyExportChunks, verifyExportFile } from './export-verifier';

const CASE_A = '22222222-2222-4222-8222-222222222222';
const CASE_B = '33333333-3333-4333-8333-333333333333';
/** A row whose every nullable field is set, and whose user agent holds a newline (a CSV record on two lines). */
const FULL_SEQ = 13;

interface Key {
  priv: KeyObject;
  pub: KeyObject;
  keyId: string;
}

function newKey(): Key {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { priv: privateKey, pub: publicKey, keyId: keyIdOf(publicKey) };
}

const keyA = newKey();
const keyB = newKey();

/**
 * A chain with nulls, empty strings, unicode, commas, quotes, newlines and nested details, and a
 * lone surrogate unless `utf8` (a UTF-8 file cannot hold one: CSV writes it as is, NDJSON escapes it).
 */
function chain(n: number, utf8 = false): ChainedAuditEvent[] {
  const out: ChainedAuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const system = seq % 7 === 0;
    const body: AuditEventBody = {
      seq,
      id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
      occurredAt: new Date(Date.UTC(2026, 10, 21, 12, 0, seq, seq)).toISOString(),
      actorId: system ? null : '11111111-1111-4111-8111-111111111111',
      actorUsername: system ? null : seq % 2 ? 'José Ñúñez' : 'officer "o\'brien", desk 2',
      actorRole: system ? 'SYSTEM' : 'OFFICER',
      action: seq % 2 ? 'case.updated' : 'case.viewed',
      outcome: seq % 11 === 0 ? 'DENIED' : seq % 10 === 0 ? 'FAILED' : 'SUCCESS',
      targetType: seq % 4 === 0 ? null : 'case',
      targetId: seq % 4 === 0 ? null : seq % 5 < 2 ? CASE_A : CASE_B,
      caseId: seq % 5 === 2 ? null : seq % 5 < 2 ? CASE_A : CASE_B,
      requestId: seq % 6 === 3 ? null : `req-${seq}`,
      clientIp: seq % 6 === 3 ? '' : '203.0.113.7',
      userAgent:
        seq % 9 === 0
          ? null
          : seq % 3 === 1
            ? `Mozilla/5.0 (X11, "Linux")\nsecond line, ${seq}`
            : seq === 20
              ? `a ${utf8 ? 'paired \ud83d\udea8' : 'lone \ud800'} surrogate, a tab\t and a backslash \\`
              : 'curl/8.5 🚨',
      details:
        seq % 8 === 0
          ? {}
          : {
              version: seq,
              fields: ['narrative', 'status'],
              note: `line one\nline two, with "quotes" and a comma, ü ${seq}`,
              nested: { a: [1, { b: null, c: 1.5 }], ü: true, empty: '' },
            },
    };
    const hash = hashAuditEvent(prev, body);
    out.push({ ...body, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

const EVENTS = chain(30);
/** The chain as a file of bytes can hold it. */
const EVENTS_UTF8 = chain(30, true);

function header(key: Key, filters: ExportFilters = {}, filtered = false): ExportHeader {
  return {
    type: 'header',
    format: EXPORT_FORMAT,
    exportedAt: '2026-11-22T08:00:00.000Z',
    exportedBy: { id: '44444444-4444-4444-8444-444444444444', username: 'auditor', role: 'AUDITOR' },
    filters,
    filtered,
    keyId: key.keyId,
  };
}

/** The writer's records (a CSV record may hold newlines); `head` is the chain's head when the export was made. */
function buildExport(
  format: ExportFormatName,
  rows: ChainedAuditEvent[],
  opts: { key?: Key; head?: ChainedAuditEvent; filters?: ExportFilters; filtered?: boolean } = {},
): string[] {
  const key = opts.key ?? keyA;
  const head = opts.head ?? EVENTS[EVENTS.length - 1];
  const w = new ExportWriter(format, (m) => signMessage(key.priv, m));
  const unsigned = { seq: head.seq, headHash: head.hash, createdAt: '2026-11-22T07:59:59.000Z', keyId: key.keyId };
  const checkpoint = { ...unsigned, signature: signMessage(key.priv, checkpointMessage(unsigned)) };
  return [
    ...w.begin(header(key, opts.filters, opts.filtered ?? false)),
    ...rows.map((e) => w.event(e)),
    w.end(checkpoint),
  ];
}

/** The physical lines of the file the records make. */
const toLines = (records: string[]): string[] => records.join('\n').split('\n');

/** 1-based line number at which record `i` starts. */
const lineOf = (records: string[], i: number): number =>
  1 + records.slice(0, i).reduce((n, r) => n + 1 + (r.match(/\n/g)?.length ?? 0), 0);

/** Turns one alphanumeric character into another of the same kind (a hex digit stays a hex digit). */
function flipText(s: string): string {
  const i = s.search(/[0-9A-Za-z]/);
  const c = s[i];
  const next = /[0-9]/.test(c)
    ? String((Number(c) + 1) % 10)
    : c === 'f'
      ? 'a'
      : c === 'z'
        ? 'a'
        : c === 'Z'
          ? 'A'
          : String.fromCharCode(c.charCodeAt(0) + 1);
  return s.slice(0, i) + next + s.slice(i + 1);
}

const EVENT_KEYS: (keyof ChainedAuditEvent)[] = [
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

/** Per-format access to the records, so each attack is written once. */
interface Codec {
  format: ExportFormatName;
  headerIndex: number;
  /** Index of the record of the i-th row. */
  rowIndex(i: number): number;
  readEvent(record: string): ChainedAuditEvent;
  writeEvent(e: ChainedAuditEvent): string;
  readMeta<T>(record: string): T;
  writeMeta(kind: 'header' | 'checkpoint', v: ExportHeader | ExportTrailer): string;
  /** Flips a byte in the text of one field of an event record. */
  flipField(record: string, field: keyof ChainedAuditEvent): string;
}

const ndjson: Codec = {
  format: 'ndjson',
  headerIndex: 0,
  rowIndex: (i) => 1 + i,
  readEvent: (r) => {
    const { type: _type, ...e } = JSON.parse(r) as ChainedAuditEvent & { type: string };
    return e;
  },
  writeEvent: (e) => JSON.stringify({ type: 'event', ...e }),
  readMeta: <T>(r: string) => JSON.parse(r) as T,
  writeMeta: (_kind, v) => JSON.stringify(v),
  flipField: (r, field) => {
    const o = JSON.parse(r) as Record<string, unknown>;
    const v = o[field];
    o[field] =
      typeof v === 'string'
        ? flipText(v)
        : typeof v === 'number'
          ? Number(flipText(String(v)))
          : JSON.parse(flipText(JSON.stringify(v)));
    return JSON.stringify(o);
  },
};

const csv: Codec = {
  format: 'csv',
  headerIndex: 1,
  rowIndex: (i) => 2 + i,
  readEvent: (r) => {
    const c = parseCsvLine(r);
    const e = Object.fromEntries(EVENT_KEYS.map((k, i) => [k, c[i + 1]])) as Record<string, unknown>;
    e.seq = Number(e.seq);
    e.details = JSON.parse(e.details as string);
    return e as unknown as ChainedAuditEvent;
  },
  writeEvent: (e) => csvEventLine(e),
  readMeta: <T>(r: string) => JSON.parse(parseCsvLine(r)[15] as string) as T,
  writeMeta: (kind, v) => csvMetaLine(kind, v),
  flipField: (r, field) => {
    const cells = parseCsvLine(r);
    const i = EVENT_KEYS.indexOf(field) + 1;
    cells[i] = flipText(cells[i] as string);
    return csvRow(cells);
  },
};

function editEvent(codec: Codec, records: string[], i: number, edit: (e: ChainedAuditEvent) => void): string[] {
  const out = [...records];
  const e = codec.readEvent(out[codec.rowIndex(i)]);
  edit(e);
  out[codec.rowIndex(i)] = codec.writeEvent(e);
  return out;
}

function editTrailer(codec: Codec, records: string[], edit: (t: ExportTrailer) => void): string[] {
  const out = [...records];
  const t = codec.readMeta<ExportTrailer>(out[out.length - 1]);
  edit(t);
  out[out.length - 1] = codec.writeMeta('checkpoint', t);
  return out;
}

function editHeader(codec: Codec, records: string[], edit: (h: ExportHeader) => void): string[] {
  const out = [...records];
  const h = codec.readMeta<ExportHeader>(out[codec.headerIndex]);
  edit(h);
  out[codec.headerIndex] = codec.writeMeta('header', h);
  return out;
}

/** Rehashes rows from..end of a list so that the chain is internally consistent again. */
function rechain(rows: ChainedAuditEvent[], from: number): void {
  for (let i = from; i < rows.length; i++) {
    const { prevHash: _p, hash: _h, ...body } = rows[i];
    const prevHash = i === 0 ? GENESIS_HASH : rows[i - 1].hash;
    rows[i] = { ...body, prevHash, hash: hashAuditEvent(prevHash, body) };
  }
}

/** The bytes of the file the lines make, in chunks of 13 bytes (which cut UTF-8 sequences in two). */
async function* chunksOf(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<Uint8Array> {
  const parts: string[] = [];
  for await (const line of lines) parts.push(`${line}\n`);
  const bytes = Buffer.from(parts.join(''));
  for (let i = 0; i < bytes.length; i += 13) yield bytes.subarray(i, i + 13);
}

type Lines = AsyncIterable<string> | Iterable<string>;

/**
 * The ways in: lines (verifyExport) in one batch, one line at a time and in batches of 3 lines
 * (records cut across batches); bytes (verifyExportChunks) in blocks of 1 MiB, 64 bytes (lines
 * cut across blocks) and 1 byte (every block grown to hold its line).
 */
const READERS: {
  reader: string;
  bytes: boolean;
  read: (lines: Lines, key: KeyObject) => Promise<ExportVerification>;
}[] = [
  ...[undefined, 1, 3].map((batchLines) => ({
    bytes: false,
    reader: `lines, ${batchLines ? `batches of ${batchLines} lines` : 'default batches'}`,
    read: (lines: Lines, key: KeyObject) => verifyExport(lines, key, { batchLines }),
  })),
  ...[undefined, 64, 1].map((blockBytes) => ({
    bytes: true,
    reader: `bytes, ${blockBytes ? `blocks of ${blockBytes} bytes` : 'default blocks'}`,
    read: (lines: Lines, key: KeyObject) => verifyExportChunks(chunksOf(lines), key, { blockBytes }),
  })),
];

/** Read as bytes, CSV has the chain without its lone surrogate (see chain). */
const CASES = [ndjson, csv].flatMap((codec) =>
  READERS.map(({ reader, bytes, read }) => ({
    codec,
    read,
    format: codec.format,
    reader,
    events: bytes && codec.format === 'csv' ? EVENTS_UTF8 : EVENTS,
  })),
);

describe.each(CASES)('export verification ($format, $reader)', ({ codec, read, events }) => {
  const check = (lines: Lines, key: Key = keyA) => read(lines, key.pub);
  /** buildExport for this case's chain. */
  const exportOf = (
    format: ExportFormatName,
    rows: ChainedAuditEvent[],
    opts: Parameters<typeof buildExport>[2] = {},
  ) => buildExport(format, rows, { head: events[events.length - 1], ...opts });
  const verify = (records: string[], key: Key = keyA) => check(toLines(records), key);
  const clean = exportOf(codec.format, events);
  const trailerLine = toLines(clean).length;
  const rowLine = (i: number) => lineOf(clean, codec.rowIndex(i));

  it('accepts a clean complete export', async () => {
    // A user agent with a newline makes a CSV record span two lines.
    if (codec.format === 'csv') expect(toLines(clean).length).toBeGreaterThan(clean.length);
    await expect(verify(clean)).resolves.toEqual({
      ok: true,
      format: codec.format,
      rows: 30,
      firstSeq: 1,
      lastSeq: 30,
      filtered: false,
      checkpointSeq: 30,
      keyId: keyA.keyId,
    });
  });

  it('accepts the lines from an async iterable', async () => {
    async function* lines() {
      yield* toLines(clean);
    }
    await expect(check(lines())).resolves.toMatchObject({ ok: true, rows: 30 });
  });

  it('accepts an empty complete export of an empty chain', async () => {
    const head = { ...events[0], seq: 0, hash: GENESIS_HASH };
    await expect(verify(exportOf(codec.format, [], { head }))).resolves.toMatchObject({
      ok: true,
      rows: 0,
      firstSeq: null,
      checkpointSeq: 0,
    });
  });

  it.each(EVENT_KEYS)('rejects a flipped byte in field %s of a row', async (field) => {
    const i = FULL_SEQ - 1;
    const records = [...clean];
    records[codec.rowIndex(i)] = codec.flipField(records[codec.rowIndex(i)], field);
    expect(records).not.toEqual(clean);
    const r = await verify(records);
    expect(r.ok).toBe(false);
    expect(r.failure?.line).toBe(rowLine(i));
    if (field !== 'seq') expect(r.failure?.seq).toBe(FULL_SEQ);
    expect(r.failure?.problem).toMatch(
      field === 'outcome'
        ? /outcome.* must be SUCCESS, DENIED or FAILED/
        : /the row's hash does not match its contents \(a field was altered\)/,
    );
    expect(r.rows).toBe(FULL_SEQ - 1);
  });

  it('rejects a field of the wrong type', async () => {
    const records = editEvent(codec, clean, 4, (e) => {
      (e as { actorRole: unknown }).actorRole = null;
    });
    const r = await verify(records);
    expect(r.failure).toEqual({
      line: rowLine(4),
      seq: 5,
      problem: expect.stringMatching(/actor_?[rR]ole.*(null|string)/),
    });
  });

  it('rejects a row dropped from the middle', async () => {
    const records = clean.filter((_, j) => j !== codec.rowIndex(14));
    const r = await verify(records);
    expect(r).toMatchObject({
      ok: false,
      failure: { line: rowLine(14), seq: 16, problem: 'rows missing from a complete export (seq 14 then seq 16)' },
    });
  });

  it('rejects the first row dropped', async () => {
    const r = await verify(clean.filter((_, j) => j !== codec.rowIndex(0)));
    expect(r.failure).toEqual({
      line: rowLine(0),
      seq: 2,
      problem: expect.stringMatching(/rows missing from a complete export .*first row is seq 2/),
    });
  });

  it('rejects the last row dropped', async () => {
    const records = clean.filter((_, j) => j !== codec.rowIndex(29));
    const r = await verify(records);
    expect(r.failure).toEqual({
      line: toLines(records).length,
      problem: 'rows were dropped, added or reordered: the seal lists 30 rows, the file has 29',
    });
  });

  it('rejects two rows swapped', async () => {
    const records = [...clean];
    [records[codec.rowIndex(9)], records[codec.rowIndex(10)]] = [
      records[codec.rowIndex(10)],
      records[codec.rowIndex(9)],
    ];
    const r = await verify(records);
    expect(r.failure).toEqual({
      line: rowLine(9),
      seq: 11,
      problem: 'rows missing from a complete export (seq 9 then seq 11)',
    });
  });

  it('rejects a forged row with a recomputed hash inserted before the real one', async () => {
    const forged = { ...events[15], action: 'case.deleted' };
    forged.hash = hashAuditEvent(forged.prevHash, forged);
    const records = [...clean];
    records.splice(codec.rowIndex(15), 0, codec.writeEvent(forged));
    const r = await verify(records);
    expect(r.failure).toEqual({
      line: lineOf(records, codec.rowIndex(16)),
      seq: 16,
      problem: 'rows out of order or duplicated (seq 16 after seq 16)',
    });
  });

  it('rejects a forged row appended after the last one', async () => {
    const last = events[29];
    const { prevHash: _p, hash: _h, ...body } = { ...last, seq: 31, id: 'forged' };
    const forged = { ...body, prevHash: last.hash, hash: hashAuditEvent(last.hash, body) };
    const records = [...clean];
    records.splice(records.length - 1, 0, codec.writeEvent(forged));
    const r = await verify(records);
    expect(r.failure?.problem).toBe('rows were dropped, added or reordered: the seal lists 30 rows, the file has 31');
  });

  it('rejects a forged row replacing a real one even when every following hash is recomputed', async () => {
    const rows = events.map((e) => ({ ...e }));
    rows[14] = { ...rows[14], action: 'case.viewed', details: { forged: true } };
    rechain(rows, 14);
    const records = [...clean];
    rows.forEach((e, i) => {
      records[codec.rowIndex(i)] = codec.writeEvent(e);
    });
    const r = await verify(records);
    expect(r.failure).toEqual({
      line: trailerLine,
      problem: expect.stringMatching(/^rows were dropped, added, replaced or reordered: .*rows digest mismatch/),
    });
  });

  it('rejects the last row replaced with its hash recomputed (the seal and checkpoint list the real one)', async () => {
    const rows = events.map((e) => ({ ...e }));
    rows[29] = { ...rows[29], outcome: 'DENIED' };
    rechain(rows, 29);
    const records = editEvent(codec, clean, 29, (e) => Object.assign(e, rows[29]));
    const r = await verify(records);
    expect(r.failure?.problem).toMatch(/rows digest mismatch/);
  });

  it('rejects a truncated tail (checkpoint line removed)', async () => {
    const lines = toLines(clean).slice(0, -1);
    const r = await check(lines);
    expect(r).toMatchObject({
      ok: false,
      rows: 30,
      failure: { line: trailerLine, problem: 'truncated: the file ends without its checkpoint' },
    });
  });

  it('rejects a file cut in the middle of a row', async () => {
    const lines = toLines(clean).slice(0, rowLine(20));
    lines[lines.length - 1] = lines[lines.length - 1].slice(0, 40);
    const r = await check(lines);
    expect(r.failure).toEqual({ line: rowLine(20), problem: expect.stringMatching(/truncated/) });
    expect(r.rows).toBe(20);
  });

  it('rejects a last line cut in half', async () => {
    const lines = toLines(clean);
    const last = lines[lines.length - 1];
    lines[lines.length - 1] = last.slice(0, last.length >> 1);
    const r = await check(lines);
    expect(r.failure).toEqual({
      line: trailerLine,
      problem: expect.stringMatching(/not valid (JSON|CSV) \(truncated/),
    });
  });

  it('rejects a record after the checkpoint', async () => {
    const records = [...clean, clean[codec.rowIndex(3)]];
    const r = await verify(records);
    expect(r.failure).toEqual({
      line: trailerLine + 1,
      problem: expect.stringMatching(/a record after the checkpoint/),
    });
  });

  it('ignores blank lines after the checkpoint', async () => {
    await expect(check([...toLines(clean), '', ''])).resolves.toMatchObject({ ok: true });
  });

  it('rejects a checkpoint re-signed by another key that keeps the key id', async () => {
    const records = editTrailer(codec, clean, (t) => {
      const { signature: _s, ...unsigned } = t.checkpoint;
      t.checkpoint.signature = signMessage(keyB.priv, checkpointMessage(unsigned));
    });
    const r = await verify(records);
    expect(r.failure).toEqual({
      line: trailerLine,
      problem: 'checkpoint signature does not verify with the given public key',
    });
  });

  it('rejects an export made and signed with another key', async () => {
    const r = await verify(exportOf(codec.format, events, { key: keyB }));
    expect(r.failure).toEqual({
      line: trailerLine,
      problem: `signed with key ${keyB.keyId} but the given public key is ${keyA.keyId}`,
    });
  });

  it("rejects a checkpoint signed by another key under that key's id", async () => {
    const records = editTrailer(codec, clean, (t) => {
      t.checkpoint.keyId = keyB.keyId;
      const { signature: _s, ...unsigned } = t.checkpoint;
      t.checkpoint.signature = signMessage(keyB.priv, checkpointMessage(unsigned));
    });
    const r = await verify(records);
    expect(r.failure?.problem).toMatch(
      `the key ids in the file disagree (header ${keyA.keyId}, checkpoint ${keyB.keyId}`,
    );
  });

  it('rejects a complete export whose header claims to be filtered', async () => {
    const r = await verify(
      editHeader(codec, clean, (h) => {
        h.filtered = true;
      }),
    );
    expect(r.failure).toEqual({ line: trailerLine, problem: 'the header (exporter, filters) was altered' });
  });

  it('rejects an altered exporter', async () => {
    const r = await verify(
      editHeader(codec, clean, (h) => {
        h.exportedBy.username = 'someone-else';
      }),
    );
    expect(r.failure?.problem).toBe('the header (exporter, filters) was altered');
  });

  it('rejects a header that is not of this format', async () => {
    const r = await verify(
      editHeader(codec, clean, (h) => {
        (h as { format: string }).format = 'other/2';
      }),
    );
    expect(r.failure).toEqual({
      line: lineOf(clean, codec.headerIndex),
      problem: expect.stringMatching(/unsupported export format "other\/2"/),
    });
  });

  it('rejects an altered row count in the seal', async () => {
    const r = await verify(
      editTrailer(codec, clean, (t) => {
        t.seal.rows = 29;
      }),
    );
    expect(r.failure).toEqual({ line: trailerLine, problem: 'export seal signature does not verify' });
  });

  it('rejects a checkpoint head that is not the last row', async () => {
    const r = await verify(exportOf(codec.format, events.slice(0, 29)));
    expect(r.failure).toEqual({
      line: expect.any(Number),
      seq: 29,
      problem: expect.stringMatching(/^the last row does not match the checkpoint/),
    });
  });

  it('rejects a broken link even when the row hash is recomputed', async () => {
    const records = editEvent(codec, clean, 6, (e) => {
      e.prevHash = events[4].hash;
      e.hash = hashAuditEvent(e.prevHash, e);
    });
    const r = await verify(records);
    expect(r.failure).toEqual({
      line: rowLine(6),
      seq: 7,
      problem: 'chain broken between seq 6 and 7: its prevHash is not the hash of seq 6',
    });
  });

  describe('filtered export', () => {
    const rowsA = events.filter((e) => e.caseId === CASE_A);
    const filtered = exportOf(codec.format, rowsA, { filters: { caseId: CASE_A }, filtered: true });
    const consecutive = rowsA.findIndex((e, i) => i > 0 && rowsA[i - 1].seq === e.seq - 1);

    it('is accepted with non-consecutive seqs', async () => {
      expect(rowsA.length).toBeLessThan(20);
      expect(consecutive).toBeGreaterThan(0);
      await expect(verify(filtered)).resolves.toEqual({
        ok: true,
        format: codec.format,
        rows: rowsA.length,
        firstSeq: 1,
        lastSeq: 30,
        filtered: true,
        checkpointSeq: 30,
        keyId: keyA.keyId,
      });
    });

    it('rejects an altered row', async () => {
      const records = editEvent(codec, filtered, 3, (e) => {
        e.action = 'case.deleted';
      });
      const r = await verify(records);
      expect(r.failure).toEqual({
        line: lineOf(filtered, codec.rowIndex(3)),
        seq: rowsA[3].seq,
        problem: expect.stringMatching(/hash does not match/),
      });
    });

    it('checks the chain where seqs are consecutive', async () => {
      const records = editEvent(codec, filtered, consecutive, (e) => {
        e.prevHash = GENESIS_HASH.replace(/^0/, '1');
        e.hash = hashAuditEvent(e.prevHash, e);
      });
      const s = rowsA[consecutive].seq;
      const r = await verify(records);
      expect(r.failure).toEqual({
        line: lineOf(filtered, codec.rowIndex(consecutive)),
        seq: s,
        problem: `chain broken between seq ${s - 1} and ${s}: its prevHash is not the hash of seq ${s - 1}`,
      });
    });

    it('rejects two rows swapped', async () => {
      const records = [...filtered];
      [records[codec.rowIndex(2)], records[codec.rowIndex(3)]] = [
        records[codec.rowIndex(3)],
        records[codec.rowIndex(2)],
      ];
      const r = await verify(records);
      expect(r.failure?.problem).toBe(
        `rows out of order or duplicated (seq ${rowsA[2].seq} after seq ${rowsA[3].seq})`,
      );
    });

    it('rejects a dropped row (the seal lists it)', async () => {
      const r = await verify(filtered.filter((_, j) => j !== codec.rowIndex(4)));
      expect(r.failure?.problem).toBe(
        `rows were dropped, added or reordered: the seal lists ${rowsA.length} rows, the file has ${rowsA.length - 1}`,
      );
    });

    it('rejects a changed filter', async () => {
      const r = await verify(
        editHeader(codec, filtered, (h) => {
          h.filters.caseId = CASE_B;
        }),
      );
      expect(r.failure?.problem).toBe('the header (exporter, filters) was altered');
    });

    it('rejects a filtered export passed off as complete', async () => {
      const r = await verify(
        editHeader(codec, filtered, (h) => {
          h.filtered = false;
          h.filters = {};
        }),
      );
      expect(r.ok).toBe(false);
      expect(r.failure?.problem).toMatch(/rows missing from a complete export/);
    });

    it('rejects a last row that has the checkpoint seq but not its hash', async () => {
      const other = events.map((e) => ({ ...e }));
      other[29] = { ...other[29], action: 'case.other' };
      rechain(other, 29);
      const r = await verify(
        exportOf(codec.format, rowsA.slice(0, -1).concat(other[29]), { filters: { caseId: CASE_A }, filtered: true }),
      );
      expect(r.failure).toEqual({
        line: expect.any(Number),
        seq: 30,
        problem: "the last row does not match the checkpoint: seq 30 has a different hash than the checkpoint's head",
      });
    });
  });
});

describe('verifyExportChunks and verifyExportFile (blocks of bytes)', () => {
  const exportOf = (format: ExportFormatName, rows = EVENTS_UTF8, head = EVENTS_UTF8[29]) =>
    buildExport(format, rows, { head });
  const bytesOf = (records: string[]): Buffer => Buffer.from(`${records.join('\n')}\n`);
  const blocks = (bytes: Uint8Array, blockBytes?: number) => verifyExportChunks([bytes], keyA.pub, { blockBytes });

  it.each(['ndjson', 'csv'] as const)(
    'reads %s lines cut across block boundaries the same at every block size',
    async (format) => {
      const records = exportOf(format);
      const bytes = bytesOf(records);
      const want = await verifyExport(toLines(records), keyA.pub);
      expect(want).toMatchObject({ ok: true, rows: 30 });
      for (let blockBytes = 1; blockBytes < 2500; blockBytes += 37) {
        await expect(blocks(bytes, blockBytes)).resolves.toEqual(want);
      }
    },
  );

  it('checks a CSV record whose line breaks fall on a block boundary, even one that looks like the start of a record', async () => {
    const rows = EVENTS_UTF8.map((e) => ({ ...e }));
    // The second line of the record starts as an event record does: the reader may end a block there.
    rows[9] = { ...rows[9], userAgent: 'agent\nevent,10,"not a record"\n\nlast line' };
    rechain(rows, 9);
    const records = exportOf('csv', rows, rows[29]);
    const bytes = bytesOf(records);
    const start = bytes.indexOf('event,10,');
    const end = bytes.indexOf('\nevent,11,');
    expect(bytes.subarray(start, end).toString().split('\n')).toHaveLength(4);
    for (let blockBytes = 16; blockBytes < 1600; blockBytes += 5) {
      await expect(blocks(bytes, blockBytes)).resolves.toMatchObject({ ok: true, rows: 30 });
    }
    // The same record altered after its line breaks: found at its first line, whatever the block size.
    const altered = Buffer.from(bytes.toString().replace('last line', 'last lime'));
    for (let blockBytes = 16; blockBytes < 1600; blockBytes += 5) {
      await expect(blocks(altered, blockBytes)).resolves.toMatchObject({
        ok: false,
        rows: 9,
        failure: {
          line: lineOf(records, csv.rowIndex(9)),
          seq: 10,
          problem: "the row's hash does not match its contents (a field was altered)",
        },
      });
    }
  });

  it.each([ndjson, csv])('names the line of a row tampered with in a later block ($format)', async (codec) => {
    const clean = exportOf(codec.format);
    const records = [...clean];
    records[codec.rowIndex(21)] = codec.flipField(records[codec.rowIndex(21)], 'action');
    const bytes = bytesOf(records);
    // Blocks of about 3 rows: row 22 is far from the first block.
    expect(bytes.indexOf(records[codec.rowIndex(21)])).toBeGreaterThan(5 * 2048);
    const r = await blocks(bytes, 2048);
    expect(r).toEqual({
      ok: false,
      format: codec.format,
      rows: 21,
      firstSeq: 1,
      lastSeq: 21,
      filtered: false,
      checkpointSeq: null,
      keyId: keyA.keyId,
      failure: {
        line: lineOf(records, codec.rowIndex(21)),
        seq: 22,
        problem: "the row's hash does not match its contents (a field was altered)",
      },
    });
    // A check between rows, too: two rows swapped in a later block.
    const swapped = [...clean];
    [swapped[codec.rowIndex(24)], swapped[codec.rowIndex(25)]] = [
      swapped[codec.rowIndex(25)],
      swapped[codec.rowIndex(24)],
    ];
    await expect(blocks(bytesOf(swapped), 2048)).resolves.toMatchObject({
      rows: 24,
      failure: {
        line: lineOf(swapped, codec.rowIndex(24)),
        seq: 26,
        problem: 'rows missing from a complete export (seq 24 then seq 26)',
      },
    });
  });

  it.each([ndjson, csv])('reports a last line cut short, without its line break ($format)', async (codec) => {
    const records = exportOf(codec.format);
    const upToRow = bytesOf(records.slice(0, codec.rowIndex(20)));
    for (const blockBytes of [undefined, 100, 1000]) {
      await expect(blocks(bytesOf(records).subarray(0, upToRow.length + 40), blockBytes)).resolves.toMatchObject({
        ok: false,
        rows: 20,
        failure: { line: lineOf(records, codec.rowIndex(20)), problem: expect.stringMatching(/truncated/) },
      });
    }
    // The checkpoint cut in half.
    const whole = bytesOf(records);
    await expect(blocks(whole.subarray(0, whole.length - 200), 1000)).resolves.toMatchObject({
      ok: false,
      rows: 30,
      failure: { line: toLines(records).length, problem: expect.stringMatching(/not valid (JSON|CSV) \(truncated/) },
    });
    // Without its last line break the file is whole.
    await expect(blocks(whole.subarray(0, whole.length - 1), 1000)).resolves.toMatchObject({ ok: true, rows: 30 });
  });

  it('reads a file, with a byte order mark and CRLF line ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-verifier-'));
    try {
      const file = join(dir, 'export.csv');
      writeFileSync(file, `\ufeff${bytesOf(exportOf('csv')).toString().replace(/\n/g, '\r\n')}`);
      await expect(verifyExportFile(file, keyA.pub, { blockBytes: 500 })).resolves.toMatchObject({
        ok: true,
        format: 'csv',
        rows: 30,
      });
      await expect(verifyExportFile(join(dir, 'missing.csv'), keyA.pub)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads chunks given as strings, and rejects an empty input', async () => {
    const text = bytesOf(exportOf('ndjson')).toString();
    await expect(
      verifyExportChunks([text.slice(0, 1000), text.slice(1000)], keyA.pub, { blockBytes: 300 }),
    ).resolves.toMatchObject({ ok: true, rows: 30 });
    await expect(verifyExportChunks([], keyA.pub)).resolves.toMatchObject({
      ok: false,
      failure: { line: 1, problem: 'the file is empty' },
    });
  });
});

describe('verifyExport (how rows are written)', () => {
  it('hashes rows exactly as hashAuditEvent does (the fast path)', () => {
    const odd: ChainedAuditEvent = {
      ...EVENTS[0],
      actorUsername: '\u2028\u0000\u001f\u007f"\\/',
      details: { '': [], é: { b: 1, a: -0, c: 1e21 }, list: [null, true, 'x'] },
    };
    for (const e of [...EVENTS, odd]) expect(fastRowHash(e)).toBe(hashAuditEvent(e.prevHash, e));
    // Strings quoted as they are when their JSON line has no escape and no surrogate.
    const plain = EVENTS.map((e) => ({
      ...e,
      userAgent: e.userAgent && 'Mozilla/5.0 (X11; Linux) ü\u007f\u2028',
      details: { seq: e.seq, é: [null, { b: 'x' }] },
    })).filter((e) => !/[\\\ud800-\udfff]/.test(JSON.stringify(e)));
    expect(plain.length).toBeGreaterThan(10);
    for (const e of plain) expect(fastRowHash(e, true)).toBe(hashAuditEvent(e.prevHash, e));
  });

  it('accepts rows written by PostgreSQL json_build_object (spaces, jsonb key order, other escapes)', async () => {
    const pgJson = (v: unknown): string => {
      if (v === null || typeof v !== 'object')
        return JSON.stringify(v).replace(
          /[\u007f-\uffff]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
        );
      if (Array.isArray(v)) return `[${v.map(pgJson).join(', ')}]`;
      const keys = Object.keys(v).sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
      return `{${keys.map((k) => `${JSON.stringify(k)}: ${pgJson((v as Record<string, unknown>)[k])}`).join(', ')}}`;
    };
    const records = buildExport('ndjson', EVENTS).map((r) => {
      const o = JSON.parse(r) as Record<string, unknown>;
      if (o.type !== 'event') return r;
      return `{${Object.entries(o)
        .map(([k, v]) => `"${k}" : ${k === 'details' ? pgJson(v) : JSON.stringify(v)}`)
        .join(', ')}}`;
    });
    expect(records[1]).toMatch(/^\{"type" : "event", "seq" : 1, /);
    await expect(verifyExport(records, keyA.pub)).resolves.toMatchObject({ ok: true, rows: 30 });
  });

  it('checks in this thread when worker threads cannot load this file (ts-jest)', async () => {
    const records = toLines(buildExport('csv', EVENTS));
    await expect(verifyExport(records, keyA.pub, { threads: 2, batchLines: 4 })).resolves.toMatchObject({
      ok: true,
      rows: 30,
    });
  });
});

describe('verifyExport (input that is not an export)', () => {
  it('rejects an empty file', async () => {
    await expect(verifyExport([], keyA.pub)).resolves.toMatchObject({
      ok: false,
      failure: { line: 1, problem: 'the file is empty' },
    });
  });

  it('rejects a file that is neither format', async () => {
    const r = await verifyExport(['hello,world'], keyA.pub);
    expect(r.failure?.problem).toMatch(/not an audit export/);
  });

  it('rejects a CSV column row of another layout', async () => {
    const r = await verifyExport(['record,seq,id'], keyA.pub);
    expect(r).toMatchObject({ format: 'csv', failure: { line: 1, problem: expect.stringMatching(/CSV column row/) } });
  });

  it('rejects an event before the header', async () => {
    const records = buildExport('ndjson', EVENTS);
    const r = await verifyExport(records.slice(1), keyA.pub);
    expect(r.failure).toEqual({ line: 1, problem: 'the first record must be the header, found "event"' });
  });

  it('rejects an event with a field its hash does not cover', async () => {
    const records = buildExport('ndjson', EVENTS);
    records[3] = JSON.stringify({ ...JSON.parse(records[3]), note: 'added' });
    const r = await verifyExport(records, keyA.pub);
    expect(r.failure).toEqual({ line: 4, seq: 3, problem: 'the event has fields not covered by its hash: note' });
  });

  it('rejects a line that is not JSON', async () => {
    const records = buildExport('ndjson', EVENTS);
    records[5] = records[5].replace('{', '[');
    const r = await verifyExport(records, keyA.pub);
    expect(r.failure).toEqual({ line: 6, problem: expect.stringMatching(/^line 6 is not valid JSON/) });
  });

  it('rejects a CSV line with a column too many', async () => {
    const records = buildExport('csv', EVENTS);
    records[3] = `${records[3]},x`;
    const r = await verifyExport(toLines(records), keyA.pub);
    expect(r.failure?.problem).toMatch(/has 19 columns, expected 18/);
  });
});
