/**
 * Mass assignment (OWASP API3:2023, formerly API6:2019): a field the server owns (status, authorship, scope, hashes,
 * signatures, credentials, timestamps) sent in a write body is refused with 400 naming it, and the
 * request changes nothing. The write routes come from the authz matrix (test/authz-matrix.ts): every
 * POST/PUT/PATCH row must have an entry in PROBES below, so a new write route fails this suite until
 * someone decides which privileged fields it may legitimately take.
 *
 * Each route's probes share one fixture (the state the matrix gives the route, so the caller who is
 * allowed would succeed): every probe checks that the fixture's rows, the table counts and the stored
 * objects are exactly as before, so the next probe starts from the same state. Each route ends with a
 * positive control: the matrix's own body, without the field, succeeds against that same fixture.
 *
 * Evidence uploads take metadata from the query, X-Evidence-* headers or multipart fields: each channel
 * is probed. Resumable (tus) uploads take it from Upload-Metadata at creation only: probed there, and refused
 * (never ignored) on the upload's PATCH and DELETE. Actions that take no input (claim, verify) bind an empty body DTO, so a field sent to them
 * is refused like any other.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Response, Test } from 'supertest';
import { UsersService } from '@app/auth';
import { routeInfos } from './harness/nest-routes';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';
import {
  API,
  AUTHZ_MATRIX,
  Caller,
  HOME_DISTRICT,
  HOME_OFFICE,
  MatrixRow,
  OTHER_DISTRICT,
  TUS_UPLOAD,
} from './authz-matrix';

type Role = Exclude<Caller, 'ANONYMOUS'>;

/** Fields no client may set on a route unless that route's probe entry says why it may. */
const PRIVILEGED = [
  'status',
  'createdBy',
  'district',
  'sha256',
  'office',
  'role',
  'id',
  'caseNumber',
  'version',
  'createdAt',
  'updatedAt',
  'submittedBy',
  'approvedBy',
  'claimedBy',
  'decidedBy',
  'uploadedBy',
  'hash',
  'keyId',
  'signature',
  'disposition',
  'passwordHash',
  'failedLogins',
  'failedLoginCount',
  'lockedUntil',
  'active',
  'caseId',
  'integrityStatus',
] as const;
type Field = (typeof PRIVILEGED)[number];

/** A plausible hostile value for each field; `other` is a user the caller is not (authorship, claims). */
function hostile(field: Field, other: TestUser): unknown {
  const values: Record<Field, unknown> = {
    status: 'APPROVED',
    createdBy: other.id,
    district: OTHER_DISTRICT,
    sha256: '0'.repeat(64),
    office: 'CITY_LAW',
    role: 'ADMIN',
    id: '00000000-0000-4000-8000-000000000001',
    caseNumber: 'ION-2026-999999',
    version: 99,
    createdAt: '2020-01-01T00:00:00.000Z',
    updatedAt: '2020-01-01T00:00:00.000Z',
    submittedBy: other.id,
    approvedBy: other.id,
    claimedBy: other.id,
    decidedBy: other.id,
    uploadedBy: other.id,
    hash: 'f'.repeat(64),
    keyId: 'attacker-key-1',
    signature: Buffer.alloc(64).toString('base64'),
    disposition: 'CHARGES_FILED',
    passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
    failedLogins: 0,
    failedLoginCount: 0,
    lockedUntil: null,
    active: true,
    caseId: '00000000-0000-4000-8000-000000000002',
    integrityStatus: 'OK',
  };
  return values[field];
}

interface Probe {
  /**
   * json: a validated DTO body (@Body); upload: the evidence upload, metadata from query, X-Evidence-*
   * headers or multipart fields (apps/api/src/evidence/upload-request.ts); none: the handler binds no
   * body at all (see "routes that bind no body" below); tus: a tus 1.0.0 request (issue 18), read from the request
   * itself, whose metadata arrives in the Upload-Metadata header (`key base64value,...`) and only at creation.
   */
  input: 'json' | 'upload' | 'tus' | 'none';
  /** Privileged fields this route legitimately takes: why, and how the server constrains them. */
  legit?: Partial<Record<Field, string>>;
  /** Top-level arrays of objects in the body: each privileged field is also probed inside element 0. */
  nested?: string[];
}

const VERSIONED =
  'optimistic concurrency: the version the client edited (or If-Match); a stale one is 409, one that disagrees with If-Match is 400 (tested below)';

