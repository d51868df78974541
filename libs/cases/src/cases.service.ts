import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  AuthUser,
  ChecklistIncompleteError,
  Clock,
  ForbiddenError,
  NotFoundError,
  pageOf,
  TwoPersonRuleError,
  UploadInProgressError,
  ValidationError,
  VersionConflictError,
  VersionRequiredError,
} from '@app/common';
import { AuditService, AuditAction } from '@app/audit';
import { CaseEntity } from './case.entity';
import { CaseAction, assertEditable, nextStatus } from './case-state';
import { caseChecklist } from './checklist';
import { SUBMIT_ATTESTATION } from './order-rules';
import { toCaseListItem, toCaseView, toCaseViewFor } from './case.mapper';
import { CaseMetadataView, CasePage, CaseView } from './dto/case-views';
import { CasesRepository, UploadInProgress } from './cases.repository';
import { buildTimeline, CaseTimeline } from './timeline';
import type { FederalOfficerRecord } from './case-vocabulary';
import {
  ApproveCaseDto,
  CaseFieldsDto,
  CreateCaseDto,
  ListCasesQuery,
  PutFederalOfficersDto,
  PutViolationsDto,
  ReasonDto,
  SubmitAttestationDto,
  UpdateCaseDto,
} from './dto/case.dto';

/** What a step did: its audit action and details, and (when not the case itself) what it acted on. */
export type CaseChange = {
  action: AuditAction;
  details?: Record<string, unknown>;
  target?: { type: string; id: string };
};
type Change = CaseChange;

const CHICAGO_YEAR = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', year: 'numeric' });
const DATE_FIELDS = new Set(['incidentAt', 'emsCalledAt']);
const CASE_FIELDS: (keyof CaseFieldsDto)[] = [
  'origin',
  'incidentAt',
  'incidentLocation',
  'activityType',
  'agencies',
  'narrative',
  'injuriesReported',
  'injuryDescription',
  'emsCalled',
  'emsCalledAt',
  'aidGiven',
  'noFootageReason',
];

