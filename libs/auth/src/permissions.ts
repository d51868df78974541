import type { AuditAction } from '@app/audit';
import type { Role } from '@app/common';

/**
 * What a route requires. The value names the attempted action in audit events of failed or
 * denied attempts (successful changes are named for what happened, e.g. `case.submitted`).
 */
export enum Permission {
  AuthMe = 'auth.me',
  /** Issue 16: every role's home screen, "what needs me now", computed in the caller's own scope. */
  AttentionRead = 'attention.read',
  /** Change one's own password (every role; the one route open while a reset password must be changed). */
  AuthPasswordChange = 'auth.password.change',
  UserCreate = 'user.create',
  UserRead = 'user.read',
  UserUpdate = 'user.update',
  UserPasswordReset = 'user.reset_password',
  CaseCreate = 'case.create',
  CaseRead = 'case.read',
  CaseUpdate = 'case.update',
  CaseSubmit = 'case.submit',
  CaseReturn = 'case.return',
  CaseApprove = 'case.approve',
  CaseWithdraw = 'case.withdraw',
  CaseTimelineRead = 'case.timeline.read',
  EvidenceUpload = 'evidence.upload',
  EvidenceList = 'evidence.list',
  EvidenceRead = 'evidence.read',
  EvidenceDownload = 'evidence.download',
  EvidenceVerify = 'evidence.verify',
  EvidenceSupersede = 'evidence.supersede',
  EvidenceLegalHoldPlace = 'evidence.legal_hold.place',
  EvidenceLegalHoldRelease = 'evidence.legal_hold.release',
  PacketSend = 'packet.send',
  PacketRead = 'packet.read',
  PacketManifestRead = 'packet.manifest.read',
  PacketArchiveDownload = 'packet.archive.download',
  PacketClaim = 'packet.claim',
  PacketDecide = 'packet.decide',
  /** Issue 16: release a claim (the claimant; a stale claim also another prosecutor of the office). */
  PacketRelease = 'packet.release',
  /** Issue 16: hand a claim to another active prosecutor of the office (the claimant). */
  PacketHandOver = 'packet.hand_over',
  /** Issue 16: correct a decision's external reference, appended (the decider). */
  PacketReferenceCorrect = 'packet.reference.correct',
  /** Issue 16: the active prosecutors of one's own office (to hand a claim to). */
  OfficeColleaguesRead = 'office.colleagues.read',
  ReviewQueueRead = 'review_queue.read',
  FederalPersonnelRead = 'federal_personnel.read',
  FederalPersonnelLink = 'federal_personnel.link',
  AuditRead = 'audit.read',
  AuditExport = 'audit.export',
  AuditVerify = 'audit.verify',
  /** Sign out: ends every session of the caller (every role; also open while a reset password must be changed). */
  AuthLogout = 'auth.logout',
}

const OFFICER: Permission[] = [
  Permission.AuthMe,
  Permission.AttentionRead,
  Permission.AuthPasswordChange,
  Permission.AuthLogout,
  Permission.CaseCreate,
  Permission.CaseRead,
  Permission.CaseUpdate,
  Permission.CaseSubmit,
  Permission.CaseTimelineRead,
  Permission.EvidenceUpload,
  Permission.EvidenceList,
  Permission.EvidenceRead,
  Permission.EvidenceDownload,
  Permission.EvidenceVerify,
  Permission.EvidenceSupersede,
  // A case's packets (scoped by the case): what was sent, to whom, and what came of it.
  Permission.PacketRead,
  Permission.PacketManifestRead,
  Permission.PacketArchiveDownload,
  // The federal personnel recorded on their own cases (issue 15): read only.
  Permission.FederalPersonnelRead,
];

/** THE role -> permission table. Object-level scope is checked in the services. */
export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  OFFICER: new Set(OFFICER),
  // Legal holds: a supervisor of the case's district places one at any time, and releases one only after the case
  // ended (CLOSED or WITHDRAWN), never on a case they wrote, with a reason and the court or prosecutor's reference
  // that allows it (checked in the evidence service). Officers ask their supervisor; prosecutors may place (below).
  SUPERVISOR: new Set([
    ...OFFICER,
    Permission.CaseReturn,
    Permission.CaseApprove,
    Permission.CaseWithdraw,
    Permission.PacketSend,
    Permission.EvidenceLegalHoldPlace,
    Permission.EvidenceLegalHoldRelease,
    // Issue 15: links two entries of the federal personnel index as one person (or undoes a link), with a reason.
    Permission.FederalPersonnelLink,
  ]),
  // Prosecutors work their office's queue; they reach a case only through packets sent to their office
  // (scope checked in the services), and its evidence only as those packets list it.
  PROSECUTOR: new Set([
    Permission.AuthMe,
    Permission.AttentionRead,
    Permission.AuthPasswordChange,
    Permission.AuthLogout,
    Permission.ReviewQueueRead,
    Permission.PacketRead,
    Permission.PacketManifestRead,
    Permission.PacketArchiveDownload,
    Permission.PacketClaim,
    Permission.PacketDecide,
    // Issue 16: release or hand over a claim, correct a decision's external reference (who exactly: PacketsService).
    Permission.PacketRelease,
    Permission.PacketHandOver,
    Permission.PacketReferenceCorrect,
    Permission.OfficeColleaguesRead,
    Permission.EvidenceRead,
    Permission.EvidenceDownload,
    Permission.EvidenceVerify,
    // The office that may need the footage in court may put it (an item a packet disclosed to it) under hold again.
    Permission.EvidenceLegalHoldPlace,
    // Issue 15: the personnel of the packets sent to their office (the same supervisor across districts), and links.
    Permission.FederalPersonnelRead,
    Permission.FederalPersonnelLink,
  ]),
  // Auditors see evidence metadata and custody and may verify integrity; they never download content.
  AUDITOR: new Set([
    Permission.AuthMe,
    Permission.AttentionRead,
    Permission.AuthPasswordChange,
    Permission.AuthLogout,
    Permission.CaseRead,
    Permission.CaseTimelineRead,
    Permission.EvidenceList,
    Permission.EvidenceRead,
    Permission.EvidenceVerify,
    Permission.PacketRead,
    Permission.AuditRead,
    Permission.AuditExport,
    Permission.AuditVerify,
    // Issue 15: the federal personnel index as counts, without names (checked in PersonnelService).
    Permission.FederalPersonnelRead,
  ]),
  ADMIN: new Set([
    Permission.AuthMe,
    Permission.AttentionRead,
    Permission.AuthPasswordChange,
    Permission.AuthLogout,
    Permission.UserCreate,
    Permission.UserRead,
    Permission.UserUpdate,
    Permission.UserPasswordReset,
  ]),
};

export function roleHas(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role]?.has(permission) ?? false;
}

/**
 * The audit action a refused or failed request of a route is recorded under when it is neither `access.denied` nor
 * `auth.unauthenticated`: the route's permission. Compiles only while every permission is in the audit catalogue.
 */
export function attemptedAction(permission: Permission): AuditAction {
  return permission;
}
