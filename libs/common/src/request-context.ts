import { AsyncLocalStorage } from 'node:async_hooks';
import type { ProsecutorOffice } from './jurisdiction';
import type { Role } from './role';

/** The authenticated caller as services see it. */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  district: number | null;
  office: ProsecutorOffice | null;
  badgeNumber: string | null;
  displayName: string;
}

/** Facts about the current request that every audit event carries. */
export interface RequestContext {
  requestId: string;
  clientIp: string | null;
  userAgent: string | null;
  actor?: AuthUser;
  /** The permission the route requires, set by the global guard (names failure events). */
  permission?: string;
  /** On a public route that audits its refusals (login), the action they are recorded as (set by the global guard). */
  auditAction?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const RequestContextStore = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
};