const PROBES: Record<string, Probe> = {
  [`POST ${API}/auth/login`]: { input: 'json' },
  [`POST ${API}/users`]: {
    input: 'json',
    legit: {
      role: 'ADMIN creates users with a role (IsIn ROLES; ADMIN-only route)',
      district:
        'the district of an OFFICER/SUPERVISOR: IsIn the districts in service, and assertRoleScope refuses it for other roles (tested below)',
      office: 'the office of a PROSECUTOR: IsIn CCSAO/CITY_LAW, and assertRoleScope refuses it for other roles',
    },
  },
  [`PATCH ${API}/users/:id`]: {
    input: 'json',
    legit: {
      role: 'ADMIN changes a role (docs/domain.md, Roles: PATCH /users/:id changes role / deactivates); the result must pass assertRoleScope',
      district: 'ADMIN moves an officer or supervisor; assertRoleScope refuses it for other roles (tested below)',
      office: 'ADMIN moves a prosecutor; assertRoleScope refuses it for other roles (tested below)',
      active: 'ADMIN deactivates/reactivates an account (IsBoolean)',
    },
  },
  [`POST ${API}/auth/password`]: { input: 'json' },
  [`POST ${API}/auth/logout`]: { input: 'none' },
  [`POST ${API}/users/:id/password-reset`]: { input: 'json' },
  [`POST ${API}/cases`]: { input: 'json' },
  [`PATCH ${API}/cases/:id`]: { input: 'json', legit: { version: VERSIONED } },
  [`PUT ${API}/cases/:id/federal-officers`]: { input: 'json', legit: { version: VERSIONED }, nested: ['officers'] },
  [`PUT ${API}/cases/:id/violations`]: { input: 'json', legit: { version: VERSIONED }, nested: ['violations'] },
  [`POST ${API}/cases/:id/submit`]: { input: 'json', legit: { version: VERSIONED } },
  [`POST ${API}/cases/:id/return`]: { input: 'json', legit: { version: VERSIONED } },
  [`POST ${API}/cases/:id/approve`]: { input: 'json', legit: { version: VERSIONED } },
  [`POST ${API}/cases/:id/withdraw`]: { input: 'json', legit: { version: VERSIONED } },
  [`POST ${API}/cases/:id/evidence`]: {
    input: 'upload',
    legit: {
      sha256:
        "the client's declared SHA-256: the server hashes what arrives and refuses a mismatch with 422, storing nothing (tested below); the stored hash is always the computed one",
    },
  },
  [`POST ${API}/cases/:id/evidence/uploads`]: {
    input: 'tus',
    legit: {
      sha256:
        "the client's declared SHA-256, as for the single-request upload: checked against what was stored when the upload completes (a mismatch is 422, nothing kept; tested in evidence-tus); the stored hash is always the computed one",
    },
  },
  [`PATCH ${API}/cases/:id/evidence/uploads/:uploadId`]: { input: 'tus' },
  [`DELETE ${API}/cases/:id/evidence/uploads/:uploadId`]: { input: 'tus' },
  [`POST ${API}/evidence/:id/verify`]: { input: 'json' },
  [`POST ${API}/evidence/:id/supersede`]: { input: 'json' },
  [`POST ${API}/evidence/:id/legal-hold/release`]: { input: 'json' },
  [`POST ${API}/evidence/:id/legal-hold`]: { input: 'json' },
  [`POST ${API}/federal-personnel/:id/links`]: { input: 'json' },
  [`POST ${API}/federal-personnel/links/:id/unlink`]: { input: 'json' },
  [`POST ${API}/cases/:id/packets`]: {
    input: 'json',
    legit: {
      office:
        'the supervisor chooses the prosecuting office (docs/domain.md: send to an office): IsIn CCSAO/CITY_LAW (tested below), default by felony',
      version: 'the case version the supervisor reviewed (or If-Match); a stale one is 409',
    },
  },
  [`POST ${API}/packets/:id/claim`]: { input: 'json' },
  [`POST ${API}/evidence/:id/tickets`]: { input: 'json' },
  [`POST ${API}/packets/:id/archive/tickets`]: { input: 'json' },
  [`POST ${API}/audit/export/tickets`]: {
    input: 'json',
    legit: {
      caseId:
        'a filter of the export (as GET /audit/export takes it): IsUUID; an auditor may export the events of any case',
    },
  },
  [`POST ${API}/packets/:id/decision`]: { input: 'json' },
  [`POST ${API}/packets/:id/release`]: { input: 'json' },
  [`POST ${API}/packets/:id/hand-over`]: { input: 'json' },
  [`POST ${API}/packets/:id/reference-corrections`]: { input: 'json' },
};

