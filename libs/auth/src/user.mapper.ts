import type { AuthUser, ProsecutorOffice, Role } from '@app/common';
import { UserEntity } from './user.entity';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  badgeNumber: string | null;
  district: number | null;
  office: ProsecutorOffice | null;
  active: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Allow-list of what leaves the service about a user: never the password hash. */
export function toUserView(u: UserEntity, now = new Date()): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    badgeNumber: u.badgeNumber,
    district: u.district,
    office: u.office,
    active: u.active,
    lockedUntil: u.lockedUntil && u.lockedUntil > now ? u.lockedUntil.toISOString() : null,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

export function toAuthUser(u: UserEntity): AuthUser {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    district: u.district,
    office: u.office,
    badgeNumber: u.badgeNumber,
    displayName: u.displayName,
  };
}
