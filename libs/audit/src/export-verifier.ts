import { createHash, hash as sha256Hex, KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { canonicalJson } from '@app/common/canonical-json';
import { keyIdOf, verifyMessage } from '@app/signing/signing-keys';
import { ChainedAuditEvent, GENESIS_HASH, hashAuditEvent } from './audit-hash';
import {
  checkpointMessage, CSV_COLUMNS, EXPORT_FORMAT, ExportHeader, ExportTrailer, headerDigest, parseCsvLine, sealMessage,
} from './export-format';

/**
 * Offline verification of an audit export (format in ./export-format). Deliberately light: no
 * Nest, no database, no network, so an investigator can run it on a copy of the file. It streams
 * (memory is a few batches of lines, whatever the size of the file) and stops at the first
 * problem, naming its line and seq.
 *
 * The work is split in two so that it can use more than one core: the checks of one row on its
 * own (parse, types, the row's hash) run on batches of lines, in worker threads if asked; the
 * checks between rows (order, gaps, chain links, the sealed row list) then run here, in file
 * order, keeping only the previous row. The first problem in file order is reported either way.
 *
 * Two ways in: verifyExport reads lines (strings); verifyExportFile and verifyExportChunks read
 * bytes, in blocks of whole lines that go to the worker threads as they are (the block's memory
 * is moved, not copied), so that this thread neither splits nor decodes lines: the workers do,
 * and send back per row only its seq and hash (and its prevHash where it does not link to the
 * row before). That is what the command line tool uses.
 */
export interface ExportVerification {
  ok: boolean;
  format: 'ndjson' | 'csv';
  rows: number;
  firstSeq: number | null;
  lastSeq: number | null;
  filtered: boolean | null;
  checkpointSeq: number | null;
  keyId: string | null;
  failure?: { line: number; seq?: number; problem: string };
}

export interface VerifyExportOptions {
  /** Worker threads for the per-row checks; 0 (the default) checks in this thread. Ignored when not running compiled JS. */
  threads?: number;
  /** Lines per batch of rows (memory held is about threads x 4 batches). */
  batchLines?: number;
}

export interface VerifyExportBytesOptions {
  /** Worker threads for the per-row checks; 0 (the default) checks in this thread. Ignored when not running compiled JS. */
  threads?: number;
  /**
   * Bytes per block (default 1 MiB; memory held is about threads x 4 blocks). A block ends at a
   * line break; a longer line makes its block larger.
   */
  blockBytes?: number;
}

interface Problem {
  line: number;
  seq?: number;
  problem: string;
}

/** Thrown inside the verifier to stop at the first problem; never escapes verifyExport. */
class Failure implements Problem {
  constructor(readonly line: number, readonly problem: string, readonly seq?: number) {}
}

type Format = 'ndjson' | 'csv';

const HEX64 = /^[0-9a-f]{64}$/;
const SEQ_TEXT = /^[1-9][0-9]*$/;
const OUTCOMES = new Set(['SUCCESS', 'DENIED', 'FAILED']);
const CSV_HEADER_ROW = CSV_COLUMNS.join(',');
const CSV_DETAILS = CSV_COLUMNS.indexOf('details');
/** A quoted CSV field may hold a raw newline; past this a record is taken as corrupt rather than read on. */
const MAX_RECORD_LINES = 1000;
const MAX_RECORD_CHARS = 16 * 1024 * 1024;
const DEFAULT_BATCH_LINES = 2000;

type Kind = 'string' | 'nullable' | 'seq' | 'outcome' | 'details' | 'hash';

/** The 17 fields of an event row, in CSV column order: JSON name, CSV column, expected type. */
const EVENT_FIELDS: readonly (readonly [keyof ChainedAuditEvent, string, Kind])[] = [
  ['seq', 'seq', 'seq'],
  ['id', 'id', 'string'],
  ['occurredAt', 'occurred_at', 'string'],
  ['actorId', 'actor_id', 'nullable'],
  ['actorUsername', 'actor_username', 'nullable'],
  ['actorRole', 'actor_role', 'string'],
  ['action', 'action', 'string'],
  ['outcome', 'outcome', 'outcome'],
  ['targetType', 'target_type', 'nullable'],
  ['targetId', 'target_id', 'nullable'],
  ['caseId', 'case_id', 'nullable'],
  ['requestId', 'request_id', 'nullable'],
  ['clientIp', 'client_ip', 'nullable'],
  ['userAgent', 'user_agent', 'nullable'],
  ['details', 'details', 'details'],
  ['prevHash', 'prev_hash', 'hash'],
  ['hash', 'hash', 'hash'],
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/** Why `v` is not a valid value of an event field, or undefined when it is. */
function fieldProblem(kind: Kind, v: unknown): string | undefined {
  switch (kind) {
    case 'string':
      return typeof v === 'string' ? undefined : 'must be a string';
    case 'nullable':
      return v === null || typeof v === 'string' ? undefined : 'must be a string or null';
    case 'seq':
      return isSeq(v) ? undefined : 'must be a positive integer';
    case 'outcome':
      return typeof v === 'string' && OUTCOMES.has(v) ? undefined : 'must be SUCCESS, DENIED or FAILED';
    case 'details':
      return isObject(v) ? undefined : 'must be a JSON object';
    case 'hash':
      return typeof v === 'string' && HEX64.test(v) ? undefined : 'must be 64 lowercase hex digits';
  }
}

/** Checks the 17 fields of an event; `csv` names columns and calls null an empty cell. */
function checkEventFields(e: Record<string, unknown>, line: number, csv: boolean): ChainedAuditEvent {
  const seq = isSeq(e.seq) ? e.seq : undefined;
  for (let i = 0; i < EVENT_FIELDS.length; i++) {
    const [name, column, kind] = EVENT_FIELDS[i];
    const v = e[name];
    if (v === undefined && !(name in e)) throw new Failure(line, `the event has no field "${name}"`, seq);
    const problem = fieldProblem(kind, v);
    if (problem) {
      const found = csv && v === null ? 'an empty cell' : show(v);
      throw new Failure(line, `${csv ? `column ${column}` : `field "${name}"`} ${problem}, found ${found}`, seq);
    }
  }
  return e as unknown as ChainedAuditEvent;
}

/** Type-checks an NDJSON event row (already parsed). */
function ndjsonEvent(o: Record<string, unknown>, line: number): ChainedAuditEvent {
  const e = checkEventFields(o, line, false);
  const keys = Object.keys(o);
  if (keys.length !== EVENT_FIELDS.length + 1) {
    const extra = keys.filter((k) => k !== 'type' && !EVENT_FIELDS.some(([name]) => name === k));
    throw new Failure(line, `the event has fields not covered by its hash: ${extra.join(', ')}`, e.seq);
  }
  return e;
}

/** Converts the cells of a CSV event record (empty unquoted cell = null) and type-checks them. */
function csvEvent(c: (string | null)[], line: number): ChainedAuditEvent {
  const seqText = c[1];
  const seq = seqText !== null && SEQ_TEXT.test(seqText) ? Number(seqText) : undefined;
  if (seq === undefined || !Number.isSafeInteger(seq)) {
    throw new Failure(line, `column seq must be a positive integer, found ${seqText === null ? 'an empty cell' : show(seqText)}`);
  }
  const detailsText = c[15];
  if (detailsText === null) throw new Failure(line, 'column details must be a JSON object, found an empty cell', seq);
  let details: unknown;
  try {
    details = JSON.parse(detailsText);
  } catch {
    throw new Failure(line, 'column details is not valid JSON', seq);
  }
  const e = {
    seq, id: c[2], occurredAt: c[3], actorId: c[4], actorUsername: c[5], actorRole: c[6], action: c[7], outcome: c[8],
    targetType: c[9], targetId: c[10], caseId: c[11], requestId: c[12], clientIp: c[13], userAgent: c[14], details,
    prevHash: c[16], hash: c[17],
  };
  return hasEventShape(e) ? (e as ChainedAuditEvent) : checkEventFields(e, line, true);
}

function checkHeader(h: Record<string, unknown>, line: number): ExportHeader {
  if (h.format !== EXPORT_FORMAT) throw new Failure(line, `unsupported export format ${show(h.format)}: this verifier reads ${EXPORT_FORMAT}`);
  if (typeof h.exportedAt !== 'string') throw new Failure(line, 'the header\'s exportedAt must be a string');
  const by = h.exportedBy;
  if (!isObject(by) || !(by.id === null || typeof by.id === 'string')
    || !(by.username === null || typeof by.username === 'string') || typeof by.role !== 'string') {
    throw new Failure(line, 'the header\'s exportedBy must be {id: string|null, username: string|null, role: string}');
  }
  if (!isObject(h.filters)) throw new Failure(line, 'the header\'s filters must be an object');
  for (const [k, v] of Object.entries(h.filters)) {
    if (typeof v !== 'string') throw new Failure(line, `the header's filter ${k} must be a string, found ${show(v)}`);
  }
  if (typeof h.filtered !== 'boolean') throw new Failure(line, 'the header\'s filtered must be true or false');
  if (typeof h.keyId !== 'string') throw new Failure(line, 'the header\'s keyId must be a string');
  return h as unknown as ExportHeader;
}

function checkTrailer(t: Record<string, unknown>, line: number): ExportTrailer {
  const c = t.checkpoint;
  const s = t.seal;
  if (!isObject(c)) throw new Failure(line, 'the checkpoint record has no checkpoint object');
  if (!isCount(c.seq)) throw new Failure(line, `the checkpoint's seq must be an integer >= 0, found ${show(c.seq)}`);
  if (typeof c.headHash !== 'string' || !HEX64.test(c.headHash)) throw new Failure(line, 'the checkpoint\'s headHash must be 64 lowercase hex digits');
  if (typeof c.createdAt !== 'string') throw new Failure(line, 'the checkpoint\'s createdAt must be a string');
  if (typeof c.keyId !== 'string') throw new Failure(line, 'the checkpoint\'s keyId must be a string');
  if (typeof c.signature !== 'string') throw new Failure(line, 'the checkpoint\'s signature must be a string');
  if (!isObject(s)) throw new Failure(line, 'the checkpoint record has no seal object');
  if (!isCount(s.rows)) throw new Failure(line, `the seal's rows must be an integer >= 0, found ${show(s.rows)}`);
  if (!(s.firstSeq === null || isSeq(s.firstSeq))) throw new Failure(line, 'the seal\'s firstSeq must be a positive integer or null');
  if (!(s.lastSeq === null || isSeq(s.lastSeq))) throw new Failure(line, 'the seal\'s lastSeq must be a positive integer or null');
  if (typeof s.rowsDigest !== 'string' || !HEX64.test(s.rowsDigest)) throw new Failure(line, 'the seal\'s rowsDigest must be 64 lowercase hex digits');
  if (typeof s.headerDigest !== 'string' || !HEX64.test(s.headerDigest)) throw new Failure(line, 'the seal\'s headerDigest must be 64 lowercase hex digits');
  if (!isCount(s.checkpointSeq)) throw new Failure(line, 'the seal\'s checkpointSeq must be an integer >= 0');
  if (typeof s.signature !== 'string') throw new Failure(line, 'the seal\'s signature must be a string');
  if (typeof t.keyId !== 'string') throw new Failure(line, 'the checkpoint record\'s keyId must be a string');
  return t as unknown as ExportTrailer;
}

function parseJson(text: string, line: number, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Failure(line, `${what} is not valid JSON (truncated or corrupted?): ${(e as Error).message}`);
  }
  if (!isObject(v)) throw new Failure(line, `${what} is not a JSON object`);
  return v;
}

/** Parses a CSV record into its 18 cells. */
function csvCells(text: string, line: number): (string | null)[] {
  let cells: (string | null)[];
  try {
    cells = parseCsvLine(text);
  } catch (e) {
    throw new Failure(line, `line ${line} is not valid CSV (truncated or corrupted?): ${(e as Error).message}`);
  }
  if (cells.length !== CSV_COLUMNS.length) {
    throw new Failure(line, `line ${line} has ${cells.length} columns, expected ${CSV_COLUMNS.length} (truncated or corrupted?)`);
  }
  return cells;
}

/** The cells of a CSV record when it parses with the right number of columns (csvCells says what is wrong otherwise). */
function tryCsvCells(text: string): (string | null)[] | undefined {
  try {
    const cells = parseCsvLine(text);
    return cells.length === CSV_COLUMNS.length ? cells : undefined;
  } catch {
    return undefined;
  }
}

/** The JSON object of a CSV header or checkpoint record, which has nothing but its details column. */
function csvMeta(cells: (string | null)[], line: number, record: 'header' | 'checkpoint'): Record<string, unknown> {
  for (let i = 1; i < cells.length; i++) {
    if (i !== CSV_DETAILS && cells[i] !== null) throw new Failure(line, `the ${record} record has a value in column ${CSV_COLUMNS[i]}`);
  }
  const details = cells[CSV_DETAILS];
  if (details === null) throw new Failure(line, `the ${record} record has no JSON in column details`);
  const o = parseJson(details, line, `the ${record} record's details`);
  if (o.type !== record) throw new Failure(line, `the ${record} record's JSON has type ${show(o.type)}`);
  return o;
}

/** Odd number of double quotes: the record continues on the next line (a quoted field holds a newline). */
function openQuote(s: string): boolean {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n % 2 === 1;
}

const stripCr = (s: string): string => (s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s);

// --- fast row hashing -----------------------------------------------------------------------------
//
// Hashing every row is what the verifier spends its time on, so a row of the usual shape is
// hashed by building its canonical body directly (named fields, in sorted key order) and one-shot
// SHA-256: the same bytes as hashAuditEvent, SHA-256(prevHash || canonical JSON of the body),
// without the generic canonicalJson walk. It only ever ACCEPTS a row: anything else goes through
// the detailed type checks and hashAuditEvent itself, which decide and word the failure.

const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const SURROGATE = /[\ud800-\udfff]/;
/** JSON.stringify of a string (as canonicalJson writes it), skipping it when nothing needs escaping. */
const str = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);
const plainStr = (s: string): string => `"${s}"`;