const WRITE_ROWS = AUTHZ_MATRIX.filter((r) => /^(POST|PUT|PATCH|DELETE) /.test(r.route));
const LOGIN = `POST ${API}/auth/login`;
const UPLOAD = `POST ${API}/cases/:id/evidence`;
const b64 = (v: string) => Buffer.from(v, 'utf8').toString('base64');
const isCaseIdRoute = (route: string) => /^[A-Z]+ \/api\/v1\/cases\/:id(\/|$)/.test(route);
const CALLER_ORDER: readonly Caller[] = ['ANONYMOUS', 'OFFICER', 'SUPERVISOR', 'PROSECUTOR', 'AUDITOR', 'ADMIN'];
/** The caller the matrix lets succeed on the row (ANONYMOUS first: the public login). */
const callerFor = (row: MatrixRow): Caller => {
  const c = CALLER_ORDER.find((k) => row.expect[k] < 300);
  if (!c) throw new Error(`${row.route}: no caller succeeds in the matrix`);
  return c;
};
const probedFields = (route: string) => PRIVILEGED.filter((f) => !PROBES[route]?.legit?.[f]);
/** `createdBy` -> `X-Evidence-Created-By`. */
const evidenceHeader = (field: string) =>
  `X-Evidence-${field.replace(/[A-Z]/g, (c) => `-${c}`).replace(/^./, (c) => c.toUpperCase())}`;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('mass assignment: privileged fields in every write body -> 400, and nothing changes', () => {
  let t: TestApp;
  let as: Record<Role, TestUser>;
  /** A user who is not the caller: the hostile value of authorship and claim fields (createdBy, claimedBy, ...). */
  let bystander: TestUser;
  /** Whose credentials the public login probes send. */
  let loginUser: TestUser;
  /** Issue 16: a colleague of the PROSECUTOR's office, whom the hand-over's valid body names. */
  let colleague: TestUser;

  beforeAll(async () => {
    // On Ceph RGW (Object Lock): the legal-hold routes' positive controls succeed only where storage can hold.
    t = await createTestApp({ storage: 'ceph' });
    const g = t.given;
    const [officer, supervisor, prosecutor, auditor, admin, other, login] = await Promise.all([
      g.officer(HOME_DISTRICT),
      g.supervisor(HOME_DISTRICT),
      g.prosecutor(HOME_OFFICE),
      g.auditor(),
      g.admin(),
      g.officer(OTHER_DISTRICT),
      g.officer(HOME_DISTRICT),
    ]);
    as = { OFFICER: officer, SUPERVISOR: supervisor, PROSECUTOR: prosecutor, AUDITOR: auditor, ADMIN: admin };
    bystander = other;
    loginUser = login;
    colleague = await g.prosecutor(HOME_OFFICE);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A new user of `role`, in the home district or office like the shared callers. */
  function freshUser(role: Role): Promise<TestUser> {
    const g = t.given;
    const make: Record<Role, () => Promise<TestUser>> = {
      OFFICER: () => g.officer(HOME_DISTRICT),
      SUPERVISOR: () => g.supervisor(HOME_DISTRICT),
      PROSECUTOR: () => g.prosecutor(HOME_OFFICE),
      AUDITOR: () => g.auditor(),
      ADMIN: () => g.admin(),
    };
    return make[role]();
  }

  // ---------------------------------------------------------------------------------------------
  interface Fx {
    path: string;
    /** The case version for If-Match on case writes. */
    version: number | null;
    caseId?: string;
    userId?: string;
    evidenceId?: string;
    packetId?: string;
    /** BodyContext.related (personnel fixtures). */
    related?: string;
    /** uploadingCase: the tus upload (the `:uploadId` of the path). */
    uploadId?: string;
  }

  interface RouteCtx {
    row: MatrixRow;
    method: string;
    callerName: Caller;
    caller: TestUser | null;
    fx: Fx;
  }

  async function makeFixture(row: MatrixRow, credentials: TestUser): Promise<Fx> {
    const g = t.given;
    const author = as.OFFICER;
    const at = (id: string) => row.route.split(' ')[1].replace(':id', id);
    switch (row.fixture) {
      case 'uploadingCase': {
        const c = await g.caseReadyToSubmit(author);
        const u = await g.tusUpload(author, c.id, TUS_UPLOAD.bytes.length);
        await t
          .http()
          .patch(u.location)
          .set(author.auth)
          .set('Tus-Resumable', '1.0.0')
          .set('Content-Type', 'application/offset+octet-stream')
          .set('Upload-Offset', '0')
          .send(TUS_UPLOAD.bytes.subarray(0, TUS_UPLOAD.sent))
          .expect(204);
        return {
          path: at(c.id).replace(':uploadId', u.uploadId),
          version: c.version,
          caseId: c.id,
          uploadId: u.uploadId,
        };
      }
      case 'none':
        return { path: at(''), version: null, userId: credentials.id };
      case 'draftCase': {
        const c = await g.caseReadyToSubmit(author);
        return { path: at(c.id), version: c.version, caseId: c.id };
      }
      case 'submittedCase': {
        const c = await g.submittedCase(author);
        return { path: at(c.id), version: c.version, caseId: c.id };
      }
      case 'approvedCase': {
        const c = await g.approvedCase(author, as.SUPERVISOR);
        return { path: at(c.id), version: c.version, caseId: c.id };
      }
      case 'referredCase': {
        const p = await g.sentPacket(author, as.SUPERVISOR, HOME_OFFICE);
        return { path: at(p.caseId), version: null, caseId: p.caseId, packetId: p.id };
      }
      case 'targetUser': {
        const u = await t.app.get(UsersService).create('SYSTEM', {
          username: `ma-target-${randomUUID().slice(0, 12)}`,
          displayName: 'Target of the mass-assignment suite',
          password: `pw-${randomBytes(9).toString('hex')}`,
          role: 'OFFICER',
          district: HOME_DISTRICT,
        });
        return { path: at(u.id), version: null, userId: u.id };
      }
      case 'evidence': {
        const c = await g.caseReadyToSubmit(author);
        const e = await g.evidence(author, c.id);
        return { path: at(e.id), version: null, caseId: c.id, evidenceId: e.id };
      }
      case 'withdrawnEvidence': {
        const c = await g.caseReadyToSubmit(author);
        const e = await g.evidence(author, c.id);
        await g.withdraw(as.SUPERVISOR, c.id, c.version);
        return { path: at(e.id), version: null, caseId: c.id, evidenceId: e.id };
      }
      case 'packetEvidence': {
        const c = await g.caseReadyToSubmit(author);
        const e = await g.evidence(author, c.id);
        await g.submit(author, c.id);
        await g.approve(as.SUPERVISOR, c.id);
        const p = await g.sendPacket(as.SUPERVISOR, c.id, HOME_OFFICE);
        return { path: at(e.id), version: null, caseId: c.id, evidenceId: e.id, packetId: p.id };
      }
      case 'packet': {
        const p = await g.sentPacket(author, as.SUPERVISOR, HOME_OFFICE);
        return { path: at(p.id), version: null, caseId: p.caseId, packetId: p.id };
      }
      case 'claimedPacket': {
        const p = await g.sentPacket(author, as.SUPERVISOR, HOME_OFFICE);
        await g.claim(as.PROSECUTOR, p.id);
        return { path: at(p.id), version: null, caseId: p.caseId, packetId: p.id, related: colleague.id };
      }
      case 'decidedPacket': {
        const p = await g.sentPacket(author, as.SUPERVISOR, HOME_OFFICE);
        await g.claim(as.PROSECUTOR, p.id);
        await g.decide(as.PROSECUTOR, p.id, {
          decision: 'DECLINED',
          reason: 'Insufficient evidence.',
          externalReference: 'MA-REF-1',
        });
        return { path: at(p.id), version: null, caseId: p.caseId, packetId: p.id };
      }
      case 'evidenceTicket':
        throw new Error(`${row.route}: a ticket fixture is for GET /tickets/:ticket, not a write route`);
      case 'personnelEntry': {
        const e = await g.personnelEntries(author, as.SUPERVISOR, HOME_OFFICE);
        return { path: at(e.entryId), version: null, caseId: e.caseId, packetId: e.packetId, related: e.otherEntryId };
      }
      case 'personnelLink': {
        const e = await g.personnelEntries(author, as.SUPERVISOR, HOME_OFFICE);
        const l = await g.personnelLink(as.SUPERVISOR, e.entryId, e.otherEntryId);
        return { path: at(l.id), version: null, caseId: e.caseId, packetId: e.packetId, related: e.entryId };
      }
    }
  }

  async function prepare(row: MatrixRow): Promise<RouteCtx> {
    const callerName = callerFor(row);
    let caller = callerName === 'ANONYMOUS' ? null : as[callerName];
    // A password change ends its caller's earlier tokens: its positive control changes the password of a user of
    // its own, so the callers every other route shares keep their sessions.
    if (row.route === `POST ${API}/auth/password` && callerName !== 'ANONYMOUS') caller = await freshUser(callerName);
    return {
      row,
      method: row.route.split(' ')[0],
      callerName,
      caller,
      fx: await makeFixture(row, caller ?? loginUser),
    };
  }

  /** The matrix's valid body for the route, fresh (unique names) for each request. */
  function validBody(ctx: RouteCtx): Record<string, unknown> {
    const who = ctx.caller ?? loginUser;
    return (
      ctx.row.body?.({
        unique: randomUUID().slice(0, 12),
        credentials: { username: who.username, password: who.password },
        related: ctx.fx.related,
      }) ?? {}
    );
  }

  /** Everything a refused write must leave as it was: the fixture's rows in full, table counts, stored objects. */
  async function snapshot(fx: Fx) {
    const {
      rows: [db],
    } = await t.owner.query(
      `SELECT (SELECT to_jsonb(x) FROM cases x WHERE x.id = $1::uuid) AS "case",
              (SELECT to_jsonb(x) FROM users x WHERE x.id = $2::uuid) AS "user",
              (SELECT to_jsonb(x) FROM evidence x WHERE x.id = $3::uuid) AS evidence,
              (SELECT to_jsonb(x) FROM packets x WHERE x.id = $4::uuid) AS packet,
              (SELECT jsonb_agg(to_jsonb(s) || jsonb_build_object('tus', to_jsonb(u)) ORDER BY s.started_at, s.id)
                 FROM evidence_upload_sessions s LEFT JOIN evidence_tus_uploads u ON u.id = s.id WHERE s.case_id = $1::uuid) AS "uploadSessions",
              json_build_object(
                'users', (SELECT count(*) FROM users), 'cases', (SELECT count(*) FROM cases),
                'revisions', (SELECT count(*) FROM case_revisions), 'evidence', (SELECT count(*) FROM evidence),
                'uploads', (SELECT count(*) FROM storage_uploads), 'packets', (SELECT count(*) FROM packets),
                'disclosures', (SELECT count(*) FROM evidence_disclosures), 'tickets', (SELECT count(*) FROM access_tickets),
                'personnelLinks', (SELECT count(*) FROM federal_personnel_links),
                'referenceCorrections', (SELECT count(*) FROM packet_reference_corrections), 'personnelUnlinks', (SELECT count(*) FROM federal_personnel_links WHERE unlinked_at IS NOT NULL)) AS counts`,
      [fx.caseId ?? null, fx.userId ?? null, fx.evidenceId ?? null, fx.packetId ?? null],
    );
    for (const [key, id] of [
      ['case', fx.caseId],
      ['user', fx.userId],
      ['evidence', fx.evidenceId],
      ['packet', fx.packetId],
    ] as const) {
      if (id && !db[key]) throw new Error(`fixture ${key} ${id} is missing`);
    }
    return { ...db, objects: await t.storage.keys(), pendingMultipart: await t.storage.pendingUploads() } as Record<
      string,
      any
    >;
  }

  function send(method: string, path: string): Test {
    const agent = t.http();
    switch (method) {
      case 'POST':
        return agent.post(path);
      case 'PUT':
        return agent.put(path);
      case 'PATCH':
        return agent.patch(path);
      case 'DELETE':
        return agent.delete(path);
      default:
        throw new Error(`write method ${method} is not supported by the suite`);
    }
  }

  /** The request as the matrix's allowed caller makes it (auth, If-Match on case writes, a request id). */
  function write(ctx: RouteCtx, requestId: string, path = ctx.fx.path): Test {
    let req = send(ctx.method, path).set('X-Request-Id', requestId);
    if (ctx.caller) req = req.set(ctx.caller.auth);
    if (isCaseIdRoute(ctx.row.route) && ctx.fx.version !== null) req = req.set('If-Match', `"${ctx.fx.version}"`);
    return req;
  }

  const newRequestId = () => `ma-${randomUUID()}`;

  /** 400 naming `fieldPath` (message and fields), nothing changed, no SUCCESS audit event (and the refusal audited). */
  async function expectRefused(ctx: RouteCtx, res: Response, requestId: string, fieldPath: string, before: unknown) {
    expect({ status: res.status, body: res.status === 400 ? undefined : res.body }).toEqual({
      status: 400,
      body: undefined,
    });
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION.FAILED', requestId });
    expect(res.body.message).toContain(fieldPath);
    expect((res.body.fields as { field: string }[]).map((f) => f.field)).toContain(fieldPath);
    expect(await snapshot(ctx.fx)).toEqual(before);
    const rows = await auditRows(t.owner, 'request_id = $1', [requestId]);
    expect(rows.filter((r) => r.outcome === 'SUCCESS')).toEqual([]);
    if (ctx.caller) {
      // Authenticated refusals are on the trail as FAILED attempts naming the field (public login refusals are only logged).
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ outcome: 'FAILED', actor_id: ctx.caller.id });
      expect(rows[0].details).toMatchObject({
        status: 400,
        code: 'VALIDATION.FAILED',
        fields: expect.arrayContaining([fieldPath]),
      });
    }
  }

  /** The unchanged request succeeds: the matrix's status, a SUCCESS event for it, and a visible effect. */
  async function expectAccepted(ctx: RouteCtx, res: Response, requestId: string, before: Record<string, any>) {
    const expected = ctx.row.expect[ctx.callerName];
    expect({ status: res.status, body: res.status === expected ? undefined : res.body }).toEqual({
      status: expected,
      body: undefined,
    });
    const rows = await auditRows(t.owner, 'request_id = $1', [requestId]);
    expect(rows.filter((r) => r.outcome === 'SUCCESS').length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.outcome !== 'SUCCESS')).toEqual([]);
    if (ctx.row.route === LOGIN)
      expect(res.body).toMatchObject({ tokenType: 'Bearer', user: { username: loginUser.username } });
    else expect(await snapshot(ctx.fx)).not.toEqual(before);
  }

  // ---------------------------------------------------------------------------------------------
  describe('coverage', () => {
    it('every write route of the authz matrix has a probe entry, and every probe entry is a write route of the matrix', () => {
      const writes = WRITE_ROWS.map((r) => r.route);
      expect(writes.length).toBeGreaterThanOrEqual(17);
      expect(writes.filter((r) => !(r in PROBES))).toEqual([]);
      expect(Object.keys(PROBES).filter((r) => !writes.includes(r))).toEqual([]);
    });

    it('every exclusion is explained, and only routes that read input have any', () => {
      for (const [route, probe] of Object.entries(PROBES)) {
        if (probe.input === 'none') expect({ route, legit: probe.legit }).toEqual({ route, legit: undefined });
        for (const [field, why] of Object.entries(probe.legit ?? {})) {
          expect({ route, field, explained: (why ?? '').length >= 30 }).toEqual({ route, field, explained: true });
        }
      }
    });

    it('the probe table agrees with the controllers: json routes bind a DTO body, the upload reads the request itself, "none" routes bind no body', () => {
      const inputs = routeInfos(t.app);
      for (const row of WRITE_ROWS) {
        const info = inputs.get(row.route);
        const probe = PROBES[row.route];
        expect({ route: row.route, registered: info !== undefined }).toEqual({ route: row.route, registered: true });
        if (!info || !probe) continue;
        const actual = info.takesBody ? 'json' : info.tus ? 'tus' : info.takesRequest ? 'upload' : 'none';
        expect({ route: row.route, input: actual }).toEqual({ route: row.route, input: probe.input });
        if (info.takesBody) {
          // A body typed Object (or any) is not validated against a whitelist at all.
          expect({ route: row.route, dto: info.bodyType !== null }).toEqual({ route: row.route, dto: true });
        }
      }
    });
  });

  // ---------------------------------------------------------------------------------------------
  for (const row of WRITE_ROWS) {
    const probe = PROBES[row.route];
    if (!probe || probe.input !== 'json') continue;
    describe(`${row.route} (${probe.legit ? `takes ${Object.keys(probe.legit).join(', ')}` : 'takes none of them'})`, () => {
      let ctx: RouteCtx;
      beforeAll(async () => {
        ctx = await prepare(row);
      });

      for (const field of probedFields(row.route)) {
        it(`${field} -> 400 naming it, nothing changed`, async () => {
          const before = await snapshot(ctx.fx);
          const requestId = newRequestId();
          const res = await write(ctx, requestId).send({ ...validBody(ctx), [field]: hostile(field, bystander) });
          await expectRefused(ctx, res, requestId, field, before);
        });
      }

      for (const array of probe.nested ?? []) {
        for (const field of PRIVILEGED) {
          it(`${array}[0].${field} -> 400 naming ${array}.0.${field}, nothing changed`, async () => {
            const before = await snapshot(ctx.fx);
            const body = validBody(ctx);
            const items = body[array] as Record<string, unknown>[];
            expect(items.length).toBeGreaterThan(0);
            const requestId = newRequestId();
            const res = await write(ctx, requestId).send({
              ...body,
              [array]: items.map((item, i) => (i === 0 ? { ...item, [field]: hostile(field, bystander) } : item)),
            });
            await expectRefused(ctx, res, requestId, `${array}.0.${field}`, before);
          });
        }
      }

      it('positive control: the same body without the field succeeds on the same fixture', async () => {
        const before = await snapshot(ctx.fx);
        const requestId = newRequestId();
        const res = await write(ctx, requestId).send(validBody(ctx));
        await expectAccepted(ctx, res, requestId, before);
      });
    });
  }

  // ---------------------------------------------------------------------------------------------
  describe(`${UPLOAD}: metadata as query parameter, X-Evidence-* header or multipart field`, () => {
    const row = AUTHZ_MATRIX.find((r) => r.route === UPLOAD)!;
    const metadata = () => [...new URLSearchParams(row.upload!.query).entries()];
    const raw = (req: Test) => req.set('Content-Type', 'application/octet-stream').send(row.upload!.bytes);
    const multipart = (req: Test, extra: [string, string][] = []) => {
      for (const [k, v] of [...metadata(), ...extra]) req = req.field(k, v);
      return req.attach('file', row.upload!.bytes, { filename: 'clip.bin', contentType: 'application/octet-stream' });
    };
    /** Each channel: the hostile request, and the same request without the field (its positive control). */
    const channels: Record<
      string,
      {
        hostile: (ctx: RouteCtx, f: Field, v: string, id: string) => Test;
        control: (ctx: RouteCtx, id: string) => Test;
      }
    > = {
      'raw body, query parameter': {
        hostile: (ctx, f, v, id) =>
          raw(write(ctx, id, `${ctx.fx.path}?${row.upload!.query}&${f}=${encodeURIComponent(v)}`)),
        control: (ctx, id) => raw(write(ctx, id, `${ctx.fx.path}?${row.upload!.query}`)),
      },
      'raw body, X-Evidence-* header': {
        hostile: (ctx, f, v, id) =>
          raw(write(ctx, id, `${ctx.fx.path}?${row.upload!.query}`).set(evidenceHeader(f), v)),
        // The metadata itself as headers too: the header channel works, so the refusal is the field's.
        control: (ctx, id) => metadata().reduce((req, [k, v]) => req.set(evidenceHeader(k), v), raw(write(ctx, id))),
      },
      'multipart, form field': {
        hostile: (ctx, f, v, id) => multipart(write(ctx, id), [[f, v]]),
        control: (ctx, id) => multipart(write(ctx, id)),
      },
      'multipart, query parameter': {
        hostile: (ctx, f, v, id) => multipart(write(ctx, id, `${ctx.fx.path}?${f}=${encodeURIComponent(v)}`)),
        control: (ctx, id) => multipart(write(ctx, id)),
      },
      'multipart, X-Evidence-* header': {
        hostile: (ctx, f, v, id) => multipart(write(ctx, id).set(evidenceHeader(f), v)),
        control: (ctx, id) => multipart(write(ctx, id)),
      },
    };

    for (const [channel, make] of Object.entries(channels)) {
      describe(channel, () => {
        let ctx: RouteCtx;
        beforeAll(async () => {
          ctx = await prepare(row);
        });

        for (const field of probedFields(UPLOAD)) {
          it(`${field} -> 400 naming it, no evidence row, no stored object`, async () => {
            const before = await snapshot(ctx.fx);
            const requestId = newRequestId();
            const res = await make.hostile(ctx, field, String(hostile(field, bystander)), requestId);
            await expectRefused(ctx, res, requestId, field, before);
            expect((await t.owner.query(`SELECT id FROM evidence WHERE case_id = $1`, [ctx.fx.caseId])).rows).toEqual(
              [],
            );
            expect(await t.storage.keys(`cases/${ctx.fx.caseId}/`)).toEqual([]);
          });
        }

        it('positive control: the same upload without the field succeeds', async () => {
          const before = await snapshot(ctx.fx);
          const requestId = newRequestId();
          const res = await make.control(ctx, requestId);
          await expectAccepted(ctx, res, requestId, before);
          expect(res.body).toMatchObject({
            caseId: ctx.fx.caseId,
            kind: 'BWC',
            deviceId: 'AXON-AUTHZ-1',
            sha256: sha256(row.upload!.bytes),
            uploadedBy: ctx.caller!.id,
          });
          // On Ceph RGW retention and the legal hold are applied after the upload commits: evidence.preserved.
          expect((await auditRows(t.owner, 'request_id = $1', [requestId])).map((r) => r.action)).toEqual([
            'evidence.uploaded',
            'evidence.preserved',
          ]);
          expect(await t.storage.keys(`cases/${ctx.fx.caseId}/`)).toEqual([
            `cases/${ctx.fx.caseId}/evidence/${res.body.id}`,
          ]);
        });
      });
    }
  });

  // ---------------------------------------------------------------------------------------------
  describe('resumable (tus) uploads: privileged fields as Upload-Metadata keys', () => {
    const tusRows = WRITE_ROWS.filter((r) => PROBES[r.route]?.input === 'tus');

    it('probes creation, append and termination', () => {
      expect(tusRows.map((r) => r.route.split(' ')[0]).sort()).toEqual(['DELETE', 'PATCH', 'POST']);
    });

    for (const row of tusRows) {
      const method = row.route.split(' ')[0];
      describe(row.route, () => {
        let ctx: RouteCtx;
        beforeAll(async () => {
          ctx = await prepare(row);
        });

        /** The matrix's tus request; `extra` is one more `key base64value` pair of Upload-Metadata. */
        const tusRequest = (requestId: string, extra?: string, bytes = row.tus!.bytes) => {
          let req = write(ctx, requestId).set('Tus-Resumable', '1.0.0').set(row.tus!.headers);
          if (extra !== undefined) {
            const own = row.tus!.headers['Upload-Metadata'];
            req = req.set('Upload-Metadata', own ? `${own},${extra}` : extra);
          }
          return bytes ? req.send(bytes) : req;
        };

        for (const field of probedFields(row.route)) {
          it(`${field} in Upload-Metadata -> 400 naming it, nothing changed`, async () => {
            const before = await snapshot(ctx.fx);
            const requestId = newRequestId();
            const res = await tusRequest(requestId, `${field} ${b64(String(hostile(field, bystander)))}`);
            await expectRefused(ctx, res, requestId, field, before);
          });
        }

        it('positive control: the same request without the field succeeds on the same fixture', async () => {
          const before = await snapshot(ctx.fx);
          const requestId = newRequestId();
          // An append that does not complete the upload writes no event: the control appends the rest, so the item is made.
          const res = await tusRequest(
            requestId,
            undefined,
            method === 'PATCH' ? TUS_UPLOAD.bytes.subarray(TUS_UPLOAD.sent) : row.tus!.bytes,
          );
          await expectAccepted(ctx, res, requestId, before);
          const actions = (await auditRows(t.owner, 'request_id = $1', [requestId])).map((r) => r.action);
          if (method === 'POST') {
            expect(res.body).toMatchObject({ caseId: ctx.fx.caseId, uploadLength: TUS_UPLOAD.bytes.length });
            expect(actions).toEqual(['evidence.upload.created']);
          } else if (method === 'PATCH') {
            expect({ offset: res.headers['upload-offset'], evidenceId: res.headers['evidence-id'] }).toEqual({
              offset: String(TUS_UPLOAD.bytes.length),
              evidenceId: ctx.fx.uploadId,
            });
            expect(actions).toEqual(['evidence.uploaded', 'evidence.preserved']);
            const { rows } = await t.owner.query(`SELECT sha256, uploaded_by FROM evidence WHERE id = $1`, [
              ctx.fx.uploadId,
            ]);
            expect(rows).toEqual([{ sha256: sha256(TUS_UPLOAD.bytes), uploaded_by: ctx.caller!.id }]);
          } else {
            expect(actions).toEqual(['evidence.upload.cancelled']);
          }
        });
      });
    }
  });

  // ---------------------------------------------------------------------------------------------
  describe(`${UPLOAD}: the declared sha256 (the one privileged field an upload takes) is checked, never trusted`, () => {
    const bytes = Buffer.from('declared-hash evidence bytes\n'.repeat(80));
    const zeros = '0'.repeat(64);
    let caseId: string;
    beforeAll(async () => {
      caseId = (await t.given.draftCase(as.OFFICER)).id;
    });

    const path = () => `${API}/cases/${caseId}/evidence`;
    const nothingStored = async () => {
      expect((await t.owner.query(`SELECT id FROM evidence WHERE case_id = $1`, [caseId])).rows).toEqual([]);
      expect(await t.storage.keys(`cases/${caseId}/`)).toEqual([]);
      expect(await t.storage.pendingUploads()).toEqual([]);
      expect(
        (
          await t.owner.query(
            `SELECT state FROM storage_uploads WHERE case_id = $1 AND state IN ('OPEN','ABORT_PENDING')`,
            [caseId],
          )
        ).rows,
      ).toEqual([]);
    };
    const mismatching: Record<string, (id: string) => Test> = {
      'query parameter': (id) =>
        t
          .http()
          .post(`${path()}?kind=BWC&sha256=${zeros}`)
          .set(as.OFFICER.auth)
          .set('X-Request-Id', id)
          .set('Content-Type', 'application/octet-stream')
          .send(bytes),
      'X-Evidence-Sha256 header': (id) =>
        t
          .http()
          .post(`${path()}?kind=BWC`)
          .set(as.OFFICER.auth)
          .set('X-Request-Id', id)
          .set('X-Evidence-Sha256', zeros)
          .set('Content-Type', 'application/octet-stream')
          .send(bytes),
      'multipart field': (id) =>
        t
          .http()
          .post(path())
          .set(as.OFFICER.auth)
          .set('X-Request-Id', id)
          .field('kind', 'BWC')
          .field('sha256', zeros)
          .attach('file', bytes, 'clip.bin'),
    };

    for (const [channel, make] of Object.entries(mismatching)) {
      it(`a mismatching declared sha256 (${channel}) -> 422, nothing stored, no SUCCESS event`, async () => {
        const requestId = newRequestId();
        const res = await make(requestId);
        expect({ status: res.status, body: res.body }).toMatchObject({
          status: 422,
          body: { code: 'EVIDENCE.HASH_MISMATCH', expectedSha256: zeros, actualSha256: sha256(bytes) },
        });
        await nothingStored();
        expect(
          (await auditRows(t.owner, 'request_id = $1', [requestId])).filter((r) => r.outcome === 'SUCCESS'),
        ).toEqual([]);
      });
    }

    it('a declared sha256 a multipart upload would not read (query or header) -> 400, not silently unchecked', async () => {
      for (const req of [
        t
          .http()
          .post(`${path()}?sha256=${zeros}`)
          .set(as.OFFICER.auth)
          .field('kind', 'BWC')
          .attach('file', bytes, 'clip.bin'),
        t
          .http()
          .post(path())
          .set(as.OFFICER.auth)
          .set('X-Evidence-Sha256', zeros)
          .field('kind', 'BWC')
          .attach('file', bytes, 'clip.bin'),
      ]) {
        const res = await req;
        expect({ status: res.status, fields: res.body.fields?.map((f: { field: string }) => f.field) }).toEqual({
          status: 400,
          fields: ['sha256'],
        });
      }
      await nothingStored();
    });

    it('control: a matching declared sha256 is accepted and the stored hash is the computed one', async () => {
      const res = await t
        .http()
        .post(`${path()}?kind=BWC&sha256=${sha256(bytes).toUpperCase()}`)
        .set(as.OFFICER.auth)
        .set('Content-Type', 'application/octet-stream')
        .send(bytes);
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: 201,
        body: { sha256: sha256(bytes), clientSha256Matched: true },
      });
      const { rows } = await t.owner.query(`SELECT sha256, storage_key FROM evidence WHERE case_id = $1`, [caseId]);
      expect(rows).toEqual([{ sha256: sha256(bytes), storage_key: expect.any(String) }]);
      expect((await t.storage.sha256Of(rows[0].storage_key)).sha256).toBe(sha256(bytes));
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('the privileged fields some routes legitimately take stay constrained', () => {
    it(`POST ${API}/users: a district or office the role does not have -> 400 naming it, no user`, async () => {
      for (const [extra, field] of [
        [{ role: 'AUDITOR', district: OTHER_DISTRICT }, 'district'],
        [{ role: 'OFFICER', district: 1, office: 'CCSAO' }, 'office'],
        [{ role: 'ROOT' }, 'role'],
      ] as const) {
        const username = `ma-scope-${randomUUID().slice(0, 8)}`;
        const res = await t
          .http()
          .post(`${API}/users`)
          .set(as.ADMIN.auth)
          .send({ username, displayName: 'Scope probe', password: 'mass-assignment-password-1', ...extra });
        expect({ status: res.status, fields: res.body.fields?.map((f: { field: string }) => f.field) }).toEqual({
          status: 400,
          fields: [field],
        });
        expect((await t.owner.query(`SELECT id FROM users WHERE username = $1`, [username])).rows).toEqual([]);
      }
    });

    it(`PATCH ${API}/users/:id: an office for an officer -> 400 naming it, the user row unchanged`, async () => {
      const target = await t.given.officer(HOME_DISTRICT);
      const row = async () =>
        (await t.owner.query(`SELECT to_jsonb(u) AS row FROM users u WHERE id = $1`, [target.id])).rows[0].row;
      const before = await row();
      const res = await t.http().patch(`${API}/users/${target.id}`).set(as.ADMIN.auth).send({ office: 'CITY_LAW' });
      expect({ status: res.status, fields: res.body.fields?.map((f: { field: string }) => f.field) }).toEqual({
        status: 400,
        fields: ['office'],
      });
      expect(await row()).toEqual(before);
    });

    it(`PATCH ${API}/cases/:id: a stale body version -> 409, one that disagrees with If-Match -> 400; the case unchanged`, async () => {
      const c = await t.given.caseReadyToSubmit(as.OFFICER);
      const row = async () =>
        (await t.owner.query(`SELECT to_jsonb(c) AS row FROM cases c WHERE id = $1`, [c.id])).rows[0].row;
      const before = await row();
      const stale = await t
        .http()
        .patch(`${API}/cases/${c.id}`)
        .set(as.OFFICER.auth)
        .send({ narrative: 'Stale edit.', version: c.version - 1 });
      expect({ status: stale.status, code: stale.body.code }).toEqual({ status: 409, code: 'VERSION.CONFLICT' });
      const disagree = await t
        .http()
        .patch(`${API}/cases/${c.id}`)
        .set(as.OFFICER.auth)
        .set('If-Match', `"${c.version}"`)
        .send({ narrative: 'Disagreeing edit.', version: c.version + 1 });
      expect({ status: disagree.status, fields: disagree.body.fields?.map((f: { field: string }) => f.field) }).toEqual(
        { status: 400, fields: ['version'] },
      );
      expect(await row()).toEqual(before);
    });

    it(`POST ${API}/cases/:id/packets: an office that is not a prosecuting office -> 400 naming it, nothing sent`, async () => {
      const c = await t.given.approvedCase(as.OFFICER, as.SUPERVISOR);
      const before = await snapshot({ path: '', version: c.version, caseId: c.id });
      const res = await t
        .http()
        .post(`${API}/cases/${c.id}/packets`)
        .set(as.SUPERVISOR.auth)
        .set('If-Match', `"${c.version}"`)
        .send({ office: 'FBI' });
      expect({ status: res.status, fields: res.body.fields?.map((f: { field: string }) => f.field) }).toEqual({
        status: 400,
        fields: ['office'],
      });
      expect(await snapshot({ path: '', version: c.version, caseId: c.id })).toEqual(before);
    });
  });
});
