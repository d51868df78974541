import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuthUser, tsQuerySql } from '@app/common';
import { whereInScope } from '@app/auth';
import { CaseEntity } from './case.entity';
import type { CaseStatus } from './case-state';
import { isFootage } from './order-rules';
import type { ActivityType, FederalAgency } from './case-vocabulary';
import type { CaseSort, SupervisorIdentificationFilter } from './dto/case.dto';

/** An evidence upload to a case that has not ended yet (see CasesRepository.uploadsInProgress). */
export interface UploadInProgress {
  id: string;
  kind: string;
  originalFilename: string | null;
  startedBy: string;
  startedAt: string;
  bytesReceived: number;
  /** When it stops counting as in progress if no further byte arrives (its process presumed dead). */
  staleAt: string;
}

export interface CaseListFilter {
  status?: CaseStatus;
  district?: number;
  from?: Date;
  to?: Date;
  q?: string;
  /**
   * Which text q searches: `metadata` (cases.search_meta: case number, status, activity, agencies: auditors)
   * or `content` (cases.search_content: the whole case). Structural: a different column and index.
   */
  qScope: 'metadata' | 'content';
  agency?: FederalAgency;
  activityType?: ActivityType;
  supervisorIdentification?: SupervisorIdentificationFilter;
  felony?: boolean;
  hasFootage?: boolean;
  author?: string;
  sort: CaseSort;
  order: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

/**
 * GET /cases counts matches exactly up to this many, then says "more than" (totalCapped). Counting every match of a
 * broad query ("agents": most of a district) costs a visit to every matching row and tells a user nothing a
 * "more than 1,000" does not: nobody pages through a thousand cases, they narrow the search. Up to the cap the
 * count is exact, so small result sets (a badge, a plate, a phrase) are counted as before.
 */
export const CASE_COUNT_CAP = 1000;

/** One row of GET /cases: the case and what the list shows besides (author, evidence, footage). */
export interface CaseListRow {
  c: CaseEntity;
  authorName: string | null;
  authorBadge: string | null;
  evidenceCount: number;
}

/** The footage rule of order-rules.ts isFootage(), in SQL (an active, non-empty BWC/OTHER_VIDEO item whose bytes are video). */
const HAS_FOOTAGE = `EXISTS (SELECT 1 FROM evidence fe WHERE fe.case_id = c.id AND fe.status = 'ACTIVE' AND fe.size_bytes > 0
  AND fe.kind IN ('BWC', 'OTHER_VIDEO') AND fe.content_type ~* '^video/')`;
/** Incident time, or creation before it is set: the from/to filter and the `incident` sort (indexed expression). */
const INCIDENT_TIME = 'COALESCE(c.incident_at, c.created_at)';
const SORT_COLUMN: Record<Exclude<CaseSort, 'relevance'>, string> = {
  created: 'c.created_at',
  incident: INCIDENT_TIME,
  updated: 'c.updated_at',
  submitted: 'c.submitted_at',
};

@Injectable()
export class CasesRepository {
  constructor(@InjectRepository(CaseEntity) private readonly repo: Repository<CaseEntity>) {}