/**
 * Can every string parsed from this JSON line be quoted as is? Without a backslash the line has
 * no escapes, so its strings hold no quote, backslash or control character (JSON.parse refuses
 * raw ones), and without surrogates none that JSON.stringify would escape.
 */
const plainJsonLine = (line: string): boolean => line.indexOf('\\') < 0 && !SURROGATE.test(line);

/** Own members of a parsed object, counted without allocating (for..in over a JSON.parse result sees only its own). */
function memberCount(o: Record<string, unknown>): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

/** Are all 17 fields of the parsed row of the right type (hashes: see checkRows)? The detailed checks say which is not. */
function hasEventShape(e: Record<string, unknown>): boolean {
  const nullable = (v: unknown) => v === null || typeof v === 'string';
  return isSeq(e.seq) && typeof e.id === 'string' && typeof e.occurredAt === 'string' && nullable(e.actorId)
    && nullable(e.actorUsername) && typeof e.actorRole === 'string' && typeof e.action === 'string'
    && typeof e.outcome === 'string' && OUTCOMES.has(e.outcome) && nullable(e.targetType) && nullable(e.targetId)
    && nullable(e.caseId) && nullable(e.requestId) && nullable(e.clientIp) && nullable(e.userAgent) && isObject(e.details)
    && typeof e.prevHash === 'string' && typeof e.hash === 'string';
}

