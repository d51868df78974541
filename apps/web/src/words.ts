import type { components } from './api/schema';

/**
 * Words for the service's codes, in one place for every screen (the codes stay what the records say;
 * these are how the console says them).
 */
type S = components['schemas'];
type CaseOrigin = S['CaseOrigin'];
type ActivityType = S['ActivityType'];
type FederalAgency = S['FederalAgency'];
type Outcome = S['IdentificationOutcome'];
type EvidenceKind = S['EvidenceKind'];
type Office = S['ProsecutorOffice'];
type Decision = S['PacketDecision'];

/** Words for the order's vocabularies (the codes stay what the service stores). */
export const ORIGIN_LABELS: Record<CaseOrigin, string> = {
  WITNESSED: 'Witnessed by me (the officer)',
  REPORTED: 'Reported to me by someone else',
};

export const ACTIVITY_LABELS: Record<ActivityType, string> = {
  ARREST: 'Arrest',
  DETENTION: 'Detention',
  VEHICLE_STOP: 'Vehicle stop',
  SEARCH_OR_ENTRY: 'Search or entry',
  USE_OF_FORCE: 'Use of force',
  CROWD_CONTROL: 'Crowd control',
  SURVEILLANCE: 'Surveillance',
  OTHER: 'Other',
};

export const AGENCY_LABELS: Record<FederalAgency, string> = {
  ICE_ERO: 'ICE Enforcement and Removal Operations (ERO)',
  ICE_HSI: 'ICE Homeland Security Investigations (HSI)',
  CBP: 'U.S. Customs and Border Protection (CBP)',
  BORDER_PATROL: 'U.S. Border Patrol',
  FBI: 'Federal Bureau of Investigation (FBI)',
  DEA: 'Drug Enforcement Administration (DEA)',
  ATF: 'Bureau of Alcohol, Tobacco, Firearms and Explosives (ATF)',
  US_MARSHALS: 'U.S. Marshals Service',
  DHS_OTHER: 'Another part of Homeland Security (DHS)',
  FEDERAL_UNKNOWN: 'Federal agency not known',
};

/** Short names for lists and tables. */
export const AGENCY_SHORT: Record<FederalAgency, string> = {
  ICE_ERO: 'ICE ERO',
  ICE_HSI: 'ICE HSI',
  CBP: 'CBP',
  BORDER_PATROL: 'Border Patrol',
  FBI: 'FBI',
  DEA: 'DEA',
  ATF: 'ATF',
  US_MARSHALS: 'U.S. Marshals',
  DHS_OTHER: 'DHS (other)',
  FEDERAL_UNKNOWN: 'Agency not known',
};

export const OUTCOME_LABELS: Record<Outcome, string> = {
  VERIFIED: 'Verified: identity confirmed (name and credentials)',
  PARTIAL: 'Partial: some identifying details obtained',
  REFUSED: 'Refused: the agent refused to identify themselves',
  UNABLE: 'Unable: identification could not be attempted or completed',
};

/** The outcome in a few words, for summaries. */
export const OUTCOME_SHORT: Record<Outcome, string> = {
  VERIFIED: 'Verified: identity confirmed',
  PARTIAL: 'Partly identified',
  REFUSED: 'Refused to identify',
  UNABLE: 'Could not be identified',
};

export const KIND_LABELS: Record<EvidenceKind, string> = {
  BWC: 'Body-worn camera footage (BWC)',
  OTHER_VIDEO: 'Other video',
  PHOTO: 'Photo',
  AUDIO: 'Audio recording',
  DOCUMENT: 'Document',
};

/** The prosecuting offices, by name (the code stays visible: it is what the records say). */
export const OFFICE_NAMES: Record<Office, string> = {
  CCSAO: "Cook County State's Attorney (CCSAO)",
  CITY_LAW: 'City of Chicago Department of Law (CITY_LAW)',
};

export const DECISION_NAMES: Record<Decision, string> = {
  CHARGES_FILED: 'Charges filed',
  DECLINED: 'Declined to prosecute',
  REFERRED_ELSEWHERE: 'Referred elsewhere',
  MORE_INFO_REQUESTED: 'More information requested',
};
