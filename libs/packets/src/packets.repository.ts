import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm';
import { scopeSql, SqlParams } from '@app/auth';
import { AuthUser, tsQuerySql } from '@app/common';
import type { ManifestPerson } from './packet-format';
import { PacketEntity } from './packet.entity';
import type { PacketRow } from './packet.mapper';
import type { PacketStatus } from './packet-vocabulary';

/** Columns of a packet without the manifest text, signature and key (queue and metadata reads). */
const META_COLUMNS = `p.id, p.case_id, p.case_number, p.version, p.previous_packet_id, p.office, p.felony, p.status, p.sent_by,
  p.sent_at, p.manifest_sha256, p.key_id, p.storage_bucket, p.manifest_key, p.signature_key, p.case_report_key, p.case_report_version_id,
  p.evidence_count, p.evidence_bytes,
  p.claimed_by, p.claimed_at, p.decision, p.decision_reason, p.external_reference, p.decided_by, p.decided_at,
  u.display_name AS claimed_by_name`;

/** A page of the review queue: which packets (status), in which order, which page, and an optional full-text query. */
export interface PacketQueueFilter {
  status: PacketStatus[];
  dir: 'ASC' | 'DESC';
  q?: string;
  page: number;
  pageSize: number;
}

/** The metadata of the packets matching `whereAndOrder` (alias p), with the claimer's name. */
const metaSelect = (whereAndOrder: string): string =>
  `SELECT ${META_COLUMNS} FROM packets p LEFT JOIN users u ON u.id = p.claimed_by WHERE ${whereAndOrder}`;

/** The review queue's two statements and their parameters; `page` is metaSelect(`pageWhere`). */
export interface QueueSql {
  pageWhere: string;
  page: string;
  count: string;
  params: unknown[];
}

/**
 * The statements of PacketsRepository.queue (exported so that bench/review-queue.js explains these very statements,
 * required from the build, instead of a copy).
 */
export function queueSql(auth: AuthUser, f: PacketQueueFilter): QueueSql {
  const scope = new SqlParams();
  const inScope = scopeSql(auth, 'packet', 'p', scope.bind);
  const params: unknown[] = scope.values;
  let filter: string;
  if (f.status.length === 2 && !f.status.includes('DECIDED')) {
    filter = `p.status <> 'DECIDED'`; // the open queue: matches packets_open_queue_idx
  } else if (f.status.length === 1) {
    params.push(f.status[0]);
    filter = `p.status = $${params.length}`;
  } else {
    params.push(f.status);
    filter = `p.status = ANY($${params.length}::varchar[])`;
  }
  let where = `${inScope} AND ${filter}`;
  if (f.q !== undefined) {
    // Full-text over what the packets' signed manifests say (packets.manifest_search, migration 1764430000002).
    const tsq = tsQuerySql(f.q, (v) => `$${params.push(v)}`);
    where += tsq ? ` AND p.manifest_search @@ ${tsq}` : ' AND false';
  }
  const pageWhere = `${where} ORDER BY p.sent_at ${f.dir}, p.id ${f.dir} LIMIT ${f.pageSize} OFFSET ${(f.page - 1) * f.pageSize}`;
  return {
    pageWhere,
    page: metaSelect(pageWhere),
    count: `SELECT count(*)::int AS n FROM packets p WHERE ${where}`,
    params,
  };
}

/**
 * The packet queries (issue 17: services hold rules, repositories hold queries). Who may reach a packet is not decided
 * here but by the access rule (libs/auth access.ts); with `em`, a method runs in the caller's transaction.
 */
@Injectable()
export class PacketsRepository {
  constructor(@InjectRepository(PacketEntity) private readonly repo: Repository<PacketEntity>) {}

  private of(em?: EntityManager): Repository<PacketEntity> {
    return em ? em.getRepository(PacketEntity) : this.repo;
  }

  /** The packet's metadata (no manifest text), with its reference corrections; null when no such packet exists. */
  async metaById(id: string): Promise<PacketRow | null> {
    return (await this.metaRows(`p.id = $1`, [id]))[0] ?? null;
  }

