import { ChainedAuditEvent } from '../audit-hash';
import { CSV_COLUMNS, EXPORT_FORMAT, ExportHeader, ExportTrailer, parseCsvLine } from '../export-format';

/**
 * Reading the records of an export (format in ../export-format): JSON lines and CSV records into
 * objects, and the type checks of an event's fields, the header and the checkpoint record. Every
 * problem is a Failure naming its line (and seq when known), worded for the person verifying.
 */

export interface Problem {
  line: number;
  seq?: number;
  problem: string;
}

/** Thrown inside the verifier to stop at the first problem; never escapes verifyExport. */
export class Failure implements Problem {
  constructor(
    readonly line: number,
    readonly problem: string,
    readonly seq?: number,
  ) {}
}

export type Format = 'ndjson' | 'csv';

export const HEX64 = /^[0-9a-f]{64}$/;
const SEQ_TEXT = /^[1-9][0-9]*$/;
export const OUTCOMES = new Set(['SUCCESS', 'DENIED', 'FAILED']);
export const CSV_HEADER_ROW = CSV_COLUMNS.join(',');
const CSV_DETAILS = CSV_COLUMNS.indexOf('details');
/** A quoted CSV field may hold a raw newline; past this a record is taken as corrupt rather than read on. */
export const MAX_RECORD_LINES = 1000;
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

type Kind = 'string' | 'nullable' | 'seq' | 'outcome' | 'details' | 'hash';

