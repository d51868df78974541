import { spawnSync } from 'node:child_process';
import { randomBytes, sign } from 'node:crypto';
import { cpSync, createWriteStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile as YazlZip } from 'yazl';
import { canonicalJson } from '@app/common/canonical-json';
import { buildPacketArchive, EvidenceMismatchError } from './packet-archive';
import { PacketManifest, sha256Hex, VERIFY_SCRIPT_BEGIN, VERIFY_SCRIPT_END } from './packet-format';
import { PacketVerification, verifyPacketArchive, verifyPacketFiles } from './packet-verifier';
import {
  buildPacket,
  CASE_NUMBER,
  dir,
  entriesOf,
  entryData,
  flipFile,
  flippedCopy,
  KEY_ID,
  manifestFor,
  OTHER_PEM,
  Packet,
  PEM,
  PHOTO,
  PHOTO_PATH,
  privateKey,
  removeFixtureDir,
  REPORT,
  ROOT,
  unzip,
  VIDEO,
  VIDEO_PATH,
  zipOf,
} from './testing/packet-fixtures';

afterAll(removeFixtureDir);

function failed(r: PacketVerification): string | undefined {
  expect(r.ok).toBe(false);
  expect(r.checks[r.checks.length - 1].ok).toBe(false);
  expect(r.checks.slice(0, -1).every((c) => c.ok)).toBe(true);
  return r.firstFailure?.what;
}

