import { randomUUID } from 'node:crypto';
import { Clock } from '@app/common';
import * as disclosureWorker from '../apps/api/src/statistics/disclosure-worker';
import { chicagoMonthsBack, craftReferrals, ReferralGroup } from './harness/statistics-fixtures';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';

/**
 * Issue 15 §5: GET /api/v1/public/statistics (and ?format=csv), without signing in. Crafted packets
 * (counts 9, 10, 11, 25 across three months and several agencies), plus one case sent through the API,
 * are counted; every published cell is checked against counts this file makes itself, every count
 * below 10 is "fewer than 10", and a reader's attack on the published tables (subtraction from the
 * row, column and grand totals, chained, with the bounds the labels give) recovers nothing.
 */
const API = '/api/v1';
const STATS = `${API}/public/statistics`;
const RATE_LIMIT = 40;

type Cell = { count: number | null; suppressed: 'FEWER_THAN_10' | 'COMPLEMENTARY' | null };
type Table = {
  id: string;
  unit: string;
  categories: string[];
  rows: { month: string; cells: Cell[]; total: Cell }[];
  columnTotals: Cell[];
  total: Cell;
};
type Doc = {
  computedAt: string;
  nextComputationAfter: string;
  threshold: number;
  timeZone: string;
  sha256: string;
  tables: Table[];
};

const monthsBack = chicagoMonthsBack;
const [SEP, OCT, NOV] = [monthsBack(3), monthsBack(2), monthsBack(1)];
const THIS_MONTH = monthsBack(0);

/** A crafted group: n cases first sent in `month`, their latest packet saying this. */
type Group = ReferralGroup;
const GROUPS: Group[] = [
  { month: SEP, n: 25, decision: 'CHARGES_FILED', activity: 'ARREST', outcome: 'REFUSED', agencies: ['ICE_ERO'] },
  { month: SEP, n: 11, decision: 'DECLINED', activity: 'DETENTION', outcome: 'UNABLE', agencies: ['CBP'] },
  {
    month: SEP,
    n: 9,
    decision: 'AWAITING_DECISION',
    activity: 'ARREST',
    outcome: 'REFUSED',
    agencies: ['ICE_ERO', 'CBP'],
  },
  { month: OCT, n: 10, decision: 'CHARGES_FILED', activity: 'ARREST', outcome: 'REFUSED', agencies: ['ICE_ERO'] },
  { month: OCT, n: 25, decision: 'DECLINED', activity: 'DETENTION', outcome: 'UNABLE', agencies: ['CBP'] },
  {
    month: OCT,
    n: 11,
    decision: 'MORE_INFO_REQUESTED',
    activity: 'VEHICLE_STOP',
    outcome: 'PARTIAL',
    agencies: ['BORDER_PATROL'],
  },
  { month: NOV, n: 11, decision: 'CHARGES_FILED', activity: 'ARREST', outcome: 'REFUSED', agencies: ['ICE_ERO'] },
  { month: NOV, n: 10, decision: 'DECLINED', activity: 'DETENTION', outcome: 'UNABLE', agencies: ['CBP'] },
  { month: NOV, n: 8, decision: 'REFERRED_ELSEWHERE', activity: 'ARREST', outcome: 'VERIFIED', agencies: ['ICE_ERO'] },
];
/** The case sent through the API (FULL_CASE, SUPERVISOR_RECORD), moved to NOV: ARREST, ICE_ERO, PARTIAL, awaiting a decision. */
const API_CASE: Group = {
  month: NOV,
  n: 1,
  decision: 'AWAITING_DECISION',
  activity: 'ARREST',
  outcome: 'PARTIAL',
  agencies: ['ICE_ERO'],
};
/** A referral in NOV committed during the test of caching. */
const EXTRA: Group = {
  month: NOV,
  n: 1,
  decision: 'AWAITING_DECISION',
  activity: 'SURVEILLANCE',
  outcome: 'NOT_RECORDED',
  agencies: ['FBI'],
};
/** One more case, sent in the current month: not published until the month has ended. */
const CURRENT: Group = {
  month: THIS_MONTH,
  n: 3,
  decision: 'AWAITING_DECISION',
  activity: 'ARREST',
  outcome: 'REFUSED',
  agencies: ['ICE_ERO'],
};