/** The 17 fields of an event row, in CSV column order: JSON name, CSV column, expected type. */
export const EVENT_FIELDS: readonly (readonly [keyof ChainedAuditEvent, string, Kind])[] = [
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

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
export const show = (v: unknown): string => {
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
export function checkEventFields(e: Record<string, unknown>, line: number, csv: boolean): ChainedAuditEvent {
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
export function ndjsonEvent(o: Record<string, unknown>, line: number): ChainedAuditEvent {
  const e = checkEventFields(o, line, false);
  const keys = Object.keys(o);
  if (keys.length !== EVENT_FIELDS.length + 1) {
    const extra = keys.filter((k) => k !== 'type' && !EVENT_FIELDS.some(([name]) => name === k));
    throw new Failure(line, `the event has fields not covered by its hash: ${extra.join(', ')}`, e.seq);
  }
  return e;
}

/**
 * The event of a CSV event record (empty unquoted cell = null), its seq and details converted from
 * their text; the other fields are not type-checked yet (checkEventFields, or the fast path's
 * hasEventShape, does that).
 */
export function csvEventRecord(c: (string | null)[], line: number): Record<string, unknown> {
  const seqText = c[1];
  const seq = seqText !== null && SEQ_TEXT.test(seqText) ? Number(seqText) : undefined;
  if (seq === undefined || !Number.isSafeInteger(seq)) {
    throw new Failure(
      line,
      `column seq must be a positive integer, found ${seqText === null ? 'an empty cell' : show(seqText)}`,
    );
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
    seq,
    id: c[2],
    occurredAt: c[3],
    actorId: c[4],
    actorUsername: c[5],
    actorRole: c[6],
    action: c[7],
    outcome: c[8],
    targetType: c[9],
    targetId: c[10],
    caseId: c[11],
    requestId: c[12],
    clientIp: c[13],
    userAgent: c[14],
    details,
    prevHash: c[16],
    hash: c[17],
  };
  return e;
}

export function checkHeader(h: Record<string, unknown>, line: number): ExportHeader {
  if (h.format !== EXPORT_FORMAT)
    throw new Failure(line, `unsupported export format ${show(h.format)}: this verifier reads ${EXPORT_FORMAT}`);
  if (typeof h.exportedAt !== 'string') throw new Failure(line, "the header's exportedAt must be a string");
  const by = h.exportedBy;
  if (
    !isObject(by) ||
    !(by.id === null || typeof by.id === 'string') ||
    !(by.username === null || typeof by.username === 'string') ||
    typeof by.role !== 'string'
  ) {
    throw new Failure(line, "the header's exportedBy must be {id: string|null, username: string|null, role: string}");
  }
  if (!isObject(h.filters)) throw new Failure(line, "the header's filters must be an object");
  for (const [k, v] of Object.entries(h.filters)) {
    if (typeof v !== 'string') throw new Failure(line, `the header's filter ${k} must be a string, found ${show(v)}`);
  }
  if (typeof h.filtered !== 'boolean') throw new Failure(line, "the header's filtered must be true or false");
  if (typeof h.keyId !== 'string') throw new Failure(line, "the header's keyId must be a string");
  return h as unknown as ExportHeader;
}

export function checkTrailer(t: Record<string, unknown>, line: number): ExportTrailer {
  const c = t.checkpoint;
  const s = t.seal;
  if (!isObject(c)) throw new Failure(line, 'the checkpoint record has no checkpoint object');
  if (!isCount(c.seq)) throw new Failure(line, `the checkpoint's seq must be an integer >= 0, found ${show(c.seq)}`);
  if (typeof c.headHash !== 'string' || !HEX64.test(c.headHash))
    throw new Failure(line, "the checkpoint's headHash must be 64 lowercase hex digits");
  if (typeof c.createdAt !== 'string') throw new Failure(line, "the checkpoint's createdAt must be a string");
  if (typeof c.keyId !== 'string') throw new Failure(line, "the checkpoint's keyId must be a string");
  if (typeof c.signature !== 'string') throw new Failure(line, "the checkpoint's signature must be a string");
  if (!isObject(s)) throw new Failure(line, 'the checkpoint record has no seal object');
  if (!isCount(s.rows)) throw new Failure(line, `the seal's rows must be an integer >= 0, found ${show(s.rows)}`);
  if (!(s.firstSeq === null || isSeq(s.firstSeq)))
    throw new Failure(line, "the seal's firstSeq must be a positive integer or null");
  if (!(s.lastSeq === null || isSeq(s.lastSeq)))
    throw new Failure(line, "the seal's lastSeq must be a positive integer or null");
  if (typeof s.rowsDigest !== 'string' || !HEX64.test(s.rowsDigest))
    throw new Failure(line, "the seal's rowsDigest must be 64 lowercase hex digits");
  if (typeof s.headerDigest !== 'string' || !HEX64.test(s.headerDigest))
    throw new Failure(line, "the seal's headerDigest must be 64 lowercase hex digits");
  if (!isCount(s.checkpointSeq)) throw new Failure(line, "the seal's checkpointSeq must be an integer >= 0");
  if (typeof s.signature !== 'string') throw new Failure(line, "the seal's signature must be a string");
  if (typeof t.keyId !== 'string') throw new Failure(line, "the checkpoint record's keyId must be a string");
  return t as unknown as ExportTrailer;
}

export function parseJson(text: string, line: number, what: string): Record<string, unknown> {
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
export function csvCells(text: string, line: number): (string | null)[] {
  let cells: (string | null)[];
  try {
    cells = parseCsvLine(text);
  } catch (e) {
    throw new Failure(line, `line ${line} is not valid CSV (truncated or corrupted?): ${(e as Error).message}`);
  }
  if (cells.length !== CSV_COLUMNS.length) {
    throw new Failure(
      line,
      `line ${line} has ${cells.length} columns, expected ${CSV_COLUMNS.length} (truncated or corrupted?)`,
    );
  }
  return cells;
}

/** The cells of a CSV record when it parses with the right number of columns (csvCells says what is wrong otherwise). */
export function tryCsvCells(text: string): (string | null)[] | undefined {
  try {
    const cells = parseCsvLine(text);
    return cells.length === CSV_COLUMNS.length ? cells : undefined;
  } catch {
    return undefined;
  }
}

/** The JSON object of a CSV header or checkpoint record, which has nothing but its details column. */
export function csvMeta(
  cells: (string | null)[],
  line: number,
  record: 'header' | 'checkpoint',
): Record<string, unknown> {
  for (let i = 1; i < cells.length; i++) {
    if (i !== CSV_DETAILS && cells[i] !== null)
      throw new Failure(line, `the ${record} record has a value in column ${CSV_COLUMNS[i]}`);
  }
  const details = cells[CSV_DETAILS];
  if (details === null) throw new Failure(line, `the ${record} record has no JSON in column details`);
  const o = parseJson(details, line, `the ${record} record's details`);
  if (o.type !== record) throw new Failure(line, `the ${record} record's JSON has type ${show(o.type)}`);
  return o;
}

/** Odd number of double quotes: the record continues on the next line (a quoted field holds a newline). */
export function openQuote(s: string): boolean {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n % 2 === 1;
}

export const stripCr = (s: string): string => (s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s);
