import { Client } from 'minio';
import { createHash, randomBytes } from 'node:crypto';
import { Clock } from '@app/common';
import { UploadJanitor } from '@app/evidence';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';
import { CephTestStorage, legalHoldOf, s3Refusal } from './harness/ceph-storage';

/*
 * Ceph RGW's ways and the service's answers to them (issue 19, section 2), read back from the engine:
 *   - GOVERNANCE retention (STORAGE_RETENTION_MODE=GOVERNANCE) behaves as documented;
 *   - the janitor finds stale multipart uploads through the engine's own listing (ListMultipartUploads),
 *     including ones no journal row knows;
 *   - RGW answers CompleteMultipartUpload with an empty ETag: the recorded ETag is the object's real one;
 *   - each part's bytes are checked by the engine: over http against their signed SHA-256 (a part whose bytes
 *     differ is refused), so no Content-MD5 is computed for parts; Content-MD5 is still sent on the requests AWS
 *     requires it for under Object Lock (retention, legal hold).
 * The other failure paths (client disconnect, hash mismatch, duplicate, empty file, commit failure) run on
 * Ceph RGW in the e2e-ceph project (evidence*.e2e-spec.ts), each reading back that no version and no
 * pending upload is left under the case's keys.
 */

const API = '/api/v1';
const MiB = 1024 * 1024;

describe('Ceph RGW: GOVERNANCE retention (STORAGE_RETENTION_MODE=GOVERNANCE)', () => {
  let t: TestApp;
  let storage: CephTestStorage;
  let engine: Client;
  let officer: TestUser;

  beforeAll(async () => {
    t = await createTestApp({
      storage: 'ceph',
      env: { STORAGE_REQUIRE_WORM: 'true', STORAGE_RETENTION_MODE: 'GOVERNANCE' },
    });
    storage = t.storage as CephTestStorage;
    engine = storage.newClient();
    officer = await t.given.officer();
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['one PUT', 4096],
    ['a multipart upload', 12 * MiB],
  ] as const)(
    '%s ends with GOVERNANCE retention and a legal hold; deleting or shortening needs the bypass header, which the bucket owner may send',
    async (_how, size) => {
      const bytes = randomBytes(size);
      const c = await t.given.draftCase(officer);
      const item = await t.given.evidence(officer, c.id, bytes);
      const {
        rows: [row],
      } = await t.owner.query(
        'SELECT storage_key, storage_version_id, uploaded_at, preservation FROM evidence WHERE id = $1',
        [item.id],
      );
      const key: string = row.storage_key;
      const versionId: string = row.storage_version_id;
      const until = new Date(row.uploaded_at);
      until.setUTCFullYear(until.getUTCFullYear() + 7);
      const retention = await engine.getObjectRetention(storage.bucket, key, { versionId });
      expect(retention).toMatchObject({ mode: 'GOVERNANCE' });
      expect(new Date(retention!.retainUntilDate).getTime()).toBe(until.getTime());
      expect(await legalHoldOf(engine, storage.bucket, key, versionId)).toBe('ON');
      expect(row.preservation).toMatchObject({
        worm: true,
        retentionMode: 'GOVERNANCE',
        retainUntil: until.toISOString(),
        legalHold: true,
      });

      // While the legal hold is on, not even the bucket owner with the bypass header may delete the version.
      expect(await s3Refusal(engine.removeObject(storage.bucket, key, { versionId, governanceBypass: true }))).toBe(
        'AccessDenied',
      );

      // GOVERNANCE as documented (the hold lifted here directly at the engine, as the bucket owner):
      await engine.setObjectLegalHold(storage.bucket, key, { versionId, status: 'OFF' } as never);
      const sooner = new Date(Date.now() + 24 * 3600 * 1000);
      sooner.setUTCMilliseconds(0);
      // shortening without the bypass header is refused, ...
      expect(
        await s3Refusal(
          engine.putObjectRetention(storage.bucket, key, {
            versionId,
            mode: 'GOVERNANCE',
            retainUntilDate: sooner.toISOString(),
          }),
        ),
      ).toBe('AccessDenied');
      // ... and so is deleting the version;
      expect(await s3Refusal(engine.removeObject(storage.bucket, key, { versionId }))).toBe('AccessDenied');
      expect((await storage.versions(key)).map((v) => v.versionId)).toEqual([versionId]);
      // with the bypass header, the bucket owner (the service's S3 user here) may shorten, ...
      await engine.putObjectRetention(storage.bucket, key, {
        versionId,
        mode: 'GOVERNANCE',
        retainUntilDate: sooner.toISOString(),
        governanceBypass: true,
      });
      expect(
        new Date((await engine.getObjectRetention(storage.bucket, key, { versionId }))!.retainUntilDate).getTime(),
      ).toBe(sooner.getTime());
      // ... and delete the version: nothing is left under the key.
      await engine.removeObject(storage.bucket, key, { versionId, governanceBypass: true });
      expect(await storage.versions(key)).toEqual([]);
    },
  );
});

