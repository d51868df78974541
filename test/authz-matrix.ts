/**
 * THE authorization matrix: every route the API registers x every caller x the status the design
 * (shared/DESIGN.md, "Roles and scope", "Case lifecycle", "HTTP surface") wants. Data only; the
 * authz suite (authz.e2e-spec.ts) iterates it against the real app and fails when the app
 * registers a route this file does not list, or this file lists a route the app does not have.
 *
 * How to read a row
 * - `expect[caller]` is the status when the caller acts on a resource IN their scope:
 *     OFFICER    -> their own case
 *     SUPERVISOR -> a case of their district authored by another officer (the OFFICER of the row)
 *     AUDITOR    -> any case
 *     PROSECUTOR, ADMIN -> the same case as the supervisor (they have no case scope: refused by role)
 *     ANONYMOUS  -> no Authorization header at all
 *   Role-level refusals are 403, a missing token 401, public routes answer everyone.
 * - `fixture` is the state the resource is put in before the request, chosen so that the caller
 *   who is allowed succeeds (submit needs a complete checklist, approve/return a SUBMITTED case):
 *   a 403/404 in this file is about permission or scope, never about state.
 * - `scope` (every id-taking case route) names the status for callers outside that scope. Out of
 *   scope answers 404 (OWASP API1: indistinguishable from a missing id) and is still audited as
 *   `access.denied`. A role that may not use the route at all gets its role-level 403 first,
 *   whatever the id: that leaks nothing about the resource.
 *
 * Every row gets a fresh fixture; ids in paths are written `:id`.
 */
import type { Role } from '@app/common';

export const API = '/api/v1';

export type Caller = Role | 'ANONYMOUS';
export const CALLERS: readonly Caller[] = ['OFFICER', 'SUPERVISOR', 'PROSECUTOR', 'AUDITOR', 'ADMIN', 'ANONYMOUS'];

/** District of the in-scope callers (OFFICER author, SUPERVISOR) and of the case; OTHER_DISTRICT for out-of-scope ones. */
export const HOME_DISTRICT = 1;
export const OTHER_DISTRICT = 12;

/**
 * What exists before the request.
 * - none: nothing beyond the callers themselves
 * - draftCase: a DRAFT case with a complete checklist (ready to submit), authored by the OFFICER
 * - submittedCase: that case, submitted by its author
 * - targetUser: another user (an OFFICER) who is the `:id` of a /users/:id route
 * - evidence: an evidence item the OFFICER uploaded to a draftCase; its id is the `:id`
 */
export type Fixture = 'none' | 'draftCase' | 'submittedCase' | 'targetUser' | 'evidence';

/** Callers outside the in-scope relation (plus the supervisor-as-author edge of the two-person rule). */
export type ScopeVariant =
  | 'OFFICER_SAME_DISTRICT_NOT_AUTHOR'
  | 'OFFICER_OTHER_DISTRICT'
  | 'SUPERVISOR_OTHER_DISTRICT'
  | 'SUPERVISOR_AUTHOR';

export const SCOPE_VARIANTS: Record<ScopeVariant, {
  role: 'OFFICER' | 'SUPERVISOR';
  district: number;
  /** true: the caller authored (and, for submittedCase, submitted) the case; false: the row's OFFICER did. */
  authorsCase: boolean;
  description: string;
}> = {
  OFFICER_SAME_DISTRICT_NOT_AUTHOR: {
    role: 'OFFICER', district: HOME_DISTRICT, authorsCase: false,
    description: 'an officer of the same district who did not author the case',
  },
  OFFICER_OTHER_DISTRICT: {
    role: 'OFFICER', district: OTHER_DISTRICT, authorsCase: false,
    description: 'an officer of another district',
  },
  SUPERVISOR_OTHER_DISTRICT: {
    role: 'SUPERVISOR', district: OTHER_DISTRICT, authorsCase: false,
    description: 'a supervisor of another district',
  },
  SUPERVISOR_AUTHOR: {
    role: 'SUPERVISOR', district: HOME_DISTRICT, authorsCase: true,
    description: 'a supervisor of the district who authored the case themselves (two-person rule)',
  },
};

/** Scope variants every id-taking case or evidence route must list (SUPERVISOR_AUTHOR is listed where it matters). */
export const REQUIRED_CASE_SCOPE_VARIANTS: readonly ScopeVariant[] = [
  'OFFICER_SAME_DISTRICT_NOT_AUTHOR', 'OFFICER_OTHER_DISTRICT', 'SUPERVISOR_OTHER_DISTRICT',
];

/** What a request body may depend on. */
export interface BodyContext {
  /** Unique per request (usernames, badges). */
  unique: string;
  /** The caller's own credentials (a fresh user's for ANONYMOUS). */
  credentials: { username: string; password: string };
}

