/**
 * Content-type detection for uploaded evidence from magic bytes only. The filename and the
 * client's Content-Type are never consulted: both are chosen by the uploader, and the type we
 * record (and later serve the file with) has to describe what the bytes actually are.
 * Why our own: docs/decisions/0002-own-content-sniffer-and-range-parser.md.
 */

/** How many leading bytes sniffContentType needs at most (the usual "file type" window). */
export const SNIFF_BYTES = 4100;

export interface Sniffed {
  mime: string;
  description: string;
}

const OCTET_STREAM = 'application/octet-stream';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
const TS_PACKET = 188;
const M2TS_PACKET = 192; // 4-byte timecode + TS packet, written by AVCHD / Blu-ray cameras

/** Decides the content type of `head` (the first SNIFF_BYTES bytes of a file, or all of a shorter one). */
export function sniffContentType(head: Buffer): Sniffed {
  if (head.length === 0) return { mime: OCTET_STREAM, description: 'empty' };
  const b = head.length > SNIFF_BYTES ? head.subarray(0, SNIFF_BYTES) : head;
  return sniffMagic(b) ?? sniffText(b) ?? { mime: OCTET_STREAM, description: 'unrecognised binary' };
}

function sniffMagic(b: Buffer): Sniffed | null {
  if (ascii(b, 4, 4) === 'ftyp' && b.length >= 12) return sniffIsoBmff(b);
  if (ascii(b, 0, 4) === 'RIFF' && b.length >= 12) {
    const form = ascii(b, 8, 4);
    if (form === 'AVI ') return { mime: 'video/x-msvideo', description: 'AVI video' };
    if (form === 'WAVE') return { mime: 'audio/wav', description: 'WAV audio' };
    if (form === 'WEBP') return { mime: 'image/webp', description: 'WebP image' };
  }
  if (startsWith(b, [0x1a, 0x45, 0xdf, 0xa3])) return sniffEbml(b);
  if (startsWith(b, [0x00, 0x00, 0x01, 0xba])) return { mime: 'video/mpeg', description: 'MPEG program stream' };
  if (startsWith(b, [0x00, 0x00, 0x01, 0xb3])) return { mime: 'video/mpeg', description: 'MPEG video' };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', description: 'JPEG image' };
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { mime: 'image/png', description: 'PNG image' };
  }
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')
    return { mime: 'image/gif', description: 'GIF image' };
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { mime: 'image/tiff', description: 'TIFF image' };
  }
  if (isBmp(b)) return { mime: 'image/bmp', description: 'BMP image' };
  if (startsWith(b, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) {
    return { mime: 'video/x-ms-asf', description: 'ASF/WMV video' };
  }
  if (ascii(b, 0, 3) === 'FLV' && b[3] === 0x01) return { mime: 'video/x-flv', description: 'Flash video' };
  if (isTransportStream(b, 0, TS_PACKET)) return { mime: 'video/mp2t', description: 'MPEG transport stream' };
  if (isTransportStream(b, 4, M2TS_PACKET)) return { mime: 'video/mp2t', description: 'MPEG transport stream (M2TS)' };
  if (isId3(b)) return sniffAfterId3(b);
  // ADTS before MPEG audio: both start with an 11-bit frame sync, ADTS is the one with layer 00.
  if (isAdts(b, 0)) return { mime: 'audio/aac', description: 'AAC audio (ADTS)' };
  // A UTF-16LE byte-order mark (FF FE) also passes as an MPEG layer I frame header.
  if (isUtf16Text(b)) return { mime: 'text/plain', description: 'plain text (UTF-16)' };
  if (isMpegAudioFrame(b, 0)) return { mime: 'audio/mpeg', description: 'MP3 audio' };
  if (ascii(b, 0, 4) === 'OggS' && b[4] === 0x00) {
    return b.includes('theora', 0, 'latin1')
      ? { mime: 'video/ogg', description: 'Ogg video' }
      : { mime: 'audio/ogg', description: 'Ogg audio' };
  }
  if (ascii(b, 0, 4) === 'fLaC') return { mime: 'audio/flac', description: 'FLAC audio' };
  if (ascii(b, 0, 9) === '#!AMR-WB\n') return { mime: 'audio/amr-wb', description: 'AMR-WB audio' };
  if (ascii(b, 0, 5) === '#!AMR') return { mime: 'audio/amr', description: 'AMR audio' };
  if (ascii(b, 0, 5) === '%PDF-') return { mime: 'application/pdf', description: 'PDF document' };
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return sniffZip(b);
  if (ascii(b, 0, 5) === '{\\rtf') return { mime: 'application/rtf', description: 'RTF document' };
  return null;
}

