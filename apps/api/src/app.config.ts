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
}

export interface AppConfig {
  port: number;
  host: string;
  trustProxy: boolean;
}

export function loadAppConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const v = validateEnv(AppEnv, env);
  return { port: v.PORT ?? 3000, host: v.HOST ?? '127.0.0.1', trustProxy: v.TRUST_PROXY === 'true' };
}

export const appConfig = registerAs('app', () => loadAppConfig());
