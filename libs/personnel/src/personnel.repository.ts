import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { scopeSql } from '@app/auth';
import { AuthUser, ConflictError, tsQuerySql } from '@app/common';
import type { PersonnelRole, PersonnelSort } from './dto/personnel.dto';

/** Binds values as $1, $2...: every value a caller sent reaches SQL only as a parameter. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/**
 * Which cases' personnel a caller sees (alias c = cases): the access rule's kind `caseAsSent` (libs/auth access.ts; for
 * a prosecutor, the cases whose latest packet went to their office while with prosecutors). Auditors see every case
 * without names (the service leaves them out).
 */
function caseScope(auth: AuthUser, p: Params): string {
  return scopeSql(auth, 'caseAsSent', 'c', (v) => p.add(v));
}

export interface PersonnelListFilter {
  q?: string;
  agency?: string;
  role?: PersonnelRole;
  outcome?: string;
  sort: PersonnelSort;
  page: number;
  pageSize: number;
}

export interface EntryRow {
  id: string;
  agency: string | null;
  keyed: boolean;
  badge_normalised: string | null;
  names: string[] | null;
  badges: string[] | null;
  descriptions: string[] | null;
  as_supervisor: boolean;
  as_agent: boolean;
  outcomes: string[] | null;
  case_count: number;
  record_count: number;
  last_incident_at: Date | null;
  link_count: number;
}

export interface CaseRecordRow {
  case_id: string;
  case_number: string;
  district: number;
  status: string;
  incident_at: Date | null;
  incident_location: string | null;
  activity_type: string | null;
  violations: { citation: string; description: string; felony: boolean }[];
  is_supervisor: boolean;
  name: string | null;
  badge_recorded: string | null;
  identification_outcome: string | null;
  description: string | null;
  /** The case's latest packet (for a prosecutor in scope: the one sent to their office). */
  packet_id: string | null;
}

export interface LinkRow {
  id: string;
  entry_a: string;
  entry_b: string;
  reason: string;
  linked_by: string;
  linked_by_name: string;
  linked_at: Date;
  unlinked_by: string | null;
  unlinked_by_name: string | null;
  unlinked_at: Date | null;
  unlink_reason: string | null;
}

/** Aggregates of an entry over the records the scope shows (s = in-scope records). */
const ENTRY_COLUMNS = `p.id, p.agency, p.keyed, p.badge_normalised,
  array_agg(DISTINCT s.name ORDER BY s.name) FILTER (WHERE s.name IS NOT NULL) AS names,
  array_agg(DISTINCT s.badge_recorded ORDER BY s.badge_recorded) FILTER (WHERE s.badge_recorded IS NOT NULL) AS badges,
  array_agg(DISTINCT s.description ORDER BY s.description) FILTER (WHERE s.description IS NOT NULL) AS descriptions,
  bool_or(s.is_supervisor) AS as_supervisor, bool_or(NOT s.is_supervisor) AS as_agent,
  array_agg(DISTINCT s.identification_outcome ORDER BY s.identification_outcome) FILTER (WHERE s.identification_outcome IS NOT NULL) AS outcomes,
  count(DISTINCT s.case_id)::int AS case_count, count(*)::int AS record_count, max(s.t) AS last_incident_at`;