/** MP4 family: the major brand of the leading `ftyp` box says which member it is. */
function sniffIsoBmff(b: Buffer): Sniffed {
  const major = ascii(b, 8, 4);
  const boxSize = b.readUInt32BE(0);
  const compatible: string[] = [];
  for (let i = 16; i + 4 <= Math.min(boxSize, b.length); i += 4) compatible.push(ascii(b, i, 4));
  const heif = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs'];
  if (major === 'qt  ') return { mime: 'video/quicktime', description: 'QuickTime video' };
  if (major === 'M4A ' || major === 'M4B ') return { mime: 'audio/mp4', description: 'MPEG-4 audio' };
  if (major === 'avif' || major === 'avis') return { mime: 'image/avif', description: 'AVIF image' };
  if (heif.includes(major)) return { mime: 'image/heic', description: 'HEIF/HEIC image' };
  if (major === 'mif1' || major === 'msf1') {
    // The generic HEIF brands also head AVIF files; only then is a compatible brand decisive.
    if (compatible.includes('avif') && !compatible.some((c) => heif.includes(c))) {
      return { mime: 'image/avif', description: 'AVIF image' };
    }
    return { mime: 'image/heic', description: 'HEIF/HEIC image' };
  }
  if (major.startsWith('3g2')) return { mime: 'video/3gpp2', description: '3GPP2 video' };
  if (major.startsWith('3g')) return { mime: 'video/3gpp', description: '3GPP video' };
  if (major.startsWith('M4V')) return { mime: 'video/mp4', description: 'MPEG-4 video (M4V)' };
  return { mime: 'video/mp4', description: 'MPEG-4 video' };
}

/** Matroska and WebM share the EBML header; its DocType element (ID 0x4282) tells them apart. */
function sniffEbml(b: Buffer): Sniffed {
  const webm: Sniffed = { mime: 'video/webm', description: 'WebM video' };
  const mkv: Sniffed = { mime: 'video/x-matroska', description: 'Matroska video' };
  for (let i = 4; i + 3 <= b.length && i < 128; i++) {
    if (b[i] !== 0x42 || b[i + 1] !== 0x82) continue;
    const len = b[i + 2] >= 0x80 ? b[i + 2] & 0x7f : -1; // DocType sizes always fit a 1-byte vint
    if (len <= 0 || i + 3 + len > b.length) continue;
    const docType = ascii(b, i + 3, len).replace(/\0+$/, '');
    if (docType === 'webm') return webm;
    if (docType === 'matroska') return mkv;
  }
  return b.subarray(0, 128).includes('webm', 0, 'latin1') ? webm : mkv;
}

/**
 * Sync byte 0x47 at the first two (three when available) packet boundaries. A text file can
 * carry 'G' at those offsets too, so text is never taken for a transport stream.
 */
function isTransportStream(b: Buffer, offset: number, packet: number): boolean {
  if (b.length <= offset + packet) return false;
  for (let k = 0; k < 3; k++) {
    const at = offset + k * packet;
    if (at >= b.length) break;
    if (b[at] !== 0x47) return false;
  }
  return sniffText(b) === null;
}

/** 'BM' alone is too weak (plain text may start with it): also require a known DIB header size. */
function isBmp(b: Buffer): boolean {
  if (b.length < 18 || ascii(b, 0, 2) !== 'BM') return false;
  return [12, 40, 52, 56, 64, 108, 124].includes(b.readUInt32LE(14));
}

/** ID3v2.2-2.4 tag header: "ID3", major version 2..4, syncsafe size. */
function isId3(b: Buffer): boolean {
  if (b.length < 10 || ascii(b, 0, 3) !== 'ID3') return false;
  if (b[3] < 2 || b[3] > 4 || b[4] === 0xff) return false;
  return b[6] < 0x80 && b[7] < 0x80 && b[8] < 0x80 && b[9] < 0x80;
}

/** An ID3 tag usually heads MP3, but can precede AAC or FLAC; peek past it when the head reaches. */
function sniffAfterId3(b: Buffer): Sniffed {
  const size = (b[6] << 21) | (b[7] << 14) | (b[8] << 7) | b[9];
  const after = 10 + size + (b[5] & 0x10 ? 10 : 0);
  if (ascii(b, after, 4) === 'fLaC') return { mime: 'audio/flac', description: 'FLAC audio' };
  if (isAdts(b, after)) return { mime: 'audio/aac', description: 'AAC audio (ADTS)' };
  return { mime: 'audio/mpeg', description: 'MP3 audio' };
}

/** ADTS: 12-bit sync 0xFFF, layer 00, and a sampling-frequency index that exists. */
function isAdts(b: Buffer, at: number): boolean {
  if (at + 3 > b.length) return false;
  return b[at] === 0xff && (b[at + 1] & 0xf6) === 0xf0 && ((b[at + 2] >> 2) & 0x0f) < 13;
}