describe('verifyPacketArchive', () => {
  let good: Packet;
  let empty: Packet;

  beforeAll(async () => {
    good = await buildPacket('good.zip', [VIDEO, PHOTO]);
    empty = await buildPacket('empty.zip', []);
  });

  it('verifies a good archive: every check ok, in order, the packet named, the key not pinned', async () => {
    const r = await verifyPacketArchive(good.zipPath);
    expect(r).toMatchObject({
      ok: true,
      firstFailure: null,
      packetId: good.manifest.packetId,
      caseNumber: CASE_NUMBER,
      version: 1,
      office: 'CCSAO',
      keyId: KEY_ID,
      manifestSha256: good.manifestSha256,
      keyPinned: false,
    });
    expect(r.checks.every((c) => c.ok)).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual([
      'archive',
      'required files',
      'manifest',
      'manifest sha256',
      'public key',
      'key trust',
      'signature',
      'checksums',
      'case-report.pdf',
      VIDEO_PATH,
      PHOTO_PATH,
      'no other files',
    ]);
    expect(r.checks.find((c) => c.name === 'case-report.pdf')?.detail).toBe(
      `${REPORT.length} bytes, sha256 ${sha256Hex(REPORT)}`,
    );
    expect(r.checks.find((c) => c.name === 'key trust')?.detail).toMatch(/NOT PINNED.*GET \/api\/v1\/keys/);
  });

  it('verifies with the key pinned to the signing key', async () => {
    const r = await verifyPacketArchive(good.zipPath, {
      trustedKeyPem: PEM,
      expectedManifestSha256: good.manifestSha256.toUpperCase(),
    });
    expect(r.ok).toBe(true);
    expect(r.keyPinned).toBe(true);
    expect(r.checks.find((c) => c.name === 'key trust')).toEqual({
      name: 'key trust',
      ok: true,
      detail: `${KEY_ID} is the trusted key`,
    });
  });

  it('fails naming public-key.pem when the trusted key is another key', async () => {
    const r = await verifyPacketArchive(good.zipPath, { trustedKeyPem: OTHER_PEM });
    expect(failed(r)).toBe('public-key.pem');
    expect(r.firstFailure?.detail).toContain('not the trusted key');
  });

  it('fails naming manifest.json when the expected manifest SHA-256 is another', async () => {
    const r = await verifyPacketArchive(good.zipPath, { expectedManifestSha256: 'ab'.repeat(32) });
    expect(failed(r)).toBe('manifest.json');
    expect(r.firstFailure?.detail).toContain(`not the expected ${'ab'.repeat(32)}`);
  });

  it('verifies a packet with no evidence files', async () => {
    const r = await verifyPacketArchive(empty.zipPath, { trustedKeyPem: PEM });
    expect(r.ok).toBe(true);
    expect(r.checks.find((c) => c.name === 'evidence')?.detail).toBe('no evidence files in this packet');
  });

  it.each([
    ['the big evidence file (first chunk)', VIDEO_PATH, 0.1],
    ['the big evidence file (last byte)', VIDEO_PATH, 0.99999999],
    ['the small evidence file', PHOTO_PATH, 0.5],
    ['manifest.json (structure)', 'manifest.json', 0],
    ['manifest.json (inside a string)', 'manifest.json', 0.5],
    ['manifest.sig', 'manifest.sig', 0.5],
    ['SHA256SUMS', 'SHA256SUMS', 0.5],
    ['public-key.pem', 'public-key.pem', 0.5],
    ['case-report.pdf (first byte)', 'case-report.pdf', 0],
    ['case-report.pdf (middle)', 'case-report.pdf', 0.5],
  ])('a flipped byte in %s fails, naming that file', async (_label, rel, at) => {
    const path = await flippedCopy(good.zipPath, rel, `flip-${rel.replace(/\W/g, '_')}-${at}.zip`, at);
    const r = await verifyPacketArchive(path);
    expect(failed(r)).toBe(rel);
  });

  it('names manifest.sha256 when only the recorded hash was changed (the manifest is still validly signed)', async () => {
    const path = await flippedCopy(good.zipPath, 'manifest.sha256', 'flip-manifest-sha256.zip', 0.3);
    const r = await verifyPacketArchive(path);
    expect(failed(r)).toBe('manifest.sha256');
  });

  it('checks the offsets it flips: the data found is the data packed', async () => {
    const zip = readFileSync(good.zipPath);
    const m = await entryData(zip, 'manifest.json');
    expect(zip.subarray(m.start, m.start + m.size).equals(good.manifestBytes)).toBe(true);
    const v = await entryData(zip, VIDEO_PATH);
    expect(zip.subarray(v.start, v.start + v.size).equals(Buffer.concat(VIDEO.chunks))).toBe(true);
  });

  it('fails on a file the manifest does not list, naming it', async () => {
    const entries = await entriesOf(good.zipPath);
    const path = await zipOf('extra.zip', [
      ...entries,
      { name: `${ROOT}/evidence/99-extra.mp4`, data: Buffer.from('x') },
    ]);
    const r = await verifyPacketArchive(path);
    expect(failed(r)).toBe('evidence/99-extra.mp4');
    expect(r.checks[r.checks.length - 1].name).toBe('no other files');
  });

  it('a packet of format /1 (sent before case reports) still verifies; one with a case-report.pdf added fails on that file', async () => {
    const old = await buildPacket('format1.zip', [PHOTO], true);
    const r = await verifyPacketArchive(old.zipPath, { trustedKeyPem: PEM });
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.name)).not.toContain('case-report.pdf');
    expect(r.checks.find((c) => c.name === 'manifest')?.detail).toMatch(/^canonical ion-packet-manifest\/1: /);
    const entries = await entriesOf(old.zipPath);
    const added = await verifyPacketArchive(
      await zipOf('format1-plus-report.zip', [...entries, { name: `${ROOT}/case-report.pdf`, data: REPORT }]),
    );
    expect(failed(added)).toBe('case-report.pdf');
    expect(added.firstFailure?.detail).toBe('is in the archive but not in the signed manifest');
  });

  it('fails naming case-report.pdf when it is missing or replaced by another PDF', async () => {
    const entries = await entriesOf(good.zipPath);
    const missing = await verifyPacketArchive(
      await zipOf(
        'no-report.zip',
        entries.filter((e) => !e.name.endsWith('/case-report.pdf')),
      ),
    );
    expect(failed(missing)).toBe('case-report.pdf');
    expect(missing.firstFailure?.detail).toBe('is missing from the archive');
    const other = Buffer.concat([Buffer.from('%PDF-1.3\n'), randomBytes(5000), Buffer.from('\n%%EOF\n')]);
    const replaced = entries.map((e) => (e.name.endsWith('/case-report.pdf') ? { ...e, data: other } : e));
    const r = await verifyPacketArchive(await zipOf('other-report.zip', replaced));
    expect(failed(r)).toBe('case-report.pdf');
    expect(r.firstFailure?.detail).toBe(`hashes to ${sha256Hex(other)}; the manifest lists ${sha256Hex(REPORT)}`);
  });

  it('accepts a re-zipped packet (deflated, with folder entries, no VERIFY.txt) and fails a missing or duplicated file', async () => {
    const entries = (await entriesOf(good.zipPath)).filter((e) => !e.name.endsWith('VERIFY.txt'));
    const rezipped = await zipOf(
      'rezipped.zip',
      [{ name: `${ROOT}/`, data: Buffer.alloc(0) }, { name: `${ROOT}/evidence/`, data: Buffer.alloc(0) }, ...entries],
      true,
    );
    expect((await verifyPacketArchive(rezipped, { trustedKeyPem: PEM })).ok).toBe(true);

    const noSig = await zipOf(
      'no-sig.zip',
      entries.filter((e) => !e.name.endsWith('manifest.sig')),
    );
    expect(failed(await verifyPacketArchive(noSig))).toBe('manifest.sig');

    const noPhoto = await zipOf(
      'no-photo.zip',
      entries.filter((e) => !e.name.endsWith(PHOTO_PATH)),
    );
    const r = await verifyPacketArchive(noPhoto);
    expect(failed(r)).toBe(PHOTO_PATH);
    expect(r.firstFailure?.detail).toBe('is missing from the archive');

    const sums = entries.find((e) => e.name.endsWith('SHA256SUMS')) as { name: string; data: Buffer };
    const twice = await zipOf('twice.zip', [...entries, { name: sums.name, data: Buffer.from('other\n') }]);
    expect(failed(await verifyPacketArchive(twice))).toBe('SHA256SUMS');
  });

  it('fails when entries are not all under one root folder', async () => {
    const entries = await entriesOf(good.zipPath);
    const path = await zipOf('two-roots.zip', [
      ...entries,
      { name: 'elsewhere/manifest.json', data: good.manifestBytes },
    ]);
    const r = await verifyPacketArchive(path);
    expect(failed(r)).toBe('elsewhere/manifest.json');
    expect(r.checks[r.checks.length - 1].name).toBe('archive');
  });

  it('fails on a symbolic link entry (unzip would make a link, not the file hashed)', async () => {
    const entries = await entriesOf(good.zipPath);
    const zip = new YazlZip();
    for (const e of entries) {
      const link = e.name.endsWith(PHOTO_PATH);
      zip.addBuffer(e.data, e.name, link ? { mode: 0o120777 } : {});
    }
    zip.end();
    const path = join(dir, 'symlink.zip');
    await pipeline(zip.outputStream, createWriteStream(path));
    const r = await verifyPacketArchive(path);
    expect(failed(r)).toBe(PHOTO_PATH);
    expect(r.firstFailure?.detail).toBe('is a symbolic link');
  });

  it.each([
    ['pretty-printed (not canonical)', (m: PacketManifest) => JSON.stringify(m, null, 2)],
    ['another format', (m: PacketManifest) => canonicalJson({ ...m, format: 'ion-packet-manifest/3' })],
    ['format /2 without its caseReport', (m: PacketManifest) => canonicalJson({ ...m, caseReport: undefined })],
    ['format /1 with a caseReport', (m: PacketManifest) => canonicalJson({ ...m, format: 'ion-packet-manifest/1' })],
    [
      'a number JSON cannot round-trip',
      (m: PacketManifest) => canonicalJson(m).replace('"version":1', '"version":1e400'),
    ],
    [
      'an unsafe evidence path',
      (m: PacketManifest) => canonicalJson({ ...m, evidence: [{ ...m.evidence[0], archivePath: '../escape.mp4' }] }),
    ],
  ])('fails naming manifest.json when it is %s', async (label, rewrite) => {
    const entries = await entriesOf(good.zipPath);
    const replaced = entries.map((e) =>
      e.name.endsWith('/manifest.json') ? { ...e, data: Buffer.from(rewrite(good.manifest)) } : e,
    );
    const r = await verifyPacketArchive(await zipOf(`manifest-${label.replace(/\W/g, '_')}.zip`, replaced));
    expect(failed(r)).toBe('manifest.json');
    expect(r.checks[r.checks.length - 1].name).toBe('manifest');
  });

  it('fails on a file that is not a ZIP, and rejects a path that is not there', async () => {
    const notZip = join(dir, 'not-a.zip');
    writeFileSync(notZip, 'this is not a zip archive');
    const r = await verifyPacketArchive(notZip);
    expect(failed(r)).toBe('not-a.zip');
    await expect(verifyPacketArchive(join(dir, 'missing.zip'))).rejects.toThrow(/ENOENT/);
  });

  it('fails on a truncated download', async () => {
    const zip = readFileSync(good.zipPath);
    const path = join(dir, 'truncated.zip');
    writeFileSync(path, zip.subarray(0, zip.length - 100));
    expect(failed(await verifyPacketArchive(path))).toBe('truncated.zip');
  });
});

