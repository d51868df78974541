import { isWellFormed, toWellFormed } from './unicode';

describe('lone surrogates', () => {
  it('tells well-formed text (pairs, BMP, empty) from text with a lone half', () => {
    for (const ok of ['', 'abc', 'caf\u00e9', '\ud83d\ude00', 'a\ud83d\ude00b\ud83d\ude00'])
      expect(isWellFormed(ok)).toBe(true);
    for (const bad of ['\ud800', '\udc00', 'a\ud83d', '\ude00b', '\ud83d\ud83d\ude00', '\ude00\ud83d'])
      expect(isWellFormed(bad)).toBe(false);
  });

  it('replaces each lone half with U+FFFD and keeps pairs intact, also on repeated calls', () => {
    expect(toWellFormed('a\ud800b\ud83d\ude00c\udc00')).toBe('a\ufffdb\ud83d\ude00c\ufffd');
    expect(toWellFormed('\ud800')).toBe('\ufffd');
    expect(isWellFormed('x\ud800')).toBe(false); // the global regex keeps no state between calls
    expect(isWellFormed('x\ud800')).toBe(false);
    expect(toWellFormed('\ud83d\ude00')).toBe('\ud83d\ude00');
  });
});
