import { Logger } from '@nestjs/common';
import { Client } from 'minio';
import { randomBytes } from 'node:crypto';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';
import { CephTestStorage, legalHoldOf, s3Refusal } from './harness/ceph-storage';

/*
 * Issue 19, section 3: a legal hold is released only by an explicit, reasoned, audited act after the case
 * ended, never automatically; it can be placed again at any time. On Ceph RGW (Object Lock), every claim is
 * read back from the engine with a client of its own, by the version id the database records.
 */

const API = '/api/v1';
const RELEASE = {
  reason: 'People v. Doe ended with a final judgment;\nno appeal was filed in time.',
  reference: 'Cook County 2026-CR-0012345, order of 2031-03-09',
};

interface Row {
  case_id: string;
  storage_key: string;
  storage_version_id: string;
  preservation: { legalHold: boolean; retentionMode: string | null; retainUntil: string | null; note: string };
  legal_hold_action: string | null;
  legal_hold_changed_at: Date | null;
  legal_hold_changed_by: string | null;
  legal_hold_reason: string | null;
  legal_hold_reference: string | null;
}

function suiteHelpers(get: () => TestApp) {
  const row = async (id: string): Promise<Row> =>
    (
      await get().owner.query(
        `SELECT case_id, storage_key, storage_version_id, preservation, legal_hold_action, legal_hold_changed_at, legal_hold_changed_by,
              legal_hold_reason, legal_hold_reference
         FROM evidence WHERE id = $1`,
        [id],
      )
    ).rows[0];
  const release = (
    user: TestUser,
    id: string,
    body: Record<string, unknown> = RELEASE,
    requestId = `lh-${randomBytes(6).toString('hex')}`,
  ) =>
    get()
      .http()
      .post(`${API}/evidence/${id}/legal-hold/release`)
      .set(user.auth)
      .set('X-Request-Id', requestId)
      .send(body);
  const place = (
    user: TestUser,
    id: string,
    body: Record<string, unknown>,
    requestId = `lh-${randomBytes(6).toString('hex')}`,
  ) => get().http().post(`${API}/evidence/${id}/legal-hold`).set(user.auth).set('X-Request-Id', requestId).send(body);
  const eventsOf = (requestId: string) => auditRows(get().owner, 'request_id = $1', [requestId]);
  /** An item uploaded by `officer` to a case that `supervisor` then withdrew (WITHDRAWN). */
  const withdrawnEvidence = async (officer: TestUser, supervisor: TestUser) => {
    const t = get();
    const c = await t.given.draftCase(officer);
    const e = await t.given.evidence(officer, c.id);
    const res = await t
      .http()
      .post(`${API}/cases/${c.id}/withdraw`)
      .set(supervisor.auth)
      .set('If-Match', `"${c.version}"`)
      .send({ reason: 'Opened by mistake: duplicate of another case.' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('WITHDRAWN');
    return { caseId: c.id, id: e.id };
  };
  return { row, release, place, eventsOf, withdrawnEvidence };
}

describe('legal hold: release and placement on Ceph RGW (Object Lock)', () => {
  let t: TestApp;
  let storage: CephTestStorage;
  let engine: Client;
  let officer: TestUser;
  let supervisor: TestUser;
  let supervisorAuthor: TestUser;
  let supervisorOther: TestUser;
  let prosecutor: TestUser;
  let prosecutorOther: TestUser;
  let auditor: TestUser;
  let admin: TestUser;
  const h = suiteHelpers(() => t);
  const holdInEngine = async (id: string) => {
    const r = await h.row(id);
    return legalHoldOf(engine, storage.bucket, r.storage_key, r.storage_version_id);
  };

  beforeAll(async () => {
    t = await createTestApp({ storage: 'ceph', storageProxy: true, env: { STORAGE_REQUIRE_WORM: 'true' } });
    storage = t.storage as CephTestStorage;
    engine = storage.newClient();
    [officer, supervisor, supervisorAuthor, supervisorOther, prosecutor, prosecutorOther, auditor, admin] =
      await Promise.all([
        t.given.officer(1),
        t.given.supervisor(1),
        t.given.supervisor(1),
        t.given.supervisor(12),
        t.given.prosecutor('CCSAO'),
        t.given.prosecutor('CITY_LAW'),
        t.given.auditor(),
        t.given.admin(),
      ]);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
  });

  /** A complete case with one item, sent to CCSAO and decided CHARGES_FILED by `prosecutor` (CLOSED). */
  async function closedEvidence() {
    const c = await t.given.caseReadyToSubmit(officer);
    const e = await t.given.evidence(officer, c.id);
    await t.given.submit(officer, c.id);
    await t.given.approve(supervisor, c.id);
    const p = await t.given.sendPacket(supervisor, c.id, 'CCSAO');
    await t.given.claim(prosecutor, p.id);
    const res = await t
      .http()
      .post(`${API}/packets/${p.id}/decision`)
      .set(prosecutor.auth)
      .send({ decision: 'CHARGES_FILED', reason: 'Charged with battery.', externalReference: '2026-CR-0012345' });
    expect(res.status).toBe(200);
    return { caseId: c.id, id: e.id, packetId: p.id };
  }

  describe('while the case is open', () => {
    it.each(['DRAFT', 'IN_REVIEW'] as const)(
      'release is refused in %s: 409 naming the state, audited, the hold stays ON in the engine',
      async (state) => {
        let caseId: string;
        let id: string;
        if (state === 'DRAFT') {
          const c = await t.given.draftCase(officer);
          caseId = c.id;
          id = (await t.given.evidence(officer, c.id)).id;
        } else {
          const c = await t.given.caseReadyToSubmit(officer);
          caseId = c.id;
          id = (await t.given.evidence(officer, c.id)).id;
          await t.given.submit(officer, c.id);
          await t.given.approve(supervisor, c.id);
          await t.given.claim(prosecutor, (await t.given.sendPacket(supervisor, c.id, 'CCSAO')).id);
        }
        const before = await h.row(id);
        const requestId = `lh-open-${randomBytes(6).toString('hex')}`;
        const res = await h.release(supervisor, id, RELEASE, requestId);
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({ code: 'CASE.INVALID_TRANSITION', currentState: state });
        expect(res.body.message).toContain(state);
        expect(await h.eventsOf(requestId)).toEqual([
          expect.objectContaining({
            action: 'evidence.legal_hold.release',
            outcome: 'FAILED',
            actor_id: supervisor.id,
            target_type: 'evidence',
            target_id: id,
            case_id: caseId,
          }),
        ]);
        expect(await holdInEngine(id)).toBe('ON');
        expect(await h.row(id)).toEqual(before);
      },
    );

    it('a supervisor of the district may place a hold (again) on an open case: recorded, the hold stays ON', async () => {
      const c = await t.given.draftCase(officer);
      const { id } = await t.given.evidence(officer, c.id);
      const res = await h.place(supervisor, id, { reason: 'Complaint filed with COPA; preserve.' });
      expect(res.status).toBe(200);
      expect(res.body.preservation).toMatchObject({
        legalHold: true,
        legalHoldChange: {
          action: 'PLACED',
          by: supervisor.id,
          reason: 'Complaint filed with COPA; preserve.',
          reference: null,
        },
      });
      expect(await holdInEngine(id)).toBe('ON');
    });
  });

  describe.each([
    ['WITHDRAWN', () => h.withdrawnEvidence(officer, supervisor)],
    ['CLOSED (charges filed)', () => closedEvidence()],
  ] as const)('after the case is %s', (_state, make) => {
    let item: { caseId: string; id: string };
    let before: Row;
    let releasedAt: string;
    const requestId = `lh-release-${randomBytes(6).toString('hex')}`;

    beforeAll(async () => {
      item = await make();
      before = await h.row(item.id);
    }, 120_000);

    it('a supervisor of the district who did not write the case releases it with reason and reference: OFF in the engine for the recorded version', async () => {
      expect(await holdInEngine(item.id)).toBe('ON');
      const res = await h.release(supervisor, item.id, RELEASE, requestId);
      expect(res.status).toBe(200);
      releasedAt = res.body.preservation.legalHoldChange.at;
      expect(res.body.preservation).toMatchObject({
        worm: true,
        retentionMode: 'COMPLIANCE',
        retainUntil: before.preservation.retainUntil,
        legalHold: false,
        legalHoldChange: {
          action: 'RELEASED',
          by: supervisor.id,
          reason: RELEASE.reason,
          reference: RELEASE.reference,
          at: expect.any(String),
        },
      });
      expect(await legalHoldOf(engine, storage.bucket, before.storage_key, before.storage_version_id)).toBe('OFF');
      const after = await h.row(item.id);
      expect(after).toMatchObject({
        storage_version_id: before.storage_version_id,
        legal_hold_action: 'RELEASED',
        legal_hold_changed_by: supervisor.id,
        legal_hold_reason: RELEASE.reason,
        legal_hold_reference: RELEASE.reference,
        preservation: { legalHold: false, retentionMode: 'COMPLIANCE', retainUntil: before.preservation.retainUntil },
      });
    });

    it('retention still runs: COMPLIANCE until the same date in the engine, and deleting the version is still refused', async () => {
      const retention = await engine.getObjectRetention(storage.bucket, before.storage_key, {
        versionId: before.storage_version_id,
      });
      expect(retention?.mode).toBe('COMPLIANCE');
      expect(new Date(retention!.retainUntilDate).toISOString()).toBe(before.preservation.retainUntil);
      expect(
        await s3Refusal(
          engine.removeObject(storage.bucket, before.storage_key, { versionId: before.storage_version_id }),
        ),
      ).toBe('AccessDenied');
      expect(
        await s3Refusal(
          engine.removeObject(storage.bucket, before.storage_key, {
            versionId: before.storage_version_id,
            governanceBypass: true,
          }),
        ),
      ).toBe('AccessDenied');
    });

    it('one audit event with reason, reference, actor and the version; the item and its custody show it', async () => {
      expect(await h.eventsOf(requestId)).toEqual([
        expect.objectContaining({
          action: 'evidence.legal_hold_released',
          outcome: 'SUCCESS',
          actor_id: supervisor.id,
          actor_role: 'SUPERVISOR',
          target_type: 'evidence',
          target_id: item.id,
          case_id: item.caseId,
          details: expect.objectContaining({
            reason: RELEASE.reason,
            reference: RELEASE.reference,
            legalHoldBefore: true,
            legalHold: false,
            retentionMode: 'COMPLIANCE',
            retainUntil: before.preservation.retainUntil,
            storage: { bucket: storage.bucket, key: before.storage_key, versionId: before.storage_version_id },
          }),
        }),
      ]);
      const view = await t.http().get(`${API}/evidence/${item.id}`).set(supervisor.auth).expect(200);
      expect(view.body.preservation).toMatchObject({
        legalHold: false,
        legalHoldChange: { action: 'RELEASED', at: releasedAt, reference: RELEASE.reference },
      });
      const custody = view.body.custody.map((e: { action: string }) => e.action);
      expect(custody).toEqual([
        'evidence.uploaded',
        'evidence.preserved',
        'evidence.legal_hold_released',
        'evidence.viewed',
      ]);
      const timeline = await t.http().get(`${API}/cases/${item.caseId}/timeline`).set(auditor.auth).expect(200);
      expect(JSON.stringify(timeline.body)).toContain('evidence.legal_hold_released');
    });

    it('a second release is refused (409: not under a hold), audited, nothing changed', async () => {
      const snapshot = await h.row(item.id);
      const rid = `lh-again-${randomBytes(6).toString('hex')}`;
      const res = await h.release(supervisor, item.id, RELEASE, rid);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'RESOURCE.CONFLICT', legalHold: false });
      expect(res.body.message).toContain('not under a legal hold');
      expect(await h.eventsOf(rid)).toEqual([
        expect.objectContaining({ action: 'evidence.legal_hold.release', outcome: 'FAILED', case_id: item.caseId }),
      ]);
      expect(await h.row(item.id)).toEqual(snapshot);
    });

    it('a hold can be placed again: ON in the engine, recorded with its reason, audited', async () => {
      const rid = `lh-place-${randomBytes(6).toString('hex')}`;
      const res = await h.place(
        supervisor,
        item.id,
        { reason: 'Defence moved to reopen.', reference: 'Motion 2031-M-77' },
        rid,
      );
      expect(res.status).toBe(200);
      expect(res.body.preservation).toMatchObject({
        legalHold: true,
        retentionMode: 'COMPLIANCE',
        legalHoldChange: {
          action: 'PLACED',
          by: supervisor.id,
          reason: 'Defence moved to reopen.',
          reference: 'Motion 2031-M-77',
        },
      });
      expect(await holdInEngine(item.id)).toBe('ON');
      expect(await h.eventsOf(rid)).toEqual([
        expect.objectContaining({
          action: 'evidence.legal_hold_placed',
          outcome: 'SUCCESS',
          actor_id: supervisor.id,
          case_id: item.caseId,
          details: expect.objectContaining({
            reason: 'Defence moved to reopen.',
            reference: 'Motion 2031-M-77',
            legalHoldBefore: false,
            legalHold: true,
          }),
        }),
      ]);
    });
  });

  it('a prosecutor of the office the packet went to may place a hold again; one of another office gets 404 (access.denied)', async () => {
    const item = await closedEvidence();
    expect((await h.release(supervisor, item.id)).status).toBe(200);
    const rid = `lh-other-${randomBytes(6).toString('hex')}`;
    const refused = await h.place(prosecutorOther, item.id, { reason: 'Preserve.' }, rid);
    expect(refused.status).toBe(404);
    expect(await h.eventsOf(rid)).toEqual([
      expect.objectContaining({
        action: 'access.denied',
        outcome: 'DENIED',
        actor_id: prosecutorOther.id,
        target_id: item.id,
        case_id: item.caseId,
        details: expect.objectContaining({ attempted: 'evidence.legal_hold.place', reason: 'out_of_scope' }),
      }),
    ]);
    expect(await holdInEngine(item.id)).toBe('OFF');
    const res = await h.place(prosecutor, item.id, {
      reason: 'Post-conviction petition filed.',
      reference: 'CCSAO 2031-PC-12',
    });
    expect(res.status).toBe(200);
    expect(res.body.preservation.legalHoldChange).toMatchObject({ action: 'PLACED', by: prosecutor.id });
    expect(await holdInEngine(item.id)).toBe('ON');
  });

  describe('the database fails after storage changed: storage is put back or left on the safe side, 503, audited', () => {
    /** Runs `fn` with SQL fault injection in place (created by the schema owner, removed afterwards whatever happens). */
    async function withFault<T>(name: string, create: string[], fn: () => Promise<T>): Promise<T> {
      for (const sql of create) await t.owner.query(sql);
      try {
        return await fn();
      } finally {
        await t.owner.query(`DROP TRIGGER IF EXISTS ${name} ON audit_events`);
        await t.owner.query(`DROP TRIGGER IF EXISTS ${name} ON evidence`);
        await t.owner.query(`DROP FUNCTION IF EXISTS ${name}()`);
      }
    }
    const raise = (name: string) =>
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`;
    /** The commit fails: a deferred trigger on the release's own audit event (after the row update and the event were written). */
    const failCommitOf = (name: string, action: string, id: string) => [
      raise(name),
      `CREATE CONSTRAINT TRIGGER ${name} AFTER INSERT ON audit_events DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW WHEN (NEW.action = '${action}' AND NEW.target_id = '${id}') EXECUTE FUNCTION ${name}()`,
    ];

    it('release: the commit fails; the hold is ON again in the engine on the recorded version, the record unchanged, FAILED audited, 503', async () => {
      const item = await h.withdrawnEvidence(officer, supervisor);
      const before = await h.row(item.id);
      const rid = `lh-dbfail-${randomBytes(6).toString('hex')}`;
      const res = await withFault(
        'lh_fail_commit',
        failCommitOf('lh_fail_commit', 'evidence.legal_hold_released', item.id),
        () => h.release(supervisor, item.id, RELEASE, rid),
      );
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'DEPENDENCY.UNAVAILABLE', legalHoldInStorage: 'ON', recorded: false });
      expect(res.body.message).toContain('put back ON in storage');
      expect(res.body.message).not.toMatch(/injected/);
      expect(await legalHoldOf(engine, storage.bucket, before.storage_key, before.storage_version_id)).toBe('ON');
      expect(await h.row(item.id)).toEqual(before);
      expect(await h.eventsOf(rid)).toEqual([
        expect.objectContaining({
          action: 'evidence.legal_hold.release',
          outcome: 'FAILED',
          actor_id: supervisor.id,
          target_id: item.id,
          case_id: item.caseId,
          details: expect.objectContaining({
            reason: RELEASE.reason,
            reference: RELEASE.reference,
            code: 'DEPENDENCY.UNAVAILABLE',
            dependency: 'database',
            storageChanged: true,
            legalHoldInStorage: 'ON',
            holdRestored: true,
            storage: { bucket: storage.bucket, key: before.storage_key, versionId: before.storage_version_id },
          }),
        }),
      ]);
      // Once the database is sound the same release goes through.
      expect((await h.release(supervisor, item.id)).status).toBe(200);
      expect(await holdInEngine(item.id)).toBe('OFF');
    });

    it('release: the database connection is lost mid-transaction; the hold is ON again, FAILED audited once the database answers, 503', async () => {
      const item = await h.withdrawnEvidence(officer, supervisor);
      const before = await h.row(item.id);
      const rid = `lh-dbgone-${randomBytes(6).toString('hex')}`;
      const name = 'lh_kill_connection';
      const res = await withFault(
        name,
        [
          `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
           BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$`,
          `CREATE TRIGGER ${name} BEFORE UPDATE ON evidence FOR EACH ROW
           WHEN (NEW.id = '${item.id}' AND NEW.legal_hold_action = 'RELEASED') EXECUTE FUNCTION ${name}()`,
        ],
        () => h.release(supervisor, item.id, RELEASE, rid),
      );
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'DEPENDENCY.UNAVAILABLE', legalHoldInStorage: 'ON' });
      expect(await legalHoldOf(engine, storage.bucket, before.storage_key, before.storage_version_id)).toBe('ON');
      expect(await h.row(item.id)).toEqual(before);
      expect(await h.eventsOf(rid)).toEqual([
        expect.objectContaining({
          action: 'evidence.legal_hold.release',
          outcome: 'FAILED',
          details: expect.objectContaining({
            dependency: 'database',
            storageChanged: true,
            legalHoldInStorage: 'ON',
            holdRestored: true,
          }),
        }),
      ]);
    });

    it('release: neither the record nor its failure can be written; the hold is ON again all the same, and the facts are logged loudly', async () => {
      const item = await h.withdrawnEvidence(officer, supervisor);
      const before = await h.row(item.id);
      const rid = `lh-noaudit-${randomBytes(6).toString('hex')}`;
      const name = 'lh_fail_all';
      const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      let res;
      let logged: string[] = [];
      try {
        res = await withFault(
          name,
          [
            raise(name),
            // Every event about this item fails, the release's at commit, the FAILED one (service or exception filter) at once.
            `CREATE CONSTRAINT TRIGGER ${name} AFTER INSERT ON audit_events DEFERRABLE INITIALLY DEFERRED
             FOR EACH ROW WHEN (NEW.target_id = '${item.id}') EXECUTE FUNCTION ${name}()`,
          ],
          () => h.release(supervisor, item.id, RELEASE, rid),
        );
        logged = errors.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('LEGAL HOLD NOT RECORDED'));
      } finally {
        errors.mockRestore();
      }
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'DEPENDENCY.UNAVAILABLE', legalHoldInStorage: 'ON' });
      expect(await legalHoldOf(engine, storage.bucket, before.storage_key, before.storage_version_id)).toBe('ON');
      expect(await h.row(item.id)).toEqual(before);
      expect(await h.eventsOf(rid)).toEqual([]);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain(item.id);
      expect(logged[0]).toContain(before.storage_version_id);
      expect(logged[0]).toContain('"legalHoldInStorage":"ON"');
    });

    it('place: the commit fails; the hold is left ON in the engine (the safe side), the answer says the record lags, 503; placing again records it', async () => {
      const item = await h.withdrawnEvidence(officer, supervisor);
      expect((await h.release(supervisor, item.id)).status).toBe(200);
      const before = await h.row(item.id);
      expect(await holdInEngine(item.id)).toBe('OFF');
      const rid = `lh-placefail-${randomBytes(6).toString('hex')}`;
      const body = { reason: 'Civil suit filed; preserve.', reference: 'N.D. Ill. 31-cv-0042' };
      const res = await withFault(
        'lh_fail_place',
        failCommitOf('lh_fail_place', 'evidence.legal_hold_placed', item.id),
        () => h.place(supervisor, item.id, body, rid),
      );
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'DEPENDENCY.UNAVAILABLE', legalHoldInStorage: 'ON', recorded: false });
      expect(res.body.message).toContain('place it again');
      expect(await holdInEngine(item.id)).toBe('ON');
      expect(await h.row(item.id)).toEqual(before);
      expect(await h.eventsOf(rid)).toEqual([
        expect.objectContaining({
          action: 'evidence.legal_hold.place',
          outcome: 'FAILED',
          details: expect.objectContaining({
            dependency: 'database',
            storageChanged: true,
            legalHoldInStorage: 'ON',
            holdRestored: null,
          }),
        }),
      ]);
      const again = await h.place(supervisor, item.id, body);
      expect(again.status).toBe(200);
      expect(again.body.preservation).toMatchObject({
        legalHold: true,
        legalHoldChange: { action: 'PLACED', reference: body.reference },
      });
    });
  });

  describe('the engine refuses (not an outage): 502 STORAGE.REFUSED naming its code, audited, nothing changed', () => {
    /** A bucket policy that denies s3:PutObjectLegalHold on one object to everyone (RGW applies an explicit Deny to the owner too). */
    async function withLegalHoldDenied<T>(key: string, fn: () => Promise<T>): Promise<T> {
      await engine.setBucketPolicy(
        storage.bucket,
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: { AWS: ['*'] },
              Action: ['s3:PutObjectLegalHold'],
              Resource: [`arn:aws:s3:::${storage.bucket}/${key}`],
            },
          ],
        }),
      );
      try {
        return await fn();
      } finally {
        // minio-js expects 204 to DeleteBucketPolicy; RGW answers 200, which minio-js reports as an error: check it is gone instead.
        await engine.setBucketPolicy(storage.bucket, '').catch(() => undefined);
        expect(await s3Refusal(engine.getBucketPolicy(storage.bucket))).toBe('NoSuchBucketPolicy');
      }
    }

    it.each(['release', 'place'] as const)(
      '%s: AccessDenied from the engine answers 502 with storageCode, audited FAILED; the hold stays ON',
      async (what) => {
        const item = await h.withdrawnEvidence(officer, supervisor);
        const before = await h.row(item.id);
        const rid = `lh-refused-${randomBytes(6).toString('hex')}`;
        const res = await withLegalHoldDenied(before.storage_key, () =>
          what === 'release'
            ? h.release(supervisor, item.id, RELEASE, rid)
            : h.place(supervisor, item.id, { reason: 'Preserve.' }, rid),
        );
        expect(res.status).toBe(502);
        expect(res.body).toMatchObject({ statusCode: 502, code: 'STORAGE.REFUSED', storageCode: 'AccessDenied' });
        expect(res.body.message).toContain('AccessDenied');
        expect(res.body.message).toContain('not an outage');
        expect(await h.eventsOf(rid)).toEqual([
          expect.objectContaining({
            action: `evidence.legal_hold.${what}`,
            outcome: 'FAILED',
            actor_id: supervisor.id,
            target_id: item.id,
            case_id: item.caseId,
            details: expect.objectContaining({ code: 'STORAGE.REFUSED', storageCode: 'AccessDenied' }),
          }),
        ]);
        expect(await h.row(item.id)).toEqual(before);
        expect(await holdInEngine(item.id)).toBe('ON');
      },
    );
  });

  describe('refusals change nothing, in the database or the engine, and are audited', () => {
    let item: { caseId: string; id: string };
    let before: Row;

    beforeAll(async () => {
      item = await h.withdrawnEvidence(officer, supervisor);
      before = await h.row(item.id);
    }, 60_000);

    afterEach(async () => {
      expect(await h.row(item.id)).toEqual(before);
      expect(await holdInEngine(item.id)).toBe('ON');
    });

    const byRole = (role: string) =>
      ({ OFFICER: officer, AUDITOR: auditor, ADMIN: admin, PROSECUTOR: prosecutor })[role]!;
    it.each([
      ['OFFICER', 'release'],
      ['AUDITOR', 'release'],
      ['ADMIN', 'release'],
      ['PROSECUTOR', 'release'],
      ['OFFICER', 'place'],
      ['AUDITOR', 'place'],
      ['ADMIN', 'place'],
    ] as const)('%s may not %s a legal hold: 403, access.denied', async (role, what) => {
      const who = () => byRole(role);
      const rid = `lh-role-${randomBytes(6).toString('hex')}`;
      const res =
        what === 'release'
          ? await h.release(who(), item.id, RELEASE, rid)
          : await h.place(who(), item.id, { reason: 'x' }, rid);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('AUTH.FORBIDDEN');
      expect(await h.eventsOf(rid)).toEqual([
        expect.objectContaining({
          action: 'access.denied',
          outcome: 'DENIED',
          actor_id: who().id,
          target_type: 'evidence',
          target_id: item.id,
          case_id: item.caseId,
          details: expect.objectContaining({ attempted: `evidence.legal_hold.${what}`, status: 403 }),
        }),
      ]);
    });

    it.each(['release', 'place'] as const)(
      'a supervisor of another district gets 404 on %s (access.denied, out of scope)',
      async (what) => {
        const rid = `lh-scope-${randomBytes(6).toString('hex')}`;
        const res =
          what === 'release'
            ? await h.release(supervisorOther, item.id, RELEASE, rid)
            : await h.place(supervisorOther, item.id, { reason: 'x' }, rid);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('RESOURCE.NOT_FOUND');
        expect(await h.eventsOf(rid)).toEqual([
          expect.objectContaining({
            action: 'access.denied',
            outcome: 'DENIED',
            actor_id: supervisorOther.id,
            target_id: item.id,
            case_id: item.caseId,
            details: expect.objectContaining({ reason: 'out_of_scope' }),
          }),
        ]);
      },
    );

    it('the supervisor who wrote the case may not release its evidence (403 two-person rule), audited', async () => {
      const own = await h.withdrawnEvidence(supervisorAuthor, supervisor);
      const ownBefore = await h.row(own.id);
      const rid = `lh-author-${randomBytes(6).toString('hex')}`;
      const res = await h.release(supervisorAuthor, own.id, RELEASE, rid);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('CASE.TWO_PERSON_RULE');
      expect(await h.eventsOf(rid)).toEqual([
        expect.objectContaining({
          action: 'access.denied',
          outcome: 'DENIED',
          actor_id: supervisorAuthor.id,
          case_id: own.caseId,
        }),
      ]);
      expect(await h.row(own.id)).toEqual(ownBefore);
      expect(await holdInEngine(own.id)).toBe('ON');
    });

    it.each([
      ['no reason', { reference: RELEASE.reference }, 'reason'],
      ['a blank reason', { reason: '  \n ', reference: RELEASE.reference }, 'reason'],
      ['no reference', { reason: RELEASE.reason }, 'reference'],
      ['a reference of two lines', { reason: RELEASE.reason, reference: '2026-CR-1\n2026-CR-2' }, 'reference'],
      ['a reference over 200 characters', { reason: RELEASE.reason, reference: 'R'.repeat(201) }, 'reference'],
      ['an unknown field', { ...RELEASE, legalHold: false }, 'legalHold'],
    ])('a release with %s: 400 naming the field, audited', async (_what, body, field) => {
      const rid = `lh-400-${randomBytes(6).toString('hex')}`;
      const res = await h.release(supervisor, item.id, body, rid);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION.FAILED');
      expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(await h.eventsOf(rid)).toEqual([
        expect.objectContaining({
          action: 'evidence.legal_hold.release',
          outcome: 'FAILED',
          actor_id: supervisor.id,
          target_id: item.id,
          case_id: item.caseId,
          details: expect.objectContaining({ fields: expect.arrayContaining([field]) }),
        }),
      ]);
    });

    it('a placement without a reason: 400, audited', async () => {
      const rid = `lh-400p-${randomBytes(6).toString('hex')}`;
      const res = await h.place(supervisor, item.id, { reference: 'X-1' }, rid);
      expect(res.status).toBe(400);
      expect(res.body.fields.map((f: { field: string }) => f.field)).toContain('reason');
      expect(await h.eventsOf(rid)).toEqual([
        expect.objectContaining({ action: 'evidence.legal_hold.place', outcome: 'FAILED' }),
      ]);
    });

    it('storage unreachable: 503, audited FAILED on the case, nothing recorded, the hold still ON', async () => {
      const rid = `lh-503-${randomBytes(6).toString('hex')}`;
      await t.storageProxy!.cut();
      let res;
      try {
        res = await h.release(supervisor, item.id, RELEASE, rid);
      } finally {
        await t.storageProxy!.restore();
      }
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('DEPENDENCY.UNAVAILABLE');
      expect(await h.eventsOf(rid)).toEqual([
        expect.objectContaining({
          action: 'evidence.legal_hold.release',
          outcome: 'FAILED',
          actor_id: supervisor.id,
          target_id: item.id,
          case_id: item.caseId,
          details: expect.objectContaining({
            reason: RELEASE.reason,
            reference: RELEASE.reference,
            code: 'DEPENDENCY.UNAVAILABLE',
          }),
        }),
      ]);
    });

    it('the database itself refuses to drop a hold without a recorded release (the immutability trigger)', async () => {
      await expect(
        t.appRole.query(
          `UPDATE evidence SET preservation = jsonb_set(preservation, '{legalHold}', 'false') WHERE id = $1`,
          [item.id],
        ),
      ).rejects.toThrow(/released only by a recorded release/);
      await expect(
        t.appRole.query(
          `UPDATE evidence SET preservation = jsonb_set(preservation, '{legalHold}', 'false'), legal_hold_action = 'RELEASED',
                legal_hold_changed_at = now(), legal_hold_changed_by = uploaded_by, legal_hold_reason = 'r' WHERE id = $1`,
          [item.id],
        ),
      ).rejects.toThrow(/evidence_legal_hold_change_complete/);
    });
  });
});

describe('legal hold on storage without Object Lock (s3rver)', () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  const h = suiteHelpers(() => t);

  beforeAll(async () => {
    t = await createTestApp();
    [officer, supervisor] = await Promise.all([t.given.officer(1), t.given.supervisor(1)]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(['release', 'place'] as const)(
    '%s answers 409 naming the bucket without Object Lock: nothing recorded, audited',
    async (what) => {
      const item = await h.withdrawnEvidence(officer, supervisor);
      const before = await h.row(item.id);
      expect(before.preservation).toMatchObject({ worm: false, legalHold: false });
      const rid = `lh-noworm-${randomBytes(6).toString('hex')}`;
      const res =
        what === 'release'
          ? await h.release(supervisor, item.id, RELEASE, rid)
          : await h.place(supervisor, item.id, { reason: 'Preserve.' }, rid);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'RESOURCE.CONFLICT', worm: false });
      expect(res.body.message).toContain(`bucket ${t.storage.bucket} has no S3 Object Lock`);
      expect(await h.eventsOf(rid)).toEqual([
        expect.objectContaining({ action: `evidence.legal_hold.${what}`, outcome: 'FAILED', case_id: item.caseId }),
      ]);
      expect(await h.row(item.id)).toEqual(before);
    },
  );
});
