import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService, SYSTEM_ACTOR, AuditAction } from '@app/audit';
import { Clock } from '@app/common';
import { AbandonOutcome, StorageService, StoredPart, UploadJournal } from '@app/storage';
import { evidenceConfig } from './evidence.config';

/** Records one evidence upload's multipart upload in `storage_uploads`, from initiation to its end. */
export class EvidenceUploadJournal implements UploadJournal {
  constructor(
    private readonly ds: DataSource,
    private readonly bucket: string,
    private readonly meta: { caseId: string; startedBy: string; requestId: string | null },
  ) {}

  async opened(u: { key: string; uploadId: string }): Promise<void> {
    await this.ds.query(
      `INSERT INTO storage_uploads (upload_id, bucket, object_key, case_id, started_by, request_id) VALUES ($1,$2,$3,$4,$5,$6)`,
      [u.uploadId, this.bucket, u.key, this.meta.caseId, this.meta.startedBy, this.meta.requestId],
    );
  }

  async partStored(uploadId: string, part: StoredPart): Promise<void> {
    await this.ds.query(
      `UPDATE storage_uploads SET parts = parts || $2::jsonb, bytes = bytes + $3, last_activity_at = now() WHERE upload_id = $1`,
      [uploadId, JSON.stringify([part]), part.size],
    );
  }

  async closed(uploadId: string, outcome: 'COMPLETED' | AbandonOutcome, detail?: string): Promise<void> {
    await this.ds.query(
      `UPDATE storage_uploads SET state = $2::varchar, detail = $3, last_activity_at = now(),
         closed_at = CASE WHEN $2::varchar = 'ABORT_PENDING' THEN NULL ELSE now() END WHERE upload_id = $1`,
      [uploadId, outcome, detail ?? null],
    );
  }
}

/** How often, at most, a streaming upload records that it is still alive (bytes received, stale_at pushed forward). */
const HEARTBEAT_MS = 5_000;

/**
 * Every evidence upload from the moment its request is accepted to its end, in evidence_upload_sessions:
 * the source of truth for "an upload to this case is in progress" across API processes (submit is refused
 * while one is; CasesRepository.uploadsInProgress). A session whose process died stops counting at its
 * stale_at: UPLOAD_STALE_MINUTES after its last byte, the same rule by which the janitor presumes the
 * multipart upload dead, and the janitor then closes it as ABANDONED.
 */
@Injectable()
export class EvidenceUploadSessions {
  private readonly lastBeat = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(evidenceConfig.KEY) private readonly config: ConfigType<typeof evidenceConfig>,
  ) {}

  /** Opens the session in the caller's transaction (which holds the case's row lock, as submit does). */
  async begin(
    em: EntityManager,
    s: {
      id: string;
      caseId: string;
      startedBy: string;
      requestId: string | null;
      kind: string;
      originalFilename: string | null;
      declaredBytes: number | null;
    },
  ): Promise<void> {
    await em.query(
      `INSERT INTO evidence_upload_sessions (id, case_id, started_by, request_id, kind, original_filename, declared_bytes, stale_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7, now() + make_interval(mins => $8))`,
      [s.id, s.caseId, s.startedBy, s.requestId, s.kind, s.originalFilename, s.declaredBytes, this.config.staleMinutes],
    );
  }

  /** Records progress: on the first bytes, then at most every few seconds. */
  async progress(id: string, bytesReceived: number): Promise<void> {
    const now = Date.now();
    const last = this.lastBeat.get(id);
    if (last !== undefined && now - last < HEARTBEAT_MS) return;
    this.lastBeat.set(id, now);
    await this.ds.query(
      `UPDATE evidence_upload_sessions SET bytes_received = $2, last_activity_at = now(), stale_at = now() + make_interval(mins => $3)
        WHERE id = $1 AND ended_at IS NULL`,
      [id, bytesReceived, this.config.staleMinutes],
    );
  }

  /** Ends the session (in `em` when the outcome commits with the evidence row). */
  async end(
    id: string,
    outcome: 'STORED' | 'FAILED' | 'CANCELLED',
    bytesReceived: number,
    em?: EntityManager,
  ): Promise<void> {
    this.lastBeat.delete(id);
    await (em ?? this.ds.manager).query(
      `UPDATE evidence_upload_sessions SET ended_at = now(), outcome = $2::varchar, bytes_received = $3, last_activity_at = now()
        WHERE id = $1 AND ended_at IS NULL`,
      [id, outcome, bytesReceived],
    );
  }
}