@Injectable()
export class CasesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cases: CasesRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(auth: AuthUser, dto: CreateCaseDto): Promise<CaseView> {
    if (auth.district == null) throw new ForbiddenError('Only members of a police district may open cases.');
    const fields: Partial<CaseEntity> = {};
    applyFields(fields as CaseEntity, dto);
    return this.ds.transaction(async (em) => {
      const now = this.clock.now();
      const caseNumber = await this.cases.nextCaseNumber(em, Number(CHICAGO_YEAR.format(now)));
      const c = await this.cases.insert(em, {
        agencies: [],
        ...fields,
        caseNumber,
        status: 'DRAFT',
        version: 1,
        district: auth.district!,
        createdBy: auth.id,
        federalOfficers: [],
        violations: [],
      });
      return this.commit(em, auth, c, {
        action: AuditAction.CaseCreated,
        details: { district: c.district, fields: Object.keys(fields) },
      });
    });
  }

  /**
   * GET /cases: the caller's scope, filtered and searched. Audited like every read (case.searched): who
   * searched what (q and every filter, as sent), how many matched, and which cases the page showed.
   * Auditors' q searches case metadata only (CaseListFilter.qScope).
   */
  async list(auth: AuthUser, q: ListCasesQuery): Promise<CasePage> {
    // With q, newest incident first unless relevance is asked for: ranking must score every match before the first
    // page (hundreds of ms for a broad word at 100,000 cases), while incident order walks an index and stops at a page.
    const sort = q.sort ?? (q.q !== undefined ? 'incident' : 'created');
    if (sort === 'relevance' && q.q === undefined)
      throw ValidationError.field('sort', 'sort=relevance needs a q to rank by');
    if (sort === 'relevance' && q.order === 'asc')
      throw ValidationError.field('order', 'order=asc does not apply to sort=relevance (most relevant first)');
    const contentVisible = auth.role !== 'AUDITOR';
    const { rows, total, totalCapped } = await this.cases.list(auth, {
      status: q.status,
      district: q.district,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      q: q.q,
      qScope: contentVisible ? 'content' : 'metadata',
      agency: q.agency,
      activityType: q.activityType,
      supervisorIdentification: q.supervisorIdentification,
      felony: q.felony,
      hasFootage: q.hasFootage,
      author: q.author,
      sort,
      order: q.order ?? 'desc',
      page: q.page,
      pageSize: q.pageSize,
    });
    const filters = Object.fromEntries(
      (
        [
          'status',
          'district',
          'from',
          'to',
          'agency',
          'activityType',
          'supervisorIdentification',
          'felony',
          'hasFootage',
          'author',
        ] as const
      )
        .filter((k) => q[k] !== undefined)
        .map((k) => [k, q[k]]),
    );
    await this.audit.record({
      action: AuditAction.CaseSearched,
      actor: auth,
      targetType: 'case',
      details: {
        q: q.q ?? null,
        searched: contentVisible ? 'content' : 'metadata',
        filters,
        sort,
        order: q.order ?? 'desc',
        page: q.page,
        pageSize: q.pageSize,
        total,
        totalCapped,
        caseIds: rows.map((r) => r.c.id),
      },
    });
    const now = this.clock.now();
    return {
      ...pageOf(
        rows.map((r) => toCaseListItem(r, now, contentVisible)),
        total,
        q,
      ),
      totalCapped,
    };
  }

  /** A read is recorded too: who looked at which case file, and when. */
  async get(auth: AuthUser, id: string): Promise<CaseView | CaseMetadataView> {
    const c = await this.cases.findInScope(auth, id);
    if (!c) throw await this.notFound(id);
    await this.audit.record({
      action: AuditAction.CaseViewed,
      actor: auth,
      targetType: 'case',
      targetId: id,
      caseId: id,
      details: { caseNumber: c.caseNumber },
    });
    return toCaseViewFor(auth.role, c, caseChecklist(c, await this.cases.countFootage(id)));
  }

  /**
   * The case's history: every raw audit event, and the same in words (timeline.ts), edits diffed against the
   * revision before within the caller's field scope (auditors: which fields changed, no content), reads folded.
   */
  async timeline(auth: AuthUser, id: string): Promise<CaseTimeline> {
    const c = await this.cases.findInScope(auth, id);
    if (!c) throw await this.notFound(id);
    const events = await this.audit.caseTimeline(id);
    const actorIds = [...new Set(events.map((e) => e.actor.id).filter((x): x is string => !!x))];
    const [revisions, names] = await Promise.all([
      this.cases.revisions(id),
      actorIds.length
        ? (this.ds.query(`SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])`, [actorIds]) as Promise<
            { id: string; display_name: string }[]
          >)
        : Promise.resolve([]),
    ]);
    const entries = buildTimeline(
      events,
      revisions,
      new Map(names.map((u) => [u.id, u.display_name])),
      auth.role !== 'AUDITOR',
    );
    return { caseId: c.id, caseNumber: c.caseNumber, entries, events };
  }

  update(auth: AuthUser, id: string, dto: UpdateCaseDto, expectedVersion: number | undefined): Promise<CaseView> {
    return this.edit(auth, id, expectedVersion, (c) => {
      const changed = applyFields(c, dto);
      if (c.emsCalled === false && c.emsCalledAt) {
        throw ValidationError.field('emsCalledAt', 'must be empty when emsCalled is false');
      }
      return { action: AuditAction.CaseUpdated, details: { fields: changed } };
    });
  }

  putFederalOfficers(
    auth: AuthUser,
    id: string,
    dto: PutFederalOfficersDto,
    expectedVersion: number | undefined,
  ): Promise<CaseView> {
    const records = validateFederalOfficers(dto);
    return this.edit(auth, id, expectedVersion, (c) => {
      c.federalOfficers = records;
      const sup = records.find((r) => r.isSupervisor);
      return {
        action: AuditAction.CaseFederalOfficersUpdated,
        details: { count: records.length, supervisorIdentification: sup?.identificationOutcome ?? null },
      };
    });
  }

  putViolations(
    auth: AuthUser,
    id: string,
    dto: PutViolationsDto,
    expectedVersion: number | undefined,
  ): Promise<CaseView> {
    const records = dto.violations.map((v) => ({
      citation: v.citation.trim(),
      description: v.description,
      felony: v.felony,
    }));
    return this.edit(auth, id, expectedVersion, (c) => {
      c.violations = records;
      return {
        action: AuditAction.CaseViolationsUpdated,
        details: {
          count: records.length,
          citations: records.map((r) => r.citation),
          anyFelony: records.some((r) => r.felony),
        },
      };
    });
  }

  /**
   * Submit, with the author's attestation (issue 16): only the current words of SUBMIT_ATTESTATION are accepted,
   * and the case.submitted event records them, their SHA-256 and the time (the submit's own time).
   */
  submit(
    auth: AuthUser,
    id: string,
    expectedVersion: number | undefined,
    attestation: SubmitAttestationDto,
  ): Promise<CaseView> {
    checkAttestation(attestation);
    return this.transition(auth, id, 'submit', expectedVersion, (c, footageCount, uploads) => {
      if (c.createdBy !== auth.id) throw new ForbiddenError("Only the case's author may submit it.");
      // Not while a file is still arriving: the case would reach the supervisor without it.
      if (uploads.length) throw new UploadInProgressError(c.caseNumber, uploads);
      const checklist = caseChecklist(c, footageCount);
      if (!checklist.complete) throw new ChecklistIncompleteError(checklist.missing);
      c.submittedAt = this.clock.now();
      c.submittedBy = auth.id;
      return {
        action: AuditAction.CaseSubmitted,
        details: {
          attestation: {
            textVersion: SUBMIT_ATTESTATION.textVersion,
            text: SUBMIT_ATTESTATION.text,
            sha256: createHash('sha256').update(SUBMIT_ATTESTATION.text, 'utf8').digest('hex'),
            attestedAt: c.submittedAt.toISOString(),
          },
        },
      };
    });
  }

  returnToAuthor(auth: AuthUser, id: string, dto: ReasonDto): Promise<CaseView> {
    return this.transition(auth, id, 'return', dto.version, (c) => {
      assertNotAuthor(auth, c, 'return');
      c.returnedAt = this.clock.now();
      c.returnedBy = auth.id;
      c.returnReason = dto.reason;
      return { action: AuditAction.CaseReturned, details: { reason: dto.reason } };
    });
  }

  approve(auth: AuthUser, id: string, dto: ApproveCaseDto): Promise<CaseView> {
    return this.transition(auth, id, 'approve', dto.version, (c) => {
      assertNotAuthor(auth, c, 'approve');
      c.approvedAt = this.clock.now();
      c.approvedBy = auth.id;
      return { action: AuditAction.CaseApproved, details: dto.note ? { note: dto.note } : {} };
    });
  }

  withdraw(auth: AuthUser, id: string, dto: ReasonDto): Promise<CaseView> {
    return this.transition(auth, id, 'withdraw', dto.version, (c) => {
      c.withdrawnAt = this.clock.now();
      c.withdrawnBy = auth.id;
      c.withdrawReason = dto.reason;
      return { action: AuditAction.CaseWithdrawn, details: { reason: dto.reason } };
    });
  }

  /**
   * A lifecycle step decided by another module (packets: send, claim, decide) on a case that
   * module has already locked in `em` (CasesRepository.lockById) and checked the caller against.
   * The transition is checked, then the change, version bump, revision and audit event are
   * written in that same transaction.
   */
  async applyTransition(
    em: EntityManager,
    auth: AuthUser,
    c: CaseEntity,
    action: CaseAction,
    change: (c: CaseEntity) => CaseChange,
  ): Promise<CaseView> {
    const from = c.status;
    const to = nextStatus(c.status, action);
    const result = change(c);
    c.status = to;
    return this.commit(em, auth, c, { ...result, details: { from, to, ...result.details } }, true);
  }

  // --- the one write path: scope check, change, version bump, revision, audit, one transaction ---

  private edit(
    auth: AuthUser,
    id: string,
    expectedVersion: number | undefined,
    change: (c: CaseEntity) => Change,
  ): Promise<CaseView> {
    return this.ds.transaction(async (em) => {
      const c = await this.loadForWrite(em, auth, id);
      if (expectedVersion === undefined) throw new VersionRequiredError();
      assertEditable(c.status);
      assertVersion(c, expectedVersion);
      return this.commit(em, auth, c, change(c), true);
    });
  }

  private transition(
    auth: AuthUser,
    id: string,
    action: CaseAction,
    expectedVersion: number | undefined,
    change: (c: CaseEntity, footageCount: number, uploads: UploadInProgress[]) => Change,
  ): Promise<CaseView> {
    return this.ds.transaction(async (em) => {
      const c = await this.loadForWrite(em, auth, id);
      const from = c.status;
      const to = nextStatus(c.status, action);
      if (expectedVersion !== undefined) assertVersion(c, expectedVersion);
      // Counted under the case's row lock: evidence uploads take the same lock to begin (their session) and to commit.
      const result = change(c, await this.cases.countFootage(c.id, em), await this.cases.uploadsInProgress(c.id, em));
      c.status = to;
      return this.commit(em, auth, c, { ...result, details: { from, to, ...result.details } }, true);
    });
  }

  private async commit(
    em: EntityManager,
    auth: AuthUser,
    c: CaseEntity,
    change: Change,
    bump = false,
  ): Promise<CaseView> {
    if (bump) c.version += 1;
    const saved = await this.cases.save(em, c);
    const view = toCaseView(saved, caseChecklist(saved, await this.cases.countFootage(saved.id, em)));
    await this.cases.addRevision(em, saved, change.action, auth.id, view);
    await this.audit.append(em, {
      action: change.action,
      actor: auth,
      targetType: change.target?.type ?? 'case',
      targetId: change.target?.id ?? saved.id,
      caseId: saved.id,
      details: { caseNumber: saved.caseNumber, version: saved.version, ...change.details },
    });
    return view;
  }

  private async loadForWrite(em: EntityManager, auth: AuthUser, id: string): Promise<CaseEntity> {
    const c = await this.cases.findInScope(auth, id, em);
    if (!c) throw await this.notFound(id);
    return c;
  }

  private async notFound(id: string): Promise<NotFoundError> {
    return new NotFoundError('case', id, await this.cases.exists(id));
  }
}

