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

/** The prosecuting offices, by name (CCSAO is how the office names itself; CITY_LAW is only the service's code for the Department of Law). */
export const OFFICE_NAMES: Record<Office, string> = {
  CCSAO: "Cook County State's Attorney (CCSAO)",
  CITY_LAW: 'City of Chicago Department of Law',
};

export const DECISION_NAMES: Record<Decision, string> = {
  CHARGES_FILED: 'Charges filed',
  DECLINED: 'Declined to prosecute',
  REFERRED_ELSEWHERE: 'Referred elsewhere',
  MORE_INFO_REQUESTED: 'More information requested',
};

/** Case search (GET /cases): the sort orders, in words. */
export const CASE_SORT_LABELS: Record<'created' | 'incident' | 'updated' | 'submitted' | 'relevance', string> = {
  created: 'When the case was opened',
  incident: 'Incident time',
  updated: 'Last change',
  submitted: 'When submitted for review',
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
  decision:
    'The decision on the latest referral of each case. “More information requested” means the case went back to the police department.',
  activityType: 'As recorded in the case when it was last sent to prosecutors.',
  supervisorIdentification: 'What came of the attempt to identify the federal supervisor on scene.',
  agency:
    'A case that names two agencies is counted under each of them, so these counts add up to more than the number of cases.',
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
  FEWER_THAN_10:
    'Fewer than 10 cases (possibly none): small numbers are never shown, so that no one can be recognised from them.',
  COMPLEMENTARY:
    '10 or more cases, withheld so that a smaller number elsewhere in the tables cannot be worked out by subtracting from the totals.',
};

/**
 * The home screen's work queues (GET /me/attention), in words: what each counts, what a zero says, and where its
 * count leads (the list it links to).
 */
export const ATTENTION_QUEUE_WORDS: Record<
  S['AttentionQueueKey'],
  { title: string; explain: string; empty: string; list: string }
