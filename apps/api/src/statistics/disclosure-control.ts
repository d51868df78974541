/**
 * Statistical disclosure control for the public statistics (issue 15 §5): which counts may be
 * published, and a checker that attacks a publication the way a reader could.
 *
 * THE RULE
 * 1. Primary suppression: every count below THRESHOLD (10), zero included, is withheld and shown as
 *    "fewer than 10" (FEWER_THAN_10). This applies to every cell: inner cells, row totals (a month),
 *    column totals (a category over all months) and grand totals alike.
 * 2. Secondary (complementary) suppression: further counts (all of them 10 or more) are withheld,
 *    shown as "withheld to protect a smaller count" (COMPLEMENTARY), until the checker below finds
 *    that, from everything published, a reader can learn about each withheld count no more than:
 *      - a "fewer than 10" count: that it is somewhere from 1 to 9 (it may be 0 too): the range a
 *        reader can work out for it still reaches 1 or less and 9 or more;
 *      - any withheld count: not its value (the range a reader can work out has at least two values).
 *    The complementary cell is chosen, for a cell that fails, in the row or column equation of that
 *    cell with the fewest withheld counts: inner cells before totals, smallest first (least
 *    information lost), then position (so the same data always gives the same publication); one per
 *    equation per round, then the checker runs again.
 *
 * WHAT A READER KNOWS (the checker's model), for all published tables together, because the tables
 * describe the same cases and so are linked:
 *  - each table's equations: every row adds up to its row total, every column to its column total,
 *    the column totals and the row totals to the grand total;
 *  - the case tables (decision, activity, supervisor identification) share their row totals (cases
 *    referred in a month) and grand total: one unknown each, not one per table;
 *  - the agency table counts agency involvements (a case naming two agencies counts once under each),
 *    so its totals are its own, but linked to the case totals by inequalities: a month's count under
 *    one agency is at most the cases of the month; a month's involvements are at least its cases and
 *    at most (number of agency columns) times its cases; the same for the column and grand totals;
 *  - a "fewer than 10" count is in 0..9, a complementary one is 10 or more (the labels say which).
 * The attacks: (a) elimination: Gaussian elimination over all the equations at once (any chain of
 * subtractions and additions of published cells and totals), which finds every withheld count the
 * equations fix exactly; (b) bounds: interval propagation over every equation and inequality until
 * nothing tightens, which finds the ranges subtraction with the bounds above leaves. A publication
 * passes when neither attack recovers a withheld count or narrows a small one past the rule above.
 * (A linear-programming audit could in principle narrow a range further than propagation does; the
 * rule's margin, a full 1..9 range per small count, is what stands in for it.)
 */

export const THRESHOLD = 10;

export type Suppression = 'FEWER_THAN_10' | 'COMPLEMENTARY';

/** A linear relation between cells: Σ plus − Σ minus (= 0 for 'eq', ≤ 0 for 'le'), with a coefficient per minus cell. */
export interface Relation {
  kind: 'eq' | 'le';
  plus: string[];
  /** Cells subtracted, each with its coefficient (1 unless stated). */
  minus: { key: string; coef: number }[];
  /** The table(s) whose line this is (for choosing complementary cells). */
  tables: string[];
}

export interface ModelCell {
  key: string;
  /** The true count (the service knows it; a reader sees it only when published). */
  value: number;
  /** Inner cells come before totals when a complementary cell is chosen. */
  isTotal: boolean;
  table: string;
  order: number;
}

export interface Model {
  cells: ModelCell[];
  relations: Relation[];
}

/** What a reader sees of a cell: its count, or only its suppression label. */
export interface SeenCell {
  count: number | null;
  suppressed: Suppression | null;
}

export interface Range {
  lo: number;
  hi: number;
  /** Fixed by the equations alone (elimination), whatever the bounds. */
  determined: boolean;
}

export interface Finding {
  key: string;
  suppressed: Suppression;
  range: Range;
  why: string;
}

const EPS = 1e-9;

/**
 * Attacks a publication: for every withheld cell, the range a reader can derive, and whether the
 * equations fix it. `seen` holds what was published for every cell of the model.
 */