/**
 * hashAuditEvent(e.prevHash, e) for a row of the right shape, computed faster. The keys are
 * written in canonicalJson's order (sorted by UTF-16 code units); the spec checks the bytes.
 * `plain`: no string needs escaping (see plainJsonLine).
 */
export function fastRowHash(e: ChainedAuditEvent, plain = false): string {
  const q = plain ? plainStr : str;
  const n = (s: string | null): string => (s === null ? 'null' : q(s));
  const body = `{"action":${q(e.action)},"actorId":${n(e.actorId)},"actorRole":${q(e.actorRole)}`
    + `,"actorUsername":${n(e.actorUsername)},"caseId":${n(e.caseId)},"clientIp":${n(e.clientIp)}`
    + `,"details":${canonicalJson(e.details)},"id":${q(e.id)},"occurredAt":${q(e.occurredAt)},"outcome":${q(e.outcome)}`
    + `,"requestId":${n(e.requestId)},"seq":${e.seq},"targetId":${n(e.targetId)}`
    + `,"targetType":${n(e.targetType)},"userAgent":${n(e.userAgent)}}`;
  return sha256Hex('sha256', e.prevHash + body, 'hex');
}

interface RowKey {
  seq: number;
  prevHash: string;
  hash: string;
}

// --- the per-row checks ---------------------------------------------------------------------------

/**
 * What the per-row checks of a batch of lines found, for the checks between rows. Plain data: it
 * crosses threads, so it is kept compact (this thread reads it for every row of the file).
 */
interface RowBatch {
  /** Lines in the batch. */
  lineCount: number;
  /** Seqs of the rows that passed their own checks, in order. */
  seqs: number[];
  /** Their hashes, each followed by "\n" (64 hex digits: row r's starts at r * HASH_STRIDE); what the rows digest reads. */
  hashes: string;
  /**
   * The rows (indexes, in order) whose prevHash is not the hash of the row before them in the
   * batch with the seq before, and those prevHashes; every other row links to the row before it.
   */
  unlinked: number[];
  unlinkedPrevHashes: string[];
  /** Index of the first line that is not blank (-1: none), for the lines after the checkpoint. */
  firstNonBlank: number;
  /** Index of the line each row starts on, only when a CSV record spans lines (else row i is on line i). */
  rowLines?: number[];
  /** The first problem in the batch; the rows before it are listed. */
  failure?: Problem;
  /** The checkpoint record and the index of its line. */
  trailer?: { index: number; value: ExportTrailer };
  /** A CSV record still open at the end of the batch starts at this index of its lines. */
  openRecord?: number;
}

