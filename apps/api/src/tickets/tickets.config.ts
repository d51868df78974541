import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { validateEnv } from '@app/common';

class TicketsEnv {
  /** How long a new ticket may wait for its first use, and how long it lives after each use (idle time). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  TICKET_TTL_SECONDS?: number;

  /** No ticket lives longer than this after it was issued, however often it is used (a long playback). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  TICKET_MAX_SECONDS?: number;

  /** How often tickets that expired are ended (a playback's summary custody event written). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  TICKET_SWEEP_SECONDS?: number;
}

export interface TicketsConfig {
  ttlSeconds: number;
  maxSeconds: number;
  sweepSeconds: number;
}

export function loadTicketsConfig(env: Record<string, string | undefined> = process.env): TicketsConfig {
  const v = validateEnv(TicketsEnv, env);
  const ttlSeconds = v.TICKET_TTL_SECONDS ?? 300;
  return {
    ttlSeconds,
    maxSeconds: Math.max(v.TICKET_MAX_SECONDS ?? 4 * 3600, ttlSeconds),
    sweepSeconds: v.TICKET_SWEEP_SECONDS ?? 30,
  };
}

export const ticketsConfig = registerAs('tickets', () => loadTicketsConfig());
