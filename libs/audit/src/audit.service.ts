import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { ActorRole, AuthUser, Clock, RequestContext, RequestContextStore, toWellFormed } from '@app/common';
import {
  AuditEventBody,
  AuditOutcome,
  canonicalAuditBody,
  ChainVerification,
  ChainedAuditEvent,
  GENESIS_HASH,
  hashCanonicalBody,
  verifyAuditChain,
} from './audit-hash';
import { AuditEventEntity } from './audit-event.entity';
import { AuditAction } from './audit-actions';
import { AuditActor, AuditEventView } from './dto/audit-event-views';

export const SYSTEM_ACTOR: AuditActor = { id: null, username: null, role: 'SYSTEM' };
export const ANONYMOUS_ACTOR: AuditActor = { id: null, username: null, role: 'ANONYMOUS' };

export interface AuditEventInput {
  /** One of the catalogue (audit-actions.ts): an unknown name does not compile. */
  action: AuditAction;
  outcome?: AuditOutcome;
  /** Defaults to the authenticated caller of the current request, else ANONYMOUS. */
  actor?: AuditActor | AuthUser;
  targetType?: string | null;
  targetId?: string | null;
  caseId?: string | null;
  details?: Record<string, unknown>;
  /** Request facts; defaults to the current request's context. */
  context?: Partial<RequestContext>;
}

