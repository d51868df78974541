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

/** Case search (GET /cases): the sort orders, in words. */
export const CASE_SORT_LABELS: Record<'created' | 'incident' | 'updated' | 'relevance', string> = {
  created: 'When the case was opened',
  incident: 'Incident time',
  updated: 'Last change',
  relevance: 'Best match to the search words',
};

/** The supervisor-identification filter: an outcome, or none recorded yet. */
export const SUPERVISOR_ID_FILTER_LABELS: Record<Outcome | 'NOT_RECORDED', string> = {
  ...OUTCOME_SHORT,
  NOT_RECORDED: 'No outcome recorded yet',
};

/** A search's fields, named as the search form names them (for errors and for "what was searched"). */
export const SEARCH_FIELD_NAMES: Record<string, string> = {
  q: 'Search words',
  status: 'Status',
  district: 'District',
  from: 'Incident from',
  to: 'Incident to',
  agency: 'Federal agency',
  activityType: 'Activity',
  supervisorIdentification: 'Federal supervisor identified?',
  felony: 'Felony alleged',
  hasFootage: 'Footage',
  author: 'Author',
  sort: 'Order by',
  order: 'Direction',
  page: 'Page',
};

/** What a refused search field means, in words (the service names the field; its validator text is not for people). */
export const SEARCH_FIELD_PROBLEMS: Record<string, string> = {
  q: 'The search words must be one line of at most 200 characters, with no control characters, and not only spaces.',
  from: 'The “Incident from” date is not a date. Choose a day, or clear it.',
  to: 'The “Incident to” date is not a date, or it is before the “Incident from” date. Choose a later day, or clear it.',
  district: 'That is not a Chicago police district. Choose one from the list.',
  status: 'That is not a case status. Choose one from the list.',
  agency: 'That is not a federal agency the order lists. Choose one from the list.',
  activityType: 'That is not an activity the order lists. Choose one from the list.',
  supervisorIdentification: 'That is not an identification outcome. Choose one from the list.',
  felony: 'Choose “Yes”, “No”, or either.',
  hasFootage: 'Choose “With footage”, “Without footage”, or either.',
  author: 'The author filter does not name a user. Remove it and choose an author from a case in the list.',
  sort: 'Ordering by best match needs search words. Type some words, or order by time.',
  order: 'Cases ordered by best match come most relevant first; choose another order to reverse it.',
  page: 'That page number is not valid.',
};

/** How a federal officer was recorded on scene (the federal personnel index). */
export const PERSONNEL_ROLE_LABELS: Record<S['PersonnelEntryView']['roles'][number], string> = {
  SUPERVISOR: 'Federal supervisor on scene',
  AGENT: 'Agent',
};

/** The personnel index's orders. */
export const PERSONNEL_SORT_LABELS: Record<NonNullable<S['PersonnelPage']['sort']>, string> = {
  cases: 'Most cases first',
  recent: 'Latest incident first',
};

/** Public statistics (GET /public/statistics): the tables, their categories, and withheld counts, in words. */
export type StatisticsTableId = 'decision' | 'activityType' | 'supervisorIdentification' | 'agency';

export const STATISTICS_TABLE_TITLES: Record<StatisticsTableId, string> = {
  decision: 'Cases referred, by the prosecutors’ decision',
  activityType: 'Cases referred, by what the federal agents were doing',
  supervisorIdentification: 'Cases referred, by whether the federal supervisor on scene was identified',
  agency: 'Cases referred, by federal agency involved',
};

export const STATISTICS_TABLE_NOTES: Record<StatisticsTableId, string> = {
  decision: 'The decision on the latest referral of each case. “More information requested” means the case went back to the police department.',
  activityType: 'As recorded in the case when it was last sent to prosecutors.',
  supervisorIdentification: 'What came of the attempt to identify the federal supervisor on scene.',
  agency: 'A case that names two agencies is counted under each of them, so these counts add up to more than the number of cases.',
};

export const STATISTICS_CATEGORY_LABELS: Record<StatisticsTableId, Record<string, string>> = {
  decision: { AWAITING_DECISION: 'Awaiting a decision', ...DECISION_NAMES },
  activityType: { ...ACTIVITY_LABELS, NOT_RECORDED: 'Not recorded' },
  supervisorIdentification: { ...OUTCOME_SHORT, NOT_RECORDED: 'Not recorded' },
  agency: { ...AGENCY_SHORT, NOT_RECORDED: 'No agency recorded' },
};

export const SUPPRESSION_WORDS: Record<'FEWER_THAN_10' | 'COMPLEMENTARY', string> = {
  FEWER_THAN_10: 'fewer than 10',
  COMPLEMENTARY: 'withheld',
};

export const SUPPRESSION_EXPLAINED: Record<'FEWER_THAN_10' | 'COMPLEMENTARY', string> = {
  FEWER_THAN_10: 'Fewer than 10 cases (possibly none): small numbers are never shown, so that no one can be recognised from them.',
  COMPLEMENTARY: '10 or more cases, withheld so that a smaller number elsewhere in the tables cannot be worked out by subtracting from the totals.',
};

/**
 * The home screen's work queues (GET /me/attention), in words: what each counts, what a zero says, and where its
 * count leads (the list it links to).
 */
