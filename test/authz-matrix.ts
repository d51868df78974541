/**
 * THE authorization matrix: every route the API registers x every caller x the status the design
 * (docs/domain.md, "Roles and scope", "The case lifecycle"; the routes: the OpenAPI document) wants. Data only; the
 * authz suite (authz.e2e-spec.ts) iterates it against the real app and fails when the app
 * registers a route this file does not list, or this file lists a route the app does not have.
 *
 * How to read a row
 * - `expect[caller]` is the status when the caller acts on a resource IN their scope:
 *     OFFICER    -> their own case
 *     SUPERVISOR -> a case of their district authored by another officer (the OFFICER of the row)
 *     AUDITOR    -> any case
 *     PROSECUTOR -> a CCSAO prosecutor. They have no case scope: on case routes they are refused by
 *                   role. They reach a packet only when it was sent to their office (all packet
 *                   fixtures go to CCSAO), and an evidence item only when such a packet disclosed it
 *                   (an `evidence_disclosures` row for their office).
 *     ADMIN      -> the same resource as the supervisor (no case or packet scope: refused by role)
 *     ANONYMOUS  -> no Authorization header at all
 *   Role-level refusals are 403, a missing token 401, public routes answer everyone.
 * - `fixture` is the state the resource is put in before the request, chosen so that the caller
 *   who is allowed succeeds (submit needs a complete checklist, approve/return a SUBMITTED case):
 *   a 403/404 in this file is about permission or scope, never about state.
 * - `scope` (every id-taking case, evidence and packet route) names the status for callers outside
 *   that scope. Out of scope answers 404 (OWASP API1: indistinguishable from a missing id) and is
 *   still audited as `access.denied`. A role that may not use the route at all gets its role-level
 *   403 first, whatever the id: that leaks nothing about the resource. Packet routes (and evidence
 *   reached through a packet) also list PROSECUTOR_OTHER_OFFICE, a prosecutor of the office the
 *   packet was NOT sent to; the decision route lists PROSECUTOR_SAME_OFFICE_NOT_CLAIMANT (403:
 *   they may see the packet, but only the prosecutor who claimed it decides).
 * - Packet fixtures are built through the API: the OFFICER (or, for SUPERVISOR_AUTHOR, that
 *   supervisor) writes and submits a complete case, a supervisor of the district who is NOT its
 *   author approves it and sends it to CCSAO (no violation is a felony, so CCSAO is chosen
 *   explicitly; the send row itself sends `{}` and so exercises the CITY_LAW default).
 *
 * Every row gets a fresh fixture; ids in paths are written `:id` (a tus upload's own id `:uploadId`).
 */
