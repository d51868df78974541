import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { AuditEventBody, ChainedAuditEvent, GENESIS_HASH, hashAuditEvent } from '@app/audit/audit-hash';
import {
  checkpointMessage,
  EXPORT_FORMAT,
  ExportFormatName,
  ExportHeader,
  ExportWriter,
} from '@app/audit/export-format';
import { keyIdOf, signMessage } from '@app/signing/signing-keys';
import { main } from './audit-verify';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const keyId = keyIdOf(publicKey);

function chain(n: number): ChainedAuditEvent[] {
  const out: ChainedAuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const body: AuditEventBody = {
      seq,
      id: `id-${seq}`,
      occurredAt: new Date(Date.UTC(2026, 10, 21, 12, 0, seq)).toISOString(),
      actorId: 'u1',
      actorUsername: 'officer',
      actorRole: 'OFFICER',
      action: 'case.viewed',
      outcome: 'SUCCESS',
      targetType: 'case',
      targetId: seq % 2 ? 'case-a' : 'case-b',
      caseId: seq % 2 ? 'case-a' : 'case-b',
      requestId: null,
      clientIp: '127.0.0.1',
      userAgent: seq === 3 ? 'two\nlines, "quoted"' : 'jest',
      details: { seq },
    };
    const hash = hashAuditEvent(prev, body);
    out.push({ ...body, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

const EVENTS = chain(10);

function exportText(
  format: ExportFormatName,
  rows = EVENTS,
  filtered = false,
  head = EVENTS[EVENTS.length - 1],
): string {
  const w = new ExportWriter(format, (m) => signMessage(privateKey, m));
  const unsigned = { seq: head.seq, headHash: head.hash, createdAt: '2026-11-22T00:00:00.000Z', keyId };
  const header: ExportHeader = {
    type: 'header',
    format: EXPORT_FORMAT,
    exportedAt: '2026-11-22T00:00:00.000Z',
    exportedBy: { id: 'a1', username: 'auditor', role: 'AUDITOR' },
    filters: filtered ? { caseId: 'case-a' } : {},
    filtered,
    keyId,
  };
  const lines = [
    ...w.begin(header),
    ...rows.map((e) => w.event(e)),
    w.end({ ...unsigned, signature: signMessage(privateKey, checkpointMessage(unsigned)) }),
  ];
  return `${lines.join('\n')}\n`;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('audit-verify CLI', () => {
  let dir: string;
  let pem: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-verify-'));
    pem = join(dir, 'public.pem');
    writeFileSync(pem, publicKey.export({ type: 'spki', format: 'pem' }));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[], stdin?: Readable): Promise<{ code: number; out: string; err: string }> {
    const out = new Capture();
    const err = new Capture();
    const code = await main(args, out, err, stdin);
    return { code, out: out.text, err: err.text };
  }

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it.each(['ndjson', 'csv'] as const)(
    'verifies a complete %s export: one OK line, exit 0, throughput on stderr',
    async (format) => {
      const r = await run([file(`ok.${format}`, exportText(format)), '--key', pem]);
      expect(r).toEqual({
        code: 0,
        out: `OK: 10 rows (seq 1..10), chain intact, checkpoint seq 10 signed by ${keyId}, sealed; complete export\n`,
        err: expect.stringMatching(/^verified 10 rows in \d+\.\d\d s \(\d+ rows\/s\)\n$/),
      });
    },
  );

  it('says when an export is filtered', async () => {
    const r = await run([
      file(
        'filtered.ndjson',
        exportText(
          'ndjson',
          EVENTS.filter((e) => e.caseId === 'case-a'),
          true,
        ),
      ),
      '--key',
      pem,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      `OK: 5 rows (seq 1..9), chain intact, checkpoint seq 10 signed by ${keyId}, sealed; ` +
        'filtered export (rows checked for their own hashes and the chain where consecutive)\n',
    );
  });

  it('names the line, the seq and the problem of a tampered export, exit 1', async () => {
    const text = exportText('ndjson').replace(
      '"action":"case.viewed","outcome":"SUCCESS","targetType":"case","targetId":"case-b"',
      '"action":"case.deleted","outcome":"SUCCESS","targetType":"case","targetId":"case-b"',
    );
    const r = await run([file('tampered.ndjson', text), '--key', pem]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("FAILED at line 3 (seq 2): the row's hash does not match its contents (a field was altered)\n");
  });

  it('reports a truncated file', async () => {
    const lines = exportText('csv').trimEnd().split('\n');
    const r = await run([file('cut.csv', `${lines.slice(0, -1).join('\n')}\n`), '--key', pem]);
    expect(r).toMatchObject({
      code: 1,
      out: `FAILED at line ${lines.length}: truncated: the file ends without its checkpoint\n`,
    });
  });

  it.each(['ndjson', 'csv'] as const)(
    'reads a %s export larger than its blocks (1 MiB) and names a row tampered with past the first',
    async (format) => {
      const rows = chain(6000);
      const text = exportText(format, rows, false, rows[rows.length - 1]);
      expect(Buffer.byteLength(text)).toBeGreaterThan(1.2 * 1024 * 1024);
      expect(await run([file(`big.${format}`, text), '--key', pem])).toMatchObject({
        code: 0,
        out: expect.stringMatching(/^OK: 6000 rows \(seq 1\.\.6000\)/),
      });
      const tampered = text.replace(
        format === 'csv' ? 'event,5500,id-5500,' : '"seq":5500,"id":"id-5500",',
        format === 'csv' ? 'event,5500,id-5501,' : '"seq":5500,"id":"id-5501",',
      );
      expect(tampered).not.toBe(text);
      // Row 5500 is on line 5501 (NDJSON: after the header), 5503 (CSV: after the column row, the header and row 3's second line).
      const line = format === 'csv' ? 5503 : 5501;
      expect(await run([file(`big-tampered.${format}`, tampered), '--key', pem])).toMatchObject({
        code: 1,
        out: `FAILED at line ${line} (seq 5500): the row's hash does not match its contents (a field was altered)\n`,
      });
    },
  );

  it('prints the verification as JSON with --json', async () => {
    const r = await run([file('ok2.ndjson', exportText('ndjson')), '--json', '--key', pem]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      ok: true,
      format: 'ndjson',
      rows: 10,
      firstSeq: 1,
      lastSeq: 10,
      filtered: false,
      checkpointSeq: 10,
      keyId,
    });
  });

  it('reads standard input with - and accepts CRLF line ends', async () => {
    const r = await run(['-', '--key', pem], Readable.from([exportText('csv').replace(/\n/g, '\r\n')]));
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/^OK: 10 rows/) });
  });

  it("refuses a key that is not the signer's", async () => {
    const other = join(dir, 'other.pem');
    writeFileSync(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const r = await run([file('ok3.ndjson', exportText('ndjson')), '--key', other]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(`: signed with key ${keyId} but the given public key is ed25519:`);
  });

  it.each([
    ['no arguments', [], /missing the export file/],
    ['no key', ['x.ndjson'], /missing --key/],
    ['an unknown option', ['x.ndjson', '--key', 'k.pem', '--fast'], /unknown option --fast/],
  ])('exits 2 on %s with the usage', async (_name, args, message) => {
    const r = await run(args as string[]);
    expect(r).toEqual({ code: 2, out: '', err: expect.stringMatching(message) });
    expect(r.err).toMatch(/usage: audit-verify/);
  });

  it('prints the usage with --help, exit 0', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, out: expect.stringMatching(/^usage: audit-verify/), err: '' });
  });

  it('exits 2 when the key cannot be read or is not an Ed25519 public key', async () => {
    const exportFile = file('ok4.ndjson', exportText('ndjson'));
    expect(await run([exportFile, '--key', join(dir, 'missing.pem')])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/missing\.pem is not usable: cannot read it \(ENOENT\)/),
    });
    const rsa = join(dir, 'rsa.pem');
    writeFileSync(
      rsa,
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }),
    );
    expect(await run([exportFile, '--key', rsa])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/expected an Ed25519 public key, got rsa/),
    });
    expect(await run([exportFile, '--key', file('junk.pem', 'not a key')])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/junk\.pem is not usable/),
    });
  });

  it('exits 2 when the export cannot be read', async () => {
    const r = await run([join(dir, 'missing.ndjson'), '--key', pem]);
    expect(r).toMatchObject({
      code: 2,
      out: '',
      err: expect.stringMatching(/cannot read the export .*missing\.ndjson \(ENOENT\)/),
    });
    expect((await run([dir, '--key', pem])).code).toBe(2);
  });
});
