import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService, AuditAction } from '@app/audit';
import { Bind, scopeSql, SqlParams, whereInScope } from '@app/auth';
import { CaseEntity, caseChecklist } from '@app/cases';
import { AuthUser, canonicalJson, Clock } from '@app/common';
import { packetsConfig } from '@app/packets';
import { AttentionItem, AttentionQuery, AttentionQueue, AttentionQueueKey, AttentionView } from './attention.dto';
import {
  ATTENTION_ITEMS,
  DENIED_BASELINE_DAYS,
  DENIED_SPIKE_MIN,
  INTEGRITY_FAILURE_ACTIONS,
  INTEGRITY_WINDOW_DAYS,
  isDeniedSpike,
  nearSlaWindowMs,
  WAITING_LONG_MS,
} from './attention-rules';

const DAY_MS = 24 * 3600 * 1000;
const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());

function item(fields: Partial<AttentionItem>): AttentionItem {
  return {
    id: null,
    caseId: null,
    caseNumber: null,
    since: null,
    dueAt: null,
    missing: [],
    username: null,
    clientIp: null,
    deniedLastDay: null,
    deniedDailyAverage: null,
    action: null,
    ...fields,
  };
}

/** A queue from a count and its first rows (already in the queue's order). */
function queue(key: AttentionQueueKey, count: number, items: AttentionItem[]): AttentionQueue {
  return { key, count, items: items.slice(0, ATTENTION_ITEMS) };
}

/**
 * "What needs me now": per role, counts and the first few items of the work waiting for the caller, computed in their
 * scope (an officer's own cases, a supervisor's district, a prosecutor's office; auditors and admins system-wide) from
 * one database snapshot. Reads only; the read itself is audited (see view()).
 */
