import { ChainedAuditEvent, hashAuditEvent } from '../audit-hash';
import { ExportTrailer } from '../export-format';
import { fastRowHash, hasEventShape, memberCount, plainJsonLine } from './fast-path';
import {
  checkEventFields,
  checkTrailer,
  csvCells,
  csvEventRecord,
  csvMeta,
  EVENT_FIELDS,
  Failure,
  Format,
  HEX64,
  MAX_RECORD_CHARS,
  MAX_RECORD_LINES,
  ndjsonEvent,
  openQuote,
  parseJson,
  Problem,
  show,
  stripCr,
  tryCsvCells,
} from './parse';

export interface RowKey {
  seq: number;
  prevHash: string;
  hash: string;
}

// --- the per-row checks ---------------------------------------------------------------------------

/**
 * What the per-row checks of a batch of lines found, for the checks between rows. Plain data: it
 * crosses threads, so it is kept compact (this thread reads it for every row of the file).
 */
export interface RowBatch {
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

export const HASH_STRIDE = 65;

/** The row's own hash check, after its type checks. */
function checkedRow(e: ChainedAuditEvent, line: number): RowKey {
  if (hashAuditEvent(e.prevHash, e) !== e.hash)
    throw new Failure(line, "the row's hash does not match its contents (a field was altered)", e.seq);
  return e;
}

export const firstNonBlank = (lines: string[]): number => lines.findIndex((l) => stripCr(l) !== '');

/**
 * The checks of each row on its own, over lines `firstLine`.. of the file, after the header:
 * parse, field types, the row's hash; the checkpoint record's shape, and nothing after it.
 * `fast` (what the verifier runs): a row of the usual shape whose hash matches is accepted by the
 * fast path (./fast-path); false: every row goes through the detailed checks and hashAuditEvent
 * (the plain path, which fast-path.spec.ts compares it with).
 */
export function checkRows(format: Format, lines: string[], firstLine: number, fast: boolean): RowBatch {
  const out: RowBatch = {
    lineCount: lines.length,
    seqs: [],
    hashes: '',
    unlinked: [],
    unlinkedPrevHashes: [],
    firstNonBlank: firstNonBlank(lines),
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
          const accepted =
            fast &&
            hasEventShape(o) &&
            memberCount(o) === EVENT_FIELDS.length + 1 &&
            fastAccepts(o as unknown as ChainedAuditEvent, plainJsonLine(text));
          addRow(accepted ? (o as unknown as RowKey) : checkedRow(ndjsonEvent(o, line), line), index);
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
            throw new Failure(
              line,
              `line ${line} is not valid CSV (truncated or corrupted?): a quoted field is never closed`,
            );
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
        const e = csvEventRecord(cells, line);
        const accepted = fast && hasEventShape(e) && fastAccepts(e as unknown as ChainedAuditEvent, false);
        addRow(accepted ? (e as unknown as RowKey) : checkedRow(checkEventFields(e, line, true), line), index);
      } else if (record === 'checkpoint')
        out.trailer = { index, value: checkTrailer(csvMeta(cells, line, 'checkpoint'), line) };
      else if (record === 'header') throw new Failure(line, 'a second header record');
      else throw new Failure(line, `unknown record type ${show(record)}`);
    }
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    out.failure = { line: e.line, problem: e.problem, ...(e.seq !== undefined && { seq: e.seq }) };
  }
  return out;
}
