import type { Response } from 'supertest';
import { GENESIS_HASH } from '@app/audit';
import { createHash } from 'node:crypto';
import { SUBMIT_ATTESTATION } from '../libs/cases/src/order-rules';
import {
  auditRows,
  createTestApp,
  FULL_CASE,
  SUBMIT_BODY,
  SUPERVISOR_RECORD,
  TestApp,
  TestUser,
} from './harness/test-app';

/**
 * The case lifecycle of docs/domain.md ("The case lifecycle") end to end: real AppModule, real PostgreSQL.
 * Every test asserts what a user sees (status, body), what the database holds, and the audit trail.
 */

type Status = 'DRAFT' | 'SUBMITTED' | 'RETURNED' | 'APPROVED' | 'REFERRED' | 'IN_REVIEW' | 'CLOSED' | 'WITHDRAWN';
type Route = 'submit' | 'return' | 'approve' | 'withdraw';

const STATUSES: Status[] = [
  'DRAFT',
  'SUBMITTED',
  'RETURNED',
  'APPROVED',
  'REFERRED',
  'IN_REVIEW',
  'CLOSED',
  'WITHDRAWN',
];
const ROUTES: Route[] = ['submit', 'return', 'approve', 'withdraw'];
/** The legal moves, written out independently of case-state.ts so a change there is caught here. */
const ALLOWED: Record<Route, Status[]> = {
  submit: ['DRAFT', 'RETURNED'],
  return: ['SUBMITTED'],
  approve: ['SUBMITTED'],
  withdraw: ['DRAFT', 'SUBMITTED', 'RETURNED'],
};
const EDITABLE: Status[] = ['DRAFT', 'RETURNED'];

const CASE_NUMBER = /^ION-\d{4}-\d{6}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const VIOLATIONS = {
  violations: [{ citation: '720 ILCS 5/12-3', description: 'Battery of a bystander', felony: false }],
};

