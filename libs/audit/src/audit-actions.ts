/**
 * THE catalogue of audit actions: every `action` the service writes into the hash chain, each with its one-line
 * meaning. It is part of the export format (outside verifiers and auditors read these names), published in the
 * README's export format section (a test compares the two) and in the OpenAPI document as the `AuditAction` enum.
 *
 * `AuditService.append` takes an `AuditAction`, so a name that is not here does not compile. Call sites use the
 * constants (`AuditAction.CaseSubmitted`), never a string literal. A name, once written to the chain, is never
 * renamed or removed (old exports must keep meaning what they meant); add new ones at the end of their group.
 *
 * Refused and failed requests: a request refused by role or scope is `access.denied`, one without a valid token
 * `auth.unauthenticated`, one over a rate limit `rate_limit.exceeded` (all DENIED). Any other refused request (bad
 * input, a state that does not allow it, a conflict, a dependency down) is FAILED under the name of the route's
 * permission: those names are the "attempt" entries below (every permission of `libs/auth` has one; its compiler
 * checks it).
 */

interface Entry<N extends string = string, A extends string = string> {
  /** The constant's name (`AuditAction.<name>`). */
  readonly name: N;
  /** What the chain stores. */
  readonly action: A;
  /** One line: what happened when an event carries this action. */
  readonly meaning: string;
}

const done = <N extends string, A extends string>(name: N, action: A, meaning: string): Entry<N, A> => ({
  name,
  action,
  meaning,
});

/** A FAILED request of a route whose permission is `action` (refusals by role or scope are access.denied instead). */
const attempt = <N extends string, A extends string>(name: N, action: A, what: string): Entry<N, A> => ({
  name,
  action,
  meaning: `A request to ${what} that failed (FAILED: invalid input, a state or conflict that does not allow it, or a dependency down); details give the status, code and fields`,
});

