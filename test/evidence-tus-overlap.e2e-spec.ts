import { createHash, randomBytes } from 'node:crypto';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';
import { releasableRetention, storageUnderTest } from './harness/test-storage';

/*
 * A tus PATCH is answered once its bytes are handed to storage; its last part may still be on its way. The next
 * PATCH of the same upload (same process, the offset just answered) takes the upload's lock over and is received
 * while that part is stored, as the single-request upload overlaps receiving and storing (issues 18/19: tus
 * throughput). Storage sits behind a TcpProxy whose answers are held, so "still being stored" is deterministic.
 * If a part acknowledged that way then fails, nothing is made of the upload: HEAD answers the offset actually
 * stored and the client resends from there.
 */

jest.setTimeout(120_000);

const API = '/api/v1';
const TUS = { 'Tus-Resumable': '1.0.0' };
const PART_MB = 5;
const PART = PART_MB * 1024 * 1024;
const ENGINE = storageUnderTest();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe(`tus: the next PATCH is received while the previous one's part is stored (${ENGINE})`, () => {
  let t: TestApp;
  let officer: TestUser;

  beforeAll(async () => {
    t = await createTestApp({
      storageProxy: true,
      env: { STORAGE_PART_SIZE_MB: String(PART_MB), ...releasableRetention() },
    });
    officer = await t.given.officer();
  });

  afterAll(async () => {
    await t?.close();
  });

  const proxy = () => t.storageProxy!;
  const create = async (caseId: string, length: number): Promise<string> => {
    const res = await t
      .http()
      .post(`${API}/cases/${caseId}/evidence/uploads`)
      .set(officer.auth)
      .set(TUS)
      .set('Upload-Length', String(length))
      .set('Upload-Metadata', `kind ${b64('BWC')},deviceId ${b64('AXON-OVERLAP-1')}`)
      .expect(201);
    return res.headers.location as string;
  };
  /** A PATCH that must be answered within `ms` (a PATCH waiting for the lock would not be). */
  const patch = (location: string, offset: number, bytes: Buffer, ms = 10_000) =>
    t
      .http()
      .patch(location)
      .set(officer.auth)
      .set(TUS)
      .set('Content-Type', 'application/offset+octet-stream')
      .set('Upload-Offset', String(offset))
      .timeout({ response: ms })
      .send(bytes);
  const head = (location: string) => t.http().head(location).set(officer.auth).set(TUS).timeout({ response: 30_000 });
  const storedParts = async (uploadId: string): Promise<number> =>
    (
      await t.owner.query(
        `SELECT coalesce(jsonb_array_length(su.parts), 0) AS n FROM evidence_tus_uploads u LEFT JOIN storage_uploads su ON su.upload_id = u.storage_upload_id WHERE u.id = $1`,
        [uploadId],
      )
    ).rows[0]?.n ?? 0;

  /** The first part sent and stored (its multipart upload begun) while storage answers. */
  async function firstPartStored(location: string, uploadId: string, file: Buffer): Promise<void> {
    const first = await patch(location, 0, file.subarray(0, PART));
    expect(first.status).toBe(204);
    const until = Date.now() + 10_000;
    while ((await storedParts(uploadId)) < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await storedParts(uploadId)).toBe(1);
  }

  it('while storage holds its answers, the second PATCH is answered (its part joins the first in flight); the item is whole once storage answers', async () => {
    const c = await t.given.draftCase(officer);
    const file = randomBytes(4 * PART + 1234);
    const location = await create(c.id, file.length);
    const uploadId = location.split('/').pop()!;
    await firstPartStored(location, uploadId, file);

    proxy().stallDownstreamAfter(0);
    try {
      const second = await patch(location, PART, file.subarray(PART, 2 * PART));
      expect(second.status).toBe(204);
      expect(second.headers['upload-offset']).toBe(String(2 * PART));
      // Before the hand-over this PATCH waited for the second part to be stored (here: for ever) before reading a byte.
      const third = await patch(location, 2 * PART, file.subarray(2 * PART, 3 * PART), 5_000);
      expect(third.status).toBe(204);
      expect(third.headers['upload-offset']).toBe(String(3 * PART));
      // Only the first part is stored: the other two are in flight.
      expect(await storedParts(uploadId)).toBe(1);
    } finally {
      proxy().resumeDownstream();
    }
    const last = await patch(location, 3 * PART, file.subarray(3 * PART), 30_000);
    expect(last.status).toBe(204);
    expect(last.headers['upload-offset']).toBe(String(file.length));
    expect(last.headers['evidence-id']).toBe(uploadId);

    const item = await t.http().get(`${API}/evidence/${uploadId}`).set(officer.auth).expect(200);
    expect(item.body).toMatchObject({ sha256: sha(file), sizeBytes: file.length });
    const content = await t
      .http()
      .get(`${API}/evidence/${uploadId}/content`)
      .set(officer.auth)
      .buffer(true)
      .parse((res, cb) => {
        const p: Buffer[] = [];
        res.on('data', (d: Buffer) => p.push(d));
        res.on('end', () => cb(null, Buffer.concat(p)));
      })
      .expect(200);
    expect(sha(content.body as Buffer)).toBe(sha(file));
    const [uploaded] = await auditRows(t.owner, `action = 'evidence.uploaded' AND target_id = $1`, [uploadId]);
    expect(uploaded.details).toMatchObject({
      sha256: sha(file),
      sizeBytes: file.length,
      storage: expect.objectContaining({ parts: 5 }),
    });
  });

  it('a part acknowledged that way and then lost: no item, HEAD answers the offset actually stored, the client resends from there and the digest is right', async () => {
    const c = await t.given.draftCase(officer);
    const file = randomBytes(4 * PART + 77);
    const location = await create(c.id, file.length);
    const uploadId = location.split('/').pop()!;
    await firstPartStored(location, uploadId, file);

    proxy().stallDownstreamAfter(0);
    expect((await patch(location, PART, file.subarray(PART, 2 * PART))).status).toBe(204);
    const third = await patch(location, 2 * PART, file.subarray(2 * PART, 3 * PART), 5_000);
    expect(third.status).toBe(204);
    // Storage goes away with two parts in flight, then comes back.
    await proxy().cut();
    await proxy().restore();

    // HEAD waits until the parts in flight have settled, then answers what is stored: the first part only.
    const h = await head(location);
    expect(h.status).toBe(200);
    expect(h.headers['upload-offset']).toBe(String(PART));
    expect(await storedParts(uploadId)).toBe(1);
    // The offset the client had been told is refused now (409 with the stored offset); nothing was made.
    const stale = await patch(location, 3 * PART, file.subarray(3 * PART), 30_000);
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ message: expect.stringContaining(String(PART)) });
    expect((await t.owner.query(`SELECT count(*)::int AS n FROM evidence WHERE id = $1`, [uploadId])).rows[0].n).toBe(
      0,
    );
    expect(
      (await t.owner.query(`SELECT outcome FROM evidence_upload_sessions WHERE id = $1`, [uploadId])).rows[0].outcome,
    ).toBeNull();

    // Resent from the stored offset, in two PATCHes: the item is the file.
    expect((await patch(location, PART, file.subarray(PART, 3 * PART), 30_000)).status).toBe(204);
    const last = await patch(location, 3 * PART, file.subarray(3 * PART), 30_000);
    expect(last.status).toBe(204);
    expect(last.headers['evidence-id']).toBe(uploadId);
    const item = await t.http().get(`${API}/evidence/${uploadId}`).set(officer.auth).expect(200);
    expect(item.body).toMatchObject({ sha256: sha(file), sizeBytes: file.length });
  });
});