describe('case lifecycle', () => {
  let t: TestApp;
  let officer: TestUser; // author of most cases, district 1
  let officer2: TestUser; // another officer of district 1
  let sup: TestUser; // supervisor of district 1, never an author unless stated
  let sup2: TestUser; // second supervisor of district 1
  let supOther: TestUser; // supervisor of district 2
  let auditor: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    [officer, officer2, sup, sup2, supOther, auditor] = await Promise.all([
      t.given.officer(1),
      t.given.officer(1),
      t.given.supervisor(1),
      t.given.supervisor(1),
      t.given.supervisor(2),
      t.given.auditor(),
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  // --- small helpers -------------------------------------------------------------------------

  const path = (suffix = '') => `/api/v1/cases${suffix}`;
  const create = (user: TestUser, body: object = {}) => t.http().post(path()).set(user.auth).send(body);
  const get = (user: TestUser, id: string) =>
    t
      .http()
      .get(path(`/${id}`))
      .set(user.auth);
  const timeline = (user: TestUser, id: string) =>
    t
      .http()
      .get(path(`/${id}/timeline`))
      .set(user.auth);
  const list = (user: TestUser, query: Record<string, string | number> = {}) =>
    t.http().get(path()).query(query).set(user.auth);
  function patch(user: TestUser, id: string, body: object, ifMatch?: number | string) {
    const req = t
      .http()
      .patch(path(`/${id}`))
      .set(user.auth);
    if (ifMatch !== undefined) req.set('If-Match', typeof ifMatch === 'number' ? `"${ifMatch}"` : ifMatch);
    return req.send(body);
  }
  function put(user: TestUser, id: string, what: 'federal-officers' | 'violations', body: object, ifMatch?: number) {
    const req = t
      .http()
      .put(path(`/${id}/${what}`))
      .set(user.auth);
    if (ifMatch !== undefined) req.set('If-Match', `"${ifMatch}"`);
    return req.send(body);
  }
  /** A transition; submit carries the author's attestation (SUBMIT_BODY) unless the body says otherwise. */
  function act(user: TestUser, id: string, route: Route, body: object = {}, ifMatch?: number) {
    const req = t
      .http()
      .post(path(`/${id}/${route}`))
      .set(user.auth);
    if (ifMatch !== undefined) req.set('If-Match', `"${ifMatch}"`);
    return req.send(route === 'submit' ? { ...SUBMIT_BODY, ...body } : body);
  }
  /** The body each route needs so that only the case's state can be wrong. */
  const bodyFor = (route: Route) => (route === 'return' || route === 'withdraw' ? { reason: `${route} for test` } : {});

  /** The case as the database holds it. */
  async function dbCase(id: string) {
    const { rows } = await t.owner.query(
      `SELECT status, version, updated_at, narrative, return_reason, withdraw_reason FROM cases WHERE id = $1`,
      [id],
    );
    return rows[0] as {
      status: Status;
      version: number;
      updated_at: Date;
      narrative: string | null;
      return_reason: string | null;
      withdraw_reason: string | null;
    };
  }
  const countCases = async () => Number((await t.owner.query('SELECT count(*)::int AS n FROM cases')).rows[0].n);
  /** The audit events written while serving this response (matched by its X-Request-Id). */
  const auditOf = (res: Response) => auditRows(t.owner, 'request_id = $1', [res.headers['x-request-id']]);
  const fieldsOf = (res: Response): string[] => (res.body.fields ?? []).map((f: { field: string }) => f.field);
  const items = (res: Response): string[] => res.body.checklist.missing.map((m: { item: string }) => m.item);

  function expectError(res: Response, status: number, code: string) {
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    expect(res.body).toMatchObject({
      statusCode: status,
      code,
      message: expect.any(String),
      requestId: res.headers['x-request-id'],
    });
  }
  async function expectValidation(res: Response, field: string) {
    expectError(res, 400, 'VALIDATION.FAILED');
    expect(fieldsOf(res)).toContain(field);
    expect(res.body.message).toContain(field);
  }
  /** One FAILED/DENIED audit event for the response, naming the attempted action and the error code. */
  async function expectAuditedFailure(
    res: Response,
    action: string,
    outcome: 'FAILED' | 'DENIED',
    code: string,
    caseId?: string,
  ) {
    const rows = await auditOf(res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action, outcome, details: expect.objectContaining({ code, status: res.status }) });
    if (caseId) expect(rows[0].case_id).toBe(caseId);
  }

  async function returned(author: TestUser) {
    const c = await t.given.submittedCase(author);
    const res = await act(sup2, c.id, 'return', { reason: 'fixture' }).expect(200);
    return res.body as { id: string; version: number };
  }
  async function withdrawn(author: TestUser) {
    const c = await t.given.caseReadyToSubmit(author);
    const res = await act(sup2, c.id, 'withdraw', { reason: 'fixture' }).expect(200);
    return res.body as { id: string; version: number };
  }
  /** A case authored by `officer` in the given state; states the API cannot reach yet are set directly. */
  async function caseIn(status: Status): Promise<{ id: string }> {
    switch (status) {
      case 'DRAFT':
        return t.given.caseReadyToSubmit(officer);
      case 'SUBMITTED':
        return t.given.submittedCase(officer);
      case 'RETURNED':
        return returned(officer);
      case 'APPROVED':
        return t.given.approvedCase(officer, sup2);
      case 'WITHDRAWN':
        return withdrawn(officer);
      default: {
        const c = await t.given.approvedCase(officer, sup2);
        await t.owner.query(`UPDATE cases SET status = $1 WHERE id = $2`, [status, c.id]);
        return c;
      }
    }
  }

  // --- 1. the whole lifecycle ----------------------------------------------------------------

  it('runs DRAFT -> SUBMITTED -> RETURNED -> SUBMITTED -> APPROVED by the right roles, each step on the timeline', async () => {
    const opened = await create(officer, { origin: 'WITNESSED' }).expect(201);
    expect(opened.body).toMatchObject({
      status: 'DRAFT',
      version: 1,
      district: 1,
      createdBy: officer.id,
      origin: 'WITNESSED',
      federalOfficers: [],
      violations: [],
      submittedAt: null,
      approvedBy: null,
    });
    expect(opened.body.caseNumber).toMatch(CASE_NUMBER);
    expect(opened.headers.etag).toBe('"1"');
    const id: string = opened.body.id;

    const { origin: _origin, ...rest } = FULL_CASE;
    const edited = await patch(officer, id, rest, 1).expect(200);
    expect(edited.body).toMatchObject({
      version: 2,
      status: 'DRAFT',
      narrative: FULL_CASE.narrative,
      agencies: ['ICE_ERO'],
    });
    expect(edited.body.incidentAt).toBe(new Date(FULL_CASE.incidentAt).toISOString());
    expect(edited.headers.etag).toBe('"2"');
    expect(items(edited)).toEqual(['federalSupervisorIdentification']);

    const feds = await put(officer, id, 'federal-officers', SUPERVISOR_RECORD, 2).expect(200);
    expect(feds.body).toMatchObject({ version: 3, federalOfficerCount: 1, checklist: { complete: true, missing: [] } });
    expect(feds.body.federalOfficers[0]).toMatchObject(SUPERVISOR_RECORD.officers[0]);

    const viol = await put(officer, id, 'violations', VIOLATIONS, 3).expect(200);
    expect(viol.body).toMatchObject({
      version: 4,
      violationCount: 1,
      anyFelony: false,
      violations: VIOLATIONS.violations,
    });

    const submitted = await act(officer, id, 'submit', {}, 4).expect(200);
    expect(submitted.body).toMatchObject({ status: 'SUBMITTED', version: 5, submittedBy: officer.id });
    expect(submitted.body.submittedAt).toEqual(expect.any(String));
    expect(submitted.headers.etag).toBe('"5"');

    const reason = 'Say how the federal supervisor was asked to identify themselves.';
    const ret = await act(sup, id, 'return', { reason }).expect(200);
    expect(ret.body).toMatchObject({ status: 'RETURNED', version: 6, returnedBy: sup.id, returnReason: reason });

    const seen = await get(officer, id).expect(200);
    expect(seen.body).toMatchObject({ status: 'RETURNED', version: 6, returnReason: reason, returnedBy: sup.id });

    const fixed = await patch(
      officer,
      id,
      { narrative: `${FULL_CASE.narrative} The supervisor was asked twice.` },
      6,
    ).expect(200);
    expect(fixed.body).toMatchObject({ status: 'RETURNED', version: 7 });

    const resubmitted = await act(officer, id, 'submit', { version: 7 }).expect(200);
    expect(resubmitted.body).toMatchObject({ status: 'SUBMITTED', version: 8 });

    const approved = await act(sup2, id, 'approve', { note: 'Complete.' }).expect(200);
    expect(approved.body).toMatchObject({ status: 'APPROVED', version: 9, approvedBy: sup2.id });
    expect(approved.body.approvedAt).toEqual(expect.any(String));
    expect(await dbCase(id)).toMatchObject({ status: 'APPROVED', version: 9 });

    const tl = await timeline(officer, id).expect(200);
    expect(tl.body).toMatchObject({ caseId: id, caseNumber: opened.body.caseNumber });
    const events: any[] = tl.body.events;
    const changes = events.filter((e) => e.action !== 'case.viewed');
    expect(changes.map((e) => [e.action, e.actor.username, e.outcome, e.details.version])).toEqual([
      ['case.created', officer.username, 'SUCCESS', 1],
      ['case.updated', officer.username, 'SUCCESS', 2],
      ['case.federal_officers.updated', officer.username, 'SUCCESS', 3],
      ['case.violations.updated', officer.username, 'SUCCESS', 4],
      ['case.submitted', officer.username, 'SUCCESS', 5],
      ['case.returned', sup.username, 'SUCCESS', 6],
      ['case.updated', officer.username, 'SUCCESS', 7],
      ['case.submitted', officer.username, 'SUCCESS', 8],
      ['case.approved', sup2.username, 'SUCCESS', 9],
    ]);
    expect(changes[5].details).toMatchObject({ from: 'SUBMITTED', to: 'RETURNED', reason });
    expect(changes[6].details).toMatchObject({ fields: ['narrative'] });
    expect(changes[8].details).toMatchObject({ from: 'SUBMITTED', to: 'APPROVED', note: 'Complete.' });
    // The officer's read was recorded too.
    expect(events.filter((e) => e.action === 'case.viewed').map((e) => e.actor.username)).toEqual([officer.username]);

    // Oldest first; every event is chained: its prevHash is the hash of the event just before it in the whole trail.
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    for (const e of events) {
      expect(e.hash).toMatch(HEX64);
      expect(e.prevHash).toMatch(HEX64);
      expect(e.caseId).toBe(id);
    }
    const { rows: before } = await t.owner.query(
      'SELECT seq::int AS seq, hash FROM audit_events WHERE seq = ANY($1::bigint[])',
      [seqs.map((s) => s - 1)],
    );
    const hashAt = new Map(before.map((r: { seq: number; hash: string }) => [r.seq, r.hash]));
    for (const e of events) expect(e.prevHash).toBe(e.seq === 1 ? GENESIS_HASH : hashAt.get(e.seq - 1));

    // The timeline is exactly what the audit table holds for the case.
    const stored = await auditRows(t.owner, 'case_id = $1', [id]);
    expect(stored.map((r) => r.id)).toEqual(events.map((e) => e.id));
  });

  // --- 1b. the history in words ----------------------------------------------------------------

  describe('the readable timeline (entries)', () => {
    type Entry = {
      kind: string;
      summary: string;
      action: string;
      outcome: string;
      seqs: number[];
      count: number;
      people: number;
      note: string | null;
      actorName: string | null;
      changes?: { field: string; label: string; from?: unknown; to?: unknown }[];
      valuesHidden?: boolean;
    };
    const nameOf = async (u: TestUser) =>
      (await t.owner.query('SELECT display_name FROM users WHERE id = $1', [u.id])).rows[0].display_name as string;
    const NEW_NARRATIVE = 'The masked supervisor refused twice to give a name or a badge number.';
    const NEW_LOCATION = '4000 W Diversey Ave, Chicago';
    const REASON = 'Say who else saw it.';
    let id: string;
    let officerView: { entries: Entry[]; events: { seq: number; action: string }[] };

    beforeAll(async () => {
      const opened = await create(officer, FULL_CASE).expect(201);
      id = opened.body.id;
      await patch(officer, id, { narrative: NEW_NARRATIVE, incidentLocation: NEW_LOCATION }, 1).expect(200);
      const refused = {
        officers: [
          {
            ...SUPERVISOR_RECORD.officers[0],
            identificationOutcome: 'REFUSED',
            name: undefined,
            badgeNumber: undefined,
          },
        ],
      };
      await put(officer, id, 'federal-officers', refused, 2).expect(200);
      await put(officer, id, 'violations', VIOLATIONS, 3).expect(200);
      await t.given.evidence(
        officer,
        id,
        Buffer.alloc(1234, 7),
        'kind=BWC&deviceId=AXON-TEST-1&originalFilename=bwc.mp4',
      );
      await act(officer, id, 'submit', {}, 4).expect(200);
      await get(officer, id).expect(200);
      await get(officer, id).expect(200);
      await get(sup, id).expect(200);
      await act(sup, id, 'return', { reason: REASON }).expect(200);
      await act(officer, id, 'submit', {}, 6).expect(200);
      await act(sup2, id, 'approve', { note: 'Complete.' }).expect(200);
      officerView = (await timeline(officer, id).expect(200)).body;
    });

    const entry = (entries: Entry[], action: string, nth = 0) => entries.filter((e) => e.action === action)[nth];

    it('says each common step in words, with the notes of approval and return', async () => {
      const [o, s, s2] = await Promise.all([nameOf(officer), nameOf(sup), nameOf(sup2)]);
      const { entries } = officerView;
      expect(entry(entries, 'case.created').summary).toBe(`Case opened by ${o}`);
      expect(entry(entries, 'case.updated').summary).toBe('Location and narrative changed');
      expect(entry(entries, 'case.federal_officers.updated').summary).toBe(
        'Federal supervisor recorded: refused to identify',
      );
      expect(entry(entries, 'case.violations.updated').summary).toBe('Alleged violations recorded: 720 ILCS 5/12-3');
      expect(entry(entries, 'evidence.uploaded').summary).toBe('Evidence uploaded: bwc.mp4 (1.2 KB)');
      expect(entry(entries, 'case.submitted').summary).toBe(`Submitted for review by ${o}`);
      expect(entry(entries, 'case.returned')).toMatchObject({
        summary: `Returned by ${s}: ${REASON}`,
        note: REASON,
        actorName: s,
      });
      expect(entry(entries, 'case.approved')).toMatchObject({
        summary: `Approved by ${s2}: Complete.`,
        note: 'Complete.',
        actorName: s2,
      });
      // Steps in order, and every raw event stands behind exactly one entry.
      expect(entries.map((e) => e.action).filter((a) => a.startsWith('case.') && a !== 'case.viewed')).toEqual([
        'case.created',
        'case.updated',
        'case.federal_officers.updated',
        'case.violations.updated',
        'case.submitted',
        'case.returned',
        'case.submitted',
        'case.approved',
      ]);
      expect(entries.flatMap((e) => e.seqs)).toEqual(officerView.events.map((e) => e.seq));
    });

    it('gives each edit its field-level diff from case_revisions, from and to', () => {
      const edit = entry(officerView.entries, 'case.updated');
      expect(edit.changes).toEqual([
        { field: 'incidentLocation', label: 'Location', from: FULL_CASE.incidentLocation, to: NEW_LOCATION },
        { field: 'narrative', label: 'Narrative', from: FULL_CASE.narrative, to: NEW_NARRATIVE },
      ]);
      expect(edit.valuesHidden).toBeUndefined();
      const feds = entry(officerView.entries, 'case.federal_officers.updated').changes!;
      expect(feds).toEqual([
        {
          field: 'federalOfficers',
          label: 'Federal personnel',
          from: [],
          to: [expect.objectContaining({ identificationOutcome: 'REFUSED', isSupervisor: true })],
        },
      ]);
      // Lifecycle steps are said in words, not diffed.
      expect(entry(officerView.entries, 'case.approved').changes).toBeUndefined();
    });

    it("names the changed fields to an auditor without their values (case content is outside an auditor's scope)", async () => {
      const res = await timeline(auditor, id).expect(200);
      const entries: Entry[] = res.body.entries;
      const edit = entry(entries, 'case.updated');
      expect(edit).toMatchObject({ summary: 'Location and narrative changed', valuesHidden: true });
      expect(edit.changes).toEqual([
        { field: 'incidentLocation', label: 'Location' },
        { field: 'narrative', label: 'Narrative' },
      ]);
      expect(entry(entries, 'case.federal_officers.updated').changes).toEqual([
        { field: 'federalOfficers', label: 'Federal personnel' },
      ]);
      const text = JSON.stringify(res.body);
      for (const secret of [
        NEW_NARRATIVE,
        FULL_CASE.narrative,
        NEW_LOCATION,
        FULL_CASE.incidentLocation,
        SUPERVISOR_RECORD.officers[0].identificationMethod,
      ]) {
        expect(text).not.toContain(secret);
      }
    });

    it('folds consecutive reads ("Viewed 3 times by 2 people") and keeps the raw events', () => {
      const reads = officerView.entries.filter((e) => e.kind === 'reads');
      const viewed = officerView.events.filter((e) => e.action === 'case.viewed').map((e) => e.seq);
      expect(viewed).toHaveLength(3);
      expect(reads).toEqual([
        expect.objectContaining({
          summary: 'Viewed 3 times by 2 people',
          count: 3,
          people: 2,
          seqs: viewed,
          action: 'case.viewed',
        }),
      ]);
      expect(officerView.entries.filter((e) => e.action === 'case.viewed')).toHaveLength(1);
    });
  });

  // --- 2. withdraw ---------------------------------------------------------------------------

  describe('withdraw', () => {
    it.each<[Status]>([['DRAFT'], ['SUBMITTED'], ['RETURNED']])(
      'a supervisor withdraws a %s case with a reason',
      async (status) => {
        const c = await caseIn(status);
        const before = await dbCase(c.id);
        expect(before.status).toBe(status);
        const reason = `Duplicate of another report (${status}).`;
        const res = await act(sup, c.id, 'withdraw', { reason }).expect(200);
        expect(res.body).toMatchObject({
          status: 'WITHDRAWN',
          version: before.version + 1,
          withdrawReason: reason,
          withdrawnBy: sup.id,
        });
        expect(res.body.withdrawnAt).toEqual(expect.any(String));
        expect(await dbCase(c.id)).toMatchObject({
          status: 'WITHDRAWN',
          version: before.version + 1,
          withdraw_reason: reason,
        });
        const [event] = await auditOf(res);
        expect(event).toMatchObject({
          action: 'case.withdrawn',
          outcome: 'SUCCESS',
          actor_username: sup.username,
          case_id: c.id,
          details: expect.objectContaining({ from: status, to: 'WITHDRAWN', reason, version: before.version + 1 }),
        });
        // The officer still sees the case, and why it was withdrawn.
        expect((await get(officer, c.id).expect(200)).body).toMatchObject({
          status: 'WITHDRAWN',
          withdrawReason: reason,
        });
      },
    );

    it.each<[string, object]>([
      ['no reason', {}],
      ['a blank reason', { reason: '   ' }],
    ])('refuses a withdrawal with %s (400 naming reason), case unchanged', async (_label, body) => {
      const c = await t.given.draftCase(officer);
      const res = await act(sup, c.id, 'withdraw', body);
      await expectValidation(res, 'reason');
      expect(await dbCase(c.id)).toMatchObject({ status: 'DRAFT', version: 1 });
      await expectAuditedFailure(res, 'case.withdraw', 'FAILED', 'VALIDATION.FAILED', c.id);
    });

    it('an officer may not withdraw (403), case unchanged', async () => {
      const c = await t.given.draftCase(officer);
      const res = await act(officer, c.id, 'withdraw', { reason: 'changed my mind' });
      expectError(res, 403, 'AUTH.FORBIDDEN');
      expect(await dbCase(c.id)).toMatchObject({ status: 'DRAFT', version: 1 });
      await expectAuditedFailure(res, 'access.denied', 'DENIED', 'AUTH.FORBIDDEN', c.id);
    });
  });

  // --- 3. every illegal transition -----------------------------------------------------------

  describe('illegal transitions answer 409 with the current state and change nothing', () => {
    const fixtures = new Map<Status, Promise<{ id: string }>>();
    /** One case per state, shared by the attempts on it (an illegal attempt must not change it). */
    const fixture = (s: Status) => {
      if (!fixtures.has(s)) fixtures.set(s, caseIn(s));
      return fixtures.get(s)!;
    };

    const illegal = STATUSES.flatMap((s) =>
      ROUTES.filter((r) => !ALLOWED[r].includes(s)).map((r) => [s, r] as [Status, Route]),
    );

    it('the matrix covers every state and the 25 illegal (state, route) pairs', () => {
      expect(illegal).toHaveLength(25);
      expect(new Set(illegal.map(([s]) => s))).toEqual(new Set(STATUSES));
    });

    it.each(illegal)('%s: POST /%s -> 409 CASE.INVALID_TRANSITION', async (status, route) => {
      const c = await fixture(status);
      const before = await dbCase(c.id);
      expect(before.status).toBe(status);
      const actor = route === 'submit' ? officer : sup; // the author submits; a non-author supervisor reviews
      const res = await act(actor, c.id, route, bodyFor(route));
      expectError(res, 409, 'CASE.INVALID_TRANSITION');
      expect(res.body.currentState).toBe(status);
      expect(await dbCase(c.id)).toEqual(before);
      await expectAuditedFailure(res, `case.${route}`, 'FAILED', 'CASE.INVALID_TRANSITION', c.id);
    });

    it.each(STATUSES.filter((s) => !EDITABLE.includes(s)).map((s) => [s]))(
      '%s: PATCH -> 409 CASE.INVALID_TRANSITION',
      async (status) => {
        const c = await fixture(status as Status);
        const before = await dbCase(c.id);
        const res = await patch(officer, c.id, { narrative: 'rewriting history' }, before.version);
        expectError(res, 409, 'CASE.INVALID_TRANSITION');
        expect(res.body.currentState).toBe(status);
        expect(await dbCase(c.id)).toEqual(before);
        await expectAuditedFailure(res, 'case.update', 'FAILED', 'CASE.INVALID_TRANSITION', c.id);
      },
    );

    it.each(STATUSES.filter((s) => !EDITABLE.includes(s)).map((s) => [s]))(
      '%s: PUT federal-officers and violations -> 409',
      async (status) => {
        const c = await fixture(status as Status);
        const before = await dbCase(c.id);
        for (const [what, body] of [
          ['federal-officers', SUPERVISOR_RECORD],
          ['violations', VIOLATIONS],
        ] as const) {
          const res = await put(officer, c.id, what, body, before.version);
          expectError(res, 409, 'CASE.INVALID_TRANSITION');
          expect(res.body.currentState).toBe(status);
        }
        expect(await dbCase(c.id)).toEqual(before);
      },
    );
  });

  // --- 4. two-person rule and who may act --------------------------------------------------

  describe('two-person rule and scope', () => {
    it('a supervisor may not approve or return a case they wrote; another supervisor approves it', async () => {
      const c = await t.given.submittedCase(sup); // sup authored and submitted it
      const before = await dbCase(c.id);
      expect(before.status).toBe('SUBMITTED');

      const approve = await act(sup, c.id, 'approve', {});
      expectError(approve, 403, 'CASE.TWO_PERSON_RULE');
      await expectAuditedFailure(approve, 'access.denied', 'DENIED', 'CASE.TWO_PERSON_RULE', c.id);
      const ret = await act(sup, c.id, 'return', { reason: 'my own' });
      expectError(ret, 403, 'CASE.TWO_PERSON_RULE');
      await expectAuditedFailure(ret, 'access.denied', 'DENIED', 'CASE.TWO_PERSON_RULE', c.id);
      expect(await dbCase(c.id)).toEqual(before);

      const ok = await act(sup2, c.id, 'approve', {}).expect(200);
      expect(ok.body).toMatchObject({ status: 'APPROVED', approvedBy: sup2.id, createdBy: sup.id });
    });

    it("another officer cannot see or submit someone else's case (404), nor can a supervisor of another district", async () => {
      const c = await t.given.caseReadyToSubmit(officer);
      const byOfficer = await act(officer2, c.id, 'submit', {});
      expectError(byOfficer, 404, 'RESOURCE.NOT_FOUND');
      await expectAuditedFailure(byOfficer, 'access.denied', 'DENIED', 'RESOURCE.NOT_FOUND', c.id);
      expect((await auditOf(byOfficer))[0].details.reason).toBe('out_of_scope');
      expectError(await get(officer2, c.id), 404, 'RESOURCE.NOT_FOUND');

      const s = await t.given.submittedCase(officer);
      expectError(await act(supOther, s.id, 'approve', {}), 404, 'RESOURCE.NOT_FOUND');
      expectError(await get(supOther, s.id), 404, 'RESOURCE.NOT_FOUND');
      expect(await dbCase(c.id)).toMatchObject({ status: 'DRAFT' });
      expect(await dbCase(s.id)).toMatchObject({ status: 'SUBMITTED' });
    });

    it("a supervisor in scope still may not submit an officer's case (only the author submits)", async () => {
      const c = await t.given.caseReadyToSubmit(officer);
      const res = await act(sup, c.id, 'submit', {});
      expectError(res, 403, 'AUTH.FORBIDDEN');
      expect(await dbCase(c.id)).toMatchObject({ status: 'DRAFT', version: c.version });
    });

    it('an officer may not approve or return (403)', async () => {
      const c = await t.given.submittedCase(officer2);
      expectError(await act(officer, c.id, 'approve', {}), 403, 'AUTH.FORBIDDEN');
      expectError(await act(officer, c.id, 'return', { reason: 'x' }), 403, 'AUTH.FORBIDDEN');
      expect(await dbCase(c.id)).toMatchObject({ status: 'SUBMITTED', version: c.version });
    });
  });

  // --- 4b. the author's attestation on submit (issue 16) -----------------------------------------

  describe("submit asks for the author's attestation", () => {
    const submitRaw = (user: TestUser, id: string, body: unknown) =>
      t
        .http()
        .post(path(`/${id}/submit`))
        .set(user.auth)
        .send(body as object);
    const submittedEvents = async (id: string) =>
      (
        await t.owner.query(
          `SELECT outcome, actor_id, occurred_at, details FROM audit_events WHERE case_id = $1 AND action = 'case.submitted' ORDER BY seq`,
          [id],
        )
      ).rows;

    it.each<[string, string, unknown]>([
      ['no attestation', 'attestation', {}],
      ['attestation null', 'attestation', { attestation: null }],
      ['attestation as a bare yes', 'attestation', { attestation: true }],
      ['no words', 'attestation.text', { attestation: { textVersion: SUBMIT_ATTESTATION.textVersion } }],
      [
        'an unknown version of the words',
        'attestation.textVersion',
        { attestation: { ...SUBMIT_ATTESTATION, textVersion: 'case-submit/2020-01-1' } },
      ],
      [
        'other words',
        'attestation.text',
        { attestation: { ...SUBMIT_ATTESTATION, text: 'I attest that this report is mostly true.' } },
      ],
      [
        'the words with a trailing space',
        'attestation.text',
        { attestation: { ...SUBMIT_ATTESTATION, text: `${SUBMIT_ATTESTATION.text} ` } },
      ],
    ])('%s: 400 naming %s, nothing changed, the refusal audited', async (_label, field, body) => {
      const c = await t.given.caseReadyToSubmit(officer);
      const before = await dbCase(c.id);
      const refused = await submitRaw(officer, c.id, body);
      await expectValidation(refused, field);
      expect(await dbCase(c.id)).toEqual(before);
      expect(await submittedEvents(c.id)).toEqual([]);
      await expectAuditedFailure(refused, 'case.submit', 'FAILED', 'VALIDATION.FAILED', c.id);
      expect((await auditOf(refused))[0].details.fields).toContain(field);
    });

    it('with the current words: SUBMITTED, and case.submitted records the words, their SHA-256, their version and the time', async () => {
      const c = await t.given.caseReadyToSubmit(officer);
      const ok = await submitRaw(officer, c.id, { version: c.version, attestation: { ...SUBMIT_ATTESTATION } }).expect(
        200,
      );
      expect(ok.body).toMatchObject({ status: 'SUBMITTED', submittedBy: officer.id });
      const [event, ...more] = await submittedEvents(c.id);
      expect(more).toEqual([]);
      expect(event.outcome).toBe('SUCCESS');
      expect(event.actor_id).toBe(officer.id);
      expect(event.details.attestation).toEqual({
        textVersion: SUBMIT_ATTESTATION.textVersion,
        text: SUBMIT_ATTESTATION.text,
        sha256: createHash('sha256').update(SUBMIT_ATTESTATION.text, 'utf8').digest('hex'),
        attestedAt: ok.body.submittedAt,
      });
      // The attestation time is the submit's own time, which the event carries too (to the millisecond).
      expect((event.occurred_at as Date).getTime() - Date.parse(ok.body.submittedAt)).toBeLessThan(1000);
      expect(event.details).toMatchObject({ from: 'DRAFT', to: 'SUBMITTED' });
      // The auditor sees the same through the API, and a resubmission after a return asks again.
      const auditor = await t.given.user('AUDITOR');
      const listed = await t
        .http()
        .get('/api/v1/audit/events')
        .query({ caseId: c.id, action: 'case.submitted' })
        .set(auditor.auth)
        .expect(200);
      expect(listed.body.items.map((e: { details: { attestation: unknown } }) => e.details.attestation)).toEqual([
        event.details.attestation,
      ]);
      await act(sup, c.id, 'return', { reason: 'Add the bus route.' }).expect(200);
      await expectValidation(await submitRaw(officer, c.id, {}), 'attestation');
      expect((await dbCase(c.id)).status).toBe('RETURNED');
      await submitRaw(officer, c.id, SUBMIT_BODY).expect(200);
      expect((await submittedEvents(c.id)).map((e) => e.details.attestation.textVersion)).toEqual([
        SUBMIT_ATTESTATION.textVersion,
        SUBMIT_ATTESTATION.textVersion,
      ]);
    });
  });

  // --- 5. the submit checklist ---------------------------------------------------------------

  describe('submit checklist', () => {
    const ALL_MISSING = [
      'incidentAt',
      'incidentLocation',
      'origin',
      'activityType',
      'agencies',
      'narrative',
      'federalSupervisorIdentification',
      'injuriesReported',
      'evidenceOrNoFootageReason',
    ];

    it('refuses an empty draft with everything missing (422), shows it live on GET, and accepts it once complete', async () => {
      const c = await t.given.draftCase(officer);
      const refused = await act(officer, c.id, 'submit', {});
      expectError(refused, 422, 'CASE.CHECKLIST_INCOMPLETE');
      expect(refused.body.missing.map((m: { item: string }) => m.item)).toEqual(ALL_MISSING);
      for (const m of refused.body.missing) expect(m.message).toEqual(expect.any(String));
      expect(await dbCase(c.id)).toMatchObject({ status: 'DRAFT', version: 1 });
      await expectAuditedFailure(refused, 'case.submit', 'FAILED', 'CASE.CHECKLIST_INCOMPLETE', c.id);

      const shown = await get(officer, c.id).expect(200);
      expect(shown.body.checklist.complete).toBe(false);
      expect(items(shown)).toEqual(ALL_MISSING);

      // Injured: description, EMS and aid are now required.
      let v = 1;
      const injured = await patch(officer, c.id, { ...FULL_CASE, injuriesReported: true }, v++).expect(200);
      expect(items(injured)).toEqual(['federalSupervisorIdentification', 'injuryDescription', 'emsCalled', 'aidGiven']);

      const ems = await patch(
        officer,
        c.id,
        { emsCalled: true, injuryDescription: 'Bystander cut on the forehead' },
        v++,
      ).expect(200);
      expect(items(ems)).toEqual(['federalSupervisorIdentification', 'emsCalledAt', 'aidGiven']);

      const aid = await patch(
        officer,
        c.id,
        { emsCalledAt: '2026-11-20T14:12:00-06:00', aidGiven: 'First aid by the officer' },
        v++,
      ).expect(200);
      expect(items(aid)).toEqual(['federalSupervisorIdentification']);
      expect((await get(officer, c.id).expect(200)).body.checklist).toEqual(aid.body.checklist);

      // Federal personnel without a supervisor record, or a supervisor with no identification attempt, do not count.
      const noSup = await put(
        officer,
        c.id,
        'federal-officers',
        {
          officers: [
            {
              isSupervisor: false,
              identificationOutcome: 'REFUSED',
              identificationMethod: 'Asked for a name; refused',
            },
          ],
        },
        v++,
      ).expect(200);
      expect(items(noSup)).toEqual(['federalSupervisorIdentification']);
      const bareSup = await put(
        officer,
        c.id,
        'federal-officers',
        { officers: [{ isSupervisor: true, agency: 'CBP' }] },
        v++,
      ).expect(200);
      expect(items(bareSup)).toEqual(['federalSupervisorIdentification']);
      expectError(await act(officer, c.id, 'submit', {}), 422, 'CASE.CHECKLIST_INCOMPLETE');

      const done = await put(officer, c.id, 'federal-officers', SUPERVISOR_RECORD, v++).expect(200);
      expect(done.body.checklist).toEqual({ complete: true, missing: [] });
      const ok = await act(officer, c.id, 'submit', {}).expect(200);
      expect(ok.body).toMatchObject({ status: 'SUBMITTED', version: v + 1, emsCalled: true, injuriesReported: true });
    });

    it.each<[string, object, string]>([
      [
        'an outcome without how it was attempted',
        { officers: [{ isSupervisor: true, identificationOutcome: 'REFUSED' }] },
        'officers.0.identificationMethod',
      ],
      [
        'VERIFIED without a name',
        {
          officers: [
            { isSupervisor: true, identificationOutcome: 'VERIFIED', identificationMethod: 'Credentials shown' },
          ],
        },
        'officers.0.name',
      ],
      ['two supervisors', { officers: [{ isSupervisor: true }, { isSupervisor: true }] }, 'officers'],
      [
        'a blank method',
        { officers: [{ isSupervisor: true, identificationOutcome: 'UNABLE', identificationMethod: '  ' }] },
        'officers.0.identificationMethod',
      ],
      [
        'an unknown outcome',
        { officers: [{ isSupervisor: true, identificationOutcome: 'GUESSED', identificationMethod: 'x' }] },
        'officers.0.identificationOutcome',
      ],
    ])('a federal-officers record with %s is a 400, case unchanged', async (_label, body, field) => {
      const c = await t.given.draftCase(officer, FULL_CASE);
      const res = await put(officer, c.id, 'federal-officers', body, 1);
      await expectValidation(res, field);
      expect(await dbCase(c.id)).toMatchObject({ status: 'DRAFT', version: 1 });
      expect(items(await get(officer, c.id))).toEqual(['federalSupervisorIdentification']);
    });

    it('an EMS call time without EMS having been called is a 400', async () => {
      const c = await t.given.draftCase(officer);
      const res = await patch(
        officer,
        c.id,
        { injuriesReported: true, emsCalled: false, emsCalledAt: '2026-11-20T14:12:00-06:00' },
        1,
      );
      await expectValidation(res, 'emsCalledAt');
      expect(await dbCase(c.id)).toMatchObject({ version: 1 });
    });
  });

  // --- 6. optimistic versions ----------------------------------------------------------------

  describe('optimistic versions', () => {
    it('requires a version, refuses a stale one, accepts one in the body, and rejects disagreeing ones', async () => {
      const c = await t.given.draftCase(officer, { narrative: 'first' });

      const none = await patch(officer, c.id, { narrative: 'no version' });
      expectError(none, 428, 'VERSION.REQUIRED');
      await expectAuditedFailure(none, 'case.update', 'FAILED', 'VERSION.REQUIRED', c.id);
      expect(await dbCase(c.id)).toMatchObject({ version: 1, narrative: 'first' });

      await patch(officer, c.id, { narrative: 'second' }, 1).expect(200);
      const stale = await patch(officer, c.id, { narrative: 'overwrites second' }, 1);
      expectError(stale, 409, 'VERSION.CONFLICT');
      expect(stale.body).toMatchObject({ currentVersion: 2, expectedVersion: 1 });
      await expectAuditedFailure(stale, 'case.update', 'FAILED', 'VERSION.CONFLICT', c.id);
      expect(await dbCase(c.id)).toMatchObject({ version: 2, narrative: 'second' });

      const inBody = await patch(officer, c.id, { narrative: 'third', version: 2 }).expect(200);
      expect(inBody.body).toMatchObject({ version: 3, narrative: 'third' });
      expect(inBody.headers.etag).toBe('"3"');

      const weak = await patch(officer, c.id, { narrative: 'fourth' }, 'W/"3"').expect(200);
      expect(weak.body.version).toBe(4);

      const disagree = await patch(officer, c.id, { narrative: 'which?', version: 3 }, 4);
      await expectValidation(disagree, 'version');
      const garbage = await patch(officer, c.id, { narrative: 'which?' }, 'latest');
      await expectValidation(garbage, 'If-Match');
      expect(await dbCase(c.id)).toMatchObject({ version: 4, narrative: 'fourth' });

      const staleSubmit = await act(officer, c.id, 'submit', {}, 3);
      expectError(staleSubmit, 409, 'VERSION.CONFLICT');
      expect(staleSubmit.body.currentVersion).toBe(4);
    });

    it('of two concurrent edits of the same version exactly one wins; the loser gets 409 and nothing is merged', async () => {
      const c = await t.given.draftCase(officer, { narrative: 'original' });
      const [a, b] = await Promise.all([
        patch(officer, c.id, { narrative: 'edit A' }, 1),
        patch(officer, c.id, { narrative: 'edit B' }, 1),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
      expect(loser.body).toMatchObject({ code: 'VERSION.CONFLICT', currentVersion: 2 });
      expect(await dbCase(c.id)).toMatchObject({ version: 2, narrative: winner.body.narrative });
      const updates = await auditRows(t.owner, `case_id = $1 AND action = 'case.updated'`, [c.id]);
      expect(updates).toHaveLength(1);
    });
  });

  // --- 7. unknown and invalid input ----------------------------------------------------------

  describe('unknown and invalid fields', () => {
    it.each<[string, object]>([
      ['status', { status: 'APPROVED' }],
      ['district', { district: 5 }],
      ['createdBy', { createdBy: '00000000-0000-4000-8000-000000000000' }],
      ['caseNumber', { caseNumber: 'ION-2026-999999' }],
      ['immigrationStatus', { immigrationStatus: 'undocumented' }],
    ])('POST /cases with %s is a 400 naming it, and no case is created', async (field, body) => {
      const before = await countCases();
      const res = await create(officer, { ...FULL_CASE, ...body });
      await expectValidation(res, field);
      expect(res.body.message).toContain('Unknown field');
      expect(await countCases()).toBe(before);
      const [event] = await auditOf(res);
      expect(event).toMatchObject({
        action: 'case.create',
        outcome: 'FAILED',
        details: expect.objectContaining({ fields: [field] }),
      });
    });

    it.each<[string, object]>([
      ['activityType', { activityType: 'RAID' }],
      ['origin', { origin: 'HEARSAY' }],
      ['agencies', { agencies: ['ICE_ERO', 'KGB'] }],
      ['agencies', { agencies: [] }],
      ['incidentAt', { incidentAt: new Date(Date.now() + 24 * 3600_000).toISOString() }],
      ['incidentAt', { incidentAt: 'yesterday' }],
      ['incidentLocation', { incidentLocation: '   ' }],
      ['injuriesReported', { injuriesReported: 'no' }],
    ])('POST /cases with an invalid %s is a 400 naming it', async (field, body) => {
      const before = await countCases();
      await expectValidation(await create(officer, body), field);
      expect(await countCases()).toBe(before);
    });

    it('PATCH with an unknown or invalid field is a 400 and the case is unchanged', async () => {
      const c = await t.given.draftCase(officer, { narrative: 'kept' });
      await expectValidation(await patch(officer, c.id, { status: 'APPROVED' }, 1), 'status');
      await expectValidation(await patch(officer, c.id, { narrative: 'x', approvedBy: sup.id }, 1), 'approvedBy');
      await expectValidation(await patch(officer, c.id, { activityType: 'RAID' }, 1), 'activityType');
      await expectValidation(await patch(officer, c.id, { incidentAt: '2099-01-01T00:00:00Z' }, 1), 'incidentAt');
      // The order needs at least one agency: an empty list is refused (null clears the field).
      const empty = await patch(officer, c.id, { agencies: [] }, 1);
      await expectValidation(empty, 'agencies');
      expect(empty.body.message).toMatch(/agencies must name at least one federal agency/);
      await expectAuditedFailure(empty, 'case.update', 'FAILED', 'VALIDATION.FAILED', c.id);
      expect(await dbCase(c.id)).toMatchObject({ status: 'DRAFT', version: 1, narrative: 'kept' });
      expect(
        await auditRows(t.owner, `case_id = $1 AND outcome = 'SUCCESS' AND action <> 'case.created'`, [c.id]),
      ).toEqual([]);
    });

    it.each<[string, () => ReturnType<typeof get>]>([
      ['GET /cases/:id', () => get(officer, 'not-a-uuid')],
      ['GET /cases/:id/timeline', () => timeline(officer, '12345')],
      ['PATCH /cases/:id', () => patch(officer, 'not-a-uuid', { narrative: 'x' }, 1)],
      ['POST /cases/:id/submit', () => act(officer, 'not-a-uuid', 'submit')],
      ['POST /cases/:id/approve', () => act(sup, encodeURIComponent("1' OR '1'='1"), 'approve')],
    ])('%s with a non-UUID id is a 400 naming id', async (_label, send) => {
      await expectValidation(await send(), 'id');
    });

    it('GET /cases with an invalid filter is a 400 naming it', async () => {
      await expectValidation(await list(officer, { status: 'LOST' }), 'status');
      await expectValidation(await list(officer, { pageSize: 1000 }), 'pageSize');
      await expectValidation(await list(officer, { from: 'last week' }), 'from');
      // A range that ends before it starts is a mistake, not an empty list.
      const backwards = await list(officer, { from: '2025-03-01T00:00:00Z', to: '2025-02-01T00:00:00Z' });
      await expectValidation(backwards, 'to');
      expect(backwards.body.message).toMatch(/to must not be before from/);
      await expectAuditedFailure(backwards, 'case.read', 'FAILED', 'VALIDATION.FAILED');
      await list(officer, { from: '2025-03-01T00:00:00Z', to: '2025-03-01T00:00:00Z' }).expect(200);
    });
  });

  // --- 8. listing ----------------------------------------------------------------------------

  describe('GET /cases', () => {
    let a: TestUser; // officer, district 9
    let b: TestUser; // officer, district 9
    let c: TestUser; // officer, district 10
    let sup9: TestUser;
    const aCases: { id: string; caseNumber: string }[] = [];
    let bCases: { id: string; caseNumber: string }[] = [];
    let cCase: { id: string; caseNumber: string };

    beforeAll(async () => {
      [a, b, c, sup9] = await Promise.all([
        t.given.officer(9),
        t.given.officer(9),
        t.given.officer(10),
        t.given.supervisor(9),
      ]);
      // Created one after another so "newest first" is well defined.
      for (const month of ['01', '02', '03']) {
        aCases.push(
          await t.given.draftCase(a, { incidentAt: `2025-${month}-10T12:00:00Z`, narrative: `Pilsen report ${month}` }),
        );
      }
      bCases = [await t.given.submittedCase(b), await t.given.draftCase(b)];
      cCase = await t.given.draftCase(c);
    });

    const ids = (res: Response) => res.body.items.map((i: { id: string }) => i.id);

    it('an officer sees only their own cases, newest first', async () => {
      const res = await list(a).expect(200);
      expect(res.body).toMatchObject({ total: 3, page: 1, pageSize: 20 });
      expect(ids(res)).toEqual(aCases.map((x) => x.id).reverse());
      for (const item of res.body.items)
        expect(item).toMatchObject({ createdBy: a.id, district: 9, caseNumber: expect.stringMatching(CASE_NUMBER) });
      expect(ids(await list(b).expect(200))).toEqual(bCases.map((x) => x.id).reverse());
    });

    it("a supervisor sees their district's cases and no other", async () => {
      const res = await list(sup9, { pageSize: 100 }).expect(200);
      expect(res.body.total).toBe(5);
      expect(new Set(ids(res))).toEqual(new Set([...aCases, ...bCases].map((x) => x.id)));
      expect(ids(res)).not.toContain(cCase.id);
      // Asking for another district does not widen the scope.
      expect((await list(sup9, { district: 10 }).expect(200)).body).toMatchObject({ total: 0, items: [] });
    });

    it('an auditor sees every case in lists, but only metadata when reading one', async () => {
      const all = await list(auditor, { pageSize: 100 }).expect(200);
      expect(all.body.total).toBe(await countCases());
      const d10 = await list(auditor, { district: 10, pageSize: 100 }).expect(200);
      expect(ids(d10)).toEqual([cCase.id]);
      expect(all.body.items[0]).not.toHaveProperty('narrative');

      const one = await get(auditor, aCases[0].id).expect(200);
      expect(one.body).toMatchObject({
        id: aCases[0].id,
        caseNumber: aCases[0].caseNumber,
        status: 'DRAFT',
        checklist: expect.any(Object),
      });
      for (const hidden of [
        'narrative',
        'incidentLocation',
        'federalOfficers',
        'violations',
        'injuryDescription',
        'aidGiven',
        'noFootageReason',
      ]) {
        expect(one.body).not.toHaveProperty(hidden);
      }
      // Content search is not available to a metadata-only role.
      expect((await list(auditor, { q: 'Pilsen' }).expect(200)).body.total).toBe(0);
      expect(ids(await list(auditor, { q: aCases[1].caseNumber }).expect(200))).toEqual([aCases[1].id]);
      // …and the read itself is on the record.
      const [viewed] = await auditOf(one);
      expect(viewed).toMatchObject({ action: 'case.viewed', actor_username: auditor.username, case_id: aCases[0].id });
    });

    it('filters by status, case number, and incident time', async () => {
      const submitted = await list(sup9, { status: 'SUBMITTED' }).expect(200);
      expect(ids(submitted)).toEqual([bCases[0].id]);
      expect(submitted.body.items[0].status).toBe('SUBMITTED');
      expect((await list(sup9, { status: 'DRAFT' }).expect(200)).body.total).toBe(4);

      expect(ids(await list(sup9, { q: aCases[2].caseNumber }).expect(200))).toEqual([aCases[2].id]);
      // An officer's q does not reach beyond their own cases.
      expect((await list(a, { q: bCases[1].caseNumber }).expect(200)).body.total).toBe(0);

      const feb = await list(a, { from: '2025-02-01T00:00:00Z', to: '2025-02-28T23:59:59Z' }).expect(200);
      expect(ids(feb)).toEqual([aCases[1].id]);
      const fromFeb = await list(a, { from: '2025-02-01T00:00:00Z' }).expect(200);
      expect(ids(fromFeb)).toEqual([aCases[2].id, aCases[1].id]);
      expect(ids(await list(a, { to: '2025-01-31T00:00:00Z' }).expect(200))).toEqual([aCases[0].id]);
    });

    it('pages through results', async () => {
      const p1 = await list(a, { page: 1, pageSize: 2 }).expect(200);
      expect(p1.body).toMatchObject({ page: 1, pageSize: 2, total: 3 });
      expect(p1.body.items).toHaveLength(2);
      const p2 = await list(a, { page: 2, pageSize: 2 }).expect(200);
      expect(p2.body).toMatchObject({ page: 2, pageSize: 2, total: 3 });
      expect([...ids(p1), ...ids(p2)]).toEqual(aCases.map((x) => x.id).reverse());
      const p3 = await list(a, { page: 3, pageSize: 2 }).expect(200);
      expect(p3.body).toMatchObject({ items: [], total: 3 });
    });
  });

  // --- 9. case numbers -----------------------------------------------------------------------

  it('gives cases opened at the same moment distinct, consecutive case numbers', async () => {
    const res = await Promise.all(Array.from({ length: 5 }, () => create(officer2, {})));
    for (const r of res) expect(r.status).toBe(201);
    const numbers: string[] = res.map((r) => r.body.caseNumber);
    for (const n of numbers) expect(n).toMatch(CASE_NUMBER);
    const year = new Set(numbers.map((n) => n.slice(4, 8)));
    expect(year.size).toBe(1);
    const seq = numbers.map((n) => Number(n.slice(-6))).sort((x, y) => x - y);
    expect(seq).toEqual(Array.from({ length: 5 }, (_, i) => seq[0] + i));
    const { rows } = await t.owner.query('SELECT case_number FROM cases WHERE case_number = ANY($1)', [numbers]);
    expect(rows).toHaveLength(5);
    const { rows: max } = await t.owner.query(`SELECT max(case_number) AS m FROM cases WHERE case_number LIKE $1`, [
      `ION-${[...year][0]}-%`,
    ]);
    expect(Number(max[0].m.slice(-6))).toBe(seq[4]); // they are the latest numbers issued
  });

  // --- 10. revisions ------------------------------------------------------------------------

  it('keeps one case_revisions row per version, so no edit is lost', async () => {
    const c = await t.given.draftCase(officer, { narrative: 'v1 narrative' });
    await patch(officer, c.id, { narrative: 'v2 narrative' }, 1).expect(200);
    await patch(officer, c.id, { ...FULL_CASE, narrative: 'v3 narrative' }, 2).expect(200);
    await put(officer, c.id, 'federal-officers', SUPERVISOR_RECORD, 3).expect(200);
    await patch(officer, c.id, { narrative: 'stale' }, 2).expect(409); // a refused edit leaves no revision
    const submitted = await act(officer, c.id, 'submit', {}).expect(200);
    await act(sup, c.id, 'return', { reason: 'more detail' }).expect(200);

    const { rows } = await t.owner.query(
      `SELECT version, action, changed_by, snapshot FROM case_revisions WHERE case_id = $1 ORDER BY version`,
      [c.id],
    );
    expect(rows.map((r) => [r.version, r.action, r.changed_by, r.snapshot.status, r.snapshot.narrative])).toEqual([
      [1, 'case.created', officer.id, 'DRAFT', 'v1 narrative'],
      [2, 'case.updated', officer.id, 'DRAFT', 'v2 narrative'],
      [3, 'case.updated', officer.id, 'DRAFT', 'v3 narrative'],
      [4, 'case.federal_officers.updated', officer.id, 'DRAFT', 'v3 narrative'],
      [5, 'case.submitted', officer.id, 'SUBMITTED', 'v3 narrative'],
      [6, 'case.returned', sup.id, 'RETURNED', 'v3 narrative'],
    ]);
    expect(rows[3].snapshot.federalOfficers).toEqual([expect.objectContaining(SUPERVISOR_RECORD.officers[0])]);
    expect(rows[2].snapshot.federalOfficers).toEqual([]);
    expect(rows[4].snapshot).toEqual(submitted.body);
    expect((await dbCase(c.id)).version).toBe(rows.length);
  });
});