const HASH_STRIDE = 65;

/** The row's own hash check, after its type checks. */
function checkedRow(e: ChainedAuditEvent, line: number): RowKey {
  if (hashAuditEvent(e.prevHash, e) !== e.hash) throw new Failure(line, 'the row\'s hash does not match its contents (a field was altered)', e.seq);
  return e;
}

const firstNonBlank = (lines: string[]): number => lines.findIndex((l) => stripCr(l) !== '');

/**
 * The checks of each row on its own, over lines `firstLine`.. of the file, after the header:
 * parse, field types, the row's hash; the checkpoint record's shape, and nothing after it.
 */
function checkRows(format: Format, lines: string[], firstLine: number): RowBatch {
  const out: RowBatch = {
    lineCount: lines.length, seqs: [], hashes: '', unlinked: [], unlinkedPrevHashes: [], firstNonBlank: firstNonBlank(lines),
  };
  let lastSeq = 0;
  let lastHash = '';
  /** Does the row link to the row before it in the batch (seq before, prevHash its hash)? */
  const linksBack = (e: RowKey): boolean => out.seqs.length > 0 && lastSeq === e.seq - 1 && lastHash === e.prevHash;
  const addRow = (e: RowKey, index: number): void => {
    if (out.rowLines) out.rowLines.push(index);
    if (!linksBack(e)) {
      out.unlinked.push(out.seqs.length);
      out.unlinkedPrevHashes.push(e.prevHash);
    }
    out.seqs.push(e.seq);
    out.hashes += `${e.hash}\n`;
    lastSeq = e.seq;
    lastHash = e.hash;
  };
  /**
   * The fast path's acceptance of a row of the right shape: its hash matches (so it is 64 hex
   * digits) and its prevHash is the previous row's hash or else 64 hex digits itself.
   */
  const fastAccepts = (e: ChainedAuditEvent, plain: boolean): boolean =>
    fastRowHash(e, plain) === e.hash && (linksBack(e) || HEX64.test(e.prevHash));
  try {
    for (let i = 0; i < lines.length; i++) {
      const index = i; // of the record's first line (i moves on over a CSV record's line breaks)
      const line = firstLine + i;
      let text = stripCr(lines[i]);
      if (text === '') {
        if (out.trailer) continue; // blank lines after the checkpoint carry nothing
        throw new Failure(line, 'an empty line where a record was expected');
      }
      if (out.trailer) throw new Failure(line, 'a record after the checkpoint: the checkpoint must be the last record');
      if (format === 'ndjson') {
        const o = parseJson(text, line, `line ${line}`);
        if (o.type === 'event') {
          // Fast path for a row of the right shape whose hash matches; else the detailed checks.
          const fast = hasEventShape(o) && memberCount(o) === EVENT_FIELDS.length + 1
            && fastAccepts(o as unknown as ChainedAuditEvent, plainJsonLine(text));
          addRow(fast ? (o as unknown as RowKey) : checkedRow(ndjsonEvent(o, line), line), index);
        } else if (o.type === 'checkpoint') out.trailer = { index, value: checkTrailer(o, line) };
        else if (o.type === 'header') throw new Failure(line, 'a second header record');
        else throw new Failure(line, `unknown record type ${show(o.type)}`);
        continue;
      }
      // CSV: a quoted field holding a newline continues the record on the next lines. Such a
      // record does not parse (a quoted field is left open), so the quotes are only counted then.
      let cells = tryCsvCells(text);
      if (cells === undefined && openQuote(text)) {
        const start = i;
        while (openQuote(text)) {
          if (i - start + 1 >= MAX_RECORD_LINES || text.length > MAX_RECORD_CHARS) {
            throw new Failure(line, `line ${line} is not valid CSV (truncated or corrupted?): a quoted field is never closed`);
          }
          if (++i === lines.length) {
            out.openRecord = start;
            return out;
          }
          text += `\n${stripCr(lines[i])}`;
        }
        out.rowLines ??= out.seqs.map((_, r) => r);
        cells = undefined;
      }
      cells ??= csvCells(text, line);
      const record = cells[0];
      if (record === 'event') {
        const e = csvEvent(cells, line);
        addRow(fastAccepts(e, false) ? e : checkedRow(checkEventFields(e as unknown as Record<string, unknown>, line, true), line), index);
      } else if (record === 'checkpoint') out.trailer = { index, value: checkTrailer(csvMeta(cells, line, 'checkpoint'), line) };
      else if (record === 'header') throw new Failure(line, 'a second header record');
      else throw new Failure(line, `unknown record type ${show(record)}`);
    }
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    out.failure = { line: e.line, problem: e.problem, ...(e.seq !== undefined && { seq: e.seq }) };
  }
  return out;
}

// --- blocks of bytes ------------------------------------------------------------------------------

const DEFAULT_BLOCK_BYTES = 1024 * 1024;
/** A block is decoded to one string, which V8 limits to about 2^29 characters. */
const MAX_BLOCK_BYTES = 2 ** 29 - 24;
const LF = 0x0a;

/**
 * The lines of a block of whole lines, decoded as UTF-8 (the line break after the last one is
 * optional). The block is decoded as latin1 first, one character per byte: that is fast, and
 * gives one-byte strings, faster to parse and hash than the two-byte string UTF-8 makes of a
 * whole block as soon as one of its characters is not ASCII. The lines with a byte past ASCII
 * are decoded again as UTF-8 (the offsets in the latin1 text are those of the bytes). A line
 * break is never part of a multi-byte sequence, so this decodes as the whole block would.
 */
function blockLines(block: Uint8Array): string[] {
  const bytes = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  const text = bytes.toString('latin1');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const nonAscii = /[^\x00-\x7f]/g;
  let next = nonAscii.exec(text)?.index ?? -1;
  for (let i = 0, at = 0; next >= 0 && i < lines.length; i++) {
    const end = at + lines[i].length;
    if (next < end) {
      lines[i] = bytes.toString('utf8', at, end);
      nonAscii.lastIndex = end;
      next = nonAscii.exec(text)?.index ?? -1;
    }
    at = end + 1;
  }
  return lines;
}