/** The attestation must be the current words under their version id, exactly as the console shows them. */
function checkAttestation(a: SubmitAttestationDto): void {
  if (a.textVersion !== SUBMIT_ATTESTATION.textVersion) {
    throw ValidationError.field(
      'attestation.textVersion',
      `attestation.textVersion must be ${SUBMIT_ATTESTATION.textVersion} (the current attestation words); reload the case and attest again`,
    );
  }
  if (a.text !== SUBMIT_ATTESTATION.text) {
    throw ValidationError.field(
      'attestation.text',
      `attestation.text must be the exact words of attestation ${SUBMIT_ATTESTATION.textVersion}`,
    );
  }
}

function assertVersion(c: CaseEntity, expected: number): void {
  if (c.version !== expected) throw new VersionConflictError(expected, c.version);
}

/** Two-person rule: a supervisor never reviews a case they wrote. */
function assertNotAuthor(auth: AuthUser, c: CaseEntity, action: string): void {
  if (c.createdBy === auth.id) {
    throw new TwoPersonRuleError(
      `Two-person rule: you authored case ${c.caseNumber}, so another supervisor must ${action} it.`,
    );
  }
}

/** Copies the given order fields onto the case; returns the names of those that changed. */
function applyFields(c: CaseEntity, dto: CaseFieldsDto): string[] {
  const changed: string[] = [];
  const target = c as unknown as Record<string, unknown>;
  for (const key of CASE_FIELDS) {
    const raw = dto[key];
    if (raw === undefined) continue;
    let value: unknown = raw;
    if (DATE_FIELDS.has(key) && typeof raw === 'string') value = new Date(raw);
    if (key === 'agencies' && raw === null) value = [];
    const before = target[key];
    const same =
      before instanceof Date && value instanceof Date
        ? before.getTime() === value.getTime()
        : JSON.stringify(before) === JSON.stringify(value);
    if (!same) changed.push(key);
    target[key] = value;
  }
  return changed;
}

