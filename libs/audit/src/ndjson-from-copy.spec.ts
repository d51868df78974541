import { ndjsonFromCopy } from './audit-review.service';
import { ExportWriter, RowsDigest } from './export-format';

const hash = (n: number) => n.toString(16).padStart(64, '0');
const rows = [1, 2, 3, 10, 11].map((seq) => ({
  seq,
  body: JSON.stringify({ action: 'a', details: { note: `q"\\ü ${seq}` }, seq }),
  prev: hash(seq - 1),
  hash: hash(seq),
}));
const copyText = rows.map((r) => `${r.seq}\x02${r.body}\x02${r.prev}\x02${r.hash}\n`).join('');
const expected = rows
  .map((r) => `{"type":"event",${r.body.slice(1, -1)},"prevHash":"${r.prev}","hash":"${r.hash}"}\n`)
  .join('');

async function run(chunkSize: number): Promise<{ text: string; writer: ExportWriter }> {
  const bytes = Buffer.from(copyText, 'utf8');
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const writer = new ExportWriter('ndjson', () => 'sig');
  writer.begin({
    type: 'header',
    format: 'ion-audit-export/1',
    exportedAt: 'now',
    exportedBy: { id: null, username: null, role: 'SYSTEM' },
    filters: {},
    filtered: false,
    keyId: 'k',
  });
  const out: Buffer[] = [];
  for await (const b of ndjsonFromCopy(chunks(), writer)) out.push(Buffer.from(b));
  return { text: Buffer.concat(out).toString('utf8'), writer };
}

describe('ndjsonFromCopy: COPY rows to NDJSON event lines, byte for byte', () => {
  it.each([1, 2, 7, 64, 100_000])(
    'gives the same lines and seal whatever the chunking (%i-byte chunks)',
    async (size) => {
      const { text, writer } = await run(size);
      expect(text).toBe(expected);
      expect(
        text
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l).seq),
      ).toEqual([1, 2, 3, 10, 11]);
      const digest = new RowsDigest();
      rows.forEach((r) => digest.add(r.seq, r.hash));
      expect(writer.rowCount).toBe(5);
      const trailer = JSON.parse(
        writer.end({ seq: 11, headHash: hash(11), createdAt: 'now', keyId: 'k', signature: 's' }),
      );
      expect(trailer.seal).toMatchObject({ rows: 5, firstSeq: 1, lastSeq: 11, rowsDigest: digest.digest() });
    },
  );

  it('refuses a row that is not what the export selects', async () => {
    async function* bad() {
      yield Buffer.from(`1\x02not json\x02${hash(0)}\x02${hash(1)}\n`);
    }
    await expect(
      (async () => {
        for await (const _ of ndjsonFromCopy(bad(), new ExportWriter('ndjson', () => ''))) void _;
      })(),
    ).rejects.toThrow(/unexpected COPY row/);
  });
});
