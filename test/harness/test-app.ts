import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../apps/api/src/app.module';
import { APP_OPTIONS, configureApp } from '../../apps/api/src/app.setup';
import { UsersService } from '@app/auth';
import { freePort } from '@app/database';
import { DIST_API, TEMPLATE_DB } from './paths';
import { TcpProxy } from './tcp-proxy';
import { storageUnderTest, TestStorage } from './test-storage';
import { CephTestStorage } from './ceph-storage';
import type { Role } from '@app/common';
import { SUBMIT_ATTESTATION } from '../../libs/cases/src/order-rules';

export interface TestUser {
  id: string;
  username: string;
  password: string;
  role: Role;
  district: number | null;
  office: 'CCSAO' | 'CITY_LAW' | null;
  token: string;
  /** `{ Authorization: 'Bearer …' }` */
  auth: { Authorization: string };
}

export interface TestApp {
  app: INestApplication;
  http: () => TestAgent;
  /** Superuser (schema owner) connection to this suite's database, for assertions and fixtures. */
  owner: Pool;
  /** The API's own database role, for checks of what the application itself may do. */
  appRole: Pool;
  dbName: string;
  /** The suite's own S3-protocol server and bucket. */
  storage: TestStorage;
  /** With `storageProxy: true`: the TCP proxy between the API and storage, to cut and restore. */
  storageProxy?: TcpProxy;
  given: Given;
  close(): Promise<void>;
}

function url(template: string | undefined, db: string): string {
  if (!template) throw new Error('The e2e harness did not run (ION_TEST_OWNER_URL unset): run tests through jest.');
  return template.replace('__DB__', db);
}

