import type { Role } from '@app/common';

/**
 * What a route requires. The value names the attempted action in audit events of failed or
 * denied attempts (successful changes are named for what happened, e.g. `case.submitted`).
 */
export enum Permission {
  AuthMe = 'auth.me',
  UserCreate = 'user.create',
  UserRead = 'user.read',
  UserUpdate = 'user.update',
  CaseCreate = 'case.create',
  CaseRead = 'case.read',
  CaseUpdate = 'case.update',
  CaseSubmit = 'case.submit',
  CaseReturn = 'case.return',
  CaseApprove = 'case.approve',
  CaseWithdraw = 'case.withdraw',
  CaseTimelineRead = 'case.timeline.read',
  EvidenceUpload = 'evidence.upload',
  EvidenceRead = 'evidence.read',
  EvidenceDownload = 'evidence.download',
  EvidenceVerify = 'evidence.verify',
  EvidenceSupersede = 'evidence.supersede',
  AuditRead = 'audit.read',
  AuditExport = 'audit.export',
  AuditVerify = 'audit.verify',
}

const OFFICER: Permission[] = [
  Permission.AuthMe,
  Permission.CaseCreate,
  Permission.CaseRead,
  Permission.CaseUpdate,
  Permission.CaseSubmit,
  Permission.CaseTimelineRead,
  Permission.EvidenceUpload,
  Permission.EvidenceRead,
  Permission.EvidenceDownload,
  Permission.EvidenceVerify,
  Permission.EvidenceSupersede,
];

/** THE role -> permission table. Object-level scope is checked in the services. */
export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  OFFICER: new Set(OFFICER),
  SUPERVISOR: new Set([...OFFICER, Permission.CaseReturn, Permission.CaseApprove, Permission.CaseWithdraw]),
  PROSECUTOR: new Set([Permission.AuthMe]),
  // Auditors see evidence metadata and custody and may verify integrity; they never download content.
  AUDITOR: new Set([
    Permission.AuthMe, Permission.CaseRead, Permission.CaseTimelineRead, Permission.EvidenceRead, Permission.EvidenceVerify,
    Permission.AuditRead, Permission.AuditExport, Permission.AuditVerify,
  ]),
  ADMIN: new Set([Permission.AuthMe, Permission.UserCreate, Permission.UserRead, Permission.UserUpdate]),
};

export function roleHas(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role]?.has(permission) ?? false;
}