export const AUDIT_ACTION_CATALOGUE = [
  // --- sign-in and accounts
  done(
    'AuthLogin',
    'auth.login',
    'A sign-in: SUCCESS, FAILED (wrong password, unknown or inactive account) or DENIED (account locked); details name the username, never the password',
  ),
  done('AuthPasswordChanged', 'auth.password_changed', 'A user changed their own password'),
  done(
    'AuthUnauthenticated',
    'auth.unauthenticated',
    'A request refused because it carried no valid token or ticket (DENIED, 401)',
  ),
  done('UserLocked', 'user.locked', 'An account was locked after repeated failed sign-ins; details give until when'),
  done('UserCreated', 'user.created', 'An administrator created a user account (role, badge, district or office)'),
  done(
    'UserUpdated',
    'user.updated',
    'An administrator changed a user (name, badge, district, role, or deactivated / reactivated it); details list the changes',
  ),
  done(
    'UserPasswordReset',
    'user.password_reset',
    "An administrator reset a user's password; the user must choose a new one at the next sign-in",
  ),
  done(
    'AuthLoggedOut',
    'auth.logged_out',
    'A user signed out: every token of the account issued until then stopped being accepted (all their sessions ended)',
  ),
  // --- access
  done(
    'AccessDenied',
    'access.denied',
    "A request refused by role or by scope (403, or 404 for something outside the caller's scope); details name what was attempted",
  ),
  done(
    'RateLimitExceeded',
    'rate_limit.exceeded',
    'A request refused because its caller or address exceeded a rate limit (DENIED, 429)',
  ),
  done(
    'RequestFailed',
    'request.failed',
    'A refused request of a route that names no permission (FAILED); details give the method, path, status and code',
  ),
  done('AttentionViewed', 'attention.viewed', 'A user opened their home screen of what needs them now (its counts)'),
  done(
    'TicketIssued',
    'ticket.issued',
    'A short-lived ticket was issued to a user for one evidence item, packet archive or audit export',
  ),
  // --- cases
  done('CaseCreated', 'case.created', 'An officer or supervisor opened a case (DRAFT)'),
  done('CaseUpdated', 'case.updated', "A case's fields were edited; details list which fields changed"),
  done(
    'CaseFederalOfficersUpdated',
    'case.federal_officers.updated',
    'The federal personnel recorded on a case were replaced',
  ),
  done('CaseViolationsUpdated', 'case.violations.updated', 'The alleged violations recorded on a case were replaced'),
  done('CaseSubmitted', 'case.submitted', 'The author submitted a case for supervisor review'),
  done('CaseReturned', 'case.returned', 'A supervisor returned a submitted case to its author, with a reason'),
  done('CaseApproved', 'case.approved', 'A supervisor (not the author) approved a submitted case'),
  done('CaseWithdrawn', 'case.withdrawn', 'A supervisor withdrew a case, with a reason'),
  done('CaseViewed', 'case.viewed', 'A user read a case'),
  done('CaseSearched', 'case.searched', 'A user searched the cases; details give the filters and how many matched'),
  // --- evidence
  done('EvidenceUploadCreated', 'evidence.upload.created', 'A resumable (tus) evidence upload was started'),
  done(
    'EvidenceUploaded',
    'evidence.uploaded',
    'An evidence item was stored; details give its SHA-256, size and sniffed type',
  ),
  done('EvidenceUploadCancelled', 'evidence.upload.cancelled', 'The uploader cancelled an unfinished resumable upload'),
  done(
    'EvidenceUploadAbandoned',
    'evidence.upload.abandoned',
    'An unfinished resumable upload expired and was abandoned',
  ),
  done(
    'EvidenceUploadCleanedUp',
    'evidence.upload.cleaned_up',
    'The parts of an unfinished upload were removed from storage',
  ),
  done(
    'EvidencePreserved',
    'evidence.preserved',
    'Retention (and a legal hold) was applied to a stored evidence item in WORM storage',
  ),
  done('EvidenceListed', 'evidence.listed', "A user listed a case's evidence"),
  done(
    'EvidenceViewed',
    'evidence.viewed',
    "A user read an evidence item's metadata and custody, or started playing it",
  ),
  done(
    'EvidenceDownloaded',
    'evidence.downloaded',
    "An evidence item's content was downloaded (directly or in a packet archive)",
  ),
  done(
    'EvidencePlaybackEnded',
    'evidence.playback.ended',
    'A playback ticket ended; details summarise what was played (requests, byte ranges)',
  ),
  done(
    'EvidenceVerified',
    'evidence.verified',
    'An evidence item was re-read from storage and its hash compared: SUCCESS when it matches, FAILED when not',
  ),
  done(
    'EvidenceIntegrityFailed',
    'evidence.integrity_failed',
    "An evidence item's stored bytes did not match its SHA-256 while being read (FAILED)",
  ),
  done(
    'EvidenceSuperseded',
    'evidence.superseded',
    'An evidence item was marked superseded (a mistaken upload), with a reason; nothing is deleted',
  ),
  done(
    'EvidenceLegalHoldPlaced',
    'evidence.legal_hold_placed',
    'A legal hold was placed on an evidence item, with a reason',
  ),
  done(
    'EvidenceLegalHoldReleased',
    'evidence.legal_hold_released',
    'A legal hold was released from an evidence item, with a reason and reference',
  ),
  // --- packets and review
  done('PacketSent', 'packet.sent', "A supervisor froze, signed and sent a case's packet to a prosecutor's office"),
  done('PacketViewed', 'packet.viewed', 'A user read a packet'),
  done(
    'PacketPreviewed',
    'packet.previewed',
    'A supervisor previewed the packet a send would make (office, evidence list) before sending it',
  ),
  done('PacketManifestViewed', 'packet.manifest.viewed', "A user read a packet's signed manifest"),
  done(
    'PacketArchiveDownloaded',
    'packet.archive.downloaded',
    "A packet's archive (manifest, signature, evidence) was downloaded: SUCCESS when complete, FAILED when cut short",
  ),
  done('PacketCaseReportDownloaded', 'packet.case_report.downloaded', "A packet's case report was downloaded"),
  done(
    'PacketCaseReportIntegrityFailed',
    'packet.case_report.integrity_failed',
    "A packet's stored case report did not match its recorded hash (FAILED)",
  ),
  done(
    'ReviewQueueSearched',
    'review_queue.searched',
    "A prosecutor listed their office's review queue; details give the filters",
  ),
  done('PacketClaimed', 'packet.claimed', 'A prosecutor claimed a packet for review'),
  done(
    'PacketReleased',
    'packet.released',
    'A claim on a packet was released back to the queue; details give the reason and basis',
  ),
  done('PacketHandedOver', 'packet.handed_over', 'A claim on a packet was handed to a colleague of the same office'),
  done(
    'PacketDecided',
    'packet.decided',
    'A prosecutor recorded the decision on a packet (disposition, reason, external reference)',
  ),
  done(
    'PacketReferenceCorrected',
    'packet.reference_corrected',
    "A decision's external reference was corrected afterwards (the decision stays as decided)",
  ),
  // --- federal personnel
  done('FederalPersonnelSearched', 'federal_personnel.searched', 'A user searched the federal personnel index'),
  done('FederalPersonnelViewed', 'federal_personnel.viewed', 'A user read an entry of the federal personnel index'),
  done(
    'FederalPersonnelLinked',
    'federal_personnel.linked',
    'Two entries of the federal personnel index were linked as one person, with a reason',
  ),
  done(
    'FederalPersonnelUnlinked',
    'federal_personnel.unlinked',
    'A link between federal personnel entries was undone, with a reason',
  ),
  // --- the audit trail itself and publication
  done('AuditExported', 'audit.exported', 'An auditor exported the audit trail; details give the format and filters'),
  done(
    'AuditVerified',
    'audit.verified',
    'The hash chain stored in the database was re-verified: SUCCESS when intact, FAILED with the first break',
  ),
  done(
    'AuditActorsSearched',
    'audit.actors.searched',
    "An auditor looked people up by part of their username or name (the search's actor picker); details give what was typed and how many matched",
  ),
  done(
    'AuditArchived',
    'audit.archived',
    'Old audit events were archived to storage (signed, hashed) before being dropped from the database',
  ),
  done('StatisticsPublished', 'statistics.published', 'The public aggregate statistics were published'),
  // --- failed requests, named by the route's permission
  attempt('AuthMeAttempt', 'auth.me', "read one's own account"),
  attempt('AttentionReadAttempt', 'attention.read', "read one's home screen counts"),
  attempt('AuthPasswordChangeAttempt', 'auth.password.change', "change one's own password"),
  attempt('UserCreateAttempt', 'user.create', 'create a user'),
  attempt('UserReadAttempt', 'user.read', 'list or read users'),
  attempt('UserUpdateAttempt', 'user.update', 'change a user'),
  attempt('UserPasswordResetAttempt', 'user.reset_password', "reset a user's password"),
  attempt('CaseCreateAttempt', 'case.create', 'open a case'),
  attempt('CaseReadAttempt', 'case.read', 'read or search cases'),
  attempt('CaseUpdateAttempt', 'case.update', 'edit a case (fields, federal personnel or violations)'),
  attempt('CaseSubmitAttempt', 'case.submit', 'submit a case'),
  attempt('CaseReturnAttempt', 'case.return', 'return a case to its author'),
  attempt('CaseApproveAttempt', 'case.approve', 'approve a case'),
  attempt('CaseWithdrawAttempt', 'case.withdraw', 'withdraw a case'),
  attempt('CaseTimelineReadAttempt', 'case.timeline.read', "read a case's history"),
  attempt('EvidenceUploadAttempt', 'evidence.upload', 'upload evidence (the upload was rejected and nothing kept)'),
  attempt('EvidenceListAttempt', 'evidence.list', "list a case's evidence"),
  attempt('EvidenceReadAttempt', 'evidence.read', 'read an evidence item'),
  attempt('EvidenceDownloadAttempt', 'evidence.download', 'download or play an evidence item'),
  attempt('EvidenceVerifyAttempt', 'evidence.verify', 'verify an evidence item'),
  attempt('EvidenceSupersedeAttempt', 'evidence.supersede', 'mark an evidence item superseded'),
  attempt('EvidenceLegalHoldPlaceAttempt', 'evidence.legal_hold.place', 'place a legal hold'),
  attempt('EvidenceLegalHoldReleaseAttempt', 'evidence.legal_hold.release', 'release a legal hold'),
  attempt('PacketSendAttempt', 'packet.send', 'send a packet'),
  attempt('PacketReadAttempt', 'packet.read', 'read a packet'),
  attempt('PacketManifestReadAttempt', 'packet.manifest.read', "read a packet's manifest"),
  attempt('PacketArchiveDownloadAttempt', 'packet.archive.download', "download a packet's archive or case report"),
  attempt('PacketClaimAttempt', 'packet.claim', 'claim a packet'),
  attempt('PacketDecideAttempt', 'packet.decide', 'record a decision'),
  attempt('PacketReleaseAttempt', 'packet.release', 'release a claim'),
  attempt('PacketHandOverAttempt', 'packet.hand_over', 'hand a claim over'),
  attempt('PacketReferenceCorrectAttempt', 'packet.reference.correct', "correct a decision's external reference"),
  attempt('OfficeColleaguesReadAttempt', 'office.colleagues.read', "list one's office colleagues"),
  attempt('ReviewQueueReadAttempt', 'review_queue.read', 'list the review queue'),
  attempt('FederalPersonnelReadAttempt', 'federal_personnel.read', 'search or read the federal personnel index'),
  attempt('FederalPersonnelLinkAttempt', 'federal_personnel.link', 'link or unlink federal personnel entries'),
  attempt('AuditReadAttempt', 'audit.read', 'search the audit trail'),
  attempt('AuditExportAttempt', 'audit.export', 'export the audit trail'),
  attempt('AuditVerifyAttempt', 'audit.verify', 'verify the audit chain'),
  attempt('AuthLogoutAttempt', 'auth.logout', 'sign out'),
] as const;

