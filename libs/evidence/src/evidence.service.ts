import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm';
import {
  AuthUser,
  Clock,
  ConflictError,
  isErrorAudited,
  markErrorAudited,
  DependencyUnavailableError,
  DomainError,
  HashMismatchError,
  IntegrityFailureError,
  NotFoundError,
  PayloadTooLargeError,
  RangeNotSatisfiableError,
  RequestContextStore,
  UploadIncompleteError,
  ValidationError,
  DuplicateEvidenceError,
  EmptyEvidenceError,
} from '@app/common';
import { AuditService, AuditAction } from '@app/audit';
import { AccessRepository } from '@app/auth';
import { assertEditable, CaseEntity, CasesRepository } from '@app/cases';
import {
  asDependencyError,
  DigestMismatchError,
  isNoSuchKey,
  isStorageUnavailable,
  ObjectWriter,
  StorageLengthError,
  storageErrorCode,
  StorageService,
  verifiedStream,
  WrittenObject,
} from '@app/storage';
import { SNIFF_BYTES, sniffContentType } from './content-sniff';
import { EvidenceMetadataDto, SupersedeEvidenceDto } from './dto/evidence.dto';
import { evidenceConfig } from './evidence.config';
import { EvidenceEntity } from './evidence.entity';
import { EvidenceRepository } from './evidence.repository';
import { toEvidenceView } from './evidence.mapper';
import { CaseEvidenceList, EvidenceDetailView, EvidenceVerification, EvidenceView } from './dto/evidence-views';
import type { PreservationRecord } from './evidence-vocabulary';
import { parseRange, RangeRequest } from './http-range';
import { EvidenceUploadJournal, EvidenceUploadSessions } from './upload-journal';

/** The body of an upload, however it was framed on the wire (raw body or one multipart file part). */
export interface UploadSource {
  /** The file's bytes as they arrive. */
  body: AsyncIterable<Buffer>;
  /** Resolves once the request was read to its proper end; rejects when it was cut short or malformed. */
  finished(): Promise<void>;
  /** Bytes the client declared it will send for the file, when known up front. */
  declaredBytes: number | null;
  declaredContentType: string | null;
}

/** An upload whose bytes all arrived in its writer (not yet completed), for EvidenceService.finishUpload. */
export interface FinishingUpload {
  id: string;
  key: string;
  writer: ObjectWriter;
  received: number;
  /** Date.now() when the upload began (durationMs in the audit event). */
  started: number;
  requestId: string | null;
  declaredContentType: string | null;
  /**
   * SHA-256 and sniffed type of exactly the bytes stored: hashed as they streamed, or read back from the object
   * (which the digest then completed itself, returned as `object`).
   */
  digest(): Promise<{ sha256: string; type: { mime: string; description: string }; object?: WrittenObject }>;
  /** Extra facts for the `evidence.uploaded` event (e.g. the tus upload it came from). */
  details?: Record<string, unknown>;
}

/** An open download: headers to send and the bytes, re-hashed on the way out when whole. */
export interface EvidenceContent {
  evidence: EvidenceView;
  range: RangeRequest | null;
  length: number;
  /**
   * Exactly `length` bytes or a failure (verifiedStream): a whole-file read is re-hashed on the way and its last chunk
   * released only when the SHA-256 matches the record (a mismatch is recorded as an integrity failure, then fails it).
   */
  stream: Readable;
  /** Records a download that stopped before its end (storage failed, client gone): custody must not show it complete. */
  failed(reason: unknown, bytesSent: number): Promise<void>;
}

/** How an open read is recorded in custody. */
export interface ContentCustody {
  /**
   * 'downloaded' (default): one `evidence.downloaded` event before a byte is sent, and a FAILED one if the read stops
   * early. 'caller': the caller records custody itself (a playback ticket: one `evidence.viewed` per ticket and a
   * summary when it ends, not one event per Range request); integrity failures are still recorded here.
   */
  record?: 'downloaded' | 'caller';
  /** Extra facts for the events (e.g. the ticket the read was served through). */
  via?: Record<string, unknown>;
}