/** How the CSV writer starts an event or checkpoint record. */
const CSV_RECORD_STARTS = [Buffer.from('event,'), Buffer.from('checkpoint,')];

/**
 * Where a block of `n` bytes read ends: after its last line break (0: it has none). For CSV,
 * after the last line break in its second half that is followed by the start of a record as the
 * writer starts it, if any: a quoted field may hold a line break, and a record cut in two by a
 * block boundary has the next block checked again in the main thread (see ExportCheck.settle). A
 * guess only, which keeps that rare; what the checks find does not depend on it.
 */
function blockEnd(buf: Uint8Array, n: number, csv: boolean): number {
  const b = Buffer.from(buf.buffer, buf.byteOffset, n);
  const last = b.lastIndexOf(LF);
  if (csv) {
    for (let nl = last; nl > 0 && nl >= n / 2; nl = b.lastIndexOf(LF, nl - 1)) {
      const at = nl + 1;
      if (CSV_RECORD_STARTS.some((s) => at + s.length <= n && b.compare(s, 0, s.length, at, at + s.length) === 0)) return at;
    }
  }
  return last + 1;
}

/**
 * Reads the input into blocks of whole lines: fills a block, ends it at a line break (see
 * blockEnd) and carries the bytes after it over to the next block.
 */
class BlockReader {
  private rest?: Uint8Array;
  /** The input has ended: the block last returned was the last one. */
  done = false;

  constructor(
    private readonly read: (into: Uint8Array) => Promise<number>,
    private readonly blockBytes: number,
    /** Blocks back from the workers, to read into again. */
    private readonly spare: ArrayBuffer[],
    private readonly csv: () => boolean,
  ) {}

  /** The next block (a view of a buffer of its own, which the caller may hand to a worker), or undefined at the end. */
  async next(): Promise<Uint8Array | undefined> {
    if (this.done) return undefined;
    const rest = this.rest;
    this.rest = undefined;
    let size = this.blockBytes;
    while (rest && rest.length >= size) size = Math.min(size * 2, MAX_BLOCK_BYTES);
    let buf = new Uint8Array((size === this.blockBytes && this.spare.pop()) || new ArrayBuffer(size));
    let n = 0;
    if (rest) {
      buf.set(rest);
      n = rest.length;
    }
    for (;;) {
      while (n < buf.length && !this.done) {
        const got = await this.read(buf.subarray(n));
        if (got === 0) this.done = true;
        n += got;
      }
      if (this.done) return n > 0 ? buf.subarray(0, n) : undefined;
      const end = blockEnd(buf, n, this.csv());
      if (end > 0) {
        if (end < n) this.rest = buf.slice(end, n);
        return buf.subarray(0, end);
      }
      // No line break in a whole block: a longer line, read on in a larger block.
      if (buf.length >= MAX_BLOCK_BYTES) throw new Error(`a line longer than ${MAX_BLOCK_BYTES} bytes`);
      const larger = new Uint8Array(Math.min(buf.length * 2, MAX_BLOCK_BYTES));
      larger.set(buf);
      buf = larger;
    }
  }
}

// --- worker threads -------------------------------------------------------------------------------

const WORKER_ROLE = 'ion-audit-export-verifier/rows';

/**
 * Lines numbered from `firstLine`, or a block of bytes holding whole lines, numbered from 1: the
 * block is handed over before the lines ahead of it are counted (see ExportCheck.settle).
 */
type RowJob = { format: Format; lines: string[]; firstLine: number } | { format: Format; block: Uint8Array };

interface WorkerReply {
  batch?: RowBatch;
  /** checkRows threw (a bug, not a problem with the export). */
  error?: string;
  /** The job's block, handed back. */
  block?: Uint8Array;
}

if (!isMainThread && parentPort && (workerData as { role?: unknown } | null)?.role === WORKER_ROLE) {
  const port = parentPort;
  port.on('message', (job: RowJob) => {
    const reply: WorkerReply = {};
    try {
      reply.batch = 'block' in job ? checkRows(job.format, blockLines(job.block), 1) : checkRows(job.format, job.lines, job.firstLine);
    } catch (e) {
      reply.error = (e as Error).stack ?? String(e);
    }
    if ('block' in job) {
      reply.block = job.block;
      port.postMessage(reply, [job.block.buffer as ArrayBuffer]);
    } else {
      port.postMessage(reply);
    }
  });
}

/** A worker thread running checkRows; replies come back in the order of the jobs. */
class RowWorker {
  // A larger young generation: each batch allocates a few MB that die young.
  private readonly worker = new Worker(__filename, { workerData: { role: WORKER_ROLE }, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  private readonly waiting: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }[] = [];
  private failed?: Error;

  constructor() {
    this.worker.on('message', (reply: WorkerReply) => this.waiting.shift()?.resolve(reply));
    const fail = (e: Error) => {
      this.failed ??= e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`export verifier worker exited (${code})`)));
  }

  /** Checks the rows of a job; a block is moved to the worker (it is unusable here until handed back). */
  check(job: RowJob): Promise<WorkerReply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if ('block' in job) this.worker.postMessage(job, [job.block.buffer as ArrayBuffer]);
      else this.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** Worker threads can only load this file when it runs as compiled JavaScript (not under ts-jest). */
const CAN_USE_WORKERS = __filename.endsWith('.js');

const threadsOf = (threads: number | undefined): number => (CAN_USE_WORKERS ? Math.max(0, Math.floor(threads ?? 0)) : 0);

// --- the verifier ---------------------------------------------------------------------------------

/**
 * The rows of the file as the seal lists them: count, first and last seq, and RowsDigest's digest
 * (SHA-256 over each row's hash followed by "\n"), fed a batch of rows at a time.
 */
class SealedRows {
  private readonly sha = createHash('sha256');
  count = 0;
  firstSeq: number | null = null;
  lastSeq: number | null = null;

