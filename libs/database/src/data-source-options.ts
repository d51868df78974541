import { Client, ClientConfig } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from './database.config';
import { MIGRATIONS } from './migrations';

/** How much later than the server's statement_timeout the client itself gives up on an unanswered query. */
export const CLIENT_TIMEOUT_MARGIN_MS = 1_000;
/** query_timeout for a statement exempt from the client's timeout (a streamed export): the longest a timer may be. */
export const UNBOUNDED_QUERY_TIMEOUT_MS = 2_147_483_647;
/** The message node-postgres rejects a query with when query_timeout passes. */
export const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * A pg client that discards its connection when a query got no answer within query_timeout. node-postgres
 * rejects the query but keeps the connection, whose state is then unknown (a BEGIN the server ran late
 * would leave the next borrower inside a stale transaction): closing it ends the session server-side
 * and the pool opens a fresh one.
 */
export class DiscardOnTimeoutClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    const discardOnTimeout = (e: unknown) => {
      if (e instanceof Error && e.message === QUERY_READ_TIMEOUT) {
        (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      }
    };
    (this as { query: unknown }).query = (...args: unknown[]) => {
      const last = args.length - 1;
      if (typeof args[last] === 'function') {
        const cb = args[last] as (e: unknown, ...rest: unknown[]) => void;
        args[last] = (e: unknown, ...rest: unknown[]) => {
          discardOnTimeout(e);
          cb(e, ...rest);
        };
      }
      const result = query(...args);
      if (result instanceof Promise) result.catch(discardOnTimeout);
      return result;
    };
  }
}

/**
 * THE one place TypeORM options are built, for the app and for the migration CLI alike.
 * Entities are registered by each lib through TypeOrmModule.forFeature (autoLoadEntities);
 * migrations are plain SQL and need none.
 *
 * Every statement is bounded: PostgreSQL cancels one running longer than statementTimeoutMs (57014,
 * answered 503), and if the server does not answer at all (stalled, network black hole) the client gives
 * up CLIENT_TIMEOUT_MARGIN_MS later and discards the connection. Waiting for a pooled connection, or for a
 * new one, is bounded by connectTimeoutMs. 0 disables the statement bound: migrations pass 0 (index builds
 * may take long; the advisory lock waits for another migrator), and the streamed audit export lifts it
 * for its own transaction (SET LOCAL) and statements.
 */
export function dataSourceOptions(
  url: string,
  opts: { poolSize?: number; applicationName?: string; statementTimeoutMs?: number; connectTimeoutMs?: number } = {},
): DataSourceOptions {
  const statementTimeout = opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
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
      connectionTimeoutMillis: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      Client: DiscardOnTimeoutClient,
      ...(statementTimeout > 0
        ? { statement_timeout: statementTimeout, query_timeout: statementTimeout + CLIENT_TIMEOUT_MARGIN_MS }
        : {}),
    },
  };
}

/** Serialises concurrent migration runs (several API processes booting at once). */
const MIGRATION_LOCK_KEY = 726_300_100;

/** Applies pending migrations as the schema owner; returns the names applied. */
export async function runMigrations(ownerUrl: string): Promise<string[]> {
  const ds = new DataSource({
    ...dataSourceOptions(ownerUrl, { poolSize: 2, applicationName: 'ion-migrate', statementTimeoutMs: 0 }),
  });
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
  const ds = new DataSource({
    ...dataSourceOptions(appUrl, { poolSize: 1, applicationName: 'ion-api-migration-check' }),
  });
  await ds.initialize();
  try {
    const rows: Array<{ name: string }> = await ds
      .query('SELECT name FROM schema_migrations')
      .catch((e: { code?: string }) => {
        if (e.code === '42P01')
          throw new Error('The database has not been migrated: run the migrations (cli migrate) first.');
        if (e.code === '42501') {
          throw new Error(
            'The API role may not read schema_migrations (a database migrated by an older release): run the migrations (cli migrate) first.',
          );
        }
        throw e;
      });
    const applied = new Set(rows.map((r) => r.name));
    return MIGRATIONS.map((M) => new M().name ?? M.name).filter((name) => !applied.has(name));
  } finally {
    await ds.destroy();
  }
}
