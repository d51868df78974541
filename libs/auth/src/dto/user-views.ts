import { ApiProperty } from '@nestjs/swagger';
import { PageMeta, PROSECUTOR_OFFICES, ProsecutorOffice, Role, ROLES } from '@app/common';

/** What leaves the service about a user (never the password hash). */
export class UserView {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, example: 'jdoe' })
  username: string;

  @ApiProperty({ type: String, example: 'Officer Jane Doe' })
  displayName: string;

  @ApiProperty({ enum: ROLES, enumName: 'Role' })
  role: Role;

  @ApiProperty({ type: String, nullable: true, example: 'D1-1234' })
  badgeNumber: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 14, description: 'Police district (OFFICER, SUPERVISOR)' })
  district: number | null;

  @ApiProperty({
    enum: PROSECUTOR_OFFICES,
    enumName: 'ProsecutorOffice',
    nullable: true,
    description: "Prosecuting office: CCSAO (State's Attorney) or CITY_LAW (Department of Law); PROSECUTOR only",
  })
  office: ProsecutorOffice | null;

  @ApiProperty({ type: Boolean, description: 'false: deactivated, cannot sign in' })
  active: boolean;

  @ApiProperty({
    type: Boolean,
    description: 'true: an administrator reset the password; the user must set a new one before anything else',
  })
  mustChangePassword: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Why the account was deactivated (null while active)' })
  deactivationReason: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the account was deactivated (null while active, or not recorded)',
  })
  deactivatedAt: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Set while a login lockout is in force',
  })
  lockedUntil: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastLoginAt: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}

/** POST /users/:id/password-reset. */
export class PasswordResetResult {
  @ApiProperty({ type: () => UserView })
  user: UserView;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The generated temporary password, returned this once and never stored in clear (null when the administrator chose it)',
  })
  temporaryPassword: string | null;
}

/** GET /auth/system-use-notice. */
export class SystemUseNoticeView {
  @ApiProperty({ type: String, description: 'The system use notification shown before signing in (SYSTEM_USE_NOTICE)' })
  text: string;

  @ApiProperty({
    type: String,
    pattern: '^[0-9a-f]{64}$',
    description: 'SHA-256 of the UTF-8 text: send it as systemUseNotice when signing in',
  })
  sha256: string;

  @ApiProperty({
    type: Boolean,
    description: 'true: a sign-in without the acknowledgement is refused (AUTH_REQUIRE_NOTICE_ACK)',
  })
  acknowledgementRequired: boolean;
}

/** A page of GET /users. */
export class UserPage extends PageMeta {
  @ApiProperty({ type: () => [UserView] })
  items: UserView[];
}
