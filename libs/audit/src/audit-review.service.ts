import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuthUser, Clock } from '@app/common';
import { UNBOUNDED_QUERY_TIMEOUT_MS } from '@app/database';
import { SigningService } from '@app/signing';
import { auditConfig } from './audit.config';
import { AuditAction } from './audit-actions';
import { AuditService } from './audit.service';
import { AuditActor, AuditEventPage } from './dto/audit-event-views';
import { CheckpointService } from './checkpoint.service';
import { CSV_SELECT, NDJSON_COPY } from './export-sql';
import {
  csvRow,
  EXPORT_FORMAT,
  ExportFilters,
  ExportFormatName,
  ExportHeader,
  ExportWriter,
  SignedCheckpoint,
} from './export-format';
import { AuditChainVerification } from './dto/audit-chain-views';

export interface EventQuery extends ExportFilters {
  /** Return events after this seq (before it, newest first) (the previous page's nextCursor). */
  cursor?: string;
  limit: number;
  /** asc (default): oldest first; desc: newest first. */
  order?: 'asc' | 'desc';
}

/**
 * The filters shared by the event list and the export (same filters, same meaning). `bind`
 * turns a value into SQL: a $n parameter, or a quoted literal where the protocol has no
 * parameters (COPY).
 */
function whereOf(f: ExportFilters, bind: (v: unknown) => string): string[] {
  const where: string[] = [];
  const add = (sql: string, v: unknown) => where.push(sql.replace('?', bind(v)));
  if (f.from) add('occurred_at >= ?::timestamptz', f.from);
  if (f.to) add('occurred_at < ?::timestamptz', f.to);
  if (f.caseId) add('case_id = ?::uuid', f.caseId);
  if (f.actorId) add('actor_id = ?::uuid', f.actorId);
  if (f.action) add('action = ?', f.action);
  if (f.outcome) add('outcome = ?', f.outcome);
  if (f.fromSeq !== undefined) add('seq >= ?::bigint', f.fromSeq);
  if (f.toSeq !== undefined) add('seq <= ?::bigint', f.toSeq);
  return where;
}

const csvLine = (r: Columns) => csvRow(['event', ...r]);

type Columns = (string | null)[];

interface PgClient {
  query(
    q: string | { text: string; rowMode?: 'array'; values?: unknown[]; query_timeout?: number },
    values?: unknown[],
  ): Promise<{ rows: Columns[] }>;
  query(copy: CopyToStream): Readable;
  escapeLiteral(s: string): string;
  /** Back to the pool; with an error the connection is closed instead. */
  release(err?: Error): void;
}

// pg-copy-streams ships no types; this is the one function used.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- pg-copy-streams ships no type declarations
const { to: copyTo } = require('pg-copy-streams') as { to(sql: string): CopyToStream };
interface CopyToStream {
  readonly copyTo: true;
  /** node-postgres reads a submittable's own query_timeout before the connection's. */
  query_timeout?: number;
  /** Set by node-postgres when the query is submitted: clears its read-timeout timer. */
  callback?: () => void;
}

const PREFIX = Buffer.from('{"type":"event",');
const PREV = Buffer.from(',"prevHash":"');
const HASH = Buffer.from('","hash":"');
const END = Buffer.from('"}\n');
const OUT_BYTES = 128 * 1024;

/**
 * Turns COPY rows `seq 0x02 body_json 0x02 prev_hash 0x02 hash \n` into NDJSON event lines,
 * byte for byte, in ~128 KB pieces; counts each row (seq, hash) into the export's seal.
 */
