import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthUser, Clock, ConflictError, DependencyUnavailableError, InvalidTransitionError, NotFoundError, TwoPersonRuleError } from '@app/common';
import { AuditService } from '@app/audit';
import { CaseEntity, CasesRepository, CaseStatus } from '@app/cases';
import { StorageService } from '@app/storage';
import { PlaceLegalHoldDto, ReleaseLegalHoldDto } from './dto/legal-hold.dto';
import { EvidenceEntity } from './evidence.entity';
import { EvidenceView, toEvidenceView } from './evidence.mapper';
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

/**
 * The legal hold of an evidence item, changed only by a person, deliberately (never by a state change):
 * released by a supervisor of the case's district who did not write the case, once the case is CLOSED or
 * WITHDRAWN, with a reason and the court or prosecutor's reference that allows it; placed (again) at any
 * time by a supervisor of the district or a prosecutor of an office a packet disclosed the item to.
 *
 * The S3 legal hold of the recorded version is set first; the row and its audit event then commit in one
 * transaction (under the item's row lock, so two changes of one item never interleave). If storage refuses
 * or cannot be reached nothing is recorded but a FAILED event (503). Retention is untouched: after a release
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
  ) {}

  release(auth: AuthUser, id: string, dto: ReleaseLegalHoldDto): Promise<EvidenceView> {
    return this.change(auth, id, 'RELEASED', dto.reason, dto.reference);
  }

  place(auth: AuthUser, id: string, dto: PlaceLegalHoldDto): Promise<EvidenceView> {
    return this.change(auth, id, 'PLACED', dto.reason, dto.reference ?? null);
  }

  private async change(auth: AuthUser, id: string, action: LegalHoldAction, reason: string, reference: string | null): Promise<EvidenceView> {
    const item = await this.evidence.findInScope(auth, id); // out of scope: 404 (audited as access.denied)
    const on = action === 'PLACED';
    const attempted: { caseNumber?: string; storage?: Record<string, unknown> } = {};
    try {
      const e = await this.ds.transaction(async (em) => {
        const c = await this.cases.lockById(em, item.caseId);
        if (!c) throw new NotFoundError('evidence', id, false, item.caseId);
        if (!on) this.assertReleasable(auth, c);
        const e = await em.getRepository(EvidenceEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
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
        try {
          await em.getRepository(EvidenceEntity).update({ id }, {
            preservation: e.preservation, legalHoldAction: action, legalHoldChangedAt: now, legalHoldChangedBy: auth.id,
            legalHoldReason: reason, legalHoldReference: reference,
          });
          await this.audit.append(em, {
            action: on ? 'evidence.legal_hold_placed' : 'evidence.legal_hold_released',
            targetType: 'evidence',
            targetId: id,
            caseId: e.caseId,
            details: {
              caseNumber: c.caseNumber, caseStatus: c.status, reason, reference, legalHoldBefore: wasOn, legalHold: on,
              retentionMode: e.preservation.retentionMode, retainUntil: e.preservation.retainUntil, storage,
            },
          });
        } catch (dbError) {
          if (!on) await this.restoreHold(e); // storage released it but nothing will say so: put it back
          throw dbError;
        }
        return e;
      });
      return toEvidenceView(e);
    } catch (err) {
      if (!(err instanceof StorageHoldFailure)) throw err;
      const cause = err.cause;
      const message = cause instanceof Error ? cause.message : String(cause);
      this.logger.error(`Legal hold ${on ? 'placement' : 'release'} of evidence ${id}: storage refused or failed: ${message}`);
      const failure = new DependencyUnavailableError('storage', cause);
      await this.audit.record({
        action: on ? 'evidence.legal_hold.place' : 'evidence.legal_hold.release',
        outcome: 'FAILED',
        targetType: 'evidence',
        targetId: id,
        caseId: item.caseId,
        details: { ...attempted, reason, reference, code: failure.code, message: `storage: ${message}` },
      });
      throw failure.markAudited();
    }
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
    throw new ConflictError(`A legal hold cannot be ${on ? 'placed' : 'released'} here: ${why}. Nothing was changed.`, { worm: false });
  }

  private async restoreHold(e: EvidenceEntity): Promise<void> {
    await this.storage.setLegalHold(e.storageKey, e.storageVersionId, true).catch((err: unknown) =>
      this.logger.error(
        `Evidence ${e.id}: its legal hold was released in storage but the release could not be recorded, and putting the hold back failed: ` +
          `${err instanceof Error ? err.message : err}. Place the hold again.`,
      ));
  }
}