  /** `hashes`: hex digits and "\n" only, so latin1 is UTF-8 here. */
  update(hashes: string): void {
    this.sha.update(hashes, 'latin1');
  }

  digest(): string {
    return this.sha.digest('hex');
  }
}

/** A batch on its way: its per-row checks are done (or under way in a worker), the checks between rows are not. */
interface Job {
  /** Its lines, when kept here: CSV batches (a record may continue in the next) and blocks checked in this thread. */
  lines?: string[];
  /** Line number of its first line; a block's is known once the blocks before it are settled. */
  firstLine?: number;
  /** The worker's reply; `{}` for lines checked here, when settled. */
  reply: WorkerReply | Promise<WorkerReply>;
}

/** The state of one verification: the head, the checks between rows in file order, the batches in flight, the trailer. */
class ExportCheck {
  format?: Format;
  header?: ExportHeader;
  /** Lines read so far: by verifyExport as it reads them; from bytes, the head lines, then each block's when settled. */
  lineNo = 0;
  /** Buffers of blocks handed back by the workers, for the BlockReader. */
  readonly spare: ArrayBuffer[] = [];
  private trailer?: ExportTrailer;
  private trailerLine = 0;
  private readonly rows = new SealedRows();
  private prevSeq = 0;
  private prevHash = '';
  /** A CSV record open at the end of a batch, carried into the next one. */
  private carry?: { lines: string[]; firstLine: number };
  /** Batches in flight, in file order. */
  private readonly inFlight: Job[] = [];
  private readonly workers: RowWorker[] = [];
  private nextWorker = 0;

  constructor(
    private readonly publicKey: KeyObject,
    private readonly threads: number,
    private readonly blockBytes = 0,
  ) {}

  /** Runs `read` (which reads the head and dispatches the batches), then the checks at the end. */
  async run(read: () => Promise<void>): Promise<ExportVerification> {
    try {
      await read();
      while (this.inFlight.length > 0) await this.settle();
      this.finish();
    } catch (e) {
      if (e instanceof Failure) return this.result(e);
      throw e;
    } finally {
      await Promise.all(this.workers.map((w) => w.close()));
    }
    return { ...this.result(), keyId: keyIdOf(this.publicKey) };
  }

  private result(failure?: Problem): ExportVerification {
    const { rows, header } = this;
    return {
      ok: !failure,
      format: this.format ?? 'ndjson',
      rows: rows.count,
      firstSeq: rows.firstSeq,
      lastSeq: rows.lastSeq,
      filtered: header?.filtered ?? null,
      checkpointSeq: this.trailer?.checkpoint.seq ?? null,
      keyId: header?.keyId ?? null,
      ...(failure && { failure: { line: failure.line, ...(failure.seq !== undefined && { seq: failure.seq }), problem: failure.problem } }),
    };
  }