type CatalogueEntry = (typeof AUDIT_ACTION_CATALOGUE)[number];

/** Every action name the service writes. */
export type AuditAction = CatalogueEntry['action'];

/** The names as constants: `AuditAction.CaseSubmitted` is `'case.submitted'`. */
export const AuditAction = Object.freeze(Object.fromEntries(AUDIT_ACTION_CATALOGUE.map((e) => [e.name, e.action]))) as {
  readonly [E in CatalogueEntry as E['name']]: E['action'];
};

/** Every action, in catalogue order (the OpenAPI enum, the README table). */
export const AUDIT_ACTIONS: readonly AuditAction[] = AUDIT_ACTION_CATALOGUE.map((e) => e.action);

const MEANINGS = new Map<string, string>(AUDIT_ACTION_CATALOGUE.map((e) => [e.action, e.meaning]));

export function isAuditAction(s: unknown): s is AuditAction {
  return typeof s === 'string' && MEANINGS.has(s);
}

export function meaningOf(action: AuditAction): string {
  return MEANINGS.get(action)!;
}

/** The README's table of actions (test/readme.e2e-spec.ts checks the README holds exactly this). */
export function auditActionsMarkdown(): string {
  return [
    '| action | meaning |',
    '|---|---|',
    ...AUDIT_ACTION_CATALOGUE.map((e) => `| \`${e.action}\` | ${e.meaning.replace(/\|/g, '\\|')} |`),
  ].join('\n');
}