export interface MatrixRow {
  /** 'METHOD /api/v1/path/:id' exactly as registered. */
  route: string;
  fixture: Fixture;
  body?: (ctx: BodyContext) => Record<string, unknown>;
  /** A raw-body file upload instead of a JSON body: query string and bytes. */
  upload?: { query: string; bytes: Buffer };
  expect: Record<Caller, number>;
  scope?: Partial<Record<ScopeVariant, number>>;
  /** Why the row says what it says (design reference). */
  why: string;
}

const FEDERAL_OFFICERS = {
  officers: [{
    isSupervisor: true,
    name: 'R. Doe',
    agency: 'ICE_ERO',
    identificationOutcome: 'REFUSED',
    identificationMethod: 'Asked for name and badge number; agent refused and walked away',
  }],
};
const VIOLATIONS = {
  violations: [{ citation: '720 ILCS 5/12-3', description: 'Battery of a bystander during the arrest', felony: false }],
};

export const AUTHZ_MATRIX: readonly MatrixRow[] = [
  // --- public ---------------------------------------------------------------------------------
  {
    route: `POST ${API}/auth/login`,
    fixture: 'none',
    body: (c) => ({ username: c.credentials.username, password: c.credentials.password }),
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 200, ANONYMOUS: 200 },
    why: 'public: username + password -> token',
  },
  {
    route: `GET ${API}/health`,
    fixture: 'none',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 200, ANONYMOUS: 200 },
    why: 'public liveness/readiness',
  },

  // --- auth -------------------------------------------------------------------------------------
  {
    route: `GET ${API}/auth/me`,
    fixture: 'none',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 200, ANONYMOUS: 401 },
    why: 'any authenticated caller',
  },

  // --- users (ADMIN only) -------------------------------------------------------------------------
  {
    route: `POST ${API}/users`,
    fixture: 'none',
    body: (c) => ({
      username: `authz-${c.unique}`,
      displayName: 'Created by the authz suite',
      password: 'authz-matrix-password-1',
      role: 'AUDITOR',
    }),
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 201, ANONYMOUS: 401 },
    why: 'ADMIN manages users',
  },
  {
    route: `GET ${API}/users`,
    fixture: 'none',
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 200, ANONYMOUS: 401 },
    why: 'ADMIN lists users',
  },
  {
    route: `GET ${API}/users/:id`,
    fixture: 'targetUser',
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 200, ANONYMOUS: 401 },
    why: 'ADMIN reads a user (not in the DESIGN table, but registered: ADMIN only like the rest of /users)',
  },
  {
    route: `PATCH ${API}/users/:id`,
    fixture: 'targetUser',
    body: () => ({ displayName: 'Renamed by the authz suite' }),
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 200, ANONYMOUS: 401 },
    why: 'ADMIN changes role / deactivates',
  },

  // --- cases ------------------------------------------------------------------------------------
  {
    route: `POST ${API}/cases`,
    fixture: 'none',
    body: () => ({ origin: 'WITNESSED', activityType: 'ARREST' }),
    expect: { OFFICER: 201, SUPERVISOR: 201, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    why: 'OFFICER, SUPERVISOR open cases',
  },
  {
    route: `GET ${API}/cases`,
    fixture: 'draftCase',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    why: 'scoped list; prosecutors see packets not cases, admins no case content',
  },
  {
    route: `GET ${API}/cases/:id`,
    fixture: 'draftCase',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404, OFFICER_OTHER_DISTRICT: 404, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 200 },
    why: 'scoped read; AUDITOR sees metadata',
  },
  {
    route: `PATCH ${API}/cases/:id`,
    fixture: 'draftCase',
    body: () => ({ narrative: 'Amended: the agents left in an unmarked grey van.' }),
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404, OFFICER_OTHER_DISTRICT: 404, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 200 },
    why: 'author edits own case; supervisor may do what an officer may on district cases',
  },
  {
    route: `PUT ${API}/cases/:id/federal-officers`,
    fixture: 'draftCase',
    body: () => FEDERAL_OFFICERS,
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404, OFFICER_OTHER_DISTRICT: 404, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 200 },
    why: 'author/supervisor',
  },
  {
    route: `PUT ${API}/cases/:id/violations`,
    fixture: 'draftCase',
    body: () => VIOLATIONS,
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404, OFFICER_OTHER_DISTRICT: 404, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 200 },
    why: 'author/supervisor',
  },
  {
    route: `POST ${API}/cases/:id/submit`,
    fixture: 'draftCase',
    body: () => ({}),
    // A supervisor of the district who did not write the case may not submit it: submit(author).
    expect: { OFFICER: 200, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404, OFFICER_OTHER_DISTRICT: 404, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 200 },
    why: 'DRAFT --submit(author)--> SUBMITTED',
  },
  {
    route: `POST ${API}/cases/:id/return`,
    fixture: 'submittedCase',
    body: () => ({ reason: 'Add the route number of the bus stop.' }),
    expect: { OFFICER: 403, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    // Officers may not return at all (role-level 403 whatever the case); a supervisor never reviews their own case.
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403, OFFICER_OTHER_DISTRICT: 403, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 403 },
    why: 'SUBMITTED --return(supervisor != author)--> RETURNED',
  },
  {
    route: `POST ${API}/cases/:id/approve`,
    fixture: 'submittedCase',
    body: () => ({ note: 'Complete and consistent with the BWC log.' }),
    expect: { OFFICER: 403, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403, OFFICER_OTHER_DISTRICT: 403, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 403 },
    why: 'SUBMITTED --approve(supervisor != author)--> APPROVED',
  },
  {
    route: `POST ${API}/cases/:id/withdraw`,
    fixture: 'draftCase',
    body: () => ({ reason: 'Duplicate of a case opened by the district desk.' }),
    expect: { OFFICER: 403, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403, OFFICER_OTHER_DISTRICT: 403, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 200 },
    why: 'DRAFT/SUBMITTED/RETURNED --withdraw(supervisor, reason)--> WITHDRAWN',
  },
  {
    route: `GET ${API}/cases/:id/timeline`,
    fixture: 'draftCase',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404, OFFICER_OTHER_DISTRICT: 404, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 200 },
    why: 'scoped, AUDITOR',
  },

  // --- evidence ---------------------------------------------------------------------------------
  {
    route: `POST ${API}/cases/:id/evidence`,
    fixture: 'draftCase',
    upload: { query: 'kind=BWC&deviceId=AXON-AUTHZ-1&recordingOfficerBadge=4471', bytes: Buffer.from('authz matrix evidence bytes\n'.repeat(64)) },
    expect: { OFFICER: 201, SUPERVISOR: 201, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404, OFFICER_OTHER_DISTRICT: 404, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 201 },
    why: 'author/supervisor upload to a case in scope',
  },
  {
    route: `GET ${API}/cases/:id/evidence`,
    fixture: 'draftCase',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404, OFFICER_OTHER_DISTRICT: 404, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 200 },
    why: 'scoped metadata; AUDITOR reviews custody',
  },
  {
    route: `GET ${API}/evidence/:id`,
    fixture: 'evidence',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404, OFFICER_OTHER_DISTRICT: 404, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 200 },
    why: 'metadata + custody, scope as for the case (prosecutors reach evidence through packets, issue 4)',
  },
  {
    route: `GET ${API}/evidence/:id/content`,
    fixture: 'evidence',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404, OFFICER_OTHER_DISTRICT: 404, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 200 },
    why: 'content is case substance: auditors see metadata and custody, not footage',
  },
  {
    route: `POST ${API}/evidence/:id/verify`,
    fixture: 'evidence',
    body: () => ({}),
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404, OFFICER_OTHER_DISTRICT: 404, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 200 },
    why: 'integrity check: anyone who may see the item, auditors included',
  },
  {
    route: `POST ${API}/evidence/:id/supersede`,
    fixture: 'evidence',
    body: () => ({ reason: 'Uploaded the wrong clip; the right one follows.' }),
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: { OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404, OFFICER_OTHER_DISTRICT: 404, SUPERVISOR_OTHER_DISTRICT: 404, SUPERVISOR_AUTHOR: 200 },
    why: 'author/supervisor mark a mistaken upload (never delete)',
  },

  // --- audit review (AUDITOR) and public keys -------------------------------------------------------
  {
    route: `GET ${API}/keys`,
    fixture: 'none',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 200, ANONYMOUS: 200 },
    why: 'public: anyone may verify exports and packets offline',
  },
  {
    route: `GET ${API}/audit/events`,
    fixture: 'none',
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    why: 'AUDITOR reviews the whole trail',
  },
  {
    route: `GET ${API}/audit/export`,
    fixture: 'none',
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    why: 'AUDITOR exports (the export is itself audited)',
  },
  {
    route: `GET ${API}/audit/verify`,
    fixture: 'none',
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    why: 'AUDITOR has the database re-verify the chain',
  },
  {
    route: `GET ${API}/audit/checkpoints`,
    fixture: 'none',
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    why: 'AUDITOR reads the signed checkpoints',
  },
];

/** Routes the authz suite does not police (served by Swagger UI, not by the API's controllers). */
export const UNPOLICED_ROUTE = /^[A-Z]+ \/api\/docs([/-]|$)/;
