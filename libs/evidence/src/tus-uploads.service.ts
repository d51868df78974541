import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, Hash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService, AuditAction } from '@app/audit';
import { CaseEntity, CasesRepository } from '@app/cases';
import {
  AuthUser,
  ConflictError,
  EmptyEvidenceError,
  markErrorAudited,
  NotFoundError,
  RequestContextStore,
  UploadGoneError,
  ValidationError,
} from '@app/common';
import {
  AbandonOutcome,
  asDependencyError,
  ObjectWriter,
  StoredPart,
  StorageService,
  UploadJournal,
  WrittenObject,
} from '@app/storage';
import { SNIFF_BYTES, sniffContentType } from './content-sniff';
import { EvidenceMetadataDto } from './dto/evidence.dto';
import { evidenceConfig } from './evidence.config';
import { EvidenceService } from './evidence.service';
import { EvidenceUploadSessions } from './upload-journal';
import { TusUploadView } from './dto/tus-upload-view';

/** The tus protocol version served (tus.io, resumable upload protocol 1.0.0). */
export const TUS_VERSION = '1.0.0';
/** Extensions served: creation (POST, Upload-Length required) and termination (DELETE). */
export const TUS_EXTENSIONS = ['creation', 'termination'] as const;

/** The key of a tus row's metadata that keeps the client's `filetype` (the declared content type), beside the item's metadata. */
const DECLARED_TYPE = 'declaredContentType';
/** How long a request waits for another request to the same upload (asked to stop) to let go of it. */
const LOCK_WAIT_MS = 30_000;
/** A received-but-unstored remainder (less than one part) kept in memory for an idle upload this long at most. */
const IDLE_STATE_MS = 10 * 60_000;
/** How often, at most, a streaming PATCH records that its upload is alive. */
const HEARTBEAT_MS = 5_000;

/** An upload's offset as the protocol reports it; evidenceId once it became an item. */
export interface TusUploadStatus {
  uploadLength: number;
  offset: number;
  evidenceId: string | null;
}

/** The body of a PATCH: the request stream, and how to make it stop (another request took the upload over). */
export interface TusPatchBody {
  body: AsyncIterable<Buffer>;
  declaredBytes: number | null;
  /** Stops reading the body (the request is abandoned). */
  cancel(): void;
}

interface UploadRow {
  id: string;
  case_id: string;
  started_by: string;
  started_at: Date;
  ended_at: Date | null;
  outcome: string | null;
  stale: boolean;
  request_id: string | null;
  upload_length: string;
  metadata: Record<string, unknown>;
  object_key: string;
  part_size: string;
  storage_upload_id: string | null;
  generation: number;
  parts: StoredPart[] | null;
  stored_bytes: string | null;
  storage_state: string | null;
}

/** What one API process holds of an upload it is receiving: the writer (and its < 1 part remainder), the hash. */
interface LiveUpload {
  id: string;
  generation: number;
  writer: ObjectWriter;
  /** SHA-256 of every byte from 0 in this process; null when it took the upload over at a stored offset > 0. */
  hash: Hash | null;
  head: Buffer[];
  headBytes: number;
  received: number;
  resumedFrom: number;
  idleSince: number;
  /**
   * Set while the last PATCH has been answered and its part(s) are still being stored, the upload's lock still held:
   * the next PATCH of this upload in this process takes the lock over from it instead of waiting (see append).
   */
  handoff: { release: () => Promise<void> } | null;
}

/** The journal's refusal when another process took the upload over (its generation moved on). */
class TakenOverError extends ConflictError {
  constructor(id: string) {
    super(`Upload ${id} was taken over by another request; send HEAD to learn its offset, then resume from there.`);
  }
}

/**
 * Journals a tus upload's multipart upload in storage_uploads (as every evidence upload does), and ties it to the
 * tus row, each step in one transaction that first checks the writer's generation is still the upload's.
 */
class TusPartJournal implements UploadJournal {
  constructor(
    private readonly ds: DataSource,
    private readonly bucket: string,
    private readonly meta: {
      id: string;
      caseId: string;
      startedBy: string;
      requestId: string | null;
      generation: number;
    },
  ) {}

