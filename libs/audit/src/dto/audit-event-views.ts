import { ApiProperty } from '@nestjs/swagger';
import { ACTOR_ROLES, ActorRole } from '@app/common';
import { AUDIT_OUTCOMES, AuditOutcome } from '../audit-hash';
import { AUDIT_ACTIONS, AuditAction } from '../audit-actions';

/** Who did it: a user (id, username, role), or SYSTEM, or ANONYMOUS (not signed in). */
export class AuditActor {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Null for SYSTEM and ANONYMOUS' })
  id: string | null;

  @ApiProperty({ type: String, nullable: true })
  username: string | null;

  @ApiProperty({ enum: ACTOR_ROLES, enumName: 'ActorRole' })
  role: ActorRole;
}

/** One event of the tamper-evident audit trail. */
export class AuditEventView {
  @ApiProperty({ type: Number, minimum: 1, description: 'Position in the hash chain (1, 2, 3... without gaps)' })
  seq: number;

  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'UTC, millisecond precision' })
  occurredAt: string;

  @ApiProperty({ type: () => AuditActor })
  actor: AuditActor;

  @ApiProperty({
    enum: AUDIT_ACTIONS,
    enumName: 'AuditAction',
    description: 'What happened: one of the catalogue of actions (README, export format)',
  })
  action: AuditAction;

  @ApiProperty({ enum: AUDIT_OUTCOMES, enumName: 'AuditOutcome' })
  outcome: AuditOutcome;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'case',
    description: 'Kind of thing acted on (case, evidence, packet, user, audit...)',
  })
  targetType: string | null;

  @ApiProperty({ type: String, nullable: true })
  targetId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The case the event concerns, if any' })
  caseId: string | null;

  @ApiProperty({ type: String, nullable: true })
  requestId: string | null;

  @ApiProperty({ type: String, nullable: true })
  clientIp: string | null;

  @ApiProperty({ type: String, nullable: true })
  userAgent: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Facts about the event; the keys depend on the action (never secrets)',
  })
  details: Record<string, unknown>;

  @ApiProperty({ type: String, description: 'Hash of the previous event (64 zeros for seq 1), lowercase hex SHA-256' })
  prevHash: string;

  @ApiProperty({ type: String, description: 'SHA-256(prevHash || canonical JSON of the event), lowercase hex' })
  hash: string;
}

/** An event as the auditor's search lists it: with its case's number. */
export class AuditEventListItem extends AuditEventView {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'ION-2026-000123',
    description: 'The number of the case the event concerns (null: no case)',
  })
  caseNumber: string | null;
}

/** GET /audit/events: a cursor page, oldest first (or newest first with order=desc). */
export class AuditEventPage {
  @ApiProperty({ type: () => [AuditEventListItem] })
  items: AuditEventListItem[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}
