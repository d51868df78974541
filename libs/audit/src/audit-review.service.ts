import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthUser, Clock } from '@app/common';
import { SigningService } from '@app/signing';
import { auditConfig } from './audit.config';
import { AuditActor, AuditEventView, AuditService } from './audit.service';
import { ChainVerification } from './audit-hash';
import { CheckpointService } from './checkpoint.service';
import { csvRow, EXPORT_FORMAT, ExportFilters, ExportFormatName, ExportHeader, ExportWriter, SignedCheckpoint } from './export-format';

export interface EventQuery extends ExportFilters {
  /** Return events after this seq (the previous page's nextCursor). */
  cursor?: string;
  limit: number;
}

/** Column list and filters shared by the event list and the export (same filters, same meaning). */
function whereOf(f: ExportFilters, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
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

const ISO_MS = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Every column as text, in CSV_COLUMNS order (after `record`): CSV lines are assembled from strings. */
const CSV_SELECT = `SELECT seq::text, id::text, ${ISO_MS}, actor_id::text, actor_username, actor_role, action, outcome,
  target_type, target_id, case_id::text, request_id, client_ip, user_agent, details::text, prev_hash, hash FROM audit_events`;

/**
 * NDJSON lines are the stored canonical body (the exact bytes the hash covers) with type, prevHash
 * and hash added: nothing is rebuilt, so the export runs at the speed of reading the table.
 */
const NDJSON_SELECT = `SELECT seq::text, body_json, prev_hash, hash FROM audit_events`;

type Columns = (string | null)[];

const ndjsonLine = (r: Columns) => `{"type":"event",${r[1]!.slice(1, -1)},"prevHash":"${r[2]}","hash":"${r[3]}"}`;
const csvLine = (r: Columns) => csvRow(['event', ...r]);

interface PgClient {
  query(q: string | { text: string; rowMode?: 'array'; values?: unknown[] }, values?: unknown[]): Promise<{ rows: Columns[] }>;
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

  async events(q: EventQuery): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
    const params: unknown[] = [];
    const where = whereOf(q, params);
    if (q.cursor) {
      params.push(q.cursor);
      where.push(`seq > $${params.length}::bigint`);
    }
    params.push(q.limit + 1);
    const rows: { seq: string }[] = await this.ds.query(
      `SELECT seq FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT $${params.length}`, params,
    );
    const page = rows.slice(0, q.limit).map((r) => Number(r.seq));
    const items = page.length ? await this.audit.bySeq(page) : [];
    return { items, nextCursor: rows.length > q.limit ? String(page[page.length - 1]) : null };
  }

  /**
   * Records the export (who, which filters) and signs a checkpoint of the head, in one
   * transaction; then streams every matching row up to that checkpoint from a database cursor
   * in a REPEATABLE READ snapshot, and ends with the checkpoint and the export's signed seal.
   */
  async *export(auth: AuditActor, requested: ExportFilters, format: ExportFormatName): AsyncGenerator<string> {
    let filters = requested;
    // After older rows were archived and dropped, the chain here starts later: say so, as a seq range.
    const [{ first }] = await this.ds.query('SELECT min(seq) AS first FROM audit_events');
    if (first !== null && Number(first) > 1 && filters.fromSeq === undefined) filters = { ...filters, fromSeq: String(first) };
    const filtered = Object.values(filters).some((v) => v !== undefined);
    const checkpoint: SignedCheckpoint = await this.ds.transaction(async (em) => {
      await this.audit.append(em, {
        action: 'audit.exported', actor: auth, targetType: 'audit', details: { format, filters, filtered },
      });
      return this.checkpoints.create(em, 'export', auth.id);
    });
    const writer = new ExportWriter(format, (m) => this.signing.sign(m));
    const header: ExportHeader = {
      type: 'header', format: EXPORT_FORMAT, exportedAt: this.clock.now().toISOString(),
      exportedBy: { id: auth.id, username: auth.username ?? null, role: auth.role }, filters, filtered, keyId: this.signing.keyId,
    };
    yield writer.begin(header).join('\n') + '\n';

    const params: unknown[] = [checkpoint.seq];
    const where = ['seq <= $1::bigint', ...whereOf(filters, params)];
    const runner = this.ds.createQueryRunner();
    const client = (await runner.connect()) as PgClient;
    let open = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      open = true;
      const select = format === 'csv' ? CSV_SELECT : NDJSON_SELECT;
      await client.query(`DECLARE ion_audit_export NO SCROLL CURSOR FOR ${select} WHERE ${where.join(' AND ')} ORDER BY audit_events.seq`, params);
      const fetch = { text: `FETCH FORWARD ${this.config.exportFetchRows} FROM ion_audit_export`, rowMode: 'array' as const };
      const line = format === 'csv' ? csvLine : ndjsonLine;
      const hashAt = format === 'csv' ? 16 : 3;
      for (;;) {
        const { rows } = await client.query(fetch);
        if (!rows.length) break;
        let chunk = '';
        for (const r of rows) {
          writer.countRow(Number(r[0]), r[hashAt]!);
          chunk += line(r) + '\n';
        }
        yield chunk;
        if (rows.length < this.config.exportFetchRows) break;
      }
      await client.query('COMMIT');
      open = false;
    } finally {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      await runner.release();
    }
    yield writer.end(checkpoint) + '\n';
  }

  /** Recomputes the chain stored in the database over [fromSeq, toSeq]; records who asked. */
  async verify(auth: AuthUser, fromSeq = 1, toSeq?: number): Promise<ChainVerification & { fromSeq: number; toSeq: number | null }> {
    const result = await this.audit.verifyRange(fromSeq, toSeq);
    await this.audit.record({
      action: 'audit.verified', outcome: result.ok ? 'SUCCESS' : 'FAILED', actor: auth, targetType: 'audit',
      details: { fromSeq, toSeq: toSeq ?? null, ok: result.ok, checked: result.checked, firstBreak: result.firstBreak ?? null },
    });
    return { fromSeq, toSeq: toSeq ?? null, ...result };
  }
}