  /** The case's packets, first version first. */
  metaForCase(caseId: string): Promise<PacketRow[]> {
    return this.metaRows(`p.case_id = $1 ORDER BY p.version`, [caseId]);
  }

  /**
   * A page of the caller's review queue and how many match in all: the packets the caller reaches (the access rule;
   * for a prosecutor, those sent to their office) with the statuses asked for, oldest or newest sent first, and with
   * `q` those whose signed manifest matches the full-text query (packets.manifest_search).
   */
  async queue(auth: AuthUser, f: PacketQueueFilter): Promise<{ rows: PacketRow[]; total: number }> {
    const sql = queueSql(auth, f);
    const [rows, count] = await Promise.all([
      this.metaRows(sql.pageWhere, sql.params),
      this.repo.manager.query(sql.count, sql.params) as Promise<{ n: number }[]>,
    ]);
    return { rows, total: count[0].n };
  }

  /** The whole packet (manifest text, signature, key); throws when it does not exist (callers found it in scope first). */
  findFull(id: string): Promise<PacketEntity> {
    return this.repo.findOneOrFail({ where: { id } });
  }

  /** The case's latest packet (highest version), or null. */
  latestForCase(caseId: string, em?: EntityManager): Promise<PacketEntity | null> {
    return this.of(em).findOne({ where: { caseId }, order: { version: 'DESC' } });
  }

  /** The case a packet belongs to; null when no such packet exists. */
  async caseIdOf(id: string): Promise<string | null> {
    const rows: Array<{ case_id: string }> = await this.repo.manager.query(
      'SELECT case_id FROM packets WHERE id = $1',
      [id],
    );
    return rows[0]?.case_id ?? null;
  }

