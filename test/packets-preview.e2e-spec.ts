/**
 * GET /cases/:id/packet-preview (issue 16): before the irreversible send, a supervisor sees exactly what the send
 * would freeze, sign and send (the evidence with its stored size and SHA-256, the office), and nothing changes.
 * The preview is a read, audited as packet.previewed; refusals are audited like every other.
 */
import { randomBytes } from 'node:crypto';
import { auditRows, createTestApp, SUBMIT_BODY, TestApp, TestUser } from './harness/test-app';

const API = '/api/v1';
const FELONY = {
  violations: [{ citation: '720 ILCS 5/10-3', description: 'Unlawful restraint of a bystander', felony: true }],
};

describe('packet preview before sending', () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  let otherSupervisor: TestUser;
  let auditor: TestUser;
  let keyId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const g = t.given;
    [officer, supervisor, otherSupervisor, auditor] = await Promise.all([
      g.officer(4),
      g.supervisor(4),
      g.supervisor(9),
      g.auditor(),
    ]);
    keyId = (await t.http().get(`${API}/keys`).expect(200)).body.keys[0].id;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A felony case with two evidence files and a superseded third, submitted and approved. */
  async function approvedFelonyCase() {
    const c = await t.given.caseReadyToSubmit(officer);
    await t
      .http()
      .put(`${API}/cases/${c.id}/violations`)
      .set(officer.auth)
      .set('If-Match', `"${c.version}"`)
      .send(FELONY)
      .expect(200);
    const a = await t.given.evidence(officer, c.id, randomBytes(3000));
    const mistaken = await t.given.evidence(officer, c.id, randomBytes(100));
    const b = await t.given.evidence(officer, c.id, randomBytes(5000), 'kind=PHOTO');
    await t
      .http()
      .post(`${API}/evidence/${mistaken.id}/supersede`)
      .set(officer.auth)
      .send({ reason: 'Wrong clip' })
      .expect(200);
    await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(200);
    const approved = await t.http().post(`${API}/cases/${c.id}/approve`).set(supervisor.auth).send({}).expect(200);
    return {
      id: c.id as string,
      caseNumber: c.caseNumber as string,
      version: approved.body.version as number,
      evidence: [a, b],
      mistaken,
    };
  }

  const state = async (caseId: string) => ({
    case: (await t.owner.query(`SELECT status, version FROM cases WHERE id = $1`, [caseId])).rows[0],
    packets: (await t.owner.query(`SELECT count(*)::int AS n FROM packets WHERE case_id = $1`, [caseId])).rows[0].n,
    sent: (
      await t.owner.query(`SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1 AND action = 'packet.sent'`, [
        caseId,
      ])
    ).rows[0].n,
    disclosures: (
      await t.owner.query(
        `SELECT count(*)::int AS n FROM evidence_disclosures d JOIN evidence e ON e.id = d.evidence_id WHERE e.case_id = $1`,
        [caseId],
      )
    ).rows[0].n,
  });

  it('shows what the send would freeze and sign (stored sizes and SHA-256, office, version), changes nothing, and is audited as a read', async () => {
    const c = await approvedFelonyCase();
    const before = await state(c.id);
    const res = await t.http().get(`${API}/cases/${c.id}/packet-preview`).set(supervisor.auth);
    expect(res.status).toBe(200);
    const { rows: stored } = await t.owner.query(
      `SELECT id, sha256, size_bytes::int AS size, kind FROM evidence WHERE case_id = $1 AND status = 'ACTIVE' ORDER BY uploaded_at, id`,
      [c.id],
    );
    expect(stored.map((r) => r.id)).toEqual(c.evidence.map((e) => e.id));
    expect(res.body).toEqual({
      caseId: c.id,
      caseNumber: c.caseNumber,
      caseVersion: c.version,
      packetVersion: 1,
      previousPacket: null,
      office: 'CCSAO',
      suggestedOffice: 'CCSAO',
      felony: true,
      federalOfficerCount: expect.any(Number),
      violationCount: 1,
      evidence: stored.map((r) =>
        expect.objectContaining({ id: r.id, sha256: r.sha256, sizeBytes: r.size, kind: r.kind, integrityStatus: 'OK' }),
      ),
      evidenceBytes: 8000,
      caseReportIncluded: true,
      signingKeyId: keyId,
    });
    expect(res.body.evidence.map((e: { id: string }) => e.id)).not.toContain(c.mistaken.id);
    expect(await state(c.id)).toEqual(before);
    expect(before).toMatchObject({ case: { status: 'APPROVED', version: c.version }, packets: 0, sent: 0 });

    const [ev] = await auditRows(t.owner, 'request_id = $1', [res.headers['x-request-id']]);
    expect(ev).toMatchObject({
      action: 'packet.previewed',
      outcome: 'SUCCESS',
      actor_id: supervisor.id,
      actor_role: 'SUPERVISOR',
      case_id: c.id,
      target_type: 'case',
      target_id: c.id,
    });
    expect(ev.details).toMatchObject({
      caseNumber: c.caseNumber,
      office: 'CCSAO',
      officeChosen: 'default',
      packetVersion: 1,
      evidenceCount: 2,
      evidenceIds: c.evidence.map((e) => e.id),
    });

    // Another office, chosen: previewed as chosen. Then the send of the version previewed lists exactly the previewed items.
    const other = await t
      .http()
      .get(`${API}/cases/${c.id}/packet-preview?office=CITY_LAW`)
      .set(supervisor.auth)
      .expect(200);
    expect(other.body).toMatchObject({ office: 'CITY_LAW', suggestedOffice: 'CCSAO' });
    const sent = await t
      .http()
      .post(`${API}/cases/${c.id}/packets`)
      .set(supervisor.auth)
      .send({ office: 'CITY_LAW', version: other.body.caseVersion })
      .expect(201);
    const manifest = await t.http().get(`${API}/packets/${sent.body.id}/manifest`).set(supervisor.auth).expect(200);
    expect(
      manifest.body.manifest.evidence.map((e: { id: string; sha256: string; sizeBytes: number }) => [
        e.id,
        e.sha256,
        e.sizeBytes,
      ]),
    ).toEqual(
      other.body.evidence.map((e: { id: string; sha256: string; sizeBytes: number }) => [e.id, e.sha256, e.sizeBytes]),
    );
    expect(manifest.body.manifest).toMatchObject({
      office: 'CITY_LAW',
      version: other.body.packetVersion,
      signing: { keyId: other.body.signingKeyId },
    });

    // Sent: nothing more to preview (the send's own rule: 409 naming the state).
    const again = await t.http().get(`${API}/cases/${c.id}/packet-preview`).set(supervisor.auth);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'CASE.INVALID_TRANSITION', currentState: 'REFERRED' });
  });

  it('refuses a case that is not approved (409 with its state) and an unknown office (400 naming it), changing nothing', async () => {
    const submitted = await t.given.submittedCase(officer);
    const res = await t.http().get(`${API}/cases/${submitted.id}/packet-preview`).set(supervisor.auth);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'CASE.INVALID_TRANSITION', currentState: 'SUBMITTED' });

    const c = await approvedFelonyCase();
    const before = await state(c.id);
    const bad = await t.http().get(`${API}/cases/${c.id}/packet-preview?office=FBI`).set(supervisor.auth);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('office');
    expect(await state(c.id)).toEqual(before);
    const previews = await auditRows(t.owner, `case_id = $1 AND action = 'packet.previewed'`, [c.id]);
    expect(previews).toEqual([]);
  });

  it('officers and auditors are refused by role (403), a supervisor of another district by scope (404): each audited as access.denied', async () => {
    const c = await approvedFelonyCase();
    for (const [who, status] of [
      [officer, 403],
      [auditor, 403],
      [otherSupervisor, 404],
    ] as const) {
      const res = await t.http().get(`${API}/cases/${c.id}/packet-preview`).set(who.auth);
      expect(res.status).toBe(status);
      expect(res.body).not.toHaveProperty('evidence');
      const [ev] = await auditRows(t.owner, 'request_id = $1', [res.body.requestId]);
      expect(ev).toMatchObject({ action: 'access.denied', outcome: 'DENIED', actor_id: who.id, actor_role: who.role });
      expect(ev.details).toMatchObject({ status });
      if (status === 404) expect(ev).toMatchObject({ case_id: c.id, target_type: 'case' });
    }
    expect(await auditRows(t.owner, `case_id = $1 AND action = 'packet.previewed'`, [c.id])).toEqual([]);
    expect((await state(c.id)).case.status).toBe('APPROVED');
  });
});
