import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops insignificant whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('is independent of insertion order', () => {
    expect(canonicalJson({ x: 1, y: 'two' })).toBe(canonicalJson({ y: 'two', x: 1 }));
  });

  it('writes strings and numbers as ECMAScript does (RFC 8785)', () => {
    expect(canonicalJson({ s: 'é\u2028"\\', n: 1.5e-7, i: 100, neg: -0 })).toBe(
      '{"i":100,"n":1.5e-7,"neg":0,"s":"é\u2028\\"\\\\"}',
    );
  });

  it('drops undefined members, writes dates as ISO strings, refuses non-finite numbers', () => {
    expect(canonicalJson({ a: undefined, d: new Date('2026-01-02T03:04:05.006Z') })).toBe(
      '{"d":"2026-01-02T03:04:05.006Z"}',
    );
    expect(() => canonicalJson({ n: Infinity })).toThrow(TypeError);
    expect(() => canonicalJson({ n: NaN })).toThrow(TypeError);
  });
});

describe('canonicalJson never writes anything but JSON', () => {
  const roundTrips = (v: unknown) => expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));

  it('writes a hole of a sparse array as null, as JSON.stringify does', () => {
    // eslint-disable-next-line no-sparse-arrays -- the hole is what is tested
    const sparse = [1, , 3];
    expect(canonicalJson(sparse)).toBe('[1,null,3]');
    expect(canonicalJson(new Array(2))).toBe('[null,null]');
    // eslint-disable-next-line no-sparse-arrays -- the hole is what is tested
    expect(canonicalJson({ a: [, 'x'] })).toBe('{"a":[null,"x"]}');
    roundTrips(sparse);
  });

  it('honours toJSON as JSON.stringify does (dates, buffers, boxed primitives, an invalid date)', () => {
    const buf = Buffer.from([1, 2]);
    expect(canonicalJson({ b: buf })).toBe('{"b":{"data":[1,2],"type":"Buffer"}}');
    expect(canonicalJson({ at: { toJSON: (key: string) => `k=${key}` } })).toBe('{"at":"k=at"}');
    expect(canonicalJson(new Date(NaN))).toBe('null');
    expect(canonicalJson([new String('s'), new Number(2), new Boolean(false)])).toBe('["s",2,false]');
    roundTrips({ b: buf, d: new Date('2026-01-02T03:04:05.006Z'), s: new String('x') });
  });

  it('refuses what JSON cannot carry instead of dropping it silently: functions, symbols, bigints, a top-level undefined', () => {
    for (const bad of [() => 1, Symbol('s'), 10n, undefined, { f: () => 1 }, [Symbol('s')], { n: 1n }, [-Infinity]]) {
      expect(() => canonicalJson(bad)).toThrow(TypeError);
    }
  });

  it('keeps the output of every value that was already JSON byte-for-byte', () => {
    const value = {
      z: [1, 'two', null, true, { y: -0, x: 1e21 }],
      a: { nested: ['é', '\u0000'] },
      d: new Date('2026-01-02T03:04:05.006Z'),
      u: undefined,
    };
    expect(canonicalJson(value)).toBe(
      '{"a":{"nested":["é","\\u0000"]},"d":"2026-01-02T03:04:05.006Z","z":[1,"two",null,true,{"x":1e+21,"y":0}]}',
    );
    expect(canonicalJson([undefined])).toBe('[null]');
  });
});