  /** The packet locked FOR UPDATE in `em`. */
  lockById(em: EntityManager, id: string): Promise<PacketEntity | null> {
    return em.getRepository(PacketEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** A new packet (not yet stored). */
  create(em: EntityManager, fields: Partial<PacketEntity>): PacketEntity {
    return em.getRepository(PacketEntity).create(fields);
  }

  async insert(em: EntityManager, p: PacketEntity): Promise<void> {
    await em.getRepository(PacketEntity).insert(p);
  }

  async update(em: EntityManager, id: string, fields: QueryDeepPartialEntity<PacketEntity>): Promise<void> {
    await em.getRepository(PacketEntity).update({ id }, fields);
  }

  /** The decision's latest reference correction (issue 16), or null. */
  async lastCorrection(
    em: EntityManager,
    packetId: string,
  ): Promise<{ seq: number; externalReference: string | null } | null> {
    const last: { seq: number; external_reference: string | null }[] = await em.query(
      `SELECT seq, external_reference FROM packet_reference_corrections WHERE packet_id = $1 ORDER BY seq DESC LIMIT 1`,
      [packetId],
    );
    return last.length ? { seq: last[0].seq, externalReference: last[0].external_reference } : null;
  }

  /** Appends a correction of a decision's external reference, in the caller's transaction. */
  async insertCorrection(
    em: EntityManager,
    c: {
      id: string;
      packetId: string;
      seq: number;
      previousReference: string | null;
      externalReference: string | null;
      reason: string;
      correctedBy: string;
      correctedAt: Date;
    },
  ): Promise<void> {
    await em.query(
      `INSERT INTO packet_reference_corrections (id, packet_id, seq, previous_reference, external_reference, reason, corrected_by, corrected_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [c.id, c.packetId, c.seq, c.previousReference, c.externalReference, c.reason, c.correctedBy, c.correctedAt],
    );
  }

  /** The other active prosecutors of an office, by name. */
  colleagues(
    office: string,
    exceptId: string,
  ): Promise<{ id: string; display_name: string; badge_number: string | null }[]> {
    return this.repo.manager.query(
      `SELECT id, display_name, badge_number FROM users
        WHERE role = 'PROSECUTOR' AND office = $1 AND active AND id <> $2 ORDER BY display_name, id`,
      [office, exceptId],
    );
  }

  /** A user as the review rules need them (role, office, active); with `lock`, held FOR SHARE in `em`. */
  async reviewer(
    em: EntityManager,
    id: string,
    lock = false,
  ): Promise<{ id: string; displayName: string; role: string; office: string | null; active: boolean } | null> {
    const rows: { id: string; display_name: string; role: string; office: string | null; active: boolean }[] =
      await em.query(
        `SELECT id, display_name, role, office, active FROM users WHERE id = $1${lock ? ' FOR SHARE' : ''}`,
        [id],
      );
    const r = rows[0];
    return r ? { id: r.id, displayName: r.display_name, role: r.role, office: r.office, active: r.active } : null;
  }

  /** The people (users) a manifest or a view names, by id. */
  async people(em: EntityManager, ids: (string | null)[]): Promise<Map<string, ManifestPerson>> {
    const unique = [...new Set(ids.filter((x): x is string => !!x))];
    const rows: { id: string; display_name: string; role: string; badge_number: string | null }[] = await em.query(
      `SELECT id, display_name, role, badge_number FROM users WHERE id = ANY($1::uuid[])`,
      [unique],
    );
    return new Map(
      rows.map((r) => [r.id, { id: r.id, displayName: r.display_name, role: r.role, badgeNumber: r.badge_number }]),
    );
  }

  private async metaRows(whereAndOrder: string, params: unknown[]): Promise<PacketRow[]> {
    const rows: Record<string, unknown>[] = await this.repo.manager.query(metaSelect(whereAndOrder), params);
    const packets = rows.map(rowToPacket);
    // Issue 16: a decision's reference corrections travel with the packet (few, and only on decided packets).
    const decided = packets.filter((p) => p.status === 'DECIDED').map((p) => p.id);
    if (decided.length) {
      const corrections: Record<string, unknown>[] = await this.repo.manager.query(
        `SELECT c.packet_id, c.seq, c.previous_reference, c.external_reference, c.reason, c.corrected_by, c.corrected_at, u.display_name
           FROM packet_reference_corrections c LEFT JOIN users u ON u.id = c.corrected_by
          WHERE c.packet_id = ANY($1::uuid[]) ORDER BY c.packet_id, c.seq`,
        [decided],
      );
      for (const p of packets) {
        p.referenceCorrections = corrections
          .filter((c) => c.packet_id === p.id)
          .map((c) => ({
            seq: c.seq as number,
            previousReference: c.previous_reference as string | null,
            externalReference: c.external_reference as string | null,
            reason: c.reason as string,
            correctedBy: c.corrected_by as string,
            correctedByName: (c.display_name as string | null) ?? null,
            correctedAt: new Date(c.corrected_at as string).toISOString(),
          }));
      }
    }
    return packets;
  }
}

function rowToPacket(r: Record<string, unknown>): PacketRow {
  const date = (v: unknown) => (v == null ? null : new Date(v as string));
  return {
    id: r.id as string,
    caseId: r.case_id as string,
    caseNumber: r.case_number as string,
    version: r.version as number,
    previousPacketId: r.previous_packet_id as string | null,
    office: r.office as PacketRow['office'],
    felony: r.felony as boolean,
    status: r.status as PacketStatus,
    sentBy: r.sent_by as string,
    sentAt: date(r.sent_at)!,
    manifestSha256: r.manifest_sha256 as string,
    keyId: r.key_id as string,
    storageBucket: r.storage_bucket as string,
    manifestKey: r.manifest_key as string,
    signatureKey: r.signature_key as string,
    caseReportKey: (r.case_report_key as string | null) ?? null,
    caseReportVersionId: (r.case_report_version_id as string | null) ?? null,
    evidenceCount: r.evidence_count as number,
    evidenceBytes: Number(r.evidence_bytes),
    claimedBy: r.claimed_by as string | null,
    claimedAt: date(r.claimed_at),
    decision: r.decision as PacketRow['decision'],
    decisionReason: r.decision_reason as string | null,
    externalReference: r.external_reference as string | null,
    decidedBy: r.decided_by as string | null,
    decidedAt: date(r.decided_at),
    claimedByName: (r.claimed_by_name as string | null) ?? null,
  };
}