describe('Ceph RGW: multipart uploads, ETags and checksums as the engine sees them', () => {
  let t: TestApp;
  let storage: CephTestStorage;
  let engine: Client;
  let officer: TestUser;
  const PART_MB = 5;

  beforeAll(async () => {
    t = await createTestApp({
      storage: 'ceph',
      storageProxy: true,
      env: {
        STORAGE_REQUIRE_WORM: 'true',
        STORAGE_PART_SIZE_MB: String(PART_MB),
        UPLOAD_JANITOR_INTERVAL_SECONDS: '3600',
        UPLOAD_STALE_MINUTES: '30',
      },
    });
    storage = t.storage as CephTestStorage;
    engine = storage.newClient();
    officer = await t.given.officer();
  }, 180_000);
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
  });

  it.each([
    ['one PUT', 4096],
    ['a multipart upload', 11 * MiB],
  ] as const)(
    '%s records the ETag the engine reports for the version (RGW answers CompleteMultipartUpload with an empty one)',
    async (_how, size) => {
      const c = await t.given.draftCase(officer);
      const item = await t.given.evidence(officer, c.id, randomBytes(size));
      const {
        rows: [row],
      } = await t.owner.query('SELECT storage_key, storage_version_id, storage_etag FROM evidence WHERE id = $1', [
        item.id,
      ]);
      const stat = await engine.statObject(storage.bucket, row.storage_key, { versionId: row.storage_version_id });
      expect(stat.etag).toMatch(/^[0-9a-f]{32}(-\d+)?$/);
      expect(row.storage_etag).toBe(stat.etag);
      if (size > PART_MB * MiB) expect(stat.etag).toMatch(/-3$/);
    },
  );

  it('over http every part carries the signed SHA-256 of exactly its bytes (no Content-MD5); retention and legal hold carry Content-MD5', async () => {
    const proxy = t.storageProxy!;
    proxy.requestHeads.length = 0;
    const c = await t.given.draftCase(officer);
    const bytes = randomBytes(11 * MiB);
    await t.given.evidence(officer, c.id, bytes);
    const heads = proxy.requestHeads.map((h) => ({ line: h.slice(0, h.indexOf('\r\n')), headers: h.toLowerCase() }));
    const parts = heads.filter((h) => /^PUT \S*partNumber=/.test(h.line));
    const retention = heads.filter((h) => /^PUT \S*\?retention/.test(h.line));
    const hold = heads.filter((h) => /^PUT \S*\?legal-hold/.test(h.line));
    expect([parts.length, retention.length, hold.length]).toEqual([3, 1, 1]);
    const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const expected = [0, 1, 2].map((i) => sha256(bytes.subarray(i * PART_MB * MiB, (i + 1) * PART_MB * MiB)));
    const partNumber = (p: { line: string }) => Number(/partNumber=(\d+)/.exec(p.line)![1]);
    const sorted = [...parts].sort((a, b) => partNumber(a) - partNumber(b));
    expect(sorted.map((p) => /\r\nx-amz-content-sha256: (\S+)/.exec(p.headers)?.[1])).toEqual(expected);
    for (const p of parts) {
      // The hash is signed (a request whose payload hash was changed on the way fails its signature) ...
      expect(/\r\nauthorization: \S+ credential=\S+ signedheaders=(\S+)/.exec(p.headers)?.[1].split(/[;,]/)).toContain(
        'x-amz-content-sha256',
      );
      // ... and the part's bytes are hashed once for it, not once more for a Content-MD5.
      expect(p.headers).not.toMatch(/\r\ncontent-md5:/);
    }
    for (const h of [...retention, ...hold]) expect(h.headers).toMatch(/\r\ncontent-md5: \S+/);
  });

  it('the engine refuses a part whose bytes differ from its signed SHA-256, and a part whose Content-MD5 differs; it stores neither', async () => {
    const key = `cases/${randomBytes(4).toString('hex')}/evidence/mismatch`;
    const uploadId = await engine.initiateNewMultipartUpload(storage.bucket, key, {});
    const body = randomBytes(PART_MB * MiB);
    const other = Buffer.from(body);
    other[12345] ^= 0x01;
    const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64');
    const part = (n: number, headers: Record<string, string | number> = {}) => ({
      method: 'PUT',
      bucketName: storage.bucket,
      objectName: key,
      query: `uploadId=${uploadId}&partNumber=${n}`,
      headers: { 'Content-Length': body.length, ...headers },
    });
    const region = engine.region!;
    // minio-js declares ListParts protected; it is the engine's own account of the parts it stored.
    const listParts = () =>
      (
        engine as unknown as { listParts(b: string, k: string, u: string): Promise<{ part: number; size: number }[]> }
      ).listParts(storage.bucket, key, uploadId);
    try {
      // The bytes sent are `body`; the signature covers the SHA-256 of `other` (one bit apart).
      expect(await s3Refusal(engine.makeRequestStreamAsync(part(1), body, sha256(other), [200], region))).toMatch(
        /^(XAmzContentSHA256Mismatch|BadDigest)$/,
      );
      expect(
        await s3Refusal(
          engine.makeRequestStreamAsync(part(2, { 'Content-MD5': md5(other) }), body, sha256(body), [200], region),
        ),
      ).toBe('BadDigest');
      expect(await listParts()).toEqual([]);
      // The same request with matching hashes is stored: the refusals above were about the bytes.
      const ok = await engine.makeRequestStreamAsync(
        part(3, { 'Content-MD5': md5(body) }),
        body,
        sha256(body),
        [200],
        region,
      );
      ok.resume();
      expect((await listParts()).map((p) => [p.part, p.size])).toEqual([[3, body.length]]);
    } finally {
      await engine.abortMultipartUpload(storage.bucket, key, uploadId);
    }
  });

  it('an aborted multipart upload is gone from the engine: AbortMultipartUpload answers and ListMultipartUploads no longer lists it', async () => {
    const key = `cases/${randomBytes(4).toString('hex')}/evidence/aborted`;
    const uploadId = await engine.initiateNewMultipartUpload(storage.bucket, key, {});
    await engine.uploadPart(
      { bucketName: storage.bucket, objectName: key, uploadID: uploadId, partNumber: 1, headers: {} },
      randomBytes(PART_MB * MiB),
    );
    expect(await storage.pendingUploads()).toEqual([uploadId]);
    await expect(engine.abortMultipartUpload(storage.bucket, key, uploadId)).resolves.toBeUndefined();
    expect(await storage.pendingUploads()).toEqual([]);
    expect(await storage.versions(key)).toEqual([]);
  });

  it("the janitor finds a stale upload no journal row knows through the engine's listing, aborts it and audits it; a recent one is left", async () => {
    const c = await t.given.draftCase(officer);
    // A process that died between initiating an upload and recording it leaves an upload only the engine knows.
    const start = async (name: string) => {
      const key = `cases/${c.id}/evidence/${name}`;
      const uploadId = await engine.initiateNewMultipartUpload(storage.bucket, key, {});
      await engine.uploadPart(
        { bucketName: storage.bucket, objectName: key, uploadID: uploadId, partNumber: 1, headers: {} },
        randomBytes(PART_MB * MiB),
      );
      return { key, uploadId };
    };
    const orphan = await start('orphan');
    // A live upload of the service: recorded in the journal, a part stored just now.
    const live = await start('live');
    await t.owner.query(
      `INSERT INTO storage_uploads (upload_id, bucket, object_key, case_id, started_by, bytes) VALUES ($1, $2, $3, $4, $5, $6)`,
      [live.uploadId, storage.bucket, live.key, c.id, officer.id, PART_MB * MiB],
    );
    const janitor = t.app.get(UploadJanitor);
    // Not stale yet: both left alone.
    await expect(janitor.runOnce()).resolves.toBe(0);
    expect(await storage.pendingUploads()).toEqual([orphan.uploadId, live.uploadId].sort());
    // 31 minutes later by the service's clock (UPLOAD_STALE_MINUTES=30): the orphan is stale by the time the
    // engine says it was initiated; the live one is not, by its journal's last activity.
    const clock = t.app.get(Clock);
    const later = new Date(Date.now() + 31 * 60_000);
    jest.spyOn(clock, 'now').mockImplementation(() => later);
    try {
      await expect(janitor.runOnce()).resolves.toBe(1);
    } finally {
      jest.restoreAllMocks();
    }
    expect(await storage.pendingUploads()).toEqual([live.uploadId]);
    expect(await storage.versions(orphan.key)).toEqual([]);
    const [ev] = await auditRows(t.owner, `action = 'evidence.upload.cleaned_up' AND target_id = $1`, [
      orphan.uploadId,
    ]);
    expect(ev).toMatchObject({
      actor_role: 'SYSTEM',
      target_type: 'storage_upload',
      case_id: c.id,
      details: expect.objectContaining({
        uploadId: orphan.uploadId,
        objectKey: orphan.key,
        previousState: 'UNTRACKED',
        outcome: 'ABORTED',
      }),
    });
    await engine.abortMultipartUpload(storage.bucket, live.key, live.uploadId);
  });

  it('an object complete before a failed commit is removed by its version: no version, no delete marker left', async () => {
    const c = await t.given.draftCase(officer);
    await t.owner.query(
      `CREATE FUNCTION inject_ceph_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
    );
    await t.owner
      .query(`CREATE CONSTRAINT TRIGGER inject_ceph_failure AFTER INSERT ON audit_events DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW WHEN (NEW.action = 'evidence.uploaded') EXECUTE FUNCTION inject_ceph_failure()`);
    try {
      for (const size of [4096, 11 * MiB]) {
        const res = await t
          .http()
          .post(`${API}/cases/${c.id}/evidence?kind=BWC`)
          .set(officer.auth)
          .set('Content-Type', 'application/octet-stream')
          .send(randomBytes(size));
        expect(res.status).toBe(500);
      }
    } finally {
      await t.owner.query('DROP TRIGGER IF EXISTS inject_ceph_failure ON audit_events');
      await t.owner.query('DROP FUNCTION IF EXISTS inject_ceph_failure()');
    }
    expect(await storage.versions(`cases/${c.id}/`)).toEqual([]);
    expect(await storage.pendingUploads(`cases/${c.id}/`)).toEqual([]);
    const failed = await auditRows(t.owner, `action = 'evidence.upload' AND outcome = 'FAILED' AND case_id = $1`, [
      c.id,
    ]);
    expect(failed.map((e) => e.details.cleanup)).toEqual(['object removed', 'object removed']);
  });
});