@Injectable()
export class AttentionService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(packetsConfig.KEY) private readonly packets: ConfigType<typeof packetsConfig>,
  ) {}

  /**
   * The caller's queues. Audited as `attention.viewed` (counts and the ids shown) when the screen is opened
   * (`opened`), and otherwise only when what it shows differs from the last view audited for the caller: the
   * console's periodic refresh of unchanged counts adds nothing to the trail, while every distinct thing a user was
   * shown is recorded, whatever the client sends.
   */
  async view(auth: AuthUser, q: AttentionQuery): Promise<AttentionView> {
    const now = this.clock.now();
    // One snapshot: the counts agree with each other and with the items listed.
    const queues = await this.ds.transaction('REPEATABLE READ', (em) => this.queues(em, auth, now));
    const shown = queues.map((x) => ({ key: x.key, count: x.count, items: x.items.map((i) => i.id ?? i.clientIp) }));
    const digest = createHash('sha256').update(canonicalJson(shown)).digest('hex');
    let audited = false;
    if (q.opened || (await this.lastDigest(auth.id)) !== digest) {
      await this.audit.record({
        action: AuditAction.AttentionViewed,
        actor: auth,
        targetType: 'attention',
        details: {
          opened: q.opened === true,
          digest,
          counts: Object.fromEntries(shown.map((x) => [x.key, x.count])),
          shown: Object.fromEntries(shown.map((x) => [x.key, x.items])),
        },
      });
      audited = true;
    }
    return { role: auth.role, computedAt: now.toISOString(), queues, audited };
  }

  private async lastDigest(actorId: string): Promise<string | null> {
    const rows: { digest: string | null }[] = await this.ds.query(
      `SELECT details->>'digest' AS digest FROM audit_events WHERE actor_id = $1 AND action = '${AuditAction.AttentionViewed}' ORDER BY seq DESC LIMIT 1`, // a literal: the partial index's predicate
      [actorId],
    );
    return rows[0]?.digest ?? null;
  }

  private queues(em: EntityManager, auth: AuthUser, now: Date): Promise<AttentionQueue[]> {
    switch (auth.role) {
      case 'OFFICER':
        return this.officer(em, auth);
      case 'SUPERVISOR':
        return this.supervisor(em, auth, now);
      case 'PROSECUTOR':
        return this.prosecutor(em, auth, now);
      case 'AUDITOR':
        return this.auditor(em, now);
      case 'ADMIN':
        return this.admin(em, now);
      default:
        return Promise.resolve([]);
    }
  }

  /** Their cases returned to them (by a supervisor, or a prosecutor asking for more), and their drafts the checklist is not met by. */
  private async officer(em: EntityManager, auth: AuthUser): Promise<AttentionQueue[]> {
    // Their cases: the officer's scope (libs/auth access.ts).
    const p = new SqlParams();
    const returned: { id: string; case_number: string; since: Date; n: number }[] = await em.query(
      `SELECT c.id, c.case_number, COALESCE(c.returned_at, c.updated_at) AS since, count(*) OVER ()::int AS n FROM cases c
        WHERE ${scopeSql(auth, 'case', 'c', p.bind)} AND c.status = 'RETURNED' ORDER BY since ASC, c.id ASC LIMIT ${p.bind(ATTENTION_ITEMS)}`,
      p.values,
    );
    // The checklist is computed in code (order-rules.ts, the rule submit enforces), over every draft of the officer.
    const drafts = await whereInScope(
      em.getRepository(CaseEntity).createQueryBuilder('c').where(`c.status = 'DRAFT'`),
      auth,
      'case',
      'c',
    )
      .orderBy('c.created_at', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .getMany();
    const footage = new Map<string, number>();
    if (drafts.length) {
      // The footage rule of order-rules.ts isFootage(), in SQL: an active, non-empty BWC/OTHER_VIDEO item whose bytes are video.
      const rows: { case_id: string; n: number }[] = await em.query(
        `SELECT case_id, count(*)::int AS n FROM evidence WHERE case_id = ANY($1::uuid[]) AND status = 'ACTIVE' AND size_bytes > 0
            AND kind IN ('BWC', 'OTHER_VIDEO') AND content_type ~* '^video/' GROUP BY case_id`,
        [drafts.map((d) => d.id)],
      );
      for (const r of rows) footage.set(r.case_id, r.n);
    }
    const incomplete = drafts
      .map((c) => ({ c, missing: caseChecklist(c, footage.get(c.id) ?? 0).missing.map((m) => m.item) }))
      .filter((d) => d.missing.length > 0);
    return [
      queue(
        'RETURNED_CASES',
        returned[0]?.n ?? 0,
        returned.map((r) => item({ id: r.id, caseId: r.id, caseNumber: r.case_number, since: iso(r.since) })),
      ),
      queue(
        'INCOMPLETE_DRAFTS',
        incomplete.length,
        incomplete.map(({ c, missing }) =>
          item({
            id: c.id,
            caseId: c.id,
            caseNumber: c.caseNumber,
            since: iso(c.createdAt),
            missing,
          }),
        ),
      ),
    ];
  }

  /**
   * The district's submitted cases, oldest submission first, that the caller may decide: not those they wrote
   * themselves (the two-person rule gives those to another supervisor); and of those, the ones waiting over a day.
   */
  private async supervisor(em: EntityManager, auth: AuthUser, now: Date): Promise<AttentionQueue[]> {
    // The district's cases: the supervisor's scope (libs/auth access.ts).
    const waiting = (extra: (bind: Bind) => string) => {
      const p = new SqlParams();
      return em.query(
        `SELECT c.id, c.case_number, c.submitted_at AS since, count(*) OVER ()::int AS n FROM cases c
          WHERE ${scopeSql(auth, 'case', 'c', p.bind)} AND c.status = 'SUBMITTED' AND c.created_by <> ${p.bind(auth.id)} ${extra(p.bind)}
          ORDER BY c.submitted_at ASC, c.id ASC LIMIT ${p.bind(ATTENTION_ITEMS)}`,
        p.values,
      ) as Promise<{ id: string; case_number: string; since: Date; n: number }[]>;
    };
    const [all, long] = await Promise.all([
      waiting(() => ''),
      waiting((bind) => `AND c.submitted_at <= ${bind(new Date(now.getTime() - WAITING_LONG_MS))}`),
    ]);
    const toItems = (rows: typeof all) =>
      rows.map((r) => item({ id: r.id, caseId: r.id, caseNumber: r.case_number, since: iso(r.since) }));
    return [
      queue('SUBMITTED_WAITING', all[0]?.n ?? 0, toItems(all)),
      queue('WAITING_OVER_A_DAY', long[0]?.n ?? 0, toItems(long)),
    ];
  }

  /** The office's unclaimed packets, its undecided packets near or past the SLA (the review queue's), and the caller's claims. */
  private async prosecutor(em: EntityManager, auth: AuthUser, now: Date): Promise<AttentionQueue[]> {
    const sla = `make_interval(days => ${Math.trunc(this.packets.slaDays)})`;
    // The office's packets: the prosecutor's scope (libs/auth access.ts).
    const packets = (where: (bind: Bind) => string, order: string) => {
      const p = new SqlParams();
      return em.query(
        `SELECT id, case_id, case_number, sent_at, claimed_at, sent_at + ${sla} AS due_at, count(*) OVER ()::int AS n FROM packets p
          WHERE ${scopeSql(auth, 'packet', 'p', p.bind)} AND ${where(p.bind)} ORDER BY ${order}, id ASC LIMIT ${p.bind(ATTENTION_ITEMS)}`,
        p.values,
      ) as Promise<
        {
          id: string;
          case_id: string;
          case_number: string;
          sent_at: Date;
          claimed_at: Date | null;
          due_at: Date;
          n: number;
        }[]
      >;
    };
    const nearUntil = new Date(now.getTime() + nearSlaWindowMs(this.packets.slaDays));
    const [unclaimed, near, past, mine] = await Promise.all([
      packets(() => `status = 'PENDING'`, 'sent_at ASC'),
      packets(
        (bind) => `status <> 'DECIDED' AND sent_at + ${sla} >= ${bind(now)} AND sent_at + ${sla} <= ${bind(nearUntil)}`,
        'sent_at ASC',
      ),
      packets((bind) => `status <> 'DECIDED' AND sent_at + ${sla} < ${bind(now)}`, 'sent_at ASC'),
      packets((bind) => `status = 'IN_REVIEW' AND claimed_by = ${bind(auth.id)}`, 'claimed_at ASC'),
    ]);
    const toItems = (rows: typeof unclaimed, since: 'sent_at' | 'claimed_at') =>
      rows.map((r) =>
        item({
          id: r.id,
          caseId: r.case_id,
          caseNumber: r.case_number,
          since: iso(r[since]),
          dueAt: iso(r.due_at),
        }),
      );
    return [
      queue('UNCLAIMED_PACKETS', unclaimed[0]?.n ?? 0, toItems(unclaimed, 'sent_at')),
      queue('PACKETS_NEAR_SLA', near[0]?.n ?? 0, toItems(near, 'sent_at')),
      queue('PACKETS_PAST_SLA', past[0]?.n ?? 0, toItems(past, 'sent_at')),
      queue('MY_CLAIMS', mine[0]?.n ?? 0, toItems(mine, 'claimed_at')),
    ];
  }

  /** Evidence failing verification now, integrity failures of the last days, and denied-access spikes (attention-rules.ts). */
  private async auditor(em: EntityManager, now: Date): Promise<AttentionQueue[]> {
    const failed: { id: string; case_id: string; case_number: string; since: Date | null; n: number }[] =
      await em.query(
        `SELECT e.id, e.case_id, c.case_number, e.integrity_failed_at AS since, count(*) OVER ()::int AS n
         FROM evidence e JOIN cases c ON c.id = e.case_id
        WHERE e.integrity_status = 'FAILED' ORDER BY e.integrity_failed_at DESC NULLS LAST, e.id ASC LIMIT $1`,
        [ATTENTION_ITEMS],
      );
    const integrity: {
      id: string;
      action: string;
      case_id: string | null;
      case_number: string | null;
      since: Date;
      n: number;
    }[] = await em.query(
      `SELECT a.id, a.action, a.case_id, c.case_number, a.occurred_at AS since, count(*) OVER ()::int AS n
         FROM audit_events a LEFT JOIN cases c ON c.id = a.case_id
        WHERE a.occurred_at >= $1 AND a.outcome = 'FAILED' AND a.action = ANY($2::varchar[])
        ORDER BY a.seq DESC LIMIT $3`,
      [new Date(now.getTime() - INTEGRITY_WINDOW_DAYS * DAY_MS), [...INTEGRITY_FAILURE_ACTIONS], ATTENTION_ITEMS],
    );
    // Per actor: a user by id, an anonymous caller by client IP. Only actors past the minimum are candidates.
    const denied: {
      actor_id: string | null;
      username: string | null;
      client_ip: string | null;
      last_day: number;
      before: number;
      first: Date;
    }[] = await em.query(
      `SELECT actor_id, max(actor_username) AS username, CASE WHEN actor_id IS NULL THEN client_ip END AS client_ip,
                count(*) FILTER (WHERE occurred_at >= $2)::int AS last_day, count(*) FILTER (WHERE occurred_at < $2)::int AS before,
                min(occurred_at) FILTER (WHERE occurred_at >= $2) AS first
           FROM audit_events
          WHERE outcome = 'DENIED' AND occurred_at >= $1 AND occurred_at <= $3
          GROUP BY actor_id, CASE WHEN actor_id IS NULL THEN client_ip END
         HAVING count(*) FILTER (WHERE occurred_at >= $2) >= $4`,
      [
        new Date(now.getTime() - (DENIED_BASELINE_DAYS + 1) * DAY_MS),
        new Date(now.getTime() - DAY_MS),
        now,
        DENIED_SPIKE_MIN,
      ],
    );
    const spikes = denied
      .filter((r) => isDeniedSpike(r.last_day, r.before))
      .sort(
        (a, b) =>
          b.last_day - a.last_day || (a.username ?? a.client_ip ?? '').localeCompare(b.username ?? b.client_ip ?? ''),
      );
    return [
      queue(
        'FAILED_VERIFICATIONS',
        failed[0]?.n ?? 0,
        failed.map((r) => item({ id: r.id, caseId: r.case_id, caseNumber: r.case_number, since: iso(r.since) })),
      ),
      queue(
        'INTEGRITY_FAILURES',
        integrity[0]?.n ?? 0,
        integrity.map((r) =>
          item({
            id: r.id,
            caseId: r.case_id,
            caseNumber: r.case_number,
            since: iso(r.since),
            action: r.action,
          }),
        ),
      ),
      queue(
        'DENIED_SPIKES',
        spikes.length,
        spikes.map((r) =>
          item({
            id: r.actor_id,
            username: r.username,
            clientIp: r.client_ip,
            since: iso(r.first),
            deniedLastDay: r.last_day,
            deniedDailyAverage: Math.round((r.before / DENIED_BASELINE_DAYS) * 10) / 10,
          }),
        ),
      ),
    ];
  }

  /** Active accounts locked after failed sign-ins, the soonest to unlock first. */
  private async admin(em: EntityManager, now: Date): Promise<AttentionQueue[]> {
    const locked: { id: string; username: string; locked_until: Date; n: number }[] = await em.query(
      `SELECT id, username, locked_until, count(*) OVER ()::int AS n FROM users
        WHERE active AND locked_until > $1 ORDER BY locked_until ASC, id ASC LIMIT $2`,
      [now, ATTENTION_ITEMS],
    );
    return [
      queue(
        'LOCKED_ACCOUNTS',
        locked[0]?.n ?? 0,
        locked.map((r) => item({ id: r.id, username: r.username, dueAt: iso(r.locked_until) })),
      ),
    ];
  }
}
