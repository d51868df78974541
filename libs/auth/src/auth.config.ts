import { registerAs } from '@nestjs/config';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, MinLength, Min } from 'class-validator';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { readOrCreateSecret, validateEnv } from '@app/common';

class AuthEnv {
  /** HMAC key for access tokens; required with DATABASE_URL, generated under DATA_DIR otherwise. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(86400)
  JWT_TTL_SECONDS?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  AUTH_LOCKOUT_THRESHOLD?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1440)
  AUTH_LOCKOUT_MINUTES?: number;

  /** The system use notification on the sign-in page (CJIS Security Policy AC-8); DEFAULT_SYSTEM_USE_NOTICE when unset. */
  @IsOptional()
  @IsString()
  @MinLength(20, { message: 'must be at least 20 characters (the notification people acknowledge before signing in)' })
  @MaxLength(4000)
  SYSTEM_USE_NOTICE?: string;

  /** true: POST /auth/login refuses a body without `systemUseNotice` (the SHA-256 of the notification acknowledged). */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  AUTH_REQUIRE_NOTICE_ACK?: string;

  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  DATA_DIR?: string;
}

export interface AuthConfig {
  jwtSecret: string;
  jwtTtlSeconds: number;
  lockoutThreshold: number;
  lockoutMinutes: number;
  /** Demo users are seeded only on embedded defaults (no DATABASE_URL). */
  seedDemoUsers: boolean;
  /** The system use notification and the SHA-256 of its UTF-8 text (what a sign-in acknowledges). */
  systemUseNotice: { text: string; sha256: string };
  /** Whether a sign-in must carry the acknowledgement (the console always sends it). */
  requireNoticeAck: boolean;
}

/**
 * The default system use notification (CJIS Security Policy 5.5.4 / NIST SP 800-53 AC-8): authorised use only,
 * use monitored and recorded, unauthorised use prohibited and subject to penalties, consent by use.
 */
export const DEFAULT_SYSTEM_USE_NOTICE =
  'You are accessing a City of Chicago information system that holds criminal justice information. ' +
  'It is provided for authorized use only. All use of this system is monitored, recorded and subject to audit, ' +
  'and the records may be disclosed to investigators, prosecutors and courts. ' +
  'Unauthorized use, or use beyond your authorization, is prohibited and may result in disciplinary action ' +
  'and criminal and civil penalties. By signing in you consent to this monitoring and recording.';

export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const v = validateEnv(AuthEnv, env);
  const embedded = !v.DATABASE_URL;
  if (!embedded && !v.JWT_SECRET) {
    throw new Error('Invalid configuration:\n  JWT_SECRET: required when DATABASE_URL is set (at least 32 characters)');
  }
  return {
    jwtSecret: v.JWT_SECRET ?? readOrCreateSecret(resolve(v.DATA_DIR ?? '.data'), 'jwt-secret'),
    jwtTtlSeconds: v.JWT_TTL_SECONDS ?? 3600,
    lockoutThreshold: v.AUTH_LOCKOUT_THRESHOLD ?? 5,
    lockoutMinutes: v.AUTH_LOCKOUT_MINUTES ?? 10,
    seedDemoUsers: embedded,
    systemUseNotice: noticeOf(v.SYSTEM_USE_NOTICE?.trim() || DEFAULT_SYSTEM_USE_NOTICE),
    requireNoticeAck: v.AUTH_REQUIRE_NOTICE_ACK === 'true',
  };
}

function noticeOf(text: string): { text: string; sha256: string } {
  return { text, sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
}

export const authConfig = registerAs('auth', () => loadAuthConfig());
