import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  AuthUser,
  Clock,
  ForbiddenError,
  NotFoundError,
  PacketAlreadyDecidedError,
  PacketHandOverTargetError,
  PacketNotClaimantError,
  PacketNotClaimedError,
  PacketNotDecidedError,
  PacketNotDeciderError,
  ValidationError,
} from '@app/common';
import { AuditService, AuditAction } from '@app/audit';
import { CaseEntity, CasesRepository, CasesService } from '@app/cases';
import { CorrectReferenceDto, HandOverPacketDto, ReleasePacketDto } from './dto/packet.dto';
import { PacketEntity } from './packet.entity';
import { OfficeColleagues, PacketView } from './dto/packet-views';
import { packetsConfig } from './packets.config';
import { PacketsRepository } from './packets.repository';
import { PacketsService } from './packets.service';

const DAY_MS = 24 * 3600 * 1000;
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

interface Person {
  id: string;
  displayName: string;
  role: string;
  office: string | null;
  active: boolean;
}

/**
 * Issue 16: what a prosecutor does with a claim besides deciding it, and the one thing that may change after a
 * decision.
 *
 * Who decides. The system has no office supervisor role (docs/domain.md: PROSECUTOR belongs to an office; no rank), so:
 * - Release: the claimant, at any time before the decision (reason optional). Any other prosecutor of the office only
 *   when the claim is stale: the packet is past its SLA undecided, or the claimant is no longer an active prosecutor
 *   of the office (deactivated, moved). Then a reason is required. Without this a claim held by someone on leave would
 *   block the office's packet with no way out; the SLA is the office's own line for "too long", and the reason, the
 *   basis and the former claimant are recorded in the audit event, so the act is accountable. Not earlier: inside the
 *   SLA another prosecutor taking a colleague's claim away is a matter for the office, not the system.
 * - Hand-over: the claimant only, with a reason, to another active prosecutor of the packet's office. A colleague who
 *   finds a stale claim releases it and claims it (two audited steps), rather than assigning it to someone else.
 * - Reference correction: the prosecutor who recorded the decision; any prosecutor of the office only when that
 *   decider is no longer an active prosecutor of it. Appended: the decision row keeps the reference as decided.
 *
 * Concurrency: every write takes the case's, then the packet's row lock (the order claim and decide use), and checks
 * the state under it, so a release racing a decision, a claim or a hand-over has exactly one outcome; the loser gets
 * the 409 of the state it finds.
 */