  private async current(em: EntityManager): Promise<void> {
    const rows: { generation: number }[] = await em.query(
      `SELECT generation FROM evidence_tus_uploads WHERE id = $1 FOR UPDATE`,
      [this.meta.id],
    );
    if (rows[0]?.generation !== this.meta.generation) throw new TakenOverError(this.meta.id);
  }

  async opened(u: { key: string; uploadId: string }): Promise<void> {
    await this.ds.transaction(async (em) => {
      await this.current(em);
      await em.query(
        `INSERT INTO storage_uploads (upload_id, bucket, object_key, case_id, started_by, request_id) VALUES ($1,$2,$3,$4,$5,$6)`,
        [u.uploadId, this.bucket, u.key, this.meta.caseId, this.meta.startedBy, this.meta.requestId],
      );
      await em.query(`UPDATE evidence_tus_uploads SET storage_upload_id = $2 WHERE id = $1`, [
        this.meta.id,
        u.uploadId,
      ]);
    });
  }

  async partStored(uploadId: string, part: StoredPart): Promise<void> {
    await this.ds.transaction(async (em) => {
      await this.current(em);
      await em.query(
        `UPDATE storage_uploads SET parts = parts || $2::jsonb, bytes = bytes + $3, last_activity_at = now() WHERE upload_id = $1`,
        [uploadId, JSON.stringify([part]), part.size],
      );
    });
  }

  async closed(uploadId: string, outcome: 'COMPLETED' | AbandonOutcome, detail?: string): Promise<void> {
    await closeStorageUpload(this.ds, uploadId, outcome, detail);
  }
}

function closeStorageUpload(
  ds: DataSource,
  uploadId: string,
  outcome: 'COMPLETED' | AbandonOutcome,
  detail?: string,
): Promise<unknown> {
  return ds.query(
    `UPDATE storage_uploads SET state = $2::varchar, detail = $3, last_activity_at = now(),
       closed_at = CASE WHEN $2::varchar = 'ABORT_PENDING' THEN NULL ELSE now() END WHERE upload_id = $1`,
    [uploadId, outcome, detail ?? null],
  );
}

/**
 * One lock per upload across API processes: a PostgreSQL session advisory lock, held on one connection of this
 * process's own, so a process that dies (SIGKILL) lets go of its uploads the moment its connection drops. Within the
 * process a request that wants an upload asks the request holding it to stop (the tus convention: the client
 * abandoned that request) and waits for it to let go.
 */
class UploadLocks {
  private readonly logger = new Logger('TusUploadLocks');
  private client?: Promise<Client>;
  private readonly held = new Map<string, { done: Promise<void>; cancel: () => void }>();

  constructor(private readonly connection: { url?: string; application_name?: string }) {}

  private connect(): Promise<Client> {
    this.client ??= (async () => {
      const c = new Client({
        connectionString: this.connection.url,
        application_name: `${this.connection.application_name ?? 'ion-api'}-tus-locks`,
      });
      c.on('error', (e) => {
        // Every lock this process held is gone with the connection: stop every request that relied on one.
        this.logger.error(`The tus lock connection failed (${e.message}); requests holding uploads are stopped`);
        this.client = undefined;
        for (const h of this.held.values()) h.cancel();
      });
      try {
        await c.connect();
      } catch (e) {
        this.client = undefined;
        throw e;
      }
      return c;
    })();
    return this.client;
  }