export function attack(relations: Relation[], seen: Map<string, SeenCell>): Map<string, Range> {
  const unknown = [...seen.entries()].filter(([, c]) => c.suppressed !== null).map(([k]) => k);
  const index = new Map(unknown.map((k, i) => [k, i]));
  const n = unknown.length;
  const ranges = new Map<string, Range>();
  if (n === 0) return ranges;

  // Each relation as coefficients over the unknowns and a right-hand side (published counts moved over).
  type Lin = { coefs: Map<number, number>; rhs: number; kind: 'eq' | 'le' };
  const lins: Lin[] = relations.map((r) => {
    const coefs = new Map<number, number>();
    let rhs = 0;
    const add = (key: string, coef: number) => {
      const c = seen.get(key);
      if (!c) throw new Error(`relation names an unknown cell ${key}`);
      if (c.suppressed === null) rhs -= coef * (c.count as number);
      else coefs.set(index.get(key)!, (coefs.get(index.get(key)!) ?? 0) + coef);
    };
    r.plus.forEach((k) => add(k, 1));
    r.minus.forEach((m) => add(m.key, -m.coef));
    return { coefs, rhs, kind: r.kind };
  });

  // (a) Elimination over the equations: reduced row echelon form of the unknowns' coefficients.
  const determined = new Array<boolean>(n).fill(false);
  const rows = lins
    .filter((l) => l.kind === 'eq' && l.coefs.size > 0)
    .map((l) => {
      const row = new Float64Array(n);
      for (const [i, c] of l.coefs) row[i] = c;
      return row;
    });
  const pivots: { col: number; row: Float64Array }[] = [];
  let r0 = 0;
  for (let col = 0; col < n && r0 < rows.length; col++) {
    let best = -1;
    for (let r = r0; r < rows.length; r++)
      if (Math.abs(rows[r][col]) > EPS && (best < 0 || Math.abs(rows[r][col]) > Math.abs(rows[best][col]))) best = r;
    if (best < 0) continue;
    [rows[r0], rows[best]] = [rows[best], rows[r0]];
    const p = rows[r0];
    const pv = p[col];
    for (let j = 0; j < n; j++) p[j] /= pv;
    for (let r = 0; r < rows.length; r++) {
      if (r === r0) continue;
      const f = rows[r][col];
      if (Math.abs(f) <= EPS) continue;
      const row = rows[r];
      for (let j = 0; j < n; j++) row[j] -= f * p[j];
    }
    pivots.push({ col, row: p });
    r0++;
  }
  for (const { col, row } of pivots) {
    // The pivot's variable is fixed when its row names no other (free) unknown.
    let alone = true;
    for (let j = 0; j < n && alone; j++) if (j !== col && Math.abs(row[j]) > EPS) alone = false;
    if (alone) determined[col] = true;
  }

  // (b) Bounds propagation over equations and inequalities.
  const lo: number[] = unknown.map((k) => (seen.get(k)!.suppressed === 'FEWER_THAN_10' ? 0 : THRESHOLD));
  const hi: number[] = unknown.map((k) => (seen.get(k)!.suppressed === 'FEWER_THAN_10' ? THRESHOLD - 1 : Infinity));
  for (let round = 0, changed = true; changed && round < 10_000; round++) {
    changed = false;
    for (const l of lins) {
      if (l.coefs.size === 0) continue;
      // Σ c_i x_i (= or ≤) rhs. For each i: c_i x_i (= or ≤) rhs − Σ_{j≠i} c_j x_j.
      let minSum = 0;
      let minInf = 0;
      let maxSum = 0;
      let maxInf = 0;
      const term = (i: number, c: number) => (c > 0 ? [c * lo[i], c * hi[i]] : [c * hi[i], c * lo[i]]);
      for (const [i, c] of l.coefs) {
        const [a, b] = term(i, c);
        if (a === -Infinity) minInf++;
        else minSum += a;
        if (b === Infinity) maxInf++;
        else maxSum += b;
      }
      for (const [i, c] of l.coefs) {
        const [a, b] = term(i, c);
        const othersMin = a === -Infinity ? (minInf > 1 ? -Infinity : minSum) : minInf > 0 ? -Infinity : minSum - a;
        const othersMax = b === Infinity ? (maxInf > 1 ? Infinity : maxSum) : maxInf > 0 ? Infinity : maxSum - b;
        // c_i x_i ≤ rhs − othersMin, and (equations only) c_i x_i ≥ rhs − othersMax.
        const upperCx = l.rhs - othersMin;
        const lowerCx = l.kind === 'eq' ? l.rhs - othersMax : -Infinity;
        let newLo = lo[i];
        let newHi = hi[i];
        if (c > 0) {
          if (upperCx !== Infinity) newHi = Math.min(newHi, Math.floor(upperCx / c + EPS));
          if (lowerCx !== -Infinity) newLo = Math.max(newLo, Math.ceil(lowerCx / c - EPS));
        } else {
          if (upperCx !== Infinity) newLo = Math.max(newLo, Math.ceil(upperCx / c - EPS));
          if (lowerCx !== -Infinity) newHi = Math.min(newHi, Math.floor(lowerCx / c + EPS));
        }
        if (newLo > lo[i] || newHi < hi[i]) {
          lo[i] = newLo;
          hi[i] = newHi;
          changed = true;
        }
      }
    }
  }
  unknown.forEach((k, i) => ranges.set(k, { lo: lo[i], hi: hi[i], determined: determined[i] }));
  return ranges;
}

