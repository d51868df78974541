import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService, SYSTEM_ACTOR } from '@app/audit';
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

interface UnfinishedUpload {
  upload_id: string;
  object_key: string;
  case_id: string | null;
  state: string;
  parts: StoredPart[];
  bytes: string;
}

/**
 * Finishes what failed uploads could not: multipart uploads whose abort failed (storage was
 * unreachable) and uploads whose process died (no part for UPLOAD_STALE_MINUTES). Runs at boot
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
    let ended = 0;
    for (;;) {
      const done = await this.ds.transaction(async (em) => {
        const rows: UnfinishedUpload[] = await em.query(
          `SELECT upload_id, object_key, case_id, state, parts, bytes FROM storage_uploads
            WHERE state = 'ABORT_PENDING'
               OR (state = 'OPEN' AND last_activity_at < now() - make_interval(mins => $1))
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
          action: 'evidence.upload.cleaned_up',
          actor: SYSTEM_ACTOR,
          targetType: 'storage_upload',
          targetId: u.upload_id,
          caseId: u.case_id,
          context: { requestId: undefined, clientIp: null, userAgent: null },
          details: { uploadId: u.upload_id, objectKey: u.object_key, previousState: u.state, outcome, parts: u.parts.length, bytes: Number(u.bytes) },
        });
        return true;
      });
      if (!done) return ended;
      ended += 1;
    }
  }
}
