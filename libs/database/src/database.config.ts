import { registerAs } from '@nestjs/config';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
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

  /**
   * Longest a statement may run (ms) before PostgreSQL cancels it and the request answers 503; the
   * client gives up (and discards the connection) 1 s later if the server does not answer at all.
   * 0 disables it (e.g. for an operator's long CLI job). Migrations and the streamed audit export are exempt.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(600_000)
  DATABASE_STATEMENT_TIMEOUT_MS?: number;

  /** Longest a request waits for a pooled connection, or for a new one to be established (ms). */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(60_000)
  DATABASE_CONNECT_TIMEOUT_MS?: number;

  @IsOptional()
  @IsString()
  DATA_DIR?: string;

  /**
   * true: the API applies pending migrations at start (as DATABASE_MIGRATION_URL, serialised by an
   * advisory lock). false: it only checks, as its own role, that none is pending, and refuses to start
   * otherwise; migrations are a release job (`cli migrate`), so API replicas never hold the owner's credentials.
   */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  DATABASE_MIGRATE_ON_START?: string;
}

export interface DatabaseConfig {
  /** True when no DATABASE_URL is configured and the embedded PostgreSQL is used. */
  embedded: boolean;
  url?: string;
  migrationUrl?: string;
  /** Apply pending migrations at start (else only check that none is pending). */
  migrateOnStart: boolean;
  poolSize: number;
  /** Statement timeout in ms (0: none). */
  statementTimeoutMs: number;
  /** Pool wait / connect timeout in ms. */
  connectTimeoutMs: number;
  dataDir: string;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

export function loadDatabaseConfig(env: Record<string, string | undefined> = process.env): DatabaseConfig {
  const v = validateEnv(DatabaseEnv, env);
  if (v.DATABASE_MIGRATION_URL && !v.DATABASE_URL) {
    throw new Error('Invalid configuration:\n  DATABASE_MIGRATION_URL: set DATABASE_URL too (the API connection)');
  }
  if (v.DATABASE_MIGRATE_ON_START === 'false' && !v.DATABASE_URL) {
    throw new Error(
      'Invalid configuration:\n  DATABASE_MIGRATE_ON_START: false needs DATABASE_URL (the embedded database is always migrated at start)',
    );
  }
  return {
    embedded: !v.DATABASE_URL,
    url: v.DATABASE_URL,
    migrationUrl: v.DATABASE_MIGRATION_URL ?? v.DATABASE_URL,
    migrateOnStart: v.DATABASE_MIGRATE_ON_START !== 'false',
    poolSize: v.DATABASE_POOL_SIZE ?? 10,
    statementTimeoutMs: v.DATABASE_STATEMENT_TIMEOUT_MS ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: v.DATABASE_CONNECT_TIMEOUT_MS ?? DEFAULT_CONNECT_TIMEOUT_MS,
    dataDir: resolve(v.DATA_DIR ?? '.data'),
  };
}

let migrationsForced = false;

/**
 * For the migrate command, which is the migration job: this process applies pending migrations
 * whatever DATABASE_MIGRATE_ON_START says (call before the application context is created).
 */
export function applyMigrationsInThisProcess(): void {
  migrationsForced = true;
}

export const databaseConfig = registerAs('database', () => {
  const config = loadDatabaseConfig();
  return migrationsForced ? { ...config, migrateOnStart: true } : config;
});
