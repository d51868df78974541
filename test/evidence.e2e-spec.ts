import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { UploadJanitor } from '@app/evidence';
import { DIST_API } from './harness/paths';
import { piecesOf, rawRequest, until } from './harness/raw-http';
import { auditRows, createTestApp, FULL_CASE, processEnv, SUBMIT_BODY, TestApp, TestUser } from './harness/test-app';
import { storageUnderTest } from './harness/test-storage';

const API = '/api/v1';
const MiB = 1024 * 1024;
/** Small limits so every path (multipart, over-limit) is exercised with a few MiB. */
const MAX_BYTES = 24 * MiB;
const PART_MB = 5;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
/** s3rver, or Ceph RGW in the e2e-ceph project (ION_TEST_STORAGE=ceph): a bucket with Object Lock, versioning, multipart abort. */
const ENGINE = storageUnderTest();
/** How a pending multipart upload ends: aborted where the engine implements AbortMultipartUpload, else released. */
const ENDED = ENGINE === 'ceph' ? 'ABORTED' : 'RELEASED';
/**
 * Changing or removing a stored object behind the API is possible only where nothing protects it (s3rver).
 * On Ceph RGW with Object Lock an overwrite is a new version and a delete a marker, while the recorded,
 * locked version stays: object-lock.e2e-spec.ts proves that on the engine. Its health and WORM start checks
 * are there too.
 */
const UNPROTECTED = ENGINE === 's3rver';

/** `total` random bytes, and the same bytes cut into pieces for rawRequest. */
function pieces(total: number): { parts: Buffer[]; bytes: Buffer } {
  const bytes = randomBytes(total);
  return { parts: piecesOf(bytes), bytes };
}