  /** The case if it is within the caller's scope; with `em`, locked FOR UPDATE in that transaction. */
  findInScope(auth: AuthUser, id: string, em?: EntityManager): Promise<CaseEntity | null> {
    const qb = (em ? em.getRepository(CaseEntity) : this.repo).createQueryBuilder('c').where('c.id = :id', { id });
    whereInScope(qb, auth, 'case', 'c'); // the caller's scope: libs/auth access.ts
    if (em) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  /** The case by id alone, locked FOR UPDATE in `em`: for callers whose scope was checked another way (packets). */
  lockById(em: EntityManager, id: string): Promise<CaseEntity | null> {
    return em
      .getRepository(CaseEntity)
      .createQueryBuilder('c')
      .where('c.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  /** The case's items that meet the order's footage requirement (isFootage, the rule the console runs too). */
  async countFootage(caseId: string, em?: EntityManager): Promise<number> {
    const rows: { kind: string; content_type: string; size_bytes: string; status: string }[] = await (
      em ?? this.repo.manager
    ).query(`SELECT kind, content_type, size_bytes, status FROM evidence WHERE case_id = $1 AND status = 'ACTIVE'`, [
      caseId,
    ]);
    return rows.filter((r) =>
      isFootage({ kind: r.kind, contentType: r.content_type, sizeBytes: Number(r.size_bytes), status: r.status }),
    ).length;
  }

  /**
   * Evidence uploads to the case still arriving (evidence_upload_sessions, written by every API process):
   * not ended, and not presumed dead (stale_at, pushed forward while bytes arrive, still ahead).
   */
  async uploadsInProgress(caseId: string, em?: EntityManager): Promise<UploadInProgress[]> {
    const rows: {
      id: string;
      kind: string;
      original_filename: string | null;
      started_by: string;
      started_at: Date;
      bytes_received: string;
      stale_at: Date;
    }[] = await (em ?? this.repo.manager).query(
      `SELECT id, kind, original_filename, started_by, started_at, bytes_received, stale_at FROM evidence_upload_sessions
          WHERE case_id = $1 AND ended_at IS NULL AND stale_at > now() ORDER BY started_at, id`,
      [caseId],
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      originalFilename: r.original_filename,
      startedBy: r.started_by,
      startedAt: r.started_at.toISOString(),
      bytesReceived: Number(r.bytes_received),
      staleAt: r.stale_at.toISOString(),
    }));
  }

  async exists(id: string): Promise<boolean> {
    return this.repo.exists({ where: { id } });
  }

  /**
   * A page of the cases in the caller's scope matching the filters, and how many match in all. q is a
   * full-text query (libs/common text-search.ts: every piece of it a bound parameter) against the vector
   * f.qScope names; the count is over the same WHERE, so it reveals nothing the page could not. The count is
   * exact up to CASE_COUNT_CAP; beyond it `total` is the cap and `totalCapped` true.
   */
  async list(auth: AuthUser, f: CaseListFilter): Promise<{ rows: CaseListRow[]; total: number; totalCapped: boolean }> {
    const qb = this.repo.createQueryBuilder('c');
    whereInScope(qb, auth, 'case', 'c'); // the caller's scope: libs/auth access.ts
    if (f.status) qb.andWhere('c.status = :status', { status: f.status });
    if (f.district !== undefined) qb.andWhere('c.district = :district', { district: f.district });
    if (f.from) qb.andWhere(`${INCIDENT_TIME} >= :from`, { from: f.from });
    if (f.to) qb.andWhere(`${INCIDENT_TIME} <= :to`, { to: f.to });
    if (f.agency) qb.andWhere('c.agencies @> ARRAY[:agency]::text[]', { agency: f.agency });
    if (f.activityType) qb.andWhere('c.activity_type = :activityType', { activityType: f.activityType });
    if (f.supervisorIdentification === 'NOT_RECORDED') {
      qb.andWhere(
        `NOT jsonb_path_exists(c.federal_officers, '$[*] ? (@.isSupervisor == true && @.identificationOutcome != null)')`,
      );
    } else if (f.supervisorIdentification) {
      qb.andWhere('c.federal_officers @> CAST(:supIdent AS jsonb)', {
        supIdent: JSON.stringify([{ isSupervisor: true, identificationOutcome: f.supervisorIdentification }]),
      });
    }
    if (f.felony !== undefined) qb.andWhere(`${f.felony ? '' : 'NOT '}(c.violations @> '[{"felony": true}]'::jsonb)`);
    if (f.hasFootage !== undefined) qb.andWhere(`${f.hasFootage ? '' : 'NOT '}${HAS_FOOTAGE}`);
    if (f.author) qb.andWhere('c.created_by = :author', { author: f.author });
    const column = f.qScope === 'metadata' ? 'c.search_meta' : 'c.search_content';
    let tsq: string | null = null;
    if (f.q !== undefined) {
      const params: Record<string, string> = {};
      tsq = tsQuerySql(f.q, (v) => {
        const name = `tsq${Object.keys(params).length}`;
        params[name] = v;
        return `:${name}`;
      });
      // Nothing searchable (only operators or stop words): nothing matches.
      qb.andWhere(tsq ? `${column} @@ ${tsq}` : 'false', params);
    }
    // The count and the page run side by side (two connections), over the same WHERE; the count stops at the cap + 1.
    // It walks the matches in the page's order (by rank: newest first), so that a broad query reads the same index
    // and the same recent rows as the page. Unordered, PostgreSQL may stop a sequential scan at the cap, and with
    // synchronize_seqscans each such scan starts where the last one stopped: a district's count then sometimes
    // reads through the other districts' rows first (measured on bench/search.js: 2 ms to 126 ms for the same
    // count; ordered, 4-6 ms every time). The number is the same either way: min(matches, cap + 1).
    const countSort = SORT_COLUMN[f.sort === 'relevance' ? 'created' : f.sort];
    const countDir = f.order === 'asc' && f.sort !== 'relevance' ? 'ASC' : 'DESC';
    const [countSql, countParams] = qb
      .clone()
      .select('1')
      .orderBy(countSort, countDir)
      .addOrderBy('c.id', countDir)
      .limit(CASE_COUNT_CAP + 1)
      .getQueryAndParameters();
    const counted = this.repo.manager
      .query(`SELECT count(*)::int AS n FROM (${countSql}) capped`, countParams)
      .then((r: { n: number }[]) => r[0].n);
    qb.leftJoin('users', 'u', 'u.id = c.created_by')
      .addSelect('u.display_name', 'author_name')
      .addSelect('u.badge_number', 'author_badge')
      .addSelect(
        `(SELECT count(*)::int FROM evidence ec WHERE ec.case_id = c.id AND ec.status = 'ACTIVE')`,
        'evidence_count',
      );
    if (f.sort === 'relevance' && tsq) {
      qb.orderBy(`ts_rank_cd(${column}, ${tsq})`, 'DESC').addOrderBy('c.created_at', 'DESC');
    } else {
      const dir = f.order === 'asc' ? 'ASC' : 'DESC';
      // Never-submitted cases (submitted_at null) after the submitted ones, whichever the direction.
      qb.orderBy(
        SORT_COLUMN[f.sort === 'relevance' ? 'created' : f.sort],
        dir,
        f.sort === 'submitted' ? 'NULLS LAST' : undefined,
      );
    }
    qb.addOrderBy('c.id', f.order === 'asc' && f.sort !== 'relevance' ? 'ASC' : 'DESC')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize);
    const [matched, { entities, raw }] = await Promise.all([
      counted,
      qb.getRawAndEntities<{
        c_id: string;
        author_name: string | null;
        author_badge: string | null;
        evidence_count: number;
      }>(),
    ]);
    const extra = new Map(raw.map((r) => [r.c_id, r]));
    return {
      rows: entities.map((c) => {
        const r = extra.get(c.id)!;
        return { c, authorName: r.author_name, authorBadge: r.author_badge, evidenceCount: Number(r.evidence_count) };
      }),
      total: Math.min(matched, CASE_COUNT_CAP),
      totalCapped: matched > CASE_COUNT_CAP,
    };
  }

