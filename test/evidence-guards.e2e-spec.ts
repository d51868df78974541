import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { UploadJanitor } from '@app/evidence';
import { piecesOf, rawRequest, until } from './harness/raw-http';
import {
  auditRows,
  createTestApp,
  FULL_CASE,
  SUBMIT_BODY,
  SUPERVISOR_RECORD,
  TestApp,
  TestUser,
} from './harness/test-app';

const API = '/api/v1';
const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** `n` bytes that sniff as MPEG-4 video (an `ftyp` box with major brand isom), the rest random. */
function mp4(n = 64 * 1024): Buffer {
  const b = randomBytes(n);
  Buffer.from('0000001c6674797069736f6d0000020069736f6d69736f326d703431', 'hex').copy(b, 0);
  return b;
}
const PDF = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2048)]);
const PNG = () => Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(2048)]);

/**
 * Issue 14, points 5 and 6: empty files are not evidence; only footage meets the order's footage
 * requirement; a case is not submitted while an upload to it is in flight; the same file is not
 * stored twice in one case unless the client says so.
 */
describe('evidence guards: empty files, footage, uploads in progress, duplicates', () => {
  let t: TestApp;
  let origin: string;
  let officer: TestUser;

  beforeAll(async () => {
    t = await createTestApp({
      env: { STORAGE_PART_SIZE_MB: '5', UPLOAD_JANITOR_INTERVAL_SECONDS: '3600', UPLOAD_STALE_MINUTES: '30' },
    });
    const server = t.app.getHttpServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    officer = await t.given.officer(1);
  });
  afterAll(async () => {
    await t?.close();
  });

  const rows = async (caseId: string) =>
    (await t.owner.query(`SELECT id, sha256 FROM evidence WHERE case_id = $1 ORDER BY uploaded_at`, [caseId])).rows;
  const keys = (caseId: string) => t.storage.keys(`cases/${caseId}/`);
  const upload = (caseId: string, bytes: Buffer, query = 'kind=BWC', user = officer) =>
    t
      .http()
      .post(`${API}/cases/${caseId}/evidence?${query}`)
      .set(user.auth)
      .set('Content-Type', 'application/octet-stream')
      .send(bytes);
  const multipart = (caseId: string, bytes: Buffer, fields: Record<string, string> = { kind: 'BWC' }) => {
    let r = t.http().post(`${API}/cases/${caseId}/evidence`).set(officer.auth);
    for (const [k, v] of Object.entries(fields)) r = r.field(k, v);
    return r.attach('file', bytes, { filename: 'clip.mp4', contentType: 'video/mp4' });
  };
  const failedUploads = (caseId: string) =>
    auditRows(t.owner, `action = 'evidence.upload' AND outcome = 'FAILED' AND case_id = $1`, [caseId]);

  /** A case complete but for its footage (no no-footage reason). */
  async function caseNeedingFootage() {
    const c = await t.given.draftCase(officer, { ...FULL_CASE, noFootageReason: undefined });
    const r = await t
      .http()
      .put(`${API}/cases/${c.id}/federal-officers`)
      .set(officer.auth)
      .set('If-Match', `"${c.version}"`)
      .send(SUPERVISOR_RECORD);
    expect(r.status).toBe(200);
    return r.body as { id: string; version: number; caseNumber: string };
  }

  describe('an empty file is not evidence', () => {
    it.each([
      ['a raw body with Content-Length: 0', (id: string) => upload(id, Buffer.alloc(0))],
      [
        'a chunked raw body with no bytes',
        (id: string) =>
          t
            .http()
            .post(`${API}/cases/${id}/evidence?kind=BWC`)
            .set(officer.auth)
            .set('Content-Type', 'video/mp4')
            .set('Transfer-Encoding', 'chunked')
            .send(''),
      ],
      ['a multipart file part with no bytes', (id: string) => multipart(id, Buffer.alloc(0))],
    ])('%s answers 422 EVIDENCE.EMPTY, keeps nothing and is audited', async (_what, send) => {
      const c = await t.given.draftCase(officer);
      const res = await send(c.id);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'EVIDENCE.EMPTY', sizeBytes: 0 });
      expect(res.body.message).toMatch(/empty.*nothing was stored/i);
      expect(await rows(c.id)).toEqual([]);
      expect(await keys(c.id)).toEqual([]);
      expect(await t.storage.pendingUploads()).toEqual([]);
      expect(await t.storage.versions(`cases/${c.id}/`)).toEqual([]);
      const failed = await failedUploads(c.id);
      expect(failed).toHaveLength(1);
      expect(failed[0].details).toMatchObject({
        code: 'EVIDENCE.EMPTY',
        bytesReceived: 0,
        cleanup: 'nothing had been stored',
      });
      // and the case still needs its footage: nothing counts
      const view = await t.http().get(`${API}/cases/${c.id}`).set(officer.auth).expect(200);
      expect(view.body.checklist.missing.map((m: { item: string }) => m.item)).toContain('evidenceOrNoFootageReason');
    });
  });

  describe('only footage meets the footage requirement', () => {
    it('a photo, a document, or a PDF labelled BWC is not footage: submit is refused naming footage; a BWC video counts', async () => {
      const c = await caseNeedingFootage();
      await upload(c.id, PNG(), 'kind=PHOTO').expect(201);
      await upload(c.id, PDF(), 'kind=DOCUMENT').expect(201);
      const pdfAsBwc = await upload(c.id, PDF(), 'kind=BWC').expect(201);
      expect(pdfAsBwc.body.contentType).toBe('application/pdf');

      const refused = await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY);
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('CASE.CHECKLIST_INCOMPLETE');
      expect(refused.body.missing).toEqual([
        { item: 'evidenceOrNoFootageReason', message: expect.stringMatching(/footage/) },
      ]);
      const view = await t.http().get(`${API}/cases/${c.id}`).set(officer.auth).expect(200);
      expect(view.body.checklist.complete).toBe(false);

      const video = await upload(c.id, mp4(), 'kind=BWC').expect(201);
      expect(video.body.contentType).toBe('video/mp4');
      await t
        .http()
        .get(`${API}/cases/${c.id}`)
        .set(officer.auth)
        .expect(200)
        .expect((r) => expect(r.body.checklist).toEqual({ complete: true, missing: [] }));
      // superseded footage does not count
      await t
        .http()
        .post(`${API}/evidence/${video.body.id}/supersede`)
        .set(officer.auth)
        .send({ reason: 'Wrong clip' })
        .expect(200);
      await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(422);
      // other video counts as footage too
      await upload(c.id, mp4(), 'kind=OTHER_VIDEO').expect(201);
      const ok = await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY);
      expect(ok.status).toBe(200);
      expect(ok.body.status).toBe('SUBMITTED');
    });
  });

  describe('no submit while an upload to the case is in progress', () => {
    it('answers 409 CASE.UPLOAD_IN_PROGRESS naming the upload while it streams; once stored, submit succeeds', async () => {
      const c = await t.given.caseReadyToSubmit(officer);
      const bytes = mp4(3 * MiB);
      let during: { status: number; body: any } | undefined;
      const res = await rawRequest(
        `${origin}${API}/cases/${c.id}/evidence?kind=BWC&originalFilename=held.mp4`,
        'POST',
        { ...officer.auth, 'Content-Type': 'video/mp4', 'Content-Length': bytes.length },
        piecesOf(bytes, 256 * 1024),
        {
          afterBytes: MiB,
          whenSent: async () => {
            await until(
              'the upload to be recorded as in progress',
              async () =>
                (
                  await t.owner.query(
                    `SELECT 1 FROM evidence_upload_sessions WHERE case_id = $1 AND ended_at IS NULL AND bytes_received > 0`,
                    [c.id],
                  )
                ).rowCount,
            );
            const r = await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY);
            during = { status: r.status, body: r.body };
          },
        },
      );
      expect(during?.status).toBe(409);
      expect(during?.body).toMatchObject({
        code: 'CASE.UPLOAD_IN_PROGRESS',
        uploads: [
          { originalFilename: 'held.mp4', kind: 'BWC', startedBy: officer.id, bytesReceived: expect.any(Number) },
        ],
      });
      expect(during?.body.message).toMatch(/held\.mp4/);
      expect(res.status).toBe(201);
      expect(res.body.sha256).toBe(sha256(bytes));
      const refusal = await auditRows(t.owner, `action = 'case.submit' AND outcome = 'FAILED' AND case_id = $1`, [
        c.id,
      ]);
      expect(refusal.map((r) => r.details.code)).toEqual(['CASE.UPLOAD_IN_PROGRESS']);

      const submitted = await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY);
      expect(submitted.status).toBe(200);
      expect(submitted.body.status).toBe('SUBMITTED');
    });

    it('an upload whose process died stops blocking submit once stale, and the janitor closes it', async () => {
      const c = await t.given.caseReadyToSubmit(officer);
      const dead = '00000000-0000-4000-8000-00000000dead';
      await t.owner.query(
        `INSERT INTO evidence_upload_sessions (id, case_id, started_by, kind, started_at, last_activity_at, stale_at)
         VALUES ($1, $2, $3, 'BWC', now() - interval '2 hours', now() - interval '2 hours', now() - interval '90 minutes')`,
        [dead, c.id, officer.id],
      );
      const fresh = '00000000-0000-4000-8000-0000000a11fe';
      await t.owner.query(
        `INSERT INTO evidence_upload_sessions (id, case_id, started_by, kind, stale_at) VALUES ($1, $2, $3, 'BWC', now() + interval '30 minutes')`,
        [fresh, c.id, officer.id],
      );
      const blocked = await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY);
      expect(blocked.status).toBe(409);
      expect(blocked.body.uploads.map((u: { id: string }) => u.id)).toEqual([fresh]);

      // the live one ends (as its process would on failure); the dead one no longer counts
      await t.owner.query(`UPDATE evidence_upload_sessions SET ended_at = now(), outcome = 'FAILED' WHERE id = $1`, [
        fresh,
      ]);
      await t.app.get(UploadJanitor).runOnce();
      const closed = await t.owner.query(`SELECT outcome, ended_at FROM evidence_upload_sessions WHERE id = $1`, [
        dead,
      ]);
      expect(closed.rows[0]).toMatchObject({ outcome: 'ABANDONED', ended_at: expect.any(Date) });
      const cleaned = await auditRows(t.owner, `action = 'evidence.upload.abandoned' AND target_id = $1`, [dead]);
      expect(cleaned).toHaveLength(1);
      await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(200);
    });
  });

  describe('the same file twice in one case', () => {
    it('is refused with 409 EVIDENCE.DUPLICATE naming the existing item; nothing is kept; audited', async () => {
      const c = await t.given.draftCase(officer);
      const bytes = mp4();
      const first = await upload(c.id, bytes).expect(201);
      for (const again of [() => upload(c.id, bytes, 'kind=OTHER_VIDEO'), () => multipart(c.id, bytes)]) {
        const dup = await again();
        expect(dup.status).toBe(409);
        expect(dup.body).toMatchObject({
          code: 'EVIDENCE.DUPLICATE',
          existingEvidenceId: first.body.id,
          sha256: sha256(bytes),
        });
        expect(dup.body.message).toContain(first.body.id);
      }
      expect(await rows(c.id)).toEqual([{ id: first.body.id, sha256: sha256(bytes) }]);
      expect(await keys(c.id)).toEqual([`cases/${c.id}/evidence/${first.body.id}`]);
      const failed = await failedUploads(c.id);
      expect(failed.map((r) => [r.details.code, r.details.cleanup])).toEqual([
        ['EVIDENCE.DUPLICATE', 'nothing had been stored'],
        ['EVIDENCE.DUPLICATE', 'nothing had been stored'],
      ]);
    });

    it('is stored when the client names the existing item in duplicateOf (raw, header or multipart), and the event says so', async () => {
      const c = await t.given.draftCase(officer);
      const bytes = mp4();
      const first = await upload(c.id, bytes).expect(201);
      const second = await upload(c.id, bytes, `kind=BWC&duplicateOf=${first.body.id}`);
      expect(second.status).toBe(201);
      const third = await t
        .http()
        .post(`${API}/cases/${c.id}/evidence?kind=BWC`)
        .set(officer.auth)
        .set('Content-Type', 'application/octet-stream')
        .set('X-Evidence-Duplicate-Of', first.body.id)
        .send(bytes);
      expect(third.status).toBe(201);
      const fourth = await multipart(c.id, bytes, { kind: 'BWC', duplicateOf: first.body.id });
      expect(fourth.status).toBe(201);
      const events = await auditRows(t.owner, `action = 'evidence.uploaded' AND case_id = $1`, [c.id]);
      expect(events.map((e) => e.details.duplicateOf ?? null)).toEqual([
        null,
        first.body.id,
        first.body.id,
        first.body.id,
      ]);
    });

    it('refuses a duplicateOf that does not name an item of this case with the same bytes (400 naming the field, nothing kept)', async () => {
      const c = await t.given.draftCase(officer);
      const first = await upload(c.id, mp4()).expect(201);
      const res = await upload(c.id, mp4(), `kind=BWC&duplicateOf=${first.body.id}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION.FAILED',
        fields: [{ field: 'duplicateOf', errors: [expect.stringContaining(first.body.id)] }],
      });
      expect(await rows(c.id)).toHaveLength(1);
      expect(await keys(c.id)).toHaveLength(1);
    });

    it('a superseded copy does not block uploading the same file again', async () => {
      const c = await t.given.draftCase(officer);
      const bytes = mp4();
      const first = await upload(c.id, bytes).expect(201);
      await t
        .http()
        .post(`${API}/evidence/${first.body.id}/supersede`)
        .set(officer.auth)
        .send({ reason: 'Wrong kind recorded' })
        .expect(200);
      await upload(c.id, bytes, 'kind=OTHER_VIDEO').expect(201);
    });

    it('the same file in two different cases is not a duplicate', async () => {
      const [a, b] = [await t.given.draftCase(officer), await t.given.draftCase(officer)];
      const bytes = mp4();
      await upload(a.id, bytes).expect(201);
      await upload(b.id, bytes).expect(201);
    });
  });
});