  /**
   * Takes the upload, asking whoever holds it in this process to stop; waits up to `waitMs`. Null when another
   * process holds it all that time. The returned function lets go.
   */
  async acquire(id: string, cancel: () => void, waitMs = LOCK_WAIT_MS): Promise<(() => Promise<void>) | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const h = this.held.get(id);
      if (!h) break;
      h.cancel();
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await Promise.race([h.done, sleep(Math.min(left, 1000))]);
    }
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    this.held.set(id, { done, cancel });
    const letGo = () => {
      this.held.delete(id);
      release();
    };
    try {
      for (;;) {
        const c = await this.connect();
        const [{ locked }] = (
          await c.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [`tus:${id}`])
        ).rows as { locked: boolean }[];
        if (locked) break;
        if (Date.now() >= deadline) {
          letGo();
          return null;
        }
        await sleep(200);
      }
    } catch (e) {
      letGo();
      throw e;
    }
    return async () => {
      try {
        const c = await this.client;
        await c?.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`tus:${id}`]);
      } catch (e) {
        this.logger.warn(`Could not release the lock of upload ${id}: ${e instanceof Error ? e.message : e}`);
      } finally {
        letGo();
      }
    };
  }

  /** Who is asked to stop when another request wants the upload (e.g. nobody, once the request has answered). */
  setCancel(id: string, cancel: () => void): void {
    const h = this.held.get(id);
    if (h) h.cancel = cancel;
  }

  async close(): Promise<void> {
    const c = await this.client?.catch(() => undefined);
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/**
 * Resumable evidence uploads on tus 1.0.0 (creation, termination): the protocol's state over the project's own
 * storage path. A POST opens the upload session (the case then has an upload in progress) and the tus row; PATCHes
 * append through an ObjectWriter (S3 multipart, parts journaled in storage_uploads); the PATCH that brings the
 * offset to Upload-Length turns the upload into an evidence item through EvidenceService.finishUpload, exactly as
 * the single-request upload does. The offset reported is what this process holds of an upload it is receiving, or
 * else the bytes in stored parts: a remainder short of a part that died with its process is sent again.
 *
 * SHA-256: hashed as the bytes stream while one process receives the upload from byte 0 (node's crypto, about
 * 1.3 GB/s here); an upload taken over at a stored offset > 0 (its first process died, or its state was dropped)
 * is hashed by reading the completed object back before anything is kept. See docs/behaviour.md ("Resumable uploads") and docs/decisions/0009-tus-without-tus-server.md.
 */
@Injectable()
export class TusUploadService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TusUploadService.name);
  private readonly live = new Map<string, LiveUpload>();
  private readonly locks: UploadLocks;
  private readonly beats = new Map<string, number>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly storage: StorageService,
    private readonly audit: AuditService,
    private readonly cases: CasesRepository,
    private readonly evidence: EvidenceService,
    private readonly sessions: EvidenceUploadSessions,
    @Inject(evidenceConfig.KEY) private readonly config: ConfigType<typeof evidenceConfig>,
  ) {
    const opts = ds.options as { url?: string; extra?: { application_name?: string } };
    this.locks = new UploadLocks({ url: opts.url, application_name: opts.extra?.application_name });
  }

  onModuleInit(): void {
    // An idle upload's remainder (under one part) is not kept in memory forever: dropped, the client resends it.
    this.sweeper = setInterval(() => {
      const cutoff = Date.now() - IDLE_STATE_MS;
      for (const [id, u] of this.live) if (u.idleSince < cutoff) this.live.delete(id);
    }, 60_000);
    this.sweeper.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.locks.close();
  }

  /** Tus-Max-Size. */
  get maxSize(): number {
    return this.config.maxBytes;
  }

  /** Uploads this process holds in memory (tests, bench). */
  get liveUploads(): number {
    return this.live.size;
  }

  /**
   * Creation: same checks as the single-request upload before anything exists (scope, case state, size, then the
   * metadata, read by `metadata` once the case was checked), then the session, the tus row and
   * `evidence.upload.created` in one transaction. `declaredContentType`: the client's `filetype` (Upload-Metadata), kept
   * with the metadata and recorded on the item as the single-request upload records its Content-Type.
   */
  async create(
    auth: AuthUser,
    caseId: string,
    uploadLength: number,
    metadata: () => Promise<{ meta: EvidenceMetadataDto; declaredContentType: string | null }>,
  ): Promise<TusUploadView> {
    const c = await this.evidence.precheckCase(auth, caseId, uploadLength);
    const { meta, declaredContentType } = await metadata();
    if (uploadLength === 0) throw new EmptyEvidenceError();
    const id = randomUUID();
    const key = `cases/${c.id}/evidence/${id}`;
    const requestId = RequestContextStore.get()?.requestId ?? null;
    await this.evidence.beginSession(
      auth,
      c,
      { id, requestId, meta, declaredBytes: uploadLength },
      async (em, locked) => {
        await em.query(
          `INSERT INTO evidence_tus_uploads (id, upload_length, metadata, object_key, part_size) VALUES ($1,$2,$3,$4,$5)`,
          [
            id,
            uploadLength,
            JSON.stringify({
              ...meta,
              ...(declaredContentType !== null ? { [DECLARED_TYPE]: declaredContentType } : {}),
            }),
            key,
            this.storage.partSizeBytes,
          ],
        );
        await this.audit.append(em, {
          action: AuditAction.EvidenceUploadCreated,
          actor: auth,
          targetType: 'evidence_upload',
          targetId: id,
          caseId: c.id,
          details: {
            protocol: 'tus',
            caseNumber: locked.caseNumber,
            uploadLength,
            kind: meta.kind,
            originalFilename: meta.originalFilename ?? null,
            deviceId: meta.deviceId ?? null,
            clientSha256: meta.sha256?.toLowerCase() ?? null,
            declaredContentType,
            partSizeBytes: this.storage.partSizeBytes,
            ...(meta.duplicateOf ? { duplicateOf: meta.duplicateOf } : {}),
          },
        });
      },
    );
    return { uploadId: id, caseId: c.id, uploadLength, location: uploadLocation(c.id, id) };
  }

  /** HEAD: the offset (what this process holds of it, else the bytes in stored parts), and the item once stored. */
  async status(auth: AuthUser, caseId: string, id: string): Promise<TusUploadStatus> {
    const { row } = await this.load(auth, caseId, id);
    const uploadLength = Number(row.upload_length);
    if (row.outcome === 'STORED') return { uploadLength, offset: uploadLength, evidenceId: row.id };
    const release = await this.locks.acquire(id, () => undefined, 5_000).catch(() => null);
    if (!release) return { uploadLength, offset: Number(row.stored_bytes ?? 0), evidenceId: null };
    try {
      const now = await this.reload(id);
      if (now.outcome === 'STORED') return { uploadLength, offset: uploadLength, evidenceId: now.id };
      const live = this.live.get(id);
      const offset = live && live.generation === now.generation ? live.received : Number(now.stored_bytes ?? 0);
      return { uploadLength, offset, evidenceId: null };
    } finally {
      await release();
    }
  }

  /**
   * PATCH: appends the body at `offset` (which must be the upload's offset). Bytes that arrived before the client
   * went away are kept. The PATCH that reaches Upload-Length completes the upload into an evidence item.
   */
  async append(
    auth: AuthUser,
    caseId: string,
    id: string,
    offset: number,
    patch: TusPatchBody,
  ): Promise<TusUploadStatus> {
    // The one scope check of a PATCH: the case, loaded in the caller's scope, is the one its checks and completion use.
    const { row: first, c } = await this.load(auth, caseId, id);
    const uploadLength = Number(first.upload_length);
    if (first.outcome === 'STORED') {
      if (offset === uploadLength && !patch.declaredBytes) return { uploadLength, offset, evidenceId: first.id };
      throw offsetConflict(id, offset, uploadLength);
    }
    this.evidence.assertAcceptsEvidence(c, null);
    if (patch.declaredBytes !== null && offset + patch.declaredBytes > uploadLength) {
      throw ValidationError.field(
        'Content-Length',
        `${patch.declaredBytes} bytes at offset ${offset} would exceed Upload-Length ${uploadLength}`,
      );
    }
    // The previous PATCH of this upload was answered here and its last part is still being stored, the lock still
    // held for it: this PATCH, at the offset that PATCH answered, takes the lock over (it never became free, so no
    // other request saw the upload in between) and receives its body while that part is stored, as the
    // single-request upload overlaps receiving and storing. If that part then fails, the writer fails this PATCH's
    // next write or drain: the upload's state here is dropped and HEAD answers the offset actually stored.
    const previous = this.live.get(id);
    const handoff =
      previous?.handoff && previous.generation === first.generation && offset === previous.received
        ? previous.handoff
        : null;
    if (handoff) {
      previous!.handoff = null;
      this.locks.setCancel(id, patch.cancel);
    }
    const release = handoff ? handoff.release : await this.locks.acquire(id, patch.cancel);
    if (!release) {
      throw new ConflictError(
        `Upload ${id} is being written by another request (another API process); send HEAD and resume shortly.`,
      );
    }
    let heldAfterAnswer = false;
    try {
      // Taken over: `first` was read while the lock was held for this upload, so it is the upload's current state.
      const row = handoff ? first : await this.reload(id);
      if (row.outcome === 'STORED') {
        if (offset === uploadLength) return { uploadLength, offset, evidenceId: row.id };
        throw offsetConflict(id, offset, uploadLength);
      }
      // A wrong offset is refused before this process takes the upload over (nothing of it changes).
      const held = this.live.get(id);
      const holds = held && held.generation === row.generation ? held.received : Number(row.stored_bytes ?? 0);
      if (offset !== holds) throw offsetConflict(id, offset, holds);
      const u = await this.liveState(row);
      if (offset !== u.received) throw offsetConflict(id, offset, u.received);
      const overflow = await this.receive(row, u, patch).catch(async (e: unknown) => {
        // Storage or the database failed, or another process took the upload over: this process's state is no
        // longer the upload's. The stored parts stay; the client resumes from HEAD's offset.
        if (this.live.get(id) === u) this.live.delete(id);
        await u.writer.drain().catch(() => undefined);
        throw e;
      });
      if (overflow) {
        // The file is larger than the client declared: keeping its first Upload-Length bytes would store a file the
        // client does not have. The upload ends, its parts released, nothing kept, audited (like a hash mismatch).
        const cleanup = await this.endOverflowed(auth, row, u);
        throw markErrorAudited(
          ValidationError.field(
            'Content-Length',
            `the body ran past Upload-Length ${uploadLength} (the file is larger than declared): the upload is ended and nothing was kept (${cleanup}); start a new upload with the file's real length`,
          ),
        );
      }
      if (u.received < uploadLength) {
        // Answered now: the part(s) still in flight are stored and journaled while the client sends its next chunk
        // (receiving and storing overlap). The upload stays locked until they are, so HEAD, the next PATCH, DELETE or
        // another process see it only then; if one fails, this process forgets the upload and HEAD answers the offset
        // actually stored (the client re-sends from there; tus clients HEAD before resuming).
        heldAfterAnswer = true;
        this.locks.setCancel(id, () => undefined);
        const mine = { release };
        u.handoff = mine;
        void u.writer
          .drain()
          .then(() => (u.idleSince = Date.now()))
          .catch((e: unknown) => {
            this.logger.warn(
              `Upload ${id}: a part acknowledged to the client was not stored (${e instanceof Error ? e.message : e}); HEAD now answers the stored offset`,
            );
            if (this.live.get(id) === u) this.live.delete(id);
          })
          .finally(() => {
            // Let go unless the next PATCH took the lock over (it lets go, or hands it on, itself).
            if (u.handoff !== mine) return;
            u.handoff = null;
            void release();
          });
        return { uploadLength, offset: u.received, evidenceId: null };
      }
      if (handoff) {
        // The last bytes arrived while an earlier part may still be in flight: it must be stored before the item is
        // made, and if it failed, the upload resumes from what is stored (as above) rather than ending.
        await u.writer.drain().catch((e: unknown) => {
          if (this.live.get(id) === u) this.live.delete(id);
          throw e;
        });
      }
      const { [DECLARED_TYPE]: declared, ...meta } = row.metadata;
      return await this.complete(
        auth,
        c,
        row,
        meta as unknown as EvidenceMetadataDto,
        typeof declared === 'string' ? declared : null,
        u,
      );
    } catch (e) {
      throw asDependencyError(e);
    } finally {
      if (!heldAfterAnswer) await release();
    }
  }

  /**
   * Streams the body into the upload's writer (never past Upload-Length) and waits until every full part is stored
   * and journaled. A body cut short (the client went away, or another request took over) keeps what arrived.
   * Returns true when the body ran past Upload-Length.
   */
  private async receive(row: UploadRow, u: LiveUpload, patch: TusPatchBody): Promise<boolean> {
    const uploadLength = Number(row.upload_length);
    let overflow = false;
    try {
      for await (const chunk of patch.body) {
        const room = uploadLength - u.received;
        const take = chunk.length > room ? chunk.subarray(0, room) : chunk;
        if (take.length) {
          u.hash?.update(take);
          if (u.hash && u.headBytes < SNIFF_BYTES) {
            u.head.push(take);
            u.headBytes += take.length;
          }
          await u.writer.write(take);
          u.received += take.length;
          await this.heartbeat(row, u.received);
        }
        if (chunk.length > room) {
          overflow = true;
          break;
        }
      }
    } catch (e) {
      if (!isClientGone(e)) throw e;
    }
    u.idleSince = Date.now();
    return overflow;
  }

  /** DELETE (termination): abandons the upload, its parts released, the session ended CANCELLED, audited. */
  async terminate(auth: AuthUser, caseId: string, id: string, cancelSelf: () => void): Promise<void> {
    const { row: first } = await this.load(auth, caseId, id);
    if (first.outcome === 'STORED') {
      throw new ConflictError(
        `Upload ${id} was completed as evidence ${id}; evidence is never deleted (supersede the item instead).`,
        { evidenceId: id },
      );
    }
    const release = await this.locks.acquire(id, cancelSelf);
    if (!release)
      throw new ConflictError(
        `Upload ${id} is being written by another request (another API process); try again shortly.`,
      );
    try {
      const row = await this.reload(id);
      if (row.outcome === 'STORED')
        throw new ConflictError(`Upload ${id} was completed as evidence ${id}; evidence is never deleted.`, {
          evidenceId: id,
        });
      const live = this.live.get(id);
      this.live.delete(id);
      let cleanup: string;
      const stored = Number(row.stored_bytes ?? 0);
      if (live && live.generation === row.generation) {
        cleanup = await live.writer.abort('cancelled by its uploader (tus termination)');
      } else if (row.storage_upload_id && row.storage_state === 'OPEN') {
        cleanup = await this.storage
          .abandonMultipart(row.object_key, row.storage_upload_id, row.parts ?? [])
          .catch(() => 'ABORT_PENDING' as const);
        await closeStorageUpload(
          this.ds,
          row.storage_upload_id,
          cleanup as AbandonOutcome,
          'cancelled by its uploader (tus termination)',
        );
      } else {
        cleanup = 'NOTHING_STORED';
      }
      await this.ds.transaction(async (em) => {
        await this.sessions.end(id, 'CANCELLED', live?.received ?? stored, em);
        await this.audit.append(em, {
          action: AuditAction.EvidenceUploadCancelled,
          actor: auth,
          targetType: 'evidence_upload',
          targetId: id,
          caseId: row.case_id,
          details: {
            protocol: 'tus',
            uploadLength: Number(row.upload_length),
            bytesStored: stored,
            bytesReceived: live?.received ?? stored,
            storageUploadId: row.storage_upload_id,
            cleanup,
            originalFilename: (row.metadata.originalFilename as string | undefined) ?? null,
          },
        });
      });
    } finally {
      await release();
    }
  }

  /** Ends an upload whose body ran past Upload-Length: writer aborted, session FAILED, audited as a failed `evidence.upload` (as the single-request upload records one). */
  private async endOverflowed(auth: AuthUser, row: UploadRow, u: LiveUpload): Promise<string> {
    this.live.delete(row.id);
    const reason = `the body ran past Upload-Length ${Number(row.upload_length)}`;
    const cleanup = await u.writer.abort(reason).catch(() => 'ABORT_PENDING');
    await this.ds.transaction(async (em) => {
      await this.sessions.end(row.id, 'FAILED', u.received, em);
      await this.audit.append(em, {
        action: AuditAction.EvidenceUploadAttempt,
        actor: auth,
        outcome: 'FAILED',
        targetType: 'case',
        targetId: row.case_id,
        caseId: row.case_id,
        details: {
          evidenceId: row.id,
          protocol: 'tus',
          code: 'VALIDATION.FAILED',
          message: reason,
          uploadLength: Number(row.upload_length),
          bytesReceived: u.received,
          cleanup,
          originalFilename: (row.metadata.originalFilename as string | undefined) ?? null,
        },
      });
    });
    return cleanup;
  }

  // --- helpers ---

  /**
   * The upload if the caller created it and still reaches its case, with the case (loaded in the caller's scope: the
   * one scope check of a request); ended ones (but stored) are gone (410).
   */
  private async load(auth: AuthUser, caseId: string, id: string): Promise<{ row: UploadRow; c: CaseEntity }> {
    const row = await this.readRow(id);
    if (!row || row.case_id !== caseId) throw new NotFoundError('evidence_upload', id, !!row, row?.case_id ?? null);
    // Only its creator may use an upload's URL; anyone else (whatever their role) is told it does not exist.
    const c = row.started_by === auth.id ? await this.cases.findInScope(auth, caseId) : null;
    if (!c) throw new NotFoundError('evidence_upload', id, true, caseId);
    return { row: this.usable(row), c };
  }

  /**
   * The upload's row read again once its lock is held (another request may have ended it meanwhile); who may use it
   * was decided by this request's load.
   */
  private async reload(id: string): Promise<UploadRow> {
    const row = await this.readRow(id);
    if (!row) throw new NotFoundError('evidence_upload', id);
    return this.usable(row);
  }

  private async readRow(id: string): Promise<UploadRow | undefined> {
    const rows: UploadRow[] = await this.ds.query(
      `SELECT s.id, s.case_id, s.started_by, s.started_at, s.ended_at, s.outcome, s.request_id, (s.ended_at IS NULL AND s.stale_at <= now()) AS stale,
              t.upload_length, t.metadata, t.object_key, t.part_size, t.storage_upload_id, t.generation,
              su.parts, su.bytes AS stored_bytes, su.state AS storage_state
         FROM evidence_tus_uploads t JOIN evidence_upload_sessions s ON s.id = t.id
         LEFT JOIN storage_uploads su ON su.upload_id = t.storage_upload_id
        WHERE t.id = $1`,
      [id],
    );
    return rows[0];
  }

  /** The row, unless the upload ended (but stored) or was abandoned: gone (410). */
  private usable(row: UploadRow): UploadRow {
    const id = row.id;
    if (row.outcome && row.outcome !== 'STORED') {
      throw new UploadGoneError(
        `Upload ${id} ended (${row.outcome}); nothing more can be sent to it. Start a new upload.`,
        { outcome: row.outcome },
      );
    }
    if (row.stale || (row.storage_upload_id && row.storage_state !== 'OPEN' && row.storage_state !== 'COMPLETED')) {
      throw new UploadGoneError(
        `Upload ${id} received nothing for ${this.config.staleMinutes} minutes (UPLOAD_STALE_MINUTES) and is abandoned; start a new upload.`,
        { outcome: 'ABANDONED' },
      );
    }
    return row;
  }

  /** This process's state of the upload when it is still the upload's (same generation), else a fresh one from the stored parts. */
  private async liveState(row: UploadRow): Promise<LiveUpload> {
    const held = this.live.get(row.id);
    if (held && held.generation === row.generation) return held;
    if (Number(row.part_size) !== this.storage.partSizeBytes) {
      throw new ConflictError(
        `Upload ${row.id} was begun with parts of ${row.part_size} bytes; this API stores parts of ${this.storage.partSizeBytes} (STORAGE_PART_SIZE_MB differs). Start a new upload.`,
      );
    }
    const [{ generation }] = (
      await this.ds.query(
        `UPDATE evidence_tus_uploads SET generation = generation + 1 WHERE id = $1 RETURNING generation`,
        [row.id],
      )
    )[0] as { generation: number }[];
    const parts = row.parts ?? [];
    const stored = Number(row.stored_bytes ?? 0);
    const writer = this.storage.createWriter(row.object_key, {
      journal: new TusPartJournal(this.ds, this.storage.bucket, {
        id: row.id,
        caseId: row.case_id,
        startedBy: row.started_by,
        requestId: row.request_id,
        generation,
      }),
      resume: row.storage_upload_id ? { uploadId: row.storage_upload_id, parts } : undefined,
    });
    const live: LiveUpload = {
      id: row.id,
      generation,
      writer,
      hash: stored === 0 ? createHash('sha256') : null,
      head: [],
      headBytes: 0,
      received: stored,
      resumedFrom: stored,
      idleSince: Date.now(),
      handoff: null,
    };
    if (held) this.logger.warn(`Upload ${row.id}: another process took it over; this process's remainder was dropped`);
    this.live.set(row.id, live);
    return live;
  }

  /** Session alive (stale_at pushed forward), and its multipart upload too, at most every few seconds. */
  private async heartbeat(row: UploadRow, received: number): Promise<void> {
    await this.sessions.progress(row.id, received);
    const last = this.beats.get(row.id);
    if (last !== undefined && Date.now() - last < HEARTBEAT_MS) return;
    this.beats.set(row.id, Date.now());
    await this.ds.query(
      `UPDATE storage_uploads SET last_activity_at = now() WHERE upload_id = (SELECT storage_upload_id FROM evidence_tus_uploads WHERE id = $1) AND state = 'OPEN'`,
      [row.id],
    );
  }

  /** Every byte arrived: the item is created on the single-request upload's own path; any failure ends the upload. */
  private async complete(
    auth: AuthUser,
    c: Awaited<ReturnType<EvidenceService['precheckCase']>>,
    row: UploadRow,
    meta: EvidenceMetadataDto,
    declaredContentType: string | null,
    u: LiveUpload,
  ): Promise<TusUploadStatus> {
    const uploadLength = Number(row.upload_length);
    this.live.delete(row.id);
    this.beats.delete(row.id);
    const started = Date.now();
    let digestMs = 0;
    try {
      const view = await this.evidence.finishUpload(auth, c, meta, {
        id: row.id,
        key: row.object_key,
        writer: u.writer,
        received: u.received,
        started: row.started_at.getTime(),
        requestId: RequestContextStore.get()?.requestId ?? row.request_id,
        declaredContentType,
        digest: async () => {
          const t = Date.now();
          const d = u.hash
            ? { sha256: u.hash.digest('hex'), type: sniffContentType(Buffer.concat(u.head).subarray(0, SNIFF_BYTES)) }
            : await this.readBack(row, u.writer, uploadLength);
          digestMs = Date.now() - t;
          return d;
        },
        details: {
          protocol: 'tus',
          uploadId: row.id,
          uploadRequestId: row.request_id,
          digest: u.hash
            ? 'hashed as streamed (one process received every byte)'
            : `read back from storage (resumed at stored offset ${u.resumedFrom} by another process)`,
          get digestMs() {
            return digestMs;
          },
        },
      });
      this.logger.log(
        `Upload ${row.id} stored as evidence ${view.id} (${uploadLength} bytes; completion ${Date.now() - started} ms, digest ${digestMs} ms)`,
      );
      return { uploadLength, offset: uploadLength, evidenceId: view.id };
    } catch (e) {
      throw await this.evidence.abandonUpload(auth, c, row.id, row.object_key, u.writer, e);
    }
  }

  /** The SHA-256, size and type of the completed object, read back (an upload whose first bytes another process hashed). */
  private async readBack(
    row: UploadRow,
    writer: ObjectWriter,
    uploadLength: number,
  ): Promise<{ sha256: string; type: { mime: string; description: string }; object: WrittenObject }> {
    const object = await writer.complete();
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headBytes = 0;
    let size = 0;
    for await (const chunk of await this.storage.read(row.object_key, object.versionId)) {
      const b = chunk as Buffer;
      hash.update(b);
      size += b.length;
      if (headBytes < SNIFF_BYTES) {
        head.push(b);
        headBytes += b.length;
      }
    }
    if (size !== uploadLength) {
      throw new ConflictError(
        `Upload ${row.id}: the completed object is ${size} bytes, not the ${uploadLength} received; nothing was kept.`,
      );
    }
    return { sha256: hash.digest('hex'), type: sniffContentType(Buffer.concat(head).subarray(0, SNIFF_BYTES)), object };
  }
}

export function uploadLocation(caseId: string, id: string): string {
  return `/api/v1/cases/${caseId}/evidence/uploads/${id}`;
}

function offsetConflict(id: string, sent: number, offset: number): ConflictError {
  return new ConflictError(
    `Upload-Offset: ${sent} was sent, but upload ${id} holds ${offset} bytes; send HEAD and resume from its Upload-Offset.`,
    { uploadOffset: offset },
  );
}

/** The request body stopped because the client went away (or the request was stopped to let another take over). */
function isClientGone(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ABORT_ERR' ||
    (e instanceof Error && /aborted|closed|premature/i.test(e.message))
  );
}
