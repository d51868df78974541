import { Role } from '@app/common';
import type { CaseEntity } from './case.entity';
import { Checklist } from './checklist';
import { CaseSummaryView, CaseListItem, CaseMetadataView, CaseView } from './dto/case-views';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function toCaseSummary(c: CaseEntity): CaseSummaryView {
  return {
    id: c.id,
    caseNumber: c.caseNumber,
    status: c.status,
    version: c.version,
    district: c.district,
    createdBy: c.createdBy,
    origin: c.origin,
    activityType: c.activityType,
    agencies: c.agencies ?? [],
    incidentAt: iso(c.incidentAt),
    createdAt: iso(c.createdAt)!,
    updatedAt: iso(c.updatedAt)!,
    submittedAt: iso(c.submittedAt),
  };
}

const DAY_MS = 86_400_000;

/** A list item; `contentVisible` false (auditors) leaves out what is case content (the location). */
export function toCaseListItem(
  r: { c: CaseEntity; authorName: string | null; authorBadge: string | null; evidenceCount: number },
  now: Date,
  contentVisible: boolean,
): CaseListItem {
  const c = r.c;
  const sup = (c.federalOfficers ?? []).find((o) => o.isSupervisor);
  return {
    ...toCaseSummary(c),
    ...(contentVisible ? { incidentLocation: c.incidentLocation } : {}),
    authorName: r.authorName,
    authorBadge: r.authorBadge,
    ageDays: Math.max(0, Math.floor((now.getTime() - c.createdAt.getTime()) / DAY_MS)),
    evidenceCount: r.evidenceCount,
    anyFelony: (c.violations ?? []).some((v) => v.felony),
    supervisorIdentification: sup?.identificationOutcome ?? null,
  };
}

export function toCaseMetadata(c: CaseEntity, checklist: Checklist): CaseMetadataView {
  return {
    ...toCaseSummary(c),
    submittedBy: c.submittedBy,
    approvedAt: iso(c.approvedAt),
    approvedBy: c.approvedBy,
    returnedAt: iso(c.returnedAt),
    returnedBy: c.returnedBy,
    returnReason: c.returnReason,
    withdrawnAt: iso(c.withdrawnAt),
    withdrawnBy: c.withdrawnBy,
    withdrawReason: c.withdrawReason,
    disposition: c.disposition,
    closedAt: iso(c.closedAt),
    federalOfficerCount: c.federalOfficers.length,
    violationCount: c.violations.length,
    anyFelony: c.violations.some((v) => v.felony),
    checklist,
  };
}

export function toCaseView(c: CaseEntity, checklist: Checklist): CaseView {
  return {
    ...toCaseMetadata(c, checklist),
    incidentLocation: c.incidentLocation,
    narrative: c.narrative,
    injuriesReported: c.injuriesReported,
    injuryDescription: c.injuryDescription,
    emsCalled: c.emsCalled,
    emsCalledAt: iso(c.emsCalledAt),
    aidGiven: c.aidGiven,
    noFootageReason: c.noFootageReason,
    federalOfficers: c.federalOfficers,
    violations: c.violations,
  };
}

/** Auditors see case metadata, never content; everyone else in scope sees the whole case. */
export function toCaseViewFor(role: Role, c: CaseEntity, checklist: Checklist): CaseView | CaseMetadataView {
  return role === 'AUDITOR' ? toCaseMetadata(c, checklist) : toCaseView(c, checklist);
}
