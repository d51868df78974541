import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService, SYSTEM_ACTOR, AuditAction } from '@app/audit';
import { canonicalJson, Clock } from '@app/common';
import { translateDbError } from '@app/database';
import { Model, seenOf, Suppression, THRESHOLD } from './disclosure-control';
import { protectOffMainThread } from './disclosure-worker';
import type { PublicStatistics } from './public-statistics.dto';
import {
  AWAITING_DECISION,
  buildModel,
  CaseFacts,
  countCases,
  monthRange,
  NOT_RECORDED,
  PublishedTable,
  publishTables,
} from './statistics-tables';

export const STATISTICS_TIME_ZONE = 'America/Chicago';
/** How long one computation is served: every reader within it gets the same counts and computedAt. */
export const STATISTICS_CACHE_SECONDS = 300;

const previousMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};
const monthOf = (d: Date) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: STATISTICS_TIME_ZONE, year: 'numeric', month: '2-digit' }).format(d);

/**
 * The tables published from the referred cases, and their SHA-256: everything of a computation after the
 * database read (bench/statistics.js measures it from the built file). Complete months only: from the
 * first month with a referral to `last` (a month is published once it has ended, so its counts no longer
 * move; this month's referrals wait). The disclosure control, the heavy part (up to seconds on a long
 * history), runs off the main thread in the built API, so the API keeps answering meanwhile; a failure of
 * it rejects here as it would have thrown inline.
 */
export async function publication(
  allFacts: (CaseFacts & { n: number })[],
  last: string,
  protectModel: (model: Model) => Promise<Map<string, Suppression | null>> = protectOffMainThread,
): Promise<{ months: string[]; tables: PublishedTable[]; sha256: string }> {
  const facts = allFacts.filter((f) => f.month <= last);
  const first = facts.reduce((m, f) => (f.month < m ? f.month : m), last);
  const months = monthRange(first, last);
  const { counts, categories } = countCases(facts, months);
  const model = buildModel(counts, months, categories);
  const state = await protectModel(model);
  const tables = publishTables(months, seenOf(model, state), categories);
  const sha256 = createHash('sha256')
    .update(canonicalJson({ threshold: THRESHOLD, timeZone: STATISTICS_TIME_ZONE, tables }))
    .digest('hex');
  return { months, tables, sha256 };
}

/**
 * Public statistics (issue 15 §5): cases referred to prosecutors, by month of first referral and by
 * decision, activity, supervisor identification and agency, with the disclosure control of
 * disclosure-control.ts applied.
 *
 * - Committed data only: one read-only statement (one snapshot) over the packets; computedAt is
 *   that snapshot's time. Complete months only (Chicago time): the current month's referrals are
 *   published once it has ended. A case is counted from its first packet's month, with its latest packet's
 *   manifest (the facts as signed and sent) and that packet's decision.
 * - Cached: one computation per process serves every reader for STATISTICS_CACHE_SECONDS;
 *   concurrent readers of an expired cache share one computation.
 * - Audited as a publication, not per reader: a `statistics.published` event (actor SYSTEM, no
 *   reader's IP or user agent) each time this process publishes tables that differ from what it
 *   published last, with their SHA-256 and size. Reads are anonymous, the same for everyone and name
 *   no record: logging each would record members of the public and let anyone grow the append-only
 *   trail without limit. What an auditor needs is what was published, when: the event gives it, and
 *   the SHA-256 in every answer ties a saved copy to its event.
 */