@Injectable()
export class PersonnelRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** A page of entries with at least one record in scope (and, with q, one in-scope record matching q). */
  async list(auth: AuthUser, f: PersonnelListFilter): Promise<{ rows: EntryRow[]; total: number }> {
    const p = new Params();
    const where = [caseScope(auth, p)];
    if (f.agency) where.push(`r.agency = ${p.add(f.agency)}`);
    let having = 'true';
    if (f.role) having = `bool_or(${f.role === 'SUPERVISOR' ? '' : 'NOT '}s.is_supervisor)`;
    if (f.outcome) having += ` AND bool_or(s.identification_outcome = ${p.add(f.outcome)})`;
    let matched = 'false';
    if (f.q !== undefined) {
      const tsq = tsQuerySql(f.q, (v) => p.add(v));
      if (!tsq) return { rows: [], total: 0 };
      // GIN pre-filter (entries with a matching record anywhere), then exactly: a matching record IN SCOPE.
      where.push(`r.personnel_id IN (SELECT m.personnel_id FROM federal_personnel_records m WHERE m.search @@ ${tsq})`);
      matched = `r.search @@ ${tsq}`;
      having += ' AND bool_or(s.matched)';
    }
    const grouped = `
      WITH s AS (
        SELECT r.personnel_id, r.case_id, r.name, r.badge_recorded, r.description, r.is_supervisor, r.identification_outcome,
               COALESCE(c.incident_at, c.created_at) AS t, ${matched} AS matched
          FROM federal_personnel_records r JOIN cases c ON c.id = r.case_id
         WHERE ${where.join(' AND ')}
      )
      SELECT ${ENTRY_COLUMNS} FROM s JOIN federal_personnel p ON p.id = s.personnel_id
      GROUP BY p.id HAVING ${having}`;
    const order =
      f.sort === 'recent' ? 'last_incident_at DESC, case_count DESC, id' : 'case_count DESC, last_incident_at DESC, id';
    const limit = p.add(f.pageSize);
    const offset = p.add((f.page - 1) * f.pageSize);
    const [rows, count] = await Promise.all([
      this.ds.query(
        `SELECT g.*, 0 AS link_count FROM (${grouped}) g ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
        p.values,
      ) as Promise<EntryRow[]>,
      this.ds.query(`SELECT count(*)::int AS n FROM (${grouped}) g`, p.values.slice(0, -2)) as Promise<{ n: number }[]>,
    ]);
    return { rows, total: count[0].n };
  }

  /** The entry aggregated over its in-scope records; null when it has none (or does not exist). */
  async entryInScope(auth: AuthUser, id: string, em?: EntityManager): Promise<EntryRow | null> {
    const p = new Params();
    const idp = p.add(id);
    const rows: EntryRow[] = await (em ?? this.ds).query(
      `
      WITH s AS (
        SELECT r.*, COALESCE(c.incident_at, c.created_at) AS t
          FROM federal_personnel_records r JOIN cases c ON c.id = r.case_id
         WHERE r.personnel_id = ${idp} AND ${caseScope(auth, p)}
      )
      SELECT ${ENTRY_COLUMNS}, 0 AS link_count FROM s JOIN federal_personnel p ON p.id = s.personnel_id GROUP BY p.id`,
      p.values,
    );
    return rows[0] ?? null;
  }

  async exists(id: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(`SELECT 1 FROM federal_personnel WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  /** The in-scope cases that record the entry, one row per record, latest incident first. */
  async casesInScope(auth: AuthUser, id: string): Promise<CaseRecordRow[]> {
    const p = new Params();
    const idp = p.add(id);
    return this.ds.query(
      `
      SELECT c.id AS case_id, c.case_number, c.district, c.status, c.incident_at, c.incident_location, c.activity_type, c.violations,
             r.is_supervisor, r.name, r.badge_recorded, r.identification_outcome, r.description,
             (SELECT lp.id FROM packets lp WHERE lp.case_id = c.id ORDER BY lp.version DESC LIMIT 1) AS packet_id
        FROM federal_personnel_records r JOIN cases c ON c.id = r.case_id
       WHERE r.personnel_id = ${idp} AND ${caseScope(auth, p)}
       ORDER BY COALESCE(c.incident_at, c.created_at) DESC, c.id, r.position`,
      p.values,
    );
  }

  /** Links of the entry whose other entry the caller can see (has an in-scope record). */
  async linksOf(auth: AuthUser, ids: string[], em?: EntityManager): Promise<LinkRow[]> {
    const p = new Params();
    const idsp = p.add(ids);
    return (em ?? this.ds).query(
      `
      SELECT l.*, lu.display_name AS linked_by_name, uu.display_name AS unlinked_by_name
        FROM federal_personnel_links l
        JOIN users lu ON lu.id = l.linked_by LEFT JOIN users uu ON uu.id = l.unlinked_by
       WHERE (l.entry_a = ANY(${idsp}::uuid[]) OR l.entry_b = ANY(${idsp}::uuid[]))
         AND EXISTS (SELECT 1 FROM federal_personnel_records r JOIN cases c ON c.id = r.case_id
                      WHERE r.personnel_id = CASE WHEN l.entry_a = ANY(${idsp}::uuid[]) THEN l.entry_b ELSE l.entry_a END
                        AND ${caseScope(auth, p)})
       ORDER BY l.linked_at, l.id`,
      p.values,
    );
  }

  /** Active links per entry (counts, for list pages), among entries the caller can see. */
  async activeLinkCounts(auth: AuthUser, ids: string[]): Promise<Map<string, number>> {
    if (!ids.length) return new Map();
    const links = (await this.linksOf(auth, ids)).filter((l) => !l.unlinked_at);
    const counts = new Map<string, number>();
    for (const l of links)
      for (const e of [l.entry_a, l.entry_b]) if (ids.includes(e)) counts.set(e, (counts.get(e) ?? 0) + 1);
    return counts;
  }

  async insertLink(
    em: EntityManager,
    link: { id: string; a: string; b: string; reason: string; by: string; at: Date },
  ): Promise<void> {
    try {
      await em.query(
        `INSERT INTO federal_personnel_links (id, entry_a, entry_b, reason, linked_by, linked_at) VALUES ($1,$2,$3,$4,$5,$6)`,
        [link.id, link.a, link.b, link.reason, link.by, link.at],
      );
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new ConflictError('These two entries are already linked.');
      throw e;
    }
  }

  async lockLink(em: EntityManager, id: string): Promise<LinkRow | null> {
    const rows: LinkRow[] = await em.query(
      `SELECT l.*, NULL AS linked_by_name, NULL AS unlinked_by_name FROM federal_personnel_links l WHERE l.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  async undoLink(em: EntityManager, id: string, by: string, at: Date, reason: string): Promise<void> {
    await em.query(
      `UPDATE federal_personnel_links SET unlinked_by = $2, unlinked_at = $3, unlink_reason = $4 WHERE id = $1`,
      [id, by, at, reason],
    );
  }
}