/** What the rule forbids in a publication: each withheld cell a reader could pin down or narrow too far. */
export function findings(relations: Relation[], seen: Map<string, SeenCell>): Finding[] {
  const out: Finding[] = [];
  for (const [key, range] of attack(relations, seen)) {
    const suppressed = seen.get(key)!.suppressed!;
    let why: string | null = null;
    if (range.determined) why = 'fixed by the published equations';
    else if (range.lo >= range.hi) why = `fixed at ${range.lo} by the published counts and bounds`;
    else if (suppressed === 'FEWER_THAN_10' && (range.lo > 1 || range.hi < THRESHOLD - 1)) {
      why = `narrowed to ${range.lo}..${range.hi}, less than the 1..9 "fewer than 10" says`;
    }
    if (why) out.push({ key, suppressed, range, why });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Applies the rule to a model: primary suppression, then complementary suppression until the
 * checker finds nothing. Returns each cell's suppression (null: published).
 */
export function protect(model: Model): Map<string, Suppression | null> {
  const byKey = new Map(model.cells.map((c) => [c.key, c]));
  const state = new Map<string, Suppression | null>(
    model.cells.map((c) => [c.key, c.value < THRESHOLD ? 'FEWER_THAN_10' : null]),
  );
  const linesOf = new Map<string, Relation[]>();
  for (const r of model.relations) {
    if (r.kind !== 'eq') continue;
    for (const k of [...r.plus, ...r.minus.map((m) => m.key)]) {
      if (!linesOf.has(k)) linesOf.set(k, []);
      linesOf.get(k)!.push(r);
    }
  }
  const rank = (c: ModelCell) => [c.isTotal ? 1 : 0, c.value, c.order] as const;
  const better = (a: ModelCell, b: ModelCell) => {
    const x = rank(a);
    const y = rank(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i];
    return false;
  };
  /**
   * The published cell of `keys` to withhold: the best-ranked one of at least `need` (a complementary
   * count v lets a small count in its line reach up to v - 10 more), else the largest there is.
   */
  const pickFrom = (keys: Iterable<string>, need = 0): ModelCell | null => {
    let best: ModelCell | null = null;
    let largest: ModelCell | null = null;
    for (const k of keys) {
      const c = byKey.get(k)!;
      if (state.get(k) !== null) continue;
      if (!largest || c.value > largest.value || (c.value === largest.value && better(c, largest))) largest = c;
      if (c.value >= need && (!best || better(c, best))) best = c;
    }
    return best ?? largest;
  };
  for (let guard = 0; guard <= model.cells.length; guard++) {
    const seen = seenOf(model, state);
    const found = findings(model.relations, seen);
    if (found.length === 0) return state;
    // One complementary cell per line per round: for a failing cell, its line (row or column equation)
    // with the fewest withheld cells gets its smallest published count withheld; a line that already
    // got one this round waits for the next check.
    let added = 0;
    const touched = new Set<Relation>();
    for (const f of found) {
      const cell = byKey.get(f.key)!;
      const lines = linesOf.get(f.key) ?? [];
      // A small count held below 9 needs a partner large enough to make up the difference.
      const need =
        f.suppressed === 'FEWER_THAN_10' && !f.range.determined
          ? THRESHOLD + Math.max(0, THRESHOLD - 1 - f.range.hi)
          : 0;
      if (lines.some((r) => touched.has(r))) continue;
      const members = (r: Relation) => [...r.plus, ...r.minus.map((m) => m.key)];
      const open = lines
        .map((r) => ({
          r,
          withheld: members(r).filter((k) => state.get(k) !== null).length,
          pick: pickFrom(members(r), need),
        }))
        .filter((x) => x.pick !== null)
        .sort((a, b) => a.withheld - b.withheld || (better(a.pick!, b.pick!) ? -1 : better(b.pick!, a.pick!) ? 1 : 0));
      const choice =
        open[0]?.pick ??
        pickFrom(model.cells.filter((c) => c.table === cell.table).map((c) => c.key)) ??
        pickFrom(model.cells.map((c) => c.key));
      if (choice && state.get(choice.key) === null) {
        state.set(choice.key, 'COMPLEMENTARY');
        for (const r of linesOf.get(choice.key) ?? []) touched.add(r);
        for (const r of lines) touched.add(r);
        added++;
      }
    }
    if (added === 0) break;
  }
  const left = findings(model.relations, seenOf(model, state));
  if (left.length)
    throw new Error(`disclosure control could not protect ${left.map((f) => `${f.key} (${f.why})`).join(', ')}`);
  return state;
}

export function seenOf(model: Model, state: Map<string, Suppression | null>): Map<string, SeenCell> {
  return new Map(
    model.cells.map((c) => {
      const s = state.get(c.key) ?? null;
      return [c.key, { count: s === null ? c.value : null, suppressed: s }];
    }),
  );
}