/** The true count of every cell, made here from the groups (a case under each agency it names). */
function truth(groups: Group[], months: string[], doc: Doc): Map<string, number> {
  const out = new Map<string, number>();
  const add = (k: string, n: number) => out.set(k, (out.get(k) ?? 0) + n);
  for (const t of doc.tables) {
    for (const m of months) for (const c of [...t.categories, 'ALL']) out.set(`${t.id}|${m}|${c}`, 0);
    for (const c of [...t.categories, 'ALL']) out.set(`${t.id}|ALL|${c}`, 0);
  }
  for (const g of groups.filter((x) => months.includes(x.month))) {
    const values: Record<string, string[]> = {
      decision: [g.decision],
      activityType: [g.activity],
      supervisorIdentification: [g.outcome],
      agency: g.agencies,
    };
    for (const [table, cats] of Object.entries(values)) {
      // A case naming two agencies adds to both, and twice to the agency table's totals (involvements).
      for (const c of cats)
        for (const [m, cc] of [
          [g.month, c],
          [g.month, 'ALL'],
          ['ALL', c],
          ['ALL', 'ALL'],
        ])
          add(`${table}|${m}|${cc}`, g.n);
    }
  }
  return out;
}

/** Every cell of a published document with its address `table|month|category` (ALL for totals). */
function cellsOf(doc: Doc): [string, Cell, Table][] {
  const out: [string, Cell, Table][] = [];
  for (const t of doc.tables) {
    for (const r of t.rows) {
      r.cells.forEach((c, i) => out.push([`${t.id}|${r.month}|${t.categories[i]}`, c, t]));
      out.push([`${t.id}|${r.month}|ALL`, r.total, t]);
    }
    t.columnTotals.forEach((c, i) => out.push([`${t.id}|ALL|${t.categories[i]}`, c, t]));
    out.push([`${t.id}|ALL|ALL`, t.total, t]);
  }
  return out;
}

/**
 * A reader's attack, written here independently of the service: every row, column and total line of
 * every table is an equation (cells add up to their total); the case tables' month totals and grand
 * total are one number each, whichever table shows them. Withheld counts start at 0..9 (fewer than
 * 10) or 10..∞ (withheld to protect a smaller count); each equation then narrows every unknown to what
 * the total minus the others allows, over and over until nothing moves. A cell recovered by subtraction
 * ends with lo === hi.
 */
function subtractionAttack(doc: Doc): Map<string, { lo: number; hi: number }> {
  const id = (table: Table, month: string, cat: string) =>
    cat === 'ALL' && table.unit === 'CASES' ? `cases|${month}` : `${table.id}|${month}|${cat}`;
  const known = new Map<string, number>();
  const range = new Map<string, { lo: number; hi: number }>();
  for (const t of doc.tables) {
    const note = (k: string, c: Cell) => {
      if (c.suppressed === null) known.set(k, c.count!);
      else range.set(k, c.suppressed === 'FEWER_THAN_10' ? { lo: 0, hi: 9 } : { lo: 10, hi: Infinity });
    };
    for (const r of t.rows) {
      r.cells.forEach((c, i) => note(id(t, r.month, t.categories[i]), c));
      note(id(t, r.month, 'ALL'), r.total);
    }
    t.columnTotals.forEach((c, i) => note(id(t, 'ALL', t.categories[i]), c));
    note(id(t, 'ALL', 'ALL'), t.total);
  }
  const lines: { parts: string[]; total: string }[] = [];
  for (const t of doc.tables) {
    const months = t.rows.map((r) => r.month);
    for (const m of months) lines.push({ parts: t.categories.map((c) => id(t, m, c)), total: id(t, m, 'ALL') });
    for (const c of t.categories) lines.push({ parts: months.map((m) => id(t, m, c)), total: id(t, 'ALL', c) });
    lines.push({ parts: t.categories.map((c) => id(t, 'ALL', c)), total: id(t, 'ALL', 'ALL') });
    lines.push({ parts: months.map((m) => id(t, m, 'ALL')), total: id(t, 'ALL', 'ALL') });
  }
  const lo = (k: string) => known.get(k) ?? range.get(k)!.lo;
  const hi = (k: string) => known.get(k) ?? range.get(k)!.hi;
  const narrow = (k: string, l: number, h: number) => {
    const r = range.get(k);
    if (!r) return false;
    const nl = Math.max(r.lo, l);
    const nh = Math.min(r.hi, h);
    if (nl === r.lo && nh === r.hi) return false;
    range.set(k, { lo: nl, hi: nh });
    return true;
  };
  for (let changed = true, rounds = 0; changed && rounds < 1000; rounds++) {
    changed = false;
    for (const { parts, total } of lines) {
      const sum = (f: (k: string) => number, skip?: string) =>
        parts.filter((p) => p !== skip).reduce((a, p) => a + f(p), 0);
      // total = Σ parts: each part lies between total − Σ others, and the total between the sums.
      changed = narrow(total, sum(lo), sum(hi)) || changed;
      for (const p of parts) changed = narrow(p, lo(total) - sum(hi, p), hi(total) - sum(lo, p)) || changed;
    }
  }
  return range;
}

