import { createHash } from 'node:crypto';
import { canonicalJson } from '@app/common/canonical-json';
import type { AuditOutcome, ChainedAuditEvent } from './audit-hash';
import type { AuditAction } from './audit-actions';

/**
 * The audit export format, version 1: what the server writes and what the offline verifier
 * reads. Pure (no database, no network), so a court's expert can read it as a specification.
 *
 * NDJSON: one JSON object per line.
 *   line 1      {"type":"header", format, exportedAt, exportedBy, filters, filtered, keyId}
 *   lines 2..n  {"type":"event", seq, id, occurredAt, actorId, actorUsername, actorRole, action, outcome,
 *                targetType, targetId, caseId, requestId, clientIp, userAgent, details, prevHash, hash}
 *   last line   {"type":"checkpoint", checkpoint: {seq, headHash, createdAt, keyId, signature},
 *                seal: {rows, firstSeq, lastSeq, rowsDigest, headerDigest, checkpointSeq, signature}, keyId}
 * CSV: a column row, then one record per line with `record` = header | event | checkpoint; the
 *   header and checkpoint records carry their object as JSON in `details`. An empty unquoted field
 *   is null, `""` is the empty string.
 *
 * An event's hash is SHA-256(prevHash || canonical JSON of the event without type, prevHash and
 * hash). The checkpoint signs the head of the whole chain when the export was made; the seal signs
 * this file's header (its filters) and the list of its rows, so rows cannot be dropped, added or
 * reordered and a filtered export cannot pass for a complete one.
 */
export const EXPORT_FORMAT = 'ion-audit-export/1';

export interface ExportFilters {
  from?: string;
  to?: string;
  caseId?: string;
  actorId?: string;
  action?: AuditAction;
  outcome?: AuditOutcome;
  /** A seq range, as decimal strings like every filter (archives; exports after older rows were dropped). */
  fromSeq?: string;
  toSeq?: string;
}

export interface ExportHeader {
  type: 'header';
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  exportedBy: { id: string | null; username: string | null; role: string };
  filters: ExportFilters;
  /** False only for an export of the whole chain up to the checkpoint: then every row from seq 1 is present. */
  filtered: boolean;
  keyId: string;
}

export interface SignedCheckpoint {
  seq: number;
  headHash: string;
  createdAt: string;
  keyId: string;
  signature: string;
}

export interface ExportSeal {
  rows: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** SHA-256 over each row's hash followed by "\n", in file order. */
  rowsDigest: string;
  /** SHA-256 of the canonical JSON of the header. */
  headerDigest: string;
  checkpointSeq: number;
  signature: string;
}

export interface ExportTrailer {
  type: 'checkpoint';
  checkpoint: SignedCheckpoint;
  seal: ExportSeal;
  keyId: string;
}

/** The exact bytes a checkpoint's signature covers. */
export function checkpointMessage(c: Omit<SignedCheckpoint, 'signature'>): string {
  return canonicalJson({
    type: 'ion-audit-checkpoint/1',
    seq: c.seq,
    headHash: c.headHash,
    createdAt: c.createdAt,
    keyId: c.keyId,
  });
}

/** The exact bytes a seal's signature covers. */
export function sealMessage(s: Omit<ExportSeal, 'signature'>): string {
  return canonicalJson({
    type: 'ion-audit-export-seal/1',
    rows: s.rows,
    firstSeq: s.firstSeq,
    lastSeq: s.lastSeq,
    rowsDigest: s.rowsDigest,
    headerDigest: s.headerDigest,
    checkpointSeq: s.checkpointSeq,
  });
}

export function headerDigest(h: ExportHeader): string {
  return createHash('sha256').update(canonicalJson(h), 'utf8').digest('hex');
}

/** Running digest of the rows of an export, in order. */
export class RowsDigest {
  private readonly hash = createHash('sha256');
  count = 0;
  firstSeq: number | null = null;
  lastSeq: number | null = null;

  add(seq: number, rowHash: string): void {
    this.hash.update(rowHash + '\n', 'utf8');
    this.count++;
    this.firstSeq ??= seq;
    this.lastSeq = seq;
  }