> = {
  RETURNED_CASES: {
    title: 'Returned to you',
    explain: 'Your cases sent back to you for changes, longest waiting first.',
    empty: 'None of your cases is waiting for changes.',
    list: 'See your returned cases',
  },
  INCOMPLETE_DRAFTS: {
    title: 'Drafts not ready to submit',
    explain: 'Your drafts that still miss something the order requires.',
    empty: 'No draft is missing anything.',
    list: 'See your drafts',
  },
  SUBMITTED_WAITING: {
    title: 'Waiting for your decision',
    explain:
      'Cases of your district submitted for approval, oldest first (not cases you wrote: another supervisor decides those).',
    empty: 'No case is waiting for a decision.',
    list: 'See the district\u2019s submitted cases, oldest first',
  },
  WAITING_OVER_A_DAY: {
    title: 'Waiting more than a day',
    explain: 'Of those, the ones submitted more than 24 hours ago.',
    empty: 'No case has waited more than a day.',
    list: 'See the submitted cases, oldest first',
  },
  UNCLAIMED_PACKETS: {
    title: 'Not claimed yet',
    explain: 'Packets sent to your office that no prosecutor has claimed, oldest first.',
    empty: 'Every packet sent to your office has been claimed.',
    list: 'See the unclaimed packets',
  },
  PACKETS_NEAR_SLA: {
    title: 'Due soon',
    explain: 'Undecided packets of your office whose deadline (SLA) falls within its last fifth.',
    empty: 'No undecided packet is close to its deadline.',
    list: 'See the open packets, oldest first',
  },
  PACKETS_PAST_SLA: {
    title: 'Past the deadline',
    explain: 'Undecided packets of your office past their deadline (SLA).',
    empty: 'No undecided packet is past its deadline.',
    list: 'See the open packets, oldest first',
  },
  MY_CLAIMS: {
    title: 'Claimed by you',
    explain: 'Packets you claimed and have not decided yet.',
    empty: 'You have no undecided claim.',
    list: 'See the packets in review',
  },
  FAILED_VERIFICATIONS: {
    title: 'Evidence failing verification',
    explain: 'Evidence whose stored bytes do not match the hash recorded at upload, as last checked.',
    empty: 'No evidence is failing verification.',
    list: 'Open the audit log',
  },
  INTEGRITY_FAILURES: {
    title: 'Integrity failures this week',
    explain: 'Integrity failures the trail recorded in the last 7 days (evidence, case reports, the audit chain).',
    empty: 'No integrity failure was recorded in the last 7 days.',
    list: 'Open the audit log',
  },
  DENIED_SPIKES: {
    title: 'Spikes of refused access',
    explain:
      'People (or, when not signed in, addresses) refused at least 10 times in 24 hours, and at least 3 times as often as on an average day of the week before.',
    empty: 'Nobody has an unusual number of refusals.',
    list: 'Open the audit log',
  },
  LOCKED_ACCOUNTS: {
    title: 'Locked accounts',
    explain: 'Active accounts locked after repeated failed sign-ins, soonest to unlock first.',
    empty: 'No account is locked.',
    list: 'See the users',
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
  'PACKET.NOT_CLAIMANT':
    'This packet is claimed by another prosecutor. Only they can release it or hand it over, until it is past its SLA.',
  'PACKET.NOT_DECIDER': 'Only the prosecutor who recorded the decision can correct its external reference.',
  'PACKET.NOT_CLAIMED':
    'No one has claimed this packet any more, so there is no claim to release or hand over. The page shows it as it is now.',
  'PACKET.ALREADY_DECIDED':
    'This packet has been decided meanwhile. A decision is final: the claim can no longer be released or handed over.',
  'PACKET.NOT_DECIDED': 'This packet has no decision yet, so there is no external reference to correct.',
  'PACKET.HAND_OVER_TARGET_INVALID':
    'That person is not an active prosecutor of this office (any more). Choose another colleague from the list.',
};

/** Issue 16: why a claim was released, or a reference corrected by someone other than the decider (audit details `basis`). */
export const REVIEW_BASIS_WORDS: Record<
  'CLAIMANT' | 'SLA_BREACHED' | 'CLAIMANT_INACTIVE' | 'DECIDER' | 'DECIDER_INACTIVE',
  string
> = {
  CLAIMANT: 'Released by the prosecutor who held the claim',
  SLA_BREACHED: 'Released by a colleague: the packet was past its SLA',
  CLAIMANT_INACTIVE: 'Released by a colleague: the prosecutor who held the claim is no longer active in the office',
  DECIDER: 'Corrected by the prosecutor who recorded the decision',
  DECIDER_INACTIVE:
    'Corrected by a colleague: the prosecutor who recorded the decision is no longer active in the office',
};

/* ------------------------------------------------------------------------------------------------------------------
 * Issue 16 ("plain words"): every code and every enum of the service, in words. `words.spec.ts` reads the generated
 * OpenAPI document and fails when a code or an enum value has no words here (ENUM_WORDS names every enum it finds).
 * ------------------------------------------------------------------------------------------------------------------ */

/** Every error code of the service, as the console says it (the screen shows these, never the service's English). */
export const ERROR_WORDS: Record<S['ErrorCode'], string> = {
  'VALIDATION.FAILED': 'Some of what was entered was not accepted. See the marked fields; nothing was changed.',
  'VALIDATION.MALFORMED_BODY':
    'The console sent something the service could not read. Nothing was changed; reload the page and try again.',
  'AUTH.UNAUTHENTICATED': 'Your session has ended. Sign in again.',
  'AUTH.INVALID_CREDENTIALS': 'The username or password is wrong.',
  'AUTH.ACCOUNT_LOCKED':
    'This account is locked after too many failed sign-ins. Try again later or ask an administrator.',
  'AUTH.PASSWORD_CHANGE_REQUIRED': 'An administrator reset your password: set a new one before doing anything else.',
  'USER.SELF_DEACTIVATION': 'You cannot deactivate your own account: another administrator must.',
  'USER.SELF_ROLE_CHANGE': 'You cannot remove your own administrator role: another administrator must.',
  'USER.SELF_PASSWORD_RESET': 'You cannot reset your own password here: use “Change my password” instead.',
  'AUTH.FORBIDDEN': 'Your role may not do this.',
  'RESOURCE.NOT_FOUND': 'Not found, or not yours to see.',
  'ROUTE.NOT_FOUND': 'The service has no such page or action. Reload the console: it may have been updated.',
  'CASE.INVALID_TRANSITION':
    'The case is no longer in a state that allows this: someone acted on it meanwhile. Reload it to see where it stands.',
  'PACKET.NOT_CLAIMANT': PACKET_REVIEW_REFUSALS['PACKET.NOT_CLAIMANT'],
  'PACKET.NOT_DECIDER': PACKET_REVIEW_REFUSALS['PACKET.NOT_DECIDER'],
  'PACKET.NOT_CLAIMED': PACKET_REVIEW_REFUSALS['PACKET.NOT_CLAIMED'],
  'PACKET.ALREADY_DECIDED': PACKET_REVIEW_REFUSALS['PACKET.ALREADY_DECIDED'],
  'PACKET.NOT_DECIDED': PACKET_REVIEW_REFUSALS['PACKET.NOT_DECIDED'],
  'PACKET.HAND_OVER_TARGET_INVALID': PACKET_REVIEW_REFUSALS['PACKET.HAND_OVER_TARGET_INVALID'],
  'CASE.CHECKLIST_INCOMPLETE':
    'The case cannot be submitted yet: the order requires more. What is missing is listed below.',
  'CASE.TWO_PERSON_RULE': 'You cannot review a case you wrote: another supervisor must.',
  'VERSION.CONFLICT': 'Someone else changed this record since you opened it. Reload it, then make your change again.',
  'VERSION.REQUIRED':
    'The console did not say which version of the record it changed. Reload the record and make the change again.',
  'RESOURCE.CONFLICT':
    'This clashes with a record that already exists or has changed meanwhile. Reload to see it as it is now.',
  'DEPENDENCY.UNAVAILABLE':
    'The service cannot reach its database or storage right now. Nothing was changed; try again shortly.',
  'STORAGE.REFUSED':
    'The evidence storage refused the request. Nothing was changed; try again, and tell support if it happens again.',
  'UPLOAD.TOO_LARGE': 'The file is larger than the service accepts.',
  'UPLOAD.UNSUPPORTED_MEDIA_TYPE': 'The service does not accept this kind of file or request.',
  'UPLOAD.INCOMPLETE': 'The upload did not finish; nothing was stored. Upload it again.',
  'UPLOAD.GONE':
    'This upload is no longer held by the service (abandoned or expired); nothing of it was kept. Start it again.',
  'UPLOAD.TUS_VERSION_UNSUPPORTED':
    'This browser’s upload method is not one the service speaks. Reload the console and try again.',
  'EVIDENCE.HASH_MISMATCH': 'The file arrived different from what was sent; nothing was stored. Upload it again.',
  'EVIDENCE.INTEGRITY_FAILURE':
    'The stored file no longer matches the fingerprint (SHA-256) recorded at upload. This has been recorded; tell a supervisor.',
  'EVIDENCE.EMPTY': 'The file is empty (0 bytes); nothing was stored.',
  'EVIDENCE.DUPLICATE': 'This exact file is already evidence in this case; it was not stored twice.',
  'CASE.UPLOAD_IN_PROGRESS':
    'An evidence upload to this case is still running. Wait until it finishes (or abandon it), then try again.',
  'RANGE.NOT_SATISFIABLE': 'The part of the file asked for lies beyond its end. Start the download again.',
  'RATE.LIMITED': 'Too many attempts in a short time. Wait a minute and try again.',
  'INTERNAL.ERROR':
    'Something went wrong in the service. Nothing is known to have changed; reload to check, and quote the reference below to support.',
};

/**
 * A field the service refused, in words, by the rule it broke (the error body's `constraints`, with `limits` for the
 * numbers). The validator's own text ("must be longer than or equal to 12 characters") never reaches the screen.
 */
export const FIELD_RULE_WORDS: Record<string, (limits: Readonly<Record<string, number>>) => string> = {
  isNotEmpty: () => 'This is required.',
  isDefined: () => 'This is required.',
  arrayNotEmpty: () => 'Add at least one.',
  minLength: (l) => (l.minLength ? `Use at least ${l.minLength} characters.` : 'This is too short.'),
  maxLength: (l) => (l.maxLength ? `Use at most ${l.maxLength} characters.` : 'This is too long.'),
  isLength: (l) => {
    const [min, max] = [l.isLength, l['isLength.max']];
    if (min !== undefined && max !== undefined)
      return min <= 1 ? `Fill this in, with at most ${max} characters.` : `Use ${min} to ${max} characters.`;
    return 'This is too short or too long.';
  },
  min: (l) => (l.min !== undefined ? `Use a number of at least ${l.min}.` : 'This number is too small.'),
  max: (l) => (l.max !== undefined ? `Use a number of at most ${l.max}.` : 'This number is too large.'),
  arrayMaxSize: (l) => (l.arrayMaxSize ? `At most ${l.arrayMaxSize} entries.` : 'Too many entries.'),
  arrayMinSize: (l) => (l.arrayMinSize ? `At least ${l.arrayMinSize} entries.` : 'Too few entries.'),
  isSingleLine: () => 'Use one line of text, without tabs or line breaks.',
  matches: () => 'This is not in the expected form.',
  isIn: () => 'Choose one of the options offered.',
  isEnum: () => 'Choose one of the options offered.',
  isInt: () => 'Enter a whole number.',
  isBoolean: () => 'Choose yes or no.',
  isString: () => 'Enter text.',
  isUuid: () => 'This does not name a record (it is not an id).',
  isIso8601: () => 'Enter a date and time.',
  notBefore: () => 'This date is before the one it must follow.',
  notInFuture: () => 'This date and time is in the future.',
  isArray: () => 'This must be a list.',
  isObject: () => 'This is not in the expected form.',
  isIp: () => 'This is not an IP address.',
  isEmpty: () => 'Leave this empty.',
  equals: () => 'This value is not accepted here.',
  whitelistValidation: () => 'The service does not take this field. Reload the console and try again.',
  nestedValidation: () => 'Some entries here need attention.',
};

/** A rule the words above do not know, or a rule of the service's own (by field: the screens word those). */
export const FIELD_RULE_FALLBACK = 'This was not accepted. Check it and try again.';

/** The service's own rules about a field (not a validator's), in words, by field (indexes as `*`: `officers.*.name`). */
export const FIELD_WORDS: Record<string, string> = {
  officers: 'Flag at most one federal officer as the supervisor on scene.',
  'officers.*.name': 'Give the name: the identity was verified.',
  'officers.*.identificationMethod': 'Say how identification was attempted.',
  emsCalledAt: 'Leave the EMS call time empty: no EMS was called.',
  recordedEnd: 'The recording’s end is before its start.',
  replacedBy: 'Choose another evidence item of the same case.',
  duplicateOf: 'This does not name the existing copy of this file in this case.',
  district: 'A district goes with officers and supervisors only (and they need one).',
  office: 'An office goes with prosecutors only (and they need one).',
  deactivationReason: 'Give the reason for deactivating the account.',
  currentPassword: 'This is not the current password.',
  newPassword: 'Choose a new password, different from the current one, on one line.',
  systemUseNotice: 'Read and acknowledge the system use notification, then sign in.',
  reason: 'Give the reason.',
  externalReference: 'Check the external reference.',
  toUserId: 'Choose another active prosecutor of your office.',
  otherId: 'Choose another entry than this one.',
  sort: 'Ordering by best match needs search words.',
  order: 'Best-match order runs most relevant first only.',
};

/** Case statuses (the lifecycle). */
export const CASE_STATUS_WORDS: Record<S['CaseStatus'], string> = {
  DRAFT: 'Draft',
  SUBMITTED: 'Submitted for review',
  RETURNED: 'Returned for changes',
  APPROVED: 'Approved, not yet sent',
  REFERRED: 'Sent to prosecutors',
  IN_REVIEW: 'In review by a prosecutor',
  CLOSED: 'Closed (decided)',
  WITHDRAWN: 'Withdrawn',
};

export const ROLE_WORDS: Record<S['Role'], string> = {
  OFFICER: 'Officer',
  SUPERVISOR: 'Supervisor',
  PROSECUTOR: 'Prosecutor',
  AUDITOR: 'Auditor',
  ADMIN: 'Administrator',
};

/** Who did something, in the audit trail: a person's role, the service itself, or someone not signed in. */
export const ACTOR_ROLE_WORDS: Record<S['ActorRole'], string> = {
  ...ROLE_WORDS,
  SYSTEM: 'The service itself',
  ANONYMOUS: 'Not signed in',
};

export const DISPOSITION_WORDS: Record<S['Disposition'], string> = {
  CHARGES_FILED: DECISION_NAMES.CHARGES_FILED,
  DECLINED: DECISION_NAMES.DECLINED,
  REFERRED_ELSEWHERE: DECISION_NAMES.REFERRED_ELSEWHERE,
};

export const AUDIT_OUTCOME_WORDS: Record<S['AuditOutcome'], string> = {
  SUCCESS: 'Done',
  DENIED: 'Refused (not allowed)',
  FAILED: 'Failed',
};

/**
 * Every audit action (the catalogue in libs/audit/src/audit-actions.ts, the `AuditAction` enum), as the auditor's
 * search names it: what happened, in a few words. "Failed: …" are requests of that kind that did not succeed.
 */
export const AUDIT_ACTION_WORDS: Record<S['AuditAction'], string> = {
  'auth.login': 'Sign-in',
  'auth.password_changed': 'Own password changed',
  'auth.unauthenticated': 'Refused: not signed in',
  'user.locked': 'Account locked after failed sign-ins',
  'user.created': 'User created',
  'user.updated': 'User changed',
  'user.password_reset': 'Password reset by an administrator',
  'auth.logged_out': 'Signed out (every session ended)',
  'access.denied': 'Access refused',
  'rate_limit.exceeded': 'Refused: too many requests',
  'request.failed': 'Request failed',
  'attention.viewed': 'Home screen viewed',
  'ticket.issued': 'Download or playback link issued',
  'case.created': 'Case opened',
  'case.updated': 'Case edited',
  'case.federal_officers.updated': 'Federal personnel of a case recorded',
  'case.violations.updated': 'Violations of a case recorded',
  'case.submitted': 'Case submitted for review',
  'case.returned': 'Case returned to its author',
  'case.approved': 'Case approved',
  'case.withdrawn': 'Case withdrawn',
  'case.viewed': 'Case viewed',
  'case.searched': 'Cases searched',
  'evidence.upload.created': 'Resumable upload started',
  'evidence.uploaded': 'Evidence uploaded',
  'evidence.upload.cancelled': 'Upload cancelled',
  'evidence.upload.abandoned': 'Upload abandoned (expired)',
  'evidence.upload.cleaned_up': 'Unfinished upload cleaned up',
  'evidence.preserved': 'Evidence preserved in WORM storage',
  'evidence.listed': 'Evidence list viewed',
  'evidence.viewed': 'Evidence viewed',
  'evidence.downloaded': 'Evidence downloaded',
  'evidence.playback.ended': 'Evidence playback ended',
  'evidence.verified': 'Evidence re-verified',
  'evidence.integrity_failed': 'Evidence found altered',
  'evidence.superseded': 'Evidence marked superseded',
  'evidence.legal_hold_placed': 'Legal hold placed',
  'evidence.legal_hold_released': 'Legal hold released',
  'packet.sent': 'Packet sent to prosecutors',
  'packet.viewed': 'Packet viewed',
  'packet.previewed': 'Packet previewed before sending',
  'packet.manifest.viewed': 'Packet manifest viewed',
  'packet.archive.downloaded': 'Packet archive downloaded',
  'packet.case_report.downloaded': 'Case report downloaded',
  'packet.case_report.integrity_failed': 'Case report found altered',
  'review_queue.searched': 'Review queue listed',
  'packet.claimed': 'Packet claimed',
  'packet.released': 'Claim released',
  'packet.handed_over': 'Claim handed over',
  'packet.decided': 'Packet decided',
  'packet.reference_corrected': 'Decision reference corrected',
  'federal_personnel.searched': 'Federal personnel searched',
  'federal_personnel.viewed': 'Federal personnel entry viewed',
  'federal_personnel.linked': 'Federal personnel entries linked',
  'federal_personnel.unlinked': 'Federal personnel link undone',
  'audit.exported': 'Audit trail exported',
  'audit.verified': 'Audit chain verified',
  'audit.actors.searched': 'People looked up (audit search)',
  'audit.archived': 'Old audit events archived',
  'statistics.published': 'Public statistics published',
  'auth.me': 'Failed: read own account',
  'attention.read': 'Failed: read home screen',
  'auth.password.change': 'Failed: change own password',
  'user.create': 'Failed: create a user',
  'user.read': 'Failed: list or read users',
  'user.update': 'Failed: change a user',
  'user.reset_password': 'Failed: reset a password',
  'case.create': 'Failed: open a case',
  'case.read': 'Failed: read or search cases',
  'case.update': 'Failed: edit a case',
  'case.submit': 'Failed: submit a case',
  'case.return': 'Failed: return a case',
  'case.approve': 'Failed: approve a case',
  'case.withdraw': 'Failed: withdraw a case',
  'case.timeline.read': 'Failed: read a case history',
  'evidence.upload': 'Failed: upload evidence',
  'evidence.list': 'Failed: list evidence',
  'evidence.read': 'Failed: read evidence',
  'evidence.download': 'Failed: download or play evidence',
  'evidence.verify': 'Failed: verify evidence',
  'evidence.supersede': 'Failed: mark evidence superseded',
  'evidence.legal_hold.place': 'Failed: place a legal hold',
  'evidence.legal_hold.release': 'Failed: release a legal hold',
  'packet.send': 'Failed: send a packet',
  'packet.read': 'Failed: read a packet',
  'packet.manifest.read': 'Failed: read a packet manifest',
  'packet.archive.download': 'Failed: download a packet archive',
  'packet.claim': 'Failed: claim a packet',
  'packet.decide': 'Failed: decide a packet',
  'packet.release': 'Failed: release a claim',
  'packet.hand_over': 'Failed: hand a claim over',
  'packet.reference.correct': 'Failed: correct a decision reference',
  'office.colleagues.read': 'Failed: list office colleagues',
  'review_queue.read': 'Failed: list the review queue',
  'federal_personnel.read': 'Failed: read federal personnel',
  'federal_personnel.link': 'Failed: link federal personnel',
  'audit.read': 'Failed: search the audit trail',
  'audit.export': 'Failed: export the audit trail',
  'audit.verify': 'Failed: verify the audit chain',
  'auth.logout': 'Failed: sign out',
};

/** The audit event search's order (GET /audit/events ?order). */
export const AUDIT_ORDER_WORDS: Record<'asc' | 'desc', string> = { asc: 'Oldest first', desc: 'Newest first' };

/**
 * Labels for the facts audit events record in their details (the keys the service writes); a key not here is shown
 * as itself in words ("consecutiveFailures": "Consecutive failures").
 */
export const AUDIT_DETAIL_WORDS: Record<string, string> = {
  reason: 'Reason',
  note: 'Note',
  username: 'Username',
  caseNumber: 'Case number',
  caseVersion: 'Case version',
  version: 'Version',
  fields: 'Fields',
  district: 'District',
  office: 'Office',
  attempted: 'Attempted',
  method: 'Request method',
  path: 'Address',
  status: 'HTTP status',
  code: 'Result',
  message: 'Message from the service',
  sha256: 'SHA-256',
  sizeBytes: 'Size (bytes)',
  originalFilename: 'File name',
  filename: 'File name',
  mimeType: 'Content type',
  kind: 'Kind',
  during: 'Found during',
  expectedSha256: 'Expected SHA-256',
  actualSha256: 'Actual SHA-256',
  lockedUntil: 'Locked until',
  consecutiveFailures: 'Consecutive failed sign-ins',
  systemUseNotice: 'System use notice acknowledged',
  mustChangePassword: 'Must change password',
  format: 'Format',
  filters: 'Filters',
  filtered: 'Filtered',
  via: 'Through',
  ticketId: 'Ticket id',
  purpose: 'Purpose',
  packetVersion: 'Packet version',
  packetId: 'Packet id',
  evidenceIds: 'Evidence ids',
  evidenceCount: 'Evidence items',
  disposition: 'Disposition',
  externalReference: 'External reference',
  reference: 'Reference',
  q: 'Searched for',
  matched: 'Matches',
  total: 'Matches',
  fromSeq: 'From event #',
  toSeq: 'To event #',
  ok: 'Intact',
  checked: 'Events checked',
  firstBreak: 'First break',
  basis: 'Basis',
  attestation: 'Attestation',
};

export const EVIDENCE_STATUS_WORDS: Record<S['EvidenceStatus'], string> = {
  ACTIVE: 'Current',
  SUPERSEDED: 'Superseded (kept, marked as replaced)',
};

export const INTEGRITY_STATUS_WORDS: Record<S['IntegrityStatus'], string> = {
  OK: 'Intact: matches its recorded fingerprint',
  FAILED: 'Altered: does not match its recorded fingerprint',
};

export const RETENTION_MODE_WORDS: Record<S['RetentionMode'], string> = {
  COMPLIANCE: 'Compliance retention (no one can delete it before the date)',
  GOVERNANCE: 'Governance retention (only specially authorised staff can shorten it)',
};

export const LEGAL_HOLD_ACTION_WORDS: Record<S['LegalHoldAction'], string> = {
  PLACED: 'Legal hold placed',
  RELEASED: 'Legal hold released',
};

export const VERIFICATION_RESULT_WORDS: Record<S['EvidenceVerification']['result'], string> = {
  MATCH: 'The stored file matches its recorded fingerprint',
};

export const PACKET_STATUS_WORDS: Record<S['PacketStatus'], string> = {
  PENDING: 'Waiting to be claimed',
  IN_REVIEW: 'In review',
  DECIDED: 'Decided',
};

export const CHECKPOINT_REASON_WORDS: Record<S['CheckpointReason'], string> = {
  periodic: 'Made on schedule',
  export: 'Made for an export of the audit trail',
  archive: 'Made for a packet archive',
};

export const DEPENDENCY_STATE_WORDS: Record<S['DependencyState'], string> = { up: 'Working', down: 'Not working' };
export const HEALTH_STATUS_WORDS: Record<S['HealthReport']['status'], string> = {
  ok: 'Working',
  unavailable: 'Not available',
};
export const HEALTH_ERROR_WORDS: Record<NonNullable<S['DatabaseHealth']['error']>, string> = {
  'timed out': 'Did not answer in time',
  unreachable: 'Could not be reached',
};

export const STATISTICS_UNIT_WORDS: Record<S['StatisticsUnit'], string> = {
  CASES: 'Cases',
  AGENCY_INVOLVEMENTS: 'Agency involvements (a case naming two agencies counts twice)',
};

export const TICKET_PURPOSE_WORDS: Record<S['TicketPurpose'], string> = {
  PLAYBACK: 'Play in the browser',
  DOWNLOAD: 'Download a copy',
};
export const TIMELINE_ENTRY_KIND_WORDS: Record<S['TimelineEntryKind'], string> = {
  event: 'A step in the case',
  reads: 'Who looked at it',
};
export const TOKEN_TYPE_WORDS: Record<S['LoginResult']['tokenType'], string> = { Bearer: 'Sign-in token' };
export const SIGNATURE_ALGORITHM_WORDS: Record<S['ManifestSignature']['algorithm'], string> = {
  Ed25519: 'Ed25519 digital signature',
};
export const ACCOUNT_STATE_WORDS: Record<NonNullable<S['ApiErrorBody']['state']>, string> = {
  PASSWORD_CHANGE_REQUIRED: 'Must set a new password',
};
export const QUEUE_SORT_WORDS: Record<'oldest' | 'newest', string> = { oldest: 'Oldest first', newest: 'Newest first' };
export const SORT_DIRECTION_WORDS: Record<'desc' | 'asc', string> = {
  desc: 'Newest or largest first',
  asc: 'Oldest or smallest first',
};
export const EXPORT_FORMAT_WORDS: Record<'ndjson' | 'csv', string> = {
  ndjson: 'One event per line (NDJSON, for the verifier)',
  csv: 'Spreadsheet (CSV)',
};
export const STATISTICS_FORMAT_WORDS: Record<'json' | 'csv', string> = {
  json: 'Data (JSON)',
  csv: 'Spreadsheet (CSV)',
};
export const DISTRICT_WORDS: Record<S['PoliceDistrict'], string> = Object.fromEntries(
  ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 22, 24, 25] as const).map((d) => [
    d,
    `District ${d}`,
  ]),
) as Record<S['PoliceDistrict'], string>;