@Injectable()
export class EvidenceService {
  private readonly logger = new Logger(EvidenceService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cases: CasesRepository,
    private readonly storage: StorageService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(evidenceConfig.KEY) private readonly config: ConfigType<typeof evidenceConfig>,
    private readonly sessions: EvidenceUploadSessions,
    private readonly access: AccessRepository,
    private readonly items: EvidenceRepository,
  ) {}

  /**
   * Checks what can be checked before a byte of the body is read: scope, case state, declared
   * size (`overhead` allows for multipart framing). Throws the error to answer with.
   */
  async precheckCase(auth: AuthUser, caseId: string, declaredBytes: number | null, overhead = 0): Promise<CaseEntity> {
    const c = await this.cases.findInScope(auth, caseId);
    if (!c) throw new NotFoundError('case', caseId, await this.cases.exists(caseId));
    this.assertAcceptsEvidence(c, declaredBytes, overhead);
    return c;
  }

  /**
   * precheckCase's checks of a case the caller already loaded in their scope (a tus PATCH: the upload's own load
   * checked the scope): its state, the declared size. Throws the error to answer with.
   */
  assertAcceptsEvidence(c: CaseEntity, declaredBytes: number | null, overhead = 0): void {
    assertEditable(c.status, 'add evidence to');
    if (declaredBytes !== null && declaredBytes > this.config.maxBytes + overhead) {
      throw new PayloadTooLargeError(this.config.maxBytes, declaredBytes, true);
    }
  }

  /**
   * Streams the upload into storage while hashing it; when the object is complete (and matches
   * the client's hash, if sent), the evidence row and its audit event commit together. Any
   * failure removes what was stored, writes a FAILED audit event, and rethrows.
   */
  async upload(auth: AuthUser, c: CaseEntity, meta: EvidenceMetadataDto, source: UploadSource): Promise<EvidenceView> {
    validateRecordedTimes(meta);
    const started = Date.now();
    const id = randomUUID();
    const key = `cases/${c.id}/evidence/${id}`;
    const requestId = RequestContextStore.get()?.requestId ?? null;
    const writer = this.storage.createWriter(key, {
      journal: new EvidenceUploadJournal(this.ds, this.storage.bucket, { caseId: c.id, startedBy: auth.id, requestId }),
    });
    const hash = createHash('sha256');
    let head: Buffer[] = [];
    let headBytes = 0;
    let sniffed: { mime: string; description: string } | undefined;
    let received = 0;
    try {
      // Recorded (under the case's row lock, like submit's check) before a byte is read: from here on,
      // every API process sees that this case has an upload in progress.
      await this.beginSession(auth, c, { id, requestId, meta, declaredBytes: source.declaredBytes });
      received = await this.pump(source, writer, async (chunk, total) => {
        await this.sessions.progress(id, total);
        hash.update(chunk);
        if (!sniffed) {
          head.push(chunk);
          headBytes += chunk.length;
          if (headBytes >= SNIFF_BYTES) {
            sniffed = sniffContentType(Buffer.concat(head).subarray(0, SNIFF_BYTES));
            writer.setContentType(sniffed.mime);
            head = [];
          }
        }
      });
      if (received === 0) throw new EmptyEvidenceError();
      const type = sniffed ?? sniffContentType(Buffer.concat(head));
      return await this.finishUpload(auth, c, meta, {
        id,
        key,
        writer,
        received,
        started,
        requestId,
        declaredContentType: source.declaredContentType,
        digest: async () => ({ sha256: hash.digest('hex'), type }),
      });
    } catch (e) {
      throw await this.abandonUpload(auth, c, id, key, writer, e);
    }
  }

  /**
   * Opens an upload's session (under the case's row lock, like submit's check) before a byte is read: from then
   * on every API process sees that the case has an upload in progress. `also` runs in the same transaction.
   */
  async beginSession(
    auth: AuthUser,
    c: CaseEntity,
    s: { id: string; requestId: string | null; meta: EvidenceMetadataDto; declaredBytes: number | null },
    also?: (em: EntityManager, locked: CaseEntity) => Promise<void>,
  ): Promise<void> {
    validateRecordedTimes(s.meta);
    await this.ds.transaction(async (em) => {
      const locked = await this.cases.findInScope(auth, c.id, em);
      if (!locked) throw new NotFoundError('case', c.id, true);
      assertEditable(locked.status, 'add evidence to');
      await this.sessions.begin(em, {
        id: s.id,
        caseId: c.id,
        startedBy: auth.id,
        requestId: s.requestId,
        kind: s.meta.kind,
        originalFilename: s.meta.originalFilename ?? null,
        declaredBytes: s.declaredBytes,
      });
      await also?.(em, locked);
    });
  }

