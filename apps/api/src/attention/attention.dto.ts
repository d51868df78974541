import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { ROLES, type Role } from '@app/common';

/**
 * The work queues of the home screen ("what needs me now"), per role:
 * - OFFICER: RETURNED_CASES (their cases sent back to them), INCOMPLETE_DRAFTS (their drafts the order's checklist is not met by)
 * - SUPERVISOR: SUBMITTED_WAITING (district cases waiting for a decision, by another author), WAITING_OVER_A_DAY (of those,
 *   submitted more than 24 hours ago)
 * - PROSECUTOR: UNCLAIMED_PACKETS (sent to their office, not claimed), PACKETS_NEAR_SLA (undecided, due within the last fifth
 *   of the SLA), PACKETS_PAST_SLA (undecided past their due time), MY_CLAIMS (claimed by the caller, undecided)
 * - AUDITOR: FAILED_VERIFICATIONS (evidence whose integrity status is FAILED now), INTEGRITY_FAILURES (integrity failures
 *   recorded in the audit trail in the last 7 days), DENIED_SPIKES (actors with a spike of denied attempts)
 * - ADMIN: LOCKED_ACCOUNTS (active accounts locked after failed sign-ins)
 */
export const ATTENTION_QUEUES = [
  'RETURNED_CASES',
  'INCOMPLETE_DRAFTS',
  'SUBMITTED_WAITING',
  'WAITING_OVER_A_DAY',
  'UNCLAIMED_PACKETS',
  'PACKETS_NEAR_SLA',
  'PACKETS_PAST_SLA',
  'MY_CLAIMS',
  'FAILED_VERIFICATIONS',
  'INTEGRITY_FAILURES',
  'DENIED_SPIKES',
  'LOCKED_ACCOUNTS',
] as const;
export type AttentionQueueKey = (typeof ATTENTION_QUEUES)[number];

export class AttentionQuery {
  @ApiPropertyOptional({
    type: Boolean,
    description:
      'true when the home screen is opened (a page load): the view is audited as attention.viewed whatever it shows. ' +
      'Without it (the periodic refresh) the view is audited only when what it shows differs from the last view audited for the caller.',
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  opened?: boolean;
}

/** One thing of a queue: a case, a packet, an evidence item, an actor or an account; the fields that apply are set. */
export class AttentionItem {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The case, packet, evidence item or user (null: an anonymous actor)',
  })
  id: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  caseId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'ION-2026-000123' })
  caseNumber: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'When it started needing attention: returned, created (drafts), submitted, sent, claimed, failed, locked',
  })
  since: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Packets: when the SLA falls due; accounts: locked until',
  })
  dueAt: string | null;

  @ApiProperty({
    type: [String],
    description: 'Drafts: the checklist items still missing (see Checklist); empty otherwise',
  })
  missing: string[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Denied spikes and accounts: the username (null for anonymous callers)',
  })
  username: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Denied spikes of anonymous callers: their IP address' })
  clientIp: string | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Denied spikes: denied attempts in the last 24 hours' })
  deniedLastDay: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Denied spikes: denied attempts per day over the 7 days before (average)',
  })
  deniedDailyAverage: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Integrity failures: the audit action that recorded it' })
  action: string | null;
}

export class AttentionQueue {
  @ApiProperty({ enum: ATTENTION_QUEUES, enumName: 'AttentionQueueKey' })
  key: AttentionQueueKey;

  @ApiProperty({ type: Number, minimum: 0, description: "How many, exactly, in the caller's scope" })
  count: number;

  @ApiProperty({
    type: () => [AttentionItem],
    description: `The first ${5} (the order of each queue is its own: oldest waiting first, or newest failure first)`,
  })
  items: AttentionItem[];
}

/** GET /me/attention. */
export class AttentionView {
  @ApiProperty({ enum: ROLES, enumName: 'Role' })
  role: Role;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the counts were taken (one database snapshot)' })
  computedAt: string;

  @ApiProperty({
    type: () => [AttentionQueue],
    description: "The caller's queues, in the order the home screen shows them",
  })
  queues: AttentionQueue[];

  @ApiProperty({ type: Boolean, description: 'Whether this view was recorded as an attention.viewed audit event' })
  audited: boolean;
}