  /** Next human number for the year, gapless: the counter row is updated in the caller's transaction. */
  async nextCaseNumber(em: EntityManager, year: number): Promise<string> {
    const rows: { last_value: number }[] = await em.query(
      `INSERT INTO case_number_counters (year, last_value) VALUES ($1, 1)
       ON CONFLICT (year) DO UPDATE SET last_value = case_number_counters.last_value + 1
       RETURNING last_value`,
      [year],
    );
    return `ION-${year}-${String(rows[0].last_value).padStart(6, '0')}`;
  }

  async insert(em: EntityManager, c: Partial<CaseEntity>): Promise<CaseEntity> {
    const repo = em.getRepository(CaseEntity);
    return repo.save(repo.create(c));
  }

  async save(em: EntityManager, c: CaseEntity): Promise<CaseEntity> {
    return em.getRepository(CaseEntity).save(c);
  }

  /** The case's revisions (snapshots of the case view after each change), oldest first. */
  async revisions(caseId: string): Promise<{ version: number; action: string; snapshot: Record<string, unknown> }[]> {
    return this.repo.manager.query(
      `SELECT version, action, snapshot FROM case_revisions WHERE case_id = $1 ORDER BY version`,
      [caseId],
    );
  }

  async addRevision(
    em: EntityManager,
    c: CaseEntity,
    action: string,
    by: string | null,
    snapshot: unknown,
  ): Promise<void> {
    await em.query(
      `INSERT INTO case_revisions (case_id, version, action, changed_by, changed_at, snapshot) VALUES ($1,$2,$3,$4,$5,$6)`,
      [c.id, c.version, action, by, c.updatedAt ?? new Date(), JSON.stringify(snapshot)],
    );
  }
}
