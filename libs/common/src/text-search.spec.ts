import { normaliseBadge, parseSearch, tsQuerySql } from './text-search';

describe('text search queries', () => {
  it('normalises badges: case, spacing, a leading #, leading zeros; never to nothing but "0"', () => {
    expect(normaliseBadge('# 004471')).toBe('4471');
    expect(normaliseBadge('ab 0471')).toBe('ab0471');
    expect(normaliseBadge('AB-0471')).toBe('ab-0471');
    expect(normaliseBadge('000')).toBe('0');
    expect(normaliseBadge('#')).toBeNull();
    expect(normaliseBadge('   ')).toBeNull();
    expect(normaliseBadge(null)).toBeNull();
  });

  it('splits words, phrases, prefixes and codes', () => {
    expect(parseSearch('grey "bus stop" detain* #004471 or -van')).toEqual({
      web: 'grey "bus stop" or -van',
      prefixes: ['detain'],
      codes: [{ token: '#004471', lexeme: '4471' }],
    });
    expect(parseSearch('ION-2026-000123').codes).toEqual([{ token: 'ION-2026-000123', lexeme: 'ion-2026-000123' }]);
  });

  it('binds every piece of user text as a parameter; hostile input reaches SQL only as values', () => {
    const values: string[] = [];
    const sql = tsQuerySql(`x'); DROP TABLE cases; -- "a" b:* c&d !e (f) 12'3*`, (v) => {
      values.push(v);
      return `$${values.length}`;
    })!;
    expect(sql).not.toMatch(/DROP|cases|--/);
    expect(sql).toMatch(/^\((websearch_to_tsquery|to_tsquery|\(|\$|'english'|,|\)|::tsquery|\|\||&&|\s|\d)+\)$/);
    // A prefix reaches to_tsquery only as letters and digits + ':*'.
    expect(values.filter((v) => v.endsWith(':*')).every((v) => /^[\p{L}\p{N}]+:\*$/u.test(v))).toBe(true);
    expect(values.filter((v) => v.startsWith("'")).every((v) => /^'[a-z0-9-]+'$/.test(v))).toBe(true);
  });

  it('has nothing to search for in blanks and bare operators', () => {
    expect(tsQuerySql('   ', () => '$1')).toBeNull();
  });
});
