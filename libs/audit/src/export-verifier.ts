import { hash as sha256Hex, KeyObject } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { canonicalJson } from '@app/common/canonical-json';
import { keyIdOf, verifyMessage } from '@app/signing/signing-keys';
import { ChainedAuditEvent, GENESIS_HASH, hashAuditEvent } from './audit-hash';
import {
  checkpointMessage, CSV_COLUMNS, EXPORT_FORMAT, ExportHeader, ExportTrailer, headerDigest, parseCsvLine, RowsDigest,
  sealMessage,
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

/** What the per-row checks of a batch of lines found, for the checks between rows. Plain data: it crosses threads. */
interface RowBatch {
  /** Rows that passed their own checks, in order: seq, prevHash, hash. */
  seqs: number[];
  /** '' when the row's prevHash is the hash of the row before it in the batch, with the seq before (it saves copying). */
  prevHashes: string[];
  hashes: string[];
  /** Index of the first line that is not blank (-1: none), for the lines after the checkpoint. */
  firstNonBlank: number;
  /** Line of each row, only when a CSV record spans lines (else row i is on line firstLine + i). */
  rowLines?: number[];
  /** The first problem in the batch; the rows before it are listed. */
  failure?: Problem;
  trailer?: { line: number; value: ExportTrailer };
  /** A CSV record still open at the end of the batch starts at this index of its lines. */
  openRecord?: number;
}

/** The row's own hash check, after its type checks. */
function checkedRow(e: ChainedAuditEvent, line: number): RowKey {
  if (hashAuditEvent(e.prevHash, e) !== e.hash) throw new Failure(line, 'the row\'s hash does not match its contents (a field was altered)', e.seq);
  return e;
}

/**
 * The checks of each row on its own, over lines `firstLine`.. of the file, after the header:
 * parse, field types, the row's hash; the checkpoint record's shape, and nothing after it.
 */
function checkRows(format: Format, lines: string[], firstLine: number): RowBatch {
  const out: RowBatch = { seqs: [], prevHashes: [], hashes: [], firstNonBlank: lines.findIndex((l) => stripCr(l) !== '') };
  const addRow = (e: RowKey, line: number): void => {
    const r = out.seqs.length - 1;
    const linked = r >= 0 && out.seqs[r] === e.seq - 1 && out.hashes[r] === e.prevHash;
    if (out.rowLines) out.rowLines.push(line);
    out.seqs.push(e.seq);
    out.prevHashes.push(linked ? '' : e.prevHash);
    out.hashes.push(e.hash);
  };
  /**
   * The fast path's acceptance of a row of the right shape: its hash matches (so it is 64 hex
   * digits) and its prevHash is the previous row's hash or else 64 hex digits itself.
   */
  const fastAccepts = (e: ChainedAuditEvent, plain: boolean): boolean => {
    if (fastRowHash(e, plain) !== e.hash) return false;
    const r = out.seqs.length - 1;
    return (r >= 0 && out.seqs[r] === e.seq - 1 && out.hashes[r] === e.prevHash) || HEX64.test(e.prevHash);
  };
  try {
    for (let i = 0; i < lines.length; i++) {
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
          addRow(fast ? (o as unknown as RowKey) : checkedRow(ndjsonEvent(o, line), line), line);
        } else if (o.type === 'checkpoint') out.trailer = { line, value: checkTrailer(o, line) };
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
        out.rowLines ??= out.seqs.map((_, r) => firstLine + r);
        cells = undefined;
      }
      cells ??= csvCells(text, line);
      const record = cells[0];
      if (record === 'event') {
        const e = csvEvent(cells, line);
        addRow(fastAccepts(e, false) ? e : checkedRow(checkEventFields(e as unknown as Record<string, unknown>, line, true), line), line);
      } else if (record === 'checkpoint') out.trailer = { line, value: checkTrailer(csvMeta(cells, line, 'checkpoint'), line) };
      else if (record === 'header') throw new Failure(line, 'a second header record');
      else throw new Failure(line, `unknown record type ${show(record)}`);
    }
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    out.failure = { line: e.line, problem: e.problem, ...(e.seq !== undefined && { seq: e.seq }) };
  }
  return out;
}

// --- worker threads -------------------------------------------------------------------------------

const WORKER_ROLE = 'ion-audit-export-verifier/rows';

interface RowJob {
  format: Format;
  lines: string[];
  firstLine: number;
}

type WorkerReply = { batch: RowBatch } | { error: string };

