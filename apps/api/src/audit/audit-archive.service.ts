import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { AuditActor, AuditReviewService, AuditService, SYSTEM_ACTOR, AuditAction } from '@app/audit';
import { StorageService } from '@app/storage';

/** Rows younger than this are never archived for dropping (and never dropped). */
export const AUDIT_RETENTION_DAYS = 365;

export interface ArchiveResult {
  fromSeq: number;
  toSeq: number;
  rows: number;
  objectKey: string;
  sha256: string;
  bytes: number;
  checkpointSeq: number;
}

/**
 * Archives the oldest part of the audit trail to object storage as a signed export (the same
 * format auditors verify offline), and records it in `audit_archives`. Only rows older than
 * 365 days are archived; only archived rows may ever be dropped (by `audit_drop_archived`).
 */
@Injectable()
export class AuditArchiveService {
  private readonly logger = new Logger(AuditArchiveService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly review: AuditReviewService,
    private readonly audit: AuditService,
    private readonly storage: StorageService,
    private readonly clock: Clock,
  ) {}

  /** The next range to archive: after the last archive, up to the newest row older than `before` (and 365 days). */
  async plan(before: Date): Promise<{ fromSeq: number; toSeq: number; rows: number } | null> {
    const limit = new Date(this.clock.now().getTime() - AUDIT_RETENTION_DAYS * 24 * 3600 * 1000);
    if (before > limit) {
      throw new Error(
        `--before must be at least ${AUDIT_RETENTION_DAYS} days ago (at or before ${limit.toISOString()}): younger audit rows are kept`,
      );
    }
    const [{ last }] = await this.ds.query('SELECT max(to_seq) AS last FROM audit_archives');
    const [{ first, upto, n }] = await this.ds.query(
      `SELECT min(seq) AS first, max(seq) AS upto, count(*) AS n FROM audit_events WHERE seq > $1 AND occurred_at < $2`,
      [last ?? 0, before.toISOString()],
    );
    if (upto === null) return null;
    const fromSeq = Number(first);
    const toSeq = Number(upto);
    if (Number(n) !== toSeq - fromSeq + 1)
      throw new Error(`audit rows between seq ${fromSeq} and ${toSeq} are missing: refusing to archive`);
    return { fromSeq, toSeq, rows: Number(n) };
  }

  /** `operator`: the OS account running the command, named in the events (the actor is SYSTEM). */
  async archive(before: Date, operator: string): Promise<ArchiveResult | null> {
    const archivist: AuditActor = { ...SYSTEM_ACTOR, username: `cli:${operator}` };
    const plan = await this.plan(before);
    if (!plan) return null;
    const key = `audit-archive/seq-${String(plan.fromSeq).padStart(12, '0')}-${String(plan.toSeq).padStart(12, '0')}.ndjson`;
    const writer = this.storage.createWriter(key, { contentType: 'application/x-ndjson' });
    const hash = createHash('sha256');
    let bytes = 0;
    let checkpointSeq = 0;
    try {
      for await (const chunk of this.review.export(
        archivist,
        { fromSeq: String(plan.fromSeq), toSeq: String(plan.toSeq) },
        'ndjson',
      )) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk; // export pieces are never reused
        hash.update(buf);
        bytes += buf.length;
        if (typeof chunk === 'string' && chunk.startsWith('{"type":"checkpoint"'))
          checkpointSeq = JSON.parse(chunk).checkpoint.seq;
        await writer.write(buf);
      }
      await writer.complete();
    } catch (e) {
      await writer.abort(e instanceof Error ? e.message : String(e));
      throw e;
    }
    const result: ArchiveResult = { ...plan, objectKey: key, sha256: hash.digest('hex'), bytes, checkpointSeq };
    const [{ hash: lastHash, at }] = await this.ds.query(
      'SELECT hash, occurred_at AS at FROM audit_events WHERE seq = $1',
      [plan.toSeq],
    );
    await this.ds.transaction(async (em) => {
      await em.query(
        `INSERT INTO audit_archives (from_seq, to_seq, last_hash, rows, newest_event_at, bucket, object_key, object_sha256, object_bytes, checkpoint_seq, created_by)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
        [
          plan.fromSeq,
          plan.toSeq,
          lastHash,
          plan.rows,
          at,
          this.storage.bucket,
          key,
          result.sha256,
          bytes,
          checkpointSeq,
          archivist.username,
        ],
      );
      await this.audit.append(em, {
        action: AuditAction.AuditArchived,
        actor: archivist,
        targetType: 'audit_archive',
        targetId: key,
        context: { requestId: undefined, clientIp: null, userAgent: null },
        details: { ...result, before: before.toISOString(), bucket: this.storage.bucket },
      });
    });
    this.logger.log(`Archived audit seq ${plan.fromSeq}..${plan.toSeq} (${plan.rows} rows) to ${key}`);
    return result;
  }
}
