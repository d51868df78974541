import { createHash, createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import type { Response } from 'supertest';
import { canonicalJson } from '@app/common';
import { keyIdOf } from '@app/signing';
import { auditRows, createTestApp, startApiProcess, SUBMIT_BODY, TestApp, TestUser } from './harness/test-app';
import { storageUnderTest } from './harness/test-storage';
import { unzip } from './harness/zip';

const API = '/api/v1';
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** supertest parser that keeps a binary body as one Buffer. */
function binary(res: Response, cb: (err: Error | null, body: any) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
  res.on('error', (e: Error) => cb(e, Buffer.alloc(0)));
}

const FELONY = {
  violations: [{ citation: '720 ILCS 5/10-3', description: 'Unlawful restraint of a bystander', felony: true }],
};
const ORDINANCE = {
  violations: [
    { citation: 'MCC 2-173-020', description: 'Detention at a city facility without a warrant', felony: false },
  ],
};

/** s3rver, or Ceph RGW in the e2e-ceph project. Changing a stored object behind the API is possible only on s3rver (no Object Lock). */
const ENGINE = storageUnderTest();
const UNPROTECTED = ENGINE === 's3rver';

describe(`prosecutor packets and the review queue (${ENGINE})`, () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  let ccsao: TestUser;
  let ccsao2: TestUser;
  let cityLaw: TestUser;
  let auditor: TestUser;
  let publicKeyPem: string;
  let keyId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const g = t.given;
    [officer, supervisor, ccsao, ccsao2, cityLaw, auditor] = await Promise.all([
      g.officer(3),
      g.supervisor(3),
      g.prosecutor('CCSAO'),
      g.prosecutor('CCSAO'),
      g.prosecutor('CITY_LAW'),
      g.auditor(),
    ]);
    const keys = await t.http().get(`${API}/keys`).expect(200);
    ({ publicKeyPem, id: keyId } = keys.body.keys[0]);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A complete case with the given violations and evidence files, submitted by the officer and approved by the supervisor. */
  async function approvedCase(violations: typeof FELONY, files: Buffer[] = []) {
    const c = await t.given.caseReadyToSubmit(officer);
    const v = await t
      .http()
      .put(`${API}/cases/${c.id}/violations`)
      .set(officer.auth)
      .set('If-Match', `"${c.version}"`)
      .send(violations)
      .expect(200);
    const evidence = [];
    for (const f of files) evidence.push(await t.given.evidence(officer, c.id, f));
    await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(200);
    const a = await t.http().post(`${API}/cases/${c.id}/approve`).set(supervisor.auth).send({}).expect(200);
    return {
      id: c.id,
      caseNumber: c.caseNumber,
      version: a.body.version as number,
      evidence,
      violationsVersion: v.body.version,
    };
  }

  async function send(caseId: string, body: Record<string, unknown> = {}): Promise<Response> {
    return t.http().post(`${API}/cases/${caseId}/packets`).set(supervisor.auth).send(body);
  }

  async function caseStatus(id: string): Promise<Record<string, any>> {
    const { rows } = await t.owner.query(
      `SELECT status, version, disposition, closed_at, return_reason, returned_by FROM cases WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  function verifyManifest(body: any): void {
    const text = canonicalJson(body.manifest);
    expect(sha256(text)).toBe(body.manifestSha256);
    const ok = verify(
      null,
      Buffer.from(text, 'utf8'),
      createPublicKey(publicKeyPem),
      Buffer.from(body.signature.value, 'base64'),
    );
    expect(ok).toBe(true);
  }

  // ---------------------------------------------------------------------------------------------
  describe('send -> queue -> claim -> decide', () => {
    it.each([
      ['a felony case goes to CCSAO by default', FELONY, 'CCSAO' as const, 'CHARGES_FILED', '2026-CR-0012345'],
      [
        "an ordinance case goes to the city's Department of Law by default",
        ORDINANCE,
        'CITY_LAW' as const,
        'DECLINED',
        undefined,
      ],
    ])(
      '%s, and its prosecutor takes it from the queue to a decision',
      async (_name, violations, office, decision, externalReference) => {
        const bwc = randomBytes(200_000);
        const photo = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(5000)]);
        const c = await approvedCase(violations, [bwc, photo]);
        const prosecutor = office === 'CCSAO' ? ccsao : cityLaw;

        const sent = await send(c.id);
        expect(sent.status).toBe(201);
        const p = sent.body;
        expect(p).toMatchObject({
          caseId: c.id,
          caseNumber: c.caseNumber,
          version: 1,
          previousPacketId: null,
          office,
          status: 'PENDING',
          sentBy: supervisor.id,
          keyId,
          evidenceCount: 2,
          evidenceBytes: bwc.length + photo.length,
          felony: office === 'CCSAO',
          review: { claimedBy: null, decision: null },
          sla: { days: 30, ageDays: 0, breached: false },
        });
        expect(await caseStatus(c.id)).toMatchObject({ status: 'REFERRED', version: c.version + 1 });

        // The manifest: canonical, hashed, signed with the published key, and stored in S3 byte for byte.
        const m = await t.http().get(`${API}/packets/${p.id}/manifest`).set(prosecutor.auth).expect(200);
        expect(m.body.manifestSha256).toBe(p.manifestSha256);
        expect(m.body.signature).toMatchObject({ algorithm: 'Ed25519', keyId, publicKeyPem });
        verifyManifest(m.body);
        const manifest = m.body.manifest;
        expect(manifest).toMatchObject({
          format: 'ion-packet-manifest/2',
          packetId: p.id,
          version: 1,
          office,
          previousPacket: null,
          caseReport: {
            file: 'case-report.pdf',
            contentType: 'application/pdf',
            sizeBytes: expect.any(Number),
            sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          },
          case: {
            id: c.id,
            caseNumber: c.caseNumber,
            status: 'APPROVED',
            narrative: expect.any(String),
            createdBy: { id: officer.id },
          },
          violations: violations.violations,
          federalOfficers: [expect.objectContaining({ isSupervisor: true, identificationOutcome: 'PARTIAL' })],
          approvals: {
            submittedBy: { id: officer.id },
            approvedBy: { id: supervisor.id },
            submittedAt: expect.any(String),
            approvedAt: expect.any(String),
          },
          sentBy: { id: supervisor.id, role: 'SUPERVISOR' },
          signing: { algorithm: 'Ed25519', keyId },
        });
        expect(manifest.evidence).toEqual([
          expect.objectContaining({
            id: c.evidence[0].id,
            sizeBytes: bwc.length,
            sha256: sha256(bwc),
            kind: 'BWC',
            uploadedBy: expect.objectContaining({ id: officer.id }),
          }),
          expect.objectContaining({
            id: c.evidence[1].id,
            sizeBytes: photo.length,
            sha256: sha256(photo),
            contentType: 'image/png',
          }),
        ]);
        const row = (
          await t.owner.query(
            `SELECT manifest, manifest_key, signature_key, signature, case_report_key FROM packets WHERE id = $1`,
            [p.id],
          )
        ).rows[0];
        expect(row.case_report_key).toBe(`packets/${c.id}/${p.id}/case-report.pdf`);
        expect(await t.storage.sha256Of(row.case_report_key)).toEqual({
          sha256: manifest.caseReport.sha256,
          size: manifest.caseReport.sizeBytes,
        });
        expect(p.links.caseReport).toBe(`/api/v1/packets/${p.id}/case-report.pdf`);
        expect(sha256(row.manifest)).toBe(p.manifestSha256);
        expect(await t.storage.sha256Of(row.manifest_key)).toEqual({
          sha256: p.manifestSha256,
          size: Buffer.byteLength(row.manifest),
        });
        const sigObject = await t.storage.sha256Of(row.signature_key);
        expect(sigObject).toEqual({ sha256: sha256(Buffer.from(row.signature, 'base64')), size: 64 });

        // The queue of the addressed office lists it; the other office's does not.
        const q = await t
          .http()
          .get(`${API}/review-queue?status=PENDING&pageSize=100`)
          .set(prosecutor.auth)
          .expect(200);
        expect(q.body.items.map((i: { id: string }) => i.id)).toContain(p.id);
        const other = office === 'CCSAO' ? cityLaw : ccsao;
        const q2 = await t
          .http()
          .get(`${API}/review-queue?status=PENDING,IN_REVIEW,DECIDED&pageSize=100`)
          .set(other.auth)
          .expect(200);
        expect(q2.body.items.map((i: { id: string }) => i.id)).not.toContain(p.id);

        const claimed = await t.http().post(`${API}/packets/${p.id}/claim`).set(prosecutor.auth).expect(200);
        expect(claimed.body).toMatchObject({
          id: p.id,
          status: 'IN_REVIEW',
          review: { claimedBy: prosecutor.id, claimedAt: expect.any(String) },
        });
        expect(await caseStatus(c.id)).toMatchObject({ status: 'IN_REVIEW' });

        const decided = await t
          .http()
          .post(`${API}/packets/${p.id}/decision`)
          .set(prosecutor.auth)
          .send({ decision, reason: 'Reviewed the footage and the supervisor identification.', externalReference })
          .expect(200);
        expect(decided.body).toMatchObject({
          status: 'DECIDED',
          review: {
            decision,
            decidedBy: prosecutor.id,
            externalReference: externalReference ?? null,
            decisionReason: expect.any(String),
          },
        });
        expect(await caseStatus(c.id)).toMatchObject({
          status: 'CLOSED',
          disposition: decision,
          closed_at: expect.any(Date),
        });

        // One event per step, each in the case's timeline, with who did it.
        const events = await auditRows(t.owner, `case_id = $1 AND action LIKE 'packet.%' AND outcome = 'SUCCESS'`, [
          c.id,
        ]);
        expect(events.map((e) => [e.action, e.actor_id])).toEqual([
          ['packet.sent', supervisor.id],
          ['packet.manifest.viewed', prosecutor.id],
          ['packet.claimed', prosecutor.id],
          ['packet.decided', prosecutor.id],
        ]);
        expect(events[0].details).toMatchObject({
          from: 'APPROVED',
          to: 'REFERRED',
          packetId: p.id,
          office,
          officeChosen: 'default',
          manifestSha256: p.manifestSha256,
          evidenceIds: c.evidence.map((e) => e.id),
        });
        expect(events[2].details).toMatchObject({ from: 'REFERRED', to: 'IN_REVIEW' });
        expect(events[3].details).toMatchObject({
          from: 'IN_REVIEW',
          to: 'CLOSED',
          decision,
          disposition: decision,
          externalReference: externalReference ?? null,
        });
        for (const e of events)
          expect({ target_type: e.target_type, target_id: e.target_id }).toEqual({
            target_type: 'packet',
            target_id: p.id,
          });

        // The case-side view: the supervisor sees the packet and its outcome; the decided packet is no longer open.
        const list = await t.http().get(`${API}/cases/${c.id}/packets`).set(supervisor.auth).expect(200);
        expect(list.body.items).toEqual([
          expect.objectContaining({ id: p.id, status: 'DECIDED', review: expect.objectContaining({ decision }) }),
        ]);
        const open = await t.http().get(`${API}/review-queue?pageSize=100`).set(prosecutor.auth).expect(200);
        expect(open.body.items.map((i: { id: string }) => i.id)).not.toContain(p.id);
      },
    );

    it('the supervisor may address the other office explicitly; the choice is recorded', async () => {
      const c = await approvedCase(FELONY);
      const sent = await send(c.id, { office: 'CITY_LAW' });
      expect(sent.status).toBe(201);
      expect(sent.body).toMatchObject({ office: 'CITY_LAW', felony: true });
      const [ev] = await auditRows(t.owner, `target_id = $1 AND action = 'packet.sent'`, [sent.body.id]);
      expect(ev.details).toMatchObject({ office: 'CITY_LAW', officeChosen: 'explicit', felony: true });
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('MORE_INFO_REQUESTED round trip', () => {
    it('returns the case to its officer with the note; after resubmission and approval, v2 references v1', async () => {
      const first = randomBytes(10_000);
      const c = await approvedCase(FELONY, [first]);
      const v1 = (await send(c.id)).body;
      await t.http().post(`${API}/packets/${v1.id}/claim`).set(ccsao.auth).expect(200);
      const note = 'Add the BWC footage of the second officer on scene and the EMS run sheet.';
      await t
        .http()
        .post(`${API}/packets/${v1.id}/decision`)
        .set(ccsao.auth)
        .send({ decision: 'MORE_INFO_REQUESTED', reason: note })
        .expect(200);

      const back = await t.http().get(`${API}/cases/${c.id}`).set(officer.auth).expect(200);
      expect(back.body).toMatchObject({ status: 'RETURNED', returnReason: note, returnedBy: ccsao.id });
      const [decidedEv] = await auditRows(t.owner, `target_id = $1 AND action = 'packet.decided'`, [v1.id]);
      expect(decidedEv.details).toMatchObject({
        from: 'IN_REVIEW',
        to: 'RETURNED',
        decision: 'MORE_INFO_REQUESTED',
        reason: note,
      });

      // Sending again before the officer fixed it is refused with the current state.
      const early = await send(c.id);
      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({ code: 'CASE.INVALID_TRANSITION', currentState: 'RETURNED' });

      const second = randomBytes(12_000);
      const added = await t.given.evidence(officer, c.id, second);
      await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(200);
      await t.http().post(`${API}/cases/${c.id}/approve`).set(supervisor.auth).send({}).expect(200);
      const v2res = await send(c.id);
      expect(v2res.status).toBe(201);
      const v2 = v2res.body;
      expect(v2).toMatchObject({
        version: 2,
        previousPacketId: v1.id,
        office: 'CCSAO',
        status: 'PENDING',
        evidenceCount: 2,
      });

      const m2 = await t.http().get(`${API}/packets/${v2.id}/manifest`).set(ccsao.auth).expect(200);
      verifyManifest(m2.body);
      expect(m2.body.manifest.previousPacket).toEqual({
        id: v1.id,
        version: 1,
        manifestSha256: v1.manifestSha256,
        decision: 'MORE_INFO_REQUESTED',
        decisionReason: note,
        decidedAt: expect.any(String),
      });
      expect(m2.body.manifest.evidence.map((e: { id: string }) => e.id)).toEqual([c.evidence[0].id, added.id]);
      // v1 is untouched: its manifest still verifies and still lists one item.
      const m1 = await t.http().get(`${API}/packets/${v1.id}/manifest`).set(ccsao.auth).expect(200);
      verifyManifest(m1.body);
      expect(m1.body.manifest.evidence).toHaveLength(1);

      const list = await t.http().get(`${API}/cases/${c.id}/packets`).set(officer.auth).expect(200);
      expect(list.body.items.map((i: { version: number; status: string }) => [i.version, i.status])).toEqual([
        [1, 'DECIDED'],
        [2, 'PENDING'],
      ]);
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('claims and decisions', () => {
    it('20 parallel claims of one packet: exactly one 200, 19 answers 409 naming the claimant, all audited', async () => {
      const c = await approvedCase(ORDINANCE);
      const p = (await send(c.id, { office: 'CCSAO' })).body;
      const claimants = [ccsao, ccsao2];
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t
            .http()
            .post(`${API}/packets/${p.id}/claim`)
            .set(claimants[i % 2].auth)
            .set('X-Request-Id', `claim-race-${p.id}-${i}`),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, ...Array(19).fill(409)]);
      const winner = results.find((r) => r.status === 200)!.body.review.claimedBy;
      for (const r of results.filter((x) => x.status === 409)) {
        expect(r.body).toMatchObject({ code: 'RESOURCE.CONFLICT', currentState: 'IN_REVIEW', claimedBy: winner });
      }
      const claimed = await auditRows(t.owner, `target_id = $1 AND action = 'packet.claimed'`, [p.id]);
      expect(claimed).toHaveLength(1);
      expect(claimed[0].actor_id).toBe(winner);
      const refused = await auditRows(t.owner, `request_id LIKE $1 AND outcome = 'FAILED'`, [`claim-race-${p.id}-%`]);
      expect(refused).toHaveLength(19);
      // Every refusal is about this packet of this case: the case's timeline shows the race.
      for (const r of refused)
        expect(r).toMatchObject({ action: 'packet.claim', target_type: 'packet', target_id: p.id, case_id: c.id });
      const timeline = await t.http().get(`${API}/cases/${c.id}/timeline`).set(auditor.auth).expect(200);
      const raceEvents = timeline.body.events.filter((e: { requestId: string }) =>
        e.requestId?.startsWith(`claim-race-${p.id}-`),
      );
      expect(raceEvents.map((e: { outcome: string }) => e.outcome).sort()).toEqual([
        ...Array(19).fill('FAILED'),
        'SUCCESS',
      ]);
      const { rows } = await t.owner.query(`SELECT status, claimed_by FROM packets WHERE id = $1`, [p.id]);
      expect(rows[0]).toEqual({ status: 'IN_REVIEW', claimed_by: winner });
    });

    it('only the claimant decides; a decision needs a claim, a reason and a known decision, and is final', async () => {
      const c = await approvedCase(FELONY);
      const p = (await send(c.id)).body;
      const before = await caseStatus(c.id);

      const unclaimed = await t
        .http()
        .post(`${API}/packets/${p.id}/decision`)
        .set(ccsao.auth)
        .send({ decision: 'DECLINED', reason: 'No.' });
      expect(unclaimed.status).toBe(409);
      expect(unclaimed.body).toMatchObject({ code: 'RESOURCE.CONFLICT', currentState: 'PENDING' });
      expect(unclaimed.body.message).toMatch(/claim it before deciding/);

      await t.http().post(`${API}/packets/${p.id}/claim`).set(ccsao.auth).expect(200);
      const notMine = await t
        .http()
        .post(`${API}/packets/${p.id}/decision`)
        .set(ccsao2.auth)
        .send({ decision: 'DECLINED', reason: 'No.' });
      expect(notMine.status).toBe(403);
      expect(notMine.body.message).toMatch(/Only the prosecutor who claimed/);
      const [denied] = await auditRows(t.owner, 'request_id = $1', [notMine.body.requestId]);
      expect(denied).toMatchObject({
        action: 'access.denied',
        outcome: 'DENIED',
        actor_id: ccsao2.id,
        target_type: 'packet',
        target_id: p.id,
        case_id: c.id,
      });

      const noReason = await t
        .http()
        .post(`${API}/packets/${p.id}/decision`)
        .set(ccsao.auth)
        .send({ decision: 'DECLINED' });
      expect(noReason.status).toBe(400);
      expect(noReason.body.message).toMatch(/reason/);
      const blank = await t
        .http()
        .post(`${API}/packets/${p.id}/decision`)
        .set(ccsao.auth)
        .send({ decision: 'DECLINED', reason: '   ' });
      expect(blank.status).toBe(400);
      const bad = await t
        .http()
        .post(`${API}/packets/${p.id}/decision`)
        .set(ccsao.auth)
        .send({ decision: 'DISMISSED', reason: 'x' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(
        /decision must be one of CHARGES_FILED, DECLINED, REFERRED_ELSEWHERE, MORE_INFO_REQUESTED/,
      );
      // Every refusal names the packet and its case: the 409 before the claim, the 403, the 400s.
      for (const res of [unclaimed, notMine, noReason, blank, bad]) {
        const [event] = await auditRows(t.owner, 'request_id = $1', [res.body.requestId]);
        expect(event).toMatchObject({
          target_type: 'packet',
          target_id: p.id,
          case_id: c.id,
          details: expect.objectContaining({ status: res.status }),
        });
      }
      // None of that changed anything.
      const { rows } = await t.owner.query(`SELECT status, decision FROM packets WHERE id = $1`, [p.id]);
      expect(rows[0]).toEqual({ status: 'IN_REVIEW', decision: null });
      expect((await caseStatus(c.id)).version).toBe(before.version + 1); // the claim only

      await t
        .http()
        .post(`${API}/packets/${p.id}/decision`)
        .set(ccsao.auth)
        .send({ decision: 'REFERRED_ELSEWHERE', reason: 'Federal matter: referred to the US Attorney.' })
        .expect(200);
      const again = await t
        .http()
        .post(`${API}/packets/${p.id}/decision`)
        .set(ccsao.auth)
        .send({ decision: 'CHARGES_FILED', reason: 'Changed my mind.' });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ currentState: 'DECIDED', decision: 'REFERRED_ELSEWHERE' });
      const reclaim = await t.http().post(`${API}/packets/${p.id}/claim`).set(ccsao2.auth);
      expect(reclaim.status).toBe(409);
      expect(await caseStatus(c.id)).toMatchObject({ status: 'CLOSED', disposition: 'REFERRED_ELSEWHERE' });
    });

    it('sending is refused for a case that is not APPROVED, a stale version, or an unknown office; nothing is stored', async () => {
      const draft = await t.given.caseReadyToSubmit(officer);
      const objectsBefore = (await t.storage.keys('packets/')).length;
      const notApproved = await send(draft.id);
      expect(notApproved.status).toBe(409);
      expect(notApproved.body).toMatchObject({ code: 'CASE.INVALID_TRANSITION', currentState: 'DRAFT' });

      const c = await approvedCase(FELONY);
      const stale = await t
        .http()
        .post(`${API}/cases/${c.id}/packets`)
        .set(supervisor.auth)
        .set('If-Match', `"${c.version - 1}"`)
        .send({});
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ code: 'VERSION.CONFLICT', currentVersion: c.version });
      const office = await send(c.id, { office: 'FBI' });
      expect(office.status).toBe(400);
      expect(office.body.message).toMatch(/office must be one of CCSAO, CITY_LAW/);
      expect(await caseStatus(c.id)).toMatchObject({ status: 'APPROVED', version: c.version });
      expect((await t.storage.keys('packets/')).length).toBe(objectsBefore);
      expect((await t.owner.query(`SELECT count(*)::int AS n FROM packets WHERE case_id = $1`, [c.id])).rows[0].n).toBe(
        0,
      );

      // Sent once: a second send finds it REFERRED.
      await send(c.id).then((r) => expect(r.status).toBe(201));
      const twice = await send(c.id);
      expect(twice.status).toBe(409);
      expect(twice.body).toMatchObject({ currentState: 'REFERRED' });
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('the review queue', () => {
    let q: TestUser;
    const ids: string[] = [];

    beforeAll(async () => {
      // A prosecutor of a fresh office view: all CITY_LAW packets of this suite are ours to sort.
      q = cityLaw;
      for (let i = 0; i < 3; i++) {
        const c = await approvedCase(ORDINANCE);
        ids.push((await send(c.id)).body.id);
      }
      // The first was sent 45 days ago, the second 10 (the trigger freezes sent_at, so the owner lifts it for the test).
      await t.owner.query(`ALTER TABLE packets DISABLE TRIGGER packets_review_only`);
      await t.owner.query(`UPDATE packets SET sent_at = now() - interval '45 days' WHERE id = $1`, [ids[0]]);
      await t.owner.query(`UPDATE packets SET sent_at = now() - interval '10 days' WHERE id = $1`, [ids[1]]);
      await t.owner.query(`ALTER TABLE packets ENABLE TRIGGER packets_review_only`);
      await t.http().post(`${API}/packets/${ids[1]}/claim`).set(q.auth).expect(200);
    });

    const pageIds = (res: Response) =>
      (res.body.items as { id: string }[]).map((i) => i.id).filter((id) => ids.includes(id));

    it('by default lists the open packets (PENDING and IN_REVIEW), oldest first, with age and SLA', async () => {
      const res = await t.http().get(`${API}/review-queue?pageSize=100`).set(q.auth).expect(200);
      expect(res.body).toMatchObject({ status: ['PENDING', 'IN_REVIEW'], sort: 'oldest', page: 1, pageSize: 100 });
      expect(pageIds(res)).toEqual(ids);
      const byId = new Map((res.body.items as any[]).map((i) => [i.id, i]));
      expect(byId.get(ids[0])).toMatchObject({ status: 'PENDING', sla: { days: 30, ageDays: 45, breached: true } });
      expect(byId.get(ids[1])).toMatchObject({
        status: 'IN_REVIEW',
        sla: { ageDays: 10, breached: false },
        review: { claimedBy: q.id, claimedByName: expect.any(String) },
      });
      expect(byId.get(ids[2])).toMatchObject({ status: 'PENDING', sla: { ageDays: 0, breached: false } });
      const sentAt = (res.body.items as { sentAt: string }[]).map((i) => i.sentAt);
      expect([...sentAt].sort()).toEqual(sentAt);
      for (const item of res.body.items) expect(item.office).toBe('CITY_LAW');
    });

    it('filters by status, sorts newest first on request, and paginates with a total', async () => {
      const pending = await t.http().get(`${API}/review-queue?status=PENDING&pageSize=100`).set(q.auth).expect(200);
      expect(pageIds(pending)).toEqual([ids[0], ids[2]]);
      const inReview = await t.http().get(`${API}/review-queue?status=IN_REVIEW&pageSize=100`).set(q.auth).expect(200);
      expect(pageIds(inReview)).toEqual([ids[1]]);
      const newest = await t.http().get(`${API}/review-queue?sort=newest&pageSize=100`).set(q.auth).expect(200);
      expect(pageIds(newest)).toEqual([...ids].reverse());

      const all = await t.http().get(`${API}/review-queue?pageSize=100`).set(q.auth).expect(200);
      const total = all.body.total as number;
      const seen: string[] = [];
      for (let page = 1; page <= Math.ceil(total / 2); page++) {
        const r = await t.http().get(`${API}/review-queue?pageSize=2&page=${page}`).set(q.auth).expect(200);
        expect(r.body.total).toBe(total);
        seen.push(...(r.body.items as { id: string }[]).map((i) => i.id));
      }
      expect(seen).toEqual((all.body.items as { id: string }[]).map((i) => i.id));
    });

    it('refuses unknown filters naming the field', async () => {
      const r1 = await t.http().get(`${API}/review-queue?status=LOST`).set(q.auth);
      expect(r1.status).toBe(400);
      expect(r1.body.message).toMatch(/status must be one or more of PENDING, IN_REVIEW, DECIDED/);
      const r2 = await t.http().get(`${API}/review-queue?sort=random`).set(q.auth);
      expect(r2.status).toBe(400);
      expect(r2.body.message).toMatch(/sort must be oldest or newest/);
      const r3 = await t.http().get(`${API}/review-queue?pageSize=1000`).set(q.auth);
      expect(r3.status).toBe(400);
      expect(r3.body.message).toMatch(/pageSize/);
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('a prosecutor reaches a case only through packets sent to their office', () => {
    it('the other office gets 404 on the packet, its manifest, its archive and its evidence, each audited as access.denied', async () => {
      const file = randomBytes(3000);
      const c = await approvedCase(FELONY, [file]);
      const p = (await send(c.id)).body;
      const e = c.evidence[0];

      for (const path of [
        `packets/${p.id}`,
        `packets/${p.id}/manifest`,
        `packets/${p.id}/archive`,
        `evidence/${e.id}`,
        `evidence/${e.id}/content`,
      ]) {
        const res = await t.http().get(`${API}/${path}`).set(cityLaw.auth);
        expect({ path, status: res.status, code: res.body.code }).toEqual({
          path,
          status: 404,
          code: 'RESOURCE.NOT_FOUND',
        });
        const [ev] = await auditRows(t.owner, 'request_id = $1', [res.body.requestId]);
        expect(ev).toMatchObject({ action: 'access.denied', outcome: 'DENIED', actor_id: cityLaw.id });
        expect(ev.details.reason).toBe('out_of_scope');
        expect(ev.target_id).toBe(path.startsWith('packets') ? p.id : e.id);
        expect(ev.case_id).toBe(c.id); // on the case's timeline, so its supervisor and auditors see the attempt
      }
      const claim = await t.http().post(`${API}/packets/${p.id}/claim`).set(cityLaw.auth);
      expect(claim.status).toBe(404);
      const verifyRes = await t.http().post(`${API}/evidence/${e.id}/verify`).set(cityLaw.auth);
      expect(verifyRes.status).toBe(404);
      expect((await t.owner.query(`SELECT status FROM packets WHERE id = $1`, [p.id])).rows[0].status).toBe('PENDING');

      // The addressed office reaches the same evidence: metadata, content, verify.
      const meta = await t.http().get(`${API}/evidence/${e.id}`).set(ccsao.auth).expect(200);
      expect(meta.body).toMatchObject({ id: e.id, sha256: sha256(file) });
      const content = await t
        .http()
        .get(`${API}/evidence/${e.id}/content`)
        .set(ccsao.auth)
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(sha256(content.body)).toBe(sha256(file));
      await t.http().post(`${API}/evidence/${e.id}/verify`).set(ccsao.auth).expect(200);
      // ... and nothing else of the case system.
      for (const path of [`cases/${c.id}`, `cases/${c.id}/evidence`, `cases/${c.id}/timeline`, 'cases']) {
        expect({ path, status: (await t.http().get(`${API}/${path}`).set(ccsao.auth)).status }).toEqual({
          path,
          status: 403,
        });
      }
    });

    it('evidence of a case never sent stays out of reach of every prosecutor', async () => {
      const c = await t.given.caseReadyToSubmit(officer);
      const e = await t.given.evidence(officer, c.id);
      for (const who of [ccsao, cityLaw]) {
        const res = await t.http().get(`${API}/evidence/${e.id}`).set(who.auth);
        expect(res.status).toBe(404);
      }
    });

    it('auditors see packet metadata but not the manifest or archive', async () => {
      const c = await approvedCase(FELONY);
      const p = (await send(c.id)).body;
      const meta = await t.http().get(`${API}/packets/${p.id}`).set(auditor.auth).expect(200);
      expect(meta.body).toMatchObject({ id: p.id, manifestSha256: p.manifestSha256 });
      expect(meta.body).not.toHaveProperty('manifest');
      await t.http().get(`${API}/packets/${p.id}/manifest`).set(auditor.auth).expect(403);
      await t.http().get(`${API}/packets/${p.id}/archive`).set(auditor.auth).expect(403);
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('the archive', () => {
    it('holds the signed manifest, the key, checksums, VERIFY.txt and every file re-hashed; the download is custody', async () => {
      const bwc = randomBytes(300_000);
      const doc = Buffer.from('%PDF-1.7\n' + 'statement of witness\n'.repeat(100));
      const c = await approvedCase(FELONY, [bwc, doc]);
      const p = (await send(c.id)).body;
      const res = await t
        .http()
        .get(`${API}/packets/${p.id}/archive`)
        .set(ccsao.auth)
        .set('X-Request-Id', `archive-${p.id}`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(res.headers['content-type']).toBe('application/zip');
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      expect(res.headers['x-packet-manifest-sha256']).toBe(p.manifestSha256);
      const root = `${c.caseNumber}-packet-v1`;
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${root}.zip"`);

      const files = await unzip(res.body);
      const manifest = JSON.parse(files.get(`${root}/manifest.json`)!.toString('utf8'));
      expect([...files.keys()].sort()).toEqual(
        [
          `${root}/SHA256SUMS`,
          `${root}/VERIFY.txt`,
          `${root}/${manifest.evidence[0].archivePath}`,
          `${root}/${manifest.evidence[1].archivePath}`,
          `${root}/manifest.json`,
          `${root}/manifest.sha256`,
          `${root}/manifest.sig`,
          `${root}/public-key.pem`,
          `${root}/case-report.pdf`,
        ].sort(),
      );
      const report = files.get(`${root}/case-report.pdf`)!;
      expect(report.subarray(0, 5).toString()).toBe('%PDF-');
      expect({ sha256: sha256(report), sizeBytes: report.length }).toEqual({
        sha256: manifest.caseReport.sha256,
        sizeBytes: manifest.caseReport.sizeBytes,
      });
      expect(manifest.evidence[0].archivePath).toMatch(new RegExp(`^evidence/01-${c.evidence[0].id}\\.bin$`));
      expect(manifest.evidence[1].archivePath).toBe(`evidence/02-${c.evidence[1].id}.pdf`);
      expect(sha256(files.get(`${root}/manifest.json`)!)).toBe(p.manifestSha256);
      expect(files.get(`${root}/manifest.sha256`)!.toString()).toBe(`${p.manifestSha256}  manifest.json\n`);
      expect(
        verify(
          null,
          files.get(`${root}/manifest.json`)!,
          createPublicKey(publicKeyPem),
          files.get(`${root}/manifest.sig`)!,
        ),
      ).toBe(true);
      expect(files.get(`${root}/public-key.pem`)!.toString()).toBe(publicKeyPem);
      expect(keyIdOf(createPublicKey(files.get(`${root}/public-key.pem`)!))).toBe(manifest.signing.keyId);
      expect(files.get(`${root}/${manifest.evidence[0].archivePath}`)!.equals(bwc)).toBe(true);
      expect(files.get(`${root}/${manifest.evidence[1].archivePath}`)!.equals(doc)).toBe(true);
      expect(sha256(files.get(`${root}/SHA256SUMS`)!)).toBe(manifest.checksums.sha256);
      expect(files.get(`${root}/SHA256SUMS`)!.toString()).toBe(
        `${sha256(publicKeyPem)}  public-key.pem\n${sha256(report)}  case-report.pdf\n${sha256(bwc)}  ${manifest.evidence[0].archivePath}\n` +
          `${sha256(doc)}  ${manifest.evidence[1].archivePath}\n`,
      );
      expect(files.get(`${root}/VERIFY.txt`)!.toString()).toContain('openssl pkeyutl -verify');

      const events = await auditRows(t.owner, 'request_id = $1', [`archive-${p.id}`]);
      expect(events.map((e) => [e.action, e.target_type, e.target_id])).toEqual([
        ['packet.archive.downloaded', 'packet', p.id],
        ['evidence.downloaded', 'evidence', c.evidence[0].id],
        ['evidence.downloaded', 'evidence', c.evidence[1].id],
      ]);
      expect(events[1].details).toMatchObject({ via: 'packet-archive', packetId: p.id, sha256: sha256(bwc) });
      // The evidence's own custody shows the archive download.
      const custody = await t.http().get(`${API}/evidence/${c.evidence[0].id}`).set(supervisor.auth).expect(200);
      expect(custody.body.custody.map((e: { action: string }) => e.action)).toContain('evidence.downloaded');
    });

    if (UNPROTECTED)
      it('a file changed in storage cuts the archive before that file ends, marks it FAILED and audits it', async () => {
        const good = randomBytes(50_000);
        const victim = randomBytes(80_000);
        const c = await approvedCase(FELONY, [good, victim]);
        const p = (await send(c.id)).body;
        const {
          rows: [row],
        } = await t.owner.query(`SELECT storage_key FROM evidence WHERE id = $1`, [c.evidence[1].id]);
        const tampered = Buffer.from(victim);
        tampered[40_000] ^= 0x01;
        await t.storage.client.putObject(t.storage.bucket, row.storage_key, tampered, tampered.length);

        const outcome = await t
          .http()
          .get(`${API}/packets/${p.id}/archive`)
          .set(ccsao.auth)
          .buffer(true)
          .parse(binary)
          .then(
            (r) => ({ complete: true, length: r.body.length, expected: Number(r.headers['content-length']) }),
            () => ({ complete: false, length: 0, expected: 0 }),
          );
        // The client never receives the whole archive: the connection is cut.
        expect(outcome.complete && outcome.length === outcome.expected).toBe(false);
        // The failed download is recorded as the connection closes: wait for it rather than a fixed time.
        for (
          let i = 0;
          i < 50 &&
          !(
            await auditRows(t.owner, `target_id = $1 AND action = 'packet.archive.downloaded' AND outcome = 'FAILED'`, [
              p.id,
            ])
          ).length;
          i++
        ) {
          await new Promise((r) => setTimeout(r, 100));
        }
        const {
          rows: [e],
        } = await t.owner.query(`SELECT integrity_status, integrity_failure FROM evidence WHERE id = $1`, [
          c.evidence[1].id,
        ]);
        expect(e.integrity_status).toBe('FAILED');
        expect(e.integrity_failure).toMatchObject({
          during: 'packet-archive',
          packetId: p.id,
          expectedSha256: sha256(victim),
          actualSha256: sha256(tampered),
        });
        const failed = await auditRows(t.owner, `target_id = $1 AND action = 'evidence.integrity_failed'`, [
          c.evidence[1].id,
        ]);
        expect(failed).toHaveLength(1);
        const stopped = await auditRows(
          t.owner,
          `target_id = $1 AND action = 'packet.archive.downloaded' AND outcome = 'FAILED'`,
          [p.id],
        );
        expect(stopped).toHaveLength(1);
      });
  });

  // ---------------------------------------------------------------------------------------------
  describe('after the service key is rotated', () => {
    it('GET /keys still publishes the old key (retired), and a packet it signed verifies with it', async () => {
      const packet = await t.given.sentPacket(officer, supervisor);
      const rotated = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const api = await startApiProcess(t.dbName, t.storage, { SIGNING_PRIVATE_KEY: rotated });
      try {
        const { keys } = (await api.http().get(`${API}/keys`).expect(200)).body;
        expect(keys).toHaveLength(2);
        expect(keys[0]).toMatchObject({
          current: true,
          algorithm: 'Ed25519',
          id: expect.stringMatching(/^ed25519:[0-9a-f]{16}$/),
        });
        expect(keys[0].id).not.toBe(keyId);
        expect(keys[1]).toMatchObject({
          id: keyId,
          current: false,
          publicKeyPem,
          firstUsedAt: expect.any(String),
          lastUsedAt: expect.any(String),
        });

        const body = (await api.http().get(`${API}/packets/${packet.id}/manifest`).set(ccsao.auth).expect(200)).body;
        expect(body.signature.keyId).toBe(keyId);
        const retired = keys.find((k: { id: string }) => k.id === body.signature.keyId);
        const signed = Buffer.from(canonicalJson(body.manifest), 'utf8');
        expect(
          verify(null, signed, createPublicKey(retired.publicKeyPem), Buffer.from(body.signature.value, 'base64')),
        ).toBe(true);
        expect(
          verify(null, signed, createPublicKey(keys[0].publicKeyPem), Buffer.from(body.signature.value, 'base64')),
        ).toBe(false);
      } finally {
        await api.stop();
      }
      // The key itself cannot be changed or removed by the API's role.
      await expect(
        t.appRole.query(`UPDATE signing_keys SET public_key_pem = 'x' WHERE key_id = $1`, [keyId]),
      ).rejects.toThrow(/permission denied/);
      await expect(t.appRole.query(`DELETE FROM signing_keys WHERE key_id = $1`, [keyId])).rejects.toThrow(
        /permission denied/,
      );
    });
  });

  describe('packets are frozen', () => {
    it('the database refuses any change to what was sent, and any delete', async () => {
      const c = await approvedCase(FELONY);
      const p = (await send(c.id)).body;
      await expect(t.owner.query(`UPDATE packets SET manifest = '{}' WHERE id = $1`, [p.id])).rejects.toThrow(/frozen/);
      await expect(t.owner.query(`UPDATE packets SET office = 'CITY_LAW' WHERE id = $1`, [p.id])).rejects.toThrow(
        /frozen/,
      );
      await expect(t.appRole.query(`DELETE FROM packets WHERE id = $1`, [p.id])).rejects.toThrow(
        /permission denied|never/,
      );
      await expect(t.appRole.query(`DELETE FROM evidence_disclosures WHERE packet_id = $1`, [p.id])).rejects.toThrow(
        /permission denied|never/,
      );
      await t.http().post(`${API}/packets/${p.id}/claim`).set(ccsao.auth).expect(200);
      // A claim is undone only by a release (issue 16), which moves the case back with it: not by a write to the packet alone,
      // not even by the API's own role.
      await expect(
        t.appRole.query(`UPDATE packets SET status = 'PENDING', claimed_at = NULL, claimed_by = NULL WHERE id = $1`, [
          p.id,
        ]),
      ).rejects.toThrow(/a claim and its release move the case with it/);
      const {
        rows: [after],
      } = await t.owner.query(`SELECT status, claimed_by, manifest_sha256 FROM packets WHERE id = $1`, [p.id]);
      expect(after).toEqual({ status: 'IN_REVIEW', claimed_by: ccsao.id, manifest_sha256: p.manifestSha256 });
    });
  });
});

