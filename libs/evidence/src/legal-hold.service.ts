import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AuthUser,
  Clock,
  ConflictError,
  DependencyUnavailableError,
  DomainError,
  ErrorCode,
  InvalidTransitionError,
  markErrorAudited,
  NotFoundError,
  TwoPersonRuleError,
} from '@app/common';
import { AuditService, AuditAction } from '@app/audit';
import { CaseEntity, CasesRepository, CaseStatus } from '@app/cases';
import { asStorageError, storageErrorCode, StorageService } from '@app/storage';
import { PlaceLegalHoldDto, ReleaseLegalHoldDto } from './dto/legal-hold.dto';
import { EvidenceEntity } from './evidence.entity';
import { EvidenceRepository } from './evidence.repository';
import { toEvidenceView } from './evidence.mapper';
import { EvidenceView } from './dto/evidence-views';
import { EvidenceService } from './evidence.service';
import type { LegalHoldAction } from './evidence-vocabulary';

/** A case has ended in these states; only then may its evidence's legal hold be released. */
export const LEGAL_HOLD_RELEASABLE_CASE_STATES: readonly CaseStatus[] = ['CLOSED', 'WITHDRAWN'];

/** The S3 call failed: carried out of the transaction so that nothing of it commits. */
class StorageHoldFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

interface Attempt {
  caseNumber?: string;
  storage?: { bucket: string; key: string; versionId: string | null };
}

/** One requested change, as the failure paths need it. */
interface Change {
  auth: AuthUser;
  id: string;
  caseId: string;
  on: boolean;
  reason: string;
  reference: string | null;
  attempted: Attempt;
}

/**
 * The legal hold of an evidence item, changed only by a person, deliberately (never by a state change):
 * released by a supervisor of the case's district who did not write the case, once the case is CLOSED or
 * WITHDRAWN, with a reason and the court or prosecutor's reference that allows it; placed (again) at any
 * time by a supervisor of the district or a prosecutor of an office a packet disclosed the item to.
 *
 * The S3 legal hold of the recorded version is set first; the row and its audit event then commit in one
 * transaction (under the item's row lock, so two changes of one item never interleave). If storage cannot be
 * reached (503) or refuses (502 STORAGE.REFUSED) nothing is recorded but a FAILED event; if the record fails after
 * storage changed, a release is undone in storage (see notRecorded). Retention is untouched: after a release
 * the version stays undeletable until its COMPLIANCE date.
 */
@Injectable()
export class LegalHoldService {
  private readonly logger = new Logger(LegalHoldService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cases: CasesRepository,
    private readonly storage: StorageService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly evidence: EvidenceService,
    private readonly items: EvidenceRepository,
  ) {}

  release(auth: AuthUser, id: string, dto: ReleaseLegalHoldDto): Promise<EvidenceView> {
    return this.change(auth, id, 'RELEASED', dto.reason, dto.reference);
  }

  place(auth: AuthUser, id: string, dto: PlaceLegalHoldDto): Promise<EvidenceView> {
    return this.change(auth, id, 'PLACED', dto.reason, dto.reference ?? null);
  }