export async function* ndjsonFromCopy(rows: AsyncIterable<Buffer>, writer: ExportWriter): AsyncGenerator<Buffer> {
  let out: Buffer = Buffer.allocUnsafe(OUT_BYTES);
  let o = 0;
  let rest: Buffer | null = null as Buffer | null;
  const line = (b: Buffer, start: number, nl: number) => {
    const d1 = b.indexOf(2, start);
    const d2 = b.indexOf(2, d1 + 1);
    const d3 = b.indexOf(2, d2 + 1);
    if (d1 < 0 || d3 < 0 || d3 > nl || nl - d3 - 1 !== 64 || b[d1 + 1] !== 0x7b || b[d2 - 1] !== 0x7d) {
      throw new Error(`audit export: unexpected COPY row at byte ${start}`);
    }
    writer.countRowBytes(Number(b.toString('latin1', start, d1)), b.subarray(d3 + 1, nl));
    o += PREFIX.copy(out, o);
    o += b.copy(out, o, d1 + 2, d2 - 1); // the body without its braces
    o += PREV.copy(out, o);
    o += b.copy(out, o, d2 + 1, d3);
    o += HASH.copy(out, o);
    o += b.copy(out, o, d3 + 1, nl);
    o += END.copy(out, o);
  };
  for await (const chunk of rows) {
    let start = 0;
    if (rest) {
      // complete the row cut at the previous chunk's end
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      const joined = Buffer.concat([rest, chunk.subarray(0, nl + 1)]);
      rest = null;
      if (o + joined.length + 64 > out.length) ({ out, o } = yield* flush(out, o, joined.length));
      line(joined, 0, joined.length - 1);
      start = nl + 1;
    }
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      if (o + (nl - start) + 64 > out.length) ({ out, o } = yield* flush(out, o, nl - start));
      line(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) rest = Buffer.from(chunk.subarray(start));
  }
  if (rest) throw new Error('audit export: COPY ended inside a row');
  if (o) yield out.subarray(0, o);
}

/** Hands the filled buffer over and starts a new one big enough for the next row. */
async function* flush(out: Buffer, o: number, next: number): AsyncGenerator<Buffer, { out: Buffer; o: number }> {
  if (o) yield out.subarray(0, o);
  return { out: Buffer.allocUnsafe(Math.max(OUT_BYTES, next + 256)), o: 0 };
}

/**
 * What auditors do with the trail: page through events with filters, export them (streamed from
 * a database cursor, flat memory, signed), and have the database's copy of the chain re-verified.
 */
