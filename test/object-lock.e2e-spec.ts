import { Client } from 'minio';
import { createHash, randomBytes } from 'node:crypto';
import { createTestApp, createTestDatabase, startApiProcess, TestApp, TestUser } from './harness/test-app';
import { CephTestStorage, legalHoldOf, s3Refusal } from './harness/ceph-storage';

/*
 * S3 Object Lock on a production S3 engine (Ceph RGW, started by the harness once per run), through the
 * real AppModule with STORAGE_REQUIRE_WORM=true. Every claim is read back from the engine with a client
 * of its own, by the version id the database records, never from what the service says it did.
 */

const API = '/api/v1';
const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function sha256OfVersion(
  client: Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of await client.getObject(bucket, key, { versionId })) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), size };
}

describe('Object Lock on Ceph RGW (STORAGE_REQUIRE_WORM=true)', () => {
  let t: TestApp;
  let storage: CephTestStorage;
  /** A separate client of the engine: the same S3 user as the service, which is also the bucket owner (RGW: the user that created it). */
  let engine: Client;
  let officer: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ storage: 'ceph', env: { STORAGE_REQUIRE_WORM: 'true' } });
    storage = t.storage as CephTestStorage;
    engine = storage.newClient();
    officer = await t.given.officer();
  }, 180_000);

  afterAll(async () => {
    await t?.close();
  });

  it('starts, and /health reports storage up with WORM available', async () => {
    const res = await t.http().get(`${API}/health`).expect(200);
    expect(res.body.checks.storage).toMatchObject({
      status: 'up',
      bucket: storage.bucket,
      worm: true,
      wormDetail: 'Object Lock enabled on the bucket',
    });
    expect(await engine.getObjectLockConfig(storage.bucket)).toMatchObject({ objectLockEnabled: 'Enabled' });
  });

  // Other starts run as separate processes (the built main.js, as `npm start`): a second AppModule in this
  // process would share, and on close end, the suite app's TypeORM connection.
  it('refuses to start on a bucket of the same engine without Object Lock, naming the bucket', async () => {
    const plain = await CephTestStorage.start({ objectLock: false });
    const err = await startApiProcess(await createTestDatabase(), plain, { STORAGE_REQUIRE_WORM: 'true' }).then(
      async (api) => {
        await api.stop();
        return null;
      },
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/API process exited with 1/);
    expect(err?.message).toContain(`STORAGE_REQUIRE_WORM=true but bucket ${plain.bucket} has no S3 Object Lock`);
  }, 60_000);

  it('creates a missing bucket with Object Lock and starts with WORM required', async () => {
    const bucket = `ion-test-new-${randomBytes(4).toString('hex')}`;
    const api = await startApiProcess(await createTestDatabase(), storage, {
      S3_BUCKET: bucket,
      STORAGE_REQUIRE_WORM: 'true',
    });
    try {
      const res = await api.http().get(`${API}/health`).expect(200);
      expect(res.body.checks.storage).toMatchObject({ status: 'up', bucket, worm: true });
      expect(await engine.getObjectLockConfig(bucket)).toMatchObject({ objectLockEnabled: 'Enabled' });
    } finally {
      await api.stop();
    }
  }, 60_000);

  describe.each([
    // Below the part size (8 MiB): one PUT. Above it: an S3 multipart upload, where RGW ignores lock headers sent at initiation.
    ['raw body', 4096],
    ['raw body', 12 * MiB],
    ['multipart form', 4096],
    ['multipart form', 12 * MiB],
  ] as const)('a %s upload of %i bytes', (how, size) => {
    let item: { id: string; sha256: string; sizeBytes: number; preservation: Record<string, unknown> };
    let row: {
      storage_key: string;
      storage_version_id: string | null;
      uploaded_at: Date;
      preservation: Record<string, unknown>;
    };
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);

    beforeAll(async () => {
      const c = await t.given.draftCase(officer);
      const req = t
        .http()
        .post(`${API}/cases/${c.id}/evidence${how === 'raw body' ? '?kind=DOCUMENT' : ''}`)
        .set(officer.auth);
      const res =
        how === 'raw body'
          ? await req.set('Content-Type', 'application/octet-stream').send(bytes)
          : await req
              .field('kind', 'DOCUMENT')
              .attach('file', bytes, { filename: 'report.pdf', contentType: 'application/pdf' });
      expect(res.status).toBe(201);
      item = res.body;
      ({
        rows: [row],
      } = await t.owner.query(
        'SELECT storage_key, storage_version_id, uploaded_at, preservation FROM evidence WHERE id = $1',
        [item.id],
      ));
    }, 120_000);

    it('records the version it stored, and that version holds exactly the bytes uploaded', async () => {
      expect(row.storage_version_id).toEqual(expect.any(String));
      expect(row.storage_version_id!.length).toBeGreaterThan(0);
      expect(await sha256OfVersion(engine, storage.bucket, row.storage_key, row.storage_version_id!)).toEqual({
        sha256: sha256(bytes),
        size: bytes.length,
      });
    });

    it('ends with COMPLIANCE retention until the configured date and a legal hold on that version, as read from the engine', async () => {
      const until = new Date(row.uploaded_at);
      until.setUTCFullYear(until.getUTCFullYear() + 7); // STORAGE_RETENTION_YEARS default
      const versionId = row.storage_version_id!;
      const retention = await engine.getObjectRetention(storage.bucket, row.storage_key, { versionId });
      expect(retention?.mode).toBe('COMPLIANCE');
      expect(new Date(retention!.retainUntilDate).getTime()).toBe(until.getTime());
      expect(await legalHoldOf(engine, storage.bucket, row.storage_key, versionId)).toBe('ON');
      expect(item.preservation).toMatchObject({
        worm: true,
        retentionMode: 'COMPLIANCE',
        retainUntil: until.toISOString(),
        legalHold: true,
      });
      expect(row.preservation).toMatchObject({
        worm: true,
        retentionMode: 'COMPLIANCE',
        retainUntil: until.toISOString(),
        legalHold: true,
      });
    });

    it('cannot be deleted by version, with or without governance bypass (service and bucket owner are the same S3 user here)', async () => {
      const versionId = row.storage_version_id!;
      expect(await s3Refusal(engine.removeObject(storage.bucket, row.storage_key, { versionId }))).toBe('AccessDenied');
      expect(
        await s3Refusal(engine.removeObject(storage.bucket, row.storage_key, { versionId, governanceBypass: true })),
      ).toBe('AccessDenied');
      expect(await sha256OfVersion(engine, storage.bucket, row.storage_key, versionId)).toEqual({
        sha256: sha256(bytes),
        size: bytes.length,
      });
    });

    it('cannot have its retention shortened or turned into GOVERNANCE', async () => {
      const versionId = row.storage_version_id!;
      const before = await engine.getObjectRetention(storage.bucket, row.storage_key, { versionId });
      const sooner = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
      expect(
        await s3Refusal(
          engine.putObjectRetention(storage.bucket, row.storage_key, {
            versionId,
            mode: 'COMPLIANCE',
            retainUntilDate: sooner,
          }),
        ),
      ).toBe('AccessDenied');
      expect(
        await s3Refusal(
          engine.putObjectRetention(storage.bucket, row.storage_key, {
            versionId,
            mode: 'GOVERNANCE',
            retainUntilDate: before!.retainUntilDate,
          }),
        ),
      ).toBe('AccessDenied');
      expect(await engine.getObjectRetention(storage.bucket, row.storage_key, { versionId })).toEqual(before);
    });
  });
});