  private async change(
    auth: AuthUser,
    id: string,
    action: LegalHoldAction,
    reason: string,
    reference: string | null,
  ): Promise<EvidenceView> {
    const item = await this.evidence.findInScope(auth, id); // out of scope: 404 (audited as access.denied)
    const on = action === 'PLACED';
    const attempted: Attempt = { caseNumber: undefined, storage: undefined };
    /** Set once storage holds the new state: from then on a failure leaves storage and record apart until reconciled. */
    let storageChanged = false;
    try {
      const e = await this.ds.transaction(async (em) => {
        const c = await this.cases.lockById(em, item.caseId);
        if (!c) throw new NotFoundError('evidence', id, false, item.caseId);
        if (!on) this.assertReleasable(auth, c);
        const e = await this.items.lockById(em, id);
        if (!e) throw new NotFoundError('evidence', id, false, item.caseId);
        this.assertObjectLock(e, on);
        if (!on && !e.preservation.legalHold) {
          throw new ConflictError(
            `Evidence ${id} is not under a legal hold${e.legalHoldAction === 'RELEASED' ? ` (released ${e.legalHoldChangedAt!.toISOString()}, reference ${e.legalHoldReference})` : ''}: there is nothing to release.`,
            { legalHold: false },
          );
        }
        const storage = { bucket: e.storageBucket, key: e.storageKey, versionId: e.storageVersionId };
        Object.assign(attempted, { caseNumber: c.caseNumber, storage });
        try {
          await this.storage.setLegalHold(e.storageKey, e.storageVersionId, on);
        } catch (err) {
          throw new StorageHoldFailure(err);
        }
        storageChanged = true;
        const now = this.clock.now();
        const wasOn = e.preservation.legalHold;
        const retention = e.preservation.retentionMode
          ? `${e.preservation.retentionMode} retention until ${e.preservation.retainUntil}`
          : 'no retention';
        e.preservation = {
          ...e.preservation,
          legalHold: on,
          note: on
            ? `${retention} and a legal hold, placed ${wasOn ? 'again ' : ''}on ${now.toISOString()}`
            : `${retention}; legal hold released on ${now.toISOString()} (${reference})`,
        };
        e.legalHoldAction = action;
        e.legalHoldChangedAt = now;
        e.legalHoldChangedBy = auth.id;
        e.legalHoldReason = reason;
        e.legalHoldReference = reference;
        await this.items.update(em, id, {
          preservation: e.preservation,
          legalHoldAction: action,
          legalHoldChangedAt: now,
          legalHoldChangedBy: auth.id,
          legalHoldReason: reason,
          legalHoldReference: reference,
        });
        await this.audit.append(em, {
          action: on ? AuditAction.EvidenceLegalHoldPlaced : AuditAction.EvidenceLegalHoldReleased,
          targetType: 'evidence',
          targetId: id,
          caseId: e.caseId,
          details: {
            caseNumber: c.caseNumber,
            caseStatus: c.status,
            reason,
            reference,
            legalHoldBefore: wasOn,
            legalHold: on,
            retentionMode: e.preservation.retentionMode,
            retainUntil: e.preservation.retainUntil,
            storage,
          },
        });
        return e;
      });
      return toEvidenceView(e);
    } catch (err) {
      const what = { auth, id, caseId: item.caseId, on, reason, reference, attempted };
      if (err instanceof StorageHoldFailure) throw await this.storageFailed(what, err.cause);
      if (!storageChanged) throw err; // refused before storage was touched: nothing to undo
      throw await this.notRecorded(what, err);
    }
  }

  /**
   * Storage failed or refused (nothing was recorded: the transaction rolled back). An outage answers 503
   * (DEPENDENCY.UNAVAILABLE, try again); a refusal by the engine, which a retry would only repeat (AccessDenied: the
   * service's credentials lack s3:PutObjectLegalHold; InvalidRequest; NoSuchVersion), answers 502 STORAGE.REFUSED
   * naming the engine's code. Audited FAILED either way.
   */
  private async storageFailed(w: Change, cause: unknown): Promise<unknown> {
    const message = cause instanceof Error ? cause.message : String(cause);
    const failure = asStorageError(cause, `${w.on ? 'place' : 'release'} the legal hold of evidence ${w.id}`);
    const code = failure instanceof DomainError ? failure.code : ErrorCode.Internal;
    const storageCode = storageErrorCode(cause) ?? null;
    this.logger.error(
      `Legal hold ${w.on ? 'placement' : 'release'} of evidence ${w.id}: storage ${code === ErrorCode.StorageRefused ? 'refused' : 'failed'}` +
        `${storageCode ? ` (${storageCode})` : ''}: ${message}`,
    );
    await this.audit.record({
      action: w.on ? AuditAction.EvidenceLegalHoldPlaceAttempt : AuditAction.EvidenceLegalHoldReleaseAttempt,
      outcome: 'FAILED',
      targetType: 'evidence',
      targetId: w.id,
      caseId: w.caseId,
      details: {
        ...w.attempted,
        reason: w.reason,
        reference: w.reference,
        code,
        storageCode,
        message: `storage: ${message}`,
      },
    });
    return markErrorAudited(failure);
  }