@Injectable()
export class PacketReviewService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly packets: PacketsService,
    private readonly cases: CasesRepository,
    private readonly caseService: CasesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(packetsConfig.KEY) private readonly config: ConfigType<typeof packetsConfig>,
    private readonly repo: PacketsRepository,
  ) {}

  /** IN_REVIEW -> PENDING (case IN_REVIEW -> REFERRED): the packet is back in the office's queue. */
  async release(auth: AuthUser, id: string, dto: ReleasePacketDto): Promise<PacketView> {
    const meta = await this.packets.reachable(auth, id);
    await this.ds.transaction(async (em) => {
      const { c, p } = await this.lockBoth(em, meta);
      this.assertInReview(p);
      const claimant = await this.person(em, p.claimedBy!);
      const now = this.clock.now();
      const dueAt = new Date(p.sentAt.getTime() + this.config.slaDays * DAY_MS);
      let basis: 'CLAIMANT' | 'SLA_BREACHED' | 'CLAIMANT_INACTIVE' = 'CLAIMANT';
      if (p.claimedBy !== auth.id) {
        if (claimant && this.activeIn(claimant, p.office) && now.getTime() <= dueAt.getTime()) {
          throw new PacketNotClaimantError(
            `Packet v${p.version} of case ${p.caseNumber} is claimed by ${claimant.displayName}: only they may release it before ` +
              `the SLA passes (${dueAt.toISOString()}), or hand it over.`,
            { claimedBy: p.claimedBy, claimedAt: iso(p.claimedAt), staleAt: dueAt.toISOString() },
          );
        }
        basis = claimant && this.activeIn(claimant, p.office) ? 'SLA_BREACHED' : 'CLAIMANT_INACTIVE';
        if (!dto.reason) {
          throw ValidationError.field(
            'reason',
            "reason is required to release a colleague's claim: say why it is taken back into the queue",
          );
        }
      }
      await this.repo.update(em, p.id, { status: 'PENDING', claimedBy: null, claimedAt: null });
      await this.caseService.applyTransition(em, auth, c, 'release', () => ({
        action: AuditAction.PacketReleased,
        target: { type: 'packet', id: p.id },
        details: {
          packetId: p.id,
          packetVersion: p.version,
          office: p.office,
          basis,
          reason: dto.reason ?? null,
          claimant: { id: p.claimedBy, displayName: claimant?.displayName ?? null },
          claimedAt: iso(p.claimedAt),
          slaDueAt: dueAt.toISOString(),
        },
      }));
    });
    return this.packets.viewOf(id);
  }

  /** The claim passes to a colleague of the office: IN_REVIEW stays (and so does the case), claimed by them from now. */
  async handOver(auth: AuthUser, id: string, dto: HandOverPacketDto): Promise<PacketView> {
    const meta = await this.packets.reachable(auth, id);
    await this.ds.transaction(async (em) => {
      const { c, p } = await this.lockBoth(em, meta);
      this.assertInReview(p);
      if (p.claimedBy !== auth.id) {
        const claimant = await this.person(em, p.claimedBy!);
        throw new PacketNotClaimantError(
          `Only the prosecutor who claimed packet v${p.version} of case ${p.caseNumber} (${claimant?.displayName ?? p.claimedBy}) may hand it over.`,
          { claimedBy: p.claimedBy, claimedAt: iso(p.claimedAt) },
        );
      }
      if (dto.toUserId === auth.id) {
        throw new PacketHandOverTargetError(
          'toUserId: the packet is already yours; choose a colleague of your office.',
          {
            fields: [{ field: 'toUserId', errors: ['toUserId is you: choose another prosecutor of the office'] }],
          },
        );
      }
      // FOR SHARE: the colleague cannot be deactivated or moved until this commits.
      const to = await this.person(em, dto.toUserId, true);
      if (!to || !this.activeIn(to, p.office)) {
        throw new PacketHandOverTargetError(
          `toUserId: ${dto.toUserId} is not an active prosecutor of ${p.office}; choose a colleague from GET /api/v1/office/colleagues.`,
          { fields: [{ field: 'toUserId', errors: [`toUserId must be an active prosecutor of ${p.office}`] }] },
        );
      }
      const now = this.clock.now();
      await this.repo.update(em, p.id, { claimedBy: to.id, claimedAt: now });
      await this.audit.append(em, {
        action: AuditAction.PacketHandedOver,
        actor: auth,
        targetType: 'packet',
        targetId: p.id,
        caseId: c.id,
        details: {
          packetId: p.id,
          packetVersion: p.version,
          office: p.office,
          reason: dto.reason,
          from: { id: auth.id, displayName: auth.displayName },
          to: { id: to.id, displayName: to.displayName },
          previousClaimedAt: iso(p.claimedAt),
          claimedAt: now.toISOString(),
        },
      });
    });
    return this.packets.viewOf(id);
  }

  /** Appends a correction of the decision's external reference; the decision itself is never changed. */
  async correctReference(auth: AuthUser, id: string, dto: CorrectReferenceDto): Promise<PacketView> {
    const meta = await this.packets.reachable(auth, id);
    await this.ds.transaction(async (em) => {
      const { c, p } = await this.lockBoth(em, meta);
      if (p.status !== 'DECIDED') {
        throw new PacketNotDecidedError(
          `Packet v${p.version} of case ${p.caseNumber} is ${p.status}: there is no decision whose reference could be corrected.`,
          { currentState: p.status },
        );
      }
      let basis: 'DECIDER' | 'DECIDER_INACTIVE' = 'DECIDER';
      if (p.decidedBy !== auth.id) {
        const decider = await this.person(em, p.decidedBy!);
        if (decider && this.activeIn(decider, p.office)) {
          throw new PacketNotDeciderError(
            `Only ${decider.displayName}, who recorded the decision on packet v${p.version} of case ${p.caseNumber}, may correct its reference.`,
            { decidedBy: p.decidedBy },
          );
        }
        basis = 'DECIDER_INACTIVE';
      }
      const last = await this.repo.lastCorrection(em, p.id);
      const current = last ? last.externalReference : p.externalReference;
      if (dto.externalReference === current) {
        throw ValidationError.field(
          'externalReference',
          current === null
            ? 'externalReference: the decision already carries no reference'
            : `externalReference is already ${current}: nothing to correct`,
        );
      }
      const seq = (last?.seq ?? 0) + 1;
      const correctionId = randomUUID();
      const now = this.clock.now();
      await this.repo.insertCorrection(em, {
        id: correctionId,
        packetId: p.id,
        seq,
        previousReference: current,
        externalReference: dto.externalReference,
        reason: dto.reason,
        correctedBy: auth.id,
        correctedAt: now,
      });
      await this.audit.append(em, {
        action: AuditAction.PacketReferenceCorrected,
        actor: auth,
        targetType: 'packet',
        targetId: p.id,
        caseId: c.id,
        details: {
          packetId: p.id,
          packetVersion: p.version,
          office: p.office,
          correctionId,
          seq,
          basis,
          decision: p.decision,
          decidedBy: p.decidedBy,
          decidedAt: iso(p.decidedAt),
          referenceAsDecided: p.externalReference,
          previousReference: current,
          externalReference: dto.externalReference,
          reason: dto.reason,
        },
      });
    });
    return this.packets.viewOf(id);
  }

  /** The other active prosecutors of the caller's office, by name. */
  async colleagues(auth: AuthUser): Promise<OfficeColleagues> {
    if (auth.role !== 'PROSECUTOR' || !auth.office)
      throw new ForbiddenError('Only members of a prosecuting office have colleagues to hand a packet to.');
    const rows = await this.repo.colleagues(auth.office, auth.id);
    return {
      office: auth.office,
      items: rows.map((r) => ({ id: r.id, displayName: r.display_name, badgeNumber: r.badge_number })),
    };
  }

  private assertInReview(p: PacketEntity): void {
    if (p.status === 'PENDING') {
      throw new PacketNotClaimedError(
        `Packet v${p.version} of case ${p.caseNumber} is PENDING: no one has claimed it.`,
        { currentState: p.status },
      );
    }
    if (p.status === 'DECIDED') {
      throw new PacketAlreadyDecidedError(
        `Packet v${p.version} of case ${p.caseNumber} was already decided (${p.decision}); a decision is final.`,
        { currentState: p.status, decision: p.decision },
      );
    }
  }

  private activeIn(u: Person, office: string): boolean {
    return u.active && u.role === 'PROSECUTOR' && u.office === office;
  }

  private person(em: EntityManager, id: string, lock = false): Promise<Person | null> {
    return this.repo.reviewer(em, id, lock);
  }

  /** Case first, then packet: the one lock order every packet write uses (PacketsService.lockBoth). */
  private async lockBoth(
    em: EntityManager,
    meta: { id: string; caseId: string },
  ): Promise<{ c: CaseEntity; p: PacketEntity }> {
    const c = await this.cases.lockById(em, meta.caseId);
    const p = await this.repo.lockById(em, meta.id);
    if (!c || !p) throw new NotFoundError('packet', meta.id, false, meta.caseId);
    return { c, p };
  }
}
