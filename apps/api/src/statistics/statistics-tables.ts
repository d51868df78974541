import { ACTIVITY_TYPES, DISPOSITIONS, FEDERAL_AGENCIES, IDENTIFICATION_OUTCOMES } from '@app/cases';
import { Model, ModelCell, Relation, SeenCell, Suppression } from './disclosure-control';

/**
 * The published tables: cases referred to prosecutors, by month of first referral (Chicago time)
 * and one other dimension each. The unit is a case (not a packet): a case sent again after
 * "more information requested" is counted once, in the month it was first sent, under what its
 * latest packet says (the facts as last sent, and that packet's decision).
 */
export const NOT_RECORDED = 'NOT_RECORDED';
/** The latest packet is still with prosecutors (PENDING or IN_REVIEW). */
export const AWAITING_DECISION = 'AWAITING_DECISION';

export const STATISTICS_TABLE_IDS = ['decision', 'activityType', 'supervisorIdentification', 'agency'] as const;
export type StatisticsTableId = (typeof STATISTICS_TABLE_IDS)[number];
export type StatisticsUnit = 'CASES' | 'AGENCY_INVOLVEMENTS';

/**
 * Each table's categories. NOT_RECORDED (a case sent without the value: the submit checklist makes it
 * impossible today) is a column only when some case has it: an always-empty column of zeros would force
 * a withheld count in every month, and with them most of the tables.
 */
export const TABLE_DEFS: Record<StatisticsTableId, { unit: StatisticsUnit; categories: readonly string[] }> = {
  decision: { unit: 'CASES', categories: [AWAITING_DECISION, ...DISPOSITIONS, 'MORE_INFO_REQUESTED'] },
  activityType: { unit: 'CASES', categories: [...ACTIVITY_TYPES, NOT_RECORDED] },
  supervisorIdentification: { unit: 'CASES', categories: [...IDENTIFICATION_OUTCOMES, NOT_RECORDED] },
  agency: { unit: 'AGENCY_INVOLVEMENTS', categories: [...FEDERAL_AGENCIES, NOT_RECORDED] },
};

/** One referred case, reduced to what is published (no id, number, district, place, person or date finer than a month). */
export interface CaseFacts {
  month: string;
  decision: string;
  activityType: string;
  supervisorIdentification: string;
  agencies: string[];
}

/** What the aggregation gives: per table, per month, per category, a count. */
export type Counts = Record<StatisticsTableId, Map<string, number[]>>;
/** Each table's columns, in order. */
export type Categories = Record<StatisticsTableId, readonly string[]>;

/** Months from `first` to `last` ('YYYY-MM'), inclusive. */
export function monthRange(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number);
  const [ly, lm] = last.split('-').map(Number);
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

export function countCases(
  facts: Iterable<CaseFacts & { n: number }>,
  months: string[],
): { counts: Counts; categories: Categories } {
  const list = [...facts];
  const categories = {} as Categories;
  const agenciesOf = (f: CaseFacts) => [
    ...new Set(f.agencies.filter((a) => (FEDERAL_AGENCIES as readonly string[]).includes(a))),
  ];
  const valueOf: Record<Exclude<StatisticsTableId, 'agency'>, (f: CaseFacts) => string> = {
    decision: (f) => f.decision,
    activityType: (f) => f.activityType,
    supervisorIdentification: (f) => f.supervisorIdentification,
  };
  for (const id of STATISTICS_TABLE_IDS) {
    const known = TABLE_DEFS[id].categories.filter((c) => c !== NOT_RECORDED);
    const missing = list.some((f) => (id === 'agency' ? agenciesOf(f).length === 0 : !known.includes(valueOf[id](f))));
    categories[id] = missing ? [...known, NOT_RECORDED] : known;
  }
  const counts = {} as Counts;
  for (const id of STATISTICS_TABLE_IDS) {
    counts[id] = new Map(months.map((m) => [m, new Array<number>(categories[id].length).fill(0)]));
  }
  const bump = (id: StatisticsTableId, month: string, category: string, n: number) => {
    const cats = categories[id];
    const i = cats.indexOf(cats.includes(category) ? category : NOT_RECORDED);
    const row = counts[id].get(month);
    if (!row || i < 0) throw new Error(`statistics: no cell for ${id} ${month} ${category}`);
    row[i] += n;
  };
  for (const f of list) {
    bump('decision', f.month, f.decision, f.n);
    bump('activityType', f.month, f.activityType, f.n);
    bump('supervisorIdentification', f.month, f.supervisorIdentification, f.n);
    const agencies = agenciesOf(f);
    if (agencies.length === 0) bump('agency', f.month, NOT_RECORDED, f.n);
    for (const a of agencies) bump('agency', f.month, a, f.n);
  }
  return { counts, categories };
}

/** Cell keys: the case tables share their month totals (`cases/<month>`) and grand total (`cases/all`). */
const group = (id: StatisticsTableId) => (TABLE_DEFS[id].unit === 'CASES' ? 'cases' : id);
export const keys = {
  inner: (id: StatisticsTableId, month: string, cat: string) => `${id}/${month}/${cat}`,
  column: (id: StatisticsTableId, cat: string) => `${id}/all/${cat}`,
  row: (id: StatisticsTableId, month: string) => `${group(id)}/${month}`,
  grand: (id: StatisticsTableId) => `${group(id)}/all`,
};