describe(`evidence: upload, custody, integrity (${ENGINE})`, () => {
  let t: TestApp;
  /** Where the in-process app listens (rawRequest needs a real socket). */
  let origin: string;
  let officer: TestUser;
  let supervisor: TestUser;
  let otherOfficer: TestUser;
  let auditor: TestUser;

  beforeAll(async () => {
    t = await createTestApp({
      storageProxy: true,
      env: {
        EVIDENCE_MAX_BYTES: String(MAX_BYTES),
        STORAGE_PART_SIZE_MB: String(PART_MB),
        UPLOAD_JANITOR_INTERVAL_SECONDS: '3600',
      },
    });
    const server = t.app.getHttpServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    [officer, supervisor, otherOfficer, auditor] = await Promise.all([
      t.given.officer(1),
      t.given.supervisor(1),
      t.given.officer(12),
      t.given.auditor(),
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const evidenceRows = async (caseId: string) =>
    (await t.owner.query(`SELECT * FROM evidence WHERE case_id = $1 ORDER BY uploaded_at`, [caseId])).rows;
  const keysOf = (caseId: string) => t.storage.keys(`cases/${caseId}/`);

  /**
   * What every failed upload must leave, read from the engine: no row, no object version (nor delete marker)
   * under the case's keys, no pending multipart upload (ListMultipartUploads on Ceph).
   */
  async function expectNothingLeft(caseId: string) {
    expect(await evidenceRows(caseId)).toEqual([]);
    expect(await keysOf(caseId)).toEqual([]);
    expect(await t.storage.versions(`cases/${caseId}/`)).toEqual([]);
    expect(await t.storage.pendingUploads()).toEqual([]);
    const open = await t.owner.query(
      `SELECT upload_id, state FROM storage_uploads WHERE case_id = $1 AND state IN ('OPEN','ABORT_PENDING')`,
      [caseId],
    );
    expect(open.rows).toEqual([]);
  }

  async function failedUploadEvent(caseId: string, requestId?: string) {
    return until('the FAILED upload event', async () => {
      const rows = await auditRows(t.owner, `action = 'evidence.upload' AND outcome = 'FAILED' AND case_id = $1`, [
        caseId,
      ]);
      return requestId ? rows.find((r) => r.request_id === requestId) : rows[rows.length - 1];
    });
  }

  describe('uploading', () => {
    it('streams a raw body into storage: 201 with hash, size, sniffed type, metadata; row, object and audit event agree', async () => {
      const c = await t.given.draftCase(officer);
      const { parts, bytes } = pieces(12 * MiB + 123); // three 5 MiB parts
      bytes.set(PNG_HEAD, 0);
      const res = await rawRequest(
        `${origin}${API}/cases/${c.id}/evidence?kind=BWC&deviceId=AXON-BODY4-X81234&recordingOfficerBadge=4471` +
          `&recordedStart=2026-11-20T14:03:10-06:00&recordedEnd=2026-11-20T14:31:55-06:00&originalFilename=${encodeURIComponent('Körper cam 1.mp4')}`,
        'POST',
        {
          ...officer.auth,
          'Content-Type': 'video/mp4',
          'Content-Length': bytes.length,
          'X-Request-Id': 'upload-raw-1',
        },
        parts,
      );
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`${API}/evidence/${res.body.id}`);
      expect(res.body).toMatchObject({
        caseId: c.id,
        kind: 'BWC',
        deviceId: 'AXON-BODY4-X81234',
        recordingOfficerBadge: '4471',
        recordedStart: '2026-11-20T20:03:10.000Z',
        recordedEnd: '2026-11-20T20:31:55.000Z',
        originalFilename: 'Körper cam 1.mp4',
        sha256: sha256(bytes),
        sizeBytes: bytes.length,
        contentType: 'image/png',
        declaredContentType: 'video/mp4',
        status: 'ACTIVE',
        integrity: { status: 'OK' },
        uploadedBy: officer.id,
        preservation:
          ENGINE === 'ceph'
            ? { worm: true, retentionMode: 'COMPLIANCE', legalHold: true }
            : { worm: false, legalHold: false, note: expect.stringMatching(/not applied: .*Object Lock/) },
      });
      const [row] = await evidenceRows(c.id);
      expect(row).toMatchObject({
        id: res.body.id,
        sha256: sha256(bytes),
        size_bytes: String(bytes.length),
        upload_request_id: 'upload-raw-1',
      });
      // The key is the server's, never the filename.
      expect(row.storage_key).toBe(`cases/${c.id}/evidence/${res.body.id}`);
      expect(await t.storage.sha256Of(row.storage_key)).toEqual({ sha256: sha256(bytes), size: bytes.length });
      const journal = (
        await t.owner.query(
          `SELECT state, jsonb_array_length(parts) AS parts, bytes FROM storage_uploads WHERE object_key = $1`,
          [row.storage_key],
        )
      ).rows;
      expect(journal).toEqual([{ state: 'COMPLETED', parts: 3, bytes: String(bytes.length) }]);
      const [ev] = await auditRows(t.owner, `request_id = 'upload-raw-1'`);
      expect(ev).toMatchObject({
        action: 'evidence.uploaded',
        outcome: 'SUCCESS',
        actor_id: officer.id,
        target_type: 'evidence',
        target_id: res.body.id,
        case_id: c.id,
        details: expect.objectContaining({
          sha256: sha256(bytes),
          sizeBytes: bytes.length,
          contentType: 'image/png',
          storage: expect.objectContaining({ parts: 3 }),
        }),
      });
      expect(await t.storage.pendingUploads()).toEqual([]);
    });

    it('accepts multipart/form-data (fields, then the file part) and a matching client SHA-256', async () => {
      const c = await t.given.draftCase(officer);
      const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300_000)]);
      const res = await t
        .http()
        .post(`${API}/cases/${c.id}/evidence`)
        .set(supervisor.auth)
        .field('kind', 'DOCUMENT')
        .field('sha256', sha256(bytes).toUpperCase())
        .attach('file', bytes, { filename: 'incident-report.pdf', contentType: 'application/pdf' })
        .expect(201);
      expect(res.body).toMatchObject({
        kind: 'DOCUMENT',
        originalFilename: 'incident-report.pdf',
        contentType: 'application/pdf',
        sha256: sha256(bytes),
        sizeBytes: bytes.length,
        clientSha256Matched: true,
        uploadedBy: supervisor.id,
      });
      const [row] = await evidenceRows(c.id);
      expect(await t.storage.sha256Of(row.storage_key)).toEqual({ sha256: sha256(bytes), size: bytes.length });
    });

    it.each([
      ['an unknown kind', 'kind=VHS', 'kind'],
      ['no kind', 'deviceId=X', 'kind'],
      [
        'an end before the start',
        'kind=BWC&recordedStart=2026-11-20T15:00:00Z&recordedEnd=2026-11-20T14:00:00Z',
        'recordedEnd',
      ],
      ['a malformed client hash', 'kind=BWC&sha256=abc', 'sha256'],
      ['an unknown parameter', 'kind=BWC&storageKey=../../etc', 'storageKey'],
    ])('refuses %s with 400 naming the field, storing nothing', async (_what, query, field) => {
      const c = await t.given.draftCase(officer);
      const bytes = randomBytes(2048);
      const res = await rawRequest(
        `${origin}${API}/cases/${c.id}/evidence?${query}`,
        'POST',
        { ...officer.auth, 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length },
        [bytes],
      );
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION.FAILED');
      expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
      await expectNothingLeft(c.id);
    });

    it('refuses multipart with the metadata after the file, or without a file, with 400', async () => {
      const c = await t.given.draftCase(officer);
      const late = await t
        .http()
        .post(`${API}/cases/${c.id}/evidence`)
        .set(officer.auth)
        .attach('file', randomBytes(1000), 'a.bin')
        .field('kind', 'BWC');
      expect(late.status).toBe(400);
      expect(late.body.message).toMatch(/before the file/);
      const none = await t.http().post(`${API}/cases/${c.id}/evidence`).set(officer.auth).field('kind', 'BWC');
      expect(none.status).toBe(400);
      expect(none.body.fields[0].field).toBe('file');
      await expectNothingLeft(c.id);
    });

    it('refuses a JSON body as an upload with 415', async () => {
      const c = await t.given.draftCase(officer);
      const res = await t.http().post(`${API}/cases/${c.id}/evidence?kind=BWC`).set(officer.auth).send({ file: 'x' });
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('UPLOAD.UNSUPPORTED_MEDIA_TYPE');
      await expectNothingLeft(c.id);
    });
  });

  describe('failure paths leave no row, no object, no pending multipart, and an audit event', () => {
    it.each([
      ['smaller than one part', 3 * MiB],
      ['spanning several parts', 11 * MiB],
    ])('a client SHA-256 that does not match (%s): 422', async (_what, size) => {
      const c = await t.given.draftCase(officer);
      const { parts, bytes } = pieces(size);
      const claimed = sha256(Buffer.from('something else'));
      const res = await rawRequest(
        `${origin}${API}/cases/${c.id}/evidence?kind=BWC&sha256=${claimed}`,
        'POST',
        {
          ...officer.auth,
          'Content-Type': 'application/octet-stream',
          'Content-Length': size,
          'X-Request-Id': `mismatch-${size}`,
        },
        parts,
      );
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        code: 'EVIDENCE.HASH_MISMATCH',
        expectedSha256: claimed,
        actualSha256: sha256(bytes),
        sizeBytes: size,
      });
      await expectNothingLeft(c.id);
      const ev = await failedUploadEvent(c.id, `mismatch-${size}`);
      expect(ev.details).toMatchObject({ code: 'EVIDENCE.HASH_MISMATCH', bytesReceived: size });
    });

    it('a declared size over the limit: 413 before anything is read or stored', async () => {
      const c = await t.given.draftCase(officer);
      const started = Date.now();
      // Declares 60 GB, sends 1 MiB: the answer must come without waiting for the rest.
      const res = await rawRequest(
        `${origin}${API}/cases/${c.id}/evidence?kind=BWC`,
        'POST',
        { ...officer.auth, 'Content-Type': 'video/mp4', 'Content-Length': 60e9, 'X-Request-Id': 'too-large-declared' },
        [randomBytes(MiB)],
      );
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ code: 'UPLOAD.TOO_LARGE', limitBytes: MAX_BYTES });
      expect(res.headers.connection).toBe('close');
      expect(Date.now() - started).toBeLessThan(5000);
      await expectNothingLeft(c.id);
      const [ev] = await auditRows(t.owner, `request_id = 'too-large-declared'`);
      expect(ev).toMatchObject({
        action: 'evidence.upload',
        outcome: 'FAILED',
        case_id: c.id,
        details: expect.objectContaining({ status: 413 }),
      });
    });

    it('a chunked body that grows past the limit: 413 once it does, parts already stored are released', async () => {
      const c = await t.given.draftCase(officer);
      const { parts } = pieces(MAX_BYTES + 2 * MiB);
      const res = await rawRequest(
        `${origin}${API}/cases/${c.id}/evidence?kind=BWC`,
        'POST',
        {
          ...officer.auth,
          'Content-Type': 'application/octet-stream',
          'Transfer-Encoding': 'chunked',
          'X-Request-Id': 'too-large-streamed',
        },
        parts,
      );
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('UPLOAD.TOO_LARGE');
      await expectNothingLeft(c.id);
      const ev = await failedUploadEvent(c.id, 'too-large-streamed');
      expect(ev.details).toMatchObject({
        code: 'UPLOAD.TOO_LARGE',
        cleanup: expect.stringMatching(/released|aborted/),
      });
    });

    it('the client disconnecting mid-upload', async () => {
      const c = await t.given.draftCase(officer);
      const { parts } = pieces(20 * MiB);
      const res = await rawRequest(
        `${origin}${API}/cases/${c.id}/evidence?kind=BWC`,
        'POST',
        {
          ...officer.auth,
          'Content-Type': 'application/octet-stream',
          'Content-Length': 20 * MiB,
          'X-Request-Id': 'disconnect-1',
        },
        parts,
        { disconnectAfter: 12 * MiB },
      );
      expect(res.error).toBe('client disconnected');
      const ev = await failedUploadEvent(c.id, 'disconnect-1');
      expect(ev.details).toMatchObject({
        code: 'UPLOAD.INCOMPLETE',
        cleanup: expect.stringMatching(/released|aborted/),
      });
      expect(ev.details.bytesReceived).toBeGreaterThanOrEqual(2 * PART_MB * MiB);
      await expectNothingLeft(c.id);
    });

    it('storage going away mid-upload: 503, audited; its parts are released once storage is back', async () => {
      const c = await t.given.draftCase(officer);
      const { parts } = pieces(20 * MiB);
      const res = await rawRequest(
        `${origin}${API}/cases/${c.id}/evidence?kind=BWC`,
        'POST',
        {
          ...officer.auth,
          'Content-Type': 'application/octet-stream',
          'Content-Length': 20 * MiB,
          'X-Request-Id': 'storage-down-1',
        },
        parts,
        {
          afterBytes: 8 * MiB,
          whenSent: async () => {
            // Wait until a part is in storage (the multipart upload exists), then cut storage off.
            await until(
              'a stored part',
              async () =>
                (
                  await t.owner.query(
                    `SELECT 1 FROM storage_uploads WHERE case_id = $1 AND jsonb_array_length(parts) >= 1`,
                    [c.id],
                  )
                ).rowCount,
            );
            await t.storageProxy!.cut();
          },
        },
      );
      try {
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ code: 'DEPENDENCY.UNAVAILABLE', message: expect.stringMatching(/storage/) });
        const health = await t.http().get(`${API}/health`).expect(503);
        expect(health.body.checks.storage).toMatchObject({ status: 'down' });
        const ev = await failedUploadEvent(c.id, 'storage-down-1');
        expect(ev.details).toMatchObject({ code: 'DEPENDENCY.UNAVAILABLE', cleanup: expect.stringMatching(/pending/) });
        expect(await evidenceRows(c.id)).toEqual([]);
        const pending = (await t.owner.query(`SELECT state FROM storage_uploads WHERE case_id = $1`, [c.id])).rows;
        expect(pending).toEqual([{ state: 'ABORT_PENDING' }]);
      } finally {
        await t.storageProxy!.restore();
      }
      await expect(t.app.get(UploadJanitor).runOnce()).resolves.toBe(1);
      await expectNothingLeft(c.id);
      const cleaned = await auditRows(t.owner, `action = 'evidence.upload.cleaned_up' AND case_id = $1`, [c.id]);
      expect(cleaned).toEqual([
        expect.objectContaining({
          actor_role: 'SYSTEM',
          details: expect.objectContaining({ outcome: ENDED, previousState: 'ABORT_PENDING' }),
        }),
      ]);
      await t.http().get(`${API}/health`).expect(200);
    });

    it('the database commit failing after the object is complete: the object is removed, the attempt audited', async () => {
      const c = await t.given.draftCase(officer);
      await t.owner.query(`CREATE FUNCTION inject_evidence_failure() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
      await t.owner
        .query(`CREATE CONSTRAINT TRIGGER inject_evidence_failure AFTER INSERT ON audit_events DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.action = 'evidence.uploaded') EXECUTE FUNCTION inject_evidence_failure()`);
      try {
        const { parts } = pieces(11 * MiB);
        const res = await rawRequest(
          `${origin}${API}/cases/${c.id}/evidence?kind=BWC`,
          'POST',
          {
            ...officer.auth,
            'Content-Type': 'application/octet-stream',
            'Content-Length': 11 * MiB,
            'X-Request-Id': 'commit-fails-1',
          },
          parts,
        );
        expect(res.status).toBe(500);
        expect(res.body.message).not.toMatch(/injected/);
      } finally {
        await t.owner.query('DROP TRIGGER IF EXISTS inject_evidence_failure ON audit_events');
        await t.owner.query('DROP FUNCTION IF EXISTS inject_evidence_failure()');
      }
      await expectNothingLeft(c.id);
      expect(await auditRows(t.owner, `action = 'evidence.uploaded' AND case_id = $1`, [c.id])).toEqual([]);
      const events = await auditRows(t.owner, `request_id = 'commit-fails-1'`);
      expect(events).toEqual([expect.objectContaining({ action: 'evidence.upload', outcome: 'FAILED' })]); // once, by the service
      expect(events[0].details).toMatchObject({
        code: 'INTERNAL.ERROR',
        cleanup: 'object removed',
        bytesReceived: 11 * MiB,
      });
    });

    it('an upload whose process died (no part for UPLOAD_STALE_MINUTES) is aborted by the janitor; a live one is left alone', async () => {
      const c = await t.given.draftCase(officer);
      const start = async (key: string, minutesIdle: number) => {
        const uploadId = await t.storage.client.initiateNewMultipartUpload(t.storage.bucket, key, {});
        const part = await t.storage.client.uploadPart(
          { bucketName: t.storage.bucket, objectName: key, uploadID: uploadId, partNumber: 1, headers: {} },
          randomBytes(PART_MB * MiB),
        );
        await t.owner.query(
          `INSERT INTO storage_uploads (upload_id, bucket, object_key, case_id, started_by, parts, bytes, started_at, last_activity_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, now() - make_interval(mins => $8), now() - make_interval(mins => $8))`,
          [
            uploadId,
            t.storage.bucket,
            key,
            c.id,
            officer.id,
            JSON.stringify([{ part: 1, etag: part.etag, size: PART_MB * MiB }]),
            PART_MB * MiB,
            minutesIdle,
          ],
        );
        return uploadId;
      };
      const dead = await start(`cases/${c.id}/evidence/dead-upload`, 120);
      const live = await start(`cases/${c.id}/evidence/live-upload`, 1);
      expect(await t.storage.pendingUploads()).toEqual([dead, live].sort());

      await expect(t.app.get(UploadJanitor).runOnce()).resolves.toBe(1);
      expect(await t.storage.pendingUploads()).toEqual([live]);
      const states = (await t.owner.query(`SELECT upload_id, state FROM storage_uploads WHERE case_id = $1`, [c.id]))
        .rows;
      expect(Object.fromEntries(states.map((r) => [r.upload_id, r.state]))).toEqual({ [dead]: ENDED, [live]: 'OPEN' });
      expect(await keysOf(c.id)).toEqual([]);
      const [ev] = await auditRows(t.owner, `action = 'evidence.upload.cleaned_up' AND target_id = $1`, [dead]);
      expect(ev).toMatchObject({
        actor_role: 'SYSTEM',
        case_id: c.id,
        details: expect.objectContaining({ previousState: 'OPEN', outcome: ENDED }),
      });

      // Tidy the live one as its (simulated) owner would.
      await t.owner.query(
        `UPDATE storage_uploads SET last_activity_at = now() - interval '2 hours' WHERE upload_id = $1`,
        [live],
      );
      await t.app.get(UploadJanitor).runOnce();
      expect(await t.storage.pendingUploads()).toEqual([]);
    });

    it('a case out of scope: 404 (as if it did not exist), access.denied, nothing read', async () => {
      const c = await t.given.draftCase(officer);
      const bytes = randomBytes(4096);
      const res = await rawRequest(
        `${origin}${API}/cases/${c.id}/evidence?kind=BWC`,
        'POST',
        {
          ...otherOfficer.auth,
          'Content-Type': 'application/octet-stream',
          'Content-Length': bytes.length,
          'X-Request-Id': 'scope-denied-1',
        },
        [bytes],
      );
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('RESOURCE.NOT_FOUND');
      await expectNothingLeft(c.id);
      const [ev] = await auditRows(t.owner, `request_id = 'scope-denied-1'`);
      expect(ev).toMatchObject({
        action: 'access.denied',
        outcome: 'DENIED',
        actor_id: otherOfficer.id,
        case_id: c.id,
        details: expect.objectContaining({ reason: 'out_of_scope' }),
      });
    });

    it.each([
      ['WITHDRAWN (by a supervisor)', 'withdraw'],
      ['CLOSED', 'close'],
      ['SUBMITTED (under review)', 'submit'],
    ])('a case that is %s: 409 naming the state', async (_what, how) => {
      const c = await t.given.caseReadyToSubmit(officer);
      await t.given.evidence(officer, c.id);
      if (how === 'withdraw')
        await t
          .http()
          .post(`${API}/cases/${c.id}/withdraw`)
          .set(supervisor.auth)
          .send({ reason: 'Duplicate report' })
          .expect(200);
      if (how === 'submit')
        await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(200);
      if (how === 'close')
        await t.owner.query(`UPDATE cases SET status = 'CLOSED', closed_at = now() WHERE id = $1`, [c.id]);
      const before = await keysOf(c.id);
      const bytes = randomBytes(4096);
      const res = await rawRequest(
        `${origin}${API}/cases/${c.id}/evidence?kind=BWC`,
        'POST',
        {
          ...officer.auth,
          'Content-Type': 'application/octet-stream',
          'Content-Length': bytes.length,
          'X-Request-Id': `closed-${how}`,
        },
        [bytes],
      );
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        code: 'CASE.INVALID_TRANSITION',
        message: expect.stringMatching(/add evidence to a case in state/),
      });
      expect((await evidenceRows(c.id)).length).toBe(1);
      expect(await keysOf(c.id)).toEqual(before);
      const [ev] = await auditRows(t.owner, `request_id = $1`, [`closed-${how}`]);
      expect(ev).toMatchObject({
        action: 'evidence.upload',
        outcome: 'FAILED',
        case_id: c.id,
        target_type: 'case',
        target_id: c.id,
      });
    });
  });

  describe('custody: reading, downloading, verifying', () => {
    let caseId: string;
    let evidenceId: string;
    let bytes: Buffer;

    beforeAll(async () => {
      caseId = (await t.given.caseReadyToSubmit(officer)).id;
      bytes = randomBytes(7 * MiB + 11);
      const e = await t.given.evidence(officer, caseId, bytes, 'kind=OTHER_VIDEO&originalFilename=clip%22one%22.mov');
      evidenceId = e.id;
    });

    it('GET /evidence/:id returns metadata and the chain of custody, and records the view', async () => {
      const res = await t.http().get(`${API}/evidence/${evidenceId}`).set(auditor.auth).expect(200);
      expect(res.body).toMatchObject({ id: evidenceId, sha256: sha256(bytes), sizeBytes: bytes.length });
      const actions = res.body.custody.map((e: { action: string; actor: { id: string } }) => [e.action, e.actor.id]);
      expect(actions[0]).toEqual(['evidence.uploaded', officer.id]);
      expect(actions[actions.length - 1]).toEqual(['evidence.viewed', auditor.id]);
      const list = await t.http().get(`${API}/cases/${caseId}/evidence`).set(supervisor.auth).expect(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([evidenceId]);
      expect(
        await auditRows(t.owner, `action = 'evidence.listed' AND case_id = $1 AND actor_id = $2`, [
          caseId,
          supervisor.id,
        ]),
      ).toHaveLength(1);
    });

    it('downloads the whole file with its hash headers, and records the download', async () => {
      const res = await rawRequest(`${origin}${API}/evidence/${evidenceId}/content`, 'GET', {
        ...officer.auth,
        'X-Request-Id': 'download-full',
      });
      expect(res.status).toBe(200);
      expect(res.error).toBeUndefined();
      expect(sha256(res.body)).toBe(sha256(bytes));
      expect(res.headers).toMatchObject({
        'content-length': String(bytes.length),
        'accept-ranges': 'bytes',
        'x-evidence-sha256': sha256(bytes),
        'content-disposition': `attachment; filename="clip_one_.mov"; filename*=UTF-8''clip%22one%22.mov`,
        'repr-digest': `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`,
      });
      const [ev] = await auditRows(t.owner, `request_id = 'download-full'`);
      expect(ev).toMatchObject({
        action: 'evidence.downloaded',
        actor_id: officer.id,
        target_id: evidenceId,
        details: expect.objectContaining({ range: null }),
      });
    });

    it.each([
      ['bytes=0-99', 0, 99],
      ['bytes=5242870-5242890', 5242870, 5242890], // across the 5 MiB part boundary
      ['bytes=-1000', 7 * MiB + 11 - 1000, 7 * MiB + 10],
      ['bytes=7340000-', 7340000, 7 * MiB + 10],
    ])('serves Range %s with 206 and exactly those bytes', async (range, start, end) => {
      const res = await rawRequest(`${origin}${API}/evidence/${evidenceId}/content`, 'GET', {
        ...officer.auth,
        Range: range,
      });
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${bytes.length}`);
      expect(res.body.equals(bytes.subarray(start, end + 1))).toBe(true);
      const [ev] = await auditRows(t.owner, `action = 'evidence.downloaded' AND details->>'range' = $1`, [
        `bytes=${start}-${end}`,
      ]);
      expect(ev).toBeDefined();
    });

    it('answers an unsatisfiable Range with 416', async () => {
      const res = await t
        .http()
        .get(`${API}/evidence/${evidenceId}/content`)
        .set(officer.auth)
        .set('Range', `bytes=${bytes.length}-`);
      expect(res.status).toBe(416);
      expect(res.body).toMatchObject({ code: 'RANGE.NOT_SATISFIABLE', sizeBytes: bytes.length });
    });

    it('verify re-reads the object: MATCH, recorded on the item and in the trail', async () => {
      const res = await t.http().post(`${API}/evidence/${evidenceId}/verify`).set(auditor.auth).expect(200);
      expect(res.body).toMatchObject({ evidenceId, result: 'MATCH', sha256: sha256(bytes), sizeBytes: bytes.length });
      const [row] = await evidenceRows(caseId);
      expect(row).toMatchObject({ integrity_status: 'OK', last_verified_by: auditor.id });
      const [ev] = await auditRows(t.owner, `action = 'evidence.verified' AND target_id = $1`, [evidenceId]);
      expect(ev).toMatchObject({ outcome: 'SUCCESS', actor_id: auditor.id });
    });

    if (UNPROTECTED)
      it('after the object is altered behind the API, verify fails loudly and a full download is cut short', async () => {
        const c = await t.given.draftCase(officer);
        const original = randomBytes(64 * 1024);
        const e = await t.given.evidence(officer, c.id, original);
        const [row] = await evidenceRows(c.id);
        const tampered = Buffer.from(original);
        tampered[1000] ^= 0xff;
        await t.storage.client.putObject(t.storage.bucket, row.storage_key, tampered, tampered.length);

        const download = await rawRequest(`${origin}${API}/evidence/${e.id}/content`, 'GET', { ...officer.auth });
        expect(download.status).toBe(200);
        expect(download.error).toBeDefined();
        expect(download.bytes.length).toBeLessThan(original.length);
        await until(
          'the integrity event of the download',
          async () => (await auditRows(t.owner, `action = 'evidence.integrity_failed' AND target_id = $1`, [e.id]))[0],
        );

        const res = await t.http().post(`${API}/evidence/${e.id}/verify`).set(officer.auth);
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({
          code: 'EVIDENCE.INTEGRITY_FAILURE',
          expectedSha256: sha256(original),
          actualSha256: sha256(tampered),
          message: expect.stringMatching(/^INTEGRITY FAILURE/),
        });
        const after = (await evidenceRows(c.id))[0];
        expect(after).toMatchObject({ integrity_status: 'FAILED', sha256: sha256(original) });
        expect(after.integrity_failure).toMatchObject({ during: 'verify', actualSha256: sha256(tampered) });
        const [ev] = await auditRows(t.owner, `action = 'evidence.verified' AND target_id = $1`, [e.id]);
        expect(ev).toMatchObject({
          outcome: 'FAILED',
          details: expect.objectContaining({ expectedSha256: sha256(original), actualSha256: sha256(tampered) }),
        });
        const view = await t.http().get(`${API}/evidence/${e.id}`).set(officer.auth).expect(200);
        expect(view.body.integrity).toMatchObject({
          status: 'FAILED',
          failure: expect.objectContaining({ during: 'verify' }),
        });
      });
  });

  if (UNPROTECTED)
    describe('a stored object that has disappeared', () => {
      it('download and verify answer 409 INTEGRITY FAILURE and mark the item', async () => {
        const c = await t.given.draftCase(officer);
        const e = await t.given.evidence(officer, c.id);
        const [row] = await evidenceRows(c.id);
        await t.storage.client.removeObject(t.storage.bucket, row.storage_key);
        const download = await t.http().get(`${API}/evidence/${e.id}/content`).set(officer.auth);
        expect(download.status).toBe(409);
        expect(download.body).toMatchObject({
          code: 'EVIDENCE.INTEGRITY_FAILURE',
          message: expect.stringMatching(/missing/),
        });
        const verify = await t.http().post(`${API}/evidence/${e.id}/verify`).set(auditor.auth);
        expect(verify.status).toBe(409);
        expect(verify.body).toMatchObject({
          code: 'EVIDENCE.INTEGRITY_FAILURE',
          actualSha256: 'missing',
          actualSize: 0,
        });
        expect((await evidenceRows(c.id))[0].integrity_status).toBe('FAILED');
        const events = await auditRows(t.owner, `target_id = $1 AND outcome = 'FAILED'`, [e.id]);
        expect(events.map((r) => r.action)).toEqual(['evidence.integrity_failed', 'evidence.verified']);
      });
    });

  describe('immutability and the checklist', () => {
    it('submit needs footage (a video item) or a no-footage reason; superseded items do not count', async () => {
      // An MPEG-4 video: what a body-worn camera uploads (random bytes would be evidence, but not footage).
      const video = () =>
        Buffer.concat([
          Buffer.from('0000001c6674797069736f6d0000020069736f6d69736f326d703431', 'hex'),
          randomBytes(4096),
        ]);
      const c = await t.given.draftCase(officer, { ...FULL_CASE, noFootageReason: undefined });
      const withOfficers = await t
        .http()
        .put(`${API}/cases/${c.id}/federal-officers`)
        .set(officer.auth)
        .set('If-Match', `"${c.version}"`)
        .send({
          officers: [{ isSupervisor: true, identificationOutcome: 'REFUSED', identificationMethod: 'Asked; refused' }],
        })
        .expect(200);
      const missing = await t
        .http()
        .post(`${API}/cases/${c.id}/submit`)
        .set(officer.auth)
        .send(SUBMIT_BODY)
        .expect(422);
      expect(missing.body.missing.map((m: { item: string }) => m.item)).toEqual(['evidenceOrNoFootageReason']);

      const e = await t.given.evidence(officer, c.id, video());
      const view = await t.http().get(`${API}/cases/${c.id}`).set(officer.auth).expect(200);
      expect(view.body.checklist).toEqual({ complete: true, missing: [] });

      await t
        .http()
        .post(`${API}/evidence/${e.id}/supersede`)
        .set(officer.auth)
        .send({ reason: 'Wrong clip' })
        .expect(200);
      await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(422);

      await t.given.evidence(officer, c.id, video());
      const submitted = await t
        .http()
        .post(`${API}/cases/${c.id}/submit`)
        .set(officer.auth)
        .send(SUBMIT_BODY)
        .expect(200);
      expect(submitted.body).toMatchObject({ status: 'SUBMITTED', version: withOfficers.body.version + 1 });
    });

    it('supersede keeps the item and its object, needs a reason, and happens once', async () => {
      const c = await t.given.draftCase(officer);
      const e = await t.given.evidence(officer, c.id);
      const replacement = await t.given.evidence(officer, c.id);
      const noReason = await t.http().post(`${API}/evidence/${e.id}/supersede`).set(officer.auth).send({});
      expect(noReason.status).toBe(400);
      expect(noReason.body.fields[0].field).toBe('reason');
      const res = await t
        .http()
        .post(`${API}/evidence/${e.id}/supersede`)
        .set(officer.auth)
        .send({ reason: 'Uploaded the wrong clip', replacedBy: replacement.id })
        .expect(200);
      expect(res.body).toMatchObject({
        id: e.id,
        status: 'SUPERSEDED',
        supersedeReason: 'Uploaded the wrong clip',
        replacedBy: replacement.id,
        supersededBy: officer.id,
      });
      const again = await t
        .http()
        .post(`${API}/evidence/${e.id}/supersede`)
        .set(officer.auth)
        .send({ reason: 'again' });
      expect(again.status).toBe(409);
      const unsatisfiable = await t
        .http()
        .get(`${API}/evidence/${e.id}/content`)
        .set(officer.auth)
        .set('Range', 'bytes=999999-');
      expect(unsatisfiable.status).toBe(416);
      // Each refusal is about this item of this case, so the case's timeline shows it.
      for (const refused of [noReason, again, unsatisfiable]) {
        const [event] = await auditRows(t.owner, 'request_id = $1', [refused.body.requestId]);
        expect(event).toMatchObject({ outcome: 'FAILED', target_type: 'evidence', target_id: e.id, case_id: c.id });
      }
      expect(await keysOf(c.id)).toHaveLength(2);
      await t.http().get(`${API}/evidence/${e.id}/content`).set(officer.auth).expect(200);
      const [ev] = await auditRows(t.owner, `action = 'evidence.superseded' AND target_id = $1`, [e.id]);
      expect(ev.details).toMatchObject({ reason: 'Uploaded the wrong clip', replacedBy: replacement.id });
    });

    it('the database refuses to change what identifies an item, or to delete one, whoever asks', async () => {
      const c = await t.given.draftCase(officer);
      const e = await t.given.evidence(officer, c.id);
      await expect(t.owner.query(`UPDATE evidence SET sha256 = repeat('0', 64) WHERE id = $1`, [e.id])).rejects.toThrow(
        /immutable/,
      );
      await expect(
        t.owner.query(`UPDATE evidence SET storage_key = 'elsewhere' WHERE id = $1`, [e.id]),
      ).rejects.toThrow(/immutable/);
      await expect(t.owner.query(`DELETE FROM evidence WHERE id = $1`, [e.id])).rejects.toThrow(/never deleted/);
      await expect(t.appRole.query(`DELETE FROM evidence WHERE id = $1`, [e.id])).rejects.toThrow(/permission denied/);
      const [row] = await evidenceRows(c.id);
      expect(row.sha256).toBe(e.sha256);
    });
  });

  if (UNPROTECTED)
    describe('storage capabilities', () => {
      it('health reports storage up and that this server offers no WORM', async () => {
        const res = await t.http().get(`${API}/health`).expect(200);
        expect(res.body.checks.storage).toMatchObject({
          status: 'up',
          bucket: t.storage.bucket,
          worm: false,
          wormDetail: 'the storage server does not implement Object Lock',
        });
      });

      it('STORAGE_REQUIRE_WORM=true refuses to start against storage without Object Lock, saying why', async () => {
        const out = await new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(process.execPath, [join(DIST_API, 'main.js')], {
            env: { ...processEnv(t.dbName, t.storage), PORT: '0', STORAGE_REQUIRE_WORM: 'true' },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let text = '';
          child.stdout.on('data', (d) => (text += d));
          child.stderr.on('data', (d) => (text += d));
          child.on('exit', (code) => resolve({ code, out: text }));
        });
        expect(out.code).toBe(1);
        expect(out.out).toMatch(/STORAGE_REQUIRE_WORM=true but bucket .* has no S3 Object Lock/);
        expect(out.out).not.toMatch(/Ready in/);
      });
    });
});
