import { AuthUser } from '@app/common';
import { UserEntity } from './user.entity';
import { UserView } from './dto/user-views';

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
    mustChangePassword: u.mustChangePassword,
    deactivationReason: u.deactivationReason,
    deactivatedAt: u.deactivatedAt?.toISOString() ?? null,
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