describe('buildPacketArchive', () => {
  it('destroys the stream with an error, and never completes the ZIP, when checkEvidence refuses a file', async () => {
    const manifest = manifestFor([VIDEO, PHOTO]);
    const manifestBytes = Buffer.from(canonicalJson(manifest));
    const lastChunk = VIDEO.chunks[VIDEO.chunks.length - 1];
    const archive = buildPacketArchive({
      manifest,
      manifestBytes,
      manifestSha256: sha256Hex(manifestBytes),
      signature: sign(null, manifestBytes, privateKey),
      publicKeyPem: PEM,
      openEvidence: async (item) => Readable.from(item.archivePath === VIDEO_PATH ? VIDEO.chunks : PHOTO.chunks),
      checkEvidence: async (item) => item.archivePath !== VIDEO_PATH,
    });
    const path = join(dir, 'refused.zip');
    const out = createWriteStream(path);
    await expect(pipeline(archive.stream, out)).rejects.toBeInstanceOf(EvidenceMismatchError);
    expect(archive.stream.destroyed).toBe(true);

    const partial = readFileSync(path);
    expect(partial.length).toBeLessThan(await archive.size);
    expect(partial.includes(lastChunk)).toBe(false); // the refused file's last chunk was held back
    expect(partial.includes(Buffer.from([0x50, 0x4b, 0x05, 0x06]))).toBe(false); // no end of central directory
    const r = await verifyPacketArchive(path);
    expect(failed(r)).toBe('refused.zip');
  });
});

