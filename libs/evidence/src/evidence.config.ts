import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { validateEnv } from '@app/common';

class EvidenceEnv {
  /** Largest accepted evidence file in bytes (default 50 GiB). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5 * 1024 ** 4)
  EVIDENCE_MAX_BYTES?: number;

  /** An upload with no new part for this long is presumed dead (its process crashed) and aborted. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 60)
  UPLOAD_STALE_MINUTES?: number;

  /** How often unfinished multipart uploads are looked for and aborted. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  UPLOAD_JANITOR_INTERVAL_SECONDS?: number;
}

export interface EvidenceConfig {
  maxBytes: number;
  staleMinutes: number;
  janitorIntervalSeconds: number;
}

export function loadEvidenceConfig(env: Record<string, string | undefined> = process.env): EvidenceConfig {
  const v = validateEnv(EvidenceEnv, env);
  return {
    maxBytes: v.EVIDENCE_MAX_BYTES ?? 50 * 1024 ** 3,
    staleMinutes: v.UPLOAD_STALE_MINUTES ?? 60,
    janitorIntervalSeconds: v.UPLOAD_JANITOR_INTERVAL_SECONDS ?? 60,
  };
}

export const evidenceConfig = registerAs('evidence', () => loadEvidenceConfig());