/** MPEG audio frame header: 11-bit sync, version not reserved, layer I-III, usable bitrate and rate. */
function isMpegAudioFrame(b: Buffer, at: number): boolean {
  if (at + 3 > b.length) return false;
  if (b[at] !== 0xff || (b[at + 1] & 0xe0) !== 0xe0) return false;
  const version = (b[at + 1] >> 3) & 0x03;
  const layer = (b[at + 1] >> 1) & 0x03;
  const bitrate = b[at + 2] >> 4;
  const rate = (b[at + 2] >> 2) & 0x03;
  return version !== 1 && layer !== 0 && bitrate !== 0x0f && rate !== 3;
}

/** Office Open XML is a ZIP whose entry names give the application away. */
function sniffZip(b: Buffer): Sniffed {
  if (b.includes('word/', 0, 'latin1')) return { mime: DOCX, description: 'Word document' };
  const names = zipEntryNames(b);
  if (names.some((n) => n.startsWith('xl/'))) return { mime: XLSX, description: 'Excel spreadsheet' };
  if (names.some((n) => n.startsWith('ppt/'))) return { mime: PPTX, description: 'PowerPoint presentation' };
  return { mime: 'application/zip', description: 'ZIP archive' };
}

/** Entry names from the local file headers within the head; a bare 'xl/' substring would misfire in compressed data. */
function zipEntryNames(b: Buffer): string[] {
  const names: string[] = [];
  let p = 0;
  while (p + 30 <= b.length && b.readUInt32LE(p) === 0x04034b50) {
    const flags = b.readUInt16LE(p + 6);
    const compressed = b.readUInt32LE(p + 18);
    const nameLen = b.readUInt16LE(p + 26);
    const extraLen = b.readUInt16LE(p + 28);
    if (p + 30 + nameLen > b.length) break;
    names.push(b.toString('utf8', p + 30, p + 30 + nameLen));
    if (flags & 0x08) break; // sizes follow the data in a descriptor: the next header cannot be located
    p += 30 + nameLen + extraLen + compressed;
  }
  return names;
}

/**
 * Plain text: valid UTF-8 (a character cut by the end of the head is fine), no NUL, and at
 * most 1 in 50 characters a control character other than tab, CR, LF or form feed.
 */
function sniffText(b: Buffer): Sniffed | null {
  let chars = 0;
  let controls = 0;
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      if (c === 0x00) return null;
      if (isControl(c)) controls++;
      chars++;
      i++;
      continue;
    }
    const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0) return null;
    // Second-byte ranges exclude overlong forms, UTF-16 surrogates and code points above U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < len; k++) {
      if (i + k >= b.length) return finishText(chars, controls); // cut at the end of the head
      const cc = b[i + k];
      if (k === 1 ? cc < lo || cc > hi : cc < 0x80 || cc > 0xbf) return null;
    }
    if (c === 0xc2 && b[i + 1] <= 0x9f) controls++; // C1 controls U+0080..U+009F
    chars++;
    i += len;
  }
  return finishText(chars, controls);
}

/** UTF-16 text with a byte-order mark, held to the same rules as UTF-8 text. */
function isUtf16Text(b: Buffer): boolean {
  const le = b[0] === 0xff && b[1] === 0xfe;
  if (!le && !(b[0] === 0xfe && b[1] === 0xff)) return false;
  let chars = 0;
  let controls = 0;
  for (let i = 2; i + 1 < b.length; i += 2) {
    const u = le ? b.readUInt16LE(i) : b.readUInt16BE(i);
    if (u === 0x0000 || (u >= 0xdc00 && u <= 0xdfff)) return false;
    if (u >= 0xd800 && u <= 0xdbff) {
      if (i + 3 >= b.length) break; // surrogate pair cut at the end of the head
      const lowSurrogate = le ? b.readUInt16LE(i + 2) : b.readUInt16BE(i + 2);
      if (lowSurrogate < 0xdc00 || lowSurrogate > 0xdfff) return false;
      i += 2;
    } else if (isControl(u)) {
      controls++;
    }
    chars++;
  }
  return finishText(chars, controls) !== null;
}

function isControl(cp: number): boolean {
  return (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0c && cp !== 0x0d) || (cp >= 0x7f && cp <= 0x9f);
}

function finishText(chars: number, controls: number): Sniffed | null {
  if (chars === 0 || controls * 50 > chars) return null;
  return { mime: 'text/plain', description: 'plain text' };
}

function ascii(b: Buffer, at: number, len: number): string {
  return at + len <= b.length ? b.toString('latin1', at, at + len) : '';
}

function startsWith(b: Buffer, magic: number[]): boolean {
  return b.length >= magic.length && magic.every((m, i) => b[i] === m);
}