export const ATTENTION_QUEUE_WORDS: Record<S['AttentionQueueKey'], { title: string; explain: string; empty: string; list: string }> = {
  RETURNED_CASES: {
    title: 'Returned to you', explain: 'Your cases sent back to you for changes, longest waiting first.',
    empty: 'None of your cases is waiting for changes.', list: 'See your returned cases',
  },
  INCOMPLETE_DRAFTS: {
    title: 'Drafts not ready to submit', explain: 'Your drafts that still miss something the order requires.',
    empty: 'No draft is missing anything.', list: 'See your drafts',
  },
  SUBMITTED_WAITING: {
    title: 'Waiting for your decision', explain: 'Cases of your district submitted for approval, oldest first (not cases you wrote: another supervisor decides those).',
    empty: 'No case is waiting for a decision.', list: 'See the district\u2019s submitted cases, oldest first',
  },
  WAITING_OVER_A_DAY: {
    title: 'Waiting more than a day', explain: 'Of those, the ones submitted more than 24 hours ago.',
    empty: 'No case has waited more than a day.', list: 'See the submitted cases, oldest first',
  },
  UNCLAIMED_PACKETS: {
    title: 'Not claimed yet', explain: 'Packets sent to your office that no prosecutor has claimed, oldest first.',
    empty: 'Every packet sent to your office has been claimed.', list: 'See the unclaimed packets',
  },
  PACKETS_NEAR_SLA: {
    title: 'Due soon', explain: 'Undecided packets of your office whose deadline (SLA) falls within its last fifth.',
    empty: 'No undecided packet is close to its deadline.', list: 'See the open packets, oldest first',
  },
  PACKETS_PAST_SLA: {
    title: 'Past the deadline', explain: 'Undecided packets of your office past their deadline (SLA).',
    empty: 'No undecided packet is past its deadline.', list: 'See the open packets, oldest first',
  },
  MY_CLAIMS: {
    title: 'Claimed by you', explain: 'Packets you claimed and have not decided yet.',
    empty: 'You have no undecided claim.', list: 'See the packets in review',
  },
  FAILED_VERIFICATIONS: {
    title: 'Evidence failing verification', explain: 'Evidence whose stored bytes do not match the hash recorded at upload, as last checked.',
    empty: 'No evidence is failing verification.', list: 'Open the audit log',
  },
  INTEGRITY_FAILURES: {
    title: 'Integrity failures this week', explain: 'Integrity failures the trail recorded in the last 7 days (evidence, case reports, the audit chain).',
    empty: 'No integrity failure was recorded in the last 7 days.', list: 'Open the audit log',
  },
  DENIED_SPIKES: {
    title: 'Spikes of refused access', explain: 'People (or, when not signed in, addresses) refused at least 10 times in 24 hours, and at least 3 times as often as on an average day of the week before.',
    empty: 'Nobody has an unusual number of refusals.', list: 'Open the audit log',
  },
  LOCKED_ACCOUNTS: {
    title: 'Locked accounts', explain: 'Active accounts locked after repeated failed sign-ins, soonest to unlock first.',
    empty: 'No account is locked.', list: 'See the users',
  },
};

/** Audit actions an integrity failure is recorded under, in words (the home screen's list). */
export const INTEGRITY_FAILURE_WORDS: Record<string, string> = {
  'evidence.verified': 'Verification found the evidence altered',
  'evidence.integrity_failed': 'Evidence found altered while being read',
  'packet.case_report.integrity_failed': 'A packet\u2019s case report found altered',
  'audit.verified': 'The audit trail\u2019s hash chain found broken',
};

/**
 * Issue 16: the prosecutor's review refusals, in words (every PACKET.* code of the service: a new one without words
 * fails the console's typecheck). The API client shows these instead of the service's message.
 */
export const PACKET_REVIEW_REFUSALS: Record<Extract<S['ErrorCode'], `PACKET.${string}`>, string> = {
  'PACKET.NOT_CLAIMANT': 'This packet is claimed by another prosecutor. Only they can release it or hand it over, until it is past its SLA.',
  'PACKET.NOT_DECIDER': 'Only the prosecutor who recorded the decision can correct its external reference.',
  'PACKET.NOT_CLAIMED': 'No one has claimed this packet any more, so there is no claim to release or hand over. The page shows it as it is now.',
  'PACKET.ALREADY_DECIDED': 'This packet has been decided meanwhile. A decision is final: the claim can no longer be released or handed over.',
  'PACKET.NOT_DECIDED': 'This packet has no decision yet, so there is no external reference to correct.',
  'PACKET.HAND_OVER_TARGET_INVALID': 'That person is not an active prosecutor of this office (any more). Choose another colleague from the list.',
};

/** Issue 16: why a claim was released, or a reference corrected by someone other than the decider (audit details `basis`). */
export const REVIEW_BASIS_WORDS: Record<'CLAIMANT' | 'SLA_BREACHED' | 'CLAIMANT_INACTIVE' | 'DECIDER' | 'DECIDER_INACTIVE', string> = {
  CLAIMANT: 'Released by the prosecutor who held the claim',
  SLA_BREACHED: 'Released by a colleague: the packet was past its SLA',
  CLAIMANT_INACTIVE: 'Released by a colleague: the prosecutor who held the claim is no longer active in the office',
  DECIDER: 'Corrected by the prosecutor who recorded the decision',
  DECIDER_INACTIVE: 'Corrected by a colleague: the prosecutor who recorded the decision is no longer active in the office',
};
