import { ApiProperty } from '@nestjs/swagger';
import { PageMeta } from '@app/common';
import {
  PACKET_DECISIONS,
  PACKET_OFFICE_VALUES,
  PACKET_STATUSES,
  PacketDecision,
  PacketOffice,
  PacketStatus,
} from '../packet-vocabulary';

/** Issue 16: a decision's external reference corrected after the fact (appended; the decision stays as decided). */
export class PacketReferenceCorrection {
  @ApiProperty({ type: Number, minimum: 1, description: '1 for the first correction of this decision, then 2, ...' })
  seq: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The reference this correction replaces (as decided, or as last corrected)',
  })
  previousReference: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-CR-0012346',
    description: 'The corrected reference (null: removed)',
  })
  externalReference: string | null;

  @ApiProperty({ type: String })
  reason: string;

  @ApiProperty({ type: String, format: 'uuid' })
  correctedBy: string;

  @ApiProperty({ type: String, nullable: true, description: "The corrector's display name" })
  correctedByName: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  correctedAt: string;
}

/** Who claimed the packet and what they decided. */
export class PacketReview {
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  claimedBy: string | null;

  @ApiProperty({ type: String, nullable: true, description: "The claimant's display name" })
  claimedByName: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  claimedAt: string | null;

  @ApiProperty({ enum: PACKET_DECISIONS, enumName: 'PacketDecision', nullable: true })
  decision: PacketDecision | null;

  @ApiProperty({ type: String, nullable: true })
  decisionReason: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2026-CR-0012345', description: 'e.g. a court case number' })
  externalReference: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  decidedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({
    type: () => [PacketReferenceCorrection],
    description:
      'Corrections of the external reference after the decision, oldest first (externalReference above stays as decided)',
  })
  referenceCorrections: PacketReferenceCorrection[];

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      "The external reference in force: the last correction's, or the one given with the decision when never corrected",
  })
  currentExternalReference: string | null;
}

/** Age runs from sending until the decision (or now); the SLA is breached once it passes dueAt undecided. */
export class PacketSla {
  @ApiProperty({ type: Number, description: 'Days the office has to decide' })
  days: number;

  @ApiProperty({ type: String, format: 'date-time', description: 'sentAt + days' })
  dueAt: string;

  @ApiProperty({ type: Number, minimum: 0, description: 'Whole days from sending until the decision (or now)' })
  ageDays: number;

  @ApiProperty({ type: Number, minimum: 0, description: 'Whole hours from sending until the decision (or now)' })
  ageHours: number;

  @ApiProperty({ type: Boolean, description: 'Decided after dueAt, or still undecided past it' })
  breached: boolean;
}

export class PacketLinks {
  @ApiProperty({ type: String, example: '/api/v1/packets/00000000-0000-0000-0000-000000000000' })
  self: string;

  @ApiProperty({ type: String, description: 'GET: the signed manifest' })
  manifest: string;

  @ApiProperty({ type: String, description: 'GET: the packet as a ZIP (streamed)' })
  archive: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '/api/v1/packets/00000000-0000-0000-0000-000000000000/case-report.pdf',
    description:
      'GET: the printable case report (PDF) the packet carries; null for packets sent before case reports existed',
  })
  caseReport: string | null;
}

/** A packet's metadata and review state (the manifest itself is served separately, and audited). */
export class PacketView {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid' })
  caseId: string;

  @ApiProperty({ type: String, example: 'ION-2026-000123' })
  caseNumber: string;

  @ApiProperty({ type: Number, minimum: 1, description: 'Packet version of the case: n+1 after MORE_INFO_REQUESTED' })
  version: number;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Packet version n that this version n+1 follows',
  })
  previousPacketId: string | null;

  @ApiProperty({ enum: PACKET_OFFICE_VALUES, enumName: 'ProsecutorOffice' })
  office: PacketOffice;

  @ApiProperty({ type: Boolean, description: 'Whether any violation in it is a felony' })
  felony: boolean;

  @ApiProperty({ enum: PACKET_STATUSES, enumName: 'PacketStatus' })
  status: PacketStatus;

  @ApiProperty({ type: String, format: 'date-time' })
  sentAt: string;

  @ApiProperty({ type: String, format: 'uuid' })
  sentBy: string;

  @ApiProperty({ type: String, description: 'SHA-256 of the canonical JSON manifest (what was signed), lowercase hex' })
  manifestSha256: string;

  @ApiProperty({ type: String, description: 'Id of the key that signed the manifest (see GET /keys)' })
  keyId: string;

  @ApiProperty({ type: Number, minimum: 0 })
  evidenceCount: number;

  @ApiProperty({ type: Number, minimum: 0, description: 'Total size of the evidence files' })
  evidenceBytes: number;

  @ApiProperty({ type: () => PacketReview })
  review: PacketReview;

  /** Age runs from sending until the decision (or now); the SLA is breached once it passes dueAt undecided. */
  @ApiProperty({ type: () => PacketSla })
  sla: PacketSla;

  @ApiProperty({ type: () => PacketLinks })
  links: PacketLinks;
}

/** GET /cases/:id/packets. */
export class CasePacketList {
  @ApiProperty({ type: String, format: 'uuid' })
  caseId: string;

  @ApiProperty({ type: String, example: 'ION-2026-000123' })
  caseNumber: string;

  @ApiProperty({ type: () => [PacketView], description: 'Oldest version first' })
  items: PacketView[];
}

export const REVIEW_QUEUE_SORTS = ['oldest', 'newest'] as const;

export type ReviewQueueSort = (typeof REVIEW_QUEUE_SORTS)[number];

/** GET /review-queue: a page of the office's packets, with the filter and order applied. */
export class ReviewQueuePage extends PageMeta {
  @ApiProperty({ type: () => [PacketView] })
  items: PacketView[];

  @ApiProperty({
    enum: PACKET_STATUSES,
    enumName: 'PacketStatus',
    isArray: true,
    description: 'The statuses listed (default PENDING, IN_REVIEW)',
  })
  status: PacketStatus[];

  @ApiProperty({ enum: REVIEW_QUEUE_SORTS, description: 'By sentAt: oldest (default) or newest first' })
  sort: ReviewQueueSort;
}

/** Issue 16: an active prosecutor of the caller's office (someone a claim may be handed to). */
export class OfficeColleague {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  displayName: string;

  @ApiProperty({ type: String, nullable: true })
  badgeNumber: string | null;
}

/** GET /office/colleagues: the other active prosecutors of the caller's office, by name. */
export class OfficeColleagues {
  @ApiProperty({ enum: PACKET_OFFICE_VALUES, enumName: 'ProsecutorOffice' })
  office: PacketOffice;

  @ApiProperty({ type: () => [OfficeColleague] })
  items: OfficeColleague[];
}