describe('the VERIFY.txt recipe (sh, sha256sum, grep, openssl)', () => {
  let extracted: string;
  let n = 0;

  beforeAll(async () => {
    const p = await buildPacket('recipe.zip', [VIDEO, PHOTO]);
    extracted = unzip(p.zipPath, 'recipe');
  });

  /** The script between the markers of the packet's own VERIFY.txt, run with sh in a copy of the folder. */
  function runRecipe(tamper?: (root: string) => void) {
    const root = join(dir, `recipe-run-${++n}`);
    cpSync(extracted, root, { recursive: true });
    tamper?.(root);
    const text = readFileSync(join(root, 'VERIFY.txt'), 'utf8').split('\n');
    const script = text.slice(text.indexOf(VERIFY_SCRIPT_BEGIN) + 1, text.indexOf(VERIFY_SCRIPT_END)).join('\n');
    expect(script).toContain('sha256sum --strict -c SHA256SUMS');
    writeFileSync(join(dir, `verify-${n}.sh`), `${script}\n`);
    return spawnSync('sh', [join(dir, `verify-${n}.sh`)], { cwd: root, encoding: 'utf8' });
  }

  it('passes on the extracted packet and prints the key id', () => {
    const r = runRecipe();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ALL CHECKS PASSED');
    expect(r.stdout).toContain(`key id: ${KEY_ID}`);
  });

  it.each<[string, (root: string) => void]>([
    ['a flipped byte in an evidence file', (root) => flipFile(join(root, VIDEO_PATH), 0.7)],
    ['a flipped byte in manifest.json', (root) => flipFile(join(root, 'manifest.json'), 0.5)],
    ['a flipped byte in manifest.sig', (root) => flipFile(join(root, 'manifest.sig'), 0.5)],
    ['a flipped byte in case-report.pdf', (root) => flipFile(join(root, 'case-report.pdf'), 0.5)],
    [
      'a replaced SHA256SUMS line',
      (root) => {
        const path = join(root, 'SHA256SUMS');
        const text = readFileSync(path, 'utf8');
        const forged = sha256Hex('forged photo');
        writeFileSync(path, text.replace(/^[0-9a-f]{64}(?= {2}evidence\/02-)/m, forged));
        expect(readFileSync(path, 'utf8')).toContain(`${forged}  ${PHOTO_PATH}`);
        writeFileSync(join(root, PHOTO_PATH), 'forged photo');
      },
    ],
  ])('fails (non-zero exit, no ALL CHECKS PASSED) after %s', (_label, tamper) => {
    const r = runRecipe(tamper);
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('ALL CHECKS PASSED');
  });

  it('passes on a packet with no evidence files', async () => {
    const p = await buildPacket('recipe-empty.zip', []);
    const root = unzip(p.zipPath, 'recipe-empty');
    const text = readFileSync(join(root, 'VERIFY.txt'), 'utf8').split('\n');
    const script = text.slice(text.indexOf(VERIFY_SCRIPT_BEGIN) + 1, text.indexOf(VERIFY_SCRIPT_END)).join('\n');
    const r = spawnSync('sh', ['-c', script], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ALL CHECKS PASSED');
  });
});

describe('verifyPacketFiles (manifest + signature)', () => {
  let extracted: string;
  let n = 0;

  beforeAll(async () => {
    const p = await buildPacket('files.zip', [VIDEO, PHOTO]);
    extracted = unzip(p.zipPath, 'files');
  });

  function copy(): string {
    const root = join(dir, `files-run-${++n}`);
    cpSync(extracted, root, { recursive: true });
    return root;
  }

  const filesOf = (root: string) => ({
    manifestPath: join(root, 'manifest.json'),
    signaturePath: join(root, 'manifest.sig'),
    publicKeyPath: join(root, 'public-key.pem'),
  });

  it('passes with the evidence folder (by archive path, and by file name in evidence/)', async () => {
    for (const evidenceDir of [extracted, join(extracted, 'evidence')]) {
      const r = await verifyPacketFiles({ ...filesOf(extracted), evidenceDir });
      expect(r).toMatchObject({
        ok: true,
        firstFailure: null,
        keyId: KEY_ID,
        caseNumber: CASE_NUMBER,
        keyPinned: false,
      });
      expect(r.checks.map((c) => c.name)).toEqual([
        'manifest',
        'manifest sha256',
        'public key',
        'key trust',
        'signature',
        'case-report.pdf',
        VIDEO_PATH,
        PHOTO_PATH,
      ]);
    }
  });

  it('passes without evidence (saying it was not checked), with only a trusted key, or with public-key.pem found beside the manifest', async () => {
    const { manifestPath, signaturePath } = filesOf(extracted);
    const r = await verifyPacketFiles({ manifestPath, signaturePath });
    expect(r.ok).toBe(true);
    expect(r.checks[r.checks.length - 1]).toMatchObject({
      name: 'evidence',
      ok: true,
      detail: expect.stringContaining('not checked'),
    });
    const pinned = await verifyPacketFiles({ manifestPath, signaturePath, trustedKeyPem: PEM });
    expect(pinned).toMatchObject({ ok: true, keyPinned: true });
    const wrong = await verifyPacketFiles({ manifestPath, signaturePath, trustedKeyPem: OTHER_PEM });
    expect(failed(wrong)).toBe('trusted key');
  });

  it('accepts the signature as base64 text', async () => {
    const root = copy();
    const sig = readFileSync(join(root, 'manifest.sig'));
    writeFileSync(join(root, 'manifest.sig.b64'), `${sig.toString('base64')}\n`);
    const r = await verifyPacketFiles({
      ...filesOf(root),
      signaturePath: join(root, 'manifest.sig.b64'),
      evidenceDir: root,
    });
    expect(r.ok).toBe(true);
    writeFileSync(join(root, 'manifest.sig.b64'), `${sig.subarray(0, 63).toString('base64')}\n`);
    const short = await verifyPacketFiles({ ...filesOf(root), signaturePath: join(root, 'manifest.sig.b64') });
    expect(failed(short)).toBe('manifest.sig');
  });

  it.each([
    ['manifest.json', 'manifest.json'],
    ['manifest.sig', 'manifest.sig'],
    [VIDEO_PATH, VIDEO_PATH],
    [PHOTO_PATH, PHOTO_PATH],
    ['case-report.pdf', 'case-report.pdf'],
  ])('fails naming %s when a byte of it is flipped', async (file, what) => {
    const root = copy();
    flipFile(join(root, file), 0.4);
    const r = await verifyPacketFiles({ ...filesOf(root), evidenceDir: join(root, 'evidence') });
    expect(failed(r)).toBe(what);
  });

  it('without manifest.sha256 beside it, a changed manifest.json fails at the signature (saying either may have changed) unless the hash is expected', async () => {
    const root = copy();
    rmSync(join(root, 'manifest.sha256'));
    const manifestSha256 = sha256Hex(readFileSync(join(root, 'manifest.json')));
    flipFile(join(root, 'manifest.json'), 0.4);
    const r = await verifyPacketFiles(filesOf(root));
    expect(failed(r)).toBe('manifest.sig');
    expect(r.firstFailure?.detail).toContain('or manifest.json was changed');
    const pinned = await verifyPacketFiles({ ...filesOf(root), expectedManifestSha256: manifestSha256 });
    expect(failed(pinned)).toBe('manifest.json');
  });

  it('names manifest.sha256 beside the manifest when only it was changed', async () => {
    const root = copy();
    flipFile(join(root, 'manifest.sha256'), 0.2);
    expect(failed(await verifyPacketFiles(filesOf(root)))).toBe('manifest.sha256');
  });

  it('fails naming a missing evidence file; rejects when the manifest itself cannot be read', async () => {
    const root = copy();
    rmSync(join(root, PHOTO_PATH));
    const r = await verifyPacketFiles({ ...filesOf(root), evidenceDir: root });
    expect(failed(r)).toBe(PHOTO_PATH);
    await expect(verifyPacketFiles({ ...filesOf(root), manifestPath: join(root, 'nope.json') })).rejects.toThrow(
      /ENOENT/,
    );
  });
});
