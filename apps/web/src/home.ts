import type { Role } from './session';

/** Where each role lands after signing in. */
export const HOME: Record<Role, string> = {
  OFFICER: '/home',
  SUPERVISOR: '/home',
  PROSECUTOR: '/home',
  AUDITOR: '/home',
  ADMIN: '/home',
};
