import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '@app/common';
import { CaseEntity } from './case.entity';
import type { CaseStatus } from './case-state';
import { isFootage } from './order-rules';

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
  /** Limit q to the case number (roles that see metadata only). */
  qNumberOnly?: boolean;
  page: number;
  pageSize: number;
}

/**
 * Which cases a caller may see: an officer their own, a supervisor their district's, an
 * auditor every case (metadata only, enforced by the mapper). Other roles see none.
 */
function applyScope(qb: SelectQueryBuilder<CaseEntity>, auth: AuthUser): SelectQueryBuilder<CaseEntity> {
  switch (auth.role) {
    case 'OFFICER':
      return qb.andWhere('c.created_by = :scopeUser', { scopeUser: auth.id });
    case 'SUPERVISOR':
      return qb.andWhere('c.district = :scopeDistrict', { scopeDistrict: auth.district });
    case 'AUDITOR':
      return qb;
    default:
      return qb.andWhere('false');
  }
}

@Injectable()
export class CasesRepository {
  constructor(@InjectRepository(CaseEntity) private readonly repo: Repository<CaseEntity>) {}

  /** The case if it is within the caller's scope; with `em`, locked FOR UPDATE in that transaction. */
  findInScope(auth: AuthUser, id: string, em?: EntityManager): Promise<CaseEntity | null> {
    const qb = (em ? em.getRepository(CaseEntity) : this.repo).createQueryBuilder('c').where('c.id = :id', { id });
    applyScope(qb, auth);
    if (em) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  /** The case by id alone, locked FOR UPDATE in `em`: for callers whose scope was checked another way (packets). */
  lockById(em: EntityManager, id: string): Promise<CaseEntity | null> {
    return em.getRepository(CaseEntity).createQueryBuilder('c').where('c.id = :id', { id }).setLock('pessimistic_write').getOne();
  }

  /** The case's items that meet the order's footage requirement (isFootage, the rule the console runs too). */
  async countFootage(caseId: string, em?: EntityManager): Promise<number> {
    const rows: { kind: string; content_type: string; size_bytes: string; status: string }[] = await (em ?? this.repo.manager).query(
      `SELECT kind, content_type, size_bytes, status FROM evidence WHERE case_id = $1 AND status = 'ACTIVE'`, [caseId],
    );
    return rows.filter((r) => isFootage({ kind: r.kind, contentType: r.content_type, sizeBytes: Number(r.size_bytes), status: r.status })).length;
  }

  /**
   * Evidence uploads to the case still arriving (evidence_upload_sessions, written by every API process):
   * not ended, and not presumed dead (stale_at, pushed forward while bytes arrive, still ahead).
   */
  async uploadsInProgress(caseId: string, em?: EntityManager): Promise<UploadInProgress[]> {
    const rows: { id: string; kind: string; original_filename: string | null; started_by: string; started_at: Date; bytes_received: string; stale_at: Date }[] =
      await (em ?? this.repo.manager).query(
        `SELECT id, kind, original_filename, started_by, started_at, bytes_received, stale_at FROM evidence_upload_sessions
          WHERE case_id = $1 AND ended_at IS NULL AND stale_at > now() ORDER BY started_at, id`, [caseId],
      );
    return rows.map((r) => ({
      id: r.id, kind: r.kind, originalFilename: r.original_filename, startedBy: r.started_by, startedAt: r.started_at.toISOString(),
      bytesReceived: Number(r.bytes_received), staleAt: r.stale_at.toISOString(),
    }));
  }

  async exists(id: string): Promise<boolean> {
    return this.repo.exists({ where: { id } });
  }

  async list(auth: AuthUser, f: CaseListFilter): Promise<[CaseEntity[], number]> {
    const qb = this.repo.createQueryBuilder('c');
    applyScope(qb, auth);
    if (f.status) qb.andWhere('c.status = :status', { status: f.status });
    if (f.district !== undefined) qb.andWhere('c.district = :district', { district: f.district });
    if (f.from) qb.andWhere('COALESCE(c.incident_at, c.created_at) >= :from', { from: f.from });
    if (f.to) qb.andWhere('COALESCE(c.incident_at, c.created_at) <= :to', { to: f.to });
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      qb.andWhere(
        new Brackets((w) => {
          w.where('c.case_number ILIKE :like', { like });
          if (!f.qNumberOnly) {
            w.orWhere('c.incident_location ILIKE :like', { like }).orWhere('c.narrative ILIKE :like', { like });
          }
        }),
      );
    }
    return qb
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .skip((f.page - 1) * f.pageSize)
      .take(f.pageSize)
      .getManyAndCount();
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

  async addRevision(em: EntityManager, c: CaseEntity, action: string, by: string | null, snapshot: unknown): Promise<void> {
    await em.query(
      `INSERT INTO case_revisions (case_id, version, action, changed_by, changed_at, snapshot) VALUES ($1,$2,$3,$4,$5,$6)`,
      [c.id, c.version, action, by, c.updatedAt ?? new Date(), JSON.stringify(snapshot)],
    );
  }
}