interface UnfinishedUpload {
  upload_id: string;
  object_key: string;
  case_id: string | null;
  state: string;
  parts: StoredPart[];
  bytes: string;
}

/** Evidence objects live under cases/<case id>/evidence/<evidence id>. */
const EVIDENCE_KEY = /^cases\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/evidence\//;

/**
 * Finishes what failed uploads could not: multipart uploads whose abort failed (storage was
 * unreachable) and uploads whose process died (no part for UPLOAD_STALE_MINUTES). Where the engine
 * lists multipart uploads (ListMultipartUploads: Ceph RGW, MinIO, AWS; not s3rver), uploads that no
 * journal row holds open (a process that died between initiating an upload and recording it) are
 * found there and aborted once initiated more than UPLOAD_STALE_MINUTES ago. Runs at boot
 * and every UPLOAD_JANITOR_INTERVAL_SECONDS; rows are claimed with SKIP LOCKED, so several API
 * processes never abort the same upload twice. Each cleanup is an audit event.
 */
@Injectable()
export class UploadJanitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UploadJanitor.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly storage: StorageService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(evidenceConfig.KEY) private readonly config: ConfigType<typeof evidenceConfig>,
  ) {}

  onApplicationBootstrap(): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.config.janitorIntervalSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One sweep; returns how many uploads were ended. Never throws. */
  runOnce(): Promise<number> {
    this.running ??= this.sweep()
      .catch((e) => {
        this.logger.warn(`Upload cleanup sweep failed: ${e instanceof Error ? e.message : e}`);
        return 0;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(): Promise<number> {
    let ended = await this.closeAbandonedSessions();
    for (;;) {
      const done = await this.ds.transaction(async (em) => {
        const rows: UnfinishedUpload[] = await em.query(
          `SELECT upload_id, object_key, case_id, state, parts, bytes FROM storage_uploads
            WHERE state = 'ABORT_PENDING'
               OR (state = 'OPEN' AND last_activity_at < now() - make_interval(mins => $1))
               -- a resumable (tus) upload whose session ended without its item (abandoned): its parts go at once
               OR (state = 'OPEN' AND upload_id IN (
                     SELECT t.storage_upload_id FROM evidence_tus_uploads t JOIN evidence_upload_sessions s ON s.id = t.id
                      WHERE s.outcome IN ('ABANDONED','CANCELLED','FAILED')))
            ORDER BY last_activity_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [this.config.staleMinutes],
        );
        if (!rows.length) return false;
        const u = rows[0];
        const outcome = await this.storage.abandonMultipart(u.object_key, u.upload_id, u.parts);
        await em.query(
          `UPDATE storage_uploads SET state = $2::varchar, attempts = attempts + 1, last_activity_at = now(),
             closed_at = CASE WHEN $2::varchar = 'ABORT_PENDING' THEN NULL ELSE now() END WHERE upload_id = $1`,
          [u.upload_id, outcome],
        );
        if (outcome === 'ABORT_PENDING') return false; // storage still unreachable: try again next sweep
        await this.audit.append(em, {
          action: AuditAction.EvidenceUploadCleanedUp,
          actor: SYSTEM_ACTOR,
          targetType: 'storage_upload',
          targetId: u.upload_id,
          caseId: u.case_id,
          context: { requestId: undefined, clientIp: null, userAgent: null },
          details: {
            uploadId: u.upload_id,
            objectKey: u.object_key,
            previousState: u.state,
            outcome,
            parts: u.parts.length,
            bytes: Number(u.bytes),
          },
        });
        return true;
      });
      if (!done) {
        return (
          ended +
          (await this.abortUntracked().catch((e) => {
            this.logger.warn(`Cleanup of uploads listed by storage failed: ${e instanceof Error ? e.message : e}`);
            return 0;
          }))
        );
      }
      ended += 1;
    }
  }

  /**
   * Stale uploads the engine lists under cases/ that no journal row holds OPEN or ABORT_PENDING (those are the
   * loop's above, judged by their recorded activity): aborted, each an audit event. A transaction-scoped
   * advisory lock per upload keeps two API processes from ending the same one twice.
   */
  private async abortUntracked(): Promise<number> {
    const listed = await this.storage.listPendingUploads('cases/');
    if (!listed?.length) return 0;
    const cutoff = this.clock.now().getTime() - this.config.staleMinutes * 60_000;
    const stale = listed.filter((u) => u.initiated.getTime() < cutoff);
    let ended = 0;
    for (const u of stale) {
      const done = await this.ds.transaction(async (em) => {
        const [{ locked }]: { locked: boolean }[] = await em.query(
          `SELECT pg_try_advisory_xact_lock(hashtext('storage_upload:' || $1)) AS locked`,
          [u.uploadId],
        );
        if (!locked) return false;
        const rows: { state: string; case_id: string | null }[] = await em.query(
          `SELECT state, case_id FROM storage_uploads WHERE upload_id = $1`,
          [u.uploadId],
        );
        if (rows[0] && (rows[0].state === 'OPEN' || rows[0].state === 'ABORT_PENDING')) return false;
        const outcome = await this.storage.abandonMultipart(u.key, u.uploadId, []);
        if (outcome === 'ABORT_PENDING') return false;
        const fromKey = EVIDENCE_KEY.exec(u.key)?.[1] ?? null;
        const caseId =
          rows[0]?.case_id ??
          (fromKey && (await em.query(`SELECT 1 FROM cases WHERE id = $1`, [fromKey])).length ? fromKey : null);
        await this.audit.append(em, {
          action: AuditAction.EvidenceUploadCleanedUp,
          actor: SYSTEM_ACTOR,
          targetType: 'storage_upload',
          targetId: u.uploadId,
          caseId,
          context: { requestId: undefined, clientIp: null, userAgent: null },
          details: {
            uploadId: u.uploadId,
            objectKey: u.key,
            previousState: rows[0]?.state ?? 'UNTRACKED',
            outcome,
            initiatedAt: u.initiated.toISOString(),
            reason: `listed by storage as in progress, initiated more than ${this.config.staleMinutes} minutes ago (UPLOAD_STALE_MINUTES), held open by no journal row`,
          },
        });
        return true;
      });
      if (done) ended += 1;
    }
    return ended;
  }

  /** Upload sessions past their stale_at (their process died mid-upload): closed as ABANDONED, each an audit event. */
  private async closeAbandonedSessions(): Promise<number> {
    return this.ds.transaction(async (em) => {
      // An UPDATE answers [rows, rowCount] through TypeORM's query().
      const [rows]: [
        {
          id: string;
          case_id: string;
          request_id: string | null;
          started_by: string;
          started_at: Date;
          last_activity_at: Date;
          bytes_received: string;
          original_filename: string | null;
          tus: boolean;
        }[],
        number,
      ] = await em.query(
        `UPDATE evidence_upload_sessions SET ended_at = now(), outcome = 'ABANDONED'
            WHERE id IN (SELECT id FROM evidence_upload_sessions WHERE ended_at IS NULL AND stale_at <= now() FOR UPDATE SKIP LOCKED)
            RETURNING id, case_id, request_id, started_by, started_at, last_activity_at, bytes_received, original_filename,
                      EXISTS (SELECT 1 FROM evidence_tus_uploads t WHERE t.id = evidence_upload_sessions.id) AS tus`,
      );
      for (const r of rows) {
        await this.audit.append(em, {
          action: AuditAction.EvidenceUploadAbandoned,
          actor: SYSTEM_ACTOR,
          targetType: 'evidence_upload',
          targetId: r.id,
          caseId: r.case_id,
          context: { requestId: undefined, clientIp: null, userAgent: null },
          details: {
            uploadRequestId: r.request_id,
            startedBy: r.started_by,
            startedAt: r.started_at.toISOString(),
            lastActivityAt: r.last_activity_at.toISOString(),
            bytesReceived: Number(r.bytes_received),
            originalFilename: r.original_filename,
            reason: r.tus
              ? `a resumable (tus) upload nobody resumed for ${this.config.staleMinutes} minutes (UPLOAD_STALE_MINUTES): abandoned, no evidence item; ` +
                'its stored parts are released in the same sweep (evidence.upload.cleaned_up)'
              : `no byte arrived for ${this.config.staleMinutes} minutes (UPLOAD_STALE_MINUTES): its process is presumed dead; nothing was stored`,
            ...(r.tus ? { protocol: 'tus' } : {}),
          },
        });
      }
      return rows.length;
    });
  }
}
