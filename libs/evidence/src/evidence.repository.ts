import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm';
import { EvidenceEntity } from './evidence.entity';

/**
 * The evidence queries (issue 17: services hold rules, repositories hold queries). Who may reach an item is not
 * decided here but by the access rule (libs/auth access.ts); with `em`, a method runs in the caller's transaction.
 */
@Injectable()
export class EvidenceRepository {
  constructor(@InjectRepository(EvidenceEntity) private readonly repo: Repository<EvidenceEntity>) {}

  private of(em?: EntityManager): Repository<EvidenceEntity> {
    return em ? em.getRepository(EvidenceEntity) : this.repo;
  }

  findById(id: string, em?: EntityManager): Promise<EvidenceEntity | null> {
    return this.of(em).findOne({ where: { id } });
  }

  /** The item locked FOR UPDATE in `em`. */
  lockById(em: EntityManager, id: string): Promise<EvidenceEntity | null> {
    return em.getRepository(EvidenceEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** The case an item belongs to; null when no such item exists. */
  async caseIdOf(id: string): Promise<string | null> {
    const e = await this.repo.findOne({ where: { id }, select: { id: true, caseId: true } });
    return e?.caseId ?? null;
  }

  /** Every item of the case, superseded ones too, oldest first. */
  listForCase(caseId: string): Promise<EvidenceEntity[]> {
    return this.repo.find({ where: { caseId }, order: { uploadedAt: 'ASC', id: 'ASC' } });
  }

  /** The case's items that count (not superseded), oldest first: what a packet lists. */
  activeForCase(em: EntityManager, caseId: string): Promise<EvidenceEntity[]> {
    return em
      .getRepository(EvidenceEntity)
      .find({ where: { caseId, status: 'ACTIVE' }, order: { uploadedAt: 'ASC', id: 'ASC' } });
  }

  byIds(ids: string[]): Promise<EvidenceEntity[]> {
    return ids.length ? this.repo.find({ where: { id: In(ids) } }) : Promise.resolve([]);
  }

  /** The ids of the case's active items with this SHA-256, oldest first (the duplicate rule). */
  async activeIdsWithSha256(em: EntityManager, caseId: string, sha256: string): Promise<string[]> {
    const same = await em.getRepository(EvidenceEntity).find({
      where: { caseId, sha256, status: 'ACTIVE' },
      order: { uploadedAt: 'ASC', id: 'ASC' },
      select: { id: true },
    });
    return same.map((e) => e.id);
  }

  /** A new item (not yet stored). */
  create(fields: Partial<EvidenceEntity>, em?: EntityManager): EvidenceEntity {
    return this.of(em).create(fields);
  }

  async insert(em: EntityManager, e: EvidenceEntity): Promise<void> {
    await em.getRepository(EvidenceEntity).save(e);
  }

  async update(em: EntityManager, id: string, fields: QueryDeepPartialEntity<EvidenceEntity>): Promise<void> {
    await em.getRepository(EvidenceEntity).update({ id }, fields);
  }

  /** Records, in the caller's transaction, that a packet sent to `office` discloses these items (in order). */
  async disclose(em: EntityManager, packetId: string, office: string, evidenceIds: string[]): Promise<void> {
    if (!evidenceIds.length) return;
    await em.query(
      `INSERT INTO evidence_disclosures (packet_id, evidence_id, office, position)
       SELECT $1, e.id, $2, e.pos FROM unnest($3::uuid[]) WITH ORDINALITY AS e(id, pos)`,
      [packetId, office, evidenceIds],
    );
  }
}