/** A fresh database cloned from the migrated template; names without "test" are refused. */
export async function createTestDatabase(): Promise<string> {
  const name = `ion_test_${randomBytes(6).toString('hex')}`;
  if (!name.includes('test')) throw new Error(`Refusing to use database ${name}: its name lacks "test"`);
  const admin = new Client({ connectionString: url(process.env.ION_TEST_OWNER_URL, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  return name;
}

export function databaseUrls(dbName: string): { owner: string; app: string } {
  if (!dbName.includes('test')) throw new Error(`Refusing to use database ${dbName}: its name lacks "test"`);
  return {
    owner: url(process.env.ION_TEST_OWNER_URL, dbName),
    app: url(process.env.ION_TEST_APP_URL, dbName),
  };
}

/** The suite process's JWT secret and Ed25519 signing key (real deployments configure both). */
export function ensureSecrets(): { JWT_SECRET: string; SIGNING_PRIVATE_KEY: string } {
  process.env.JWT_SECRET ??= randomBytes(32).toString('hex');
  process.env.SIGNING_PRIVATE_KEY ??= generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return { JWT_SECRET: process.env.JWT_SECRET, SIGNING_PRIVATE_KEY: process.env.SIGNING_PRIVATE_KEY };
}

/**
 * Settings every API the harness starts gets unless a suite overrides them: rate limits far above
 * what the suites' own traffic from 127.0.0.1 reaches (the rate-limit tests set their own), and no
 * JSON request logs (they would drown jest's output; errors still reach Nest's console logger).
 */
export const HARNESS_ENV: Readonly<Record<string, string>> = {
  LOGIN_RATE_LIMIT: '100000',
  UPLOAD_RATE_LIMIT: '100000',
  LOG_LEVEL: 'silent',
};

/** Environment for a built entry point (main.js, cli.js) on this suite's database and storage. */
export function processEnv(dbName: string, storage: TestStorage): Record<string, string> {
  const urls = databaseUrls(dbName);
  return {
    PATH: process.env.PATH ?? '',
    NO_COLOR: '1',
    DATABASE_URL: urls.app,
    DATABASE_MIGRATION_URL: urls.owner,
    ...HARNESS_ENV,
    LOG_LEVEL: 'warn',
    ...ensureSecrets(),
    ...storage.env(),
  };
}

/** Boots the real AppModule, configured exactly as main.ts does, against `dbName` (or explicit URLs). */
export async function bootApp(
  dbName: string,
  urls = databaseUrls(dbName),
  storageEnv: Record<string, string> = {},
): Promise<INestApplication> {
  ensureSecrets();
  // Configuration is read while the module initialises; the suite's settings must not leak into the next suite.
  const env = { ...HARNESS_ENV, DATABASE_URL: urls.app, DATABASE_MIGRATION_URL: urls.owner, ...storageEnv };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ ...APP_OPTIONS, logger: ['error'] });
    configureApp(app);
    await app.init();
    return app;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export interface ApiProcess {
  url: string;
  http: () => TestAgent;
  /** The last 64 KB the process wrote to stdout and stderr. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A second, separate API process (the built main.js, as `npm start` runs it) on the same
 * database: what "several API processes sharing one database" means in production.
 */
export async function startApiProcess(
  dbName: string,
  storage: TestStorage,
  extraEnv: Record<string, string | undefined> = {},
): Promise<ApiProcess & { pid: number }> {
  const main = join(DIST_API, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: npm test builds it first (npm run build)`);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--heap-growing-percent=300', main], {
    // An undefined value in extraEnv removes that setting.
    env: Object.fromEntries(
      Object.entries({ ...processEnv(dbName, storage), PORT: String(port), HOST: '127.0.0.1', ...extraEnv }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    ),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (e?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(`API process did not start within 30 s:\n${output}`));
    }, 30_000);
    // Keep the last 64 KB of its output for error messages; the JSON logs of a long test run are not kept.
    const onData = (d: Buffer) => {
      output = (output + d.toString()).slice(-65536);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => finish(new Error(`API process exited with ${code}:\n${output}`)));
    // Ready when it answers its health endpoint (200, or 503 naming a dependency: listening either way).
    const poll = () => {
      if (settled) return;
      request(url)
        .get('/api/v1/health')
        .timeout(2000)
        .then(
          () => finish(),
          () => setTimeout(poll, 100),
        );
    };
    poll();
  });
  return {
    url,
    pid: child.pid!,
    http: () => request(url),
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(); // exited, or killed by a test
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function createTestApp(
  opts: {
    env?: Record<string, string>;
    storageProxy?: boolean;
    storage?: 's3rver' | 'ceph';
    objectLock?: boolean;
  } = {},
): Promise<TestApp> {
  const dbName = await createTestDatabase();
  // 'ceph': a bucket of the suite's own (with Object Lock unless objectLock: false) on the run's Ceph RGW.
  // Unset: the engine the run is for (ION_TEST_STORAGE; s3rver by default, Ceph in the e2e-ceph project).
  const engine = opts.storage ?? storageUnderTest();
  const storage =
    engine === 'ceph' ? await CephTestStorage.start({ objectLock: opts.objectLock }) : await TestStorage.start();
  let storageProxy: TcpProxy | undefined;
  let endpoint = storage.endpoint;
  if (opts.storageProxy) {
    storageProxy = new TcpProxy('127.0.0.1', storage.port);
    endpoint = `http://127.0.0.1:${await storageProxy.start()}`;
  }
  const app = await bootApp(dbName, databaseUrls(dbName), { ...storage.env(endpoint), ...opts.env });
  const urls = databaseUrls(dbName);
  const owner = new Pool({ connectionString: urls.owner, max: 3 });
  const appRole = new Pool({ connectionString: urls.app, max: 2 });
  // An idle client dropped by the server (a suite restarting or cutting PostgreSQL) must not crash the worker.
  for (const pool of [owner, appRole]) pool.on('error', () => undefined);
  const http = () => request(app.getHttpServer());
  const given = new Given(app, http);
  return {
    app,
    http,
    owner,
    appRole,
    dbName,
    storage,
    storageProxy,
    given,
    async close() {
      await storageProxy?.restore();
      await app.close();
      await storageProxy?.cut();
      await owner.end();
      await appRole.end();
      await storage.stop();
    },
  };
}

export const FULL_CASE = {
  origin: 'WITNESSED',
  incidentAt: '2026-11-20T14:05:00-06:00',
  incidentLocation: '3300 W Fullerton Ave, Chicago',
  activityType: 'ARREST',
  agencies: ['ICE_ERO'],
  narrative: 'Masked agents detained a man at a bus stop and refused to identify themselves.',
  injuriesReported: false,
  noFootageReason: 'Body-worn camera was not yet issued to the reporting officer.',
};

/** The body of POST /cases/:id/submit: the author's attestation as the console sends it (issue 16). */
export const SUBMIT_BODY = { attestation: { ...SUBMIT_ATTESTATION } };

export const SUPERVISOR_RECORD = {
  officers: [
    {
      isSupervisor: true,
      name: 'J. Smith',
      agency: 'ICE_ERO',
      badgeNumber: 'F-123',
      identificationOutcome: 'PARTIAL',
      identificationMethod: 'Asked for name and badge; name given verbally, badge covered',
      masked: true,
      badgeDisplayed: false,
      bodyCameraWorn: false,
    },
  ],
};

/** Factories that keep tests short. Users are created through the real UsersService and log in over HTTP. */
export class Given {
  private n = 0;

  constructor(
    private readonly app: INestApplication,
    private readonly http: () => TestAgent,
  ) {}

  async user(role: Role, opts: { district?: number; office?: 'CCSAO' | 'CITY_LAW' } = {}): Promise<TestUser> {
    const username = `${role.toLowerCase()}-${++this.n}-${randomUUID().slice(0, 8)}`;
    const password = `pw-${randomBytes(9).toString('hex')}`;
    const district = role === 'OFFICER' || role === 'SUPERVISOR' ? (opts.district ?? 1) : null;
    const office = role === 'PROSECUTOR' ? (opts.office ?? 'CCSAO') : null;
    const view = await this.app.get(UsersService).create('SYSTEM', {
      username,
      password,
      role,
      district,
      office,
      displayName: `Test ${role} ${this.n}`,
    });
    const token = await this.login(username, password);
    return {
      id: view.id,
      username,
      password,
      role,
      district,
      office,
      token,
      auth: { Authorization: `Bearer ${token}` },
    };
  }

  officer(district = 1) {
    return this.user('OFFICER', { district });
  }
  supervisor(district = 1) {
    return this.user('SUPERVISOR', { district });
  }
  prosecutor(office: 'CCSAO' | 'CITY_LAW' = 'CCSAO') {
    return this.user('PROSECUTOR', { office });
  }
  auditor() {
    return this.user('AUDITOR');
  }
  admin() {
    return this.user('ADMIN');
  }

  async login(username: string, password: string): Promise<string> {
    const res = await this.http().post('/api/v1/auth/login').send({ username, password });
    if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.accessToken;
  }

  /** A DRAFT case opened through the API. */
  async draftCase(
    author: TestUser,
    fields: Record<string, unknown> = {},
  ): Promise<{ id: string; version: number; caseNumber: string }> {
    const res = await this.http().post('/api/v1/cases').set(author.auth).send(fields);
    if (res.status !== 201) throw new Error(`create case failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** A DRAFT case whose checklist is complete. */
  async caseReadyToSubmit(author: TestUser): Promise<{ id: string; version: number; caseNumber: string }> {
    const c = await this.draftCase(author, FULL_CASE);
    const res = await this.http()
      .put(`/api/v1/cases/${c.id}/federal-officers`)
      .set(author.auth)
      .set('If-Match', `"${c.version}"`)
      .send(SUPERVISOR_RECORD);
    if (res.status !== 200) throw new Error(`federal officers failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async submittedCase(author: TestUser): Promise<{ id: string; version: number; caseNumber: string }> {
    const c = await this.caseReadyToSubmit(author);
    const res = await this.http().post(`/api/v1/cases/${c.id}/submit`).set(author.auth).send(SUBMIT_BODY);
    if (res.status !== 200) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** An evidence item uploaded through the API (raw body). */
  async evidence(
    uploader: TestUser,
    caseId: string,
    bytes: Buffer = randomBytes(4096),
    query = 'kind=BWC&deviceId=AXON-TEST-1',
  ): Promise<{ id: string; sha256: string; sizeBytes: number; caseId: string }> {
    const res = await this.http()
      .post(`/api/v1/cases/${caseId}/evidence?${query}`)
      .set(uploader.auth)
      .set('Content-Type', 'application/octet-stream')
      .send(bytes);
    if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async approvedCase(
    author: TestUser,
    supervisor: TestUser,
  ): Promise<{ id: string; version: number; caseNumber: string }> {
    const c = await this.submittedCase(author);
    const res = await this.http().post(`/api/v1/cases/${c.id}/approve`).set(supervisor.auth).send({});
    if (res.status !== 200) throw new Error(`approve failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Submits an existing case as its author (DRAFT/RETURNED -> SUBMITTED). */
  async submit(author: TestUser, caseId: string): Promise<{ id: string; version: number; caseNumber: string }> {
    const res = await this.http().post(`/api/v1/cases/${caseId}/submit`).set(author.auth).send(SUBMIT_BODY);
    if (res.status !== 200) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Approves an existing SUBMITTED case (the supervisor must not be its author). */
  async approve(
    supervisor: TestUser,
    caseId: string,
  ): Promise<{ id: string; version: number; caseNumber: string; status: string }> {
    const res = await this.http().post(`/api/v1/cases/${caseId}/approve`).set(supervisor.auth).send({});
    if (res.status !== 200) throw new Error(`approve failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Withdraws a DRAFT, SUBMITTED or RETURNED case as a supervisor of its district (case -> WITHDRAWN). */
  async withdraw(
    supervisor: TestUser,
    caseId: string,
    version: number,
    reason = 'Opened by mistake: a duplicate of another case.',
  ) {
    const res = await this.http()
      .post(`/api/v1/cases/${caseId}/withdraw`)
      .set(supervisor.auth)
      .set('If-Match', `"${version}"`)
      .send({ reason });
    if (res.status !== 200) throw new Error(`withdraw failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; version: number; caseNumber: string; status: string };
  }

  /** Sends an APPROVED case to prosecutors (case -> REFERRED); returns the packet. */
  async sendPacket(
    sender: TestUser,
    caseId: string,
    office: 'CCSAO' | 'CITY_LAW' = 'CCSAO',
  ): Promise<{
    id: string;
    caseId: string;
    caseNumber: string;
    version: number;
    office: string;
    status: string;
    manifestSha256: string;
  }> {
    const res = await this.http().post(`/api/v1/cases/${caseId}/packets`).set(sender.auth).send({ office });
    if (res.status !== 201) throw new Error(`send packet failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /**
   * A complete case authored and submitted by `author`, approved by `supervisor` (a supervisor of
   * the district who is not the author) and sent by that supervisor to `office`; returns the packet.
   */
  async sentPacket(author: TestUser, supervisor: TestUser, office: 'CCSAO' | 'CITY_LAW' = 'CCSAO') {
    const c = await this.approvedCase(author, supervisor);
    return this.sendPacket(supervisor, c.id, office);
  }

  /**
   * Issue 15: a complete case of `author` recording two federal officers with badges no other case has
   * (two entries of the personnel index), approved by `supervisor` and sent to `office`.
   */
  async personnelEntries(author: TestUser, supervisor: TestUser, office: 'CCSAO' | 'CITY_LAW' = 'CCSAO') {
    const c = await this.caseReadyToSubmit(author);
    const badge = () => `PX-${randomUUID().slice(0, 8)}`;
    const officers = [
      { ...SUPERVISOR_RECORD.officers[0], badgeNumber: badge() },
      { isSupervisor: false, agency: 'CBP', badgeNumber: badge(), name: 'A. Agent' },
    ];
    const res = await this.http()
      .put(`/api/v1/cases/${c.id}/federal-officers`)
      .set(author.auth)
      .set('If-Match', `"${c.version}"`)
      .send({ officers });
    if (res.status !== 200) throw new Error(`federal officers failed: ${res.status} ${JSON.stringify(res.body)}`);
    await this.submit(author, c.id);
    await this.approve(supervisor, c.id);
    const p = await this.sendPacket(supervisor, c.id, office);
    const idOf = async (badge: string) => {
      const res = await this.http().get('/api/v1/federal-personnel').query({ q: badge }).set(supervisor.auth);
      if (res.status !== 200 || res.body.items.length !== 1)
        throw new Error(`personnel entry ${badge}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.items[0].id as string;
    };
    const [entryId, otherEntryId] = [await idOf(officers[0].badgeNumber), await idOf(officers[1].badgeNumber)];
    return { caseId: c.id, packetId: p.id, entryId, otherEntryId };
  }

  /** Links two entries of the personnel index as `linker`; returns the link. */
  async personnelLink(linker: TestUser, entryId: string, otherId: string): Promise<{ id: string }> {
    const res = await this.http()
      .post(`/api/v1/federal-personnel/${entryId}/links`)
      .set(linker.auth)
      .send({ otherId, reason: 'Same badge photo in both BWC recordings.' });
    if (res.status !== 201) throw new Error(`link failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Claims a PENDING packet for review (packet and case -> IN_REVIEW); returns the packet. */
  async claim(
    prosecutor: TestUser,
    packetId: string,
  ): Promise<{ id: string; caseId: string; status: string; review: { claimedBy: string | null } }> {
    const res = await this.http().post(`/api/v1/packets/${packetId}/claim`).set(prosecutor.auth).send({});
    if (res.status !== 200) throw new Error(`claim failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Decides a packet `prosecutor` claimed (issue 16 fixtures); returns the packet. */
  async decide(
    prosecutor: TestUser,
    packetId: string,
    body: { decision: string; reason: string; externalReference?: string },
  ): Promise<{ id: string; caseId: string }> {
    const res = await this.http().post(`/api/v1/packets/${packetId}/decision`).set(prosecutor.auth).send(body);
    if (res.status !== 200) throw new Error(`decision failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** A tus upload (issue 18) of `length` bytes created by `uploader` on a case; nothing sent yet. Returns the creation's body. */
  async tusUpload(
    uploader: TestUser,
    caseId: string,
    length: number,
    metadata = `kind ${Buffer.from('BWC').toString('base64')}`,
  ): Promise<{ uploadId: string; caseId: string; uploadLength: number; location: string }> {
    const res = await this.http()
      .post(`/api/v1/cases/${caseId}/evidence/uploads`)
      .set(uploader.auth)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(length))
      .set('Upload-Metadata', metadata);
    if (res.status !== 201) throw new Error(`tus upload creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** A download or playback ticket for an evidence item (issue 18); returns { ticket, url, purpose, expiresAt }. */
  async ticket(
    holder: TestUser,
    evidenceId: string,
    purpose: 'PLAYBACK' | 'DOWNLOAD' = 'DOWNLOAD',
  ): Promise<{ ticket: string; url: string; purpose: string; expiresAt: string }> {
    const res = await this.http().post(`/api/v1/evidence/${evidenceId}/tickets`).set(holder.auth).send({ purpose });
    if (res.status !== 201) throw new Error(`ticket failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

/** Audit rows as stored, oldest first (owner connection: reads what the database holds). */
export async function auditRows(db: Pool, where = 'true', params: unknown[] = []): Promise<Record<string, any>[]> {
  const { rows } = await db.query(`SELECT * FROM audit_events WHERE ${where} ORDER BY seq`, params);
  return rows;
}
