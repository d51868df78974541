import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsSingleLine, Role, ROLES } from '@app/common';

/** GET /audit/actors: the auditor's "events by" picker looks people up by part of their username or name. */
export class AuditActorsQuery {
  @ApiPropertyOptional({
    maxLength: 64,
    description:
      'Part of a username or display name (letter case ignored); an exact username comes first. Empty: the first 20 by username',
  })
  @IsOptional()
  @IsString()
  @IsSingleLine()
  @MaxLength(64, { message: 'q must be at most 64 characters' })
  q?: string;
}

/** A user as the audit trail names them (accounts that were deactivated included: they acted too). */
export class AuditActorView {
  @ApiProperty({ type: String, format: 'uuid', description: 'The actor id of their audit events (the actorId filter)' })
  id: string;

  @ApiProperty({ type: String })
  username: string;

  @ApiProperty({ type: String })
  displayName: string;

  @ApiProperty({ enum: ROLES, enumName: 'Role' })
  role: Role;

  @ApiProperty({ type: Boolean, description: 'False for a deactivated account' })
  active: boolean;
}

export class AuditActorList {
  @ApiProperty({ type: () => [AuditActorView], description: 'At most 20, an exact username first, then by username' })
  items: AuditActorView[];
}