if (!isMainThread && parentPort && (workerData as { role?: unknown } | null)?.role === WORKER_ROLE) {
  const port = parentPort;
  port.on('message', (job: RowJob) => {
    let reply: WorkerReply;
    try {
      reply = { batch: checkRows(job.format, job.lines, job.firstLine) };
    } catch (e) {
      reply = { error: (e as Error).stack ?? String(e) };
    }
    port.postMessage(reply);
  });
}

/** A worker thread running checkRows; replies come back in the order of the jobs. */
class RowWorker {
  // A larger young generation: each batch allocates a few MB that die young.
  private readonly worker = new Worker(__filename, { workerData: { role: WORKER_ROLE }, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  private readonly waiting: { resolve: (b: RowBatch) => void; reject: (e: Error) => void }[] = [];
  private failed?: Error;

  constructor() {
    this.worker.on('message', (reply: WorkerReply) => {
      const w = this.waiting.shift();
      if ('batch' in reply) w?.resolve(reply.batch);
      else w?.reject(new Error(`export verifier worker: ${reply.error}`));
    });
    const fail = (e: Error) => {
      this.failed ??= e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`export verifier worker exited (${code})`)));
  }

  check(job: RowJob): Promise<RowBatch> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** Worker threads can only load this file when it runs as compiled JavaScript (not under ts-jest). */
const CAN_USE_WORKERS = __filename.endsWith('.js');

// --- the verifier ---------------------------------------------------------------------------------

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
  const threads = CAN_USE_WORKERS ? Math.max(0, Math.floor(options.threads ?? 0)) : 0;
  const batchLines = Math.max(1, Math.floor(options.batchLines ?? DEFAULT_BATCH_LINES));
  const rows = new RowsDigest();
  let format: Format | undefined;
  let header: ExportHeader | undefined;
  let trailer: ExportTrailer | undefined;
  let trailerLine = 0;
  let lineNo = 0;
  let prevSeq = 0;
  let prevHash = '';

  const result = (failure?: Problem): ExportVerification => ({
    ok: !failure,
    format: format ?? 'ndjson',
    rows: rows.count,
    firstSeq: rows.firstSeq,
    lastSeq: rows.lastSeq,
    filtered: header?.filtered ?? null,
    checkpointSeq: trailer?.checkpoint.seq ?? null,
    keyId: header?.keyId ?? null,
    ...(failure && { failure: { line: failure.line, ...(failure.seq !== undefined && { seq: failure.seq }), problem: failure.problem } }),
  });

