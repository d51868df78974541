import { createHash, KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import { keyIdOf, verifyMessage } from '@app/signing/signing-keys';
import { GENESIS_HASH } from '../audit-hash';
import {
  checkpointMessage,
  EXPORT_FORMAT,
  ExportHeader,
  ExportTrailer,
  headerDigest,
  sealMessage,
} from '../export-format';
import { BlockReader, blockLines, DEFAULT_BLOCK_BYTES, LF } from './blocks';
import { checkRows, firstNonBlank, HASH_STRIDE, RowBatch } from './checks';
import {
  checkHeader,
  csvCells,
  csvMeta,
  CSV_HEADER_ROW,
  Failure,
  Format,
  openQuote,
  parseJson,
  Problem,
  show,
  stripCr,
} from './parse';
import { RowWorker, threadsOf, WorkerReply } from './workers';

/**
 * The verification itself: the head lines, the batches of rows dispatched to the per-row checks
 * (./checks, here or in worker threads), the checks between rows in file order, and the trailer.
 * The public entry points are in ./index (these take `fast`, which only fast-path.spec.ts sets to false).
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

const DEFAULT_BATCH_LINES = 2000;

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
    /** checkRows' fast path (see ./fast-path); false: the plain path, for the spec that compares the two. */
    private readonly fast: boolean,
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
      ...(failure && {
        failure: {
          line: failure.line,
          ...(failure.seq !== undefined && { seq: failure.seq }),
          problem: failure.problem,
        },
      }),
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
      if (!text.startsWith('{'))
        throw new Failure(
          lineNo,
          'not an audit export: the first line is neither a JSON header nor the CSV column row',
        );
      this.format = 'ndjson';
    }
    let o: Record<string, unknown>;
    if (this.format === 'ndjson') {
      o = parseJson(text, lineNo, 'the header line');
    } else {
      if (text !== '' && openQuote(text))
        throw new Failure(
          lineNo,
          `line ${lineNo} is not valid CSV (truncated or corrupted?): a quoted field is not closed`,
        );
      const cells = csvCells(text, lineNo);
      if (cells[0] !== 'header')
        throw new Failure(lineNo, `the first record must be the header, found ${show(cells[0])}`);
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
    const reply = this.worker().check({ format, fast: this.fast, lines, firstLine });
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
    const reply = this.worker().check({ format: this.format as Format, fast: this.fast, block });
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
      if (
        reply.block &&
        (b === undefined || (!this.trailer && (this.carry || b.failure || b.openRecord !== undefined)))
      ) {
        lines = blockLines(reply.block);
        b = undefined;
      }
      this.lineNo += lines ? lines.length : (b as RowBatch).lineCount;
      if (reply.block) this.reuse(reply.block);
    }
    if (this.trailer) {
      // Only blank lines may follow the checkpoint (the batch with it checked its own lines).
      const blank = b ? b.firstNonBlank : firstNonBlank(lines as string[]);
      if (blank >= 0)
        throw new Failure(firstLine + blank, 'a record after the checkpoint: the checkpoint must be the last record');
    } else if (this.carry) {
      // The batch was checked without the start of its first record: check the two together here.
      const carry = this.carry;
      this.carry = undefined;
      const joined = carry.lines.concat(lines as string[]);
      this.absorb(joined, carry.firstLine, checkRows(this.format as Format, joined, carry.firstLine, this.fast));
    } else {
      this.absorb(lines, firstLine, b ?? checkRows(this.format as Format, lines as string[], firstLine, this.fast));
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
          throw new Failure(
            lineOf(r),
            `rows missing from a complete export (it must start at seq 1, the first row is seq ${seq})`,
            seq,
          );
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
      if (
        rows.count > 0 &&
        seq === prevSeq + 1 &&
        rowPrevHash !== undefined &&
        rowPrevHash !== (r === 0 ? this.prevHash : b.hashes.substr((r - 1) * HASH_STRIDE, 64))
      ) {
        throw new Failure(
          lineOf(r),
          `chain broken between seq ${prevSeq} and ${seq}: its prevHash is not the hash of seq ${prevSeq}`,
          seq,
        );
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
    if (b.openRecord !== undefined)
      this.carry = { lines: (lines as string[]).slice(b.openRecord), firstLine: firstLine + b.openRecord };
  }

  /** The trailer checks, once all rows are read. */
  private finish(): void {
    const { carry, lineNo, header, trailer, rows, prevHash, publicKey } = this;
    if (carry) {
      throw new Failure(
        carry.firstLine,
        `line ${carry.firstLine} is not valid CSV (truncated?): a quoted field is not closed before the end of the file`,
      );
    }
    if (lineNo === 0) throw new Failure(1, 'the file is empty');
    if (!header) throw new Failure(lineNo + 1, 'truncated: the file ends before its header');
    if (!trailer) throw new Failure(lineNo + 1, 'truncated: the file ends without its checkpoint');
    const h = header;
    const { checkpoint: c, seal: s } = trailer;
    const line = this.trailerLine;
    if (c.keyId !== h.keyId || trailer.keyId !== h.keyId) {
      throw new Failure(
        line,
        `the key ids in the file disagree (header ${h.keyId}, checkpoint ${c.keyId}, trailer ${trailer.keyId})`,
      );
    }
    const givenKeyId = keyIdOf(publicKey);
    if (c.keyId !== givenKeyId)
      throw new Failure(line, `signed with key ${c.keyId} but the given public key is ${givenKeyId}`);
    const { signature: cSig, ...unsignedCheckpoint } = c;
    if (!verifyMessage(publicKey, checkpointMessage(unsignedCheckpoint), cSig)) {
      throw new Failure(line, 'checkpoint signature does not verify with the given public key');
    }
    const { signature: sSig, ...unsignedSeal } = s;
    if (!verifyMessage(publicKey, sealMessage(unsignedSeal), sSig))
      throw new Failure(line, 'export seal signature does not verify');
    if (s.headerDigest !== headerDigest(h)) throw new Failure(line, 'the header (exporter, filters) was altered');
    if (s.rows !== rows.count) {
      throw new Failure(
        line,
        `rows were dropped, added or reordered: the seal lists ${s.rows} rows, the file has ${rows.count}`,
      );
    }
    if (s.firstSeq !== rows.firstSeq || s.lastSeq !== rows.lastSeq) {
      throw new Failure(
        line,
        `rows were dropped, added or reordered: the seal lists seq ${s.firstSeq}..${s.lastSeq}, the file has seq ${rows.firstSeq}..${rows.lastSeq}`,
      );
    }
    if (s.rowsDigest !== rows.digest()) {
      throw new Failure(
        line,
        `rows were dropped, added, replaced or reordered: the file has ${rows.count} rows as sealed but not the sealed ones (rows digest mismatch)`,
      );
    }
    if (s.checkpointSeq !== c.seq)
      throw new Failure(
        line,
        `the seal refers to checkpoint seq ${s.checkpointSeq} but the checkpoint is seq ${c.seq}`,
      );
    const lastSeq = rows.lastSeq;
    if (lastSeq !== null && lastSeq > c.seq) {
      throw new Failure(
        line,
        `rows beyond the checkpoint: the last row is seq ${lastSeq}, the checkpoint seq ${c.seq}`,
        lastSeq,
      );
    }
    if (!h.filtered) {
      if (
        lastSeq === null ? c.seq !== 0 || c.headHash !== GENESIS_HASH : lastSeq !== c.seq || prevHash !== c.headHash
      ) {
        const end = lastSeq === null ? 'no row' : `seq ${lastSeq}`;
        throw new Failure(
          line,
          `the last row does not match the checkpoint: a complete export must end at checkpoint seq ${c.seq} with its head hash, it ends at ${end}`,
          lastSeq ?? undefined,
        );
      }
    } else if (lastSeq === c.seq && prevHash !== c.headHash) {
      throw new Failure(
        line,
        `the last row does not match the checkpoint: seq ${lastSeq} has a different hash than the checkpoint's head`,
        lastSeq,
      );
    }
  }
}

