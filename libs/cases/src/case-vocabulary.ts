/** The order's vocabularies. There is deliberately no immigration-status field anywhere. */
export const ACTIVITY_TYPES = [
  'ARREST', 'DETENTION', 'VEHICLE_STOP', 'SEARCH_OR_ENTRY', 'USE_OF_FORCE', 'CROWD_CONTROL',
  'SURVEILLANCE', 'OTHER',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export const FEDERAL_AGENCIES = [
  'ICE_ERO', 'ICE_HSI', 'CBP', 'BORDER_PATROL', 'FBI', 'DEA', 'ATF', 'US_MARSHALS', 'DHS_OTHER',
  'FEDERAL_UNKNOWN',
] as const;
export type FederalAgency = (typeof FEDERAL_AGENCIES)[number];

export const CASE_ORIGINS = ['WITNESSED', 'REPORTED'] as const;
export type CaseOrigin = (typeof CASE_ORIGINS)[number];

export const IDENTIFICATION_OUTCOMES = ['VERIFIED', 'PARTIAL', 'REFUSED', 'UNABLE'] as const;
export type IdentificationOutcome = (typeof IDENTIFICATION_OUTCOMES)[number];

export const DISPOSITIONS = ['CHARGES_FILED', 'DECLINED', 'REFERRED_ELSEWHERE'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export interface FederalOfficerRecord {
  isSupervisor: boolean;
  name: string | null;
  agency: FederalAgency | null;
  badgeNumber: string | null;
  /** How the identification was attempted and what came of it (required on the supervisor record). */
  identificationOutcome: IdentificationOutcome | null;
  identificationMethod: string | null;
  identificationNotes: string | null;
  masked: boolean | null;
  badgeDisplayed: boolean | null;
  bodyCameraWorn: boolean | null;
  description: string | null;
}

export interface ViolationRecord {
  citation: string;
  description: string;
  felony: boolean;
}