/**
 * Every enum of the OpenAPI document, by where it is (a named schema; `Schema.property` for one declared in place;
 * `METHOD /path ?parameter` for a query parameter), and its words. The words check requires an entry for each enum
 * it finds and words for each of its values.
 */
export const ENUM_WORDS: Record<string, Readonly<Record<string, string>>> = {
  ErrorCode: ERROR_WORDS,
  Role: ROLE_WORDS,
  ActorRole: ACTOR_ROLE_WORDS,
  ProsecutorOffice: OFFICE_NAMES,
  PoliceDistrict: DISTRICT_WORDS,
  CaseStatus: CASE_STATUS_WORDS,
  CaseOrigin: ORIGIN_LABELS,
  ActivityType: ACTIVITY_LABELS,
  FederalAgency: AGENCY_LABELS,
  Disposition: DISPOSITION_WORDS,
  IdentificationOutcome: OUTCOME_LABELS,
  TimelineEntryKind: TIMELINE_ENTRY_KIND_WORDS,
  AuditOutcome: AUDIT_OUTCOME_WORDS,
  AuditAction: AUDIT_ACTION_WORDS,
  EvidenceKind: KIND_LABELS,
  EvidenceStatus: EVIDENCE_STATUS_WORDS,
  IntegrityStatus: INTEGRITY_STATUS_WORDS,
  RetentionMode: RETENTION_MODE_WORDS,
  LegalHoldAction: LEGAL_HOLD_ACTION_WORDS,
  'EvidenceVerification.result': VERIFICATION_RESULT_WORDS,
  PacketStatus: PACKET_STATUS_WORDS,
  PacketDecision: DECISION_NAMES,
  CheckpointReason: CHECKPOINT_REASON_WORDS,
  DependencyState: DEPENDENCY_STATE_WORDS,
  'DatabaseHealth.error': HEALTH_ERROR_WORDS,
  'StorageHealthCheck.error': HEALTH_ERROR_WORDS,
  'HealthReport.status': HEALTH_STATUS_WORDS,
  StatisticsTableId: STATISTICS_TABLE_TITLES,
  StatisticsUnit: STATISTICS_UNIT_WORDS,
  StatisticsSuppression: SUPPRESSION_WORDS,
  TicketPurpose: TICKET_PURPOSE_WORDS,
  'ArchiveTicketDto.purpose': TICKET_PURPOSE_WORDS,
  'AuditExportTicketDto.purpose': TICKET_PURPOSE_WORDS,
  'AuditExportTicketDto.format': EXPORT_FORMAT_WORDS,
  AttentionQueueKey: Object.fromEntries(Object.entries(ATTENTION_QUEUE_WORDS).map(([k, w]) => [k, w.title])),
  'ApiErrorBody.state': ACCOUNT_STATE_WORDS,
  'LoginResult.tokenType': TOKEN_TYPE_WORDS,
  'ManifestSignature.algorithm': SIGNATURE_ALGORITHM_WORDS,
  'PublishedKeyView.algorithm': SIGNATURE_ALGORITHM_WORDS,
  'PersonnelEntryView.roles': PERSONNEL_ROLE_LABELS,
  'PersonnelDetailView.roles': PERSONNEL_ROLE_LABELS,
  'PersonnelPage.sort': PERSONNEL_SORT_LABELS,
  'ReviewQueuePage.sort': QUEUE_SORT_WORDS,
  'GET /api/v1/cases ?district': DISTRICT_WORDS,
  'GET /api/v1/cases ?supervisorIdentification': SUPERVISOR_ID_FILTER_LABELS,
  'GET /api/v1/cases ?sort': CASE_SORT_LABELS,
  'GET /api/v1/cases ?order': SORT_DIRECTION_WORDS,
  'GET /api/v1/audit/events ?order': AUDIT_ORDER_WORDS,
  'GET /api/v1/review-queue ?sort': QUEUE_SORT_WORDS,
  'GET /api/v1/audit/export ?format': EXPORT_FORMAT_WORDS,
  'GET /api/v1/federal-personnel ?role': PERSONNEL_ROLE_LABELS,
  'GET /api/v1/federal-personnel ?sort': PERSONNEL_SORT_LABELS,
  'GET /api/v1/public/statistics ?format': STATISTICS_FORMAT_WORDS,
};

