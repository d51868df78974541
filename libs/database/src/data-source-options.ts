import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/**
 * THE one place TypeORM options are built, for the app and for the migration CLI alike.
 * Entities are registered by each lib through TypeOrmModule.forFeature (autoLoadEntities);
 * migrations are plain SQL and need none.
 */
export function dataSourceOptions(url: string, opts: { poolSize?: number; applicationName?: string } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    extra: {
      max: opts.poolSize ?? 10,
      application_name: opts.applicationName ?? 'ion-api',
      connectionTimeoutMillis: 5000,
    },
  };
}

/** Serialises concurrent migration runs (several API processes booting at once). */
const MIGRATION_LOCK_KEY = 726_300_100;

/** Applies pending migrations as the schema owner; returns the names applied. */
export async function runMigrations(ownerUrl: string): Promise<string[]> {
  const ds = new DataSource({ ...dataSourceOptions(ownerUrl, { poolSize: 2, applicationName: 'ion-migrate' }) });
  await ds.initialize();
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
    await ds.destroy();
  }
}

/**
 * For an API that does not migrate at start: the migrations this build expects that the database
 * has not applied, read as the API's own role. Throws when the database was never migrated.
 */
export async function pendingMigrations(appUrl: string): Promise<string[]> {
  const ds = new DataSource({ ...dataSourceOptions(appUrl, { poolSize: 1, applicationName: 'ion-api-migration-check' }) });
  await ds.initialize();
  try {
    const rows: Array<{ name: string }> = await ds.query('SELECT name FROM schema_migrations').catch((e: { code?: string }) => {
      if (e.code === '42P01') throw new Error('The database has not been migrated: run the migrations (cli migrate) first.');
      if (e.code === '42501') {
        throw new Error('The API role may not read schema_migrations (a database migrated by an older release): run the migrations (cli migrate) first.');
      }
      throw e;
    });
    const applied = new Set(rows.map((r) => r.name));
    return MIGRATIONS.map((M) => new M().name ?? M.name).filter((name) => !applied.has(name));
  } finally {
    await ds.destroy();
  }
}
