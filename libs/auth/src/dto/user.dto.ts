import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  Equals,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import {
  IsSingleLine,
  PageQuery,
  POLICE_DISTRICTS,
  PROSECUTOR_OFFICES,
  ProsecutorOffice,
  Role,
  ROLES,
} from '@app/common';

const USERNAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{2,63}$/;
const BADGE = /^[A-Za-z0-9-]{1,32}$/;

export class LoginDto {
  @ApiProperty({ example: 'officer' })
  @IsString()
  @Length(1, 64)
  @IsSingleLine()
  username: string;

  @ApiProperty({ example: 'officer-demo-2026' })
  @IsString()
  @Length(1, 256)
  password: string;

  @ApiPropertyOptional({
    pattern: '^[0-9a-f]{64}$',
    description:
      'The SHA-256 of the system use notification the person acknowledged (GET /auth/system-use-notice): recorded with the ' +
      'sign-in event. Refused when it is not the current notification; required when AUTH_REQUIRE_NOTICE_ACK=true.',
  })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, {
    message: 'systemUseNotice must be the SHA-256 (64 lower-case hex digits) of the notification acknowledged',
  })
  systemUseNotice?: string;
}

/** POST /auth/password: the caller sets their own password (required after an administrator reset it). */
export class ChangePasswordDto {
  @ApiProperty({ description: 'The password the caller signed in with (after a reset: the temporary one)' })
  @IsString()
  @Length(1, 256)
  currentPassword: string;

  @ApiProperty({
    minLength: 12,
    maxLength: 128,
    description: 'The new password: 12 to 128 characters, different from the current one',
  })
  @IsString()
  @MinLength(12)
  @MaxLength(128)
  @IsSingleLine({ message: 'newPassword must not contain control characters' })
  newPassword: string;
}

/** POST /users/:id/password-reset. */
export class ResetPasswordDto {
  @ApiPropertyOptional({
    minLength: 12,
    maxLength: 128,
    description:
      'A temporary password the administrator chose; when absent the service generates one and returns it once',
  })
  @IsOptional()
  @IsString()
  @MinLength(12)
  @MaxLength(128)
  @IsSingleLine({ message: 'temporaryPassword must not contain control characters' })
  temporaryPassword?: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'jdoe', description: '3-64 letters, digits, dot, dash, underscore' })
  @Matches(USERNAME, {
    message: 'username must be 3-64 letters, digits, ".", "-" or "_", starting with a letter or digit',
  })
  username: string;

  @ApiProperty({ example: 'Officer Jane Doe' })
  @IsString()
  @Length(1, 200)
  @IsSingleLine()
  displayName: string;

  @ApiProperty({ minLength: 12, maxLength: 128 })
  @IsString()
  @MinLength(12)
  @MaxLength(128)
  @IsSingleLine({ message: 'password must not contain control characters' })
  password: string;

  @ApiProperty({ enum: ROLES, enumName: 'Role' })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ example: 'D1-1234' })
  @IsOptional()
  @Matches(BADGE, { message: 'badgeNumber must be 1-32 letters, digits or "-"' })
  badgeNumber?: string | null;

  @ApiPropertyOptional({
    description: 'Police district (OFFICER, SUPERVISOR)',
    enum: POLICE_DISTRICTS,
    enumName: 'PoliceDistrict',
  })
  @IsOptional()
  @IsInt()
  @IsIn(POLICE_DISTRICTS as unknown as number[], { message: 'district must be a Chicago police district in service' })
  district?: number | null;

  @ApiPropertyOptional({
    description: 'Prosecuting office (PROSECUTOR)',
    enum: PROSECUTOR_OFFICES,
    enumName: 'ProsecutorOffice',
  })
  @IsOptional()
  @IsIn(PROSECUTOR_OFFICES)
  office?: ProsecutorOffice | null;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @IsSingleLine()
  displayName?: string;

  @ApiPropertyOptional({ enum: ROLES, enumName: 'Role' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @Matches(BADGE, { message: 'badgeNumber must be 1-32 letters, digits or "-"' })
  badgeNumber?: string | null;

  @ApiPropertyOptional({ nullable: true, enum: POLICE_DISTRICTS, enumName: 'PoliceDistrict' })
  @IsOptional()
  @IsInt()
  @IsIn(POLICE_DISTRICTS as unknown as number[], { message: 'district must be a Chicago police district in service' })
  district?: number | null;

  @ApiPropertyOptional({ nullable: true, enum: PROSECUTOR_OFFICES, enumName: 'ProsecutorOffice' })
  @IsOptional()
  @IsIn(PROSECUTOR_OFFICES)
  office?: ProsecutorOffice | null;

  @ApiPropertyOptional({
    description:
      'false deactivates the account (its tokens stop working at once; requires deactivationReason); true reactivates it',
  })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 1000,
    description:
      'Why the account is deactivated: required with active=false, refused otherwise; stored, audited and shown',
  })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  @Matches(/\S/, { message: 'deactivationReason must not be blank' })
  deactivationReason?: string;

  @ApiPropertyOptional({
    description:
      'Sets a temporary password the user must change at their next sign-in (as POST /users/:id/password-reset)',
    minLength: 12,
  })
  @IsOptional()
  @IsString()
  @MinLength(12)
  @MaxLength(128)
  @IsSingleLine({ message: 'password must not contain control characters' })
  password?: string;

  @ApiPropertyOptional({ description: 'true clears a login lockout' })
  @IsOptional()
  @Equals(true, { message: 'unlock may only be true' })
  unlock?: true;
}

export class ListUsersQuery extends PageQuery {
  @ApiPropertyOptional({
    maxLength: 100,
    description: 'Part of a username, name or badge number (letter case ignored)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @IsSingleLine()
  q?: string;

  @ApiPropertyOptional({ enum: ROLES, enumName: 'Role' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}
