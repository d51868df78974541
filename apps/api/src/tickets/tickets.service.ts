import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  AuthUser,
  DomainError,
  ForbiddenError,
  RequestContextStore,
  UnauthenticatedError,
  ValidationError,
  PasswordChangeRequiredError,
} from '@app/common';
import { ANONYMOUS_ACTOR, AuditActor, AuditService, ExportFilters, AuditAction } from '@app/audit';
import { AuthService, Permission, roleHas } from '@app/auth';
import { EvidenceService } from '@app/evidence';
import { PacketsService } from '@app/packets';
import { redactUrl } from '../http/redact';
import { ticketsConfig } from './tickets.config';
import { TicketPurpose, TicketView } from './ticket.dto';

export type TicketTarget = 'evidence' | 'packet_archive' | 'audit_export';

/** A ticket presented with a GET, checked: who it serves (as the users table says now) and what. */
export interface UsableTicket {
  id: string;
  user: AuthUser;
  targetType: TicketTarget;
  targetId: string | null;
  caseId: string | null;
  filters: (ExportFilters & { format: 'ndjson' | 'csv' }) | null;
  purpose: TicketPurpose;
  /** The facts every event of a use carries. */
  via: { via: 'ticket'; ticketId: string; purpose: TicketPurpose };
}

/** What a GET with a ticket says about itself (never the ticket's value, which stays in the path). */
export interface TicketRequest {
  method: string;
  path: string;
  authorization?: string;
  fetchDest?: string;
}

interface TicketRow {
  id: string;
  user_id: string;
  user_role: string;
  username: string;
  target_type: TicketTarget;
  target_id: string | null;
  case_id: string | null;
  filters: UsableTicket['filters'];
  purpose: TicketPurpose;
  expired: boolean;
  ended: boolean;
  first_used_at: Date | null;
}

const TICKET_SHAPE = /^iontk_[A-Za-z0-9_-]{43}$/;
/** Content a browser may show inline: video, audio, images (not SVG, which is a document), PDF and plain text. */
const PLAYABLE = /^(video\/|audio\/|image\/(?!svg)|application\/pdf$|text\/plain$)/i;
/** Sec-Fetch-Dest values a browser sends for each purpose (absent: not a browser, e.g. curl). */
const DESTINATIONS: Record<TicketPurpose, ReadonlySet<string>> = {
  PLAYBACK: new Set(['audio', 'video', 'track', 'image', 'document', 'iframe', 'embed', 'object', 'empty']),
  DOWNLOAD: new Set(['document', 'empty']),
};
const PERMISSION_OF: Record<TicketTarget, Permission> = {
  evidence: Permission.EvidenceDownload,
  packet_archive: Permission.PacketArchiveDownload,
  audit_export: Permission.AuditExport,
};
const AUDIT_TARGET: Record<TicketTarget, string> = {
  evidence: 'evidence',
  packet_archive: 'packet',
  audit_export: 'audit',
};

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Byte ranges, inclusive, sorted and merged (adjacent ones too). */
export function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].filter(([s, e]) => e >= s).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/**
 * Download and playback tickets (issue 18): a media element or a plain link cannot send the bearer token,
 * and a token in a URL ends up in logs and history. A ticket is bound to one user (and the role they had),
 * one target (an evidence item, a packet archive, an audit export with its filters) and one purpose, lives
 * a few minutes, and only its SHA-256 is stored. Custody: a PLAYBACK ticket records one `evidence.viewed`
 * at its first use and, when it ends, one `evidence.playback.ended` with the ranges served, merged; a
 * DOWNLOAD ticket records each read as today's download does.
 */
