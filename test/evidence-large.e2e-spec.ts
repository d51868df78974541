import { createHash, randomBytes } from 'node:crypto';
import { auditRows, createTestApp, startApiProcess, TestApp, TestUser } from './harness/test-app';
import { releasableRetention, storageUnderTest } from './harness/test-storage';
import { bytesAt, chunks, get, mb, MiB, postStream, rssBytes, RSS_LIMIT, SIZE, SIZE_MB } from './harness/large-source';

/*
 * The "Done when": a generated 1 GiB stream uploaded through a real, separate API process
 * (the built main.js) with that process's RSS growth under 150 MB; the stored object's SHA-256
 * equals the source's; Range downloads return the right bytes; verify passes, and once the object
 * is changed directly in storage (bypassing the API) verify and download fail loudly.
 *
 * ION_LARGE_UPLOAD_MB shrinks the file for quick local runs (default 1024, at least 16).
 * The source, RSS reading and GET helper live in harness/large-source.ts.
 */

jest.setTimeout(300_000);

const PART = 8 * MiB; // the API's default STORAGE_PART_SIZE_MB
/** s3rver, or Ceph RGW in the e2e-ceph project. Changing a stored object behind the API is possible only on s3rver (no Object Lock). */
const ENGINE = storageUnderTest();
const UNPROTECTED = ENGINE === 's3rver';

