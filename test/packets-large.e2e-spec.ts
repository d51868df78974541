import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';
import { verifyPacketArchive } from '@app/packets/packet-verifier';
import { createTestApp, startApiProcess, SUBMIT_BODY, TestApp, TestUser } from './harness/test-app';
import { releasableRetention, storageUnderTest } from './harness/test-storage';
import { chunks, mb, postStream, rssBytes, RSS_LIMIT, SIZE, SIZE_MB } from './harness/large-source';

/*
 * The "Done when" for archives: a packet holding a generated 1 GiB evidence file is
 * downloaded as a ZIP from a real, separate API process (the built main.js) with that process's
 * RSS growth under 150 MB; the offline verifier accepts the file; one flipped byte in the
 * evidence, the manifest or the signature makes it fail naming what broke.
 *
 * ION_LARGE_UPLOAD_MB shrinks the file for quick local runs (default 1024, at least 16).
 */

jest.setTimeout(300_000);

/** Where a ZIP entry's stored bytes start in the file (local header + name + extra field). */
async function dataOffsets(zipPath: string): Promise<Map<string, { offset: number; size: number }>> {
  const zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false });
  const out = new Map<string, { offset: number; size: number }>();
  const fd = openSync(zipPath, 'r');
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        const header = Buffer.alloc(30);
        readSync(fd, header, 0, 30, e.relativeOffsetOfLocalHeader);
        const offset = e.relativeOffsetOfLocalHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
        out.set(e.fileName.split('/').slice(1).join('/'), { offset, size: e.compressedSize });
        zip.readEntry();
      });
      zip.on('end', resolve);
      zip.on('error', reject);
      zip.readEntry();
    });
  } finally {
    closeSync(fd);
    zip.close();
  }
  return out;
}

