import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, IsString, Max, MinLength, Min } from 'class-validator';
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
}

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
  };
}

export const authConfig = registerAs('auth', () => loadAuthConfig());
