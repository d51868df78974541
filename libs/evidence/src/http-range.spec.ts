import { parseRange } from './http-range';

describe('parseRange', () => {
  describe('no usable Range header: serve the whole object (null)', () => {
    it.each([
      ['absent', undefined],
      ['empty', ''],
      ['other unit', 'items=0-1'],
      ['no unit', '0-1'],
      ['no range-set', 'bytes='],
      ['lone dash', 'bytes=-'],
      ['several ranges', 'bytes=1-2,4-5'],
      ['several ranges with whitespace', 'bytes=0-0, -1'],
      ['last before first', 'bytes=5-2'],
      ['signed first', 'bytes=+1-2'],
      ['negative suffix', 'bytes=--5'],
      ['exponent', 'bytes=1e3-'],
      ['fraction', 'bytes=1.5-2'],
      ['hex', 'bytes=0x10-'],
      ['whitespace inside the spec', 'bytes=0 - 9'],
      ['trailing garbage', 'bytes=0-9x'],
      ['non-ASCII digits', 'bytes=\u0661-\u0662'],
      ['first beyond MAX_SAFE_INTEGER', 'bytes=99999999999999999999-'],
      ['last beyond MAX_SAFE_INTEGER', 'bytes=0-99999999999999999999'],
      ['suffix beyond MAX_SAFE_INTEGER', 'bytes=-99999999999999999999'],
      ['MAX_SAFE_INTEGER + 1', `bytes=${Number.MAX_SAFE_INTEGER + 1}-`],
    ])('%s (%j)', (_name, header) => {
      expect(parseRange(header, 1000)).toBeNull();
    });
  });

  describe('bytes=a-b', () => {
    it('inclusive offsets', () => {
      expect(parseRange('bytes=0-9', 1000)).toEqual({ start: 0, end: 9 });
      expect(parseRange('bytes=500-999', 1000)).toEqual({ start: 500, end: 999 });
    });

    it('bytes=0-0 is the first byte', () => {
      expect(parseRange('bytes=0-0', 1000)).toEqual({ start: 0, end: 0 });
    });

    it('end is clamped to the last byte', () => {
      expect(parseRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
      expect(parseRange('bytes=0-99999999999', 1000)).toEqual({ start: 0, end: 999 });
    });

    it('first byte at or past the end is unsatisfiable', () => {
      expect(parseRange('bytes=1000-1000', 1000)).toBe('unsatisfiable');
      expect(parseRange('bytes=1000-2000', 1000)).toBe('unsatisfiable');
    });

    it('leading zeros are plain digits', () => {
      expect(parseRange('bytes=007-010', 1000)).toEqual({ start: 7, end: 10 });
    });
  });

  describe('bytes=a- (to the end)', () => {
    it('from the first byte to the last', () => {
      expect(parseRange('bytes=0-', 1000)).toEqual({ start: 0, end: 999 });
      expect(parseRange('bytes=999-', 1000)).toEqual({ start: 999, end: 999 });
    });

    it('starting at or past the end is unsatisfiable', () => {
      expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
      expect(parseRange(`bytes=${Number.MAX_SAFE_INTEGER}-`, 1000)).toBe('unsatisfiable');
    });
  });

  describe('bytes=-n (the last n bytes)', () => {
    it('last n bytes', () => {
      expect(parseRange('bytes=-1', 1000)).toEqual({ start: 999, end: 999 });
      expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    });

    it('n equal to or larger than the size means the whole object', () => {
      expect(parseRange('bytes=-1000', 1000)).toEqual({ start: 0, end: 999 });
      expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
    });

    it('bytes=-0 is unsatisfiable', () => {
      expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable');
      expect(parseRange('bytes=-000', 1000)).toBe('unsatisfiable');
    });
  });

  describe('small objects', () => {
    it('size 0: any well-formed range is unsatisfiable', () => {
      expect(parseRange('bytes=0-0', 0)).toBe('unsatisfiable');
      expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
      expect(parseRange('bytes=-1', 0)).toBe('unsatisfiable');
      expect(parseRange('bytes=-0', 0)).toBe('unsatisfiable');
    });

    it('size 0: a missing or malformed header is still ignored', () => {
      expect(parseRange(undefined, 0)).toBeNull();
      expect(parseRange('bytes=5-2', 0)).toBeNull();
      expect(parseRange('items=0-1', 0)).toBeNull();
    });

    it('size 1', () => {
      expect(parseRange('bytes=0-0', 1)).toEqual({ start: 0, end: 0 });
      expect(parseRange('bytes=0-', 1)).toEqual({ start: 0, end: 0 });
      expect(parseRange('bytes=0-10', 1)).toEqual({ start: 0, end: 0 });
      expect(parseRange('bytes=-1', 1)).toEqual({ start: 0, end: 0 });
      expect(parseRange('bytes=-2', 1)).toEqual({ start: 0, end: 0 });
      expect(parseRange('bytes=1-', 1)).toBe('unsatisfiable');
      expect(parseRange('bytes=1-1', 1)).toBe('unsatisfiable');
    });
  });

  describe('leniency', () => {
    it('whitespace around the value and after "="', () => {
      expect(parseRange('bytes= 0-9 ', 1000)).toEqual({ start: 0, end: 9 });
      expect(parseRange('  bytes=0-9\t', 1000)).toEqual({ start: 0, end: 9 });
    });

    it('the unit is case-insensitive', () => {
      expect(parseRange('Bytes=0-9', 1000)).toEqual({ start: 0, end: 9 });
      expect(parseRange('BYTES=-10', 1000)).toEqual({ start: 990, end: 999 });
    });

    it('empty list elements are ignored, so one real range remains one range', () => {
      expect(parseRange('bytes=0-9,', 1000)).toEqual({ start: 0, end: 9 });
      expect(parseRange('bytes=, 0-9', 1000)).toEqual({ start: 0, end: 9 });
    });

    it('large objects keep exact offsets', () => {
      const size = 2 ** 40; // 1 TiB
      expect(parseRange(`bytes=${size - 10}-`, size)).toEqual({ start: size - 10, end: size - 1 });
      expect(parseRange('bytes=-10', size)).toEqual({ start: size - 10, end: size - 1 });
    });
  });

  it('rejects a size that is not a non-negative safe integer (caller bug)', () => {
    expect(() => parseRange('bytes=0-1', -1)).toThrow(RangeError);
    expect(() => parseRange('bytes=0-1', 1.5)).toThrow(RangeError);
    expect(() => parseRange('bytes=0-1', Number.NaN)).toThrow(RangeError);
  });
});