@Injectable()
export class AuditReviewService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly checkpoints: CheckpointService,
    private readonly signing: SigningService,
    private readonly clock: Clock,
    @Inject(auditConfig.KEY) private readonly config: ConfigType<typeof auditConfig>,
  ) {}

  async events(q: EventQuery): Promise<AuditEventPage> {
    const params: unknown[] = [];
    const where = whereOf(q, (v) => {
      params.push(v);
      return `$${params.length}`;
    });
    const desc = q.order === 'desc';
    if (q.cursor) {
      params.push(q.cursor);
      where.push(`seq ${desc ? '<' : '>'} $${params.length}::bigint`);
    }
    params.push(q.limit + 1);
    const rows: { seq: string }[] = await this.ds.query(
      `SELECT seq FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${desc ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, q.limit).map((r) => Number(r.seq));
    const events = page.length ? await this.audit.bySeq(page) : [];
    if (desc) events.reverse();
    // The case number of each event's case, for people (ids mean nothing to a reader). Read by id from the cases
    // table, whose numbers never change; an event whose case id names no case says null.
    const caseIds = [...new Set(events.map((e) => e.caseId).filter((id): id is string => id !== null))];
    const numbers = new Map<string, string>(
      caseIds.length
        ? (
            (await this.ds.query('SELECT id::text AS id, case_number FROM cases WHERE id = ANY($1::uuid[])', [
              caseIds,
            ])) as { id: string; case_number: string }[]
          ).map((r) => [r.id, r.case_number])
        : [],
    );
    const items = events.map((e) => ({ ...e, caseNumber: e.caseId ? (numbers.get(e.caseId) ?? null) : null }));
    return { items, nextCursor: rows.length > q.limit ? String(page[page.length - 1]) : null };
  }

  /**
   * Records the export (who, which filters) and signs a checkpoint of the head, in one
   * transaction; then streams every matching row up to that checkpoint from a database cursor
   * in a REPEATABLE READ snapshot, and ends with the checkpoint and the export's signed seal.
   */
  async *export(
    auth: AuditActor,
    requested: ExportFilters,
    format: ExportFormatName,
    via: Record<string, unknown> = {},
  ): AsyncGenerator<string | Buffer> {
    let filters = requested;
    // After older rows were archived and dropped, the chain here starts later: say so, as a seq range.
    const [{ first }] = await this.ds.query('SELECT min(seq) AS first FROM audit_events');
    if (first !== null && Number(first) > 1 && filters.fromSeq === undefined)
      filters = { ...filters, fromSeq: String(first) };
    const filtered = Object.values(filters).some((v) => v !== undefined);
    const checkpoint: SignedCheckpoint = await this.ds.transaction(async (em) => {
      await this.audit.append(em, {
        action: AuditAction.AuditExported,
        actor: auth,
        targetType: 'audit',
        details: { format, filters, filtered, ...via },
      });
      return this.checkpoints.create(em, 'export', auth.id);
    });
    const writer = new ExportWriter(format, (m) => this.signing.sign(m));
    const header: ExportHeader = {
      type: 'header',
      format: EXPORT_FORMAT,
      exportedAt: this.clock.now().toISOString(),
      exportedBy: { id: auth.id, username: auth.username ?? null, role: auth.role },
      filters,
      filtered,
      keyId: this.signing.keyId,
    };
    yield writer.begin(header).join('\n') + '\n';

    // A pool client of its own (not a TypeORM query runner): if the export stops mid-COPY it must be discarded.
    const pool = (this.ds.driver as unknown as { master: { connect(): Promise<PgClient> } }).master;
    const client = await pool.connect();
    const where = [`seq <= ${checkpoint.seq}`, ...whereOf(filters, (v) => client.escapeLiteral(String(v)))].join(
      ' AND ',
    );
    let open = false;
    let copying = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      open = true;
      // Exempt from the statement timeout (DATABASE_STATEMENT_TIMEOUT_MS) on purpose: the COPY runs as long as
      // the client takes to download the whole trail. Lifted for this transaction only, on the server (SET LOCAL)
      // and on the client (the streaming statements' own query_timeout).
      await client.query('SET LOCAL statement_timeout = 0');
      if (format === 'ndjson') {
        copying = true;
        const copy: CopyToStream = Object.assign(copyTo(NDJSON_COPY(where)), {
          query_timeout: UNBOUNDED_QUERY_TIMEOUT_MS,
        });
        try {
          yield* ndjsonFromCopy(client.query(copy), writer);
        } finally {
          // pg arms a read-timeout timer for every query and clears it in the query's callback, which a COPY
          // stream never calls: call it here, or the timer (and this client) outlives the export (a CLI that
          // archives the trail would then not exit until it fired).
          copy.callback?.();
        }
        copying = false;
      } else {
        await client.query({
          text: `DECLARE ion_audit_export NO SCROLL CURSOR FOR ${CSV_SELECT} WHERE ${where} ORDER BY audit_events.seq`,
          query_timeout: UNBOUNDED_QUERY_TIMEOUT_MS,
        });
        const fetch = {
          text: `FETCH FORWARD ${this.config.exportFetchRows} FROM ion_audit_export`,
          rowMode: 'array' as const,
          query_timeout: UNBOUNDED_QUERY_TIMEOUT_MS,
        };
        for (;;) {
          const { rows } = await client.query(fetch);
          if (!rows.length) break;
          let chunk = '';
          for (const r of rows) {
            writer.countRow(Number(r[0]), r[16]!);
            chunk += csvLine(r) + '\n';
          }
          yield chunk;
          if (rows.length < this.config.exportFetchRows) break;
        }
      }
      await client.query('COMMIT');
      open = false;
    } finally {
      if (copying) {
        // Stopped mid-COPY (the client went away): nothing more can be sent on this connection until the
        // COPY ends, so the connection is discarded instead of returned; the server ends the COPY with it.
        client.release(new Error('audit export stopped before its end'));
      } else {
        if (open) await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
    }
    yield writer.end(checkpoint) + '\n';
  }

  /** Recomputes the chain stored in the database over [fromSeq, toSeq]; records who asked. */
  async verify(auth: AuthUser, fromSeq = 1, toSeq?: number): Promise<AuditChainVerification> {
    const result = await this.audit.verifyRange(fromSeq, toSeq);
    await this.audit.record({
      action: AuditAction.AuditVerified,
      outcome: result.ok ? 'SUCCESS' : 'FAILED',
      actor: auth,
      targetType: 'audit',
      details: {
        fromSeq,
        toSeq: toSeq ?? null,
        ok: result.ok,
        checked: result.checked,
        firstBreak: result.firstBreak ?? null,
      },
    });
    return { fromSeq, toSeq: toSeq ?? null, ...result };
  }
}
