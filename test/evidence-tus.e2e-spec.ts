import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import * as tus from 'tus-js-client';
import { CasesRepository } from '@app/cases';
import { UploadJanitor } from '@app/evidence';
import { auditRows, createTestApp, startApiProcess, SUBMIT_BODY, TestApp, TestUser } from './harness/test-app';
import { releasableRetention, storageUnderTest } from './harness/test-storage';
import { chunkAt, MiB, SIZE, SIZE_MB } from './harness/large-source';

/*
 * Resumable evidence uploads over tus 1.0.0 (issue 18 §1): the protocol, who may use an upload's URL, the checks
 * before anything exists, completion on the single-request upload's own path, termination and the janitor
 * (in-process app, 5 MiB parts, on both engines); then, on Ceph RGW only, through separate API processes (the built main.js), a 1 GiB upload cut at
 * about 60 % and resumed on the same process, and one whose process is SIGKILLed mid-upload and resumed on a new
 * process with tus-js-client. ION_LARGE_UPLOAD_MB shrinks the 1 GiB file for quick local runs.
 */

jest.setTimeout(600_000);

const API = '/api/v1';
const TUS = { 'Tus-Resumable': '1.0.0' };
const PART_MB = 5;
const ENGINE = storageUnderTest();
/**
 * The two 1 GiB tests through separate API processes run on one engine only (they take minutes): Ceph RGW, the
 * production engine (e2e-ceph project). The in-process tests run on both.
 */
const LARGE_ON = 'ceph';
/** s3rver has no AbortMultipartUpload: the parts are released by completing and removing (storage.service.ts). */
const ENDED = ENGINE === 'ceph' ? 'ABORTED' : 'RELEASED';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const metadata = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(',');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
  sent: number;
}

/**
 * A PATCH streaming `source` with backpressure; with `cutAt`, the socket is destroyed once that many bytes were
 * written (a dropped network). Resolves with the answer, or with status 0 when cut.
 */