describe(`packets when storage is unreachable (${ENGINE})`, () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  let prosecutor: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ storageProxy: true });
    [officer, supervisor, prosecutor] = await Promise.all([
      t.given.officer(),
      t.given.supervisor(),
      t.given.prosecutor('CCSAO'),
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sending answers 503 and changes nothing (audited); once storage is back the same send succeeds', async () => {
    const c = await t.given.approvedCase(officer, supervisor);
    const objects = (await t.storage.keys('packets/')).length;
    await t.storageProxy!.cut();
    let res: Response;
    try {
      res = await t
        .http()
        .post(`${API}/cases/${c.id}/packets`)
        .set(supervisor.auth)
        .set('X-Request-Id', `send-down-${c.id}`)
        .send({});
    } finally {
      await t.storageProxy!.restore();
    }
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'DEPENDENCY.UNAVAILABLE', message: expect.stringMatching(/storage/) });
    const {
      rows: [row],
    } = await t.owner.query(`SELECT status, version FROM cases WHERE id = $1`, [c.id]);
    expect(row).toEqual({ status: 'APPROVED', version: c.version });
    expect((await t.owner.query(`SELECT count(*)::int AS n FROM packets WHERE case_id = $1`, [c.id])).rows[0].n).toBe(
      0,
    );
    expect((await t.storage.keys('packets/')).length).toBe(objects);
    const [ev] = await auditRows(t.owner, 'request_id = $1', [`send-down-${c.id}`]);
    expect(ev).toMatchObject({ action: 'packet.send', outcome: 'FAILED', actor_id: supervisor.id });
    expect(ev.details).toMatchObject({ status: 503, code: 'DEPENDENCY.UNAVAILABLE' });

    const again = await t.http().post(`${API}/cases/${c.id}/packets`).set(supervisor.auth).send({});
    expect(again.status).toBe(201);
  });

  it('an archive requested while storage is down answers 503 before any byte, with no download recorded', async () => {
    const c = await t.given.caseReadyToSubmit(officer);
    await t.given.evidence(officer, c.id, randomBytes(5000));
    await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(200);
    await t.http().post(`${API}/cases/${c.id}/approve`).set(supervisor.auth).send({}).expect(200);
    const p = (
      await t.http().post(`${API}/cases/${c.id}/packets`).set(supervisor.auth).send({ office: 'CCSAO' }).expect(201)
    ).body;
    await t.storageProxy!.cut();
    let res: Response;
    try {
      res = await t.http().get(`${API}/packets/${p.id}/archive`).set(prosecutor.auth);
    } finally {
      await t.storageProxy!.restore();
    }
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'DEPENDENCY.UNAVAILABLE' });
    expect(await auditRows(t.owner, `target_id = $1 AND action = 'packet.archive.downloaded'`, [p.id])).toEqual([]);
    const [failed] = await auditRows(t.owner, 'request_id = $1', [res.body.requestId]);
    expect(failed).toMatchObject({
      action: 'packet.archive.download',
      outcome: 'FAILED',
      target_type: 'packet',
      target_id: p.id,
    });
    await t.http().get(`${API}/packets/${p.id}/archive`).set(prosecutor.auth).buffer(true).parse(binary).expect(200);
  });
});