  /**
   * Turns every byte of an upload, received into `u.writer` (not yet completed), into an evidence item: the
   * client's hash checked, the duplicate rule, the object completed, then the row, its audit event and the end
   * of the session in one transaction, then retention and legal hold. The one path of the single-request upload
   * and of a tus upload's completing PATCH. Throws what to answer with; the caller then calls abandonUpload.
   */
  async finishUpload(
    auth: AuthUser,
    c: CaseEntity,
    meta: EvidenceMetadataDto,
    u: FinishingUpload,
  ): Promise<EvidenceView> {
    const { id, key, writer, received, started, requestId } = u;
    if (received === 0) throw new EmptyEvidenceError();
    const digested = await u.digest();
    const { sha256, type } = digested;
    writer.setContentType(type.mime);
    if (meta.sha256 && meta.sha256.toLowerCase() !== sha256) {
      throw new HashMismatchError(meta.sha256.toLowerCase(), sha256, received);
    }
    await this.assertNotDuplicate(this.ds.manager, c, sha256, meta.duplicateOf);
    const object = digested.object ?? (await writer.complete());
    const entity = await this.ds.transaction(async (em) => {
      const locked = await this.cases.findInScope(auth, c.id, em);
      if (!locked) throw new NotFoundError('case', c.id, true);
      assertEditable(locked.status, 'add evidence to');
      // Again under the lock: two uploads of the same file that raced past the first check.
      await this.assertNotDuplicate(em, locked, sha256, meta.duplicateOf);
      const now = this.clock.now();
      const e = this.items.create({
        id,
        caseId: c.id,
        kind: meta.kind,
        deviceId: meta.deviceId ?? null,
        recordingOfficerBadge: meta.recordingOfficerBadge ?? null,
        recordedStart: meta.recordedStart ? new Date(meta.recordedStart) : null,
        recordedEnd: meta.recordedEnd ? new Date(meta.recordedEnd) : null,
        originalFilename: meta.originalFilename ?? null,
        declaredContentType: u.declaredContentType,
        contentType: type.mime,
        sizeBytes: received,
        sha256,
        clientSha256Matched: !!meta.sha256,
        storageBucket: this.storage.bucket,
        storageKey: key,
        storageVersionId: object.versionId,
        storageEtag: object.etag,
        uploadedBy: auth.id,
        uploadedAt: now,
        uploadRequestId: requestId,
        status: 'ACTIVE',
        integrityStatus: 'OK',
        preservation: this.pendingPreservation(),
      });
      await this.items.insert(em, e);
      await this.audit.append(em, {
        action: AuditAction.EvidenceUploaded,
        actor: auth,
        targetType: 'evidence',
        targetId: id,
        caseId: c.id,
        details: {
          caseNumber: locked.caseNumber,
          kind: e.kind,
          sha256,
          sizeBytes: received,
          contentType: type.mime,
          contentDescription: type.description,
          declaredContentType: u.declaredContentType,
          originalFilename: e.originalFilename,
          clientSha256Matched: e.clientSha256Matched,
          storage: { bucket: this.storage.bucket, key, parts: object.parts, versionId: object.versionId },
          durationMs: Date.now() - started,
          // The uploader said, naming the item, that a second copy of the same file is intended.
          ...(meta.duplicateOf ? { duplicateOf: meta.duplicateOf } : {}),
          ...u.details,
        },
      });
      await this.sessions.end(id, 'STORED', received, em);
      return e;
    });
    return toEvidenceView(await this.preserve(entity));
  }

  /** Ends a failed upload: its session closed as FAILED, what it stored removed, the attempt audited; returns the error to answer with. */
  async abandonUpload(
    auth: AuthUser,
    c: CaseEntity,
    id: string,
    key: string,
    writer: ObjectWriter,
    e: unknown,
  ): Promise<unknown> {
    await this.sessions
      .end(id, 'FAILED', writer.size)
      .catch((err: unknown) =>
        this.logger.error(
          `Upload ${id}: its session could not be closed (it stops counting at its stale time): ${err instanceof Error ? err.message : err}`,
        ),
      );
    return this.failUpload(auth, c, id, key, writer, e);
  }