  /** One of the first lines, line `lineNo`: the format, the CSV column row and the header, read here before any batch. */
  headLine(raw: string): void {
    const lineNo = this.lineNo;
    let text = stripCr(raw);
    if (this.format === undefined) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text === CSV_HEADER_ROW) {
        this.format = 'csv';
        return;
      }
      if (text.startsWith('record,')) {
        this.format = 'csv';
        throw new Failure(lineNo, `the CSV column row is not that of ${EXPORT_FORMAT}: expected ${CSV_HEADER_ROW}`);
      }
      if (!text.startsWith('{')) throw new Failure(lineNo, 'not an audit export: the first line is neither a JSON header nor the CSV column row');
      this.format = 'ndjson';
    }
    let o: Record<string, unknown>;
    if (this.format === 'ndjson') {
      o = parseJson(text, lineNo, 'the header line');
    } else {
      if (text !== '' && openQuote(text)) throw new Failure(lineNo, `line ${lineNo} is not valid CSV (truncated or corrupted?): a quoted field is not closed`);
      const cells = csvCells(text, lineNo);
      if (cells[0] !== 'header') throw new Failure(lineNo, `the first record must be the header, found ${show(cells[0])}`);
      o = csvMeta(cells, lineNo, 'header');
    }
    if (o.type !== 'header') throw new Failure(lineNo, `the first record must be the header, found ${show(o.type)}`);
    this.header = checkHeader(o, lineNo);
  }

  private worker(): RowWorker {
    if (this.workers.length === 0) for (let t = 0; t < this.threads; t++) this.workers.push(new RowWorker());
    return this.workers[this.nextWorker++ % this.workers.length];
  }

  /** Lines `firstLine`.. after the header, checked here or by a worker. */
  async dispatchLines(lines: string[], firstLine: number, last: boolean): Promise<void> {
    const format = this.format as Format;
    if (this.threads === 0 || (last && this.workers.length === 0)) {
      // In this thread, also when the whole file fits in one batch: not worth starting workers.
      this.inFlight.push({ lines, firstLine, reply: {} });
      await this.settle();
      return;
    }
    const reply = this.worker().check({ format, lines, firstLine });
    reply.catch(() => undefined); // awaited in order by settle; do not report it unhandled meanwhile
    this.inFlight.push({ lines: format === 'csv' ? lines : undefined, firstLine, reply });
    if (this.inFlight.length >= this.threads * 4) await this.settle();
  }

  /** A block of whole lines after the header (the lines before it are not counted yet), checked here or by a worker. */
  async dispatchBlock(block: Uint8Array, last: boolean): Promise<void> {
    if (this.threads === 0 || (last && this.workers.length === 0)) {
      this.inFlight.push({ lines: blockLines(block), reply: {} });
      this.reuse(block);
      await this.settle();
      return;
    }
    const reply = this.worker().check({ format: this.format as Format, block });
    reply.catch(() => undefined);
    this.inFlight.push({ reply });
    if (this.inFlight.length >= this.threads * 4) await this.settle();
  }

  /** Gives the buffer of a block that is done with back to the BlockReader. */
  reuse(block: Uint8Array): void {
    if (block.buffer.byteLength === this.blockBytes) this.spare.push(block.buffer as ArrayBuffer);
  }

  /** The checks between rows of the oldest batch in flight. */
  private async settle(): Promise<void> {
    const job = this.inFlight.shift();
    if (!job) return;
    const reply = await job.reply;
    const isBlock = job.firstLine === undefined;
    if (reply.error !== undefined && !isBlock) throw new Error(`export verifier worker: ${reply.error}`);
    const firstLine = job.firstLine ?? this.lineNo + 1;
    let { lines } = job;
    let b = reply.batch;
    if (isBlock) {
      // A worker numbers a block's lines from 1. When its batch names a line (a problem) or its
      // lines are needed here (a record open across blocks), or the worker failed, the block is
      // checked again here, numbered; this happens at most once per run, bar CSV records with line breaks.
      if (reply.block && (b === undefined || (!this.trailer && (this.carry || b.failure || b.openRecord !== undefined)))) {
        lines = blockLines(reply.block);
        b = undefined;
      }
      this.lineNo += lines ? lines.length : (b as RowBatch).lineCount;
      if (reply.block) this.reuse(reply.block);
    }
    if (this.trailer) {
      // Only blank lines may follow the checkpoint (the batch with it checked its own lines).
      const blank = b ? b.firstNonBlank : firstNonBlank(lines as string[]);
      if (blank >= 0) throw new Failure(firstLine + blank, 'a record after the checkpoint: the checkpoint must be the last record');
    } else if (this.carry) {
      // The batch was checked without the start of its first record: check the two together here.
      const carry = this.carry;
      this.carry = undefined;
      const joined = carry.lines.concat(lines as string[]);
      this.absorb(joined, carry.firstLine, checkRows(this.format as Format, joined, carry.firstLine));
    } else {
      this.absorb(lines, firstLine, b ?? checkRows(this.format as Format, lines as string[], firstLine));
    }
  }

  /** The checks between rows, in file order, on a batch whose rows passed their own checks. */
  private absorb(lines: string[] | undefined, firstLine: number, b: RowBatch): void {
    const filtered = (this.header as ExportHeader).filtered;
    const { rows } = this;
    const { seqs, unlinked } = b;
    const lineOf = (r: number): number => firstLine + (b.rowLines ? b.rowLines[r] : r);
    let u = 0;
    for (let r = 0; r < seqs.length; r++) {
      const seq = seqs[r];
      const prevSeq = this.prevSeq;
      if (rows.count > 0 && seq <= prevSeq) {
        throw new Failure(lineOf(r), `rows out of order or duplicated (seq ${seq} after seq ${prevSeq})`, seq);
      }
      if (!filtered) {
        if (rows.count === 0 && seq !== 1) {
          throw new Failure(lineOf(r), `rows missing from a complete export (it must start at seq 1, the first row is seq ${seq})`, seq);
        }
        if (rows.count > 0 && seq !== prevSeq + 1) {
          throw new Failure(lineOf(r), `rows missing from a complete export (seq ${prevSeq} then seq ${seq})`, seq);
        }
      }
      // The row's prevHash, unless it is the hash of the row before it, checked with the batch
      // (then its seq is not 1).
      const rowPrevHash = u < unlinked.length && unlinked[u] === r ? b.unlinkedPrevHashes[u++] : undefined;
      if (seq === 1 && rowPrevHash !== GENESIS_HASH) {
        throw new Failure(lineOf(r), 'chain broken before seq 1: its prevHash is not the genesis hash', seq);
      }
      if (rows.count > 0 && seq === prevSeq + 1 && rowPrevHash !== undefined
        && rowPrevHash !== (r === 0 ? this.prevHash : b.hashes.substr((r - 1) * HASH_STRIDE, 64))) {
        throw new Failure(lineOf(r), `chain broken between seq ${prevSeq} and ${seq}: its prevHash is not the hash of seq ${prevSeq}`, seq);
      }
      rows.count++;
      rows.firstSeq ??= seq;
      rows.lastSeq = seq;
      this.prevSeq = seq;
    }
    if (seqs.length > 0) {
      rows.update(b.hashes);
      this.prevHash = b.hashes.substr((seqs.length - 1) * HASH_STRIDE, 64);
    }
    if (b.trailer) {
      this.trailer = b.trailer.value;
      this.trailerLine = firstLine + b.trailer.index;
    }
    if (b.failure) throw new Failure(b.failure.line, b.failure.problem, b.failure.seq);
    if (b.openRecord !== undefined) this.carry = { lines: (lines as string[]).slice(b.openRecord), firstLine: firstLine + b.openRecord };
  }

  /** The trailer checks, once all rows are read. */
  private finish(): void {
    const { carry, lineNo, header, trailer, rows, prevHash, publicKey } = this;
    if (carry) {
      throw new Failure(carry.firstLine, `line ${carry.firstLine} is not valid CSV (truncated?): a quoted field is not closed before the end of the file`);
    }
    if (lineNo === 0) throw new Failure(1, 'the file is empty');
    if (!header) throw new Failure(lineNo + 1, 'truncated: the file ends before its header');
    if (!trailer) throw new Failure(lineNo + 1, 'truncated: the file ends without its checkpoint');
    const h = header;
    const { checkpoint: c, seal: s } = trailer;
    const line = this.trailerLine;
    if (c.keyId !== h.keyId || trailer.keyId !== h.keyId) {
      throw new Failure(line, `the key ids in the file disagree (header ${h.keyId}, checkpoint ${c.keyId}, trailer ${trailer.keyId})`);
    }
    const givenKeyId = keyIdOf(publicKey);
    if (c.keyId !== givenKeyId) throw new Failure(line, `signed with key ${c.keyId} but the given public key is ${givenKeyId}`);
    const { signature: cSig, ...unsignedCheckpoint } = c;
    if (!verifyMessage(publicKey, checkpointMessage(unsignedCheckpoint), cSig)) {
      throw new Failure(line, 'checkpoint signature does not verify with the given public key');
    }
    const { signature: sSig, ...unsignedSeal } = s;
    if (!verifyMessage(publicKey, sealMessage(unsignedSeal), sSig)) throw new Failure(line, 'export seal signature does not verify');
    if (s.headerDigest !== headerDigest(h)) throw new Failure(line, 'the header (exporter, filters) was altered');
    if (s.rows !== rows.count) {
      throw new Failure(line, `rows were dropped, added or reordered: the seal lists ${s.rows} rows, the file has ${rows.count}`);
    }
    if (s.firstSeq !== rows.firstSeq || s.lastSeq !== rows.lastSeq) {
      throw new Failure(line, `rows were dropped, added or reordered: the seal lists seq ${s.firstSeq}..${s.lastSeq}, the file has seq ${rows.firstSeq}..${rows.lastSeq}`);
    }
    if (s.rowsDigest !== rows.digest()) {
      throw new Failure(line, `rows were dropped, added, replaced or reordered: the file has ${rows.count} rows as sealed but not the sealed ones (rows digest mismatch)`);
    }
    if (s.checkpointSeq !== c.seq) throw new Failure(line, `the seal refers to checkpoint seq ${s.checkpointSeq} but the checkpoint is seq ${c.seq}`);
    const lastSeq = rows.lastSeq;
    if (lastSeq !== null && lastSeq > c.seq) {
      throw new Failure(line, `rows beyond the checkpoint: the last row is seq ${lastSeq}, the checkpoint seq ${c.seq}`, lastSeq);
    }
    if (!h.filtered) {
      if (lastSeq === null ? c.seq !== 0 || c.headHash !== GENESIS_HASH : lastSeq !== c.seq || prevHash !== c.headHash) {
        const end = lastSeq === null ? 'no row' : `seq ${lastSeq}`;
        throw new Failure(line, `the last row does not match the checkpoint: a complete export must end at checkpoint seq ${c.seq} with its head hash, it ends at ${end}`, lastSeq ?? undefined);
      }
    } else if (lastSeq === c.seq && prevHash !== c.headHash) {
      throw new Failure(line, `the last row does not match the checkpoint: seq ${lastSeq} has a different hash than the checkpoint's head`, lastSeq);
    }
  }
}