@Injectable()
export class TicketsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TicketsService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly evidence: EvidenceService,
    private readonly packets: PacketsService,
    @Inject(ticketsConfig.KEY) private readonly config: ConfigType<typeof ticketsConfig>,
  ) {}

  // --- issue ---

  async issueForEvidence(auth: AuthUser, id: string, purpose: TicketPurpose): Promise<TicketView> {
    const e = await this.evidence.findInScope(auth, id);
    if (purpose === 'PLAYBACK' && !PLAYABLE.test(e.contentType)) {
      throw ValidationError.field(
        'purpose',
        `PLAYBACK is for video, audio, images, PDF and text; this item is ${e.contentType}: ask for DOWNLOAD`,
      );
    }
    return this.issue(
      auth,
      { targetType: 'evidence', targetId: id, caseId: e.caseId, filters: null, purpose },
      {
        sha256: e.sha256,
        sizeBytes: e.sizeBytes,
        contentType: e.contentType,
      },
    );
  }

  async issueForArchive(auth: AuthUser, packetId: string): Promise<TicketView> {
    const p = await this.packets.reachable(auth, packetId);
    return this.issue(
      auth,
      { targetType: 'packet_archive', targetId: p.id, caseId: p.caseId, filters: null, purpose: 'DOWNLOAD' },
      {
        caseNumber: p.caseNumber,
        packetVersion: p.version,
      },
    );
  }

  issueForAuditExport(auth: AuthUser, filters: ExportFilters, format: 'ndjson' | 'csv'): Promise<TicketView> {
    return this.issue(
      auth,
      {
        targetType: 'audit_export',
        targetId: null,
        caseId: null,
        filters: { ...filters, format },
        purpose: 'DOWNLOAD',
      },
      {},
    );
  }

  private async issue(
    auth: AuthUser,
    t: {
      targetType: TicketTarget;
      targetId: string | null;
      caseId: string | null;
      filters: UsableTicket['filters'];
      purpose: TicketPurpose;
    },
    facts: Record<string, unknown>,
  ): Promise<TicketView> {
    const ticket = `iontk_${randomBytes(32).toString('base64url')}`;
    const hash = sha256(ticket);
    const id = randomUUID();
    const requestId = RequestContextStore.get()?.requestId ?? null;
    const expiresAt = await this.ds.transaction(async (em) => {
      const [row]: { expires_at: Date; not_after: Date }[] = await em.query(
        `INSERT INTO access_tickets (id, token_sha256, user_id, user_role, target_type, target_id, case_id, filters, purpose, issue_request_id, expires_at, not_after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() + make_interval(secs => $11), now() + make_interval(secs => $12))
         RETURNING expires_at, not_after`,
        [
          id,
          hash,
          auth.id,
          auth.role,
          t.targetType,
          t.targetId,
          t.caseId,
          t.filters === null ? null : JSON.stringify(t.filters),
          t.purpose,
          requestId,
          this.config.ttlSeconds,
          this.config.maxSeconds,
        ],
      );
      await this.audit.append(em, {
        action: AuditAction.TicketIssued,
        actor: auth,
        targetType: AUDIT_TARGET[t.targetType],
        targetId: t.targetId,
        caseId: t.caseId,
        details: {
          ticketId: id,
          purpose: t.purpose,
          target: t.targetType,
          expiresAt: row.expires_at.toISOString(),
          notAfter: row.not_after.toISOString(),
          // The first digits of the ticket's SHA-256: what the request log shows in its place (redacted:<ref>).
          ticketRef: hash.slice(0, 12),
          ...(t.filters ? { filters: t.filters } : {}),
          ...facts,
        },
      });
      return row.expires_at;
    });
    return { ticket, url: `/api/v1/tickets/${ticket}`, purpose: t.purpose, expiresAt: expiresAt.toISOString() };
  }

  // --- use ---

  /**
   * The ticket of a GET, checked: known, not expired or ended, its user still active and in the role they had
   * at issue, no bearer token of someone else beside it, fetched for its purpose. Refusals are audited here
   * (never with the ticket's value). The target's scope is checked again by whatever serves it (404, audited).
   */
  async resolve(token: string, req: TicketRequest): Promise<UsableTicket> {
    const facts = { attempted: 'ticket.use', method: req.method, path: redactUrl(req.path).slice(0, 256) };
    const rows: TicketRow[] = TICKET_SHAPE.test(token)
      ? await this.ds.query(
          `SELECT t.id, t.user_id, t.user_role, u.username, t.target_type, t.target_id, t.case_id, t.filters, t.purpose, t.first_used_at,
                t.expires_at <= now() AS expired, t.ended_at IS NOT NULL AS ended
           FROM access_tickets t JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = $1`,
          [sha256(token)],
        )
      : [];
    const t = rows[0];
    if (!t) {
      throw await this.refuse(
        null,
        ANONYMOUS_ACTOR,
        facts,
        'unknown',
        new UnauthenticatedError('This ticket is not valid: ask for a new one.'),
      );
    }
    const holder: AuditActor = { id: t.user_id, username: t.username, role: t.user_role as AuditActor['role'] };
    if (t.ended || t.expired) {
      if (!t.ended) await this.endExpired(t.id);
      throw await this.refuse(
        t,
        holder,
        facts,
        'expired',
        new UnauthenticatedError('This ticket has expired: ask for a new one.'),
      );
    }
    const current = await this.auth.currentUser(t.user_id);
    if (!current?.active) {
      throw await this.refuse(
        t,
        holder,
        facts,
        'user_deactivated',
        new UnauthenticatedError('The account this ticket was issued to is deactivated.'),
      );
    }
    if (current.mustChangePassword) {
      throw await this.refuse(t, holder, facts, 'password_change_required', new PasswordChangeRequiredError());
    }
    if (current.user.role !== t.user_role) {
      throw await this.refuse(
        t,
        holder,
        facts,
        'role_changed',
        new UnauthenticatedError(
          `This ticket was issued to the role ${t.user_role}; the account's role has changed since: ask for a new one.`,
        ),
      );
    }
    if (req.authorization !== undefined) {
      const bearer = await this.auth.bearerSubject(req.authorization);
      if (bearer !== t.user_id) {
        throw await this.refuse(
          t,
          bearer ? await this.actorOf(bearer, holder) : ANONYMOUS_ACTOR,
          facts,
          'other_user',
          new ForbiddenError('This ticket was issued to another user: it serves only them.'),
        );
      }
    }
    const dest = req.fetchDest?.toLowerCase();
    if (dest && !DESTINATIONS[t.purpose].has(dest)) {
      throw await this.refuse(
        t,
        holder,
        facts,
        'purpose_mismatch',
        new ForbiddenError(
          `This ticket was issued for ${t.purpose}, not to be fetched as ${dest}: ask for a ${t.purpose === 'DOWNLOAD' ? 'PLAYBACK' : 'DOWNLOAD'} ticket.`,
        ),
      );
    }
    if (!roleHas(current.user.role, PERMISSION_OF[t.target_type])) {
      throw await this.refuse(
        t,
        holder,
        facts,
        'role_not_allowed',
        new ForbiddenError(`Role ${current.user.role} may not ${PERMISSION_OF[t.target_type]}.`),
      );
    }
    // From here on the request is the ticket holder's: their events, their refusals (a 404 out of scope, a 416).
    const ctx = RequestContextStore.get();
    if (ctx) {
      ctx.actor = current.user;
      ctx.permission = PERMISSION_OF[t.target_type];
    }
    return {
      id: t.id,
      user: current.user,
      targetType: t.target_type,
      targetId: t.target_id,
      caseId: t.case_id,
      filters: t.filters,
      purpose: t.purpose,
      via: { via: 'ticket', ticketId: t.id, purpose: t.purpose },
    };
  }

  private async actorOf(userId: string, fallback: AuditActor): Promise<AuditActor> {
    const u = await this.auth.currentUser(userId);
    return u ? { id: u.user.id, username: u.user.username, role: u.user.role } : fallback;
  }

  private async refuse(
    t: TicketRow | null,
    actor: AuditActor,
    facts: Record<string, unknown>,
    reason: string,
    error: DomainError,
  ): Promise<DomainError> {
    const status = error instanceof UnauthenticatedError ? 401 : 403;
    await this.audit.record({
      action: status === 401 ? AuditAction.AuthUnauthenticated : AuditAction.AccessDenied,
      outcome: 'DENIED',
      actor,
      targetType: t ? AUDIT_TARGET[t.target_type] : 'ticket',
      targetId: t?.target_id ?? null,
      caseId: t?.case_id ?? null,
      details: {
        ...facts,
        status,
        code: error.code,
        message: error.message,
        reason,
        ...(t ? { ticketId: t.id, purpose: t.purpose, issuedTo: t.user_id } : {}),
      },
    });
    return error.markAudited();
  }

  /**
   * A use starts (the content was opened): counted, the ticket's life extended by TICKET_TTL_SECONDS (never past
   * its limit), and for a PLAYBACK ticket's first use its one `evidence.viewed` custody event, in one
   * transaction (of simultaneous first requests exactly one records it). Refused if the ticket ended meanwhile.
   */
  async beginUse(t: UsableTicket, viewed: Record<string, unknown> | null): Promise<void> {
    await this.ds.transaction(async (em) => {
      // Under the row lock: of simultaneous first uses, the one that finds first_used_at empty records the view.
      const [row]: { first_used_at: Date | null; ended: boolean }[] = await em.query(
        `SELECT first_used_at, ended_at IS NOT NULL AS ended FROM access_tickets WHERE id = $1 FOR UPDATE`,
        [t.id],
      );
      if (!row || row.ended) throw new UnauthenticatedError('This ticket has expired: ask for a new one.');
      await em.query(
        `UPDATE access_tickets SET first_used_at = COALESCE(first_used_at, now()), last_used_at = now(), requests = requests + 1,
                in_flight = in_flight + 1, expires_at = LEAST(not_after, GREATEST(expires_at, now() + make_interval(secs => $2)))
          WHERE id = $1`,
        [t.id, this.config.ttlSeconds],
      );
      if (row.first_used_at === null && viewed && t.targetType === 'evidence') {
        await this.audit.append(em, {
          action: AuditAction.EvidenceViewed,
          actor: t.user,
          targetType: 'evidence',
          targetId: t.targetId,
          caseId: t.caseId,
          details: { ...viewed, ...t.via },
        });
      }
    });
  }

  /** A use ended: what went out (bytes from `start`) joins the ticket's summary. Never throws. */
  async endUse(t: UsableTicket, start: number, bytesSent: number, complete: boolean): Promise<void> {
    await this.ds
      .transaction(async (em) => {
        const [row]: { ranges: [number, number][] }[] = await em.query(
          `SELECT ranges FROM access_tickets WHERE id = $1 FOR UPDATE`,
          [t.id],
        );
        const ranges =
          bytesSent > 0 ? mergeRanges([...(row?.ranges ?? []), [start, start + bytesSent - 1]]) : (row?.ranges ?? []);
        await em.query(
          `UPDATE access_tickets SET ranges = $2::jsonb, bytes_served = bytes_served + $3, interrupted = interrupted + $4,
                in_flight = GREATEST(in_flight - 1, 0), last_used_at = now() WHERE id = $1`,
          [t.id, JSON.stringify(ranges), bytesSent, complete ? 0 : 1],
        );
      })
      .catch((e: unknown) =>
        this.logger.error(`Ticket ${t.id}: its use could not be counted: ${e instanceof Error ? e.message : e}`),
      );
  }

  // --- end ---

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.sweepSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Ends every ticket that expired (and has no request in flight, unless past its limit), writing a used
   * PLAYBACK ticket's summary. Several API processes may sweep at once: rows are taken with SKIP LOCKED.
   * Returns how many ended; never throws.
   */
  sweep(): Promise<number> {
    this.running ??= this.endWhere(
      `t.ended_at IS NULL AND t.expires_at <= now() AND (t.in_flight = 0 OR t.not_after <= now())`,
      [],
      'expiry',
    )
      .catch((e: unknown) => {
        this.logger.warn(`Ticket sweep failed: ${e instanceof Error ? e.message : e}`);
        return 0;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private endExpired(id: string): Promise<number> {
    return this.endWhere(
      `t.id = $1 AND t.ended_at IS NULL AND t.expires_at <= now() AND (t.in_flight = 0 OR t.not_after <= now())`,
      [id],
      'next use',
    ).catch((e: unknown) => {
      this.logger.warn(`Ticket ${id} could not be ended: ${e instanceof Error ? e.message : e}`);
      return 0;
    });
  }

  private async endWhere(where: string, params: unknown[], endedBy: string): Promise<number> {
    let ended = 0;
    for (;;) {
      const n = await this.ds.transaction(async (em) => {
        const rows: SummaryRow[] = await em.query(
          `SELECT t.id, t.user_id, t.user_role, u.username, t.target_id, t.case_id, t.purpose, t.first_used_at, t.last_used_at, t.requests,
                  t.interrupted, t.bytes_served, t.ranges, t.issued_at, t.expires_at, e.sha256, e.size_bytes
             FROM access_tickets t JOIN users u ON u.id = t.user_id LEFT JOIN evidence e ON t.target_type = 'evidence' AND e.id = t.target_id
            WHERE ${where} ORDER BY t.expires_at LIMIT 100 FOR UPDATE OF t SKIP LOCKED`,
          params,
        );
        if (!rows.length) return 0;
        await em.query(`UPDATE access_tickets SET ended_at = now() WHERE id = ANY($1::uuid[])`, [
          rows.map((r) => r.id),
        ]);
        const summaries = rows.filter((r) => r.purpose === 'PLAYBACK' && r.first_used_at !== null);
        if (summaries.length) await this.audit.append(em, ...summaries.map((r) => this.summary(r, endedBy)));
        return rows.length;
      });
      ended += n;
      if (n < 100 || params.length) return ended;
    }
  }

  private summary(r: SummaryRow, endedBy: string) {
    const ranges = mergeRanges(r.ranges);
    return {
      action: AuditAction.EvidencePlaybackEnded,
      actor: { id: r.user_id, username: r.username, role: r.user_role as AuditActor['role'] },
      targetType: 'evidence',
      targetId: r.target_id,
      caseId: r.case_id,
      context: { requestId: undefined, clientIp: null, userAgent: null },
      details: {
        via: 'ticket',
        ticketId: r.id,
        purpose: r.purpose,
        endedBy,
        sha256: r.sha256,
        sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
        firstUsedAt: r.first_used_at?.toISOString() ?? null,
        lastUsedAt: r.last_used_at?.toISOString() ?? null,
        expiredAt: r.expires_at.toISOString(),
        requests: r.requests,
        interruptedRequests: r.interrupted,
        bytesServed: Number(r.bytes_served),
        distinctBytes: ranges.reduce((n, [s, e]) => n + e - s + 1, 0),
        ranges: ranges.map(([s, e]) => `${s}-${e}`),
      },
    };
  }
}

interface SummaryRow {
  id: string;
  user_id: string;
  user_role: string;
  username: string;
  target_id: string | null;
  case_id: string | null;
  purpose: TicketPurpose;
  first_used_at: Date | null;
  last_used_at: Date | null;
  requests: number;
  interrupted: number;
  bytes_served: string;
  ranges: [number, number][];
  issued_at: Date;
  expires_at: Date;
  sha256: string | null;
  size_bytes: string | null;
}