/**
 * The submit checklist's items (`item` of libs/cases/src/order-rules.ts missingForSubmit), as the officer reads
 * them on the case page, where each links to the field it needs (issue 16).
 */
export const CHECKLIST_ITEM_WORDS: Record<string, string> = {
  incidentAt: 'The date and time of the incident',
  incidentLocation: 'Where the incident took place',
  origin: 'Whether you witnessed the activity or it was reported to you',
  activityType: 'The type of federal activity',
  agencies: 'At least one federal agency involved',
  narrative: 'A narrative of what happened',
  federalSupervisorIdentification:
    'A federal supervisor record saying what came of the attempt to identify them (identity confirmed, partly identified, refused or unable) and how it was made',
  injuriesReported: 'Whether anyone was injured',
  injuryDescription: 'A description of the injuries',
  emsCalled: 'Whether EMS was called',
  emsCalledAt: 'When EMS was called',
  aidGiven: 'What aid was given',
  evidenceOrNoFootageReason:
    'Body-worn camera or other video footage (photos and documents do not count), or the reason there is no footage',
};

/** The footage item of the checklist as two links (to the upload, to the no-footage reason): read together, the item's words above. */
export const CHECKLIST_FOOTAGE_LINKS = {
  footage: 'Body-worn camera or other video footage',
  between: ' (photos and documents do not count), or ',
  reason: 'the reason there is no footage',
};

/** The state of one section of the officer's case page (incident, federal personnel, violations), in words. */
export const SECTION_STATE_WORDS: Record<'saved' | 'unsaved' | 'conflict', { title: string; explain: string }> = {
  saved: { title: 'Saved', explain: 'Everything in this section is saved in the case.' },
  unsaved: {
    title: 'Unsaved changes',
    explain:
      'Save this section to keep them in the case. Until then they are kept on this computer only, and other sections are not affected.',
  },
  conflict: {
    title: 'Conflict',
    explain:
      'Someone else saved this case after you opened it. Your changes are kept in the form but not saved: load the current version ' +
      'if asked, choose which value to keep for any field you both changed, then save this section again.',
  },
};
