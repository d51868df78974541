import { attack, findings, protect, Relation, SeenCell, seenOf, THRESHOLD } from './disclosure-control';
import { buildModel, CaseFacts, countCases, keys, monthRange, publishTables, readerView } from './statistics-tables';

const published = (count: number): SeenCell => ({ count, suppressed: null });
const small: SeenCell = { count: null, suppressed: 'FEWER_THAN_10' };
const withheld: SeenCell = { count: null, suppressed: 'COMPLEMENTARY' };
const eq = (plus: string[], minus: string): Relation => ({
  kind: 'eq',
  plus,
  minus: [{ key: minus, coef: 1 }],
  tables: ['t'],
});

describe('disclosure control: the attacks', () => {
  it('a row total minus the visible cells fixes a lone withheld cell (elimination)', () => {
    const seen = new Map([
      ['a', published(25)],
      ['b', small],
      ['c', published(11)],
      ['row', published(45)],
    ]);
    const ranges = attack([eq(['a', 'b', 'c'], 'row')], seen);
    expect(ranges.get('b')).toEqual({ lo: 9, hi: 9, determined: true });
    expect(findings([eq(['a', 'b', 'c'], 'row')], seen).map((f) => f.key)).toEqual(['b']);
  });

  it('chained subtraction across a row and a column is found too', () => {
    // 2x2 with margins, only x11 and x12 withheld, row 1 total withheld too, column totals published.
    const rel = [
      eq(['x11', 'x12'], 'r1'),
      eq(['x21', 'x22'], 'r2'),
      eq(['x11', 'x21'], 'c1'),
      eq(['x12', 'x22'], 'c2'),
    ];
    const seen = new Map([
      ['x11', small],
      ['x12', withheld],
      ['r1', withheld],
      ['x21', published(12)],
      ['x22', published(30)],
      ['r2', published(42)],
      ['c1', published(17)],
      ['c2', published(45)],
    ]);
    const r = attack(rel, seen);
    expect(r.get('x11')).toMatchObject({ lo: 5, hi: 5, determined: true });
    expect(r.get('x12')).toMatchObject({ lo: 15, hi: 15, determined: true });
  });

  it('bounds alone can fix a cell: p + s = 10 with p < 10 and s >= 10 gives p = 0', () => {
    const seen = new Map([
      ['p', small],
      ['s', withheld],
      ['row', published(10)],
    ]);
    const r = attack([eq(['p', 's'], 'row')], seen);
    expect(r.get('p')).toMatchObject({ lo: 0, hi: 0, determined: false });
    expect(findings([eq(['p', 's'], 'row')], seen).map((f) => f.why)).toEqual([
      'fixed at 0 by the published counts and bounds',
      'fixed at 10 by the published counts and bounds',
    ]);
  });

  it('two small cells that narrow each other (9 + 5 = 14 published) are a finding; with a third, larger, withheld cell they are not', () => {
    const narrow = new Map([
      ['p', small],
      ['q', small],
      ['row', published(14)],
    ]);
    expect(attack([eq(['p', 'q'], 'row')], narrow).get('p')).toMatchObject({ lo: 5, hi: 9 });
    expect(findings([eq(['p', 'q'], 'row')], narrow).map((f) => f.key)).toEqual(['p', 'q']);
    const wide = new Map([
      ['p', small],
      ['q', small],
      ['s', withheld],
      ['row', published(39)],
    ]);
    expect(findings([eq(['p', 'q', 's'], 'row')], wide)).toEqual([]);
  });
});

describe('disclosure control: the tables', () => {
  const months = monthRange('2026-01', '2026-04');
  const facts = (month: string, n: number, over: Partial<CaseFacts> = {}): CaseFacts & { n: number } => ({
    month,
    n,
    decision: 'CHARGES_FILED',
    activityType: 'ARREST',
    supervisorIdentification: 'REFUSED',
    agencies: ['ICE_ERO'],
    ...over,
  });

  it('monthRange spans years', () => {
    expect(monthRange('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });

  it('crafted counts: every count below 10 withheld, no withheld count recoverable, published counts exact', () => {
    const { counts, categories } = countCases(
      [
        facts('2026-01', 25),
        facts('2026-01', 9, { decision: 'DECLINED', activityType: 'DETENTION', agencies: ['CBP'] }),
        facts('2026-02', 11, { agencies: ['ICE_ERO', 'CBP'] }),
        facts('2026-02', 10, { decision: 'DECLINED' }),
        facts('2026-03', 12),
        facts('2026-03', 3, { decision: 'AWAITING_DECISION', supervisorIdentification: 'VERIFIED' }),
      ],
      months,
    );
    const model = buildModel(counts, months, categories);
    const state = protect(model);
    const seen = seenOf(model, state);
    for (const c of model.cells) {
      const s = seen.get(c.key)!;
      if (c.value < THRESHOLD) expect(s).toEqual({ count: null, suppressed: 'FEWER_THAN_10' });
      else if (s.suppressed === null) expect(s.count).toBe(c.value);
      else expect(s.suppressed).toBe('COMPLEMENTARY');
    }
    const tables = publishTables(months, seen, categories);
    const reader = readerView(tables);
    expect(findings(reader.relations, reader.seen)).toEqual([]);
    // Some counts are still published (the rule does not simply withhold everything) ...
    expect(seen.get(keys.grand('decision'))).toEqual({ count: 70, suppressed: null });
    // ... and primary suppression alone would not do: the checker finds counts it leaves recoverable.
    const primaryOnly = new Map(
      model.cells.map((c) => [c.key, c.value < THRESHOLD ? ('FEWER_THAN_10' as const) : null]),
    );
    const naive = readerView(publishTables(months, seenOf(model, primaryOnly), categories));
    const leaks = findings(naive.relations, naive.seen);
    expect(leaks.length).toBeGreaterThan(0);
    expect(leaks.some((f) => f.range.determined || f.range.lo === f.range.hi)).toBe(true);
  });

  it('no referrals at all: one month of zeros, all "fewer than 10", nothing recoverable', () => {
    const m = ['2026-04'];
    const { counts, categories } = countCases([], m);
    expect(categories.activityType).not.toContain('NOT_RECORDED');
    const model = buildModel(counts, m, categories);
    const state = protect(model);
    expect([...state.values()].every((s) => s === 'FEWER_THAN_10')).toBe(true);
  });
});