/**
 * Verifies an export read line by line (without line terminators). Checks every row's hash,
 * the order and the chain links as rows stream, then the trailer: key id, checkpoint and seal
 * signatures, header digest, the sealed list of rows, and that the rows reach the checkpoint.
 */
export async function verifyExport(
  lines: AsyncIterable<string> | Iterable<string>,
  publicKey: KeyObject,
  options: VerifyExportOptions = {},
): Promise<ExportVerification> {
  const batchLines = Math.max(1, Math.floor(options.batchLines ?? DEFAULT_BATCH_LINES));
  const check = new ExportCheck(publicKey, threadsOf(options.threads));
  return check.run(async () => {
    let batch: string[] = [];
    let batchFirstLine = 0;
    for await (const line of lines) {
      check.lineNo++;
      if (!check.header) {
        check.headLine(line);
        continue;
      }
      if (batch.length === 0) batchFirstLine = check.lineNo;
      batch.push(line);
      if (batch.length >= batchLines) {
        await check.dispatchLines(batch, batchFirstLine, false);
        batch = [];
      }
    }
    if (batch.length > 0) await check.dispatchLines(batch, batchFirstLine, true);
  });
}

/**
 * Verifies an export read as bytes by `read` (which fills the start of `into` and says how many
 * bytes it read, 0 at the end). Lines end at "\n" (a "\r" before it is dropped), as verifyExport
 * reads them; the same checks, the same problems on the same lines.
 */
async function verifyBytes(read: (into: Uint8Array) => Promise<number>, publicKey: KeyObject, options: VerifyExportBytesOptions): Promise<ExportVerification> {
  const blockBytes = Math.max(1, Math.floor(options.blockBytes ?? DEFAULT_BLOCK_BYTES));
  const check = new ExportCheck(publicKey, threadsOf(options.threads), blockBytes);
  const reader = new BlockReader(read, blockBytes, check.spare, () => check.format === 'csv');
  return check.run(async () => {
    for (let block = await reader.next(); block !== undefined; block = await reader.next()) {
      if (!check.header) {
        // The head lines, here; the rest of the block goes on as any other.
        const bytes = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
        let at = 0;
        while (!check.header && at < bytes.length) {
          const nl = bytes.indexOf(LF, at);
          const end = nl < 0 ? bytes.length : nl;
          check.lineNo++;
          check.headLine(bytes.toString('utf8', at, end));
          at = end + 1;
        }
        if (at >= bytes.length) {
          check.reuse(block);
          continue;
        }
        block = block.subarray(at);
      }
      await check.dispatchBlock(block, reader.done);
    }
  });
}

/** Verifies an export file, read in blocks (see verifyBytes); for the command line tool. */
export async function verifyExportFile(path: string, publicKey: KeyObject, options: VerifyExportBytesOptions = {}): Promise<ExportVerification> {
  const file = await open(path, 'r');
  try {
    return await verifyBytes(async (into) => (await file.read(into, 0, into.length, null)).bytesRead, publicKey, options);
  } finally {
    await file.close();
  }
}

/** Verifies an export read as chunks of bytes (a stream such as standard input; strings are UTF-8 encoded), in blocks (see verifyBytes). */
export async function verifyExportChunks(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  publicKey: KeyObject,
  options: VerifyExportBytesOptions = {},
): Promise<ExportVerification> {
  const it = Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
  let chunk: Uint8Array = new Uint8Array(0);
  let at = 0;
  let ended = false;
  const read = async (into: Uint8Array): Promise<number> => {
    while (at === chunk.length) {
      const next = await it.next();
      if (next.done) {
        ended = true;
        return 0;
      }
      chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
      at = 0;
    }
    const n = Math.min(into.length, chunk.length - at);
    into.set(chunk.subarray(at, at + n));
    at += n;
    return n;
  };
  try {
    return await verifyBytes(read, publicKey, options);
  } finally {
    if (!ended) await it.return?.();
  }
}
