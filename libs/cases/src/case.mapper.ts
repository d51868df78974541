import type { Role } from '@app/common';
import type { CaseEntity } from './case.entity';
import type { CaseStatus } from './case-state';
import type { Checklist } from './checklist';
import type { ActivityType, CaseOrigin, FederalAgency, FederalOfficerRecord, ViolationRecord } from './case-vocabulary';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** What every role that may see a case at all sees (lists, and auditors' reads). */
export interface CaseSummaryView {
  id: string;
  caseNumber: string;
  status: CaseStatus;
  version: number;
  district: number;
  createdBy: string;
  origin: CaseOrigin | null;
  activityType: ActivityType | null;
  agencies: FederalAgency[];
  incidentAt: string | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
}

/** Process facts: who moved the case and when (auditors see these, not the content). */
export interface CaseMetadataView extends CaseSummaryView {
  submittedBy: string | null;
  approvedAt: string | null;
  approvedBy: string | null;
  returnedAt: string | null;
  returnedBy: string | null;
  returnReason: string | null;
  withdrawnAt: string | null;
  withdrawnBy: string | null;
  withdrawReason: string | null;
  disposition: string | null;
  closedAt: string | null;
  federalOfficerCount: number;
  violationCount: number;
  anyFelony: boolean;
  checklist: Checklist;
}

export interface CaseView extends CaseMetadataView {
  incidentLocation: string | null;
  narrative: string | null;
  injuriesReported: boolean | null;
  injuryDescription: string | null;
  emsCalled: boolean | null;
  emsCalledAt: string | null;
  aidGiven: string | null;
  noFootageReason: string | null;
  federalOfficers: FederalOfficerRecord[];
  violations: ViolationRecord[];
}

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