@Injectable()
export class PublicStatisticsService {
  private cached: { doc: PublicStatistics; until: number } | null = null;
  private inFlight: Promise<PublicStatistics> | null = null;
  private lastPublishedSha: string | null = null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<PublicStatistics> {
    if (this.cached && this.clock.now().getTime() < this.cached.until) return this.cached.doc;
    if (!this.inFlight) {
      this.inFlight = this.compute().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async compute(): Promise<PublicStatistics> {
    let snapshot: { at: Date; facts: (CaseFacts & { n: number })[] };
    try {
      snapshot = await this.read();
    } catch (e) {
      translateDbError(e);
    }
    // Complete months only: the month before the snapshot's is the last one published.
    const { months, tables, sha256 } = await publication(snapshot.facts, previousMonth(monthOf(snapshot.at)));
    const at = snapshot.at;
    // Served until this process's clock passes the computation plus the cache time.
    const until = this.clock.now().getTime() + STATISTICS_CACHE_SECONDS * 1000;
    const doc: PublicStatistics = {
      computedAt: at.toISOString(),
      nextComputationAfter: new Date(until).toISOString(),
      threshold: THRESHOLD,
      timeZone: STATISTICS_TIME_ZONE,
      sha256,
      tables,
    };
    if (sha256 !== this.lastPublishedSha) {
      const cells = tables.reduce((n, t) => n + (t.rows.length + 1) * (t.categories.length + 1), 0);
      const withheld = tables.reduce(
        (n, t) =>
          n +
          [...t.rows.flatMap((r) => [...r.cells, r.total]), ...t.columnTotals, t.total].filter(
            (c) => c.suppressed !== null,
          ).length,
        0,
      );
      await this.audit
        .record({
          action: AuditAction.StatisticsPublished,
          actor: SYSTEM_ACTOR,
          targetType: 'statistics',
          targetId: sha256,
          context: { clientIp: null, userAgent: null },
          details: {
            sha256,
            computedAt: doc.computedAt,
            months: { first: months[0], last: months[months.length - 1] },
            cells,
            withheld,
          },
        })
        .catch((e: unknown) => translateDbError(e));
      this.lastPublishedSha = sha256;
    }
    this.cached = { doc, until };
    return doc;
  }

  /** One statement: the snapshot time and the referred cases, grouped by what is published about them. */
  private async read(): Promise<{ at: Date; facts: (CaseFacts & { n: number })[] }> {
    const [row]: {
      at: Date;
      facts: {
        month: string;
        decision: string;
        activity_type: string;
        supervisor_identification: string;
        agencies: string[];
        n: number;
      }[];
    }[] = await this.ds.query(
      `WITH latest AS (
           SELECT DISTINCT ON (case_id) case_id, status, decision, manifest::jsonb AS m
             FROM packets ORDER BY case_id, version DESC
         ), firsts AS (
           SELECT case_id, min(sent_at) AS first_sent FROM packets GROUP BY case_id
         ), facts AS (
           SELECT to_char(f.first_sent AT TIME ZONE $1, 'YYYY-MM') AS month,
                  CASE WHEN l.status = 'DECIDED' THEN l.decision ELSE $2 END AS decision,
                  coalesce(l.m->'case'->>'activityType', $3) AS activity_type,
                  coalesce((SELECT o->>'identificationOutcome'
                              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(l.m->'federalOfficers') = 'array' THEN l.m->'federalOfficers' ELSE '[]'::jsonb END) o
                             WHERE o->'isSupervisor' = 'true'::jsonb LIMIT 1), $3) AS supervisor_identification,
                  coalesce((SELECT array_agg(DISTINCT a ORDER BY a)
                              FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(l.m->'case'->'agencies') = 'array' THEN l.m->'case'->'agencies' ELSE '[]'::jsonb END) a),
                           '{}') AS agencies
             FROM latest l JOIN firsts f USING (case_id)
         )
         SELECT now() AS at,
                coalesce((SELECT json_agg(g ORDER BY g.month, g.decision, g.activity_type, g.supervisor_identification, g.agencies)
                            FROM (SELECT month, decision, activity_type, supervisor_identification, agencies, count(*)::int AS n
                                    FROM facts GROUP BY 1, 2, 3, 4, 5) g), '[]'::json) AS facts`,
      [STATISTICS_TIME_ZONE, AWAITING_DECISION, NOT_RECORDED],
    );
    return {
      at: new Date(row.at),
      facts: row.facts.map((f) => ({
        month: f.month,
        decision: f.decision,
        activityType: f.activity_type,
        supervisorIdentification: f.supervisor_identification,
        agencies: f.agencies,
        n: f.n,
      })),
    };
  }
}

/** The CSV of the same cells: one line per cell, withheld counts in words. */
export function statisticsCsv(doc: PublicStatistics): string {
  const words = { FEWER_THAN_10: 'fewer than 10', COMPLEMENTARY: 'withheld to protect a smaller count' } as const;
  const count = (c: { count: number | null; suppressed: keyof typeof words | null }) =>
    c.suppressed ? words[c.suppressed] : String(c.count);
  const lines = ['table,unit,month,category,count,computed_at'];
  const line = (
    table: string,
    unit: string,
    month: string,
    category: string,
    c: { count: number | null; suppressed: keyof typeof words | null },
  ) => lines.push([table, unit, month, category, count(c), doc.computedAt].join(','));
  for (const t of doc.tables) {
    for (const r of t.rows) {
      r.cells.forEach((c, i) => line(t.id, t.unit, r.month, t.categories[i], c));
      line(t.id, t.unit, r.month, 'ALL', r.total);
    }
    t.columnTotals.forEach((c, i) => line(t.id, t.unit, 'ALL', t.categories[i], c));
    line(t.id, t.unit, 'ALL', 'ALL', t.total);
  }
  return `${lines.join('\r\n')}\r\n`;
}
