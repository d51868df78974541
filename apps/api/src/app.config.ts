import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';
import { IsIn, IsInt, IsIP, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
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

  /**
   * Which proxies' X-Forwarded-For to believe for the client IP (audit events, the login rate limit):
   * false; a number of proxy hops in front of the API; or a comma list of the proxies' addresses or
   * CIDR ranges (or Express's names loopback, linklocal, uniquelocal). true believes any sender:
   * only when nothing but the proxy can reach the API.
   */
  @IsOptional()
  @Matches(
    /^(true|false|\d{1,2}|(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?))*)$/,
    {
      message: 'must be true, false, a number of proxy hops, or a comma list of proxy addresses/CIDR ranges',
    },
  )
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

  /** Public statistics reads per client IP per RATE_LIMIT_WINDOW_SECONDS (the only public route that computes). */
  @IsOptional()
  @IsInt()
  @Min(1)
  STATISTICS_RATE_LIMIT?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86400)
  RATE_LIMIT_WINDOW_SECONDS?: number;

  /** pino level for the JSON logs on stdout. */
  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  /** The built web console to serve at `/` (default: dist/web under the working directory, where npm run build puts it). */
  @IsOptional()
  @IsString()
  @Length(1, 4096)
  WEB_ROOT?: string;
}

export interface AppConfig {
  port: number;
  host: string;
  /** Express's `trust proxy` setting. */
  trustProxy: boolean | number | string[];
  rateLimits: { login: number; upload: number; statistics: number; windowSeconds: number };
  logLevel: string;
  webRoot: string;
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((s) => s.trim());
}

export function loadAppConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const v = validateEnv(AppEnv, env);
  return {
    port: v.PORT ?? 3000,
    host: v.HOST ?? '127.0.0.1',
    trustProxy: parseTrustProxy(v.TRUST_PROXY),
    rateLimits: {
      login: v.LOGIN_RATE_LIMIT ?? 60,
      upload: v.UPLOAD_RATE_LIMIT ?? 60,
      statistics: v.STATISTICS_RATE_LIMIT ?? 120,
      windowSeconds: v.RATE_LIMIT_WINDOW_SECONDS ?? 60,
    },
    logLevel: v.LOG_LEVEL ?? 'info',
    webRoot: resolve(v.WEB_ROOT ?? 'dist/web'),
  };
}

export const appConfig = registerAs('app', () => loadAppConfig());
