import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { NotBefore } from '@app/common';
import type { AuditOutcome } from '../audit-hash';
import { AUDIT_ACTIONS, AuditAction } from '../audit-actions';

const OUTCOMES: AuditOutcome[] = ['SUCCESS', 'DENIED', 'FAILED'];

/** The filters shared by the event list and the export. `to` is exclusive. */
export class AuditFilterQuery {
  @ApiPropertyOptional({ example: '2026-11-14T00:00:00-06:00', description: 'Events at or after this instant' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({
    example: '2026-11-21T00:00:00-06:00',
    description: 'Events before this instant (not before `from`)',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  @NotBefore('from')
  to?: string;

  @ApiPropertyOptional({ description: 'Events of one case' })
  @IsOptional()
  @IsUUID('all', { message: 'caseId must be a UUID' })
  caseId?: string;

  @ApiPropertyOptional({ description: 'Events by one user (their id)' })
  @IsOptional()
  @IsUUID('all', { message: 'actorId must be a UUID' })
  actorId?: string;

  @ApiPropertyOptional({
    enum: AUDIT_ACTIONS,
    enumName: 'AuditAction',
    description: 'Events of one action (the catalogue: README, export format)',
  })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, {
    message: 'action must be one of the audit actions (the catalogue in the README), such as case.submitted',
  })
  action?: AuditAction;

  @ApiPropertyOptional({ enum: OUTCOMES, enumName: 'AuditOutcome' })
  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: AuditOutcome;
}

export class AuditEventsQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({
    enum: ['asc', 'desc'],
    default: 'asc',
    description:
      'asc: oldest first (nextCursor pages to newer events); desc: newest first (nextCursor pages to older events)',
  })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order: 'asc' | 'desc' = 'asc';

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}

export class AuditExportQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ enum: ['ndjson', 'csv'], default: 'ndjson' })
  @IsOptional()
  @IsIn(['ndjson', 'csv'])
  format: 'ndjson' | 'csv' = 'ndjson';
}

export class AuditVerifyQuery {
  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  from_seq: number = 1;

  @ApiPropertyOptional({ description: 'Last seq to check (inclusive; not before from_seq); default the head' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  @NotBefore('from_seq')
  to_seq?: number;
}
