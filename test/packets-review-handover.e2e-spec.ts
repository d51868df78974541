import type { Response } from 'supertest';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';

const API = '/api/v1';

/**
 * Issue 16: a prosecutor releases a claim or hands it to a colleague of the office, and corrects a decision's
 * external reference after the fact (appended; the decision and the signed manifest stay as they were).
 */
describe('prosecutor review: release, hand-over, reference corrections (issue 16)', () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  let alice: TestUser; // CCSAO
  let bob: TestUser; // CCSAO
  let carol: TestUser; // CCSAO
  let cityLaw: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const g = t.given;
    [officer, supervisor, alice, bob, carol, cityLaw] = await Promise.all([
      g.officer(4),
      g.supervisor(4),
      g.prosecutor('CCSAO'),
      g.prosecutor('CCSAO'),
      g.prosecutor('CCSAO'),
      g.prosecutor('CITY_LAW'),
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const packet = () => t.given.sentPacket(officer, supervisor, 'CCSAO');
  async function claimed(by: TestUser) {
    const p = await packet();
    await t.given.claim(by, p.id);
    return p;
  }
  async function decided(by: TestUser, externalReference?: string) {
    const p = await claimed(by);
    await t
      .http()
      .post(`${API}/packets/${p.id}/decision`)
      .set(by.auth)
      .send({
        decision: 'CHARGES_FILED',
        reason: 'Probable cause for unlawful restraint.',
        ...(externalReference ? { externalReference } : {}),
      })
      .expect(200);
    return p;
  }
  /** What a refusal must leave untouched: the packet row, the case row and the corrections. */
  async function state(packetId: string) {
    const {
      rows: [p],
    } = await t.owner.query(
      `SELECT status, claimed_by, claimed_at, decision, decision_reason, external_reference, decided_by, decided_at, manifest, manifest_sha256, signature
         FROM packets WHERE id = $1`,
      [packetId],
    );
    const {
      rows: [c],
    } = await t.owner.query(
      `SELECT c.status, c.version, c.disposition FROM cases c JOIN packets p ON p.case_id = c.id WHERE p.id = $1`,
      [packetId],
    );
    const { rows: corrections } = await t.owner.query(
      `SELECT * FROM packet_reference_corrections WHERE packet_id = $1 ORDER BY seq`,
      [packetId],
    );
    return { packet: p, case: c, corrections };
  }
  const eventsOf = (res: Response) => auditRows(t.owner, 'request_id = $1', [res.headers['x-request-id']]);
  /** Moves a packet's sending back (the trigger freezes sent_at, so the owner lifts it for the test). */
  async function sentDaysAgo(packetId: string, days: number) {
    await t.owner.query(`ALTER TABLE packets DISABLE TRIGGER packets_review_only`);
    await t.owner.query(`UPDATE packets SET sent_at = now() - make_interval(days => $2) WHERE id = $1`, [
      packetId,
      days,
    ]);
    await t.owner.query(`ALTER TABLE packets ENABLE TRIGGER packets_review_only`);
  }

  // ---------------------------------------------------------------------------------------------
  describe('release', () => {
    it('the claimant releases: the packet is PENDING and unclaimed, the case REFERRED again, audited; a colleague then claims it', async () => {
      const p = await claimed(alice);
      const before = await state(p.id);
      const res = await t
        .http()
        .post(`${API}/packets/${p.id}/release`)
        .set(alice.auth)
        .send({ reason: 'Conflict of interest: I know the witness.' })
        .expect(200);
      expect(res.body).toMatchObject({
        id: p.id,
        status: 'PENDING',
        review: { claimedBy: null, claimedByName: null, claimedAt: null, decision: null },
      });
      const after = await state(p.id);
      expect(after.packet).toMatchObject({ status: 'PENDING', claimed_by: null, claimed_at: null });
      expect(after.case).toMatchObject({ status: 'REFERRED', version: before.case.version + 1 });
      const events = await eventsOf(res);
      expect(events.map((e) => [e.action, e.outcome, e.actor_id, e.target_id, e.case_id])).toEqual([
        ['packet.released', 'SUCCESS', alice.id, p.id, p.caseId],
      ]);
      expect(events[0].details).toMatchObject({
        basis: 'CLAIMANT',
        reason: 'Conflict of interest: I know the witness.',
        claimant: { id: alice.id },
        from: 'IN_REVIEW',
        to: 'REFERRED',
        packetVersion: 1,
      });
      // Back in the queue, for anyone of the office.
      const queue = await t.http().get(`${API}/review-queue?status=PENDING&pageSize=100`).set(bob.auth).expect(200);
      expect((queue.body.items as { id: string }[]).map((i) => i.id)).toContain(p.id);
      const again = await t.http().post(`${API}/packets/${p.id}/claim`).set(bob.auth).send({}).expect(200);
      expect(again.body).toMatchObject({ status: 'IN_REVIEW', review: { claimedBy: bob.id } });
      expect((await state(p.id)).case).toMatchObject({ status: 'IN_REVIEW' });
    });

    it('the claimant may release without a reason', async () => {
      const p = await claimed(alice);
      const res = await t.http().post(`${API}/packets/${p.id}/release`).set(alice.auth).send({}).expect(200);
      expect((await eventsOf(res))[0].details).toMatchObject({ basis: 'CLAIMANT', reason: null });
    });

    it('a colleague may not release a claim inside the SLA: 403 PACKET.NOT_CLAIMANT, audited as denied, nothing changed', async () => {
      const p = await claimed(alice);
      const before = await state(p.id);
      const res = await t
        .http()
        .post(`${API}/packets/${p.id}/release`)
        .set(bob.auth)
        .send({ reason: 'Taking it.' })
        .expect(403);
      expect(res.body).toMatchObject({ code: 'PACKET.NOT_CLAIMANT', claimedBy: alice.id, staleAt: expect.any(String) });
      expect(res.body.message).toMatch(/only they may release it/);
      expect(await state(p.id)).toEqual(before);
      const events = await eventsOf(res);
      expect(events.map((e) => [e.action, e.outcome, e.actor_id, e.target_id, e.case_id])).toEqual([
        ['access.denied', 'DENIED', bob.id, p.id, p.caseId],
      ]);
      expect(events[0].details).toMatchObject({
        attempted: 'packet.release',
        code: 'PACKET.NOT_CLAIMANT',
        status: 403,
      });
    });

    it('a colleague releases a claim past the SLA, with a reason (required), recorded with its basis and the former claimant', async () => {
      const p = await claimed(alice);
      await sentDaysAgo(p.id, 31);
      const before = await state(p.id);
      const noReason = await t.http().post(`${API}/packets/${p.id}/release`).set(bob.auth).send({}).expect(400);
      expect(noReason.body).toMatchObject({ code: 'VALIDATION.FAILED', fields: [{ field: 'reason' }] });
      expect(await state(p.id)).toEqual(before);
      const res = await t
        .http()
        .post(`${API}/packets/${p.id}/release`)
        .set(bob.auth)
        .send({ reason: 'Past the SLA; Alice is on leave.' })
        .expect(200);
      expect(res.body).toMatchObject({ status: 'PENDING', review: { claimedBy: null }, sla: { breached: true } });
      expect((await eventsOf(res))[0]).toMatchObject({
        action: 'packet.released',
        actor_id: bob.id,
        details: expect.objectContaining({
          basis: 'SLA_BREACHED',
          reason: 'Past the SLA; Alice is on leave.',
          claimant: { id: alice.id, displayName: expect.any(String) },
        }),
      });
    });

    it('a colleague releases the claim of a claimant who is no longer active (basis CLAIMANT_INACTIVE)', async () => {
      const gone = await t.given.prosecutor('CCSAO');
      const p = await claimed(gone);
      await t.owner.query(
        `UPDATE users SET active = false, deactivation_reason = 'Left the office.', deactivated_at = now() WHERE id = $1`,
        [gone.id],
      );
      const res = await t
        .http()
        .post(`${API}/packets/${p.id}/release`)
        .set(bob.auth)
        .send({ reason: 'Claimant left the office.' })
        .expect(200);
      expect((await eventsOf(res))[0].details).toMatchObject({ basis: 'CLAIMANT_INACTIVE', claimant: { id: gone.id } });
    });

    it('refuses a packet no one claimed (409 PACKET.NOT_CLAIMED), a decided one (409 PACKET.ALREADY_DECIDED) and another office (404)', async () => {
      const pending = await packet();
      const r1 = await t.http().post(`${API}/packets/${pending.id}/release`).set(alice.auth).send({}).expect(409);
      expect(r1.body).toMatchObject({ code: 'PACKET.NOT_CLAIMED', currentState: 'PENDING' });
      const done = await decided(alice);
      const before = await state(done.id);
      const r2 = await t.http().post(`${API}/packets/${done.id}/release`).set(alice.auth).send({}).expect(409);
      expect(r2.body).toMatchObject({
        code: 'PACKET.ALREADY_DECIDED',
        currentState: 'DECIDED',
        decision: 'CHARGES_FILED',
      });
      expect(await state(done.id)).toEqual(before);
      expect((await eventsOf(r2)).map((e) => [e.action, e.outcome])).toEqual([['packet.release', 'FAILED']]);
      const mine = await claimed(alice);
      const r3 = await t
        .http()
        .post(`${API}/packets/${mine.id}/release`)
        .set(cityLaw.auth)
        .send({ reason: 'x' })
        .expect(404);
      expect(r3.body.code).toBe('RESOURCE.NOT_FOUND');
      expect((await eventsOf(r3)).map((e) => [e.action, e.outcome, e.case_id])).toEqual([
        ['access.denied', 'DENIED', mine.caseId],
      ]);
      expect((await state(mine.id)).packet).toMatchObject({ status: 'IN_REVIEW', claimed_by: alice.id });
    });

    it('the database refuses a review going anywhere but forward, release and hand-over (trigger), even for the owner', async () => {
      const done = await decided(alice);
      await expect(
        t.owner.query(`UPDATE packets SET status = 'PENDING', claimed_by = NULL, claimed_at = NULL WHERE id = $1`, [
          done.id,
        ]),
      ).rejects.toThrow(/review moves forward only/);
      const p = await claimed(alice);
      await expect(
        t.owner.query(`UPDATE packets SET claimed_by = $2, claimed_at = claimed_at - interval '1 hour' WHERE id = $1`, [
          p.id,
          bob.id,
        ]),
      ).rejects.toThrow(/review moves forward only/);
      await expect(
        t.owner.query(`UPDATE packets SET status = 'PENDING', claimed_at = NULL WHERE id = $1`, [p.id]),
      ).rejects.toThrow(/review moves forward only/);
      // A release must move the case back with it (deferred check at commit): the packet alone does not commit.
      await expect(
        t.owner.query(`UPDATE packets SET status = 'PENDING', claimed_at = NULL, claimed_by = NULL WHERE id = $1`, [
          p.id,
        ]),
      ).rejects.toThrow(/a claim and its release move the case with it/);
      expect((await state(p.id)).packet).toMatchObject({ status: 'IN_REVIEW', claimed_by: alice.id });
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('hand-over', () => {
    it('the claimant hands the packet to a colleague with a reason: it is theirs to decide, audited from/to; the case stays IN_REVIEW', async () => {
      const p = await claimed(alice);
      const before = await state(p.id);
      const res = await t
        .http()
        .post(`${API}/packets/${p.id}/hand-over`)
        .set(alice.auth)
        .send({ toUserId: bob.id, reason: 'Bob handles Border Patrol matters.' })
        .expect(200);
      expect(res.body).toMatchObject({
        id: p.id,
        status: 'IN_REVIEW',
        review: { claimedBy: bob.id, claimedByName: expect.any(String) },
      });
      const after = await state(p.id);
      expect(after.packet).toMatchObject({ status: 'IN_REVIEW', claimed_by: bob.id });
      expect(after.packet.claimed_at.getTime()).toBeGreaterThanOrEqual(before.packet.claimed_at.getTime());
      expect(after.case).toEqual(before.case);
      const events = await eventsOf(res);
      expect(events.map((e) => [e.action, e.outcome, e.actor_id, e.target_id, e.case_id])).toEqual([
        ['packet.handed_over', 'SUCCESS', alice.id, p.id, p.caseId],
      ]);
      expect(events[0].details).toMatchObject({
        reason: 'Bob handles Border Patrol matters.',
        from: { id: alice.id },
        to: { id: bob.id },
        previousClaimedAt: before.packet.claimed_at.toISOString(),
      });
      // Bob sees it as his; Alice may no longer decide, Bob may.
      const queue = await t.http().get(`${API}/review-queue?status=IN_REVIEW&pageSize=100`).set(bob.auth).expect(200);
      expect((queue.body.items as any[]).find((i) => i.id === p.id)).toMatchObject({ review: { claimedBy: bob.id } });
      await t
        .http()
        .post(`${API}/packets/${p.id}/decision`)
        .set(alice.auth)
        .send({ decision: 'DECLINED', reason: 'no' })
        .expect(403);
      const d = await t
        .http()
        .post(`${API}/packets/${p.id}/decision`)
        .set(bob.auth)
        .send({ decision: 'DECLINED', reason: 'Insufficient evidence.' })
        .expect(200);
      expect(d.body.review).toMatchObject({ claimedBy: bob.id, decidedBy: bob.id, decision: 'DECLINED' });
      // The case's timeline says it in words.
      const timeline = await t.http().get(`${API}/cases/${p.caseId}/timeline`).set(officer.auth).expect(200);
      expect(JSON.stringify(timeline.body)).toMatch(
        /Packet handed over by [^"]+ to [^"]+: Bob handles Border Patrol matters\./,
      );
    });

    it.each([
      ['a prosecutor of another office', 'other', 422, 'PACKET.HAND_OVER_TARGET_INVALID'],
      ['an inactive prosecutor of the office', 'inactive', 422, 'PACKET.HAND_OVER_TARGET_INVALID'],
      ['an officer', 'officer', 422, 'PACKET.HAND_OVER_TARGET_INVALID'],
      ['no such user', 'nobody', 422, 'PACKET.HAND_OVER_TARGET_INVALID'],
      ['oneself', 'self', 422, 'PACKET.HAND_OVER_TARGET_INVALID'],
    ])('refuses a hand-over to %s (toUserId %s: %i %s), nothing changed', async (_what, who, status, code) => {
      const p = await claimed(alice);
      let toUserId: string;
      if (who === 'other') toUserId = cityLaw.id;
      else if (who === 'officer') toUserId = officer.id;
      else if (who === 'nobody') toUserId = '00000000-0000-4000-8000-000000000000';
      else if (who === 'self') toUserId = alice.id;
      else {
        const u = await t.given.prosecutor('CCSAO');
        await t.owner.query(
          `UPDATE users SET active = false, deactivation_reason = 'Left the office.', deactivated_at = now() WHERE id = $1`,
          [u.id],
        );
        toUserId = u.id;
      }
      const before = await state(p.id);
      const res = await t
        .http()
        .post(`${API}/packets/${p.id}/hand-over`)
        .set(alice.auth)
        .send({ toUserId, reason: 'Reassigning.' })
        .expect(status);
      expect(res.body).toMatchObject({ code, fields: [{ field: 'toUserId' }] });
      expect(await state(p.id)).toEqual(before);
      expect((await eventsOf(res)).map((e) => [e.action, e.outcome, e.actor_id])).toEqual([
        ['packet.hand_over', 'FAILED', alice.id],
      ]);
    });

    it('refuses a colleague who is not the claimant (403 PACKET.NOT_CLAIMANT, denied), a missing reason (400) and a decided packet (409)', async () => {
      const p = await claimed(alice);
      const before = await state(p.id);
      const r1 = await t
        .http()
        .post(`${API}/packets/${p.id}/hand-over`)
        .set(bob.auth)
        .send({ toUserId: bob.id, reason: 'Mine now.' })
        .expect(403);
      expect(r1.body).toMatchObject({ code: 'PACKET.NOT_CLAIMANT', claimedBy: alice.id });
      expect((await eventsOf(r1)).map((e) => [e.action, e.outcome])).toEqual([['access.denied', 'DENIED']]);
      const r2 = await t
        .http()
        .post(`${API}/packets/${p.id}/hand-over`)
        .set(alice.auth)
        .send({ toUserId: bob.id })
        .expect(400);
      expect(r2.body).toMatchObject({ code: 'VALIDATION.FAILED', fields: [{ field: 'reason' }] });
      expect(await state(p.id)).toEqual(before);
      const done = await decided(alice);
      const r3 = await t
        .http()
        .post(`${API}/packets/${done.id}/hand-over`)
        .set(alice.auth)
        .send({ toUserId: bob.id, reason: 'Late.' })
        .expect(409);
      expect(r3.body).toMatchObject({ code: 'PACKET.ALREADY_DECIDED', currentState: 'DECIDED' });
    });

    it("GET /office/colleagues lists the other active prosecutors of the caller's office only", async () => {
      const gone = await t.given.prosecutor('CCSAO');
      await t.owner.query(
        `UPDATE users SET active = false, deactivation_reason = 'Left the office.', deactivated_at = now() WHERE id = $1`,
        [gone.id],
      );
      const res = await t.http().get(`${API}/office/colleagues`).set(alice.auth).expect(200);
      expect(res.body.office).toBe('CCSAO');
      const ids = (res.body.items as { id: string }[]).map((i) => i.id);
      expect(ids).toEqual(expect.arrayContaining([bob.id, carol.id]));
      expect(ids).not.toContain(alice.id);
      expect(ids).not.toContain(gone.id);
      expect(ids).not.toContain(cityLaw.id);
      expect(res.body.items[0]).toEqual({ id: expect.any(String), displayName: expect.any(String), badgeNumber: null });
      const other = await t.http().get(`${API}/office/colleagues`).set(cityLaw.auth).expect(200);
      expect((other.body.items as { id: string }[]).map((i) => i.id)).not.toContain(bob.id);
      await t.http().get(`${API}/office/colleagues`).set(officer.auth).expect(403);
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('concurrency: one outcome', () => {
    it('a release racing the decision: exactly one wins, the state and the audit trail say which', async () => {
      for (let round = 0; round < 4; round++) {
        const p = await claimed(alice);
        const [rel, dec] = await Promise.all([
          t.http().post(`${API}/packets/${p.id}/release`).set(alice.auth).send({ reason: 'Releasing.' }),
          t
            .http()
            .post(`${API}/packets/${p.id}/decision`)
            .set(alice.auth)
            .send({ decision: 'DECLINED', reason: 'Declined.' }),
        ]);
        const s = await state(p.id);
        const events = (await auditRows(t.owner, 'target_id = $1 AND outcome = $2', [p.id, 'SUCCESS']))
          .map((e) => e.action)
          .filter((a) => a === 'packet.released' || a === 'packet.decided');
        if (rel.status === 200) {
          // Released first: the decision found a PENDING packet.
          expect(dec.status).toBe(409);
          expect(s.packet).toMatchObject({ status: 'PENDING', claimed_by: null, decision: null });
          expect(s.case.status).toBe('REFERRED');
          expect(events).toEqual(['packet.released']);
        } else {
          expect([rel.status, rel.body.code, dec.status]).toEqual([409, 'PACKET.ALREADY_DECIDED', 200]);
          expect(s.packet).toMatchObject({ status: 'DECIDED', claimed_by: alice.id, decision: 'DECLINED' });
          expect(s.case.status).toBe('CLOSED');
          expect(events).toEqual(['packet.decided']);
        }
      }
    });

    it('a release racing a second claim and a hand-over: the packet ends in one consistent state, in the order the audit trail records', async () => {
      for (let round = 0; round < 4; round++) {
        const p = await claimed(alice);
        const [rel, claim, hand] = await Promise.all([
          t.http().post(`${API}/packets/${p.id}/release`).set(alice.auth).send({}),
          t.http().post(`${API}/packets/${p.id}/claim`).set(bob.auth).send({}),
          t
            .http()
            .post(`${API}/packets/${p.id}/hand-over`)
            .set(alice.auth)
            .send({ toUserId: carol.id, reason: 'Carol takes it.' }),
        ]);
        const s = await state(p.id);
        const events = (
          await auditRows(t.owner, 'target_id = $1 AND outcome = $2 AND action LIKE $3', [p.id, 'SUCCESS', 'packet.%'])
        )
          .map((e) => e.action)
          .filter((a) => a !== 'packet.sent');
        // Replay the recorded order on the state machine: it must give the final state, and each response must match.
        let holder: string | null = alice.id;
        for (const a of events.slice(1)) {
          if (a === 'packet.released') holder = null;
          else if (a === 'packet.claimed') holder = bob.id;
          else if (a === 'packet.handed_over') holder = carol.id;
        }
        expect(events[0]).toBe('packet.claimed');
        expect(s.packet.claimed_by).toBe(holder);
        expect(s.packet.status).toBe(holder ? 'IN_REVIEW' : 'PENDING');
        expect(s.case.status).toBe(holder ? 'IN_REVIEW' : 'REFERRED');
        expect(events.filter((a) => a === 'packet.released').length).toBe(rel.status === 200 ? 1 : 0);
        expect(events.filter((a) => a === 'packet.handed_over').length).toBe(hand.status === 200 ? 1 : 0);
        expect(events.filter((a) => a === 'packet.claimed').length).toBe(claim.status === 200 ? 2 : 1);
        for (const r of [rel, claim, hand]) expect([200, 403, 409]).toContain(r.status);
        // A second claim succeeds only after a release.
        if (claim.status === 200) expect(rel.status).toBe(200);
      }
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe("correcting a decision's external reference", () => {
    it('the decider appends a correction: the decision and the signed manifest stay as they were; shown beside it; audited', async () => {
      const p = await decided(alice, '2026-CR-0012345');
      const before = await state(p.id);
      const manifestBefore = await t.http().get(`${API}/packets/${p.id}/manifest`).set(alice.auth).expect(200);
      const res = await t
        .http()
        .post(`${API}/packets/${p.id}/reference-corrections`)
        .set(alice.auth)
        .send({ externalReference: '2026-CR-0012346', reason: 'Typo: the clerk assigned ...346.' })
        .expect(201);
      expect(res.body.review).toMatchObject({
        decision: 'CHARGES_FILED',
        externalReference: '2026-CR-0012345',
        currentExternalReference: '2026-CR-0012346',
        referenceCorrections: [
          {
            seq: 1,
            previousReference: '2026-CR-0012345',
            externalReference: '2026-CR-0012346',
            reason: 'Typo: the clerk assigned ...346.',
            correctedBy: alice.id,
            correctedByName: expect.any(String),
            correctedAt: expect.any(String),
          },
        ],
      });
      const after = await state(p.id);
      expect(after.packet).toEqual(before.packet); // decision, reference as decided, manifest, hash and signature untouched
      expect(after.case).toEqual(before.case);
      expect(after.corrections).toMatchObject([
        {
          seq: 1,
          previous_reference: '2026-CR-0012345',
          external_reference: '2026-CR-0012346',
          corrected_by: alice.id,
        },
      ]);
      const manifestAfter = await t.http().get(`${API}/packets/${p.id}/manifest`).set(alice.auth).expect(200);
      expect(manifestAfter.body).toEqual(manifestBefore.body);
      const events = await eventsOf(res);
      expect(events.map((e) => [e.action, e.outcome, e.actor_id, e.target_id, e.case_id])).toEqual([
        ['packet.reference_corrected', 'SUCCESS', alice.id, p.id, p.caseId],
      ]);
      expect(events[0].details).toMatchObject({
        seq: 1,
        basis: 'DECIDER',
        referenceAsDecided: '2026-CR-0012345',
        previousReference: '2026-CR-0012345',
        externalReference: '2026-CR-0012346',
        reason: 'Typo: the clerk assigned ...346.',
        decision: 'CHARGES_FILED',
      });
      // Shown to the case side too (GET /packets/:id for the officer), and a second correction removes it.
      const second = await t
        .http()
        .post(`${API}/packets/${p.id}/reference-corrections`)
        .set(alice.auth)
        .send({ externalReference: null, reason: 'The case number was vacated; none yet.' })
        .expect(201);
      expect(second.body.review).toMatchObject({
        externalReference: '2026-CR-0012345',
        currentExternalReference: null,
      });
      expect(
        second.body.review.referenceCorrections.map((c: any) => [c.seq, c.previousReference, c.externalReference]),
      ).toEqual([
        [1, '2026-CR-0012345', '2026-CR-0012346'],
        [2, '2026-CR-0012346', null],
      ]);
      const officerView = await t.http().get(`${API}/packets/${p.id}`).set(officer.auth).expect(200);
      expect(officerView.body.review.referenceCorrections).toHaveLength(2);
      // Append-only in the database, for the owner too.
      await expect(
        t.owner.query(`UPDATE packet_reference_corrections SET external_reference = 'X' WHERE packet_id = $1`, [p.id]),
      ).rejects.toThrow(/never changed or deleted/);
      await expect(
        t.owner.query(`DELETE FROM packet_reference_corrections WHERE packet_id = $1`, [p.id]),
      ).rejects.toThrow(/never changed or deleted/);
    });

    it('refuses: the same reference (400 naming it), another prosecutor (403 PACKET.NOT_DECIDER), an undecided packet (409), another office (404), a blank reason (400)', async () => {
      const p = await decided(alice, 'REF-1');
      const before = await state(p.id);
      const same = await t
        .http()
        .post(`${API}/packets/${p.id}/reference-corrections`)
        .set(alice.auth)
        .send({ externalReference: 'REF-1', reason: 'Same.' })
        .expect(400);
      expect(same.body).toMatchObject({ code: 'VALIDATION.FAILED', fields: [{ field: 'externalReference' }] });
      const other = await t
        .http()
        .post(`${API}/packets/${p.id}/reference-corrections`)
        .set(bob.auth)
        .send({ externalReference: 'REF-2', reason: 'Mine.' })
        .expect(403);
      expect(other.body).toMatchObject({ code: 'PACKET.NOT_DECIDER', decidedBy: alice.id });
      expect((await eventsOf(other)).map((e) => [e.action, e.outcome, e.case_id])).toEqual([
        ['access.denied', 'DENIED', p.caseId],
      ]);
      const office = await t
        .http()
        .post(`${API}/packets/${p.id}/reference-corrections`)
        .set(cityLaw.auth)
        .send({ externalReference: 'REF-2', reason: 'x' })
        .expect(404);
      expect(office.body.code).toBe('RESOURCE.NOT_FOUND');
      const blank = await t
        .http()
        .post(`${API}/packets/${p.id}/reference-corrections`)
        .set(alice.auth)
        .send({ externalReference: 'REF-2', reason: '  ' })
        .expect(400);
      expect(blank.body.fields).toEqual([expect.objectContaining({ field: 'reason' })]);
      const missing = await t
        .http()
        .post(`${API}/packets/${p.id}/reference-corrections`)
        .set(alice.auth)
        .send({ reason: 'No reference field.' })
        .expect(400);
      expect(missing.body.fields).toEqual([expect.objectContaining({ field: 'externalReference' })]);
      expect(await state(p.id)).toEqual(before);
      const open = await claimed(alice);
      const r = await t
        .http()
        .post(`${API}/packets/${open.id}/reference-corrections`)
        .set(alice.auth)
        .send({ externalReference: 'REF-2', reason: 'Early.' })
        .expect(409);
      expect(r.body).toMatchObject({ code: 'PACKET.NOT_DECIDED', currentState: 'IN_REVIEW' });
      expect((await state(open.id)).corrections).toEqual([]);
    });

    it('when the decider is no longer an active prosecutor of the office, a colleague corrects (basis DECIDER_INACTIVE)', async () => {
      const gone = await t.given.prosecutor('CCSAO');
      const p = await decided(gone, 'OLD-REF');
      await t.owner.query(
        `UPDATE users SET active = false, deactivation_reason = 'Left the office.', deactivated_at = now() WHERE id = $1`,
        [gone.id],
      );
      const res = await t
        .http()
        .post(`${API}/packets/${p.id}/reference-corrections`)
        .set(bob.auth)
        .send({ externalReference: 'NEW-REF', reason: 'Court renumbered.' })
        .expect(201);
      expect((await eventsOf(res))[0].details).toMatchObject({ basis: 'DECIDER_INACTIVE', decidedBy: gone.id });
    });
  });
});
