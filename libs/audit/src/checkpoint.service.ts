import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '@app/common';
import { SigningService } from '@app/signing';
import { auditConfig } from './audit.config';
import { GENESIS_HASH } from './audit-hash';
import { checkpointMessage, SignedCheckpoint } from './export-format';
import { CheckpointReason, CheckpointView } from './dto/checkpoint-views';

/** Taken (transaction-scoped, try-only) by whoever makes the periodic checkpoint: one process per tick. */
const PERIODIC_CHECKPOINT_LOCK = 726_300_002;

/**
 * Signed checkpoints of the audit chain's head. Made at every export (inside the export's
 * transaction) and periodically; with several API processes only one makes each periodic one:
 * the maker holds an advisory lock and skips if a periodic checkpoint is already recent.
 */
@Injectable()
export class CheckpointService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CheckpointService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly signing: SigningService,
    private readonly clock: Clock,
    @Inject(auditConfig.KEY) private readonly config: ConfigType<typeof auditConfig>,
  ) {}

  onApplicationBootstrap(): void {
    const ms = this.config.checkpointIntervalSeconds * 1000;
    this.timer = setInterval(() => {
      this.periodic().catch((e) =>
        this.logger.warn(`Periodic checkpoint failed: ${e instanceof Error ? e.message : e}`),
      );
    }, ms);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Signs the current head inside `em`'s transaction (the caller's appends are included). */
  async create(em: EntityManager, reason: CheckpointReason, createdBy: string | null): Promise<SignedCheckpoint> {
    const head: { seq: string; hash: string }[] = await em.query(
      'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
    );
    const unsigned = {
      seq: head.length ? Number(head[0].seq) : 0,
      headHash: head.length ? head[0].hash : GENESIS_HASH,
      createdAt: this.clock.now().toISOString(),
      keyId: this.signing.keyId,
    };
    const checkpoint: SignedCheckpoint = { ...unsigned, signature: this.signing.sign(checkpointMessage(unsigned)) };
    await em.query(
      `INSERT INTO audit_checkpoints (seq, head_hash, created_at, key_id, signature, reason, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [
        checkpoint.seq,
        checkpoint.headHash,
        checkpoint.createdAt,
        checkpoint.keyId,
        checkpoint.signature,
        reason,
        createdBy,
      ],
    );
    return checkpoint;
  }

  /**
   * The periodic checkpoint: made by at most one process per interval, and only when the chain
   * has grown since the last checkpoint. Returns it, or null when skipped.
   */
  async periodic(): Promise<SignedCheckpoint | null> {
    return this.ds.transaction(async (em) => {
      const [{ locked }] = await em.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [PERIODIC_CHECKPOINT_LOCK]);
      if (!locked) return null;
      const recent: unknown[] = await em.query(
        `SELECT 1 FROM audit_checkpoints WHERE reason = 'periodic' AND created_at > $1::timestamptz - make_interval(secs => $2) LIMIT 1`,
        [this.clock.now().toISOString(), this.config.checkpointIntervalSeconds * 0.9],
      );
      if (recent.length) return null;
      const last: { seq: string }[] = await em.query(
        'SELECT seq FROM audit_checkpoints ORDER BY seq DESC, id DESC LIMIT 1',
      );
      const head: { seq: string }[] = await em.query('SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1');
      if (!head.length || (last.length && last[0].seq === head[0].seq)) return null;
      return this.create(em, 'periodic', null);
    });
  }

  async list(limit = 100): Promise<CheckpointView[]> {
    const rows: Record<string, string>[] = await this.ds.query(
      `SELECT id, seq, head_hash, created_at, key_id, signature, reason FROM audit_checkpoints ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      seq: Number(r.seq),
      headHash: r.head_hash,
      createdAt: new Date(r.created_at).toISOString(),
      keyId: r.key_id,
      signature: r.signature,
      reason: r.reason as CheckpointReason,
    }));
  }
}