  /** The same, from the row hash's 64 ASCII hex bytes (streams that never decode rows). */
  addBytes(seq: number, rowHashHex: Buffer): void {
    this.hash.update(rowHashHex);
    this.hash.update(NEWLINE);
    this.count++;
    this.firstSeq ??= seq;
    this.lastSeq = seq;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

const NEWLINE = Buffer.from('\n');

// --- NDJSON ---------------------------------------------------------------------------------------

export function ndjsonEventLine(e: ChainedAuditEvent): string {
  return JSON.stringify({ type: 'event', ...e });
}

// --- CSV ----------------------------------------------------------------------------------------------

export const CSV_COLUMNS = [
  'record',
  'seq',
  'id',
  'occurred_at',
  'actor_id',
  'actor_username',
  'actor_role',
  'action',
  'outcome',
  'target_type',
  'target_id',
  'case_id',
  'request_id',
  'client_ip',
  'user_agent',
  'details',
  'prev_hash',
  'hash',
] as const;

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return s === '' || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: (string | number | null)[]): string {
  return values.map(csvField).join(',');
}

export function csvEventLine(e: ChainedAuditEvent): string {
  return csvRow([
    'event',
    e.seq,
    e.id,
    e.occurredAt,
    e.actorId,
    e.actorUsername,
    e.actorRole,
    e.action,
    e.outcome,
    e.targetType,
    e.targetId,
    e.caseId,
    e.requestId,
    e.clientIp,
    e.userAgent,
    JSON.stringify(e.details),
    e.prevHash,
    e.hash,
  ]);
}

/** A header or checkpoint record: its object as JSON in the details column. */
export function csvMetaLine(record: 'header' | 'checkpoint', value: ExportHeader | ExportTrailer): string {
  const cells: (string | null)[] = CSV_COLUMNS.map(() => null);
  cells[0] = record;
  cells[CSV_COLUMNS.indexOf('details')] = JSON.stringify(value);
  return csvRow(cells);
}

/**
 * Splits one CSV record into fields: null for an empty unquoted field, the string otherwise.
 * A field holding a line break is quoted (RFC 4180), so its record spans lines; readers join
 * lines until the quotes balance (JSON in `details` keeps its line breaks escaped).
 */
export function parseCsvLine(line: string): (string | null)[] {
  const out: (string | null)[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted field');
        s += line.slice(i, q);
        if (line[q + 1] === '"') {
          s += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(s);
    } else {
      const c = line.indexOf(',', i);
      const raw = c < 0 ? line.slice(i) : line.slice(i, c);
      if (raw.includes('"')) throw new Error('stray quote in an unquoted field');
      out.push(raw === '' ? null : raw);
      i = c < 0 ? line.length : c;
    }
    if (i >= line.length) return out;
    if (line[i] !== ',') throw new Error(`expected a comma at column ${i + 1}`);
    i++;
    if (i === line.length) {
      out.push(null);
      return out;
    }
  }
}

// --- writing ----------------------------------------------------------------------------------------

export type ExportFormatName = 'ndjson' | 'csv';

/**
 * Produces the lines of one export in order: `begin` (header), `event` per row (or `countRow`
 * when the caller already has the row's line, e.g. built by the database), then `end` with the
 * checkpoint, which signs the seal. Lines have no trailing newline.
 */
export class ExportWriter {
  private readonly rows = new RowsDigest();
  private header?: ExportHeader;

  constructor(
    readonly format: ExportFormatName,
    private readonly sign: (message: string) => string,
  ) {}

  begin(header: ExportHeader): string[] {
    this.header = header;
    return this.format === 'csv' ? [CSV_COLUMNS.join(','), csvMetaLine('header', header)] : [JSON.stringify(header)];
  }

  event(e: ChainedAuditEvent): string {
    this.countRow(e.seq, e.hash);
    return this.format === 'csv' ? csvEventLine(e) : ndjsonEventLine(e);
  }

  countRow(seq: number, rowHash: string): void {
    this.rows.add(seq, rowHash);
  }

  countRowBytes(seq: number, rowHashHex: Buffer): void {
    this.rows.addBytes(seq, rowHashHex);
  }

  get rowCount(): number {
    return this.rows.count;
  }

  end(checkpoint: SignedCheckpoint): string {
    if (!this.header) throw new Error('ExportWriter.end before begin');
    const unsigned: Omit<ExportSeal, 'signature'> = {
      rows: this.rows.count,
      firstSeq: this.rows.firstSeq,
      lastSeq: this.rows.lastSeq,
      rowsDigest: this.rows.digest(),
      headerDigest: headerDigest(this.header),
      checkpointSeq: checkpoint.seq,
    };
    const trailer: ExportTrailer = {
      type: 'checkpoint',
      checkpoint,
      seal: { ...unsigned, signature: this.sign(sealMessage(unsigned)) },
      keyId: checkpoint.keyId,
    };
    return this.format === 'csv' ? csvMetaLine('checkpoint', trailer) : JSON.stringify(trailer);
  }
}