/**
 * verifyExport: verifies an export read line by line (without line terminators). Checks every row's hash,
 * the order and the chain links as rows stream, then the trailer: key id, checkpoint and seal
 * signatures, header digest, the sealed list of rows, and that the rows reach the checkpoint.
 */
export async function verifyLines(
  lines: AsyncIterable<string> | Iterable<string>,
  publicKey: KeyObject,
  options: VerifyExportOptions,
  fast: boolean,
): Promise<ExportVerification> {
  const batchLines = Math.max(1, Math.floor(options.batchLines ?? DEFAULT_BATCH_LINES));
  const check = new ExportCheck(publicKey, threadsOf(options.threads), fast);
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
async function verifyBytes(
  read: (into: Uint8Array) => Promise<number>,
  publicKey: KeyObject,
  options: VerifyExportBytesOptions,
  fast: boolean,
): Promise<ExportVerification> {
  const blockBytes = Math.max(1, Math.floor(options.blockBytes ?? DEFAULT_BLOCK_BYTES));
  const check = new ExportCheck(publicKey, threadsOf(options.threads), fast, blockBytes);
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

/** verifyExportFile: verifies an export file, read in blocks (see verifyBytes); for the command line tool. */
export async function verifyFile(
  path: string,
  publicKey: KeyObject,
  options: VerifyExportBytesOptions,
  fast: boolean,
): Promise<ExportVerification> {
  const file = await open(path, 'r');
  try {
    return await verifyBytes(
      async (into) => (await file.read(into, 0, into.length, null)).bytesRead,
      publicKey,
      options,
      fast,
    );
  } finally {
    await file.close();
  }
}

/** verifyExportChunks: verifies an export read as chunks of bytes (a stream such as standard input; strings are UTF-8 encoded), in blocks (see verifyBytes). */
export async function verifyChunks(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  publicKey: KeyObject,
  options: VerifyExportBytesOptions,
  fast: boolean,
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
    return await verifyBytes(read, publicKey, options, fast);
  } finally {
    if (!ended) await it.return?.();
  }
}