/** Each cell against the true counts: below 10 -> "fewer than 10"; published -> exact; withheld otherwise -> 10 or more. Returns how many are published. */
function expectCellsAsTheRuleSays(doc: Doc, expected: Map<string, number>): number {
  let published = 0;
  for (const [key, cell] of cellsOf(doc)) {
    const value = expected.get(key);
    expect([key, value]).toEqual([key, expect.any(Number)]);
    if (value! < 10) expect([key, cell]).toEqual([key, { count: null, suppressed: 'FEWER_THAN_10' }]);
    else if (cell.suppressed === null) {
      expect([key, cell.count]).toEqual([key, value]);
      published++;
    } else expect([key, cell, value! >= 10]).toEqual([key, { count: null, suppressed: 'COMPLEMENTARY' }, true]);
  }
  return published;
}

describe('public statistics (issue 15 §5)', () => {
  let t: TestApp;
  let officer: TestUser;
  let supervisor: TestUser;
  let apiPacket: { id: string; caseId: string; caseNumber: string };
  let first: Doc;
  let n = 0;

  const craft = (g: Group, opts: { resentIn?: string } = {}) =>
    craftReferrals(t.owner, g, { officerId: officer.id, supervisorId: supervisor.id }, opts);

  const get = (path = STATS) => t.http().get(path).set('X-Request-Id', `stats-${randomUUID()}`);

  beforeAll(async () => {
    t = await createTestApp({ env: { STATISTICS_RATE_LIMIT: String(RATE_LIMIT), RATE_LIMIT_WINDOW_SECONDS: '60' } });
    officer = await t.given.officer();
    supervisor = await t.given.supervisor();
    apiPacket = await t.given.sentPacket(officer, supervisor);
    // Moved to the previous month (the packet row is frozen by a trigger; a fixture may step around it).
    const client = await t.owner.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(`UPDATE packets SET sent_at = $2 WHERE id = $1`, [apiPacket.id, `${NOV}-20T12:00:00-06:00`]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    for (const g of GROUPS) await craft(g, g === GROUPS[0] ? { resentIn: OCT } : {});
    await craft(CURRENT);
  }, 300_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
  });

  it('anonymous: 200 JSON for the complete months, every count as the rule says, exact where published', async () => {
    const res = await get().expect(200);
    first = res.body;
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(first).toMatchObject({
      threshold: 10,
      timeZone: 'America/Chicago',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(Date.parse(first.computedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(first.tables.map((x) => [x.id, x.unit])).toEqual([
      ['decision', 'CASES'],
      ['activityType', 'CASES'],
      ['supervisorIdentification', 'CASES'],
      ['agency', 'AGENCY_INVOLVEMENTS'],
    ]);
    // Complete months only: the current month's 3 cases are not there.
    for (const x of first.tables) expect(x.rows.map((r) => r.month)).toEqual([SEP, OCT, NOV]);
    expect(first.tables[0].categories).toEqual([
      'AWAITING_DECISION',
      'CHARGES_FILED',
      'DECLINED',
      'REFERRED_ELSEWHERE',
      'MORE_INFO_REQUESTED',
    ]);
    // No case lacks a value: no "not recorded" column (an always-empty column would only force more withholding).
    for (const x of first.tables) expect(x.categories).not.toContain('NOT_RECORDED');

    const expected = truth([...GROUPS, API_CASE], [SEP, OCT, NOV], first);
    expect(expectCellsAsTheRuleSays(first, expected)).toBeGreaterThan(5);
    // Named cells: the crafted 9 (awaiting decision in SEP) and 8 (referred elsewhere in NOV) are withheld as small;
    // the 25 + 11 + 9 + 1 (re-sent) ... totals are exact where shown.
    const decision = first.tables[0];
    expect(decision.rows[0].cells[0]).toEqual({ count: null, suppressed: 'FEWER_THAN_10' });
    expect(decision.rows[2].cells[3]).toEqual({ count: null, suppressed: 'FEWER_THAN_10' });
    expect(expected.get(`decision|ALL|ALL`)).toBe(121);
    expect(expected.get(`agency|ALL|ALL`)).toBe(130);
    const sep = (table: number, cat: string) =>
      first.tables[table].rows[0].cells[first.tables[table].categories.indexOf(cat)];
    expect([sep(3, 'FBI'), sep(1, 'SURVEILLANCE'), sep(2, 'VERIFIED')]).toEqual(
      Array(3).fill({ count: null, suppressed: 'FEWER_THAN_10' }),
    );
  });

  it('no withheld count can be recovered from the published cells and totals, nor a small one narrowed', () => {
    const ranges = subtractionAttack(first);
    const withheld = cellsOf(first).filter(([, c]) => c.suppressed !== null);
    expect(withheld.length).toBeGreaterThan(0);
    for (const [key, cell, table] of withheld) {
      const k = key.endsWith('|ALL') && table.unit === 'CASES' ? `cases|${key.split('|')[1]}` : key;
      const r = ranges.get(k)!;
      expect([key, r.lo < r.hi]).toEqual([key, true]);
      if (cell.suppressed === 'FEWER_THAN_10') expect([key, r.lo <= 1 && r.hi >= 9]).toEqual([key, true]);
    }
    // The plain attack, spelled out: in every row whose total is published, the total minus the visible
    // cells is shared by at least two withheld cells (never one), and is not below 9 when small counts hide in it.
    for (const x of first.tables) {
      for (const r of x.rows) {
        if (r.total.suppressed !== null) continue;
        const hidden = r.cells.filter((c) => c.suppressed !== null);
        if (hidden.length === 0) continue;
        expect([x.id, r.month, hidden.length >= 2]).toEqual([x.id, r.month, true]);
        const rest = r.total.count! - r.cells.reduce((a, c) => a + (c.count ?? 0), 0);
        if (hidden.some((c) => c.suppressed === 'FEWER_THAN_10'))
          expect([x.id, r.month, rest >= 9]).toEqual([x.id, r.month, true]);
      }
    }
  });

  it('the attack is real: with the complementary counts shown, it recovers or narrows small counts', () => {
    const expected = truth([...GROUPS, API_CASE], [SEP, OCT, NOV], first);
    const naive: Doc = JSON.parse(JSON.stringify(first));
    for (const [key, cell] of cellsOf(naive)) {
      if (cell.suppressed === 'COMPLEMENTARY') {
        cell.count = expected.get(key)!;
        cell.suppressed = null;
      }
    }
    const ranges = subtractionAttack(naive);
    const leaked = cellsOf(naive).filter(([key, c, table]) => {
      if (c.suppressed !== 'FEWER_THAN_10') return false;
      const r = ranges.get(key.endsWith('|ALL') && table.unit === 'CASES' ? `cases|${key.split('|')[1]}` : key)!;
      return r.lo === r.hi || r.lo > 1 || r.hi < 9;
    });
    expect(leaked.length).toBeGreaterThan(0);
    // e.g. the 8 cases referred elsewhere in NOV: with the complementary counts shown, NOV's row narrows them.
    expect(leaked.map(([k]) => k)).toContain(`decision|${NOV}|REFERRED_ELSEWHERE`);
  });

  it('nothing that identifies a person, place or case', async () => {
    const json = JSON.stringify(first);
    const csv = (await get(`${STATS}?format=csv`).expect(200)).text;
    for (const text of [json, csv]) {
      expect(text).not.toMatch(/ION-\d{4}-\d+/);
      expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
      for (const s of [
        'Fullerton',
        'crafted',
        'Crafted Name',
        'J. Smith',
        'F-123',
        'CR-1',
        officer.username,
        'district',
        'District',
      ])
        expect(text).not.toContain(s);
    }
    expect(apiPacket.caseNumber).toMatch(/^ION-/);
  });

  it('CSV: the same cells, one line each, withheld counts in words', async () => {
    const res = await get(`${STATS}?format=csv`).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="ion-public-statistics-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('table,unit,month,category,count,computed_at');
    const cells = cellsOf(first);
    expect(lines).toHaveLength(cells.length + 1);
    const words = { FEWER_THAN_10: 'fewer than 10', COMPLEMENTARY: 'withheld to protect a smaller count' };
    cells.forEach(([key, c, table], i) => {
      const [tid, month, cat] = key.split('|');
      expect(lines[i + 1]).toBe(
        [tid, table.unit, month, cat, c.suppressed ? words[c.suppressed] : String(c.count), first.computedAt].join(','),
      );
    });
    expect(lines).toContain(`decision,CASES,${SEP},AWAITING_DECISION,fewer than 10,${first.computedAt}`);
    expect(lines.some((l) => /,\d+,[^,]+$/.test(l) && !l.includes('fewer'))).toBe(true);
  });

  it('every role sees the same document; reads are not audited, the publication is (once, without the reader)', async () => {
    const auditor = await t.given.auditor();
    const rid = `stats-${randomUUID()}`;
    const again = await t.http().get(STATS).set(auditor.auth).set('X-Request-Id', rid).expect(200);
    expect(again.body).toEqual(first);
    expect(await auditRows(t.owner, 'request_id = $1', [rid])).toEqual([]);
    const published = await auditRows(t.owner, `action = 'statistics.published'`);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      actor_id: null,
      actor_role: 'SYSTEM',
      outcome: 'SUCCESS',
      target_type: 'statistics',
      target_id: first.sha256,
      client_ip: null,
      user_agent: null,
    });
    expect(published[0].details).toMatchObject({
      sha256: first.sha256,
      computedAt: first.computedAt,
      months: { first: SEP, last: NOV },
    });
  });

  it('bad query: 400 naming the parameter, nothing recorded', async () => {
    const bad = await get(`${STATS}?format=xml`).expect(400);
    expect(bad.body.fields).toEqual([expect.objectContaining({ field: 'format' })]);
    const unknown = await get(`${STATS}?month=${SEP}`).expect(400);
    expect(unknown.body.message).toMatch(/month/);
    expect(await auditRows(t.owner, 'request_id = ANY($1)', [[bad.body.requestId, unknown.body.requestId]])).toEqual(
      [],
    );
  });

  it('committed data only, computed again once the cache has expired; a change is published (audited) once', async () => {
    const clock = jest.spyOn(Clock.prototype, 'now');
    const at = (ms: number) => clock.mockImplementation(() => new Date(Date.now() + ms));
    const extra = await t.owner.connect();
    try {
      // A referral in NOV that is not committed while the statistics are computed again.
      await extra.query('BEGIN');
      n++;
      const {
        rows: [c],
      } = await extra.query(
        `INSERT INTO cases (case_number, status, district, created_by) VALUES ($1, 'REFERRED', 1, $2) RETURNING id`,
        [`ION-2026-9${n}`, officer.id],
      );
      const m = JSON.stringify({
        case: { activityType: EXTRA.activity, agencies: EXTRA.agencies },
        federalOfficers: [],
      });
      await extra.query(
        `INSERT INTO packets (id, case_id, case_number, version, office, felony, status, sent_by, sent_at, manifest, manifest_sha256, signature, key_id,
           public_key_pem, storage_bucket, manifest_key, signature_key, evidence_count, evidence_bytes)
         VALUES (gen_random_uuid(), $1::uuid, $2, 1, 'CCSAO', false, 'PENDING', $3, $4, $5::text, encode(sha256(convert_to($5::text, 'UTF8')), 'hex'), 'c2ln', 'k', 'pem', 'b',
           'x/' || $1::text || '/m', 'x/' || $1::text || '/s', 0, 0)`,
        [c.id, `ION-2026-9${n}`, supervisor.id, `${NOV}-21T12:00:00-06:00`, m],
      );

      at(301_000);
      const during = (await get().expect(200)).body as Doc;
      expect(Date.parse(during.computedAt)).toBeGreaterThan(Date.parse(first.computedAt));
      expect(during.tables).toEqual(first.tables);
      expect(during.sha256).toBe(first.sha256);
      await extra.query('COMMIT');
      // Still cached: the same computation, the new referral not yet counted.
      expect((await get().expect(200)).body).toEqual(during);
      at(2 * 301_000);
      const after = (await get().expect(200)).body as Doc;
      expect(after.sha256).not.toBe(first.sha256);
      expectCellsAsTheRuleSays(after, truth([...GROUPS, API_CASE, EXTRA], [SEP, OCT, NOV], after));
      // A case sent without a supervisor record: its table gains a "not recorded" column.
      expect(after.tables[2].categories).toEqual(['VERIFIED', 'PARTIAL', 'REFUSED', 'UNABLE', 'NOT_RECORDED']);
      expect(truth([...GROUPS, API_CASE, EXTRA], [SEP, OCT, NOV], after).get('decision|ALL|ALL')).toBe(122);
    } finally {
      extra.release();
      clock.mockRestore();
    }
    const published = await auditRows(t.owner, `action = 'statistics.published'`);
    expect(published.map((e) => e.details.sha256)).toEqual([first.sha256, expect.not.stringMatching(first.sha256)]);
  });

  it('a failed disclosure control (its worker ended without an answer) is a 500; nothing cached, the next read computes', async () => {
    // The built API runs protect() in a worker thread (jest runs it inline): its failure reaches the reader as an
    // exception of protect() does, and the next reader gets a new computation, not the failure.
    const clock = jest.spyOn(Clock.prototype, 'now').mockImplementation(() => new Date(Date.now() + 4 * 301_000));
    const crash = jest
      .spyOn(disclosureWorker, 'protectOffMainThread')
      .mockRejectedValueOnce(new Error('the disclosure control worker ended (exit code 1) without an answer'));
    try {
      const rid = `stats-fail-${randomUUID()}`;
      const failed = await t.http().get(STATS).set('X-Request-Id', rid).expect(500);
      expect(failed.body).toMatchObject({ statusCode: 500, code: 'INTERNAL.ERROR', requestId: rid });
      expect(failed.body.message).not.toMatch(/worker|disclosure/);
      const again = (await get().expect(200)).body as Doc;
      expect(crash).toHaveBeenCalledTimes(2);
      expect(again.tables.map((tb) => tb.id)).toEqual(first.tables.map((tb) => tb.id));
      expect(again.sha256).toMatch(/^[0-9a-f]{64}$/);
      // Cached now: the same computation again, no third one.
      expect((await get().expect(200)).body).toEqual(again);
      expect(crash).toHaveBeenCalledTimes(2);
    } finally {
      crash.mockRestore();
      clock.mockRestore();
    }
  });

  it(`rate-limited per client IP: past ${RATE_LIMIT} reads a minute, 429 with Retry-After, audited`, async () => {
    await t.owner.query('DELETE FROM rate_limit_hits');
    for (let i = 0; i < RATE_LIMIT; i++) await get().expect(200);
    const rid = `stats-limit-${randomUUID()}`;
    const refused = await t.http().get(STATS).set('X-Request-Id', rid).expect(429);
    expect(refused.body).toMatchObject({ code: 'RATE.LIMITED', requestId: rid });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const events = await auditRows(t.owner, 'request_id = $1', [rid]);
    expect(events).toEqual([
      expect.objectContaining({ action: 'rate_limit.exceeded', outcome: 'DENIED', actor_id: null }),
    ]);
    expect(events[0].details).toMatchObject({ attempted: 'statistics', status: 429 });
  });
});
