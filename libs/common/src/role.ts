/**
 * The one source of the roles: the `Role` type, the validators (`@IsIn(ROLES)`) and the OpenAPI enum
 * `Role` all derive from this list. Every user holds exactly one role; the database's CHECK constraint on
 * `users.role` (migration 1763700000000) lists the same five.
 */
export const ROLES = ['OFFICER', 'SUPERVISOR', 'PROSECUTOR', 'AUDITOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Who an audit event names as its actor: a user's role, or the service itself, or nobody signed in. */
export const ACTOR_ROLES = [...ROLES, 'SYSTEM', 'ANONYMOUS'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];
