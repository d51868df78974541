import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { validateEnv } from '@app/common';

class AuditEnv {
  /** How often a signed checkpoint of the chain's head is made (one process makes it). */
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(7 * 24 * 3600)
  AUDIT_CHECKPOINT_INTERVAL_SECONDS?: number;

  /** Rows fetched from the database cursor per round trip while exporting. */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(100_000)
  AUDIT_EXPORT_FETCH_ROWS?: number;
}

export interface AuditConfig {
  checkpointIntervalSeconds: number;
  exportFetchRows: number;
}

export function loadAuditConfig(env: Record<string, string | undefined> = process.env): AuditConfig {
  const v = validateEnv(AuditEnv, env);
  return {
    checkpointIntervalSeconds: v.AUDIT_CHECKPOINT_INTERVAL_SECONDS ?? 3600,
    exportFetchRows: v.AUDIT_EXPORT_FETCH_ROWS ?? 2000,
  };
}

export const auditConfig = registerAs('audit', () => loadAuditConfig());
