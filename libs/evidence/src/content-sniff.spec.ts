import { SNIFF_BYTES, sniffContentType } from './content-sniff';

/** Real file heads, built byte by byte so each test shows the structure it relies on. */
const bytes = (...parts: (string | number[] | Buffer)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const u32be = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u32le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const u16le = (n: number) => [n & 0xff, (n >>> 8) & 0xff];

/** ISO-BMFF: ftyp box (size, 'ftyp', major brand, minor version, compatible brands) then an mdat box. */
function ftyp(major: string, compatible: string[] = []): Buffer {
  const size = 16 + 4 * compatible.length;
  return bytes(u32be(size), 'ftyp', major, u32be(0), compatible.join(''), u32be(16), 'mdat', [0, 0, 0, 0, 0, 0, 0, 0]);
}

function riff(form: string, firstChunk: string): Buffer {
  return bytes('RIFF', u32le(1_000_000), form, firstChunk, u32le(16), new Array<number>(16).fill(0));
}

/** EBML header with the usual elements, DocType (0x4282) among them, then the start of a Segment. */
function ebml(docType: string): Buffer {
  const body = bytes(
    [0x42, 0x86, 0x81, 0x01], // EBMLVersion 1
    [0x42, 0xf7, 0x81, 0x01], // EBMLReadVersion 1
    [0x42, 0xf2, 0x81, 0x04], // EBMLMaxIDLength 4
    [0x42, 0xf3, 0x81, 0x08], // EBMLMaxSizeLength 8
    [0x42, 0x82, 0x80 | docType.length],
    docType,
    [0x42, 0x87, 0x81, 0x04], // DocTypeVersion 4
    [0x42, 0x85, 0x81, 0x02], // DocTypeReadVersion 2
  );
  return bytes([0x1a, 0x45, 0xdf, 0xa3, 0x80 | body.length], body, [0x18, 0x53, 0x80, 0x67, 0x01, 0, 0, 0]);
}

/** `n` TS packets: sync 0x47, PID 0 (PAT) with payload start, then stuffing. */
function tsPackets(n: number, timecodePrefix = false): Buffer {
  const packet = () =>
    bytes(timecodePrefix ? [0, 0, 0, 0] : [], [0x47, 0x40, 0x00, 0x10], new Array<number>(184).fill(0xff));
  return Buffer.concat(Array.from({ length: n }, packet));
}

/** A stored (uncompressed) ZIP local file header plus its data. */
function zipEntry(name: string, data: string): Buffer {
  return bytes(
    [0x50, 0x4b, 0x03, 0x04],
    u16le(20), // version needed
    u16le(0), // flags
    u16le(0), // method: stored
    u16le(0), // time
    u16le(0x5b21), // date
    u32le(0), // crc (not checked by the sniffer)
    u32le(data.length),
    u32le(data.length),
    u16le(name.length),
    u16le(0), // extra field length
    name,
    data,
  );
}

/** Deterministic pseudo-random bytes (xorshift32), so a failure is reproducible. */
function pseudoRandom(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const mp3Frame = [0xff, 0xfb, 0x90, 0x64]; // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz
const adtsFrame = [0xff, 0xf1, 0x50, 0x80, 0x2e, 0x7f, 0xfc]; // MPEG-4 AAC LC, 44.1 kHz, stereo

describe('sniffContentType', () => {
  it('needs at most the first 4100 bytes', () => {
    expect(SNIFF_BYTES).toBe(4100);
  });

  describe('ISO-BMFF (ftyp box) by major brand', () => {
    it.each([
      ['isom', ['isom', 'iso2', 'avc1', 'mp41'], 'video/mp4', 'MPEG-4 video'],
      ['mp42', ['mp42', 'isom'], 'video/mp4', 'MPEG-4 video'],
      ['M4V ', ['M4V ', 'M4A ', 'mp42', 'isom'], 'video/mp4', 'MPEG-4 video (M4V)'],
      ['qt  ', ['qt  '], 'video/quicktime', 'QuickTime video'],
      ['3gp4', ['isom', '3gp4'], 'video/3gpp', '3GPP video'],
      ['3gp5', ['3gp5', 'isom'], 'video/3gpp', '3GPP video'],
      ['3g2a', ['3g2a'], 'video/3gpp2', '3GPP2 video'],
      ['M4A ', ['M4A ', 'mp42', 'isom'], 'audio/mp4', 'MPEG-4 audio'],
      ['heic', ['mif1', 'heic'], 'image/heic', 'HEIF/HEIC image'],
      ['heix', ['mif1', 'heix'], 'image/heic', 'HEIF/HEIC image'],
      ['mif1', ['mif1', 'heic'], 'image/heic', 'HEIF/HEIC image'],
      ['avif', ['avif', 'mif1', 'miaf'], 'image/avif', 'AVIF image'],
    ])('major brand %j', (major, compatible, mime, description) => {
      expect(sniffContentType(ftyp(major, compatible))).toEqual({ mime, description });
    });

    it('a generic HEIF brand with only AVIF compatible brands is AVIF', () => {
      expect(sniffContentType(ftyp('mif1', ['mif1', 'miaf', 'avif'])).mime).toBe('image/avif');
    });

    it('ftyp must sit at offset 4', () => {
      expect(sniffContentType(bytes([0, 0, 0, 0, 0, 0, 0, 0x18], 'ftypisom', u32be(0))).mime).toBe(
        'application/octet-stream',
      );
    });
  });

  describe('RIFF by form type', () => {
    it.each([
      ['AVI ', 'LIST', 'video/x-msvideo', 'AVI video'],
      ['WAVE', 'fmt ', 'audio/wav', 'WAV audio'],
      ['WEBP', 'VP8 ', 'image/webp', 'WebP image'],
    ])('%j', (form, chunk, mime, description) => {
      expect(sniffContentType(riff(form, chunk))).toEqual({ mime, description });
    });

    it('an unknown RIFF form is not guessed', () => {
      expect(sniffContentType(riff('CDXA', 'fmt ')).mime).toBe('application/octet-stream');
    });
  });

  describe('EBML: WebM vs Matroska by DocType', () => {
    it('DocType webm', () => {
      expect(sniffContentType(ebml('webm'))).toEqual({ mime: 'video/webm', description: 'WebM video' });
    });

    it('DocType matroska', () => {
      expect(sniffContentType(ebml('matroska'))).toEqual({ mime: 'video/x-matroska', description: 'Matroska video' });
    });

    it('an EBML header cut before its DocType defaults to Matroska', () => {
      expect(sniffContentType(ebml('webm').subarray(0, 12)).mime).toBe('video/x-matroska');
    });
  });

  describe('MPEG transport and program streams', () => {
    it('three 188-byte packets with sync bytes at 0, 188, 376', () => {
      expect(sniffContentType(tsPackets(3))).toEqual({ mime: 'video/mp2t', description: 'MPEG transport stream' });
    });

    it('two packets are enough when the head ends before 376', () => {
      expect(sniffContentType(tsPackets(2)).mime).toBe('video/mp2t');
    });

    it('a whole 4100-byte head of packets', () => {
      expect(sniffContentType(tsPackets(30).subarray(0, SNIFF_BYTES)).mime).toBe('video/mp2t');
    });

    it('M2TS: 192-byte packets with a 4-byte timecode before each sync byte', () => {
      expect(sniffContentType(tsPackets(3, true)).mime).toBe('video/mp2t');
    });

    it('one packet alone, or a broken sync at 188 or 376, is not a transport stream', () => {
      expect(sniffContentType(tsPackets(1)).mime).not.toBe('video/mp2t');
      const bad188 = tsPackets(3);
      bad188[188] = 0x46;
      expect(sniffContentType(bad188).mime).not.toBe('video/mp2t');
      const bad376 = tsPackets(3);
      bad376[376] = 0x00;
      expect(sniffContentType(bad376).mime).not.toBe('video/mp2t');
    });

    it("text with 'G' at every packet boundary stays text", () => {
      expect(sniffContentType(Buffer.from('G'.repeat(600))).mime).toBe('text/plain');
    });

    it('pack header 00 00 01 BA is an MPEG program stream', () => {
      const ps = bytes([0x00, 0x00, 0x01, 0xba, 0x44, 0x00, 0x04, 0x00, 0x04, 0x01, 0x01, 0x89, 0xc3, 0xf8]);
      expect(sniffContentType(ps)).toEqual({ mime: 'video/mpeg', description: 'MPEG program stream' });
    });
  });

  describe('images', () => {
    it.each([
      ['JPEG (JFIF)', bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF', [0]), 'image/jpeg', 'JPEG image'],
      ['JPEG (Exif)', bytes([0xff, 0xd8, 0xff, 0xe1, 0x1f, 0xfe], 'Exif', [0, 0]), 'image/jpeg', 'JPEG image'],
      [
        'PNG',
        bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], u32be(13), 'IHDR', u32be(640), u32be(480)),
        'image/png',
        'PNG image',
      ],
      ['GIF89a', bytes('GIF89a', [0x80, 0x02, 0xe0, 0x01, 0xf7, 0, 0]), 'image/gif', 'GIF image'],
      ['GIF87a', bytes('GIF87a', [0x0a, 0x00, 0x0a, 0x00, 0x91, 0, 0]), 'image/gif', 'GIF image'],
      ['TIFF little-endian', bytes('II', [0x2a, 0x00], u32le(8)), 'image/tiff', 'TIFF image'],
      ['TIFF big-endian', bytes('MM', [0x00, 0x2a], u32be(8)), 'image/tiff', 'TIFF image'],
      [
        'BMP',
        bytes('BM', u32le(921_654), u32le(0), u32le(54), u32le(40), u32le(640), u32le(480), u16le(1), u16le(24)),
        'image/bmp',
        'BMP image',
      ],
    ])('%s', (_name, head, mime, description) => {
      expect(sniffContentType(head)).toEqual({ mime, description });
    });

    it("text that merely starts with 'BM' is not a bitmap", () => {
      expect(sniffContentType(Buffer.from('BMW 3 series, grey, plate partially obscured.\n')).mime).toBe('text/plain');
    });
  });

  describe('audio', () => {
    it('ID3v2 tag -> MP3', () => {
      const head = bytes(
        'ID3',
        [0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a],
        'TIT2',
        new Array<number>(6).fill(0),
        mp3Frame,
      );
      expect(sniffContentType(head)).toEqual({ mime: 'audio/mpeg', description: 'MP3 audio' });
    });

    it('bare MPEG audio frame sync -> MP3', () => {
      expect(sniffContentType(bytes(mp3Frame, new Array<number>(100).fill(0x55)))).toEqual({
        mime: 'audio/mpeg',
        description: 'MP3 audio',
      });
      expect(sniffContentType(bytes([0xff, 0xf3, 0x64, 0xc4], new Array<number>(100).fill(0))).mime).toBe('audio/mpeg'); // MPEG-2 L3
    });

    it('ADTS AAC (FFF1, FFF9) is AAC, not swallowed by the MP3 frame sync', () => {
      expect(sniffContentType(bytes(adtsFrame, new Array<number>(100).fill(0x21)))).toEqual({
        mime: 'audio/aac',
        description: 'AAC audio (ADTS)',
      });
      expect(sniffContentType(bytes([0xff, 0xf9, 0x50, 0x80, 0x2e, 0x7f, 0xfc], [0x21])).mime).toBe('audio/aac');
    });

    it('an ID3 tag in front of ADTS is AAC', () => {
      const head = bytes('ID3', [0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04], [0, 0, 0, 0], adtsFrame);
      expect(sniffContentType(head).mime).toBe('audio/aac');
    });

    it('frame sync with reserved layer, bitrate or sample rate is not MP3', () => {
      expect(sniffContentType(bytes([0xff, 0xe9, 0x90, 0x64], [0])).mime).toBe('application/octet-stream'); // reserved version
      expect(sniffContentType(bytes([0xff, 0xfb, 0xf0, 0x64], [0])).mime).toBe('application/octet-stream'); // bitrate 1111
      expect(sniffContentType(bytes([0xff, 0xfb, 0x9c, 0x64], [0])).mime).toBe('application/octet-stream'); // rate 11
    });

    it('OggS -> audio/ogg, or video/ogg when a Theora stream is in the head', () => {
      const page = (codec: Buffer) => bytes('OggS', [0x00, 0x02], new Array<number>(20).fill(0), [0x01, 0x1e], codec);
      expect(sniffContentType(page(bytes([0x01], 'vorbis', [0, 0, 0, 0])))).toEqual({
        mime: 'audio/ogg',
        description: 'Ogg audio',
      });
      expect(sniffContentType(page(bytes('OpusHead', [0x01, 0x02])))).toEqual({
        mime: 'audio/ogg',
        description: 'Ogg audio',
      });
      expect(sniffContentType(page(bytes([0x80], 'theora', [0x03, 0x02, 0x01])))).toEqual({
        mime: 'video/ogg',
        description: 'Ogg video',
      });
    });

    it('FLAC, AMR, AMR-WB', () => {
      expect(sniffContentType(bytes('fLaC', [0x00, 0x00, 0x00, 0x22], [0x10, 0x00]))).toEqual({
        mime: 'audio/flac',
        description: 'FLAC audio',
      });
      expect(sniffContentType(bytes('#!AMR\n', [0x3c, 0x91, 0x17, 0x16]))).toEqual({
        mime: 'audio/amr',
        description: 'AMR audio',
      });
      expect(sniffContentType(bytes('#!AMR-WB\n', [0x44, 0x00, 0x21]))).toEqual({
        mime: 'audio/amr-wb',
        description: 'AMR-WB audio',
      });
    });
  });

  describe('documents', () => {
    it('PDF', () => {
      expect(sniffContentType(bytes('%PDF-1.7\n%', [0xe2, 0xe3, 0xcf, 0xd3], '\n1 0 obj\n'))).toEqual({
        mime: 'application/pdf',
        description: 'PDF document',
      });
    });

    it('a pure-ASCII PDF is still a PDF, not text', () => {
      expect(sniffContentType(Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n')).mime).toBe(
        'application/pdf',
      );
    });

    it('plain ZIP', () => {
      const zip = bytes(zipEntry('statements/witness-1.txt', 'I saw a grey car.'), zipEntry('photos/', ''));
      expect(sniffContentType(zip)).toEqual({ mime: 'application/zip', description: 'ZIP archive' });
    });

    it("ZIP with 'word/' entries is a Word document", () => {
      const docx = bytes(
        zipEntry('[Content_Types].xml', '<?xml version="1.0"?><Types/>'),
        zipEntry('_rels/.rels', '<Relationships/>'),
        zipEntry('word/document.xml', '<w:document/>'),
      );
      expect(sniffContentType(docx)).toEqual({
        mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        description: 'Word document',
      });
    });

    it('ZIP with xl/ entries is a spreadsheet', () => {
      const xlsx = bytes(zipEntry('[Content_Types].xml', '<Types/>'), zipEntry('xl/workbook.xml', '<workbook/>'));
      expect(sniffContentType(xlsx).mime).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    });

    it('RTF', () => {
      expect(sniffContentType(Buffer.from('{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Statement}'))).toEqual({
        mime: 'application/rtf',
        description: 'RTF document',
      });
    });
  });

  describe('plain text', () => {
    it('ASCII with tabs, CR and LF', () => {
      expect(sniffContentType(Buffer.from('Incident 2026-0042\r\n\tOfficer: J. Smith\r\nNarrative: ...\n'))).toEqual({
        mime: 'text/plain',
        description: 'plain text',
      });
    });

    it('UTF-8 with a multi-byte character cut by the end of the 4100-byte head', () => {
      const text = Buffer.from('Zeugin Müller, 3 € Schaden. '.repeat(200), 'utf8');
      let boundary = SNIFF_BYTES - 2;
      while ((text[boundary] & 0xc0) === 0x80) boundary--; // back to a character boundary
      const pad = Buffer.from('x'.repeat(SNIFF_BYTES - 2 - boundary));
      // '€' is E2 82 AC and starts at byte 4098, so the head ends with E2 82.
      const head = Buffer.concat([text.subarray(0, boundary), pad, Buffer.from('€ rest', 'utf8')]).subarray(
        0,
        SNIFF_BYTES,
      );
      expect(head.length).toBe(SNIFF_BYTES);
      expect([...head.subarray(SNIFF_BYTES - 2)]).toEqual([0xe2, 0x82]);
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(head)).toThrow(); // as a whole it is not valid UTF-8
      expect(sniffContentType(head)).toEqual({ mime: 'text/plain', description: 'plain text' });
    });

    it('a truncated character in the middle is not valid UTF-8', () => {
      expect(sniffContentType(bytes('Schaden: 3 ', [0xe2, 0x82], ' EUR\n')).mime).toBe('application/octet-stream');
    });

    it('overlong encodings and surrogates are not valid UTF-8', () => {
      expect(sniffContentType(bytes('slash ', [0xc0, 0xaf], '\n')).mime).toBe('application/octet-stream');
      expect(sniffContentType(bytes('half ', [0xed, 0xa0, 0x80], '\n')).mime).toBe('application/octet-stream');
    });

    it('a NUL byte makes it binary', () => {
      expect(sniffContentType(Buffer.from('case notes\0more notes\n'))).toEqual({
        mime: 'application/octet-stream',
        description: 'unrecognised binary',
      });
    });

    it('an occasional control character (an ANSI colour code in a log) is still text', () => {
      const log = `\x1b[1mDispatch log\x1b[0m\n${'12:00:01 unit 4 en route to 5th and Main\n'.repeat(20)}`;
      expect(sniffContentType(Buffer.from(log)).mime).toBe('text/plain');
    });

    it('mostly control characters is binary', () => {
      expect(sniffContentType(Buffer.from('\x01\x02\x03abc\x1b\x1b')).mime).toBe('application/octet-stream');
    });

    it('UTF-16LE text with a BOM is text, although FF FE also looks like an MPEG frame header', () => {
      const head = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Hello, officer.\r\n', 'utf16le')]);
      expect(sniffContentType(head).mime).toBe('text/plain');
    });
  });

  describe('everything else', () => {
    it('empty buffer', () => {
      expect(sniffContentType(Buffer.alloc(0))).toEqual({ mime: 'application/octet-stream', description: 'empty' });
    });

    it('random binary', () => {
      for (const seed of [1, 42, 2026, 0xdeadbeef]) {
        const head = pseudoRandom(SNIFF_BYTES, seed);
        expect(sniffContentType(head)).toEqual({
          mime: 'application/octet-stream',
          description: 'unrecognised binary',
        });
      }
    });

    it('random binary is never taken for text', () => {
      for (let seed = 1; seed <= 200; seed++) {
        expect(sniffContentType(pseudoRandom(SNIFF_BYTES, seed)).mime).not.toBe('text/plain');
      }
    });

    it('a head longer than SNIFF_BYTES is accepted', () => {
      expect(sniffContentType(Buffer.concat([ftyp('qt  ', ['qt  ']), Buffer.alloc(10_000)])).mime).toBe(
        'video/quicktime',
      );
    });
  });
});
