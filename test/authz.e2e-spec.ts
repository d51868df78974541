import { INestApplication } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { METHODS } from 'node:http';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Response, Test } from 'supertest';
import { UsersService } from '@app/auth';
import { routeInfos } from './harness/nest-routes';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';
import {
  API,
  AUTHZ_MATRIX,
  Caller,
  CALLERS,
  HOME_DISTRICT,
  HOME_OFFICE,
  MatrixRow,
  OTHER_DISTRICT,
  OTHER_OFFICE,
  REQUIRED_CASE_SCOPE_VARIANTS,
  REQUIRED_PACKET_SCOPE_VARIANTS,
  SCOPE_VARIANTS,
  ScopeVariant,
  TUS_UPLOAD,
  UNPOLICED_ROUTE,
} from './authz-matrix';

type Role = Exclude<Caller, 'ANONYMOUS'>;

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean>; stack: { handle: object }[] };
  handle?: { stack?: RouterLayer[] };
}

/** Every HTTP method Express knows: a route answering all of them was registered with `all()`. */
const ALL_METHODS = METHODS.map((m) => m.toLowerCase());

/**
 * 'METHOD /path' for every route the Express 5 router really holds (nested routers included).
 * Nest copies a controller method's metadata onto the handler it registers, so controller
 * endpoints are recognisable; catch-all `all()` routes without it are Nest middleware bindings
 * (`forRoutes('{*splat}')`, they only call next()) and are not endpoints. Anything else
 * registered outside the controllers (Swagger UI, a raw app.get) is reported like an endpoint.
 */
