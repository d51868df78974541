import { Client } from 'minio';
import { createHash, randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import type { AuthUser } from '@app/common';
import { RequestContextStore } from '@app/common';
import { EvidenceEntity, EvidenceService } from '@app/evidence';
import { CephTestStorage } from './harness/ceph-storage';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';
import { unzip } from './harness/zip';

/*
 * Every read of evidence bytes names the version the database recorded, never "the latest" (issue 19).
 * On Ceph RGW with Object Lock, anyone who can write to the bucket can add a new version of an evidence
 * key (Object Lock protects the old version, it does not forbid new ones) or a delete marker. Neither may
 * change what downloads, Range requests, verification or the packet archive read, and neither may make
 * sound evidence look tampered with. An item the old code wrongly marked FAILED this way is re-verified
 * against its recorded version: restored to OK, audited, with the false alarm kept in its custody.
 */

const API = '/api/v1';
const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** What "a standard S3 client" wrote over the evidence key in the issue: 9 bytes. */
const NINE_BYTES = Buffer.from('tampered!');

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

describe('evidence reads name the recorded version (Ceph RGW, Object Lock)', () => {
  let t: TestApp;
  let storage: CephTestStorage;
  /** A standard S3 client of its own, with write access to the bucket (the service's S3 user, also the bucket owner). */
  let intruder: Client;
  let officer: TestUser;
  let supervisor: TestUser;
  let prosecutor: TestUser;
  let auditor: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ storage: 'ceph', env: { STORAGE_REQUIRE_WORM: 'true' } });
    storage = t.storage as CephTestStorage;
    intruder = storage.newClient();
    [officer, supervisor, prosecutor, auditor] = await Promise.all([
      t.given.officer(4),
      t.given.supervisor(4),
      t.given.prosecutor('CCSAO'),
      t.given.auditor(),
    ]);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
  });

  const rowOf = async (
    id: string,
  ): Promise<{ storage_key: string; storage_version_id: string; integrity_status: string }> =>
    (await t.owner.query('SELECT storage_key, storage_version_id, integrity_status FROM evidence WHERE id = $1', [id]))
      .rows[0];

  const download = (id: string, range?: string) => {
    const req = t.http().get(`${API}/evidence/${id}/content`).set(officer.auth);
    return (range ? req.set('Range', range) : req).buffer(true).parse(binary);
  };

  /** A complete case with one evidence file, left in DRAFT (so the key can be overwritten before it is sent). */
  async function caseWithEvidence(
    bytes: Buffer,
  ): Promise<{ caseId: string; evidenceId: string; key: string; versionId: string }> {
    const c = await t.given.caseReadyToSubmit(officer);
    await t
      .http()
      .put(`${API}/cases/${c.id}/violations`)
      .set(officer.auth)
      .set('If-Match', `"${c.version}"`)
      .send(FELONY)
      .expect(200);
    const e = await t.given.evidence(officer, c.id, bytes);
    const row = await rowOf(e.id);
    expect(row.storage_version_id).toEqual(expect.any(String));
    return { caseId: c.id, evidenceId: e.id, key: row.storage_key, versionId: row.storage_version_id };
  }

  describe.each([
    // Below the part size (8 MiB): one PUT. Above it: an S3 multipart upload of two parts.
    ['stored with one PUT', 4096],
    ['stored as an S3 multipart upload', 12 * MiB + 321],
  ] as const)('an item %s (%i bytes), then a 9-byte object written over its key by another S3 client', (_how, size) => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
    let item: { caseId: string; evidenceId: string; key: string; versionId: string };

    beforeAll(async () => {
      item = await caseWithEvidence(bytes);
      const put = await intruder.putObject(storage.bucket, item.key, NINE_BYTES, NINE_BYTES.length);
      // Object Lock allows the new version; it protects the old one. "The latest" is now the 9 bytes.
      expect(put.versionId).toEqual(expect.any(String));
      expect(put.versionId).not.toBe(item.versionId);
      expect((await intruder.statObject(storage.bucket, item.key)).size).toBe(NINE_BYTES.length);
      expect((await intruder.statObject(storage.bucket, item.key, { versionId: item.versionId })).size).toBe(
        bytes.length,
      );
    }, 120_000);

    it('a full download returns exactly the bytes uploaded (the recorded version), and custody names that version', async () => {
      const res = await download(item.evidenceId).set('X-Request-Id', `full-${item.evidenceId}`).expect(200);
      expect(Number(res.headers['content-length'])).toBe(bytes.length);
      expect(res.body.length).toBe(bytes.length);
      expect(sha256(res.body)).toBe(sha256(bytes));
      const events = await auditRows(t.owner, 'request_id = $1', [`full-${item.evidenceId}`]);
      expect(events.map((e) => [e.action, e.outcome])).toEqual([['evidence.downloaded', 'SUCCESS']]);
      expect(events[0].details).toMatchObject({ sha256: sha256(bytes), versionId: item.versionId });
      expect((await rowOf(item.evidenceId)).integrity_status).toBe('OK');
    }, 60_000);

    it.each([
      ['bytes=0-0', 0, 0],
      ['bytes=0-8', 0, 8], // exactly as long as the object written over it
      ['bytes=0-', 0, size - 1],
      ['bytes=-1', size - 1, size - 1],
      ['bytes=-500', size - 500, size - 1],
      ['bytes=100-199', 100, 199],
      ['bytes=1000-', 1000, size - 1],
      // Across the boundary of the two S3 parts (8 MiB) where there is one; plain bytes otherwise.
      [
        `bytes=${Math.min(8 * MiB - 50, size - 200)}-${Math.min(8 * MiB + 49, size - 101)}`,
        Math.min(8 * MiB - 50, size - 200),
        Math.min(8 * MiB + 49, size - 101),
      ],
    ])(
      'Range %s: 206 with the slice of the recorded version',
      async (range, start, end) => {
        const res = await download(item.evidenceId, range).expect(206);
        expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${size}`);
        expect(res.body.equals(bytes.subarray(start, end + 1))).toBe(true);
      },
      60_000,
    );

    it('verify answers 200 MATCH, the item stays OK, and the event names the version read', async () => {
      const res = await t
        .http()
        .post(`${API}/evidence/${item.evidenceId}/verify`)
        .set(auditor.auth)
        .set('X-Request-Id', `verify-${item.evidenceId}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        evidenceId: item.evidenceId,
        result: 'MATCH',
        sha256: sha256(bytes),
        sizeBytes: bytes.length,
      });
      const view = await t.http().get(`${API}/evidence/${item.evidenceId}`).set(officer.auth).expect(200);
      expect(view.body.integrity).toMatchObject({ status: 'OK', failedAt: null, failure: null });
      const events = await auditRows(t.owner, 'request_id = $1', [`verify-${item.evidenceId}`]);
      expect(events.map((e) => [e.action, e.outcome])).toEqual([['evidence.verified', 'SUCCESS']]);
      expect(events[0].details).toMatchObject({
        actualSha256: sha256(bytes),
        actualSize: bytes.length,
        versionId: item.versionId,
      });
      expect(
        await auditRows(t.owner, `target_id = $1 AND action = 'evidence.integrity_failed'`, [item.evidenceId]),
      ).toEqual([]);
    }, 60_000);

    it('the packet archive holds the recorded version (its presence and size check reads that version too)', async () => {
      await t.given.submit(officer, item.caseId);
      await t.given.approve(supervisor, item.caseId);
      const p = await t.given.sendPacket(supervisor, item.caseId, 'CCSAO');
      const res = await t
        .http()
        .get(`${API}/packets/${p.id}/archive`)
        .set(prosecutor.auth)
        .set('X-Request-Id', `archive-${p.id}`)
        .buffer(true)
        .parse(binary);
      expect(res.status).toBe(200);
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      const files = await unzip(res.body);
      const root = `${p.caseNumber}-packet-v1`;
      const manifest = JSON.parse(files.get(`${root}/manifest.json`)!.toString('utf8'));
      const file = files.get(`${root}/${manifest.evidence[0].archivePath}`)!;
      expect(file.length).toBe(bytes.length);
      expect(sha256(file)).toBe(sha256(bytes));
      const events = await auditRows(t.owner, 'request_id = $1', [`archive-${p.id}`]);
      expect(events.map((e) => [e.action, e.outcome, e.target_id])).toEqual([
        ['packet.archive.downloaded', 'SUCCESS', p.id],
        ['evidence.downloaded', 'SUCCESS', item.evidenceId],
      ]);
      expect(events[1].details).toMatchObject({ via: 'packet-archive', versionId: item.versionId });
      expect((await rowOf(item.evidenceId)).integrity_status).toBe('OK');
    }, 120_000);

    it('a delete marker (a remove without a version id, by another client) leaves the evidence readable: download, Range, verify, archive', async () => {
      await intruder.removeObject(storage.bucket, item.key);
      // The key now answers "not found" to anyone who asks for the latest version.
      await expect(intruder.statObject(storage.bucket, item.key)).rejects.toMatchObject({ code: 'NotFound' });

      const full = await download(item.evidenceId).expect(200);
      expect(sha256(full.body)).toBe(sha256(bytes));
      const slice = await download(item.evidenceId, 'bytes=-100').expect(206);
      expect(slice.body.equals(bytes.subarray(size - 100))).toBe(true);
      await t.http().post(`${API}/evidence/${item.evidenceId}/verify`).set(officer.auth).expect(200);
      const [packet] = (await t.owner.query('SELECT id FROM packets WHERE case_id = $1', [item.caseId])).rows;
      const archive = await t
        .http()
        .get(`${API}/packets/${packet.id}/archive`)
        .set(prosecutor.auth)
        .buffer(true)
        .parse(binary)
        .expect(200);
      const files = await unzip(archive.body);
      expect([...files.values()].some((f) => f.equals(bytes))).toBe(true);
      expect((await rowOf(item.evidenceId)).integrity_status).toBe('OK');
      expect(
        await auditRows(t.owner, `target_id = $1 AND action = 'evidence.integrity_failed'`, [item.evidenceId]),
      ).toEqual([]);
    }, 120_000);
  });

  describe('an item wrongly marked FAILED by the old code (it verified "the latest" version)', () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(50_000)]);
    let item: { caseId: string; evidenceId: string; key: string; versionId: string };
    let officerAuth: AuthUser;

    beforeAll(async () => {
      item = await caseWithEvidence(bytes);
      await intruder.putObject(storage.bucket, item.key, NINE_BYTES, NINE_BYTES.length);
      officerAuth = {
        id: officer.id,
        username: officer.username,
        role: 'OFFICER',
        district: officer.district,
        office: null,
        badgeNumber: null,
        displayName: 'Test OFFICER',
      };
      // Reproduces what the code before this fix did on POST /evidence/:id/verify once the key had a newer,
      // 9-byte version: it hashed "the latest" object and, in the same call the service still uses for a real
      // mismatch, marked the item FAILED and wrote `evidence.verified` FAILED (within that request's context).
      const entity = await t.app
        .get(EvidenceService)
        .byIds([item.evidenceId])
        .then((r: EvidenceEntity[]) => r[0]);
      await RequestContextStore.run(
        {
          requestId: `old-verify-${item.evidenceId}`,
          clientIp: '127.0.0.1',
          userAgent: 'old code',
          actor: officerAuth,
        },
        () =>
          t.app.get(EvidenceService).recordIntegrityFailure(officerAuth, entity, 'evidence.verified', {
            during: 'verify',
            expectedSha256: sha256(bytes),
            actualSha256: sha256(NINE_BYTES),
            expectedSize: bytes.length,
            actualSize: NINE_BYTES.length,
          }),
      );
      expect((await rowOf(item.evidenceId)).integrity_status).toBe('FAILED');
    }, 120_000);

    it('POST verify re-reads the recorded version: 200 MATCH, the item is OK again, and the false alarm stays on record', async () => {
      const before = await t.http().get(`${API}/evidence/${item.evidenceId}`).set(officer.auth).expect(200);
      expect(before.body.integrity).toMatchObject({
        status: 'FAILED',
        failure: expect.objectContaining({ actualSha256: sha256(NINE_BYTES) }),
      });
      const failedAt = before.body.integrity.failedAt;

      const res = await t
        .http()
        .post(`${API}/evidence/${item.evidenceId}/verify`)
        .set(auditor.auth)
        .set('X-Request-Id', `reverify-${item.evidenceId}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        evidenceId: item.evidenceId,
        result: 'MATCH',
        sha256: sha256(bytes),
        sizeBytes: bytes.length,
      });

      const {
        rows: [row],
      } = await t.owner.query(
        'SELECT integrity_status, integrity_failed_at, integrity_failure FROM evidence WHERE id = $1',
        [item.evidenceId],
      );
      expect(row.integrity_status).toBe('OK');
      // Nothing erased: when it was marked and what that check found stay on the item, with who cleared it, when and why.
      expect(row.integrity_failed_at.toISOString()).toBe(failedAt);
      expect(row.integrity_failure).toMatchObject({
        during: 'verify',
        actualSha256: sha256(NINE_BYTES),
        actualSize: NINE_BYTES.length,
        cleared: {
          by: auditor.id,
          at: expect.any(String),
          versionId: item.versionId,
          sha256: sha256(bytes),
          sizeBytes: bytes.length,
          reason: expect.stringMatching(/recorded version/),
        },
      });

      const events = await auditRows(t.owner, 'request_id = $1', [`reverify-${item.evidenceId}`]);
      expect(events.map((e) => [e.action, e.outcome, e.actor_id])).toEqual([
        ['evidence.verified', 'SUCCESS', auditor.id],
      ]);
      expect(events[0].details).toMatchObject({
        versionId: item.versionId,
        expectedSha256: sha256(bytes),
        actualSha256: sha256(bytes),
        actualSize: bytes.length,
        previousStatus: 'FAILED',
        integrityStatus: 'OK',
        previousFailure: expect.objectContaining({ during: 'verify', actualSha256: sha256(NINE_BYTES), at: failedAt }),
      });

      // The item's custody and the case timeline show both: the false alarm, then the re-verification.
      const view = await t.http().get(`${API}/evidence/${item.evidenceId}`).set(officer.auth).expect(200);
      expect(view.body.integrity.status).toBe('OK');
      const verifications = (view.body.custody as { action: string; outcome: string }[])
        .filter((e) => e.action === 'evidence.verified')
        .map((e) => e.outcome);
      expect(verifications).toEqual(['FAILED', 'SUCCESS']);
      const timeline = await t.http().get(`${API}/cases/${item.caseId}/timeline`).set(auditor.auth).expect(200);
      expect(
        (timeline.body.events as { action: string; outcome: string; target: { id: string } }[])
          .filter((e) => e.action === 'evidence.verified')
          .map((e) => e.outcome),
      ).toEqual(['FAILED', 'SUCCESS']);
    }, 60_000);

    it('a second verify of the restored item is an ordinary one (nothing to clear)', async () => {
      const res = await t
        .http()
        .post(`${API}/evidence/${item.evidenceId}/verify`)
        .set(officer.auth)
        .set('X-Request-Id', `again-${item.evidenceId}`)
        .expect(200);
      expect(res.body.result).toBe('MATCH');
      const [event] = await auditRows(t.owner, 'request_id = $1', [`again-${item.evidenceId}`]);
      expect(event.details.previousStatus).toBe('OK');
      expect(event.details.previousFailure).toBeUndefined();
    }, 60_000);
  });
});

describe('on storage without versioning (s3rver): reads as before, and a real mismatch stays FAILED until the bytes match again', () => {
  let t: TestApp;
  let officer: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    officer = await t.given.officer(5);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('no version id is recorded; download and verify read the object; a mismatch is FAILED, re-verifying it is FAILED again, restoring the bytes clears it', async () => {
    const c = await t.given.draftCase(officer);
    const bytes = randomBytes(3000);
    const e = await t.given.evidence(officer, c.id, bytes);
    const {
      rows: [row],
    } = await t.owner.query('SELECT storage_key, storage_version_id FROM evidence WHERE id = $1', [e.id]);
    expect(row.storage_version_id).toBeNull();
    const full = await t
      .http()
      .get(`${API}/evidence/${e.id}/content`)
      .set(officer.auth)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(full.body.equals(bytes)).toBe(true);
    await t.http().post(`${API}/evidence/${e.id}/verify`).set(officer.auth).expect(200);

    // Without versioning an overwrite really replaces the evidence: that is a genuine integrity failure.
    const tampered = Buffer.from(bytes);
    tampered[1234] ^= 0xff;
    await t.storage.client.putObject(t.storage.bucket, row.storage_key, tampered, tampered.length);
    for (let i = 0; i < 2; i++) {
      const res = await t.http().post(`${API}/evidence/${e.id}/verify`).set(officer.auth);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'EVIDENCE.INTEGRITY_FAILURE', actualSha256: sha256(tampered) });
    }
    expect(
      (await t.owner.query('SELECT integrity_status FROM evidence WHERE id = $1', [e.id])).rows[0].integrity_status,
    ).toBe('FAILED');

    await t.storage.client.putObject(t.storage.bucket, row.storage_key, bytes, bytes.length);
    await t
      .http()
      .post(`${API}/evidence/${e.id}/verify`)
      .set(officer.auth)
      .set('X-Request-Id', `restored-${e.id}`)
      .expect(200);
    const view = await t.http().get(`${API}/evidence/${e.id}`).set(officer.auth).expect(200);
    expect(view.body.integrity).toMatchObject({
      status: 'OK',
      failure: expect.objectContaining({
        actualSha256: sha256(tampered),
        cleared: expect.objectContaining({ versionId: null }),
      }),
    });
    const [event] = await auditRows(t.owner, 'request_id = $1', [`restored-${e.id}`]);
    expect(event.details).toMatchObject({ previousStatus: 'FAILED', integrityStatus: 'OK', versionId: null });
    expect(
      view.body.custody
        .filter((x: { action: string }) => x.action === 'evidence.verified')
        .map((x: { outcome: string }) => x.outcome),
    ).toEqual(['SUCCESS', 'FAILED', 'FAILED', 'SUCCESS']);
  });

  it('a Range past the end of an object shortened behind the API is an integrity failure (409, marked, audited), not a 500', async () => {
    const c = await t.given.draftCase(officer);
    const bytes = randomBytes(3000);
    const e = await t.given.evidence(officer, c.id, bytes);
    const {
      rows: [row],
    } = await t.owner.query('SELECT storage_key FROM evidence WHERE id = $1', [e.id]);
    await t.storage.client.putObject(t.storage.bucket, row.storage_key, NINE_BYTES, NINE_BYTES.length);
    const res = await t
      .http()
      .get(`${API}/evidence/${e.id}/content`)
      .set(officer.auth)
      .set('Range', 'bytes=100-199')
      .set('X-Request-Id', `short-${e.id}`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'EVIDENCE.INTEGRITY_FAILURE',
      message: expect.stringContaining('shorter than the 3000 bytes recorded'),
    });
    const {
      rows: [after],
    } = await t.owner.query('SELECT integrity_status, integrity_failure FROM evidence WHERE id = $1', [e.id]);
    expect(after.integrity_status).toBe('FAILED');
    expect(after.integrity_failure).toMatchObject({
      during: 'download',
      range: 'bytes=100-199',
      expectedSize: 3000,
      actualSize: 'at most 100',
      versionId: null,
    });
    const events = await auditRows(t.owner, 'request_id = $1', [`short-${e.id}`]);
    expect(events.map((x) => [x.action, x.outcome])).toEqual([['evidence.integrity_failed', 'FAILED']]);
  });
});