  /**
   * Storage holds the new state but its record did not commit (the database failed or refused the update, the audit
   * event or the commit). Nothing may then claim a change that the record does not hold:
   * - a release: the hold is put back ON on the recorded version, under the item's row lock in a new transaction
   *   (unless the record, read under that lock, says someone else released it meanwhile), and that transaction also
   *   writes the FAILED event. If the database is still down, the hold is put back anyway (the safe side) and the
   *   facts go to the error log, loudly, since no event can be written.
   * - a placement: the hold is left ON (the safe side: never take a hold off that someone asked for); the FAILED
   *   event says the record lags, and placing it again records it.
   * Answers 503 (DEPENDENCY.UNAVAILABLE, dependency database) saying which of these happened.
   */
  private async notRecorded(w: Change, dbError: unknown): Promise<DependencyUnavailableError> {
    const { key, versionId } = w.attempted.storage!;
    const dbMessage = dbError instanceof Error ? dbError.message : String(dbError);
    let holdInStorage: 'ON' | 'OFF' = w.on ? 'ON' : 'OFF';
    let restoreError: string | null = null;
    let restored = false;
    const restore = async () => {
      restored = true;
      try {
        await this.storage.setLegalHold(key, versionId, true);
        holdInStorage = 'ON';
      } catch (err) {
        restoreError = err instanceof Error ? err.message : String(err);
      }
    };
    const details = () => ({
      ...w.attempted,
      reason: w.reason,
      reference: w.reference,
      code: ErrorCode.DependencyUnavailable,
      dependency: 'database',
      message: `database: ${dbMessage}`,
      storageChanged: true,
      legalHoldInStorage: holdInStorage,
      holdRestored: w.on ? null : holdInStorage === 'ON',
      ...(restoreError ? { restoreError: `storage: ${restoreError}` } : {}),
    });
    let audited = false;
    try {
      await this.ds.transaction(async (em) => {
        const row = await this.items.lockById(em, w.id);
        if (!w.on && (row?.preservation.legalHold ?? true)) await restore();
        await this.audit.append(em, {
          action: w.on ? AuditAction.EvidenceLegalHoldPlaceAttempt : AuditAction.EvidenceLegalHoldReleaseAttempt,
          outcome: 'FAILED',
          targetType: 'evidence',
          targetId: w.id,
          caseId: w.caseId,
          details: details(),
        });
      });
      audited = true;
    } catch (auditError) {
      if (!w.on && !restored) await restore();
      this.logger.error(
        `LEGAL HOLD NOT RECORDED, AND ITS FAILURE COULD NOT BE AUDITED: ${w.on ? 'placement' : 'release'} of the legal hold of evidence ${w.id} ` +
          `by user ${w.auth.id} (${w.auth.role}) was applied in storage but not recorded. Facts for the audit trail: ${JSON.stringify(details())}. ` +
          `Audit failure: ${auditError instanceof Error ? auditError.message : auditError}`,
      );
    }
    if (restoreError) {
      this.logger.error(
        `Evidence ${w.id}: its legal hold was released in storage (version ${versionId}) but the release could not be recorded, and putting ` +
          `the hold back failed: ${restoreError}. Place the hold again now.`,
      );
    }
    const message = w.on
      ? `The legal hold placement on evidence ${w.id} could not be recorded: the database failed. The hold is ON in storage on the recorded ` +
        'version (it is left on, the safe side), but the item does not record this placement: place it again once the service answers.'
      : holdInStorage === 'ON'
        ? `The legal hold release of evidence ${w.id} could not be recorded: the database failed. The hold was put back ON in storage on the ` +
          'recorded version: it stays under legal hold, nothing was released. Try again shortly.'
        : `The legal hold release of evidence ${w.id} could not be recorded: the database failed, and putting the hold back in storage failed ` +
          'too. The hold of the recorded version is OFF in storage although the item records it as on: place the hold again now.';
    const failure = new DependencyUnavailableError('database', dbError, {
      message,
      details: { legalHoldInStorage: holdInStorage, recorded: false },
    });
    return audited ? failure.markAudited() : failure;
  }

  /** Only once the case ended, and never by the supervisor who wrote it (two-person rule, as for approval). */
  private assertReleasable(auth: AuthUser, c: CaseEntity): void {
    if (!LEGAL_HOLD_RELEASABLE_CASE_STATES.includes(c.status)) {
      throw new InvalidTransitionError('release the legal hold of evidence of', c.status);
    }
    if (c.createdBy === auth.id) {
      throw new TwoPersonRuleError(
        `Two-person rule: you authored case ${c.caseNumber}, so another supervisor of the district must release the legal hold of its evidence.`,
      );
    }
  }

  /** A legal hold exists only through S3 Object Lock: on a bucket without it there is nothing to place or release. */
  private assertObjectLock(e: EvidenceEntity, on: boolean): void {
    const worm = this.storage.worm;
    if (worm.available && e.storageVersionId && e.storageBucket === this.storage.bucket) return;
    const why = !worm.available
      ? `bucket ${this.storage.bucket} has no S3 Object Lock (${worm.detail})`
      : `evidence ${e.id} was stored without an object version (bucket ${e.storageBucket})`;
    throw new ConflictError(`A legal hold cannot be ${on ? 'placed' : 'released'} here: ${why}. Nothing was changed.`, {
      worm: false,
    });
  }
}
