import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { validateEnv } from '@app/common';

class PacketsEnv {
  /** Days a prosecutor's office has to decide a packet before the queue flags it as past its SLA. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  REVIEW_SLA_DAYS?: number;
}

export interface PacketsConfig {
  slaDays: number;
}

export function loadPacketsConfig(env: Record<string, string | undefined> = process.env): PacketsConfig {
  const v = validateEnv(PacketsEnv, env);
  return { slaDays: v.REVIEW_SLA_DAYS ?? 30 };
}

export const packetsConfig = registerAs('packets', () => loadPacketsConfig());
