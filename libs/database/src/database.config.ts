import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { resolve } from 'node:path';
import { validateEnv } from '@app/common';

class DatabaseEnv {
  /** Connection string the API uses (a login role that is a member of `ion_app`). Unset: embedded PostgreSQL. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /** Connection string of the schema owner, used only to run migrations. Defaults to DATABASE_URL. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_MIGRATION_URL?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE?: number;

  @IsOptional()
  @IsString()
  DATA_DIR?: string;
}

export interface DatabaseConfig {
  /** True when no DATABASE_URL is configured and the embedded PostgreSQL is used. */
  embedded: boolean;
  url?: string;
  migrationUrl?: string;
  poolSize: number;
  dataDir: string;
}

export function loadDatabaseConfig(env: Record<string, string | undefined> = process.env): DatabaseConfig {
  const v = validateEnv(DatabaseEnv, env);
  if (v.DATABASE_MIGRATION_URL && !v.DATABASE_URL) {
    throw new Error('Invalid configuration:\n  DATABASE_MIGRATION_URL: set DATABASE_URL too (the API connection)');
  }
  return {
    embedded: !v.DATABASE_URL,
    url: v.DATABASE_URL,
    migrationUrl: v.DATABASE_MIGRATION_URL ?? v.DATABASE_URL,
    poolSize: v.DATABASE_POOL_SIZE ?? 10,
    dataDir: resolve(v.DATA_DIR ?? '.data'),
  };
}

export const databaseConfig = registerAs('database', () => loadDatabaseConfig());