import type { Role } from '@app/common';
import { SUBMIT_ATTESTATION } from '../libs/cases/src/order-rules';

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
 * - approvedCase: that case, approved by a supervisor of the district who is not its author (the
 *   row's SUPERVISOR; for SUPERVISOR_AUTHOR, who wrote it, another supervisor of the district)
 * - referredCase: an approvedCase that supervisor sent to CCSAO (case REFERRED, one PENDING packet)
 * - targetUser: another user (an OFFICER) who is the `:id` of a /users/:id route
 * - evidence: an evidence item the OFFICER uploaded to a draftCase; its id is the `:id`
 * - packetEvidence: an evidence item the OFFICER uploaded to a complete case that was then submitted,
 *   approved and sent to CCSAO (so the packet discloses it to CCSAO); its id is the `:id`
 * - withdrawnEvidence: an evidence item the OFFICER uploaded to a draftCase that a supervisor of the district
 *   (not its author) then withdrew: the case has ended, so its legal hold may be released; its id is the `:id`
 * - packet: the PENDING packet of a referredCase (sent to CCSAO); its id is the `:id`
 * - claimedPacket: that packet claimed by the row's PROSECUTOR (packet and case IN_REVIEW); `related` (BodyContext) is
 *   PROSECUTOR_SAME_OFFICE_NOT_CLAIMANT, a colleague of the office the claim may be handed to (issue 16)
 * - decidedPacket: that packet decided by the row's PROSECUTOR (CHARGES_FILED, external reference AUTHZ-REF-1; case CLOSED)
 * - personnelEntry: an entry of the federal personnel index: the OFFICER's complete case recording two federal
 *   officers with badges no other case has (Given.personnelEntries), approved and sent to CCSAO; its id is the
 *   `:id`, the other officer's entry is `related` (BodyContext)
 * - personnelLink: those two entries linked by the row's SUPERVISOR; the link's id is the `:id`
 * - evidenceTicket: a DOWNLOAD ticket the OFFICER got for an item they uploaded to a draftCase; the ticket is the
 *   `:ticket` of GET /tickets/:ticket. The ticket is the credential: no bearer token is needed (ANONYMOUS), the
 *   holder's own token is accepted, another user's token beside it is refused (403, audited as access.denied)
 * - uploadingCase: a draftCase on which a tus upload (issue 18) was created by the OFFICER (SUPERVISOR_AUTHOR: that
 *   supervisor, who wrote the case; OFFICER_AUTHOR_NOT_UPLOADER: the row's SUPERVISOR) and TUS_UPLOAD.sent of its
 *   TUS_UPLOAD.bytes were appended; the case is the `:id`, the upload the `:uploadId`. Only its creator may use it.
 */
export type Fixture =
  | 'none'
  | 'draftCase'
  | 'submittedCase'
  | 'approvedCase'
  | 'referredCase'
  | 'targetUser'
  | 'evidence'
  | 'packetEvidence'
  | 'withdrawnEvidence'
  | 'packet'
  | 'claimedPacket'
  | 'decidedPacket'
  | 'evidenceTicket'
  | 'personnelEntry'
  | 'personnelLink'
  | 'uploadingCase';

/** The office every packet fixture is sent to, and the office of the in-scope PROSECUTOR. */
export const HOME_OFFICE = 'CCSAO';
export const OTHER_OFFICE = 'CITY_LAW';

/**
 * Callers outside the in-scope relation (plus the supervisor-as-author edge of the two-person rule,
 * and the prosecutor of the right office who did not claim the packet).
 */
export type ScopeVariant =
  | 'OFFICER_SAME_DISTRICT_NOT_AUTHOR'
  | 'OFFICER_OTHER_DISTRICT'
  | 'SUPERVISOR_OTHER_DISTRICT'
  | 'SUPERVISOR_AUTHOR'
  | 'PROSECUTOR_OTHER_OFFICE'
  | 'PROSECUTOR_SAME_OFFICE_NOT_CLAIMANT'
  | 'OFFICER_AUTHOR_NOT_UPLOADER';

export const SCOPE_VARIANTS: Record<
  ScopeVariant,
  {
    role: 'OFFICER' | 'SUPERVISOR' | 'PROSECUTOR';
    /** Officers' and supervisors' district; null for prosecutors. */
    district: number | null;
    /** Prosecutors' office; null for the other roles. */
    office: 'CCSAO' | 'CITY_LAW' | null;
    /**
     * true: the caller authored (and, from submittedCase on, submitted) the case, and another
     * supervisor of the district approved it; false: the row's OFFICER authored it and the row's
     * SUPERVISOR approved it. Claimed packets are always claimed by the row's PROSECUTOR.
     */
    authorsCase: boolean;
    /** uploadingCase: the tus upload was created by the row's SUPERVISOR, not by the caller (the OFFICER who wrote the case). */
    uploadedBySupervisor?: boolean;
    description: string;
  }
> = {
  OFFICER_SAME_DISTRICT_NOT_AUTHOR: {
    role: 'OFFICER',
    district: HOME_DISTRICT,
    office: null,
    authorsCase: false,
    description: 'an officer of the same district who did not author the case',
  },
  OFFICER_OTHER_DISTRICT: {
    role: 'OFFICER',
    district: OTHER_DISTRICT,
    office: null,
    authorsCase: false,
    description: 'an officer of another district',
  },
  SUPERVISOR_OTHER_DISTRICT: {
    role: 'SUPERVISOR',
    district: OTHER_DISTRICT,
    office: null,
    authorsCase: false,
    description: 'a supervisor of another district',
  },
  SUPERVISOR_AUTHOR: {
    role: 'SUPERVISOR',
    district: HOME_DISTRICT,
    office: null,
    authorsCase: true,
    description: 'a supervisor of the district who authored the case themselves (two-person rule)',
  },
  PROSECUTOR_OTHER_OFFICE: {
    role: 'PROSECUTOR',
    district: null,
    office: OTHER_OFFICE,
    authorsCase: false,
    description: `a prosecutor of ${OTHER_OFFICE}, where the packet was not sent`,
  },
  PROSECUTOR_SAME_OFFICE_NOT_CLAIMANT: {
    role: 'PROSECUTOR',
    district: null,
    office: HOME_OFFICE,
    authorsCase: false,
    description: `another prosecutor of ${HOME_OFFICE}, who did not claim the packet`,
  },
  OFFICER_AUTHOR_NOT_UPLOADER: {
    role: 'OFFICER',
    district: HOME_DISTRICT,
    office: null,
    authorsCase: false,
    uploadedBySupervisor: true,
    description:
      "the officer who wrote the case, on a tus upload the district's supervisor created on it (only its creator may use it)",
  },
};

/** Scope variants every id-taking case or evidence route must list (SUPERVISOR_AUTHOR is listed where it matters). */
export const REQUIRED_CASE_SCOPE_VARIANTS: readonly ScopeVariant[] = [
  'OFFICER_SAME_DISTRICT_NOT_AUTHOR',
  'OFFICER_OTHER_DISTRICT',
  'SUPERVISOR_OTHER_DISTRICT',
];

/** Scope variants every /packets/:id route, and every evidence row whose item a packet disclosed, must list. */
export const REQUIRED_PACKET_SCOPE_VARIANTS: readonly ScopeVariant[] = [
  ...REQUIRED_CASE_SCOPE_VARIANTS,
  'PROSECUTOR_OTHER_OFFICE',
];

/** What a request body may depend on. */
export interface BodyContext {
  /** Unique per request (usernames, badges). */
  unique: string;
  /** The caller's own credentials (a fresh user's for ANONYMOUS). */
  credentials: { username: string; password: string };
  /** A second id the fixture made besides `:id` (personnelEntry: the other entry), when the body needs one. */
  related?: string | null;
}

export interface MatrixRow {
  /** 'METHOD /api/v1/path/:id' exactly as registered. */
  route: string;
  fixture: Fixture;
  body?: (ctx: BodyContext) => Record<string, unknown>;
  /** A raw-body file upload instead of a JSON body: query string and bytes. */
  upload?: { query: string; bytes: Buffer };
  /** A tus 1.0.0 request (issue 18): the headers it sends besides Tus-Resumable: 1.0.0, and the bytes of a PATCH. */
  tus?: { headers: Record<string, string>; bytes?: Buffer };
  expect: Record<Caller, number>;
  scope?: Partial<Record<ScopeVariant, number>>;
  /** Why the row says what it says (design reference). */
  why: string;
}

const FEDERAL_OFFICERS = {
  officers: [
    {
      isSupervisor: true,
      name: 'R. Doe',
      agency: 'ICE_ERO',
      identificationOutcome: 'REFUSED',
      identificationMethod: 'Asked for name and badge number; agent refused and walked away',
    },
  ],
};
/**
 * The tus upload of the uploadingCase fixture: Upload-Length is bytes.length, the fixture appended the first `sent`
 * bytes, the PATCH row appends the next `chunk` (the upload stays open: the effect is the offset, not an item).
 */
export const TUS_UPLOAD = {
  bytes: Buffer.from('authz matrix tus evidence bytes\n'.repeat(96)),
  sent: 1024,
  chunk: 1024,
} as const;
const TUS_METADATA = `kind ${Buffer.from('BWC').toString('base64')},deviceId ${Buffer.from('AXON-AUTHZ-TUS').toString('base64')}`;

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
  {
    route: `GET ${API}/auth/system-use-notice`,
    fixture: 'none',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 200, ANONYMOUS: 200 },
    why: 'issue 16: the system use notification (AC-8) is read before signing in, so it is public',
  },

  // --- auth -------------------------------------------------------------------------------------
  {
    route: `GET ${API}/auth/me`,
    fixture: 'none',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 200, ANONYMOUS: 401 },
    why: 'any authenticated caller',
  },
  {
    route: `GET ${API}/me/attention`,
    fixture: 'none',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 200, ANONYMOUS: 401 },
    why: "issue 16: every role's home screen (what needs me now), computed in the caller's own scope",
  },

  {
    route: `POST ${API}/auth/password`,
    fixture: 'none',
    body: (c) => ({
      currentPassword: c.credentials.password,
      newPassword: `${c.credentials.password}-changed-${c.unique}`.slice(0, 128),
    }),
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 200, ANONYMOUS: 401 },
    why: 'issue 16: everyone changes their own password (the only route open after an administrator reset it)',
  },
  {
    route: `POST ${API}/auth/logout`,
    fixture: 'none',
    expect: { OFFICER: 204, SUPERVISOR: 204, PROSECUTOR: 204, AUDITOR: 204, ADMIN: 204, ANONYMOUS: 401 },
    why: 'everyone signs out, which ends every session of their own (also open while a reset password must be changed)',
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
    why: 'ADMIN reads a user (not in the table of docs/domain.md, but registered: ADMIN only like the rest of /users)',
  },
  {
    route: `PATCH ${API}/users/:id`,
    fixture: 'targetUser',
    body: () => ({ displayName: 'Renamed by the authz suite' }),
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 200, ANONYMOUS: 401 },
    why: 'ADMIN changes role / deactivates',
  },
  {
    route: `POST ${API}/users/:id/password-reset`,
    fixture: 'targetUser',
    body: () => ({}),
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 200, ANONYMOUS: 401 },
    why: 'issue 16: ADMIN resets a password to a temporary one the user must change',
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
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
    },
    why: 'scoped read; AUDITOR sees metadata',
  },
  {
    route: `PATCH ${API}/cases/:id`,
    fixture: 'draftCase',
    body: () => ({ narrative: 'Amended: the agents left in an unmarked grey van.' }),
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
    },
    why: 'author edits own case; supervisor may do what an officer may on district cases',
  },
  {
    route: `PUT ${API}/cases/:id/federal-officers`,
    fixture: 'draftCase',
    body: () => FEDERAL_OFFICERS,
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
    },
    why: 'author/supervisor',
  },
  {
    route: `PUT ${API}/cases/:id/violations`,
    fixture: 'draftCase',
    body: () => VIOLATIONS,
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
    },
    why: 'author/supervisor',
  },
  {
    route: `POST ${API}/cases/:id/submit`,
    fixture: 'draftCase',
    // Issue 16: submit carries the author's attestation (the current words and their version id).
    body: () => ({ attestation: { ...SUBMIT_ATTESTATION } }),
    // A supervisor of the district who did not write the case may not submit it: submit(author).
    expect: { OFFICER: 200, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
    },
    why: 'DRAFT --submit(author)--> SUBMITTED',
  },
  {
    route: `POST ${API}/cases/:id/return`,
    fixture: 'submittedCase',
    body: () => ({ reason: 'Add the route number of the bus stop.' }),
    expect: { OFFICER: 403, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    // Officers may not return at all (role-level 403 whatever the case); a supervisor never reviews their own case.
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 403,
    },
    why: 'SUBMITTED --return(supervisor != author)--> RETURNED',
  },
  {
    route: `POST ${API}/cases/:id/approve`,
    fixture: 'submittedCase',
    body: () => ({ note: 'Complete and consistent with the BWC log.' }),
    expect: { OFFICER: 403, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 403,
    },
    why: 'SUBMITTED --approve(supervisor != author)--> APPROVED',
  },
  {
    route: `POST ${API}/cases/:id/withdraw`,
    fixture: 'draftCase',
    body: () => ({ reason: 'Duplicate of a case opened by the district desk.' }),
    expect: { OFFICER: 403, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
    },
    why: 'DRAFT/SUBMITTED/RETURNED --withdraw(supervisor, reason)--> WITHDRAWN',
  },
  {
    route: `GET ${API}/cases/:id/timeline`,
    fixture: 'draftCase',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
    },
    why: 'scoped, AUDITOR',
  },

  // --- evidence ---------------------------------------------------------------------------------
  {
    route: `POST ${API}/cases/:id/evidence`,
    fixture: 'draftCase',
    upload: {
      query: 'kind=BWC&deviceId=AXON-AUTHZ-1&recordingOfficerBadge=4471',
      bytes: Buffer.from('authz matrix evidence bytes\n'.repeat(64)),
    },
    expect: { OFFICER: 201, SUPERVISOR: 201, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 201,
    },
    why: 'author/supervisor upload to a case in scope',
  },
  {
    route: `GET ${API}/cases/:id/evidence`,
    fixture: 'draftCase',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
    },
    why: 'scoped metadata; AUDITOR reviews custody',
  },
  // The read rows use an item a packet disclosed to CCSAO, so the PROSECUTOR cell tests the packet path.
  {
    route: `GET ${API}/evidence/:id`,
    fixture: 'packetEvidence',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: 'metadata + custody, scope as for the case; prosecutors reach an item a packet disclosed to their office',
  },
  {
    route: `GET ${API}/evidence/:id/content`,
    fixture: 'packetEvidence',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: 'content is case substance: auditors see metadata and custody, not footage; prosecutors what a packet disclosed',
  },
  {
    route: `POST ${API}/evidence/:id/verify`,
    fixture: 'packetEvidence',
    body: () => ({}),
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: 'integrity check: anyone who may see the item, auditors and prosecutors (of a disclosed item) included',
  },
  {
    route: `POST ${API}/evidence/:id/supersede`,
    fixture: 'evidence',
    body: () => ({ reason: 'Uploaded the wrong clip; the right one follows.' }),
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
    },
    why: 'author/supervisor mark a mistaken upload (never delete)',
  },
  // Resumable uploads (issue 18, tus 1.0.0). Only an upload's creator may use its URL: anyone else, whatever their role
  // and scope, is told it does not exist (404, audited as access.denied of the evidence_upload).
  {
    route: `OPTIONS ${API}/cases/:id/evidence/uploads`,
    fixture: 'draftCase',
    tus: { headers: {} },
    expect: { OFFICER: 204, SUPERVISOR: 204, PROSECUTOR: 204, AUDITOR: 204, ADMIN: 204, ANONYMOUS: 204 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 204,
      OFFICER_OTHER_DISTRICT: 204,
      SUPERVISOR_OTHER_DISTRICT: 204,
      SUPERVISOR_AUTHOR: 204,
    },
    why: 'issue 18: tus discovery (version, extensions, maximum size) is public and says nothing about the case',
  },
  {
    route: `POST ${API}/cases/:id/evidence/uploads`,
    fixture: 'draftCase',
    tus: { headers: { 'Upload-Length': String(TUS_UPLOAD.bytes.length), 'Upload-Metadata': TUS_METADATA } },
    expect: { OFFICER: 201, SUPERVISOR: 201, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 201,
    },
    why: 'issue 18: creating a resumable upload is an upload: author/supervisor, case in scope',
  },
  {
    route: `HEAD ${API}/cases/:id/evidence/uploads/:uploadId`,
    fixture: 'uploadingCase',
    tus: { headers: {} },
    expect: { OFFICER: 200, SUPERVISOR: 404, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
      OFFICER_AUTHOR_NOT_UPLOADER: 404,
    },
    why: "issue 18: an upload's offset, for its creator only (the district's supervisor, even the case's author, gets 404)",
  },
  {
    route: `PATCH ${API}/cases/:id/evidence/uploads/:uploadId`,
    fixture: 'uploadingCase',
    tus: {
      headers: { 'Upload-Offset': String(TUS_UPLOAD.sent), 'Content-Type': 'application/offset+octet-stream' },
      bytes: TUS_UPLOAD.bytes.subarray(TUS_UPLOAD.sent, TUS_UPLOAD.sent + TUS_UPLOAD.chunk),
    },
    expect: { OFFICER: 204, SUPERVISOR: 404, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 204,
      OFFICER_AUTHOR_NOT_UPLOADER: 404,
    },
    why: 'issue 18: appending to an upload, for its creator only',
  },
  {
    route: `DELETE ${API}/cases/:id/evidence/uploads/:uploadId`,
    fixture: 'uploadingCase',
    tus: { headers: {} },
    expect: { OFFICER: 204, SUPERVISOR: 404, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 204,
      OFFICER_AUTHOR_NOT_UPLOADER: 404,
    },
    why: 'issue 18: abandoning an upload (termination), for its creator only',
  },
  // Tickets (issue 18): a short-lived credential for a plain GET (a media element, a download link), for whoever may download.
  {
    route: `POST ${API}/evidence/:id/tickets`,
    fixture: 'packetEvidence',
    body: () => ({ purpose: 'DOWNLOAD' }),
    expect: { OFFICER: 201, SUPERVISOR: 201, PROSECUTOR: 201, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 201,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: 'issue 18: a ticket to play or download the item, for exactly who may download its content (auditors never receive footage)',
  },
  {
    route: `GET ${API}/tickets/:ticket`,
    fixture: 'evidenceTicket',
    expect: { OFFICER: 200, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 200 },
    why: "issue 18: the ticket is the credential (no bearer needed); it serves its holder only, so another user's token beside it is refused",
  },
  // Legal holds exist only through S3 Object Lock: the authz suite runs on Ceph RGW, where these succeed.
  {
    route: `POST ${API}/evidence/:id/legal-hold/release`,
    fixture: 'withdrawnEvidence',
    body: () => ({
      reason: "The case was withdrawn; the State's Attorney confirmed no proceedings.",
      reference: 'CCSAO 2026-LH-0042',
    }),
    expect: { OFFICER: 403, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    // Officers may not release at all (role-level 403 whatever the item); the supervisor who wrote the case may not either.
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 403,
    },
    why: 'issue 19: released only after the case ended, by a supervisor of the district who did not write it, with reason and authorising reference',
  },
  {
    route: `POST ${API}/evidence/:id/legal-hold`,
    fixture: 'packetEvidence',
    body: () => ({ reason: 'Preserve for trial.', reference: '2026-CR-0012345' }),
    expect: { OFFICER: 403, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: 'issue 19: a hold may be placed (again) at any time by a supervisor of the district or a prosecutor of an office a packet disclosed the item to',
  },

  // --- packets and the review queue ---------------------------------------------------------------
  {
    route: `POST ${API}/cases/:id/packets`,
    fixture: 'approvedCase',
    // No violation is a felony, so the office defaults to CITY_LAW (checked in the effect).
    body: () => ({}),
    expect: { OFFICER: 403, SUPERVISOR: 201, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    // Officers may not send at all (role-level 403 whatever the case); the approval was another supervisor's,
    // so the author-supervisor may send their own approved case.
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 201,
    },
    why: 'APPROVED --send(supervisor)--> REFERRED: freeze, sign and store the manifest',
  },
  {
    route: `GET ${API}/cases/:id/packet-preview`,
    fixture: 'approvedCase',
    expect: { OFFICER: 403, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    // Who may send may look first: the same permission and scope as the send; a read, audited as packet.previewed.
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
    },
    why: 'issue 16: what the send would freeze, sign and send (evidence with size and SHA-256, office), before the irreversible send',
  },
  {
    route: `GET ${API}/cases/:id/packets`,
    fixture: 'referredCase',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
    },
    why: "a case's packets, scoped by the case; prosecutors have no case scope (they use the queue and /packets/:id)",
  },
  {
    route: `GET ${API}/review-queue`,
    fixture: 'none',
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 200, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    why: "a prosecutor's office queue",
  },
  {
    route: `GET ${API}/packets/:id`,
    fixture: 'packet',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: "packet metadata: case-side roles through the case's scope, prosecutors of the office it was sent to",
  },
  {
    route: `GET ${API}/packets/:id/manifest`,
    fixture: 'packet',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: 'the signed manifest holds the case as sent (narrative, personnel): case substance, so not for auditors',
  },
  {
    route: `GET ${API}/packets/:id/archive`,
    fixture: 'packet',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: 'the ZIP (manifest, signature, evidence files): case substance, so not for auditors',
  },
  {
    route: `POST ${API}/packets/:id/archive/tickets`,
    fixture: 'packet',
    body: () => ({}),
    expect: { OFFICER: 201, SUPERVISOR: 201, PROSECUTOR: 201, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 201,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: 'issue 18: a ticket to download the ZIP with a plain link, for whoever may download the archive',
  },
  {
    route: `GET ${API}/packets/:id/case-report.pdf`,
    fixture: 'packet',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: 'issue 15: the printable case report (the case as sent, narrative and personnel included): exactly who may download the archive that carries it',
  },
  {
    route: `POST ${API}/packets/:id/claim`,
    fixture: 'packet',
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 200, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    // Only prosecutors claim (role-level 403 for everyone else, whatever the packet).
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 403,
      SUPERVISOR_AUTHOR: 403,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: 'PENDING --claim(prosecutor of the office)--> IN_REVIEW (case REFERRED -> IN_REVIEW)',
  },
  {
    route: `POST ${API}/packets/:id/decision`,
    fixture: 'claimedPacket',
    body: () => ({ decision: 'DECLINED', reason: 'Insufficient evidence of a state-law violation.' }),
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 200, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 403,
      SUPERVISOR_AUTHOR: 403,
      PROSECUTOR_OTHER_OFFICE: 404,
      // Sees the packet (same office), but only the claimant decides.
      PROSECUTOR_SAME_OFFICE_NOT_CLAIMANT: 403,
    },
    why: 'IN_REVIEW --decide(claimant)--> DECIDED (case IN_REVIEW -> CLOSED with the disposition)',
  },
  {
    route: `POST ${API}/packets/:id/release`,
    fixture: 'claimedPacket',
    body: () => ({ reason: 'Conflict of interest: I know a witness.' }),
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 200, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 403,
      SUPERVISOR_AUTHOR: 403,
      PROSECUTOR_OTHER_OFFICE: 404,
      // Sees the packet, but inside the SLA only the claimant releases (403 PACKET.NOT_CLAIMANT).
      PROSECUTOR_SAME_OFFICE_NOT_CLAIMANT: 403,
    },
    why: 'issue 16: IN_REVIEW --release(claimant; a stale claim also a colleague)--> PENDING (case IN_REVIEW -> REFERRED)',
  },
  {
    route: `POST ${API}/packets/:id/hand-over`,
    fixture: 'claimedPacket',
    body: (c) => ({ toUserId: c.related, reason: 'Handed to the colleague who handles Border Patrol matters.' }),
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 200, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 403,
      SUPERVISOR_AUTHOR: 403,
      PROSECUTOR_OTHER_OFFICE: 404,
      PROSECUTOR_SAME_OFFICE_NOT_CLAIMANT: 403,
    },
    why: 'issue 16: the claimant hands the claim to another active prosecutor of the office (stays IN_REVIEW)',
  },
  {
    route: `POST ${API}/packets/:id/reference-corrections`,
    fixture: 'decidedPacket',
    body: () => ({ externalReference: 'AUTHZ-REF-2', reason: 'The clerk renumbered the case.' }),
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 201, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 403,
      SUPERVISOR_AUTHOR: 403,
      PROSECUTOR_OTHER_OFFICE: 404,
      // Sees the packet, but only the decider corrects (403 PACKET.NOT_DECIDER).
      PROSECUTOR_SAME_OFFICE_NOT_CLAIMANT: 403,
    },
    why: "issue 16: the decider appends a correction of the decision's external reference (the decision stays as decided)",
  },
  {
    route: `GET ${API}/office/colleagues`,
    fixture: 'none',
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 200, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    why: "issue 16: the other active prosecutors of one's own office (whom a claim may be handed to)",
  },

  // --- the federal personnel index (issue 15) -------------------------------------------------------------
  {
    route: `GET ${API}/federal-personnel`,
    fixture: 'none',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    why: 'issue 15: the index within each scope (officers their cases, supervisors their district, prosecutors what was sent to their office, auditors counts without names)',
  },
  {
    route: `GET ${API}/federal-personnel/:id`,
    fixture: 'personnelEntry',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 404,
      OFFICER_OTHER_DISTRICT: 404,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: "issue 15: an entry with at least one case in the caller's scope; otherwise indistinguishable from a missing id",
  },
  {
    route: `POST ${API}/federal-personnel/:id/links`,
    fixture: 'personnelEntry',
    body: (c) => ({ otherId: c.related, reason: 'The same badge photo appears in both recordings.' }),
    expect: { OFFICER: 403, SUPERVISOR: 201, PROSECUTOR: 201, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 201,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: 'issue 15: supervisors and prosecutors state that two entries they can see are one person, with a reason; officers read only',
  },
  {
    route: `POST ${API}/federal-personnel/links/:id/unlink`,
    fixture: 'personnelLink',
    body: () => ({ reason: 'The recordings show two different people.' }),
    expect: { OFFICER: 403, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 403, ADMIN: 403, ANONYMOUS: 401 },
    scope: {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: 403,
      OFFICER_OTHER_DISTRICT: 403,
      SUPERVISOR_OTHER_DISTRICT: 404,
      SUPERVISOR_AUTHOR: 200,
      PROSECUTOR_OTHER_OFFICE: 404,
    },
    why: 'issue 15: a link is undone with a reason by anyone who may link and sees both entries (the linker or another user)',
  },

  // --- audit review (AUDITOR) and public keys -------------------------------------------------------
  {
    route: `GET ${API}/keys`,
    fixture: 'none',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 200, ANONYMOUS: 200 },
    why: 'public: anyone may verify exports and packets offline',
  },
  {
    route: `GET ${API}/public/statistics`,
    fixture: 'none',
    expect: { OFFICER: 200, SUPERVISOR: 200, PROSECUTOR: 200, AUDITOR: 200, ADMIN: 200, ANONYMOUS: 200 },
    why: 'issue 15 §5: public aggregate statistics, no sign-in (every count below 10 withheld)',
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
    route: `POST ${API}/audit/export/tickets`,
    fixture: 'none',
    body: () => ({}),
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 201, ADMIN: 403, ANONYMOUS: 401 },
    why: 'issue 18: a ticket to download an export with a plain link (the export is made and audited when it is used)',
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
  {
    route: `GET ${API}/audit/actors`,
    fixture: 'none',
    expect: { OFFICER: 403, SUPERVISOR: 403, PROSECUTOR: 403, AUDITOR: 200, ADMIN: 403, ANONYMOUS: 401 },
    why: "issue 16: the auditor's actor picker (people of the trail by username or name; each lookup audited)",
  },
];

/** Routes the authz suite does not police (served by Swagger UI, not by the API's controllers). */
export const UNPOLICED_ROUTE = /^[A-Z]+ \/api\/docs([/-]|$)/;
