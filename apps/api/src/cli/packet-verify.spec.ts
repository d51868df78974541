import { generateKeyPairSync } from 'node:crypto';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { PacketVerification } from '@app/packets/packet-verifier';
import { sha256Hex } from '@app/packets/packet-format';
import {
  buildPacket,
  CASE_NUMBER,
  dir,
  flipFile,
  flippedCopy,
  KEY_ID,
  OTHER_PEM,
  Packet,
  PEM,
  PHOTO,
  PHOTO_PATH,
  removeFixtureDir,
  REPORT,
  unzip,
  VIDEO,
  VIDEO_PATH,
} from '@app/packets/testing/packet-fixtures';
import { main } from './packet-verify';

// The packet-verify command over archives built by the real builder (moved here from libs/packets: a library's
// spec does not import apps/). The verifier's own checks are tested in libs/packets/src/packet-verifier.spec.ts.
afterAll(removeFixtureDir);

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('packet-verify CLI', () => {
  let good: Packet;
  let tampered: string;
  let keyFile: string;
  let otherKeyFile: string;
  let extracted: string;

  beforeAll(async () => {
    good = await buildPacket('cli.zip', [VIDEO, PHOTO]);
    tampered = await flippedCopy(good.zipPath, PHOTO_PATH, 'cli-tampered.zip');
    keyFile = join(dir, 'trusted.pem');
    writeFileSync(keyFile, PEM);
    otherKeyFile = join(dir, 'other.pem');
    writeFileSync(otherKeyFile, OTHER_PEM);
    extracted = unzip(good.zipPath, 'cli');
  });

  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out = new Capture();
    const err = new Capture();
    const code = await main(args, out, err);
    return { code, out: out.text, err: err.text };
  }

  const lastLine = (text: string) => text.trimEnd().split('\n').pop();
  const verified = () =>
    `VERIFIED: packet ${good.manifest.packetId} (case ${CASE_NUMBER} v1 to CCSAO), manifest sha256 ${good.manifestSha256}, key ${KEY_ID}`;

  it('exit 0: one line per check, a note that the key was not pinned, then VERIFIED', async () => {
    const r = await run([good.zipPath]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ok {3}archive: cli\.zip: ZIP with 9 files under ION-2026-000042-packet-v1\/$/);
    expect(lines).toContain(
      `ok   ${VIDEO_PATH}: ${Buffer.concat(VIDEO.chunks).length} bytes, sha256 ${good.manifest.evidence[0].sha256}`,
    );
    expect(r.out).toMatch(/^NOTE key not pinned with --key: .*GET \/api\/v1\/keys/m);
    expect(lastLine(r.out)).toBe(verified());
    expect(r.err).toMatch(/^checked in [\d.]+ s\n$/);
  });

  it('exit 0 with --key and --manifest-sha256, no note', async () => {
    const r = await run([good.zipPath, '--key', keyFile, `--manifest-sha256=${good.manifestSha256}`]);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('NOTE');
    expect(r.out).toContain(`ok   key trust: ${KEY_ID} is the trusted key`);
    expect(lastLine(r.out)).toBe(verified());
  });

  it('exit 1 and NOT VERIFIED naming the file for a tampered archive, another key, or another manifest hash', async () => {
    const t = await run([tampered, '--key', keyFile]);
    expect(t.code).toBe(1);
    expect(t.out).toMatch(new RegExp(`^FAIL ${PHOTO_PATH.replace(/\./g, '\\.')}: hashes to`, 'm'));
    expect(lastLine(t.out)).toMatch(
      new RegExp(
        `^NOT VERIFIED: ${PHOTO_PATH.replace(/\./g, '\\.')}: hashes to [0-9a-f]{64}; the manifest lists ${good.manifest.evidence[1].sha256}$`,
      ),
    );

    const k = await run([good.zipPath, '--key', otherKeyFile]);
    expect(k.code).toBe(1);
    expect(lastLine(k.out)).toMatch(
      /^NOT VERIFIED: public-key\.pem: is key ed25519:[0-9a-f]{16}, not the trusted key ed25519:[0-9a-f]{16}$/,
    );

    const report = await run([
      await flippedCopy(good.zipPath, 'case-report.pdf', 'cli-report-tampered.zip'),
      '--key',
      keyFile,
    ]);
    expect(report.code).toBe(1);
    expect(lastLine(report.out)).toMatch(
      new RegExp(`^NOT VERIFIED: case-report\\.pdf: hashes to [0-9a-f]{64}; the manifest lists ${sha256Hex(REPORT)}$`),
    );

    const h = await run([good.zipPath, '--manifest-sha256', '0'.repeat(64)]);
    expect(h.code).toBe(1);
    expect(lastLine(h.out)).toMatch(/^NOT VERIFIED: manifest\.json: /);
  });

  it('--json prints the whole result', async () => {
    const r = await run([good.zipPath, '--json', '--key', keyFile]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as PacketVerification;
    expect(result).toMatchObject({ ok: true, firstFailure: null, keyId: KEY_ID, manifestSha256: good.manifestSha256 });
  });

  it('manifest + signature mode: exit 0, and 1 naming a flipped evidence file', async () => {
    const args = [
      '--manifest',
      join(extracted, 'manifest.json'),
      '--sig',
      join(extracted, 'manifest.sig'),
      '--public-key',
      join(extracted, 'public-key.pem'),
    ];
    const r = await run([...args, '--evidence-dir', extracted, '--key', keyFile]);
    expect(r.code).toBe(0);
    expect(lastLine(r.out)).toBe(verified());

    const root = join(dir, 'cli-files-tampered');
    cpSync(extracted, root, { recursive: true });
    flipFile(join(root, VIDEO_PATH));
    const t = await run([
      '--manifest',
      join(root, 'manifest.json'),
      '--sig',
      join(root, 'manifest.sig'),
      '--evidence-dir',
      join(root, 'evidence'),
    ]);
    expect(t.code).toBe(1);
    expect(lastLine(t.out)).toMatch(new RegExp(`^NOT VERIFIED: ${VIDEO_PATH.replace(/\./g, '\\.')}: hashes to`));
  });

  it('exit 1 for a file that is not a packet archive', async () => {
    const path = join(dir, 'cli-not-zip.zip');
    writeFileSync(path, 'nope');
    const r = await run([path]);
    expect(r.code).toBe(1);
    expect(lastLine(r.out)).toMatch(/^NOT VERIFIED: cli-not-zip\.zip: not a readable ZIP archive/);
  });

  it.each<[string, string[], RegExp]>([
    ['no arguments', [], /missing the packet archive/],
    ['an unknown option', ['x.zip', '--frobnicate'], /unknown option --frobnicate/],
    ['two archives', ['a.zip', 'b.zip'], /only one archive/],
    ['--manifest without --sig', ['--manifest', 'm.json'], /--manifest needs --sig/],
    ['an archive and --manifest', ['a.zip', '--manifest', 'm.json', '--sig', 's'], /either an archive or --manifest/],
    ['--evidence-dir with an archive', ['a.zip', '--evidence-dir', '.'], /go with --manifest/],
    ['a malformed --manifest-sha256', ['a.zip', '--manifest-sha256', 'abc'], /64 hex digits/],
    ['--key without a value', ['a.zip', '--key'], /--key needs a value/],
  ])('exit 2 with the usage for %s', async (_label, args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(r.err).toContain('usage: packet-verify');
  });

  it('exit 2 for an archive or key that cannot be read, or a key that is not Ed25519', async () => {
    const missing = await run([join(dir, 'missing.zip')]);
    expect(missing).toMatchObject({ code: 2, out: '' });
    expect(missing.err).toMatch(/cannot read the archive .*missing\.zip \(ENOENT\)/);

    const noKey = await run([good.zipPath, '--key', join(dir, 'missing.pem')]);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toMatch(/the key .*missing\.pem is not usable: cannot read it \(ENOENT\)/);

    const rsa = join(dir, 'rsa.pem');
    writeFileSync(
      rsa,
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const notEd = await run([good.zipPath, '--key', rsa]);
    expect(notEd.code).toBe(2);
    expect(notEd.err).toMatch(/expected an Ed25519 public key, got rsa/);

    const noSig = await run(['--manifest', join(extracted, 'manifest.json'), '--sig', join(dir, 'nope.sig')]);
    expect(noSig.code).toBe(2);
    expect(noSig.err).toMatch(/cannot read the signature/);
  });

  it('--help prints the usage, exit 0', async () => {
    const r = await run(['--help']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^usage: packet-verify <archive\.zip>/);
  });
});
