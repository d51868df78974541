import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops insignificant whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('is independent of insertion order', () => {
    expect(canonicalJson({ x: 1, y: 'two' })).toBe(canonicalJson({ y: 'two', x: 1 }));
  });

  it('writes strings and numbers as ECMAScript does (RFC 8785)', () => {
    expect(canonicalJson({ s: 'é\u2028"\\', n: 1.5e-7, i: 100, neg: -0 })).toBe('{"i":100,"n":1.5e-7,"neg":0,"s":"é\u2028\\"\\\\"}');
  });

  it('drops undefined members, writes dates as ISO strings, refuses non-finite numbers', () => {
    expect(canonicalJson({ a: undefined, d: new Date('2026-01-02T03:04:05.006Z') })).toBe('{"d":"2026-01-02T03:04:05.006Z"}');
    expect(() => canonicalJson({ n: Infinity })).toThrow(TypeError);
    expect(() => canonicalJson({ n: NaN })).toThrow(TypeError);
  });
});
