import type { CaseEntity } from './case.entity';

export interface ChecklistItem {
  item: string;
  message: string;
}

export interface Checklist {
  complete: boolean;
  missing: ChecklistItem[];
}

const blank = (s: string | null | undefined) => !s || !s.trim();

/**
 * What Executive Order 2026-01 requires before a case may be submitted. Pure: the same
 * function gates submit and is shown live on every case read.
 */
export function caseChecklist(c: Pick<CaseEntity,
  'incidentAt' | 'incidentLocation' | 'activityType' | 'agencies' | 'narrative' | 'origin' | 'federalOfficers' |
  'injuriesReported' | 'injuryDescription' | 'emsCalled' | 'emsCalledAt' | 'aidGiven' | 'noFootageReason'>,
  evidenceCount = 0,
): Checklist {
  const missing: ChecklistItem[] = [];
  const need = (ok: boolean, item: string, message: string) => {
    if (!ok) missing.push({ item, message });
  };
  need(!!c.incidentAt, 'incidentAt', 'the date and time of the incident');
  need(!blank(c.incidentLocation), 'incidentLocation', 'where the incident took place');
  need(!!c.origin, 'origin', 'whether the activity was witnessed by the officer or reported to them');
  need(!!c.activityType, 'activityType', 'the type of federal activity');
  need((c.agencies?.length ?? 0) > 0, 'agencies', 'at least one federal agency involved');
  need(!blank(c.narrative), 'narrative', 'a narrative of what happened');
  const sup = (c.federalOfficers ?? []).find((o) => o.isSupervisor);
  need(
    !!sup && !!sup.identificationOutcome && !blank(sup.identificationMethod),
    'federalSupervisorIdentification',
    'a federal supervisor record with the identification outcome (VERIFIED, PARTIAL, REFUSED or UNABLE) and how it was attempted',
  );
  need(c.injuriesReported !== null && c.injuriesReported !== undefined, 'injuriesReported', 'whether anyone was injured');
  if (c.injuriesReported) {
    need(!blank(c.injuryDescription), 'injuryDescription', 'a description of the injuries');
    need(c.emsCalled !== null && c.emsCalled !== undefined, 'emsCalled', 'whether EMS was called');
    if (c.emsCalled) need(!!c.emsCalledAt, 'emsCalledAt', 'when EMS was called');
    need(!blank(c.aidGiven), 'aidGiven', 'what aid was given');
  }
  need(evidenceCount > 0 || !blank(c.noFootageReason), 'evidenceOrNoFootageReason',
    'at least one evidence item, or the reason there is no footage');
  return { complete: missing.length === 0, missing };
}
