import { createHash, randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { until } from './harness/raw-http';
import { auditRows, createTestApp, startApiProcess, TestApp, TestUser } from './harness/test-app';
import { unzip } from './harness/zip';

const API = '/api/v1';
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function binary(res: Response, cb: (err: Error | null, body: any) => void): void {
  const chunks: Buffer[] = [];
  (res as any).on('data', (c: Buffer) => chunks.push(c));
  (res as any).on('end', () => cb(null, Buffer.concat(chunks)));
  (res as any).on('error', (e: Error) => cb(e, Buffer.alloc(0)));
}

/** An MPEG-4 file head (sniffed as video/mp4) followed by random bytes. */
function mp4(size: number): Buffer {
  const head = Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from('ftypisom'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2'),
  ]);
  return Buffer.concat([head, randomBytes(size - head.length)]);
}

const TICKET = /^iontk_[A-Za-z0-9_-]{43}$/;

describe('download and playback tickets (issue 18 §3, §4)', () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  let ccsao: TestUser;
  let cityLaw: TestUser;
  let auditor: TestUser;
  let admin: TestUser;
  let otherOfficer: TestUser;
  const video = mp4(300_000);
  const unknown = randomBytes(50_000); // not recognised: application/octet-stream
  const pdf = Buffer.from('%PDF-1.7\n' + 'statement of witness\n'.repeat(200));
  let caseId: string;
  let caseNumber: string;
  let videoId: string;
  let unknownId: string;
  let pdfId: string;
  let packetId: string;

  const issue = (who: TestUser, evidenceId: string, purpose: string) =>
    t.http().post(`${API}/evidence/${evidenceId}/tickets`).set(who.auth).send({ purpose });
  const fetchTicket = (url: string, headers: Record<string, string> = {}) =>
    t.http().get(url).set(headers).buffer(true).parse(binary);
  const events = (where: string, params: unknown[]) => auditRows(t.owner, where, params);

  beforeAll(async () => {
    t = await createTestApp();
    [officer, supervisor, ccsao, cityLaw, auditor, admin, otherOfficer] = await Promise.all([
      t.given.officer(),
      t.given.supervisor(),
      t.given.prosecutor('CCSAO'),
      t.given.prosecutor('CITY_LAW'),
      t.given.auditor(),
      t.given.admin(),
      t.given.officer(),
    ]);
    const c = await t.given.caseReadyToSubmit(officer);
    caseId = c.id;
    caseNumber = c.caseNumber;
    videoId = (
      await t.given.evidence(
        officer,
        c.id,
        video,
        'kind=BWC&deviceId=AXON-1&originalFilename=' + encodeURIComponent('Shift 3 – camera.MP4'),
      )
    ).id;
    unknownId = (
      await t.given.evidence(officer, c.id, unknown, 'kind=BWC&deviceId=AXON-2&originalFilename=bodycam-0412.MTS')
    ).id;
    pdfId = (await t.given.evidence(officer, c.id, pdf, 'kind=DOCUMENT&originalFilename=statement.pdf')).id;
    await t.given.submit(officer, c.id);
    await t.given.approve(supervisor, c.id);
    packetId = (await t.given.sendPacket(supervisor, c.id, 'CCSAO')).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('issue and serve, per role and target', () => {
    it('the officer plays their own footage: inline, no bearer, one viewed event; the ticket is stored as a hash only', async () => {
      const res = await issue(officer, videoId, 'PLAYBACK').set('X-Request-Id', `issue-${videoId}`).expect(201);
      expect(res.body).toEqual({
        ticket: expect.stringMatching(TICKET),
        url: `${API}/tickets/${res.body.ticket}`,
        purpose: 'PLAYBACK',
        expiresAt: expect.any(String),
      });
      const ttl = Date.parse(res.body.expiresAt) - Date.now();
      expect(ttl).toBeGreaterThan(240_000);
      expect(ttl).toBeLessThanOrEqual(300_000);
      const {
        rows: [row],
      } = await t.owner.query(`SELECT * FROM access_tickets WHERE token_sha256 = $1`, [sha256(res.body.ticket)]);
      expect(row).toMatchObject({
        user_id: officer.id,
        user_role: 'OFFICER',
        target_type: 'evidence',
        target_id: videoId,
        purpose: 'PLAYBACK',
        first_used_at: null,
      });
      expect(JSON.stringify(row)).not.toContain(res.body.ticket);
      const [issued] = await events(`request_id = $1`, [`issue-${videoId}`]);
      expect(issued).toMatchObject({
        action: 'ticket.issued',
        actor_id: officer.id,
        target_type: 'evidence',
        target_id: videoId,
        case_id: caseId,
      });
      expect(issued.details).toMatchObject({
        ticketId: row.id,
        purpose: 'PLAYBACK',
        ticketRef: sha256(res.body.ticket).slice(0, 12),
      });

      const got = await fetchTicket(res.body.url).set('X-Request-Id', `play-${row.id}`).expect(200);
      expect(got.body.equals(video)).toBe(true);
      expect(got.headers).toMatchObject({
        'content-type': 'video/mp4',
        'cache-control': 'no-store',
        'accept-ranges': 'bytes',
        'content-length': String(video.length),
        'x-evidence-sha256': sha256(video),
      });
      expect(got.headers['content-disposition']).toMatch(
        /^inline; filename="Shift 3 _ camera.MP4"; filename\*=UTF-8''Shift%203%20%E2%80%93%20camera.MP4$/,
      );
      const viewed = await events(`request_id = $1`, [`play-${row.id}`]);
      expect(viewed.map((e) => [e.action, e.outcome, e.actor_id, e.target_id])).toEqual([
        ['evidence.viewed', 'SUCCESS', officer.id, videoId],
      ]);
      expect(viewed[0].details).toMatchObject({
        via: 'ticket',
        ticketId: row.id,
        purpose: 'PLAYBACK',
        sha256: sha256(video),
        range: null,
      });
    });

    it('the supervisor downloads a file of the district: attachment with the original filename, evidence.downloaded as today', async () => {
      const { body } = await issue(supervisor, pdfId, 'DOWNLOAD').expect(201);
      const got = await fetchTicket(body.url).set('X-Request-Id', `dl-${pdfId}`).expect(200);
      expect(got.body.equals(pdf)).toBe(true);
      expect(got.headers['content-type']).toBe('application/pdf');
      expect(got.headers['content-disposition']).toBe(
        `attachment; filename="statement.pdf"; filename*=UTF-8''statement.pdf`,
      );
      const rows = await events(`request_id = $1`, [`dl-${pdfId}`]);
      expect(rows.map((e) => [e.action, e.outcome, e.actor_id, e.actor_role, e.target_id])).toEqual([
        ['evidence.downloaded', 'SUCCESS', supervisor.id, 'SUPERVISOR', pdfId],
      ]);
      expect(rows[0].details).toMatchObject({
        sha256: sha256(pdf),
        sizeBytes: pdf.length,
        range: null,
        via: 'ticket',
        purpose: 'DOWNLOAD',
      });
    });

    it('the prosecutor plays footage disclosed to their office; another office is refused (404, audited)', async () => {
      const { body } = await issue(ccsao, videoId, 'PLAYBACK').expect(201);
      const got = await fetchTicket(body.url).set('Range', 'bytes=0-99').expect(206);
      expect(got.body.equals(video.subarray(0, 100))).toBe(true);

      const refused = await issue(cityLaw, videoId, 'PLAYBACK')
        .set('X-Request-Id', `other-office-${videoId}`)
        .expect(404);
      expect(refused.body.code).toBe('RESOURCE.NOT_FOUND');
      const [ev] = await events(`request_id = $1`, [`other-office-${videoId}`]);
      expect(ev).toMatchObject({
        action: 'access.denied',
        outcome: 'DENIED',
        actor_id: cityLaw.id,
        target_id: videoId,
      });
    });

    it('auditors (and admins) never receive footage: refused, audited, no ticket made', async () => {
      const before = (await t.owner.query(`SELECT count(*)::int AS n FROM access_tickets`)).rows[0].n;
      for (const [who, purpose] of [
        [auditor, 'PLAYBACK'],
        [auditor, 'DOWNLOAD'],
        [admin, 'PLAYBACK'],
      ] as const) {
        const requestId = `no-footage-${who.id}-${purpose}`;
        const res = await issue(who, videoId, purpose).set('X-Request-Id', requestId).expect(403);
        expect(res.body.code).toBe('AUTH.FORBIDDEN');
        const [ev] = await events(`request_id = $1`, [requestId]);
        expect(ev).toMatchObject({
          action: 'access.denied',
          outcome: 'DENIED',
          actor_id: who.id,
          target_type: 'evidence',
          target_id: videoId,
        });
        expect(ev.details).toMatchObject({ attempted: 'evidence.download', status: 403 });
      }
      expect((await t.owner.query(`SELECT count(*)::int AS n FROM access_tickets`)).rows[0].n).toBe(before);
    });

    it("the packet's archive downloads through a ticket, audited as today's archive; entries keep their real extension", async () => {
      const res = await t
        .http()
        .post(`${API}/packets/${packetId}/archive/tickets`)
        .set(ccsao.auth)
        .send({})
        .expect(201);
      expect(res.body).toMatchObject({ ticket: expect.stringMatching(TICKET), purpose: 'DOWNLOAD' });
      const got = await fetchTicket(res.body.url).set('X-Request-Id', `archive-${packetId}`).expect(200);
      const root = `${caseNumber}-packet-v1`;
      expect(got.headers['content-type']).toBe('application/zip');
      expect(got.headers['content-disposition']).toBe(`attachment; filename="${root}.zip"`);
      const files = await unzip(got.body);
      const manifest = JSON.parse(files.get(`${root}/manifest.json`)!.toString('utf8'));
      expect(manifest.evidence.map((e: any) => [e.archivePath, e.originalFilename, e.contentType])).toEqual([
        [`evidence/01-${videoId}.mp4`, 'Shift 3 – camera.MP4', 'video/mp4'],
        // Bytes not recognised: the original name's (known, media) extension, lowercased.
        [`evidence/02-${unknownId}.mts`, 'bodycam-0412.MTS', 'application/octet-stream'],
        [`evidence/03-${pdfId}.pdf`, 'statement.pdf', 'application/pdf'],
      ]);
      expect(files.get(`${root}/evidence/01-${videoId}.mp4`)!.equals(video)).toBe(true);
      expect(files.get(`${root}/evidence/02-${unknownId}.mts`)!.equals(unknown)).toBe(true);
      const rows = await events(`request_id = $1`, [`archive-${packetId}`]);
      expect(rows.map((e) => [e.action, e.actor_id, e.target_id])).toEqual([
        ['packet.archive.downloaded', ccsao.id, packetId],
        ['evidence.downloaded', ccsao.id, videoId],
        ['evidence.downloaded', ccsao.id, unknownId],
        ['evidence.downloaded', ccsao.id, pdfId],
      ]);
      expect(rows[0].details).toMatchObject({ via: 'ticket', purpose: 'DOWNLOAD', filename: `${root}.zip` });
      expect(rows[1].details).toMatchObject({ via: 'packet-archive', packetId, ticketId: rows[0].details.ticketId });

      // The archive is only downloaded; the other office may not have one.
      const playback = await t
        .http()
        .post(`${API}/packets/${packetId}/archive/tickets`)
        .set(ccsao.auth)
        .send({ purpose: 'PLAYBACK' })
        .expect(400);
      expect(playback.body.fields.map((f: any) => f.field)).toEqual(['purpose']);
      await t.http().post(`${API}/packets/${packetId}/archive/tickets`).set(cityLaw.auth).send({}).expect(404);
      await t.http().post(`${API}/packets/${packetId}/archive/tickets`).set(auditor.auth).send({}).expect(403);
    });

    it('the audit export downloads through a ticket with the filters given at issue, audited as today', async () => {
      await t.http().post(`${API}/audit/export/tickets`).set(officer.auth).send({}).expect(403);
      const bad = await t
        .http()
        .post(`${API}/audit/export/tickets`)
        .set(auditor.auth)
        .send({ caseId: 'nope' })
        .expect(400);
      expect(bad.body.fields.map((f: any) => f.field)).toEqual(['caseId']);
      const res = await t
        .http()
        .post(`${API}/audit/export/tickets`)
        .set(auditor.auth)
        .send({ caseId, format: 'csv' })
        .expect(201);
      const got = await fetchTicket(res.body.url).set('X-Request-Id', `export-${caseId}`).expect(200);
      expect(got.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(got.headers['content-disposition']).toMatch(/^attachment; filename="ion-audit-.*\.csv"$/);
      const text = got.body.toString('utf8');
      expect(text).toContain('evidence.uploaded');
      expect(text).toContain(caseId);
      const [ev] = await events(`request_id = $1 AND action = 'audit.exported'`, [`export-${caseId}`]);
      expect(ev).toMatchObject({ actor_id: auditor.id, outcome: 'SUCCESS' });
      expect(ev.details).toMatchObject({
        format: 'csv',
        filters: { caseId },
        filtered: true,
        via: 'ticket',
        purpose: 'DOWNLOAD',
      });
    });
  });

  describe('evidence with Range', () => {
    it('answers a Range on a ticket with 206 and the exact bytes, and 416 outside the file', async () => {
      const { body } = await issue(officer, videoId, 'PLAYBACK').expect(201);
      const part = await fetchTicket(body.url).set('Range', 'bytes=1000-1999').expect(206);
      expect(part.body.equals(video.subarray(1000, 2000))).toBe(true);
      expect(part.headers['content-range']).toBe(`bytes 1000-1999/${video.length}`);
      const out = await t.http().get(body.url).set('Range', `bytes=${video.length}-`).expect(416);
      expect(out.headers['content-range']).toBe(`bytes */${video.length}`);
    });

    it('a DOWNLOAD ticket records each read as a download, a ranged one with its range (resume)', async () => {
      const { body } = await issue(officer, videoId, 'DOWNLOAD').expect(201);
      const part = await fetchTicket(body.url)
        .set('Range', 'bytes=100000-')
        .set('X-Request-Id', `resume-${body.ticket.slice(-8)}`)
        .expect(206);
      expect(part.body.equals(video.subarray(100000))).toBe(true);
      const [ev] = await events(`request_id = $1`, [`resume-${body.ticket.slice(-8)}`]);
      expect(ev).toMatchObject({ action: 'evidence.downloaded', actor_id: officer.id });
      expect(ev.details).toMatchObject({ range: `bytes=100000-${video.length - 1}`, via: 'ticket' });
    });

    it('playback: one evidence.viewed for many Range requests, the ranges served kept on the ticket', async () => {
      const { body } = await issue(supervisor, videoId, 'PLAYBACK').expect(201);
      const {
        rows: [row],
      } = await t.owner.query(`SELECT id FROM access_tickets WHERE token_sha256 = $1`, [sha256(body.ticket)]);
      // A player's first requests often race: of simultaneous first uses exactly one records the view.
      await Promise.all(
        [0, 1, 2].map((i) =>
          fetchTicket(body.url)
            .set('Range', `bytes=${i * 1000}-${i * 1000 + 999}`)
            .expect(206),
        ),
      );
      await fetchTicket(body.url).set('Range', 'bytes=200000-209999').expect(206);
      await fetchTicket(body.url).set('Range', 'bytes=205000-219999').expect(206);
      const viewed = await events(`action = 'evidence.viewed' AND details->>'ticketId' = $1`, [row.id]);
      expect(viewed).toHaveLength(1);
      expect(await events(`action = 'evidence.downloaded' AND details->>'ticketId' = $1`, [row.id])).toEqual([]);
      // Each read is counted once its answer ended (after the client has it).
      const after = await until('the reads to be counted', async () => {
        const {
          rows: [r],
        } = await t.owner.query(`SELECT requests, bytes_served, ranges, in_flight FROM access_tickets WHERE id = $1`, [
          row.id,
        ]);
        return r.in_flight === 0 ? r : null;
      });
      expect(after).toMatchObject({
        requests: 5,
        bytes_served: String(3000 + 10000 + 15000),
        ranges: [
          [0, 2999],
          [200000, 219999],
        ],
        in_flight: 0,
      });
    });
  });

  describe('refusals: each audited, never with the ticket', () => {
    async function refusal(requestId: string) {
      const [ev] = await events(`request_id = $1`, [requestId]);
      expect(JSON.stringify(ev)).not.toMatch(/iontk_/);
      return ev;
    }

    it('an unknown or malformed ticket: 401, audited as anonymous', async () => {
      const forged = `iontk_${randomBytes(32).toString('base64url')}`;
      for (const [i, ticket] of [forged, 'not-a-ticket'].entries()) {
        const res = await t
          .http()
          .get(`${API}/tickets/${ticket}`)
          .set('X-Request-Id', `unknown-${i}-${caseId}`)
          .expect(401);
        expect(res.body.code).toBe('AUTH.UNAUTHENTICATED');
        const ev = await refusal(`unknown-${i}-${caseId}`);
        expect(ev).toMatchObject({
          action: 'auth.unauthenticated',
          outcome: 'DENIED',
          actor_id: null,
          actor_role: 'ANONYMOUS',
        });
        expect(ev.details).toMatchObject({
          reason: 'unknown',
          path: `${API}/tickets/redacted:${sha256(ticket).slice(0, 12)}`,
        });
      }
    });

    it("another user: cannot get a ticket for the officer's item (404) nor use the officer's ticket beside their own token (403)", async () => {
      await issue(otherOfficer, videoId, 'PLAYBACK').expect(404);
      const { body } = await issue(officer, videoId, 'PLAYBACK').expect(201);
      const res = await t
        .http()
        .get(body.url)
        .set(otherOfficer.auth)
        .set('X-Request-Id', `other-user-${body.ticket.slice(-8)}`)
        .expect(403);
      expect(res.body.code).toBe('AUTH.FORBIDDEN');
      const ev = await refusal(`other-user-${body.ticket.slice(-8)}`);
      expect(ev).toMatchObject({
        action: 'access.denied',
        outcome: 'DENIED',
        actor_id: otherOfficer.id,
        target_type: 'evidence',
        target_id: videoId,
        case_id: caseId,
      });
      expect(ev.details).toMatchObject({ reason: 'other_user', issuedTo: officer.id });
      // With the holder's own token it serves.
      await fetchTicket(body.url).set(officer.auth).expect(200);
    });

    it('another item: a ticket serves its item only, and is no credential anywhere else', async () => {
      const { body } = await issue(officer, videoId, 'DOWNLOAD').expect(201);
      await t.http().get(`${API}/evidence/${pdfId}/content`).set('Authorization', `Bearer ${body.ticket}`).expect(401);
      await t.http().get(`${API}/evidence/${pdfId}/content?ticket=${body.ticket}`).expect(401);
      await t.http().get(`${body.url}/${pdfId}`).expect(404);
      await t.http().get(`${API}/tickets/${body.ticket}%2F..%2F${pdfId}`).expect(401);
      await t.http().head(body.url).expect(404);
      await t.http().post(body.url).send({}).expect(404);
      const got = await fetchTicket(body.url).expect(200);
      expect(sha256(got.body)).toBe(sha256(video));
      const { rows } = await t.owner.query(`SELECT count(*)::int AS n FROM audit_events WHERE body_json LIKE $1`, [
        `%${body.ticket}%`,
      ]);
      expect(rows[0].n).toBe(0);
    });

    it('another purpose: a DOWNLOAD ticket is not a player source; PLAYBACK is for what a browser shows', async () => {
      const { body } = await issue(officer, videoId, 'DOWNLOAD').expect(201);
      const res = await t
        .http()
        .get(body.url)
        .set('Sec-Fetch-Dest', 'video')
        .set('X-Request-Id', `purpose-${body.ticket.slice(-8)}`)
        .expect(403);
      expect(res.body.message).toMatch(/issued for DOWNLOAD/);
      const ev = await refusal(`purpose-${body.ticket.slice(-8)}`);
      expect(ev).toMatchObject({ action: 'access.denied', actor_id: officer.id, target_id: videoId });
      expect(ev.details).toMatchObject({ reason: 'purpose_mismatch', purpose: 'DOWNLOAD' });
      await fetchTicket(body.url).set('Sec-Fetch-Dest', 'document').expect(200);

      const play = await issue(officer, videoId, 'PLAYBACK').expect(201);
      await t.http().get(play.body.url).set('Sec-Fetch-Dest', 'script').expect(403);
      await fetchTicket(play.body.url).set('Sec-Fetch-Dest', 'video').set('Range', 'bytes=0-').expect(206);

      const notPlayable = await issue(officer, unknownId, 'PLAYBACK').expect(400);
      expect(notPlayable.body.fields.map((f: any) => f.field)).toEqual(['purpose']);
      await issue(officer, unknownId, 'DOWNLOAD').expect(201);
      const wrong = await issue(officer, videoId, 'STREAM').expect(400);
      expect(wrong.body.fields.map((f: any) => f.field)).toEqual(['purpose']);
    });

    it("dies with its user's deactivation, and with a role change", async () => {
      const leaving = await t.given.officer();
      const moving = await t.given.officer();
      const c = await t.given.caseReadyToSubmit(leaving);
      const e1 = await t.given.evidence(leaving, c.id, mp4(10_000));
      const c2 = await t.given.caseReadyToSubmit(moving);
      const e2 = await t.given.evidence(moving, c2.id, mp4(10_000));
      const t1 = (await issue(leaving, e1.id, 'PLAYBACK').expect(201)).body;
      const t2 = (await issue(moving, e2.id, 'DOWNLOAD').expect(201)).body;

      await t
        .http()
        .patch(`${API}/users/${leaving.id}`)
        .set(admin.auth)
        .send({ active: false, deactivationReason: 'Left the department' })
        .expect(200);
      const r1 = await t.http().get(t1.url).set('X-Request-Id', `deactivated-${leaving.id}`).expect(401);
      expect(r1.body.message).toMatch(/deactivated/);
      expect((await refusal(`deactivated-${leaving.id}`)).details).toMatchObject({
        reason: 'user_deactivated',
        issuedTo: leaving.id,
      });

      await t.http().patch(`${API}/users/${moving.id}`).set(admin.auth).send({ role: 'SUPERVISOR' }).expect(200);
      const r2 = await t.http().get(t2.url).set('X-Request-Id', `role-${moving.id}`).expect(401);
      expect(r2.body.message).toMatch(/role OFFICER/);
      expect((await refusal(`role-${moving.id}`)).details).toMatchObject({
        reason: 'role_changed',
        issuedTo: moving.id,
      });
      expect(
        await events(`action IN ('evidence.viewed', 'evidence.downloaded') AND target_id = ANY($1::text[])`, [
          [e1.id, e2.id],
        ]),
      ).toEqual([]);
    });
  });

  it('no ticket appears in any log line; the request log shows redacted:<ref> in its place', async () => {
    const api = await startApiProcess(t.dbName, t.storage, { LOG_LEVEL: 'debug' });
    try {
      const issued: string[] = [];
      const play = (
        await api
          .http()
          .post(`${API}/evidence/${videoId}/tickets`)
          .set(officer.auth)
          .send({ purpose: 'PLAYBACK' })
          .expect(201)
      ).body;
      issued.push(play.ticket);
      await api.http().get(play.url).set('Range', 'bytes=0-999').expect(206);
      await api.http().get(play.url).set('Range', `bytes=${video.length}-`).expect(416);
      await api.http().get(play.url).set(otherOfficer.auth).expect(403);
      await api.http().get(`${play.url}/x?ticket=${play.ticket}`).expect(404);
      await api.http().put(play.url).send({}).expect(404);
      await api.http().get(`${API}/evidence/${videoId}/content?ticket=${play.ticket}`).expect(401);
      const dl = (
        await api.http().post(`${API}/packets/${packetId}/archive/tickets`).set(ccsao.auth).send({}).expect(201)
      ).body;
      issued.push(dl.ticket);
      await api.http().get(dl.url).buffer(true).parse(binary).expect(200);
      const ex = (await api.http().post(`${API}/audit/export/tickets`).set(auditor.auth).send({ caseId }).expect(201))
        .body;
      issued.push(ex.ticket);
      await api.http().get(ex.url).buffer(true).parse(binary).expect(200);
      await api
        .http()
        .patch(`${API}/users/${otherOfficer.id}`)
        .set(admin.auth)
        .send({ displayName: 'Renamed by the tickets suite' })
        .expect(200);

      await until(
        'the request log lines',
        async () =>
          api
            .output()
            .split('\n')
            .filter((l) => l.includes('/tickets/')).length >= 7,
      );
      const out = api.output();
      for (const ticket of issued) {
        expect(out).not.toContain(ticket);
        expect(out).not.toContain(ticket.slice(6)); // nor its random part alone
      }
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, any>);
      const served = lines.find(
        (l) =>
          l.req?.method === 'GET' &&
          l.req?.url === `${API}/tickets/redacted:${sha256(play.ticket).slice(0, 12)}` &&
          l.res?.statusCode === 206,
      );
      expect(served).toMatchObject({ userId: officer.id, role: 'OFFICER' });
      const { rows } = await t.owner.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE ${issued.map((_, i) => `body_json LIKE $${i + 1}`).join(' OR ')}`,
        issued.map((x) => `%${x.slice(6)}%`),
      );
      expect(rows[0].n).toBe(0);
    } finally {
      await api.stop();
    }
  });
});

describe('tickets: expiry and the playback summary (TICKET_TTL_SECONDS=1)', () => {
  let t: TestApp;
  let officer: TestUser;
  let evidenceId: string;
  const video = mp4(100_000);

  beforeAll(async () => {
    t = await createTestApp({ env: { TICKET_TTL_SECONDS: '1', TICKET_MAX_SECONDS: '60', TICKET_SWEEP_SECONDS: '1' } });
    officer = await t.given.officer();
    const c = await t.given.caseReadyToSubmit(officer);
    evidenceId = (await t.given.evidence(officer, c.id, video)).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const ticketRow = async (ticket: string) =>
    (await t.owner.query(`SELECT * FROM access_tickets WHERE token_sha256 = $1`, [sha256(ticket)])).rows[0];

  it('an expired ticket is refused, audited', async () => {
    const { body } = await t
      .http()
      .post(`${API}/evidence/${evidenceId}/tickets`)
      .set(officer.auth)
      .send({ purpose: 'DOWNLOAD' })
      .expect(201);
    await until(
      'the ticket to expire',
      async () =>
        (
          await t.owner.query(`SELECT expires_at <= now() AS x FROM access_tickets WHERE token_sha256 = $1`, [
            sha256(body.ticket),
          ])
        ).rows[0].x,
    );
    const res = await t.http().get(body.url).set('X-Request-Id', `expired-${evidenceId}`).expect(401);
    expect(res.body.message).toMatch(/expired/);
    const [ev] = await auditRows(t.owner, 'request_id = $1', [`expired-${evidenceId}`]);
    expect(ev).toMatchObject({
      action: 'auth.unauthenticated',
      outcome: 'DENIED',
      actor_id: officer.id,
      target_type: 'evidence',
      target_id: evidenceId,
    });
    expect(ev.details).toMatchObject({ reason: 'expired', ticketId: (await ticketRow(body.ticket)).id });
    expect(JSON.stringify(ev)).not.toContain(body.ticket);
  });

  it('when a used PLAYBACK ticket ends, one evidence.playback.ended sums up what was served', async () => {
    const { body } = await t
      .http()
      .post(`${API}/evidence/${evidenceId}/tickets`)
      .set(officer.auth)
      .send({ purpose: 'PLAYBACK' })
      .expect(201);
    const id = (await ticketRow(body.ticket)).id;
    await t.http().get(body.url).set('Range', 'bytes=0-9999').expect(206);
    await t.http().get(body.url).set('Range', 'bytes=5000-19999').expect(206);
    await t.http().get(body.url).set('Range', 'bytes=50000-59999').expect(206);
    const ended = await until('the janitor to end the ticket', async () => {
      const rows = await auditRows(t.owner, `action = 'evidence.playback.ended' AND details->>'ticketId' = $1`, [id]);
      return rows.length ? rows : null;
    });
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      actor_id: officer.id,
      actor_role: 'OFFICER',
      target_type: 'evidence',
      target_id: evidenceId,
      outcome: 'SUCCESS',
    });
    expect(ended[0].details).toMatchObject({
      via: 'ticket',
      purpose: 'PLAYBACK',
      endedBy: 'expiry',
      requests: 3,
      interruptedRequests: 0,
      bytesServed: 35000,
      distinctBytes: 30000,
      ranges: ['0-19999', '50000-59999'],
      sha256: sha256(video),
      sizeBytes: video.length,
    });
    const viewed = await auditRows(t.owner, `action = 'evidence.viewed' AND details->>'ticketId' = $1`, [id]);
    expect(viewed).toHaveLength(1);
    expect(Number(viewed[0].seq)).toBeLessThan(Number(ended[0].seq));
    // Ended: refused from now on, and summarised once only.
    await t.http().get(body.url).expect(401);
    expect(
      await auditRows(t.owner, `action = 'evidence.playback.ended' AND details->>'ticketId' = $1`, [id]),
    ).toHaveLength(1);
    // Custody of the item shows both.
    const custody = (
      await t.http().get(`${API}/evidence/${evidenceId}`).set(officer.auth).expect(200)
    ).body.custody.map((e: any) => e.action);
    expect(custody).toEqual(expect.arrayContaining(['ticket.issued', 'evidence.viewed', 'evidence.playback.ended']));
  });
});