/** One advisory lock serialises appends across every API process sharing the database (docs/decisions/0004-single-audit-hash-chain.md). */
const AUDIT_APPEND_LOCK = 726_300_001;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Appends events inside the caller's transaction, so they commit or roll back together with
   * the change they record. Call it last in the transaction: the chain lock is held to commit.
   */
  async append(em: EntityManager, ...inputs: AuditEventInput[]): Promise<AuditEventView[]> {
    if (!em.queryRunner?.isTransactionActive) {
      throw new Error('AuditService.append must run inside a transaction');
    }
    await em.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_APPEND_LOCK]);
    const head: { seq: string; hash: string }[] = await em.query(
      'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
    );
    let seq = head.length ? Number(head[0].seq) : 0;
    let prevHash = head.length ? head[0].hash : GENESIS_HASH;
    const written: AuditEventView[] = [];
    for (const input of inputs) {
      seq += 1;
      const body = this.buildBody(seq, input);
      const bodyJson = canonicalAuditBody(body);
      const hash = hashCanonicalBody(prevHash, bodyJson);
      await em.query(
        `INSERT INTO audit_events (seq, id, occurred_at, actor_id, actor_username, actor_role, action, outcome,
           target_type, target_id, case_id, request_id, client_ip, user_agent, details, prev_hash, hash, body_json)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
        [
          body.seq,
          body.id,
          body.occurredAt,
          body.actorId,
          body.actorUsername,
          body.actorRole,
          body.action,
          body.outcome,
          body.targetType,
          body.targetId,
          body.caseId,
          body.requestId,
          body.clientIp,
          body.userAgent,
          JSON.stringify(body.details),
          prevHash,
          hash,
          bodyJson,
        ],
      );
      written.push(toView({ ...body, prevHash, hash }));
      prevHash = hash;
    }
    return written;
  }

  /** For events that accompany no other change (denied and failed attempts): own transaction. */
  async record(...inputs: AuditEventInput[]): Promise<AuditEventView[]> {
    return this.ds.transaction((em) => this.append(em, ...inputs));
  }

  /** A case's events, oldest first (inside `em`'s transaction when given). */
  async caseTimeline(caseId: string, em?: EntityManager): Promise<AuditEventView[]> {
    const rows = await (em ?? this.ds.manager)
      .getRepository(AuditEventEntity)
      .find({ where: { caseId }, order: { seq: 'ASC' } });
    return rows.map((r) => toView(fromEntity(r)));
  }

  /** Events by seq, in seq order. */
  async bySeq(seqs: number[]): Promise<AuditEventView[]> {
    const rows = await this.ds
      .getRepository(AuditEventEntity)
      .find({ where: { seq: In(seqs.map(String)) }, order: { seq: 'ASC' } });
    return rows.map((r) => toView(fromEntity(r)));
  }

  /** The events about one target (e.g. an evidence item's chain of custody), oldest first. */
  async targetEvents(targetType: string, targetId: string, em?: EntityManager): Promise<AuditEventView[]> {
    const repo = (em ?? this.ds.manager).getRepository(AuditEventEntity);
    const rows = await repo.find({ where: { targetType, targetId }, order: { seq: 'ASC' } });
    return rows.map((r) => toView(fromEntity(r)));
  }

  /**
   * Recomputes the chain over [fromSeq, toSeq] in batches, carrying the last event of each batch
   * into the next so continuity across batches is checked too.
   */
  async verifyRange(fromSeq = 1, toSeq?: number, batchSize = 5000): Promise<ChainVerification> {
    const repo = this.ds.getRepository(AuditEventEntity);
    // Rows before the first one kept may have been archived and dropped: the chain resumes from the archive's last hash.
    const [{ first }] = await this.ds.query('SELECT min(seq) AS first FROM audit_events');
    if (first !== null && fromSeq < Number(first)) fromSeq = Number(first);
    const expectedPrev =
      fromSeq === 1
        ? GENESIS_HASH
        : ((await repo.findOne({ where: { seq: String(fromSeq - 1) } }))?.hash ??
          (await this.ds.query('SELECT last_hash FROM audit_archives WHERE to_seq = $1', [fromSeq - 1]))[0]?.last_hash);
    let carry: ChainedAuditEvent | undefined;
    let total: ChainVerification = { ok: true, checked: 0, firstSeq: null, lastSeq: null, headHash: null };
    for (;;) {
      const qb = repo.createQueryBuilder('e').where('e.seq > :after', { after: carry?.seq ?? fromSeq - 1 });
      if (toSeq !== undefined) qb.andWhere('e.seq <= :toSeq', { toSeq });
      const rows = (await qb.orderBy('e.seq', 'ASC').limit(batchSize).getMany()).map(fromEntity);
      if (!rows.length) return total;
      const part = verifyAuditChain(carry ? [carry, ...rows] : rows, carry ? carry.prevHash : expectedPrev);
      // the carried event was counted in the previous batch
      total = {
        ...part,
        checked: total.checked + part.checked - (carry ? 1 : 0),
        firstSeq: total.firstSeq ?? part.firstSeq,
      };
      if (!part.ok) return total;
      carry = rows[rows.length - 1];
    }
  }

  private buildBody(seq: number, input: AuditEventInput): AuditEventBody {
    const ctx = { ...RequestContextStore.get(), ...input.context };
    const actor = toActor(input.actor ?? ctx.actor);
    return {
      seq,
      id: randomUUID(),
      occurredAt: this.clock.now().toISOString(),
      actorId: actor.id,
      actorUsername: actor.username,
      actorRole: actor.role,
      action: input.action,
      outcome: input.outcome ?? 'SUCCESS',
      targetType: input.targetType ?? null,
      targetId: input.targetId != null ? clip(String(input.targetId), 128) : null,
      caseId: input.caseId && UUID_RE.test(input.caseId) ? input.caseId.toLowerCase() : null,
      requestId: ctx.requestId ?? null,
      clientIp: ctx.clientIp ? clip(ctx.clientIp, 64) : null,
      userAgent: ctx.userAgent ? clip(ctx.userAgent, 512) : null,
      details: sanitize(input.details ?? {}) as Record<string, unknown>,
    };
  }
}

function toActor(a: AuditActor | AuthUser | undefined): AuditActor {
  if (!a) return ANONYMOUS_ACTOR;
  return { id: a.id, username: a.username ?? null, role: a.role };
}

/** At most `max` UTF-16 units, never ending between the two halves of a surrogate pair. */
function clip(s: string, max: number): string {
  if (s.length <= max) return sanitize(s) as string;
  const end = /[\uD800-\uDBFF]/.test(s[max - 1]) ? max - 1 : max;
  return sanitize(s.slice(0, end)) as string;
}

/**
 * What PostgreSQL stores is what gets hashed: text and jsonb cannot hold U+0000, and jsonb refuses a
 * lone surrogate, so both become U+FFFD here, before hashing; everything else is kept exactly as given.
 */
function sanitize(v: unknown): unknown {
  if (typeof v === 'string') {
    const s = toWellFormed(v);
    // eslint-disable-next-line no-control-regex -- U+0000 is what PostgreSQL's jsonb cannot hold: replaced on purpose
    return s.includes('\u0000') ? s.replace(/\u0000/g, '\uFFFD') : s;
  }
  if (Array.isArray(v)) return v.map(sanitize);
  if (v instanceof Date) return v.toISOString();
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) if (val !== undefined) out[sanitize(k) as string] = sanitize(val);
    return out;
  }
  return v;
}

export function fromEntity(r: AuditEventEntity): ChainedAuditEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    occurredAt: r.occurredAt.toISOString(),
    actorId: r.actorId,
    actorUsername: r.actorUsername,
    actorRole: r.actorRole,
    action: r.action,
    outcome: r.outcome,
    targetType: r.targetType,
    targetId: r.targetId,
    caseId: r.caseId,
    requestId: r.requestId,
    clientIp: r.clientIp,
    userAgent: r.userAgent,
    details: r.details,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

function toView(e: ChainedAuditEvent): AuditEventView {
  return {
    seq: e.seq,
    id: e.id,
    occurredAt: e.occurredAt,
    actor: { id: e.actorId, username: e.actorUsername, role: e.actorRole as ActorRole },
    action: e.action as AuditAction,
    outcome: e.outcome,
    targetType: e.targetType,
    targetId: e.targetId,
    caseId: e.caseId,
    requestId: e.requestId,
    clientIp: e.clientIp,
    userAgent: e.userAgent,
    details: e.details,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}