  /** The first lines: the format, the CSV column row and the header, read here before any batch. */
  const onHeadLine = (raw: string): void => {
    let text = stripCr(raw);
    if (format === undefined) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text === CSV_HEADER_ROW) {
        format = 'csv';
        return;
      }
      if (text.startsWith('record,')) {
        format = 'csv';
        throw new Failure(lineNo, `the CSV column row is not that of ${EXPORT_FORMAT}: expected ${CSV_HEADER_ROW}`);
      }
      if (!text.startsWith('{')) throw new Failure(lineNo, 'not an audit export: the first line is neither a JSON header nor the CSV column row');
      format = 'ndjson';
    }
    let o: Record<string, unknown>;
    if (format === 'ndjson') {
      o = parseJson(text, lineNo, 'the header line');
    } else {
      if (text !== '' && openQuote(text)) throw new Failure(lineNo, `line ${lineNo} is not valid CSV (truncated or corrupted?): a quoted field is not closed`);
      const cells = csvCells(text, lineNo);
      if (cells[0] !== 'header') throw new Failure(lineNo, `the first record must be the header, found ${show(cells[0])}`);
      o = csvMeta(cells, lineNo, 'header');
    }
    if (o.type !== 'header') throw new Failure(lineNo, `the first record must be the header, found ${show(o.type)}`);
    header = checkHeader(o, lineNo);
  };

  /** The checks between rows, in file order, on a batch whose rows passed their own checks. */
  const absorb = (lines: string[] | undefined, firstLine: number, b: RowBatch): void => {
    const filtered = (header as ExportHeader).filtered;
    for (let r = 0; r < b.seqs.length; r++) {
      const seq = b.seqs[r];
      const line = b.rowLines ? b.rowLines[r] : firstLine + r;
      if (rows.count > 0 && seq <= prevSeq) {
        throw new Failure(line, `rows out of order or duplicated (seq ${seq} after seq ${prevSeq})`, seq);
      }
      if (!filtered) {
        if (rows.count === 0 && seq !== 1) {
          throw new Failure(line, `rows missing from a complete export (it must start at seq 1, the first row is seq ${seq})`, seq);
        }
        if (rows.count > 0 && seq !== prevSeq + 1) {
          throw new Failure(line, `rows missing from a complete export (seq ${prevSeq} then seq ${seq})`, seq);
        }
      }
      const linked = b.prevHashes[r] === ''; // to the row before, checked with the batch
      if (seq === 1 && b.prevHashes[r] !== GENESIS_HASH) {
        throw new Failure(line, 'chain broken before seq 1: its prevHash is not the genesis hash', seq);
      }
      if (rows.count > 0 && seq === prevSeq + 1 && !linked && b.prevHashes[r] !== prevHash) {
        throw new Failure(line, `chain broken between seq ${prevSeq} and ${seq}: its prevHash is not the hash of seq ${prevSeq}`, seq);
      }
      rows.add(seq, b.hashes[r]);
      prevSeq = seq;
      prevHash = b.hashes[r];
    }
    if (b.trailer) {
      trailer = b.trailer.value;
      trailerLine = b.trailer.line;
    }
    if (b.failure) throw new Failure(b.failure.line, b.failure.problem, b.failure.seq);
    if (b.openRecord !== undefined) carry = { lines: (lines as string[]).slice(b.openRecord), firstLine: firstLine + b.openRecord };
  };

  // Batches in flight, in file order; a CSV record open at the end of a batch is carried into the
  // next, so CSV batches keep their lines until checked (NDJSON records never span lines).
  let carry: { lines: string[]; firstLine: number } | undefined;
  const inFlight: { lines?: string[]; firstLine: number; batch: RowBatch | Promise<RowBatch> }[] = [];
  const workers: RowWorker[] = [];
  let nextWorker = 0;

  const settle = async (): Promise<void> => {
    const job = inFlight.shift();
    if (!job) return;
    const b = await job.batch;
    if (trailer) {
      // Only blank lines may follow the checkpoint (the batch with it checked its own lines).
      if (b.firstNonBlank >= 0) throw new Failure(job.firstLine + b.firstNonBlank, 'a record after the checkpoint: the checkpoint must be the last record');
    } else if (carry) {
      // The batch was checked without the start of its first record: check the two together here.
      const joined = { lines: carry.lines.concat(job.lines as string[]), firstLine: carry.firstLine };
      carry = undefined;
      absorb(joined.lines, joined.firstLine, checkRows(format as Format, joined.lines, joined.firstLine));
    } else {
      absorb(job.lines, job.firstLine, b);
    }
  };

  const dispatch = async (batchLinesOf: string[], firstLine: number, last: boolean): Promise<void> => {
    if (threads === 0 || (last && workers.length === 0)) {
      // In this thread, also when the whole file fits in one batch: not worth starting workers.
      inFlight.push({ lines: batchLinesOf, firstLine, batch: checkRows(format as Format, batchLinesOf, firstLine) });
      await settle();
      return;
    }
    if (workers.length === 0) for (let t = 0; t < threads; t++) workers.push(new RowWorker());
    const worker = workers[nextWorker++ % workers.length];
    const batch = worker.check({ format: format as Format, lines: batchLinesOf, firstLine });
    batch.catch(() => undefined); // awaited in order by settle; do not report it unhandled meanwhile
    inFlight.push({ lines: format === 'csv' ? batchLinesOf : undefined, firstLine, batch });
    if (inFlight.length >= threads * 4) await settle();
  };

  /** The trailer checks, once all rows are read. */
  const finish = (): void => {
    if (carry) {
      throw new Failure(carry.firstLine, `line ${carry.firstLine} is not valid CSV (truncated?): a quoted field is not closed before the end of the file`);
    }
    if (lineNo === 0) throw new Failure(1, 'the file is empty');
    if (!header) throw new Failure(lineNo + 1, 'truncated: the file ends before its header');
    if (!trailer) throw new Failure(lineNo + 1, 'truncated: the file ends without its checkpoint');
    const h = header;
    const { checkpoint: c, seal: s } = trailer;
    const line = trailerLine;
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
  };

  try {
    let batch: string[] = [];
    let batchFirstLine = 0;
    for await (const line of lines) {
      lineNo++;
      if (!header) {
        onHeadLine(line);
        continue;
      }
      if (batch.length === 0) batchFirstLine = lineNo;
      batch.push(line);
      if (batch.length >= batchLines) {
        await dispatch(batch, batchFirstLine, false);
        batch = [];
      }
    }
    if (batch.length > 0) await dispatch(batch, batchFirstLine, true);
    while (inFlight.length > 0) await settle();
    finish();
  } catch (e) {
    if (e instanceof Failure) return result(e);
    throw e;
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
  return { ...result(), keyId: keyIdOf(publicKey) };
}
