import { registerAs } from '@nestjs/config';
import { IsIn, IsInt, IsIP, IsOptional, Max, Min } from 'class-validator';
import { validateEnv } from '@app/common';

class AppEnv {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  /** Listen address: loopback only unless told otherwise. */
  @IsOptional()
  @IsIP()
  HOST?: string;

  /** Trust X-Forwarded-For from a load balancer (client IPs in audit events). */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  TRUST_PROXY?: string;

  /** Login attempts per client IP per RATE_LIMIT_WINDOW_SECONDS (password spraying; lockout is per account). */
  @IsOptional()
  @IsInt()
  @Min(1)
  LOGIN_RATE_LIMIT?: number;

  /** Evidence uploads per user per RATE_LIMIT_WINDOW_SECONDS. */
  @IsOptional()
  @IsInt()
  @Min(1)
  UPLOAD_RATE_LIMIT?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86400)
  RATE_LIMIT_WINDOW_SECONDS?: number;

  /** pino level for the JSON logs on stdout. */
  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;
}

export interface AppConfig {
  port: number;
  host: string;
  trustProxy: boolean;
  rateLimits: { login: number; upload: number; windowSeconds: number };
  logLevel: string;
}

export function loadAppConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const v = validateEnv(AppEnv, env);
  return {
    port: v.PORT ?? 3000,
    host: v.HOST ?? '127.0.0.1',
    trustProxy: v.TRUST_PROXY === 'true',
    rateLimits: { login: v.LOGIN_RATE_LIMIT ?? 60, upload: v.UPLOAD_RATE_LIMIT ?? 60, windowSeconds: v.RATE_LIMIT_WINDOW_SECONDS ?? 60 },
    logLevel: v.LOG_LEVEL ?? 'info',
  };
}

export const appConfig = registerAs('app', () => loadAppConfig());