/** The tables as the cells and relations a reader knows (see disclosure-control.ts, "what a reader knows"). */
export function buildModel(counts: Counts, months: string[], categories: Categories): Model {
  const cells = new Map<string, ModelCell>();
  const put = (key: string, value: number, isTotal: boolean, table: string) => {
    const prev = cells.get(key);
    if (prev && prev.value !== value)
      throw new Error(`statistics: ${key} is ${prev.value} in one table and ${value} in another`);
    if (!prev) cells.set(key, { key, value, isTotal, table, order: cells.size });
  };
  const relations: Relation[] = [];
  const eq = (plus: string[], minus: string, tables: string[]) =>
    relations.push({ kind: 'eq', plus, minus: [{ key: minus, coef: 1 }], tables });
  const groupsDone = new Set<string>();
  for (const id of STATISTICS_TABLE_IDS) {
    const cats = categories[id];
    const rows = counts[id];
    const colSums = new Array<number>(cats.length).fill(0);
    for (const m of months) {
      const row = rows.get(m)!;
      row.forEach((v, i) => {
        put(keys.inner(id, m, cats[i]), v, false, id);
        colSums[i] += v;
      });
      put(
        keys.row(id, m),
        row.reduce((a, b) => a + b, 0),
        true,
        id,
      );
      eq(
        cats.map((c) => keys.inner(id, m, c)),
        keys.row(id, m),
        [id],
      );
    }
    cats.forEach((c, i) => {
      put(keys.column(id, c), colSums[i], true, id);
      eq(
        months.map((m) => keys.inner(id, m, c)),
        keys.column(id, c),
        [id],
      );
    });
    put(
      keys.grand(id),
      colSums.reduce((a, b) => a + b, 0),
      true,
      id,
    );
    eq(
      cats.map((c) => keys.column(id, c)),
      keys.grand(id),
      [id],
    );
    if (!groupsDone.has(group(id))) {
      groupsDone.add(group(id));
      eq(
        months.map((m) => keys.row(id, m)),
        keys.grand(id),
        [id],
      );
    }
  }
  // Involvements against cases: each case names at least one agency (or counts once as not recorded)
  // and at most every agency once; a month's count under one agency is at most its cases.
  const le = (plus: string, minus: string, coef = 1) =>
    relations.push({ kind: 'le', plus: [plus], minus: [{ key: minus, coef }], tables: ['agency'] });
  const most = FEDERAL_AGENCIES.length;
  for (const m of months) {
    for (const c of categories.agency) le(keys.inner('agency', m, c), keys.row('decision', m));
    le(keys.row('decision', m), keys.row('agency', m));
    le(keys.row('agency', m), keys.row('decision', m), most);
  }
  for (const c of categories.agency) le(keys.column('agency', c), keys.grand('decision'));
  le(keys.grand('decision'), keys.grand('agency'));
  le(keys.grand('agency'), keys.grand('decision'), most);
  return { cells: [...cells.values()], relations };
}

export interface PublishedCell {
  count: number | null;
  suppressed: Suppression | null;
}

export interface PublishedRow {
  month: string;
  cells: PublishedCell[];
  total: PublishedCell;
}

export interface PublishedTable {
  id: StatisticsTableId;
  unit: StatisticsUnit;
  categories: string[];
  rows: PublishedRow[];
  columnTotals: PublishedCell[];
  total: PublishedCell;
}

/** The tables as published: each withheld count is a null with its label. */
export function publishTables(months: string[], seen: Map<string, SeenCell>, categories: Categories): PublishedTable[] {
  const cell = (key: string): PublishedCell => {
    const c = seen.get(key)!;
    return { count: c.count, suppressed: c.suppressed };
  };
  return STATISTICS_TABLE_IDS.map((id) => {
    const cats = [...categories[id]];
    return {
      id,
      unit: TABLE_DEFS[id].unit,
      categories: cats,
      rows: months.map((m) => ({
        month: m,
        cells: cats.map((c) => cell(keys.inner(id, m, c))),
        total: cell(keys.row(id, m)),
      })),
      columnTotals: cats.map((c) => cell(keys.column(id, c))),
      total: cell(keys.grand(id)),
    };
  });
}

/**
 * What a reader of the published tables knows, rebuilt from the publication alone (no true counts):
 * the same cells and relations as buildModel, with the published counts and labels. The test suite
 * and the unit specs attack this.
 */
export function readerView(tables: PublishedTable[]): { relations: Relation[]; seen: Map<string, SeenCell> } {
  const months = tables[0]?.rows.map((r) => r.month) ?? [];
  const categories = {} as Categories;
  for (const t of tables) categories[t.id] = t.categories;
  const zero = {} as Counts;
  for (const id of STATISTICS_TABLE_IDS)
    zero[id] = new Map(months.map((m) => [m, new Array<number>(categories[id].length).fill(0)]));
  const { relations } = buildModel(zero, months, categories);
  const seen = new Map<string, SeenCell>();
  for (const t of tables) {
    t.rows.forEach((r) => {
      r.cells.forEach((c, i) => seen.set(keys.inner(t.id, r.month, t.categories[i]), c));
      seen.set(keys.row(t.id, r.month), r.total);
    });
    t.columnTotals.forEach((c, i) => seen.set(keys.column(t.id, t.categories[i]), c));
    seen.set(keys.grand(t.id), t.total);
  }
  return { relations, seen };
}