function flipByte(path: string, offset: number): void {
  const fd = openSync(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, offset);
    b[0] ^= 0x01;
    writeSync(fd, b, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}

describe(`a packet archive holding a ${SIZE_MB} MiB evidence file, from a separate API process (${storageUnderTest()})`, () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  let prosecutor: TestUser;
  let api: Awaited<ReturnType<typeof startApiProcess>>;
  let dir: string;
  let zipPath: string;
  let sourceSha: string;
  let packet: { id: string; manifestSha256: string };
  let publicKeyPem: string;

  beforeAll(async () => {
    t = await createTestApp({ env: releasableRetention() });
    [officer, supervisor, prosecutor] = await Promise.all([
      t.given.officer(),
      t.given.supervisor(),
      t.given.prosecutor('CCSAO'),
    ]);
    api = await startApiProcess(t.dbName, t.storage, releasableRetention());
    dir = mkdtempSync(join(tmpdir(), 'ion-packet-large-'));
    zipPath = join(dir, 'packet.zip');
    publicKeyPem = (await t.http().get('/api/v1/keys').expect(200)).body.keys[0].publicKeyPem;

    const c = await t.given.caseReadyToSubmit(officer);
    await t
      .http()
      .put(`/api/v1/cases/${c.id}/violations`)
      .set(officer.auth)
      .set('If-Match', `"${c.version}"`)
      .send({ violations: [{ citation: '720 ILCS 5/10-3', description: 'Unlawful restraint', felony: true }] })
      .expect(200);
    const hash = createHash('sha256');
    const up = await postStream(
      `${api.url}/api/v1/cases/${c.id}/evidence?kind=BWC&deviceId=AXON-LARGE-2&originalFilename=bwc.mp4`,
      { ...officer.auth, 'Content-Type': 'application/octet-stream', 'Content-Length': String(SIZE) },
      chunks(),
      (chunk) => hash.update(chunk),
    );
    expect(up.status).toBe(201);
    sourceSha = hash.digest('hex');
    expect(up.body).toMatchObject({ sha256: sourceSha, sizeBytes: SIZE });
    await t.http().post(`/api/v1/cases/${c.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(200);
    await t.http().post(`/api/v1/cases/${c.id}/approve`).set(supervisor.auth).send({}).expect(200);
    const sent = await t.http().post(`/api/v1/cases/${c.id}/packets`).set(supervisor.auth).send({}).expect(201);
    packet = sent.body;
  });

  afterAll(async () => {
    await api?.stop();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('streams the ZIP with the API process RSS growth under 150 MB, every byte accounted for', async () => {
    const samples: number[] = [];
    const baseline = rssBytes(api.pid);
    samples.push(baseline);
    const sampler = setInterval(() => {
      try {
        samples.push(rssBytes(api.pid));
      } catch {
        /* process gone: the download fails anyway */
      }
    }, 50);
    const started = Date.now();
    let headers: http.IncomingHttpHeaders = {};
    let complete = false;
    try {
      await new Promise<void>((resolve, reject) => {
        http
          .get(`${api.url}/api/v1/packets/${packet.id}/archive`, { headers: prosecutor.auth, agent: false }, (res) => {
            headers = res.headers;
            if (res.statusCode !== 200) return reject(new Error(`archive answered ${res.statusCode}`));
            pipeline(res, createWriteStream(zipPath)).then(() => {
              complete = res.complete;
              resolve();
            }, reject);
          })
          .on('error', reject);
      });
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - started) / 1000;
    samples.push(rssBytes(api.pid));
    const peak = Math.max(...samples);
    const growth = peak - baseline;
    const size = statSync(zipPath).size;
    console.log(
      `[packets-large] archive of ${SIZE_MB} MiB evidence: ${size} bytes in ${seconds.toFixed(1)} s (${(size / 1048576 / seconds).toFixed(1)} MiB/s); ` +
        `API RSS baseline ${mb(baseline)} MB, peak ${mb(peak)} MB, growth ${mb(growth)} MB (limit 150 MB, ${samples.length} samples)`,
    );
    expect(complete).toBe(true);
    expect(Number(headers['content-length'])).toBe(size);
    expect(headers['x-packet-manifest-sha256']).toBe(packet.manifestSha256);
    expect(size).toBeGreaterThan(SIZE);
    expect(growth).toBeLessThan(RSS_LIMIT);
  });

  it('the offline verifier accepts it, pinned to the published key', async () => {
    const started = Date.now();
    const r = await verifyPacketArchive(zipPath, {
      trustedKeyPem: publicKeyPem,
      expectedManifestSha256: packet.manifestSha256,
    });
    console.log(`[packets-large] offline verification: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(r.firstFailure).toBeNull();
    expect(r).toMatchObject({ ok: true, packetId: packet.id, manifestSha256: packet.manifestSha256 });
    const evidenceCheck = r.checks.find((c) => c.name.startsWith('evidence/'));
    expect(evidenceCheck).toMatchObject({ ok: true });
    expect(evidenceCheck!.detail).toContain(sourceSha);
  });

  it.each([
    [
      'the evidence file (middle)',
      (m: Map<string, { offset: number; size: number }>) => {
        const [name, e] = [...m].find(([n]) => n.startsWith('evidence/'))!;
        return { name, offset: e.offset + Math.floor(e.size / 2) };
      },
    ],
    [
      'the evidence file (last byte)',
      (m: Map<string, { offset: number; size: number }>) => {
        const [name, e] = [...m].find(([n]) => n.startsWith('evidence/'))!;
        return { name, offset: e.offset + e.size - 1 };
      },
    ],
    [
      'the manifest',
      (m: Map<string, { offset: number; size: number }>) => ({
        name: 'manifest.json',
        offset: m.get('manifest.json')!.offset + 40,
      }),
    ],
    [
      'the signature',
      (m: Map<string, { offset: number; size: number }>) => ({
        name: 'manifest.sig',
        offset: m.get('manifest.sig')!.offset + 10,
      }),
    ],
  ])('one flipped byte in %s: the verifier fails naming it', async (_what, locate) => {
    const { name, offset } = locate(await dataOffsets(zipPath));
    flipByte(zipPath, offset);
    try {
      const r = await verifyPacketArchive(zipPath, { trustedKeyPem: publicKeyPem });
      expect(r.ok).toBe(false);
      expect(r.firstFailure?.what).toBe(name);
    } finally {
      flipByte(zipPath, offset); // restore for the next case
    }
  });

  it('with every flipped byte restored, the archive verifies again', async () => {
    const r = await verifyPacketArchive(zipPath, { trustedKeyPem: publicKeyPem });
    expect(r.firstFailure).toBeNull();
  });
});
