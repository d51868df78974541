/*
 * A WebM (Matroska) muxer of a few lines for the player suites: VP8 key frames in clusters of one frame each,
 * with the duration and a cue per cluster up front, so that a browser knows the length at once and seeks by
 * asking for the byte range where the wanted cluster starts. `padding` puts an EBML Void element of that many
 * bytes before each cluster: a file of tens of MiB that is still a few KiB of real video, so a seek to the
 * middle must fetch from the middle (a Range request), not the whole file.
 *
 * test/fixtures/clip.webm is muxWebm(...) of ten 64x48 VP8 frames, one per second, that Chromium's own
 * encoder (WebCodecs VideoEncoder, codec 'vp8') made from a canvas showing the digits 0 to 9; webmFrames()
 * reads them back, so every longer or padded variant is made from those frames at test time.
 */

const ID = {
  EBML: 0x1a45dfa3,
  EBMLVersion: 0x4286,
  EBMLReadVersion: 0x42f7,
  EBMLMaxIDLength: 0x42f2,
  EBMLMaxSizeLength: 0x42f3,
  DocType: 0x4282,
  DocTypeVersion: 0x4287,
  DocTypeReadVersion: 0x4285,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  MuxingApp: 0x4d80,
  WritingApp: 0x5741,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackUID: 0x73c5,
  TrackType: 0x83,
  FlagLacing: 0x9c,
  CodecID: 0x86,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  Cues: 0x1c53bb6b,
  CuePoint: 0xbb,
  CueTime: 0xb3,
  CueTrackPositions: 0xb7,
  CueTrack: 0xf7,
  CueClusterPosition: 0xf1,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  Void: 0xec,
} as const;

function idBytes(id: number): Buffer {
  const hex = id.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

/** An 8-byte EBML size (any size up to 2^56 - 2). */
function size8(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n) | (1n << 56n));
  return b;
}

const el = (id: number, ...body: Buffer[]) => {
  const data = Buffer.concat(body);
  return Buffer.concat([idBytes(id), size8(data.length), data]);
};
const uint = (id: number, v: number, width = 0) => {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const b = Buffer.from(hex, 'hex');
  return el(id, width > b.length ? Buffer.concat([Buffer.alloc(width - b.length), b]) : b);
};
const str = (id: number, v: string) => el(id, Buffer.from(v, 'ascii'));
const float = (id: number, v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return el(id, b);
};
/** A Void element of exactly `total` bytes (at least 9: its id and size). */
function voidOf(total: number): Buffer {
  const b = Buffer.alloc(total);
  b[0] = ID.Void;
  size8(total - 9).copy(b, 1);
  return b;
}

export interface WebmSpec {
  width: number;
  height: number;
  /** VP8 key frames, one per cluster. */
  frames: Buffer[];
  /** Time of frame i: i * frameMs. */
  frameMs: number;
  /** The stated duration (default frames * frameMs). */
  durationMs?: number;
  /** Bytes of Void before each cluster (0: none). */
  padding?: number;
}

export function muxWebm(spec: WebmSpec): Buffer {
  const header = el(
    ID.EBML,
    uint(ID.EBMLVersion, 1),
    uint(ID.EBMLReadVersion, 1),
    uint(ID.EBMLMaxIDLength, 4),
    uint(ID.EBMLMaxSizeLength, 8),
    str(ID.DocType, 'webm'),
    uint(ID.DocTypeVersion, 2),
    uint(ID.DocTypeReadVersion, 2),
  );
  const info = el(
    ID.Info,
    uint(ID.TimecodeScale, 1_000_000),
    float(ID.Duration, spec.durationMs ?? spec.frames.length * spec.frameMs),
    str(ID.MuxingApp, 'ion-test-webm'),
    str(ID.WritingApp, 'ion-test-webm'),
  );
  const tracks = el(
    ID.Tracks,
    el(
      ID.TrackEntry,
      uint(ID.TrackNumber, 1),
      uint(ID.TrackUID, 1),
      uint(ID.TrackType, 1),
      uint(ID.FlagLacing, 0),
      str(ID.CodecID, 'V_VP8'),
      el(ID.Video, uint(ID.PixelWidth, spec.width), uint(ID.PixelHeight, spec.height)),
    ),
  );
  const clusters = spec.frames.map((frame, i) => {
    const block = Buffer.concat([Buffer.from([0x81, 0x00, 0x00, 0x80]), frame]); // track 1, relative time 0, key frame
    return el(ID.Cluster, uint(ID.Timecode, i * spec.frameMs, 8), el(ID.SimpleBlock, block));
  });
  const cues = (positions: number[]) =>
    el(
      ID.Cues,
      ...positions.map((pos, i) =>
        el(
          ID.CuePoint,
          uint(ID.CueTime, i * spec.frameMs, 8),
          el(ID.CueTrackPositions, uint(ID.CueTrack, 1), uint(ID.CueClusterPosition, pos, 8)),
        ),
      ),
    );
  // Cluster positions are relative to the start of the Segment's data; the cues' size does not depend on them.
  const pad = spec.padding && spec.padding > 0 ? Math.max(9, spec.padding) : 0;
  let at = info.length + tracks.length + cues(clusters.map(() => 0)).length;
  const positions = clusters.map((c) => {
    at += pad;
    const p = at;
    at += c.length;
    return p;
  });
  const body: Buffer[] = [info, tracks, cues(positions)];
  for (const c of clusters) {
    if (pad) body.push(voidOf(pad));
    body.push(c);
  }
  const segmentData = Buffer.concat(body);
  return Buffer.concat([header, idBytes(ID.Segment), size8(segmentData.length), segmentData]);
}

/** Reads an EBML element's id and size at `pos`: [id, size, data offset]. */
function readElement(b: Buffer, pos: number): [number, number, number] {
  const width = (first: number) => {
    for (let i = 0; i < 8; i++) if (first & (0x80 >> i)) return i + 1;
    throw new Error(`bad EBML byte at ${pos}`);
  };
  const idLen = width(b[pos]);
  const id = b.readUIntBE(pos, idLen);
  const sLen = width(b[pos + idLen]);
  let size = b[pos + idLen] & (0xff >> sLen);
  for (let i = 1; i < sLen; i++) size = size * 256 + b[pos + idLen + i];
  return [id, size, pos + idLen + sLen];
}

/** The frames (SimpleBlock payloads) of a WebM, in order: to make variants of the committed clip. */
export function webmFrames(file: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  const walk = (start: number, end: number) => {
    let pos = start;
    while (pos < end) {
      const [id, size, data] = readElement(file, pos);
      if (id === ID.Segment || id === ID.Cluster) walk(data, data + size);
      else if (id === ID.SimpleBlock) frames.push(file.subarray(data + 4, data + size));
      pos = data + size;
    }
  };
  walk(0, file.length);
  return frames;
}