function registeredRoutes(app: INestApplication): { endpoints: string[]; middleware: string[] } {
  const instance = app.getHttpAdapter().getInstance() as { router?: { stack?: RouterLayer[] } };
  const stack = instance.router?.stack;
  if (!Array.isArray(stack)) throw new Error('Cannot read the Express router stack (express.router.stack)');
  const endpoints = new Set<string>();
  const middleware = new Set<string>();
  const walk = (layers: RouterLayer[]) => {
    for (const layer of layers) {
      const route = layer.route;
      if (route) {
        const paths = Array.isArray(route.path) ? route.path : [route.path];
        const methods = Object.keys(route.methods).filter((m) => route.methods[m]);
        const isController = route.stack.some((l) => Reflect.getMetadata(METHOD_METADATA, l.handle) !== undefined);
        const isCatchAll = route.methods._all || ALL_METHODS.every((m) => methods.includes(m));
        if (!isController && isCatchAll) {
          for (const p of paths) middleware.add(`ALL ${p}`);
          continue;
        }
        for (const method of methods) {
          for (const p of paths) endpoints.add(`${method === '_all' ? 'ALL' : method.toUpperCase()} ${p}`);
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        walk(layer.handle.stack); // a mounted router: its paths lack the mount prefix, so they cannot match silently
      }
    }
  };
  walk(stack);
  return { endpoints: [...endpoints].sort(), middleware: [...middleware].sort() };
}

/** 'METHOD /path' for every controller handler Nest knows, from its metadata (independent of Express). */
function controllerRoutes(app: INestApplication): string[] {
  return [...routeInfos(app).keys()].sort();
}

const isCaseIdRoute = (route: string) => /^[A-Z]+ \/api\/v1\/cases\/:id(\/|$)/.test(route);
const isEvidenceIdRoute = (route: string) => /^[A-Z]+ \/api\/v1\/evidence\/:id(\/|$)/.test(route);
const isPacketIdRoute = (route: string) => /^[A-Z]+ \/api\/v1\/packets\/:id(\/|$)/.test(route);
/** A tus upload's own URL (issue 18): refusals after the guard name the evidence_upload, not the case. */
const isTusUploadRoute = (route: string) => route.endsWith('/evidence/uploads/:uploadId');
/** Fixtures that include a packet sent to HOME_OFFICE (the only ones where a prosecutor variant tests anything). */
const SENT_FIXTURES = [
  'referredCase',
  'packet',
  'claimedPacket',
  'decidedPacket',
  'packetEvidence',
  'personnelEntry',
  'personnelLink',
];

/** Collects a response as bytes (a binary download), or parses it when it is JSON (an error). */
// At run time superagent hands the parser the raw IncomingMessage (its typings say otherwise).
function bytesOrJson(res: any, cb: (err: Error | null, body: unknown) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('error', (e: Error) => cb(e, null));
  res.on('end', () => {
    const buf = Buffer.concat(chunks);
    if (!String(res.headers['content-type'] ?? '').includes('json')) return cb(null, buf);
    try {
      cb(null, JSON.parse(buf.toString('utf8')));
    } catch (e) {
      cb(e as Error, null);
    }
  });
}
const CODES_FOR: Record<number, string[]> = {
  401: ['AUTH.UNAUTHENTICATED'],
  403: ['AUTH.FORBIDDEN', 'CASE.TWO_PERSON_RULE', 'PACKET.NOT_CLAIMANT', 'PACKET.NOT_DECIDER'],
  404: ['RESOURCE.NOT_FOUND'],
};

describe('authorization: role x route x scope matrix (test/authz-matrix.ts)', () => {
  let t: TestApp;
  /** In-scope callers: OFFICER authors the cases; SUPERVISOR is of the same district. */
  let as: Record<Role, TestUser>;
  /** Out-of-scope callers; SUPERVISOR_AUTHOR is the in-scope SUPERVISOR acting on a case they wrote. */
  let variant: Record<ScopeVariant, TestUser>;
  /** Another supervisor of HOME_DISTRICT: approves (and sends) the cases the SUPERVISOR wrote (two-person rule). */
  let peerSupervisor: TestUser;

  beforeAll(async () => {
    // On Ceph RGW (Object Lock): the legal-hold routes succeed only where storage can hold (on s3rver they answer 409).
    t = await createTestApp({ storage: 'ceph' });
    const g = t.given;
    const [
      officer,
      supervisor,
      prosecutor,
      auditor,
      admin,
      officerSame,
      officerOther,
      supervisorOther,
      prosecutorOther,
      prosecutorPeer,
      peer,
    ] = await Promise.all([
      g.officer(HOME_DISTRICT),
      g.supervisor(HOME_DISTRICT),
      g.prosecutor(HOME_OFFICE),
      g.auditor(),
      g.admin(),
      g.officer(HOME_DISTRICT),
      g.officer(OTHER_DISTRICT),
      g.supervisor(OTHER_DISTRICT),
      g.prosecutor(OTHER_OFFICE),
      g.prosecutor(HOME_OFFICE),
      g.supervisor(HOME_DISTRICT),
    ]);
    as = { OFFICER: officer, SUPERVISOR: supervisor, PROSECUTOR: prosecutor, AUDITOR: auditor, ADMIN: admin };
    peerSupervisor = peer;
    variant = {
      OFFICER_SAME_DISTRICT_NOT_AUTHOR: officerSame,
      OFFICER_OTHER_DISTRICT: officerOther,
      SUPERVISOR_OTHER_DISTRICT: supervisorOther,
      SUPERVISOR_AUTHOR: supervisor,
      PROSECUTOR_OTHER_OFFICE: prosecutorOther,
      PROSECUTOR_SAME_OFFICE_NOT_CLAIMANT: prosecutorPeer,
      OFFICER_AUTHOR_NOT_UPLOADER: officer,
    };
    for (const [name, v] of Object.entries(SCOPE_VARIANTS)) {
      const u = variant[name as ScopeVariant];
      if (u.role !== v.role || u.district !== v.district || u.office !== v.office)
        throw new Error(`scope variant ${name} is set up wrongly`);
    }
    if (as.PROSECUTOR.office !== HOME_OFFICE)
      throw new Error('the in-scope PROSECUTOR must be of the office packets are sent to');
  });
  afterAll(async () => {
    await t?.close();
  });

  // ---------------------------------------------------------------------------------------------
  describe('the matrix covers exactly the routes the app registers', () => {
    const listed = () => AUTHZ_MATRIX.map((r) => r.route);

    it('reads the real router (sanity: finds the login and case routes)', () => {
      const { endpoints, middleware } = registeredRoutes(t.app);
      expect(endpoints).toEqual(
        expect.arrayContaining([`POST ${API}/auth/login`, `POST ${API}/cases/:id/submit`, `GET ${API}/health`]),
      );
      // The request-context middleware is bound to every path; it is the only catch-all and is not an endpoint.
      expect(middleware).toEqual(expect.arrayContaining([`ALL ${API}/{*splat}`]));
    });

    it('every registered route (except Swagger UI under /api/docs) is listed in the matrix', () => {
      const missing = registeredRoutes(t.app).endpoints.filter(
        (r) => !UNPOLICED_ROUTE.test(r) && !listed().includes(r),
      );
      expect(missing).toEqual([]);
    });

    it("Nest's controller metadata agrees: every controller route is registered with Express and listed", () => {
      const fromNest = controllerRoutes(t.app);
      expect(fromNest.length).toBeGreaterThan(0);
      const { endpoints } = registeredRoutes(t.app);
      expect(fromNest.filter((r) => !endpoints.includes(r))).toEqual([]);
      expect(fromNest.filter((r) => !listed().includes(r))).toEqual([]);
    });

    it('every route the matrix lists is registered', () => {
      const routes = registeredRoutes(t.app).endpoints;
      expect(listed().filter((r) => !routes.includes(r))).toEqual([]);
    });

    it('lists each route once, with every caller, and every id-taking case, evidence and packet route with its scope variants', () => {
      expect(new Set(listed()).size).toBe(listed().length);
      for (const row of AUTHZ_MATRIX) {
        expect({ route: row.route, callers: Object.keys(row.expect).sort() }).toEqual({
          route: row.route,
          callers: [...CALLERS].sort(),
        });
        if (isCaseIdRoute(row.route) || isEvidenceIdRoute(row.route) || isPacketIdRoute(row.route)) {
          const required =
            isPacketIdRoute(row.route) || row.fixture === 'packetEvidence'
              ? REQUIRED_PACKET_SCOPE_VARIANTS
              : REQUIRED_CASE_SCOPE_VARIANTS;
          expect({ route: row.route, scope: Object.keys(row.scope ?? {}) }).toEqual({
            route: row.route,
            scope: expect.arrayContaining([...required]),
          });
          const fixtureRule = isCaseIdRoute(row.route)
            ? /Case$/
            : isEvidenceIdRoute(row.route)
              ? /^(evidence|packetEvidence|withdrawnEvidence)$/
              : /^(packet|claimedPacket|decidedPacket)$/;
          expect({ route: row.route, fixture: row.fixture }).toEqual({
            route: row.route,
            fixture: expect.stringMatching(fixtureRule),
          });
        }
        if (row.route.includes(':id')) expect(row.fixture).not.toBe('none');
        // A prosecutor variant tests something only where a packet went to an office; "not the claimant" only where one was claimed.
        const prosecutorVariants = Object.keys(row.scope ?? {}).filter((v) => v.startsWith('PROSECUTOR_'));
        if (prosecutorVariants.length) {
          expect({ route: row.route, fixtureWasSent: SENT_FIXTURES.includes(row.fixture) }).toEqual({
            route: row.route,
            fixtureWasSent: true,
          });
        }
        if (row.scope?.PROSECUTOR_SAME_OFFICE_NOT_CLAIMANT !== undefined)
          expect(row.fixture).toMatch(/^(claimedPacket|decidedPacket)$/);
      }
    });
  });

  // ---------------------------------------------------------------------------------------------
  interface Fixture {
    /** The `:id` of the path. */
    id: string | null;
    /** The case's version (If-Match of case writes), for case fixtures. */
    version: number | null;
    sha256?: string;
    /** The case behind a packet or evidence fixture. */
    caseId?: string;
    /** A second id the body needs (BodyContext.related). */
    related?: string;
    /** uploadingCase: the tus upload, the `:uploadId` of the path. */
    uploadId?: string;
  }

  /** A tus upload (issue 18) created by `uploader` on case `caseId`, with its first TUS_UPLOAD.sent bytes appended. */
  async function tusUpload(uploader: TestUser, caseId: string): Promise<string> {
    const created = await t
      .http()
      .post(`${API}/cases/${caseId}/evidence/uploads`)
      .set(uploader.auth)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(TUS_UPLOAD.bytes.length))
      .set('Upload-Metadata', `kind ${Buffer.from('BWC').toString('base64')}`);
    if (created.status !== 201) throw new Error(`tus create failed: ${created.status} ${JSON.stringify(created.body)}`);
    const sent = await t
      .http()
      .patch(created.body.location)
      .set(uploader.auth)
      .set('Tus-Resumable', '1.0.0')
      .set('Content-Type', 'application/offset+octet-stream')
      .set('Upload-Offset', '0')
      .send(TUS_UPLOAD.bytes.subarray(0, TUS_UPLOAD.sent));
    if (sent.status !== 204 || sent.headers['upload-offset'] !== String(TUS_UPLOAD.sent))
      throw new Error(`tus append failed: ${sent.status} ${JSON.stringify(sent.body)}`);
    return created.body.uploadId;
  }

  /** Who approves (and sends) a case `author` wrote: a supervisor of the district who is not the author. */
  const approverFor = (author: TestUser) => (author.id === as.SUPERVISOR.id ? peerSupervisor : as.SUPERVISOR);

  async function makeFixture(row: MatrixRow, author: TestUser, uploader: TestUser = author): Promise<Fixture> {
    switch (row.fixture) {
      case 'uploadingCase': {
        const c = await t.given.caseReadyToSubmit(author);
        return { id: c.id, version: c.version, caseId: c.id, uploadId: await tusUpload(uploader, c.id) };
      }
      case 'approvedCase': {
        const c = await t.given.approvedCase(author, approverFor(author));
        return { id: c.id, version: c.version };
      }
      case 'referredCase': {
        const p = await t.given.sentPacket(author, approverFor(author), HOME_OFFICE);
        return { id: p.caseId, version: null, caseId: p.caseId };
      }
      case 'packet': {
        const p = await t.given.sentPacket(author, approverFor(author), HOME_OFFICE);
        return { id: p.id, version: null, caseId: p.caseId };
      }
      case 'claimedPacket': {
        const p = await t.given.sentPacket(author, approverFor(author), HOME_OFFICE);
        await t.given.claim(as.PROSECUTOR, p.id);
        // Issue 16: the colleague a hand-over names.
        return { id: p.id, version: null, caseId: p.caseId, related: variant.PROSECUTOR_SAME_OFFICE_NOT_CLAIMANT.id };
      }
      case 'decidedPacket': {
        const p = await t.given.sentPacket(author, approverFor(author), HOME_OFFICE);
        await t.given.claim(as.PROSECUTOR, p.id);
        const d = await t
          .http()
          .post(`${API}/packets/${p.id}/decision`)
          .set(as.PROSECUTOR.auth)
          .send({ decision: 'CHARGES_FILED', reason: 'Probable cause.', externalReference: 'AUTHZ-REF-1' });
        if (d.status !== 200) throw new Error(`decision failed: ${d.status} ${JSON.stringify(d.body)}`);
        return { id: p.id, version: null, caseId: p.caseId };
      }
      case 'packetEvidence': {
        const c = await t.given.caseReadyToSubmit(author);
        const e = await t.given.evidence(author, c.id);
        await t.given.submit(author, c.id);
        await t.given.approve(approverFor(author), c.id);
        await t.given.sendPacket(approverFor(author), c.id, HOME_OFFICE);
        return { id: e.id, version: null, sha256: e.sha256, caseId: c.id };
      }
      case 'none':
        return { id: null, version: null };
      case 'draftCase': {
        const c = await t.given.caseReadyToSubmit(author);
        return { id: c.id, version: c.version };
      }
      case 'submittedCase': {
        const c = await t.given.submittedCase(author);
        return { id: c.id, version: c.version };
      }
      case 'evidence': {
        const c = await t.given.caseReadyToSubmit(author);
        const e = await t.given.evidence(author, c.id);
        return { id: e.id, version: null, sha256: e.sha256 };
      }
      case 'withdrawnEvidence': {
        const c = await t.given.caseReadyToSubmit(author);
        const e = await t.given.evidence(author, c.id);
        await t.given.withdraw(approverFor(author), c.id, c.version);
        return { id: e.id, version: null, sha256: e.sha256, caseId: c.id };
      }
      case 'evidenceTicket': {
        const c = await t.given.caseReadyToSubmit(author);
        const e = await t.given.evidence(author, c.id);
        return { id: (await t.given.ticket(author, e.id)).ticket, version: null, sha256: e.sha256, caseId: c.id };
      }
      case 'personnelEntry': {
        const e = await t.given.personnelEntries(author, approverFor(author), HOME_OFFICE);
        return { id: e.entryId, version: null, caseId: e.caseId, related: e.otherEntryId };
      }
      case 'personnelLink': {
        const e = await t.given.personnelEntries(author, approverFor(author), HOME_OFFICE);
        const l = await t.given.personnelLink(as.SUPERVISOR, e.entryId, e.otherEntryId);
        return { id: l.id, version: null, caseId: e.caseId, related: e.entryId };
      }
      case 'targetUser': {
        const u = await t.app.get(UsersService).create('SYSTEM', {
          username: `target-${randomUUID().slice(0, 12)}`,
          displayName: 'Target of the authz suite',
          password: `pw-${randomBytes(9).toString('hex')}`,
          role: 'OFFICER',
          district: HOME_DISTRICT,
        });
        return { id: u.id, version: null };
      }
    }
  }

  /** What a refused request must leave untouched. */
  async function snapshot(row: MatrixRow, fx: Fixture, body: Record<string, unknown> | undefined) {
    if (row.fixture.endsWith('Case')) {
      const { rows } = await t.owner.query(
        `SELECT c.status, c.version, c.updated_at, c.narrative, c.federal_officers, c.violations, c.disposition,
                (SELECT count(*)::int FROM case_revisions r WHERE r.case_id = c.id) AS revisions,
                (SELECT count(*)::int FROM evidence e WHERE e.case_id = c.id) AS evidence,
                (SELECT count(*)::int FROM packets p WHERE p.case_id = c.id) AS packets
           FROM cases c WHERE c.id = $1`,
        [fx.id],
      );
      // Uploads to the case (issue 18): sessions, tus rows and their multipart uploads, in storage too.
      const { rows: uploads } = await t.owner.query(
        `SELECT s.id, s.started_by, s.outcome, s.bytes_received, s.last_activity_at, s.stale_at, s.ended_at, u.generation, u.storage_upload_id
           FROM evidence_upload_sessions s LEFT JOIN evidence_tus_uploads u ON u.id = s.id WHERE s.case_id = $1 ORDER BY s.started_at, s.id`,
        [fx.id],
      );
      const { rows: journal } = await t.owner.query(
        `SELECT upload_id, state, bytes FROM storage_uploads WHERE case_id = $1 ORDER BY upload_id`,
        [fx.id],
      );
      return {
        case: rows[0],
        cases: await count('cases'),
        packets: await count('packets'),
        objects: (await t.storage.keys()).length,
        uploads,
        journal,
        pending: (await t.storage.pendingUploads(`cases/${fx.id}/`)).length,
      };
    }
    if (row.fixture === 'evidence' || row.fixture === 'packetEvidence' || row.fixture === 'withdrawnEvidence') {
      const { rows } = await t.owner.query(
        `SELECT status, supersede_reason, integrity_status, last_verified_at, preservation,
                legal_hold_action, legal_hold_changed_at, legal_hold_changed_by, legal_hold_reason, legal_hold_reference
           FROM evidence WHERE id = $1`,
        [fx.id],
      );
      return { evidence: rows[0], objects: (await t.storage.keys()).length };
    }
    if (row.fixture === 'packet' || row.fixture === 'claimedPacket' || row.fixture === 'decidedPacket') {
      const {
        rows: [packet],
      } = await t.owner.query(
        `SELECT status, claimed_by, claimed_at, decision, decision_reason, external_reference, decided_by, decided_at,
                (SELECT count(*)::int FROM packet_reference_corrections r WHERE r.packet_id = p.id) AS corrections
           FROM packets p WHERE id = $1`,
        [fx.id],
      );
      const {
        rows: [c],
      } = await t.owner.query(
        `SELECT c.status, c.version, c.disposition, c.closed_at,
                (SELECT count(*)::int FROM case_revisions r WHERE r.case_id = c.id) AS revisions
           FROM cases c WHERE c.id = $1`,
        [fx.caseId],
      );
      return { packet, case: c, packets: await count('packets'), objects: (await t.storage.keys()).length };
    }
    if (row.fixture === 'personnelEntry' || row.fixture === 'personnelLink') {
      const { rows } = await t.owner.query(
        `SELECT id, entry_a, entry_b, reason, linked_by, unlinked_by, unlinked_at, unlink_reason FROM federal_personnel_links
          WHERE $1 IN (id, entry_a, entry_b) OR $2 IN (entry_a, entry_b) ORDER BY linked_at, id`,
        [fx.id, fx.related],
      );
      return { links: rows };
    }
    if (row.fixture === 'targetUser') {
      const { rows } = await t.owner.query(`SELECT display_name, role, active, updated_at FROM users WHERE id = $1`, [
        fx.id,
      ]);
      return { user: rows[0] };
    }
    const username =
      typeof body?.username === 'string' && row.route.startsWith(`POST ${API}/users`) ? body.username : null;
    const { rows } = username
      ? await t.owner.query(`SELECT count(*)::int AS n FROM users WHERE lower(username) = lower($1)`, [username])
      : { rows: [{ n: null }] };
    return { cases: await count('cases'), users: await count('users'), createdUser: rows[0].n };
  }

  async function count(table: 'cases' | 'users' | 'packets'): Promise<number> {
    const { rows } = await t.owner.query(`SELECT count(*)::int AS n FROM ${table}`);
    return rows[0].n;
  }

  function send(method: string, path: string): Test {
    const agent = t.http();
    switch (method) {
      case 'GET':
        return agent.get(path);
      case 'POST':
        return agent.post(path);
      case 'PUT':
        return agent.put(path);
      case 'PATCH':
        return agent.patch(path);
      case 'DELETE':
        return agent.delete(path);
      case 'HEAD':
        return agent.head(path);
      case 'OPTIONS':
        return agent.options(path);
      default:
        throw new Error(`matrix method ${method} is not supported by the suite`);
    }
  }

  /**
   * One cell: fresh fixture, one request, then what the user sees (status, error code), the
   * audit trail for that request id, and the database (refused requests change nothing).
   */
  async function runCell(
    row: MatrixRow,
    caller: TestUser | null,
    author: TestUser,
    expected: number,
    uploader = author,
  ): Promise<void> {
    const [method, pattern] = row.route.split(' ');
    const fx = await makeFixture(row, author, uploader);
    const path = (fx.id ? pattern.replace(/:id(?=\/|$)|:ticket/, fx.id) : pattern).replace(
      ':uploadId',
      fx.uploadId ?? ':uploadId',
    );
    // A ticket is never audited (nor logged): the path names the first digits of its SHA-256 instead.
    const auditedPath =
      row.fixture === 'evidenceTicket'
        ? path.replace(fx.id!, `redacted:${createHash('sha256').update(fx.id!).digest('hex').slice(0, 12)}`)
        : path;
    const credentials = caller ?? as.OFFICER;
    const body = row.body?.({
      unique: randomUUID().slice(0, 12),
      credentials: { username: credentials.username, password: credentials.password },
      related: fx.related,
    });
    const before = await snapshot(row, fx, body);
    const requestId = `authz-${randomUUID()}`;

    let req = send(method, path).set('X-Request-Id', requestId);
    if (caller) req = req.set(caller.auth);
    if (isCaseIdRoute(row.route) && method !== 'GET' && !row.tus && fx.version !== null)
      req = req.set('If-Match', `"${fx.version}"`);
    if (row.upload)
      req = req.query(row.upload.query).set('Content-Type', 'application/octet-stream').send(row.upload.bytes);
    if (row.tus) {
      req = req.set('Tus-Resumable', '1.0.0').set(row.tus.headers);
      if (row.tus.bytes) req = req.send(row.tus.bytes);
    }
    if (row.route.endsWith('/archive') || row.fixture === 'evidenceTicket') req = req.buffer(true).parse(bytesOrJson);
    const res: Response = body ? await req.send(body) : await req;

    expect({ status: res.status, body: res.status === expected ? undefined : res.body }).toEqual({
      status: expected,
      body: undefined,
    });

    const rows = await auditRows(t.owner, 'request_id = $1', [requestId]);
    const refusals = rows.filter((r) => r.outcome !== 'SUCCESS');
    if (expected < 300) {
      expect(refusals).toEqual([]);
      await expectEffect(row, fx, before, body, res, caller);
      return;
    }

    if (method === 'HEAD') {
      // An answer to HEAD has no body: the request id comes back in its header.
      expect(res.headers['x-request-id']).toBe(requestId);
    } else {
      expect(CODES_FOR[expected]).toContain(res.body.code);
      expect(res.body).toMatchObject({ statusCode: expected, requestId });
      expect(typeof res.body.message).toBe('string');
    }
    expect(rows).toHaveLength(1);
    const ev = rows[0];
    if (expected === 401) {
      expect(ev).toMatchObject({
        action: 'auth.unauthenticated',
        outcome: 'DENIED',
        actor_id: null,
        actor_role: 'ANONYMOUS',
      });
    } else {
      expect(ev).toMatchObject({
        action: 'access.denied',
        outcome: 'DENIED',
        actor_id: caller!.id,
        actor_role: caller!.role,
      });
      expect(ev.details).toMatchObject({ status: expected, method, path: auditedPath });
    }
    if (isTusUploadRoute(row.route) && expected === 404) {
      // The service refused: the upload (which exists, but not for this caller) is named, with its case.
      expect({ case_id: ev.case_id, target_type: ev.target_type, target_id: ev.target_id }).toEqual({
        case_id: fx.id,
        target_type: 'evidence_upload',
        target_id: fx.uploadId,
      });
    } else if (isCaseIdRoute(row.route))
      expect({ case_id: ev.case_id, target_id: ev.target_id }).toEqual({ case_id: fx.id, target_id: fx.id });
    if (isEvidenceIdRoute(row.route))
      expect({ target_type: ev.target_type, target_id: ev.target_id }).toEqual({
        target_type: 'evidence',
        target_id: fx.id,
      });
    if (isPacketIdRoute(row.route))
      expect({ target_type: ev.target_type, target_id: ev.target_id }).toEqual({
        target_type: 'packet',
        target_id: fx.id,
      });
    if (expected === 404) expect(ev.details.reason).toBe('out_of_scope');
    // Refused: nothing changed.
    expect(await snapshot(row, fx, body)).toEqual(before);
  }

  /** Allowed: the request did what it says (so the allowed cells cannot pass on a no-op). */
  async function expectEffect(
    row: MatrixRow,
    fx: Fixture,
    before: any,
    body: Record<string, unknown> | undefined,
    res: Response,
    caller: TestUser | null,
  ) {
    const [method] = row.route.split(' ');
    const after = await snapshot(row, fx, body);
    if (row.route.endsWith('/tickets')) {
      expect(res.body).toEqual({
        ticket: expect.stringMatching(/^iontk_/),
        url: `${API}/tickets/${res.body.ticket}`,
        purpose: 'DOWNLOAD',
        expiresAt: expect.any(String),
      });
      const { rows } = await t.owner.query(`SELECT user_id, target_id FROM access_tickets WHERE token_sha256 = $1`, [
        createHash('sha256').update(res.body.ticket).digest('hex'),
      ]);
      expect(rows).toEqual([{ user_id: caller!.id, target_id: fx.id }]);
    } else if (row.fixture === 'evidenceTicket') {
      expect(res.headers['x-evidence-sha256']).toBe(fx.sha256);
      expect(
        createHash('sha256')
          .update(res.body as Buffer)
          .digest('hex'),
      ).toBe(fx.sha256);
    } else if (row.route === `POST ${API}/cases/:id/packets`) {
      // No violation is a felony and the body names no office: CITY_LAW by default.
      expect(res.body).toMatchObject({
        caseId: fx.id,
        status: 'PENDING',
        version: 1,
        office: 'CITY_LAW',
        manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(after.case).toMatchObject({
        status: 'REFERRED',
        version: before.case.version + 1,
        revisions: before.case.revisions + 1,
        packets: 1,
      });
      // The manifest, its signature and the case report it records (issue 15 §4).
      expect(after.objects).toBe(before.objects + 3);
      expect(await t.storage.keys()).toEqual(
        expect.arrayContaining([
          `packets/${fx.id}/${res.body.id}/manifest.json`,
          `packets/${fx.id}/${res.body.id}/manifest.sig`,
          `packets/${fx.id}/${res.body.id}/case-report.pdf`,
        ]),
      );
    } else if (row.route === `GET ${API}/cases/:id/packets`) {
      expect(res.body.caseId).toBe(fx.id);
      expect((res.body.items as { caseId: string; status: string }[]).map((i) => [i.caseId, i.status])).toEqual([
        [fx.id, 'PENDING'],
      ]);
      expect(after).toEqual(before);
    } else if (row.route === `GET ${API}/review-queue`) {
      expect(res.body).toMatchObject({ items: expect.any(Array), status: ['PENDING', 'IN_REVIEW'], sort: 'oldest' });
      expect((res.body.items as { office: string }[]).every((i) => i.office === caller!.office)).toBe(true);
    } else if (row.route === `GET ${API}/office/colleagues`) {
      expect(res.body.office).toBe(caller!.office);
      const ids = (res.body.items as { id: string }[]).map((i) => i.id);
      expect(ids).toContain(variant.PROSECUTOR_SAME_OFFICE_NOT_CLAIMANT.id);
      expect(ids).not.toContain(caller!.id);
      expect(ids).not.toContain(variant.PROSECUTOR_OTHER_OFFICE.id);
    } else if (row.fixture === 'packet' || row.fixture === 'claimedPacket' || row.fixture === 'decidedPacket') {
      if (row.route.endsWith('/release')) {
        expect(res.body).toMatchObject({ id: fx.id, status: 'PENDING', review: { claimedBy: null } });
        expect(after.packet).toMatchObject({ status: 'PENDING', claimed_by: null, claimed_at: null });
        expect(after.case).toMatchObject({ status: 'REFERRED', version: before.case.version + 1 });
      } else if (row.route.endsWith('/hand-over')) {
        expect(res.body).toMatchObject({ id: fx.id, status: 'IN_REVIEW', review: { claimedBy: fx.related } });
        expect(after.packet).toMatchObject({ status: 'IN_REVIEW', claimed_by: fx.related });
        expect(after.case).toEqual(before.case);
      } else if (row.route.endsWith('/reference-corrections')) {
        expect(res.body.review).toMatchObject({
          externalReference: 'AUTHZ-REF-1',
          currentExternalReference: body!.externalReference,
          referenceCorrections: [
            {
              seq: 1,
              previousReference: 'AUTHZ-REF-1',
              externalReference: body!.externalReference,
              correctedBy: caller!.id,
            },
          ],
        });
        expect(after.packet).toEqual({ ...before.packet, corrections: 1 });
        expect(after.case).toEqual(before.case);
      }
      if (row.route === `GET ${API}/packets/:id`) {
        expect(res.body).toMatchObject({ id: fx.id, caseId: fx.caseId, status: 'PENDING', office: HOME_OFFICE });
      } else if (row.route.endsWith('/manifest')) {
        expect(res.body).toMatchObject({
          packetId: fx.id,
          manifest: { packetId: fx.id },
          signature: { keyId: expect.any(String) },
        });
        expect(res.body.signature.keyId).not.toBe('');
      } else if (row.route.endsWith('/archive')) {
        expect(res.headers['content-type']).toMatch(/^application\/zip/);
        expect(Buffer.isBuffer(res.body)).toBe(true);
        expect((res.body as Buffer).subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'));
      } else if (row.route.endsWith('/claim')) {
        expect(res.body).toMatchObject({ id: fx.id, status: 'IN_REVIEW', review: { claimedBy: caller!.id } });
        expect(after.packet).toMatchObject({ status: 'IN_REVIEW', claimed_by: caller!.id });
        expect(after.case).toMatchObject({ status: 'IN_REVIEW', version: before.case.version + 1 });
      } else if (row.route.endsWith('/decision')) {
        expect(res.body).toMatchObject({
          id: fx.id,
          status: 'DECIDED',
          review: { decision: body!.decision, decidedBy: caller!.id },
        });
        expect(after.packet).toMatchObject({ status: 'DECIDED', decision: body!.decision, decided_by: caller!.id });
        expect(after.case).toMatchObject({
          status: 'CLOSED',
          disposition: body!.decision,
          version: before.case.version + 1,
        });
      }
      if (method === 'GET') expect(after).toEqual(before); // reads change nothing but the audit trail
    } else if (row.tus) {
      expect(res.headers['tus-resumable']).toBe('1.0.0');
      const at = (id: string) => (after as any).uploads.find((u: { id: string }) => u.id === id);
      if (method === 'OPTIONS') {
        expect(res.headers).toMatchObject({
          'tus-version': '1.0.0',
          'tus-extension': 'creation,termination',
          'tus-max-size': expect.stringMatching(/^\d+$/),
        });
        expect(after).toEqual(before);
      } else if (method === 'POST') {
        expect(res.body).toEqual({
          uploadId: expect.any(String),
          caseId: fx.id,
          uploadLength: TUS_UPLOAD.bytes.length,
          location: `${API}/cases/${fx.id}/evidence/uploads/${res.body.uploadId}`,
        });
        expect(res.headers.location).toBe(res.body.location);
        expect((after as any).uploads).toEqual([
          ...before.uploads,
          expect.objectContaining({
            id: res.body.uploadId,
            started_by: caller!.id,
            outcome: null,
            bytes_received: '0',
          }),
        ]);
        expect({ evidence: after.case.evidence, objects: after.objects, version: after.case.version }).toEqual({
          evidence: before.case.evidence,
          objects: before.objects,
          version: before.case.version,
        });
      } else if (method === 'HEAD') {
        expect(res.headers).toMatchObject({
          'upload-offset': String(TUS_UPLOAD.sent),
          'upload-length': String(TUS_UPLOAD.bytes.length),
        });
        expect(after).toEqual(before);
      } else if (method === 'PATCH') {
        const offset = TUS_UPLOAD.sent + TUS_UPLOAD.chunk;
        expect(res.headers['upload-offset']).toBe(String(offset));
        // The creator's HEAD agrees (the session records progress only every few seconds); the upload is still open, no item yet.
        expect(at(fx.uploadId!)).toMatchObject({ outcome: null });
        const h = await t
          .http()
          .head(`${API}/cases/${fx.id}/evidence/uploads/${fx.uploadId}`)
          .set(caller!.auth)
          .set('Tus-Resumable', '1.0.0');
        expect({ status: h.status, offset: h.headers['upload-offset'] }).toEqual({
          status: 200,
          offset: String(offset),
        });
        expect(after.case.evidence).toBe(before.case.evidence);
      } else if (method === 'DELETE') {
        expect(at(fx.uploadId!)).toMatchObject({ outcome: 'CANCELLED', ended_at: expect.any(Date) });
        const events = await auditRows(t.owner, 'request_id = $1', [res.headers['x-request-id']]);
        expect(events.map((e) => [e.action, e.outcome, e.actor_id, e.target_id])).toEqual([
          ['evidence.upload.cancelled', 'SUCCESS', caller!.id, fx.uploadId],
        ]);
        expect((after as any).pending).toBe(0);
      }
    } else if (row.upload) {
      expect(res.body).toMatchObject({
        caseId: fx.id,
        sha256: createHash('sha256').update(row.upload.bytes).digest('hex'),
        sizeBytes: row.upload.bytes.length,
      });
      expect({ evidence: after.case.evidence, objects: after.objects }).toEqual({
        evidence: before.case.evidence + 1,
        objects: before.objects + 1,
      });
      expect(after.case.version).toBe(before.case.version); // evidence is its own resource: the case's version is unchanged
    } else if (row.route === `GET ${API}/cases/:id/evidence`) {
      expect(res.body.caseId).toBe(fx.id);
    } else if (row.fixture === 'evidence' || row.fixture === 'packetEvidence' || row.fixture === 'withdrawnEvidence') {
      if (row.route.endsWith('/legal-hold/release') || row.route.endsWith('/legal-hold')) {
        const action = row.route.endsWith('/release') ? 'RELEASED' : 'PLACED';
        expect(res.body.preservation).toMatchObject({
          legalHold: action === 'PLACED',
          legalHoldChange: { action, by: caller!.id, reason: body!.reason },
        });
        expect(after.evidence).toMatchObject({
          legal_hold_action: action,
          legal_hold_changed_by: caller!.id,
          legal_hold_reason: body!.reason,
          legal_hold_reference: body!.reference,
          preservation: { legalHold: action === 'PLACED' },
        });
      } else if (row.route.endsWith('/content')) {
        expect(res.headers['x-evidence-sha256']).toBe(fx.sha256);
      } else if (row.route.endsWith('/verify')) {
        expect(res.body).toMatchObject({ evidenceId: fx.id, result: 'MATCH', sha256: fx.sha256 });
        expect(after.evidence.last_verified_at).not.toBeNull();
      } else if (row.route.endsWith('/supersede')) {
        expect(after.evidence).toMatchObject({ status: 'SUPERSEDED', supersede_reason: body!.reason });
      } else {
        expect(res.body).toMatchObject({ id: fx.id, sha256: fx.sha256 });
        // On Ceph RGW retention and the legal hold are applied after the upload commits: evidence.preserved.
        expect(res.body.custody.map((e: { action: string }) => e.action)).toEqual([
          'evidence.uploaded',
          'evidence.preserved',
          'evidence.viewed',
        ]);
      }
    } else if (row.fixture.endsWith('Case')) {
      if (method === 'GET') {
        if (row.route.includes(':id')) expect(res.body.id ?? res.body.caseId).toBe(fx.id);
        else expect((res.body.items as { id: string }[]).map((i) => i.id)).toContain(fx.id); // newest first
        expect(after.case.version).toBe(before.case.version);
      } else {
        expect(after.case.version).toBe(before.case.version + 1);
        expect(after.case.revisions).toBe(before.case.revisions + 1);
        expect(res.body).toMatchObject({ id: fx.id, version: before.case.version + 1 });
      }
    } else if (row.fixture === 'personnelEntry') {
      if (method === 'GET') {
        expect(res.body).toMatchObject({ id: fx.id, caseCount: 1 });
        expect(res.body.cases.map((c: { caseId: string }) => c.caseId)).toEqual([fx.caseId]);
        expect(after).toEqual(before);
      } else {
        expect(res.body).toMatchObject({ otherId: fx.related, active: true, linkedBy: { id: caller!.id } });
        expect(after.links).toEqual([
          expect.objectContaining({ id: res.body.id, linked_by: caller!.id, unlinked_at: null }),
        ]);
      }
    } else if (row.fixture === 'personnelLink') {
      expect(res.body).toMatchObject({
        id: fx.id,
        active: false,
        unlinkedBy: { id: caller!.id },
        unlinkReason: body!.reason,
      });
      expect(after.links).toEqual([
        expect.objectContaining({ id: fx.id, unlinked_by: caller!.id, unlink_reason: body!.reason }),
      ]);
    } else if (row.route === `POST ${API}/users/:id/password-reset`) {
      expect(res.body).toMatchObject({
        user: { id: fx.id, mustChangePassword: true },
        temporaryPassword: expect.stringMatching(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/),
      });
      expect(after.user.updated_at).not.toEqual(before.user.updated_at);
    } else if (row.route === `POST ${API}/auth/password`) {
      // The caller's password changed: the new one signs in (and is what the caller's credentials are from now on).
      expect(res.body).toMatchObject({ tokenType: 'Bearer', user: { id: caller!.id, mustChangePassword: false } });
      await t
        .http()
        .post(`${API}/auth/login`)
        .send({ username: caller!.username, password: body!.newPassword })
        .expect(200);
      caller!.password = body!.newPassword as string;
      // The tokens of before ended with the change: the caller goes on with the fresh one it answered.
      caller!.token = res.body.accessToken;
      caller!.auth = { Authorization: `Bearer ${caller!.token}` };
    } else if (row.route === `POST ${API}/auth/logout`) {
      // Every session of the caller ended on the service: their token is refused, so they sign in again for later rows.
      const ended = await t.http().get(`${API}/auth/me`).set(caller!.auth);
      expect([ended.status, ended.body.message]).toEqual([401, expect.stringMatching(/^This session was signed out/)]);
      expect(res.text).toBe('');
      caller!.token = await t.given.login(caller!.username, caller!.password);
      caller!.auth = { Authorization: `Bearer ${caller!.token}` };
    } else if (row.fixture === 'targetUser') {
      expect(res.body.id).toBe(fx.id);
      if (method === 'PATCH') expect(after.user.display_name).toBe(body!.displayName);
      expect(res.body).not.toHaveProperty('passwordHash');
    } else if (row.route === `POST ${API}/users`) {
      expect(after.createdUser).toBe(1);
      expect(res.body).not.toHaveProperty('passwordHash');
    } else if (row.route === `POST ${API}/cases`) {
      expect(after.cases).toBe(before.cases + 1);
      expect(res.body).toMatchObject({ status: 'DRAFT', caseNumber: expect.stringMatching(/^ION-\d{4}-\d{6}$/) });
    } else if (row.route === `POST ${API}/auth/login`) {
      expect(res.body).toMatchObject({ tokenType: 'Bearer', user: { username: body!.username } });
    }
  }

  // ---------------------------------------------------------------------------------------------
  for (const row of AUTHZ_MATRIX) {
    describe(row.route, () => {
      for (const caller of CALLERS) {
        const expected = row.expect[caller];
        it(`${caller} -> ${expected}`, async () => {
          await runCell(row, caller === 'ANONYMOUS' ? null : as[caller], as.OFFICER, expected);
        });
      }
      for (const [name, expected] of Object.entries(row.scope ?? {}) as [ScopeVariant, number][]) {
        it(`${name} (${SCOPE_VARIANTS[name].description}) -> ${expected}`, async () => {
          const caller = variant[name];
          const author = SCOPE_VARIANTS[name].authorsCase ? caller : as.OFFICER;
          await runCell(
            row,
            caller,
            author,
            expected,
            SCOPE_VARIANTS[name].uploadedBySupervisor ? as.SUPERVISOR : author,
          );
        });
      }
    });
  }

  // ---------------------------------------------------------------------------------------------
  describe('BOLA: what an out-of-scope caller can learn', () => {
    it("answers another officer's case exactly like a case that does not exist (but audits them differently)", async () => {
      const c = await t.given.caseReadyToSubmit(as.OFFICER);
      const intruder = variant.OFFICER_SAME_DISTRICT_NOT_AUTHOR;
      const missingId = randomUUID();
      const real = await t.http().get(`${API}/cases/${c.id}`).set(intruder.auth);
      const missing = await t.http().get(`${API}/cases/${missingId}`).set(intruder.auth);
      expect(real.status).toBe(404);
      expect(missing.status).toBe(404);
      const shape = (b: Record<string, unknown>, id: string) => ({
        ...b,
        message: String(b.message).replace(id, '<id>'),
        requestId: '<rid>',
      });
      expect(shape(real.body, c.id)).toEqual(shape(missing.body, missingId));
      expect(real.body.message).toContain(c.id);

      const [scopeEv] = await auditRows(t.owner, 'request_id = $1', [real.body.requestId]);
      const [missingEv] = await auditRows(t.owner, 'request_id = $1', [missing.body.requestId]);
      expect(scopeEv).toMatchObject({
        action: 'access.denied',
        outcome: 'DENIED',
        actor_id: intruder.id,
        case_id: c.id,
        target_type: 'case',
      });
      expect(scopeEv.details.reason).toBe('out_of_scope');
      expect(missingEv).toMatchObject({ outcome: 'FAILED', actor_id: intruder.id });
      expect(missingEv.details.reason).toBe('not_found');
    });

    it('lists: a case appears only to its author, its district supervisor and auditors, whatever the filters', async () => {
      const c = await t.given.caseReadyToSubmit(as.OFFICER);
      const find = async (u: TestUser, extra = '') => {
        const res = await t
          .http()
          .get(`${API}/cases?q=${encodeURIComponent(c.caseNumber)}&pageSize=100${extra}`)
          .set(u.auth);
        expect(res.status).toBe(200);
        return (res.body.items as { id: string }[]).some((i) => i.id === c.id);
      };
      expect(await find(as.OFFICER)).toBe(true);
      expect(await find(as.SUPERVISOR)).toBe(true);
      expect(await find(as.AUDITOR)).toBe(true);
      expect(await find(variant.OFFICER_SAME_DISTRICT_NOT_AUTHOR)).toBe(false);
      expect(await find(variant.OFFICER_SAME_DISTRICT_NOT_AUTHOR, `&district=${HOME_DISTRICT}`)).toBe(false);
      expect(await find(variant.OFFICER_OTHER_DISTRICT)).toBe(false);
      expect(await find(variant.SUPERVISOR_OTHER_DISTRICT)).toBe(false);
      expect(await find(variant.SUPERVISOR_OTHER_DISTRICT, `&district=${HOME_DISTRICT}`)).toBe(false);
    });

    it('an out-of-scope timeline request returns no events and is itself on the case timeline as access.denied', async () => {
      const c = await t.given.caseReadyToSubmit(as.OFFICER);
      const intruder = variant.SUPERVISOR_OTHER_DISTRICT;
      const res = await t.http().get(`${API}/cases/${c.id}/timeline`).set(intruder.auth).expect(404);
      expect(res.body.events).toBeUndefined();
      const own = await t.http().get(`${API}/cases/${c.id}/timeline`).set(as.SUPERVISOR.auth).expect(200);
      const denied = (own.body.events as { action: string; outcome: string; actor: { id: string } }[]).filter(
        (e) => e.action === 'access.denied',
      );
      expect(denied).toEqual([
        expect.objectContaining({ outcome: 'DENIED', actor: expect.objectContaining({ id: intruder.id }) }),
      ]);
    });

    it('scope comes from the user record: a supervisor moved to another district loses the old cases at once', async () => {
      const moved = await t.given.supervisor(HOME_DISTRICT);
      const c = await t.given.caseReadyToSubmit(as.OFFICER);
      await t.http().get(`${API}/cases/${c.id}`).set(moved.auth).expect(200);
      await t
        .http()
        .patch(`${API}/users/${moved.id}`)
        .set(as.ADMIN.auth)
        .send({ district: OTHER_DISTRICT })
        .expect(200);
      const res = await t.http().get(`${API}/cases/${c.id}`).set(moved.auth);
      expect(res.status).toBe(404);
      const [ev] = await auditRows(t.owner, 'request_id = $1', [res.body.requestId]);
      expect(ev).toMatchObject({ action: 'access.denied', outcome: 'DENIED', actor_id: moved.id, case_id: c.id });
      expect(ev.details.reason).toBe('out_of_scope');
    });

    it('an auditor reads case metadata, never its content', async () => {
      const c = await t.given.caseReadyToSubmit(as.OFFICER);
      const res = await t.http().get(`${API}/cases/${c.id}`).set(as.AUDITOR.auth).expect(200);
      expect(res.body).toMatchObject({ id: c.id, caseNumber: c.caseNumber, status: 'DRAFT' });
      for (const field of [
        'narrative',
        'incidentLocation',
        'federalOfficers',
        'injuryDescription',
        'noFootageReason',
      ]) {
        expect(res.body).not.toHaveProperty(field);
      }
    });

    it('a role-level refusal does not depend on the id: an officer gets the same 403 for any case, existing or not', async () => {
      const c = await t.given.submittedCase(as.OFFICER);
      const other = variant.OFFICER_OTHER_DISTRICT;
      const a = await t.http().post(`${API}/cases/${c.id}/approve`).set(other.auth).send({});
      const b = await t.http().post(`${API}/cases/${randomUUID()}/approve`).set(other.auth).send({});
      expect([a.status, b.status]).toEqual([403, 403]);
      expect(a.body.message).toBe(b.body.message);
    });
  });
});