function patchStream(
  url: string,
  headers: Record<string, string | number>,
  source: Iterable<Buffer>,
  cutAt = Infinity,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let cut = false;
    const req = http.request(url, { method: 'PATCH', agent: false, headers }, (r) => {
      const parts: Buffer[] = [];
      r.on('data', (d: Buffer) => parts.push(d));
      r.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* empty */
        }
        resolve({ status: r.statusCode!, headers: r.headers, body, sent });
      });
      r.on('error', reject);
    });
    req.on('error', (e) => (cut ? resolve({ status: 0, headers: {}, body: null, sent }) : reject(e)));
    const it = source[Symbol.iterator]();
    const pump = () => {
      for (;;) {
        if (sent >= cutAt) {
          cut = true;
          req.destroy();
          return;
        }
        const n = it.next();
        if (n.done) {
          req.end();
          return;
        }
        sent += n.value.length;
        if (!req.write(n.value)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

/** Bytes [from, to) of the deterministic large source (harness/large-source.ts), in slices of at most 1 MiB. */
function* rangeOf(from: number, to: number): Generator<Buffer> {
  let pos = from;
  while (pos < to) {
    const i = Math.floor(pos / MiB);
    const c = chunkAt(i);
    const within = pos - i * MiB;
    const end = Math.min(c.length, within + (to - pos));
    yield c.subarray(within, end);
    pos += end - within;
  }
}

async function sourceSha256(): Promise<string> {
  const h = createHash('sha256');
  for (const c of rangeOf(0, SIZE)) h.update(c);
  return h.digest('hex');
}

describe(`resumable evidence uploads over tus 1.0.0 (${ENGINE})`, () => {
  let t: TestApp;
  let officer: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { STORAGE_PART_SIZE_MB: String(PART_MB), ...releasableRetention() } });
    officer = await t.given.officer();
  });

  afterAll(async () => {
    await t?.close();
  });

  const uploadsOf = (caseId: string) => `${API}/cases/${caseId}/evidence/uploads`;
  const create = (
    caseId: string,
    length: number,
    meta: Record<string, string> = { kind: 'BWC', deviceId: 'AXON-TUS-1' },
    user = officer,
  ) =>
    t
      .http()
      .post(uploadsOf(caseId))
      .set(user.auth)
      .set(TUS)
      .set('Upload-Length', String(length))
      .set('Upload-Metadata', metadata(meta));
  const head = (location: string, user = officer) => t.http().head(location).set(user.auth).set(TUS);
  const patch = (location: string, offset: number, bytes: Buffer, user = officer) =>
    t
      .http()
      .patch(location)
      .set(user.auth)
      .set(TUS)
      .set('Content-Type', 'application/offset+octet-stream')
      .set('Upload-Offset', String(offset))
      .send(bytes);
  const sessionsOf = async (caseId: string) =>
    (
      await t.owner.query(`SELECT id, outcome FROM evidence_upload_sessions WHERE case_id = $1 ORDER BY started_at`, [
        caseId,
      ])
    ).rows;

  describe('the protocol', () => {
    it('OPTIONS advertises version, extensions and maximum size, without a token', async () => {
      const c = await t.given.draftCase(officer);
      const res = await t.http().options(uploadsOf(c.id)).expect(204);
      expect(res.headers).toMatchObject({
        'tus-resumable': '1.0.0',
        'tus-version': '1.0.0',
        'tus-extension': 'creation,termination',
        'tus-max-size': String(50 * 1024 ** 3),
      });
    });

    it('creates, reports, appends across part boundaries and completes into an item with the right SHA-256 and custody', async () => {
      const c = await t.given.draftCase(officer);
      const file = randomBytes(13 * MiB + 123);
      const created = await create(c.id, file.length, {
        kind: 'BWC',
        deviceId: 'AXON-TUS-1',
        originalFilename: 'shift-07.mp4',
        recordingOfficerBadge: '4471',
      })
        .set('X-Request-Id', 'tus-create-1')
        .expect(201);
      const location: string = created.headers.location;
      expect(location).toMatch(new RegExp(`^${uploadsOf(c.id)}/[0-9a-f-]{36}$`));
      expect(created.headers['tus-resumable']).toBe('1.0.0');
      expect(created.body).toEqual({
        uploadId: location.split('/').pop(),
        caseId: c.id,
        uploadLength: file.length,
        location,
      });
      const [createdEvent] = await auditRows(t.owner, `request_id = 'tus-create-1'`);
      expect(createdEvent).toMatchObject({
        action: 'evidence.upload.created',
        outcome: 'SUCCESS',
        target_type: 'evidence_upload',
        case_id: c.id,
        details: expect.objectContaining({
          protocol: 'tus',
          uploadLength: file.length,
          kind: 'BWC',
          originalFilename: 'shift-07.mp4',
        }),
      });

      let h = await head(location).expect(200);
      expect(h.headers).toMatchObject({
        'upload-offset': '0',
        'upload-length': String(file.length),
        'cache-control': 'no-store',
        'tus-resumable': '1.0.0',
      });
      expect(h.headers['evidence-id']).toBeUndefined();
      // While it is open the case has an upload in progress: submit is refused.
      const submit = await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY);
      expect([409, 422]).toContain(submit.status);

      // Chunks that do not line up with the 5 MiB parts.
      const cuts = [0, 3 * MiB, 7 * MiB + 5, 12 * MiB, file.length];
      let last: any;
      for (let i = 0; i + 1 < cuts.length; i++) {
        last = await patch(location, cuts[i], file.subarray(cuts[i], cuts[i + 1]));
        expect(last.status).toBe(204);
        expect(last.headers['upload-offset']).toBe(String(cuts[i + 1]));
        if (i + 2 < cuts.length) expect(last.headers['evidence-id']).toBeUndefined();
      }
      const evidenceId = last.headers['evidence-id'];
      expect(evidenceId).toBe(created.body.uploadId);
      h = await head(location).expect(200);
      expect(h.headers).toMatchObject({ 'upload-offset': String(file.length), 'evidence-id': evidenceId });

      const item = await t.http().get(`${API}/evidence/${evidenceId}`).set(officer.auth).expect(200);
      expect(item.body).toMatchObject({
        caseId: c.id,
        sha256: sha(file),
        sizeBytes: file.length,
        kind: 'BWC',
        originalFilename: 'shift-07.mp4',
      });
      expect(item.body.custody[0]).toMatchObject({ action: 'evidence.uploaded' });
      const [uploaded] = await auditRows(t.owner, `action = 'evidence.uploaded' AND target_id = $1`, [evidenceId]);
      expect(uploaded.details).toMatchObject({
        protocol: 'tus',
        uploadId: evidenceId,
        sha256: sha(file),
        sizeBytes: file.length,
        storage: expect.objectContaining({ parts: 3 }),
        digest: expect.stringMatching(/hashed as streamed/),
      });
      const content = await t
        .http()
        .get(`${API}/evidence/${evidenceId}/content`)
        .set(officer.auth)
        .buffer(true)
        .parse((res, cb) => {
          const p: Buffer[] = [];
          res.on('data', (d: Buffer) => p.push(d));
          res.on('end', () => cb(null, Buffer.concat(p)));
        })
        .expect(200);
      expect(sha(content.body as Buffer)).toBe(sha(file));
      expect(await sessionsOf(c.id)).toEqual([{ id: evidenceId, outcome: 'STORED' }]);
      // A completed upload cannot be terminated: it is evidence.
      await t.http().delete(location).set(officer.auth).set(TUS).expect(409);
    });

    it('refuses before anything exists: no Tus-Resumable, no Upload-Length, bad metadata (naming the field), empty, too large', async () => {
      const c = await t.given.draftCase(officer);
      const none = await t
        .http()
        .post(uploadsOf(c.id))
        .set(officer.auth)
        .set('Upload-Length', '10')
        .set('Upload-Metadata', metadata({ kind: 'BWC' }))
        .expect(412);
      expect(none.body).toMatchObject({ code: 'UPLOAD.TUS_VERSION_UNSUPPORTED', requestId: expect.any(String) });
      const noLength = await t
        .http()
        .post(uploadsOf(c.id))
        .set(officer.auth)
        .set(TUS)
        .set('Upload-Metadata', metadata({ kind: 'BWC' }))
        .expect(400);
      expect(noLength.body.fields).toEqual([{ field: 'Upload-Length', errors: [expect.any(String)] }]);
      const badKind = await create(c.id, 10, { kind: 'VHS' }).expect(400);
      expect(badKind.body.fields.map((f: { field: string }) => f.field)).toEqual(['kind']);
      const unknown = await create(c.id, 10, { kind: 'BWC', storageKey: 'x.mp4' }).expect(400);
      expect(unknown.body.fields).toEqual([
        { field: 'storageKey', errors: [expect.stringMatching(/not an accepted Upload-Metadata key/)] },
      ]);
      const notB64 = await t
        .http()
        .post(uploadsOf(c.id))
        .set(officer.auth)
        .set(TUS)
        .set('Upload-Length', '10')
        .set('Upload-Metadata', 'kind QldD!')
        .expect(400);
      expect(notB64.body.fields[0].field).toBe('kind');
      const badTimes = await create(c.id, 10, {
        kind: 'BWC',
        recordedStart: '2026-11-20T15:00:00Z',
        recordedEnd: '2026-11-20T14:00:00Z',
      }).expect(400);
      expect(badTimes.body.fields[0].field).toBe('recordedEnd');
      const badSha = await create(c.id, 10, { kind: 'BWC', sha256: 'abc' }).expect(400);
      expect(badSha.body.fields[0].field).toBe('sha256');
      await create(c.id, 0).expect(422);
      const tooLarge = await create(c.id, 50 * 1024 ** 3 + 1).expect(413);
      expect(tooLarge.body.code).toBe('UPLOAD.TOO_LARGE');
      expect(await sessionsOf(c.id)).toEqual([]);
      expect(await auditRows(t.owner, `action = 'evidence.upload.created' AND case_id = $1`, [c.id])).toEqual([]);
      const refused = await auditRows(t.owner, `action = 'evidence.upload' AND outcome = 'FAILED' AND case_id = $1`, [
        c.id,
      ]);
      expect(refused.length).toBe(9);
    });

    it("tus clients' conventional keys: filetype is the declared content type (as the single-request upload's Content-Type), filename an alias of originalFilename", async () => {
      const c = await t.given.draftCase(officer);
      const file = randomBytes(3000);
      const {
        headers: { location },
      } = await create(c.id, file.length, { kind: 'BWC', filetype: 'video/mp4', filename: 'shift-09.mp4' })
        .set('X-Request-Id', 'tus-filetype-1')
        .expect(201);
      const [createdEvent] = await auditRows(t.owner, `request_id = 'tus-filetype-1'`);
      expect(createdEvent.details).toMatchObject({
        declaredContentType: 'video/mp4',
        originalFilename: 'shift-09.mp4',
      });
      const done = await patch(location, 0, file).expect(204);
      const id = done.headers['evidence-id'];
      // The same file through the single-request upload, its Content-Type video/mp4: recorded the same way.
      const single = await t.given.evidence(
        officer,
        (await t.given.draftCase(officer)).id,
        file,
        'kind=BWC&originalFilename=shift-09.mp4',
      );
      const items = await Promise.all(
        [id, single.id].map(
          async (e) => (await t.http().get(`${API}/evidence/${e}`).set(officer.auth).expect(200)).body,
        ),
      );
      const singleRow = (await t.owner.query(`SELECT declared_content_type FROM evidence WHERE id = $1`, [single.id]))
        .rows[0];
      expect(singleRow).toEqual({ declared_content_type: 'application/octet-stream' }); // what the harness's raw upload sends
      expect(items[0]).toMatchObject({
        declaredContentType: 'video/mp4',
        originalFilename: 'shift-09.mp4',
        contentType: items[1].contentType,
      });
      const [uploaded] = await auditRows(t.owner, `action = 'evidence.uploaded' AND target_id = $1`, [id]);
      expect(uploaded.details).toMatchObject({ declaredContentType: 'video/mp4', originalFilename: 'shift-09.mp4' });
      // With parameters, as a Content-Type header may carry them; an empty filetype (a browser's File.type for an unknown type): none.
      for (const [filetype, recorded] of [
        ['video/webm; codecs="vp8, opus"', 'video/webm; codecs="vp8, opus"'],
        ['', null],
      ] as const) {
        const d = await t.given.draftCase(officer);
        const bytes = randomBytes(100);
        const {
          headers: { location: l },
        } = await create(d.id, bytes.length, { kind: 'BWC', filetype }).expect(201);
        const e = (await patch(l, 0, bytes).expect(204)).headers['evidence-id'];
        expect((await t.owner.query(`SELECT declared_content_type FROM evidence WHERE id = $1`, [e])).rows).toEqual([
          { declared_content_type: recorded },
        ]);
      }
      // filename and originalFilename together: the same value is accepted, different values refused naming filename.
      const d = await t.given.draftCase(officer);
      await create(d.id, 10, { kind: 'BWC', filename: 'a.mp4', originalFilename: 'a.mp4' }).expect(201);
      const both = await create(d.id, 10, { kind: 'BWC', filename: 'a.mp4', originalFilename: 'b.mp4' }).expect(400);
      expect(both.body.fields).toEqual([
        { field: 'filename', errors: [expect.stringMatching(/alias of originalFilename/)] },
      ]);
      // filename is checked as originalFilename is, and a refusal names the key sent.
      const long = await create(d.id, 10, { kind: 'BWC', filename: 'x'.repeat(256) }).expect(400);
      expect(long.body.fields.map((f: { field: string }) => f.field)).toEqual(['filename']);
      // filetype: a media type on one line, at most 255 characters.
      for (const bad of [
        'video',
        'video/mp4\nX-Injected: 1',
        'video/mp4\u0085',
        `video/${'x'.repeat(250)}`,
        'video/mp4; codecs="a\u0000"',
        '../../etc/passwd',
      ]) {
        const res = await create(d.id, 10, { kind: 'BWC', filetype: bad }).expect(400);
        expect({ bad, fields: res.body.fields.map((f: { field: string }) => f.field) }).toEqual({
          bad,
          fields: ['filetype'],
        });
      }
      expect((await sessionsOf(d.id)).length).toBe(1);
    });

    it('PATCH refuses a wrong offset (409 with the offset), a wrong Content-Type (415), and keeps the upload', async () => {
      const c = await t.given.draftCase(officer);
      const file = randomBytes(64 * 1024);
      const {
        headers: { location },
      } = await create(c.id, file.length).expect(201);
      await patch(location, 0, file.subarray(0, 1000)).expect(204);
      const wrong = await patch(location, 0, file.subarray(0, 1000)).expect(409);
      expect(wrong.body).toMatchObject({ code: 'RESOURCE.CONFLICT', uploadOffset: 1000 });
      await t
        .http()
        .patch(location)
        .set(officer.auth)
        .set(TUS)
        .set('Content-Type', 'application/octet-stream')
        .set('Upload-Offset', '1000')
        .send(file.subarray(1000))
        .expect(415);
      const done = await patch(location, 1000, file.subarray(1000)).expect(204);
      expect(done.headers['evidence-id']).toEqual(expect.any(String));
    });
  });

  describe('who may use an upload', () => {
    it("only its creator: anyone else (even the district's supervisor) gets 404 on HEAD, PATCH and DELETE, audited as denied", async () => {
      const c = await t.given.draftCase(officer);
      const supervisor = await t.given.supervisor();
      const other = await t.given.officer();
      const {
        headers: { location },
        body: { uploadId },
      } = await create(c.id, 100).expect(201);
      for (const user of [supervisor, other]) {
        await head(location, user).expect(404);
        const p = await patch(location, 0, randomBytes(100), user).expect(404);
        expect(p.body).toMatchObject({ code: 'RESOURCE.NOT_FOUND' });
        await t.http().delete(location).set(user.auth).set(TUS).expect(404);
      }
      const denied = await auditRows(t.owner, `action = 'access.denied' AND target_id = $1`, [uploadId]);
      expect(denied.map((e) => [e.actor_id, e.target_type, e.case_id, e.details.reason])).toEqual([
        ...[supervisor, other].flatMap((u) => Array(3).fill([u.id, 'evidence_upload', c.id, 'out_of_scope'])),
      ]);
      await head(location).expect(200).expect('Upload-Offset', '0');
      await t.http().head(location).set(TUS).expect(401);
    });
  });

  describe('one scope check per request', () => {
    /** The case's scope checks (CasesRepository.findInScope) one request makes: plain reads, and row locks in a transaction. */
    async function scopeChecks(caseId: string, request: () => Promise<unknown>) {
      const spy = jest.spyOn(t.app.get(CasesRepository), 'findInScope');
      try {
        await request();
        const calls = spy.mock.calls.filter(([, id]) => id === caseId);
        return { read: calls.filter(([, , em]) => !em).length, locked: calls.filter(([, , em]) => !!em).length };
      } finally {
        spy.mockRestore();
      }
    }

    it("POST, PATCH, HEAD and DELETE each load the case in the caller's scope once (and lock it once where they write under it)", async () => {
      const c = await t.given.draftCase(officer);
      const file = randomBytes(6 * MiB + 10);
      let location = '';
      const post = await scopeChecks(c.id, async () => {
        location = (await create(c.id, file.length).expect(201)).headers.location;
      });
      const append = await scopeChecks(c.id, () =>
        patch(location, 0, file.subarray(0, 3 * MiB))
          .expect(204)
          .expect('Upload-Offset', String(3 * MiB)),
      );
      const status = await scopeChecks(c.id, () =>
        head(location)
          .expect(200)
          .expect('Upload-Offset', String(3 * MiB)),
      );
      const complete = await scopeChecks(c.id, async () => {
        const done = await patch(location, 3 * MiB, file.subarray(3 * MiB)).expect(204);
        expect(done.headers['evidence-id']).toBe(location.split('/').pop());
      });
      const other = (await create(c.id, 100).expect(201)).headers.location as string;
      const terminate = await scopeChecks(c.id, () => t.http().delete(other).set(officer.auth).set(TUS).expect(204));
      expect({ post, append, status, complete, terminate }).toEqual({
        // The session opens under the case's row lock (beginSession, as the single-request upload).
        post: { read: 1, locked: 1 },
        append: { read: 1, locked: 0 },
        status: { read: 1, locked: 0 },
        // The item is made under the case's row lock (finishUpload, as the single-request upload).
        complete: { read: 1, locked: 1 },
        terminate: { read: 1, locked: 0 },
      });
    });

    it("the answers of a PATCH whose case left the caller's scope or stopped accepting evidence, audited", async () => {
      // The creator no longer reaches the case (a supervisor's upload, the case moved to another district): 404, denied.
      const supervisor = await t.given.supervisor();
      const moved = await t.given.draftCase(officer);
      const {
        headers: { location: movedAt },
        body: { uploadId: movedId },
      } = await create(moved.id, 100, { kind: 'BWC' }, supervisor).expect(201);
      await t.owner.query(`UPDATE cases SET district = 2 WHERE id = $1`, [moved.id]);
      const gone = await patch(movedAt, 0, randomBytes(100), supervisor).set('X-Request-Id', 'tus-scope-1').expect(404);
      expect(gone.body).toMatchObject({
        code: 'RESOURCE.NOT_FOUND',
        message: `No evidence_upload with id ${movedId} was found.`,
      });
      expect(
        (await auditRows(t.owner, `request_id = 'tus-scope-1'`)).map((e) => [
          e.action,
          e.outcome,
          e.target_type,
          e.target_id,
          e.case_id,
        ]),
      ).toEqual([['access.denied', 'DENIED', 'evidence_upload', movedId, moved.id]]);

      // The case stopped accepting evidence (closed behind the API's back): 409 naming its state, nothing received.
      const c = await t.given.draftCase(officer);
      const file = randomBytes(2000);
      const {
        headers: { location },
      } = await create(c.id, file.length).expect(201);
      const stored = (await create(c.id, 10).expect(201)).headers.location as string;
      await patch(stored, 0, randomBytes(10)).expect(204);
      await patch(location, 0, file.subarray(0, 1000)).expect(204);
      await t.owner.query(`UPDATE cases SET status = 'CLOSED', closed_at = now() WHERE id = $1`, [c.id]);
      const refused = await patch(location, 1000, file.subarray(1000)).set('X-Request-Id', 'tus-state-1').expect(409);
      expect(refused.body).toMatchObject({
        code: 'CASE.INVALID_TRANSITION',
        message: 'Cannot add evidence to a case in state CLOSED.',
        currentState: 'CLOSED',
      });
      expect(
        (await auditRows(t.owner, `request_id = 'tus-state-1'`)).map((e) => [
          e.action,
          e.outcome,
          e.details.code,
          e.details.status,
        ]),
      ).toEqual([['evidence.upload', 'FAILED', 'CASE.INVALID_TRANSITION', 409]]);
      await head(location).expect(200).expect('Upload-Offset', '1000');
      // A completed upload still answers its final offset (it is evidence already, whatever the case's state).
      await patch(stored, 10, Buffer.alloc(0)).expect(204).expect('Upload-Offset', '10');
    });
  });

  describe('failures at completion keep nothing', () => {
    it('a sha256 mismatch: 422, no item, the multipart upload released, the session FAILED, audited; the upload is gone (410)', async () => {
      const c = await t.given.draftCase(officer);
      const file = randomBytes(6 * MiB);
      const {
        headers: { location },
        body: { uploadId },
      } = await create(c.id, file.length, { kind: 'BWC', sha256: sha(randomBytes(8)) }).expect(201);
      await patch(location, 0, file.subarray(0, 5 * MiB + 1)).expect(204);
      const res = await patch(location, 5 * MiB + 1, file.subarray(5 * MiB + 1))
        .set('X-Request-Id', 'tus-mismatch-1')
        .expect(422);
      expect(res.body).toMatchObject({ code: 'EVIDENCE.HASH_MISMATCH', actualSha256: sha(file) });
      expect((await t.owner.query(`SELECT id FROM evidence WHERE case_id = $1`, [c.id])).rows).toEqual([]);
      expect(await t.storage.keys(`cases/${c.id}/`)).toEqual([]);
      expect(await sessionsOf(c.id)).toEqual([{ id: uploadId, outcome: 'FAILED' }]);
      const events = await auditRows(t.owner, `request_id = 'tus-mismatch-1'`);
      expect(events).toEqual([
        expect.objectContaining({
          action: 'evidence.upload',
          outcome: 'FAILED',
          details: expect.objectContaining({ code: 'EVIDENCE.HASH_MISMATCH' }),
        }),
      ]);
      const gone = await t
        .http()
        .patch(location)
        .set(officer.auth)
        .set(TUS)
        .set('Content-Type', 'application/offset+octet-stream')
        .set('Upload-Offset', '0')
        .send(Buffer.alloc(1))
        .expect(410);
      expect(gone.body).toMatchObject({ code: 'UPLOAD.GONE', outcome: 'FAILED' });
    });

    it('a chunked body that runs past Upload-Length (the file is larger than declared): 400 naming Content-Length, the upload ended, nothing kept, audited', async () => {
      const c = await t.given.draftCase(officer);
      const declared = 6 * MiB;
      const file = randomBytes(declared + 4096);
      const {
        headers: { location },
        body: { uploadId },
      } = await create(c.id, declared).expect(201);
      // No Content-Length (chunked): the server learns of the extra bytes only as they arrive.
      const req = t
        .http()
        .patch(location)
        .set(officer.auth)
        .set(TUS)
        .set('Content-Type', 'application/offset+octet-stream')
        .set('Upload-Offset', '0')
        .set('X-Request-Id', 'tus-overflow-1');
      req.write(file.subarray(0, 3 * MiB));
      req.write(file.subarray(3 * MiB));
      const res = await req;
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION.FAILED',
        fields: [{ field: 'Content-Length', errors: [expect.stringContaining(`ran past Upload-Length ${declared}`)] }],
      });
      expect(res.body.fields[0].errors[0]).toContain('nothing was kept');
      expect((await t.owner.query(`SELECT id FROM evidence WHERE case_id = $1`, [c.id])).rows).toEqual([]);
      expect(await t.storage.keys(`cases/${c.id}/`)).toEqual([]);
      expect(await sessionsOf(c.id)).toEqual([{ id: uploadId, outcome: 'FAILED' }]);
      const events = await auditRows(t.owner, `request_id = 'tus-overflow-1'`);
      expect(events).toEqual([
        expect.objectContaining({
          action: 'evidence.upload',
          outcome: 'FAILED',
          details: expect.objectContaining({ evidenceId: uploadId, protocol: 'tus', cleanup: ENDED }),
        }),
      ]);
      // Not completable with the bytes that fit: the upload is gone.
      const gone = await t
        .http()
        .patch(location)
        .set(officer.auth)
        .set(TUS)
        .set('Content-Type', 'application/offset+octet-stream')
        .set('Upload-Offset', String(declared))
        .send(Buffer.alloc(0))
        .expect(410);
      expect(gone.body).toMatchObject({ code: 'UPLOAD.GONE', outcome: 'FAILED' });
    });

    it('the same file as an active item: 409 EVIDENCE.DUPLICATE naming it, nothing kept', async () => {
      const c = await t.given.draftCase(officer);
      const file = randomBytes(4096);
      const first = await t.given.evidence(officer, c.id, file);
      const {
        headers: { location },
      } = await create(c.id, file.length).expect(201);
      const res = await patch(location, 0, file).expect(409);
      expect(res.body).toMatchObject({ code: 'EVIDENCE.DUPLICATE', existingEvidenceId: first.id });
      expect((await t.owner.query(`SELECT id FROM evidence WHERE case_id = $1`, [c.id])).rows).toEqual([
        { id: first.id },
      ]);
    });
  });

  describe('ending an upload that will not complete', () => {
    it('DELETE abandons it: its stored parts released, the session CANCELLED, audited; the case can be submitted again', async () => {
      const c = await t.given.caseReadyToSubmit(officer);
      const {
        headers: { location },
        body: { uploadId },
      } = await create(c.id, 20 * MiB).expect(201);
      await patch(location, 0, randomBytes(6 * MiB)).expect(204);
      const [{ storage_upload_id: storageUploadId }] = (
        await t.owner.query(`SELECT storage_upload_id FROM evidence_tus_uploads WHERE id = $1`, [uploadId])
      ).rows;
      expect(storageUploadId).toEqual(expect.any(String));
      await t.http().delete(location).set(officer.auth).set(TUS).set('X-Request-Id', 'tus-delete-1').expect(204);
      const [ev] = await auditRows(t.owner, `request_id = 'tus-delete-1'`);
      expect(ev).toMatchObject({
        action: 'evidence.upload.cancelled',
        outcome: 'SUCCESS',
        actor_id: officer.id,
        target_id: uploadId,
        case_id: c.id,
        details: expect.objectContaining({ bytesStored: PART_MB * MiB, bytesReceived: 6 * MiB, cleanup: ENDED }),
      });
      expect(
        (await t.owner.query(`SELECT state FROM storage_uploads WHERE upload_id = $1`, [storageUploadId])).rows,
      ).toEqual([{ state: ENDED }]);
      expect(await t.storage.pendingUploads()).not.toContain(storageUploadId);
      expect(await sessionsOf(c.id)).toEqual([{ id: uploadId, outcome: 'CANCELLED' }]);
      await head(location).expect(410);
      await t.http().post(`${API}/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(200);
    });

    it('an upload nobody resumes is abandoned by the janitor after UPLOAD_STALE_MINUTES: parts released, audited', async () => {
      const c = await t.given.draftCase(officer);
      const {
        headers: { location },
        body: { uploadId },
      } = await create(c.id, 20 * MiB).expect(201);
      await patch(location, 0, randomBytes(6 * MiB)).expect(204);
      // A PATCH answers while its part is still being stored; HEAD answers once it is (the upload is locked till then).
      expect((await head(location).expect(200)).headers['upload-offset']).toBe(String(6 * MiB));
      const [{ storage_upload_id: storageUploadId }] = (
        await t.owner.query(`SELECT storage_upload_id FROM evidence_tus_uploads WHERE id = $1`, [uploadId])
      ).rows;
      // Time passes (UPLOAD_STALE_MINUTES, 60 by default) without a byte: as if its last activity were 2 hours ago.
      await t.owner.query(
        `UPDATE evidence_upload_sessions SET stale_at = now() - interval '1 hour', last_activity_at = now() - interval '2 hours' WHERE id = $1`,
        [uploadId],
      );
      await expect(t.app.get(UploadJanitor).runOnce()).resolves.toBe(2);
      const [abandoned] = await auditRows(t.owner, `action = 'evidence.upload.abandoned' AND target_id = $1`, [
        uploadId,
      ]);
      expect(abandoned).toMatchObject({
        actor_role: 'SYSTEM',
        case_id: c.id,
        details: expect.objectContaining({ protocol: 'tus', startedBy: officer.id }),
      });
      const [cleaned] = await auditRows(t.owner, `action = 'evidence.upload.cleaned_up' AND target_id = $1`, [
        storageUploadId,
      ]);
      expect(cleaned).toMatchObject({
        actor_role: 'SYSTEM',
        case_id: c.id,
        details: expect.objectContaining({ outcome: ENDED, parts: 1, bytes: PART_MB * MiB }),
      });
      expect(await t.storage.pendingUploads()).not.toContain(storageUploadId);
      expect(await t.storage.keys(`cases/${c.id}/`)).toEqual([]);
      const gone = await head(location).expect(410);
      expect(gone.headers['upload-offset']).toBeUndefined();
      await patch(location, 6 * MiB, randomBytes(10)).expect(410);
    });
  });

  if (ENGINE === LARGE_ON)
    describe(`${SIZE_MB} MiB through separate API processes`, () => {
      let sourceSha: string;
      beforeAll(async () => {
        sourceSha = await sourceSha256();
      });

      it("cut at about 60 % and resumed: the stored SHA-256 is the source's, bytes sent < size + one chunk", async () => {
        const api = await startApiProcess(t.dbName, t.storage, releasableRetention());
        try {
          const c = await t.given.draftCase(officer);
          const created = await api
            .http()
            .post(uploadsOf(c.id))
            .set(officer.auth)
            .set(TUS)
            .set('Upload-Length', String(SIZE))
            .set(
              'Upload-Metadata',
              metadata({ kind: 'BWC', deviceId: 'AXON-TUS-LARGE', originalFilename: 'large.bin' }),
            )
            .expect(201);
          const url = `${api.url}${created.headers.location}`;
          const headers = { ...officer.auth, ...TUS, 'Content-Type': 'application/offset+octet-stream' };
          const started = Date.now();
          const first = await patchStream(
            url,
            { ...headers, 'Upload-Offset': 0, 'Content-Length': SIZE },
            rangeOf(0, SIZE),
            Math.round(SIZE * 0.6),
          );
          expect(first.status).toBe(0); // cut
          const h = await api.http().head(created.headers.location).set(officer.auth).set(TUS).expect(200);
          const offset = Number(h.headers['upload-offset']);
          expect(offset).toBeGreaterThan(SIZE * 0.5);
          expect(offset).toBeLessThanOrEqual(first.sent);
          const second = await patchStream(
            url,
            { ...headers, 'Upload-Offset': offset, 'Content-Length': SIZE - offset },
            rangeOf(offset, SIZE),
          );
          const seconds = (Date.now() - started) / 1000;
          expect(second.status).toBe(204);
          const total = first.sent + second.sent;
          console.log(
            `[evidence-tus] ${SIZE_MB} MiB cut at ${first.sent} bytes (60 %), resumed at ${offset}: ${total} bytes sent in all ` +
              `(${total - SIZE} over the size), ${seconds.toFixed(1)} s`,
          );
          expect(total).toBeLessThan(SIZE + 8 * MiB);
          const evidenceId = second.headers['evidence-id'] as string;
          const [row] = (await t.owner.query(`SELECT sha256, size_bytes FROM evidence WHERE id = $1`, [evidenceId]))
            .rows;
          expect(row).toEqual({ sha256: sourceSha, size_bytes: String(SIZE) });
          // The stored object itself, read back from storage.
          const stored = createHash('sha256');
          for await (const chunk of await t.storage.client.getObject(
            t.storage.bucket,
            `cases/${c.id}/evidence/${evidenceId}`,
          ))
            stored.update(chunk as Buffer);
          expect(stored.digest('hex')).toBe(sourceSha);
        } finally {
          await api.stop();
        }
      });

      it('the API process SIGKILLed mid-upload, a new one started: tus-js-client resumes at the stored offset and the digest is right', async () => {
        const c = await t.given.draftCase(officer);
        const endpoint = (base: string) => `${base}${uploadsOf(c.id)}`;
        const fileReader = {
          openFile: async () => ({
            size: SIZE,
            // tus-js-client reads a slice's length from `size` (as on its own Node stream slices).
            slice: async (start: number, end: number) => {
              const value = Object.assign(Buffer.concat([...rangeOf(start, Math.min(end, SIZE))]), {
                size: Math.min(end, SIZE) - start,
              });
              return { value, done: end >= SIZE };
            },
            close: () => undefined,
          }),
        };
        const options = (extra: Partial<tus.UploadOptions>): tus.UploadOptions => ({
          headers: officer.auth,
          chunkSize: 8 * MiB,
          fileReader,
          metadata: { kind: 'BWC', deviceId: 'AXON-TUS-KILL', originalFilename: 'killed.bin' },
          storeFingerprintForResuming: false,
          retryDelays: null,
          ...extra,
        });
        // The file is read through `fileReader` (the deterministic source), never from this object.
        const INPUT = { size: SIZE } as unknown as Blob;
        const first = await startApiProcess(t.dbName, t.storage, releasableRetention());
        let uploadPath = '';
        let acked = 0;
        let sentBeforeKill = 0;
        try {
          await new Promise<void>((resolve) => {
            const upload = new tus.Upload(
              INPUT,
              options({
                endpoint: endpoint(first.url),
                onProgress: (sent) => {
                  sentBeforeKill = Math.max(sentBeforeKill, sent);
                },
                onChunkComplete: (_size, accepted) => {
                  acked = accepted;
                  if (accepted >= SIZE * 0.55 && !uploadPath) {
                    uploadPath = new URL(upload.url!).pathname;
                    process.kill(first.pid, 'SIGKILL');
                  }
                },
                onError: () => resolve(),
                onSuccess: () => resolve(),
              }),
            );
            upload.start();
          });
        } finally {
          await first.stop();
        }
        expect(uploadPath).not.toBe('');
        const second = await startApiProcess(t.dbName, t.storage, releasableRetention());
        try {
          const h = await second.http().head(uploadPath).set(officer.auth).set(TUS).expect(200);
          const offset = Number(h.headers['upload-offset']);
          // Only whole stored parts survive the process: the offset is a multiple of the part size, at most what was acknowledged.
          expect(offset % (8 * MiB)).toBe(0);
          expect(offset).toBeLessThanOrEqual(acked);
          expect(offset).toBeGreaterThan(SIZE * 0.4);
          let resumedSent = 0;
          const started = Date.now();
          const evidenceId = await new Promise<string>((resolve, reject) => {
            const upload = new tus.Upload(
              INPUT,
              options({
                uploadUrl: `${second.url}${uploadPath}`,
                onProgress: (sent) => {
                  resumedSent = sent;
                },
                onSuccess: ({ lastResponse }) => resolve(lastResponse.getHeader('Evidence-Id')!),
                onError: reject,
              }),
            );
            upload.start();
          });
          const seconds = (Date.now() - started) / 1000;
          console.log(
            `[evidence-tus] SIGKILL at ${acked} bytes acknowledged; new process resumed at ${offset}: ` +
              `${resumedSent - offset} bytes sent after the restart, completion incl. read-back in ${seconds.toFixed(1)} s`,
          );
          const [row] = (await t.owner.query(`SELECT sha256, size_bytes FROM evidence WHERE id = $1`, [evidenceId]))
            .rows;
          expect(row).toEqual({ sha256: sourceSha, size_bytes: String(SIZE) });
          const [uploaded] = await auditRows(t.owner, `action = 'evidence.uploaded' AND target_id = $1`, [evidenceId]);
          expect(uploaded.details).toMatchObject({
            protocol: 'tus',
            sha256: sourceSha,
            digest: expect.stringMatching(/read back from storage/),
          });
          console.log(
            `[evidence-tus] read-back digest of ${SIZE_MB} MiB at completion: ${uploaded.details.digestMs} ms`,
          );
        } finally {
          await second.stop();
        }
      });
    });
});