describe(`a 1 GiB evidence file through a separate API process (${ENGINE})`, () => {
  let t: TestApp;
  let officer: TestUser;
  let caseId: string;
  let api: Awaited<ReturnType<typeof startApiProcess>>;
  let sourceSha = '';
  let big: { id: string; sha256: string; sizeBytes: number; storageKey: string };

  beforeAll(async () => {
    t = await createTestApp({ env: releasableRetention() });
    officer = await t.given.officer();
    caseId = (await t.given.draftCase(officer)).id;
    api = await startApiProcess(t.dbName, t.storage, releasableRetention());
  });

  afterAll(async () => {
    await api?.stop();
    await t?.close();
  });

  it(`streams ${SIZE_MB} MiB in with the API process's RSS growth under 150 MB`, async () => {
    const hash = createHash('sha256');
    const samples: number[] = [];
    const baseline = rssBytes(api.pid);
    samples.push(baseline);
    const sampler = setInterval(() => {
      try {
        samples.push(rssBytes(api.pid));
      } catch {
        /* process gone: the upload fails anyway */
      }
    }, 50);
    const started = Date.now();
    let res: { status: number; body: any };
    try {
      res = await postStream(
        `${api.url}/api/v1/cases/${caseId}/evidence?kind=BWC&deviceId=AXON-LARGE-1&originalFilename=large.bin`,
        { ...officer.auth, 'Content-Type': 'application/octet-stream', 'Content-Length': String(SIZE) },
        chunks(),
        (c) => hash.update(c),
      );
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - started) / 1000;
    samples.push(rssBytes(api.pid));
    sourceSha = hash.digest('hex');
    const peak = Math.max(...samples);
    const growth = peak - baseline;
    console.log(
      `[evidence-large] upload of ${SIZE_MB} MiB: ${seconds.toFixed(1)} s, ${(SIZE / MiB / seconds).toFixed(1)} MiB/s; ` +
        `API RSS baseline ${mb(baseline)} MB, peak ${mb(peak)} MB, growth ${mb(growth)} MB (limit 150 MB, ${samples.length} samples)`,
    );

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ caseId, sha256: sourceSha, sizeBytes: SIZE });
    expect(growth).toBeLessThan(RSS_LIMIT);

    const [row] = (
      await t.owner.query('SELECT storage_key, sha256, size_bytes, integrity_status FROM evidence WHERE id = $1', [
        res.body.id,
      ])
    ).rows;
    expect(row).toMatchObject({ sha256: sourceSha, integrity_status: 'OK' });
    expect(Number(row.size_bytes)).toBe(SIZE);
    big = { id: res.body.id, sha256: res.body.sha256, sizeBytes: res.body.sizeBytes, storageKey: row.storage_key };
  });

  it("stored the object whole: its SHA-256 is the source's, no multipart upload is left pending", async () => {
    expect(big).toBeDefined();
    const started = Date.now();
    await expect(t.storage.sha256Of(big.storageKey)).resolves.toEqual({ sha256: sourceSha, size: SIZE });
    console.log(
      `[evidence-large] direct re-hash of the stored object: ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(await t.storage.pendingUploads()).toEqual([]);
    const { rows } = await t.owner.query(
      `SELECT state, jsonb_array_length(parts) AS parts, bytes FROM storage_uploads WHERE object_key = $1`,
      [big.storageKey],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].state).toBe('COMPLETED');
    expect(rows[0].parts).toBe(Math.ceil(SIZE / PART));
    expect(rows[0].parts).toBeGreaterThanOrEqual(Math.min(128, Math.ceil(SIZE / PART)));
    expect(Number(rows[0].bytes)).toBe(SIZE);
  });

  it.each([
    ['the start of the file', 'bytes=0-99', 0, 99],
    ['across a 1 MiB chunk boundary', `bytes=${3 * MiB - 5}-${3 * MiB + 20}`, 3 * MiB - 5, 3 * MiB + 20],
    ['across an 8 MiB part boundary', `bytes=${PART - 1000}-${PART + 999}`, PART - 1000, PART + 999],
    ['the last 1000 bytes (suffix)', 'bytes=-1000', SIZE - 1000, SIZE - 1],
    ['an open-ended range', `bytes=${SIZE - 10}-`, SIZE - 10, SIZE - 1],
  ])('answers a Range for %s with 206 and the right bytes', async (_what, range, start, end) => {
    expect(big).toBeDefined();
    const r = await get(`${api.url}/api/v1/evidence/${big.id}/content`, { ...officer.auth, Range: range });
    expect(r.status).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes ${start}-${end}/${SIZE}`);
    expect(r.headers['content-length']).toBe(String(end - start + 1));
    expect(r.complete).toBe(true);
    expect(r.body.length).toBe(end - start + 1);
    expect(r.body.equals(bytesAt(start, end - start + 1))).toBe(true);
  });

  it('verify re-reads the stored object: MATCH', async () => {
    expect(big).toBeDefined();
    const started = Date.now();
    const res = await api.http().post(`/api/v1/evidence/${big.id}/verify`).set(officer.auth).send({});
    console.log(
      `[evidence-large] verify of ${SIZE_MB} MiB through the API: ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ evidenceId: big.id, result: 'MATCH', sha256: sourceSha, sizeBytes: SIZE });
  });

  if (UNPROTECTED)
    it('verify fails loudly once the object was replaced directly in storage', async () => {
      expect(big).toBeDefined();
      await t.storage.client.putObject(t.storage.bucket, big.storageKey, Buffer.from('tampered'), 8);
      const res = await api.http().post(`/api/v1/evidence/${big.id}/verify`).set(officer.auth).send({});
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        code: 'EVIDENCE.INTEGRITY_FAILURE',
        expectedSha256: sourceSha,
        actualSha256: createHash('sha256').update('tampered').digest('hex'),
        expectedSize: SIZE,
        actualSize: 8,
      });
      expect(res.body.message).toMatch(/INTEGRITY FAILURE/);
      const [row] = (await t.owner.query('SELECT integrity_status FROM evidence WHERE id = $1', [big.id])).rows;
      expect(row.integrity_status).toBe('FAILED');
      const events = await auditRows(
        t.owner,
        `action = 'evidence.verified' AND target_id = $1 AND outcome = 'FAILED'`,
        [big.id],
      );
      expect(events).toHaveLength(1);
    });

  if (UNPROTECTED)
    describe('an item changed in storage to different bytes of the same size', () => {
      const SMALL = 64 * 1024;

      async function tamperedItem(): Promise<{ id: string; original: string; tampered: string }> {
        const bytes = randomBytes(SMALL);
        const up = await api
          .http()
          .post(`/api/v1/cases/${caseId}/evidence?kind=BWC&deviceId=AXON-SMALL-1`)
          .set(officer.auth)
          .set('Content-Type', 'application/octet-stream')
          .send(bytes);
        expect(up.status).toBe(201);
        const [row] = (await t.owner.query('SELECT storage_key FROM evidence WHERE id = $1', [up.body.id])).rows;
        const other = randomBytes(SMALL);
        await t.storage.client.putObject(t.storage.bucket, row.storage_key, other, other.length);
        await expect(t.storage.sha256Of(row.storage_key)).resolves.toMatchObject({ size: SMALL });
        return { id: up.body.id, original: up.body.sha256, tampered: createHash('sha256').update(other).digest('hex') };
      }

      it('verify: 409 naming both hashes, item marked FAILED, audit event FAILED', async () => {
        const item = await tamperedItem();
        const res = await api.http().post(`/api/v1/evidence/${item.id}/verify`).set(officer.auth).send({});
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({
          code: 'EVIDENCE.INTEGRITY_FAILURE',
          expectedSha256: item.original,
          actualSha256: item.tampered,
          expectedSize: SMALL,
          actualSize: SMALL,
        });
        const [row] = (await t.owner.query('SELECT integrity_status FROM evidence WHERE id = $1', [item.id])).rows;
        expect(row.integrity_status).toBe('FAILED');
        const events = await auditRows(
          t.owner,
          `action = 'evidence.verified' AND target_id = $1 AND outcome = 'FAILED'`,
          [item.id],
        );
        expect(events).toHaveLength(1);
        expect(events[0].details).toMatchObject({
          during: 'verify',
          expectedSha256: item.original,
          actualSha256: item.tampered,
        });
      });

      it('a whole-file download is cut before its end, and the failure is recorded', async () => {
        const item = await tamperedItem();
        const r = await get(`${api.url}/api/v1/evidence/${item.id}/content`, officer.auth);
        expect(r.status).toBe(200);
        expect(r.headers['content-length']).toBe(String(SMALL));
        expect(r.complete).toBe(false);
        expect(r.body.length).toBeLessThan(SMALL);
        const [row] = (await t.owner.query('SELECT integrity_status FROM evidence WHERE id = $1', [item.id])).rows;
        expect(row.integrity_status).toBe('FAILED');
        const events = await auditRows(
          t.owner,
          `action = 'evidence.integrity_failed' AND target_id = $1 AND outcome = 'FAILED'`,
          [item.id],
        );
        expect(events).toHaveLength(1);
        expect(events[0].details).toMatchObject({
          during: 'download',
          expectedSha256: item.original,
          actualSha256: item.tampered,
        });
      });
    });
});
