import { registerAs } from '@nestjs/config';
import { IsBoolean, IsInt, IsIP, IsOptional, Max, Min } from 'class-validator';
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
  @IsBoolean()
  TRUST_PROXY?: boolean;
}

export interface AppConfig {
  port: number;
  host: string;
  trustProxy: boolean;
}

export function loadAppConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const normalized = { ...env, TRUST_PROXY: env.TRUST_PROXY === undefined ? undefined : env.TRUST_PROXY === 'true' ? true : env.TRUST_PROXY === 'false' ? false : env.TRUST_PROXY };
  const v = validateEnv(AppEnv, normalized);
  return { port: v.PORT ?? 3000, host: v.HOST ?? '127.0.0.1', trustProxy: v.TRUST_PROXY ?? false };
}

export const appConfig = registerAs('app', () => loadAppConfig());