function validateFederalOfficers(dto: PutFederalOfficersDto): FederalOfficerRecord[] {
  const fields: { field: string; errors: string[] }[] = [];
  const supervisors = dto.officers.filter((o) => o.isSupervisor).length;
  if (supervisors > 1) fields.push({ field: 'officers', errors: ['at most one record may be flagged isSupervisor'] });
  dto.officers.forEach((o, i) => {
    if (o.identificationOutcome === 'VERIFIED' && !o.name) {
      fields.push({ field: `officers.${i}.name`, errors: ['name is required when identificationOutcome is VERIFIED'] });
    }
    if (o.identificationOutcome && !o.identificationMethod) {
      fields.push({ field: `officers.${i}.identificationMethod`, errors: ['say how identification was attempted'] });
    }
  });
  if (fields.length) throw new ValidationError(fields.map((f) => `${f.field}: ${f.errors[0]}`).join('; '), fields);
  return dto.officers.map((o) => ({
    isSupervisor: o.isSupervisor,
    name: o.name ?? null,
    agency: o.agency ?? null,
    badgeNumber: o.badgeNumber ?? null,
    identificationOutcome: o.identificationOutcome ?? null,
    identificationMethod: o.identificationMethod ?? null,
    identificationNotes: o.identificationNotes ?? null,
    masked: o.masked ?? null,
    badgeDisplayed: o.badgeDisplayed ?? null,
    bodyCameraWorn: o.bodyCameraWorn ?? null,
    description: o.description ?? null,
  }));
}