  /**
   * The same bytes once per case: an active item with this SHA-256 refuses the upload (409 naming it) unless
   * the client named that very item in `duplicateOf`. A `duplicateOf` naming anything else is refused too,
   * so the audit trail never records a "deliberate copy" of a file that is not one. Superseded items do not count.
   */
  private async assertNotDuplicate(
    em: EntityManager,
    c: CaseEntity,
    sha256: string,
    duplicateOf: string | undefined,
  ): Promise<void> {
    const same = await this.items.activeIdsWithSha256(em, c.id, sha256);
    if (duplicateOf !== undefined) {
      if (same.includes(duplicateOf)) return;
      throw ValidationError.field(
        'duplicateOf',
        same.length
          ? `must name the item this file duplicates: it is a copy of ${same.join(', ')}, not of ${duplicateOf}`
          : `${duplicateOf} is not an active item of case ${c.caseNumber} with this file's SHA-256 (${sha256}); send duplicateOf only for a deliberate second copy`,
      );
    }
    if (same.length) throw new DuplicateEvidenceError(same[0], sha256, c.caseNumber);
  }

  /** Copies the source into the writer, feeding `onChunk`; returns the byte count. */
  private async pump(
    source: UploadSource,
    writer: ObjectWriter,
    onChunk: (chunk: Buffer, total: number) => Promise<void>,
  ): Promise<number> {
    let received = 0;
    const it = source.body[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await it.next();
      } catch (e) {
        throw asClientError(e);
      }
      if (next.done) break;
      const chunk = next.value;
      received += chunk.length;
      if (received > this.config.maxBytes) {
        await it.return?.();
        throw new PayloadTooLargeError(this.config.maxBytes, received, false);
      }
      await onChunk(chunk, received);
      await writer.write(chunk);
    }
    try {
      await source.finished();
    } catch (e) {
      throw asClientError(e);
    }
    return received;
  }

  /** Removes whatever the failed upload stored, records the attempt, and returns the error to answer with. */
  private async failUpload(
    auth: AuthUser,
    c: CaseEntity,
    id: string,
    key: string,
    writer: ObjectWriter,
    e: unknown,
  ): Promise<unknown> {
    const error = asDependencyError(e);
    let cleanup: string;
    if (writer.completed) {
      cleanup = await this.storage.removeUnreferenced(key, writer.versionId).then(
        () => 'object removed',
        (err) => {
          this.logger.error(
            `Upload ${id}: could not remove unreferenced object ${key}: ${err instanceof Error ? err.message : err}`,
          );
          return `object ${key} could not be removed`;
        },
      );
    } else {
      const outcome = await writer.abort(error instanceof Error ? error.message : String(error));
      cleanup = {
        NOTHING_STORED: 'nothing had been stored',
        ABORTED: 'multipart upload aborted',
        RELEASED: 'multipart upload released (storage lacks AbortMultipartUpload)',
        ABORT_PENDING: 'multipart upload abort pending (storage unreachable); retried by the cleanup job',
      }[outcome];
    }
    if (isErrorAudited(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof DomainError ? error.code : 'INTERNAL.ERROR';
    try {
      await this.audit.record({
        action: AuditAction.EvidenceUploadAttempt,
        outcome: 'FAILED',
        actor: auth,
        targetType: 'case',
        targetId: c.id,
        caseId: c.id,
        details: { evidenceId: id, caseNumber: c.caseNumber, code, message, bytesReceived: writer.size, cleanup },
      });
      markErrorAudited(error);
    } catch (auditError) {
      this.logger.error(
        `Upload ${id} failed (${message}) and its audit event could not be written: ${auditError instanceof Error ? auditError.message : auditError}`,
      );
    }
    return error;
  }

  private pendingPreservation(): PreservationRecord {
    const worm = this.storage.worm;
    return {
      worm: worm.available,
      retentionMode: null,
      retainUntil: null,
      legalHold: false,
      appliedAt: null,
      note: worm.available ? 'retention and legal hold pending' : `not applied: ${worm.detail}`,
    };
  }

  /**
   * After commit, where the bucket has Object Lock: retention for the configured years and a
   * legal hold while the case is open. What was applied (or why not) is recorded on the row.
   */
  private async preserve(e: EvidenceEntity): Promise<EvidenceEntity> {
    if (!this.storage.worm.available) return e;
    const { years, mode } = this.storage.retention;
    const until = new Date(e.uploadedAt);
    until.setUTCFullYear(until.getUTCFullYear() + years);
    let record: PreservationRecord;
    try {
      await this.storage.applyRetention(e.storageKey, e.storageVersionId, mode, until);
      await this.storage.setLegalHold(e.storageKey, e.storageVersionId, true);
      record = {
        worm: true,
        retentionMode: mode,
        retainUntil: until.toISOString(),
        legalHold: true,
        appliedAt: this.clock.now().toISOString(),
        note: `${mode} retention for ${years} years and a legal hold while the case is open`,
      };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.logger.error(`Evidence ${e.id}: Object Lock could not be applied: ${why}`);
      record = { ...e.preservation, note: `FAILED to apply Object Lock: ${why}` };
    }
    await this.ds.transaction(async (em) => {
      await this.items.update(em, e.id, { preservation: record });
      await this.audit.append(em, {
        action: AuditAction.EvidencePreserved,
        outcome: record.appliedAt ? 'SUCCESS' : 'FAILED',
        targetType: 'evidence',
        targetId: e.id,
        caseId: e.caseId,
        details: { ...record },
      });
    });
    e.preservation = record;
    return e;
  }

  // --- reads: every one is a custody event ---

  async listForCase(auth: AuthUser, caseId: string): Promise<CaseEvidenceList> {
    const c = await this.cases.findInScope(auth, caseId);
    if (!c) throw new NotFoundError('case', caseId, await this.cases.exists(caseId));
    const rows = await this.items.listForCase(caseId);
    await this.audit.record({
      action: AuditAction.EvidenceListed,
      targetType: 'case',
      targetId: caseId,
      caseId,
      details: { caseNumber: c.caseNumber, evidenceIds: rows.map((r) => r.id) },
    });
    return { caseId, caseNumber: c.caseNumber, items: rows.map(toEvidenceView) };
  }

  /**
   * For the audit trail only (never a response): the case an evidence id belongs to, whoever asks, so a
   * refused attempt on the item lands on its case's timeline. Null when no such item exists.
   */
  async caseIdOf(id: string): Promise<string | null> {
    return this.items.caseIdOf(id);
  }

  async get(auth: AuthUser, id: string): Promise<EvidenceDetailView> {
    const e = await this.findInScope(auth, id);
    const custody = await this.ds.transaction(async (em) => {
      await this.audit.append(em, {
        action: AuditAction.EvidenceViewed,
        targetType: 'evidence',
        targetId: id,
        caseId: e.caseId,
        details: { sha256: e.sha256 },
      });
      return this.audit.targetEvents('evidence', id, em);
    });
    return { ...toEvidenceView(e), custody };
  }

  /** Opens the object for download (whole, or one Range); the download is recorded before a byte is sent. */
  async openContent(
    auth: AuthUser,
    id: string,
    rangeHeader: string | undefined,
    custody: ContentCustody = {},
  ): Promise<EvidenceContent> {
    const e = await this.findInScope(auth, id);
    const via = custody.via ?? {};
    const recordsDownload = (custody.record ?? 'downloaded') === 'downloaded';
    const range = parseRange(rangeHeader, e.sizeBytes);
    if (range === 'unsatisfiable') throw new RangeNotSatisfiableError(e.sizeBytes);
    // The version the database recorded, never "the latest": a newer version or a delete marker written by
    // anyone with access to the bucket is not the evidence (Object Lock protects the recorded version only).
    const stored = await this.storage
      .read(e.storageKey, e.storageVersionId, range ?? undefined)
      .catch(async (err: unknown) => {
        if (range && storageErrorCode(err) === 'InvalidRange') {
          // Storage says the range starts past the object's end, which the recorded size says it does not.
          await this.recordIntegrityFailure(auth, e, AuditAction.EvidenceIntegrityFailed, {
            during: 'download',
            range: `bytes=${range.start}-${range.end}`,
            expectedSha256: e.sha256,
            actualSha256: 'unknown',
            expectedSize: e.sizeBytes,
            actualSize: `at most ${range.start}`,
          });
          throw new IntegrityFailureError(
            `INTEGRITY FAILURE: the stored object of evidence ${id} is shorter than the ${e.sizeBytes} bytes recorded ` +
              `(storage has no byte ${range.start}). The item is marked FAILED.`,
          ).markAudited();
        }
        if (!isNoSuchKey(err)) throw err;
        await this.recordIntegrityFailure(auth, e, AuditAction.EvidenceIntegrityFailed, {
          during: 'download',
          expectedSha256: e.sha256,
          actualSha256: 'missing',
        });
        throw new IntegrityFailureError(
          `INTEGRITY FAILURE: the stored object of evidence ${id} is missing. The item is marked FAILED.`,
        ).markAudited();
      });
    if (recordsDownload) {
      await this.audit.record({
        action: AuditAction.EvidenceDownloaded,
        targetType: 'evidence',
        targetId: id,
        caseId: e.caseId,
        details: {
          sha256: e.sha256,
          sizeBytes: e.sizeBytes,
          range: range ? `bytes=${range.start}-${range.end}` : null,
          versionId: e.storageVersionId,
          ...via,
        },
      });
    }
    const length = range ? range.end - range.start + 1 : e.sizeBytes;
    // Content-Length is `length`: never a byte more or fewer goes out, whatever storage sends; a whole file ends only if it matches.
    const stream = verifiedStream(stored, {
      length,
      check: range
        ? undefined
        : async (streamed: string) => {
            if (streamed === e.sha256) return true;
            await this.recordIntegrityFailure(auth, e, AuditAction.EvidenceIntegrityFailed, {
              during: 'download',
              expectedSha256: e.sha256,
              actualSha256: streamed,
            });
            return false;
          },
    });
    const failed = async (reason: unknown, bytesSent: number) => {
      // A hash mismatch was recorded by the check as the integrity failure it is.
      if (reason instanceof DigestMismatchError) return;
      const message = reason instanceof Error ? reason.message : String(reason);
      // A player cancels its Range requests whenever it seeks: routine, not an error.
      if (recordsDownload)
        this.logger.error(`Download of evidence ${id} stopped after ${bytesSent} of ${length} bytes: ${message}`);
      else
        this.logger.debug(`Playback read of evidence ${id} stopped after ${bytesSent} of ${length} bytes: ${message}`);
      if (recordsDownload)
        await this.audit
          .record({
            action: AuditAction.EvidenceDownloaded,
            outcome: 'FAILED',
            targetType: 'evidence',
            targetId: id,
            caseId: e.caseId,
            details: {
              sha256: e.sha256,
              bytesSent,
              length,
              range: range ? `bytes=${range.start}-${range.end}` : null,
              versionId: e.storageVersionId,
              reason: message,
              ...via,
            },
          })
          .catch((err: unknown) =>
            this.logger.error(`...and that could not be audited: ${err instanceof Error ? err.message : err}`),
          );
      // A whole object of another size than recorded is not the evidence that was uploaded.
      if (!range && reason instanceof StorageLengthError) {
        await this.recordIntegrityFailure(auth, e, AuditAction.EvidenceIntegrityFailed, {
          during: 'download',
          expectedSha256: e.sha256,
          actualSha256: 'unknown',
          expectedSize: e.sizeBytes,
          actualSize: reason.more ? `more than ${e.sizeBytes}` : reason.received,
        }).catch((err: unknown) =>
          this.logger.error(
            `...and the integrity failure could not be recorded: ${err instanceof Error ? err.message : err}`,
          ),
        );
      }
    };
    return { evidence: toEvidenceView(e), range, length, stream, failed };
  }

  /**
   * Re-reads the recorded version of the object and compares; a mismatch marks the item FAILED and is
   * answered with 409. A match on an item marked FAILED restores it to OK: the bytes preserved are the
   * ones uploaded, so the earlier finding was wrong (e.g. it read a newer version of the key before
   * reads named the recorded one) or the object was put back. Nothing of the earlier finding is erased:
   * its audit event stays in custody and on the case timeline, and the row keeps when it was marked and
   * what was found, with who cleared it, when, and against which version.
   */
  async verify(auth: AuthUser, id: string): Promise<EvidenceVerification> {
    const e = await this.findInScope(auth, id);
    const started = Date.now();
    const found = await this.hashStored(e);
    const facts = {
      expectedSha256: e.sha256,
      actualSha256: found.sha256,
      expectedSize: e.sizeBytes,
      actualSize: found.size,
    };
    if (found.sha256 !== e.sha256 || found.size !== e.sizeBytes) {
      await this.recordIntegrityFailure(auth, e, AuditAction.EvidenceVerified, { during: 'verify', ...facts });
      throw new IntegrityFailureError(
        `INTEGRITY FAILURE: evidence ${id} in storage no longer matches what was uploaded ` +
          `(sha256 ${found.sha256}, ${found.size} bytes; recorded ${e.sha256}, ${e.sizeBytes} bytes). The item is marked FAILED.`,
        facts,
      ).markAudited();
    }
    const verifiedAt = this.clock.now();
    await this.ds.transaction(async (em) => {
      // Under the row lock: a failure recorded meanwhile is the one this verification clears (and records).
      const current = await this.items.lockById(em, id);
      if (!current) throw new NotFoundError('evidence', id, false, e.caseId);
      const restored = current.integrityStatus === 'FAILED';
      const cleared = restored
        ? {
            at: verifiedAt.toISOString(),
            by: auth.id,
            versionId: e.storageVersionId,
            sha256: found.sha256,
            sizeBytes: found.size,
            reason: 'the recorded version was re-read and matches the SHA-256 and size recorded at upload',
          }
        : null;
      await this.items.update(em, id, {
        lastVerifiedAt: verifiedAt,
        lastVerifiedBy: auth.id,
        ...(restored
          ? { integrityStatus: 'OK' as const, integrityFailure: asJson({ ...current.integrityFailure, cleared }) }
          : {}),
      });
      await this.audit.append(em, {
        action: AuditAction.EvidenceVerified,
        targetType: 'evidence',
        targetId: id,
        caseId: e.caseId,
        details: {
          ...facts,
          versionId: e.storageVersionId,
          previousStatus: current.integrityStatus,
          integrityStatus: 'OK',
          ...(restored
            ? {
                previousFailure: { ...current.integrityFailure, at: current.integrityFailedAt?.toISOString() ?? null },
                cleared,
              }
            : {}),
          durationMs: Date.now() - started,
        },
      });
    });
    return {
      evidenceId: id,
      result: 'MATCH',
      sha256: e.sha256,
      sizeBytes: e.sizeBytes,
      verifiedAt: verifiedAt.toISOString(),
      durationMs: Date.now() - started,
    };
  }

  async supersede(auth: AuthUser, id: string, dto: SupersedeEvidenceDto): Promise<EvidenceView> {
    const e0 = await this.findInScope(auth, id);
    return this.ds.transaction(async (em) => {
      const c = await this.cases.findInScope(auth, e0.caseId, em);
      if (!c) throw new NotFoundError('evidence', id, true, e0.caseId);
      assertEditable(c.status, 'supersede evidence of');
      const e = await this.items.lockById(em, id);
      if (!e) throw new NotFoundError('evidence', id, false, e0.caseId);
      if (e.status === 'SUPERSEDED') {
        throw new ConflictError(`Evidence ${id} is already superseded (${e.supersedeReason}).`);
      }
      if (dto.replacedBy) {
        const other = await this.items.findById(dto.replacedBy, em);
        if (!other || other.caseId !== e.caseId || other.id === e.id) {
          throw ValidationError.field('replacedBy', 'must be another evidence item of the same case');
        }
      }
      e.status = 'SUPERSEDED';
      e.supersededAt = this.clock.now();
      e.supersededBy = auth.id;
      e.supersedeReason = dto.reason;
      e.replacedBy = dto.replacedBy ?? null;
      await this.items.update(em, id, {
        status: e.status,
        supersededAt: e.supersededAt,
        supersededBy: e.supersededBy,
        supersedeReason: e.supersedeReason,
        replacedBy: e.replacedBy,
      });
      await this.audit.append(em, {
        action: AuditAction.EvidenceSuperseded,
        targetType: 'evidence',
        targetId: id,
        caseId: e.caseId,
        details: { caseNumber: c.caseNumber, reason: dto.reason, replacedBy: e.replacedBy, sha256: e.sha256 },
      });
      return toEvidenceView(e);
    });
  }

  // --- helpers ---

  /**
   * The item if the caller may reach it (libs/auth access.ts: through its case's scope, or, for a prosecutor, through
   * a packet that disclosed it to their office). Anything else is indistinguishable from missing.
   * (Also used by LegalHoldService.)
   */
  async findInScope(auth: AuthUser, id: string): Promise<EvidenceEntity> {
    const e = await this.items.findById(id);
    if (!e) throw new NotFoundError('evidence', id);
    if (!(await this.access.has(auth, 'evidence', id))) throw new NotFoundError('evidence', id, true, e.caseId);
    return e;
  }

  /** Records, in the caller's transaction, that a packet sent to `office` discloses these items (in order). */
  async disclose(em: EntityManager, packetId: string, office: string, evidenceIds: string[]): Promise<void> {
    await this.items.disclose(em, packetId, office, evidenceIds);
  }

  /** The case's items that count (not superseded), oldest first: what a packet lists. */
  activeForCase(em: EntityManager, caseId: string): Promise<EvidenceEntity[]> {
    return this.items.activeForCase(em, caseId);
  }

  byIds(ids: string[]): Promise<EvidenceEntity[]> {
    return this.items.byIds(ids);
  }

  private async hashStored(e: EvidenceEntity): Promise<{ sha256: string; size: number }> {
    const stat = await this.storage.stat(e.storageKey, e.storageVersionId);
    if (!stat) return { sha256: 'missing', size: 0 };
    const stream = await this.storage.read(e.storageKey, e.storageVersionId);
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of stream) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
    } catch (err) {
      if (isStorageUnavailable(err)) throw new DependencyUnavailableError('storage', err);
      throw err;
    }
    return { sha256: hash.digest('hex'), size };
  }

  /** Marks the item FAILED and writes the audit event (also used by packet archives that find a mismatch). */
  async recordIntegrityFailure(
    auth: AuthUser,
    e: EvidenceEntity,
    action: typeof AuditAction.EvidenceIntegrityFailed | typeof AuditAction.EvidenceVerified,
    facts: Record<string, unknown>,
  ): Promise<void> {
    this.logger.error(
      `INTEGRITY FAILURE of evidence ${e.id} (case ${e.caseId}) found during ${facts.during}: ${JSON.stringify(facts)}`,
    );
    const now = this.clock.now();
    // Which version was read: the recorded one (null where storage keeps no versions).
    const found = { ...facts, versionId: e.storageVersionId };
    await this.ds.transaction(async (em) => {
      await this.items.update(em, e.id, {
        integrityStatus: 'FAILED',
        integrityFailedAt: now,
        integrityFailure: asJson({ ...found, at: now.toISOString(), by: auth.id }),
        lastVerifiedAt: now,
        lastVerifiedBy: auth.id,
      });
      await this.audit.append(em, {
        action,
        outcome: 'FAILED',
        targetType: 'evidence',
        targetId: e.id,
        caseId: e.caseId,
        details: found,
      });
    });
  }
}

/** A JSON object for a jsonb column in an update (TypeORM's deep-partial type refuses the nulls a JSON object may hold). */
function asJson(value: Record<string, unknown>): QueryDeepPartialEntity<Record<string, unknown>> {
  return value as QueryDeepPartialEntity<Record<string, unknown>>;
}

function validateRecordedTimes(meta: EvidenceMetadataDto): void {
  if (meta.recordedStart && meta.recordedEnd && Date.parse(meta.recordedEnd) < Date.parse(meta.recordedStart)) {
    throw ValidationError.field('recordedEnd', 'must not be before recordedStart');
  }
}

/** Errors raised while reading the request body: the client went away or sent a malformed body. */
function asClientError(e: unknown): DomainError {
  if (e instanceof DomainError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new UploadIncompleteError(`The upload did not arrive whole (${msg}); nothing was stored.`);
}
