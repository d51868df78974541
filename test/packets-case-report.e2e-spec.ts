import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { verifyPacketArchive } from '@app/packets/packet-verifier';
import { pdfText } from './harness/pdf-text';
import { auditRows, createTestApp, SUBMIT_BODY, TestApp, TestUser } from './harness/test-app';
import { storageUnderTest } from './harness/test-storage';
import { unzip } from './harness/zip';

const API = '/api/v1';
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
/** pdf.js may break a line anywhere: compare text with all whitespace removed. */
const squash = (s: string) => s.replace(/\s+/g, '');

function binary(res: Response, cb: (err: Error | null, body: any) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
  res.on('error', (e: Error) => cb(e, Buffer.alloc(0)));
}

const ENGINE = storageUnderTest();
const UNPROTECTED = ENGINE === 's3rver';

/** A narrative in Spanish, Polish and Chinese, long enough for the report to run over several pages. */
const NARRATIVE = Array(10)
  .fill(
    'El agente federal se negó a identificarse en la parada de autobús. Funkcjonariusz odmówił podania nazwiska i numeru odznaki. ' +
      '联邦特工拒绝表明身份，并且戴着口罩。',
  )
  .join('\n\n');

describe(`the case report a packet carries (issue 15 §4, ${ENGINE})`, () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  let ccsao: TestUser;
  let cityLaw: TestUser;
  let publicKeyPem: string;
  let dir: string;

  beforeAll(async () => {
    t = await createTestApp();
    [officer, supervisor, ccsao, cityLaw] = await Promise.all([
      t.given.officer(4),
      t.given.supervisor(4),
      t.given.prosecutor('CCSAO'),
      t.given.prosecutor('CITY_LAW'),
    ]);
    publicKeyPem = (await t.http().get(`${API}/keys`).expect(200)).body.keys[0].publicKeyPem;
    dir = mkdtempSync(join(tmpdir(), 'case-report-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  /** A felony case with a multilingual narrative and two files, returned once and approved with a note, then sent to CCSAO. */
  async function sentCase() {
    const c0 = await t.given.caseReadyToSubmit(officer);
    const v = (
      await t
        .http()
        .patch(`${API}/cases/${c0.id}`)
        .set(officer.auth)
        .set('If-Match', `"${c0.version}"`)
        .send({ narrative: NARRATIVE, incidentLocation: 'Calle 26 y S Pulaski Rd, parada de autobús' })
        .expect(200)
    ).body.version;
    await t
      .http()
      .put(`${API}/cases/${c0.id}/violations`)
      .set(officer.auth)
      .set('If-Match', `"${v}"`)
      .send({
        violations: [{ citation: '720 ILCS 5/10-3', description: 'Unlawful restraint of a bystander', felony: true }],
      })
      .expect(200);
    const files = [randomBytes(120_000), Buffer.from('%PDF-1.7\nwitness statement\n'.repeat(50))];
    const evidence = [];
    for (const f of files) evidence.push(await t.given.evidence(officer, c0.id, f));
    await t.http().post(`${API}/cases/${c0.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(200);
    await t
      .http()
      .post(`${API}/cases/${c0.id}/return`)
      .set(supervisor.auth)
      .send({ reason: 'Add the plate of the grey SUV' })
      .expect(200);
    await t.http().post(`${API}/cases/${c0.id}/submit`).set(officer.auth).send(SUBMIT_BODY).expect(200);
    await t
      .http()
      .post(`${API}/cases/${c0.id}/approve`)
      .set(supervisor.auth)
      .send({ note: 'Complete; supervisor identification documented' })
      .expect(200);
    const p = (await t.http().post(`${API}/cases/${c0.id}/packets`).set(supervisor.auth).send({}).expect(201)).body;
    return { caseId: c0.id, caseNumber: c0.caseNumber as string, files, evidence, packet: p };
  }

  it('GET /packets/{id}/case-report.pdf: the PDF the manifest records, with the fields, the case number and "page N of M" on every page; recorded as a read', async () => {
    const s = await sentCase();
    const m = (await t.http().get(`${API}/packets/${s.packet.id}/manifest`).set(ccsao.auth).expect(200)).body.manifest;
    const res = await t
      .http()
      .get(`${API}/packets/${s.packet.id}/case-report.pdf`)
      .set(ccsao.auth)
      .set('X-Request-Id', `report-${s.packet.id}`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    const pdf = res.body as Buffer;
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${s.caseNumber}-packet-v1-case-report.pdf"`);
    expect(Number(res.headers['content-length'])).toBe(pdf.length);
    expect(res.headers['x-case-report-sha256']).toBe(sha256(pdf));
    expect(res.headers['x-packet-manifest-sha256']).toBe(s.packet.manifestSha256);
    expect(m.caseReport).toEqual({
      file: 'case-report.pdf',
      contentType: 'application/pdf',
      sizeBytes: pdf.length,
      sha256: sha256(pdf),
    });

    const { pages, info } = await pdfText(pdf);
    expect(info).toMatchObject({ Title: `Case report ${s.caseNumber}, packet version 1` });
    expect(pages.length).toBeGreaterThanOrEqual(2);
    pages.forEach((text, i) =>
      expect(text).toContain(`Case ${s.caseNumber} · packet v1 · page ${i + 1} of ${pages.length}`),
    );
    const all = squash(pages.join('\n'));
    for (const expected of [
      s.caseNumber,
      'Calle 26 y S Pulaski Rd, parada de autobús',
      'Arrest',
      'ICE Enforcement and Removal Operations (ERO)',
      'El agente federal se negó a identificarse',
      'Funkcjonariusz odmówił podania nazwiska',
      '联邦特工拒绝表明身份，并且戴着口罩。',
      'J. Smith',
      'F-123',
      'Partial: some identifying details obtained',
      'Asked for name and badge; name given verbally, badge covered',
      '720 ILCS 5/10-3 (felony)',
      'Unlawful restraint of a bystander',
      'Returned by',
      'Add the plate of the grey SUV',
      'Complete; supervisor identification documented',
      `SHA-256: ${sha256(s.files[0])}`,
      `SHA-256: ${sha256(s.files[1])}`,
      m.evidence[0].archivePath,
      "Cook County State's Attorney (CCSAO)",
      'Uploaded: 1 time',
    ]) {
      expect(all).toContain(squash(expected));
    }

    // The object in storage is those bytes; the read is one audit event naming them.
    const {
      rows: [row],
    } = await t.owner.query(`SELECT case_report_key FROM packets WHERE id = $1`, [s.packet.id]);
    expect(await t.storage.sha256Of(row.case_report_key)).toEqual({ sha256: sha256(pdf), size: pdf.length });
    const events = await auditRows(t.owner, 'request_id = $1', [`report-${s.packet.id}`]);
    expect(events.map((e) => [e.action, e.outcome, e.target_id, e.actor_id])).toEqual([
      ['packet.case_report.downloaded', 'SUCCESS', s.packet.id, ccsao.id],
    ]);
    expect(events[0].details).toMatchObject({
      sha256: sha256(pdf),
      sizeBytes: pdf.length,
      manifestSha256: s.packet.manifestSha256,
      packetVersion: 1,
    });
    // The send recorded it too.
    const [sentEvent] = await auditRows(t.owner, `action = 'packet.sent' AND target_id = $1`, [s.packet.id]);
    expect(sentEvent.details).toMatchObject({ caseReport: { sha256: sha256(pdf), sizeBytes: pdf.length } });

    // The other office: 404, audited as a refusal, nothing sent.
    await t
      .http()
      .get(`${API}/packets/${s.packet.id}/case-report.pdf`)
      .set(cityLaw.auth)
      .set('X-Request-Id', `report-denied-${s.packet.id}`)
      .expect(404);
    const denied = await auditRows(t.owner, 'request_id = $1', [`report-denied-${s.packet.id}`]);
    expect(denied.map((e) => [e.action, e.outcome])).toEqual([['access.denied', 'DENIED']]);
  });

  it('the archive carries it as case-report.pdf (in SHA256SUMS too) and verifies; a changed byte in it fails the verification naming it', async () => {
    const s = await sentCase();
    const report = (
      await t
        .http()
        .get(`${API}/packets/${s.packet.id}/case-report.pdf`)
        .set(supervisor.auth)
        .buffer(true)
        .parse(binary)
        .expect(200)
    ).body as Buffer;
    const zip = (
      await t.http().get(`${API}/packets/${s.packet.id}/archive`).set(ccsao.auth).buffer(true).parse(binary).expect(200)
    ).body as Buffer;
    const root = `${s.caseNumber}-packet-v1`;
    const files = await unzip(zip);
    expect(files.get(`${root}/case-report.pdf`)!.equals(report)).toBe(true);
    expect(files.get(`${root}/SHA256SUMS`)!.toString()).toContain(`${sha256(report)}  case-report.pdf\n`);
    expect(files.get(`${root}/VERIFY.txt`)!.toString()).toContain(
      `case-report.pdf  ${report.length} bytes  sha256 ${sha256(report)}`,
    );

    const good = join(dir, `${s.packet.id}.zip`);
    writeFileSync(good, zip);
    const ok = await verifyPacketArchive(good, {
      trustedKeyPem: publicKeyPem,
      expectedManifestSha256: s.packet.manifestSha256,
    });
    expect(ok.ok).toBe(true);
    expect(ok.checks.find((c) => c.name === 'case-report.pdf')).toEqual({
      name: 'case-report.pdf',
      ok: true,
      detail: `${report.length} bytes, sha256 ${sha256(report)}`,
    });

    // One byte of the PDF changed inside the ZIP (stored entries: its bytes appear verbatim).
    const at = zip.indexOf(report);
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(zip);
    tampered[at + Math.floor(report.length / 2)] ^= 0x01;
    const bad = join(dir, `${s.packet.id}-tampered.zip`);
    writeFileSync(bad, tampered);
    const r = await verifyPacketArchive(bad, { trustedKeyPem: publicKeyPem });
    expect(r.ok).toBe(false);
    expect(r.firstFailure?.what).toBe('case-report.pdf');
    expect(r.firstFailure?.detail).toMatch(
      new RegExp(`^hashes to [0-9a-f]{64}; the manifest lists ${sha256(report)}$`),
    );
  });

  if (UNPROTECTED)
    it('a report changed in storage is never served: 409 INTEGRITY FAILURE for it and for the archive, audited, nothing sent', async () => {
      const s = await sentCase();
      const {
        rows: [row],
      } = await t.owner.query(`SELECT case_report_key FROM packets WHERE id = $1`, [s.packet.id]);
      const original = (
        await t
          .http()
          .get(`${API}/packets/${s.packet.id}/case-report.pdf`)
          .set(ccsao.auth)
          .buffer(true)
          .parse(binary)
          .expect(200)
      ).body as Buffer;
      const changed = Buffer.from(original);
      changed[Math.floor(changed.length / 2)] ^= 0x01;
      await t.storage.client.putObject(t.storage.bucket, row.case_report_key, changed, changed.length);

      const r = await t
        .http()
        .get(`${API}/packets/${s.packet.id}/case-report.pdf`)
        .set(ccsao.auth)
        .set('X-Request-Id', `report-bad-${s.packet.id}`)
        .expect(409);
      expect(r.body).toMatchObject({
        code: 'EVIDENCE.INTEGRITY_FAILURE',
        message: expect.stringContaining('does not match the SHA-256 its signed manifest records'),
      });
      const a = await t
        .http()
        .get(`${API}/packets/${s.packet.id}/archive`)
        .set(ccsao.auth)
        .set('X-Request-Id', `archive-bad-${s.packet.id}`)
        .expect(409);
      expect(a.headers['content-type']).toMatch(/^application\/json/);
      for (const [request, during] of [
        [`report-bad-${s.packet.id}`, 'case-report'],
        [`archive-bad-${s.packet.id}`, 'packet-archive'],
      ]) {
        const events = await auditRows(t.owner, 'request_id = $1', [request]);
        expect(events.map((e) => [e.action, e.outcome])).toEqual([['packet.case_report.integrity_failed', 'FAILED']]);
        expect(events[0].details).toMatchObject({
          during,
          expectedSha256: sha256(original),
          actualSha256: sha256(changed),
          actualSize: changed.length,
        });
      }
    });
});

describe(`the case report while storage is unreachable (${ENGINE})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ storageProxy: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 before any byte, audited as a failed attempt, no read recorded and no integrity failure; once storage is back it is served', async () => {
    const [officer, supervisor, prosecutor] = await Promise.all([
      t.given.officer(),
      t.given.supervisor(),
      t.given.prosecutor('CCSAO'),
    ]);
    const p = await t.given.sentPacket(officer, supervisor, 'CCSAO');
    await t.storageProxy!.cut();
    let res: Response;
    try {
      res = await t
        .http()
        .get(`${API}/packets/${p.id}/case-report.pdf`)
        .set(prosecutor.auth)
        .set('X-Request-Id', `report-down-${p.id}`);
    } finally {
      await t.storageProxy!.restore();
    }
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'DEPENDENCY.UNAVAILABLE' });
    const events = await auditRows(t.owner, 'request_id = $1', [`report-down-${p.id}`]);
    expect(events.map((e) => [e.action, e.outcome, e.target_id])).toEqual([
      ['packet.archive.download', 'FAILED', p.id],
    ]);
    expect(await auditRows(t.owner, `target_id = $1 AND action LIKE 'packet.case_report.%'`, [p.id])).toEqual([]);

    const again = await t
      .http()
      .get(`${API}/packets/${p.id}/case-report.pdf`)
      .set(prosecutor.auth)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(sha256(again.body as Buffer)).toBe(again.headers['x-case-report-sha256']);
  });
});
