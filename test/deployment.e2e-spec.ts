import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadAuditConfig } from '@app/audit';
import { loadAuthConfig } from '@app/auth/auth.config';
import { loadDatabaseConfig } from '@app/database';
import { loadEvidenceConfig } from '@app/evidence';
import { loadPacketsConfig } from '@app/packets';
import { loadSigningConfig } from '@app/signing';
import { loadStorageConfig } from '@app/storage';
import { loadAppConfig } from '../apps/api/src/app.config';

/**
 * The deployment files (docker/Dockerfile, docker/compose.yml, .dockerignore, the init scripts)
 * checked against the code they deploy. No container engine is needed: the files are parsed, and
 * the compose environment is fed to the service's own configuration loaders. Each checker returns
 * the problems it finds; the last block feeds them broken copies to show that they do find them.
 */

const ROOT = resolve(__dirname, '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
type Env = Record<string, string>;

// ---------- what the service reads ----------

/** Every setting name declared in the validated env classes (`class XxxEnv { NAME?: ... }`) of every config file. */
function settingsTheAppReads(): Set<string> {
  const files = [join(ROOT, 'apps/api/src/app.config.ts')];
  for (const lib of readdirSync(join(ROOT, 'libs'))) {
    const src = join(ROOT, 'libs', lib, 'src');
    if (!existsSync(src)) continue;
    for (const f of readdirSync(src)) if (f.endsWith('.config.ts')) files.push(join(src, f));
  }
  const names = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const cls of text.matchAll(/class \w+Env \{([\s\S]*?)\n\}/g)) {
      for (const m of cls[1].matchAll(/^\s+([A-Z][A-Z0-9_]*)\??:/gm)) names.add(m[1]);
    }
  }
  return names;
}

/** Runs every configuration loader on `env`, as boot does; throws the first "Invalid configuration". */
function loadAll(env: Env) {
  return {
    app: loadAppConfig(env),
    database: loadDatabaseConfig(env),
    auth: loadAuthConfig(env),
    signing: loadSigningConfig(env),
    storage: loadStorageConfig(env),
    audit: loadAuditConfig(env),
    evidence: loadEvidenceConfig(env),
    packets: loadPacketsConfig(env),
  };
}

// ---------- Dockerfile ----------

interface Instruction {
  op: string;
  args: string;
  stage: number;
}
interface Dockerfile {
  instructions: Instruction[];
  stages: { name: string; image: string }[];
  argDefaults: Env;
}

function parseDockerfile(text: string): Dockerfile {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: Dockerfile = { instructions: [], stages: [], argDefaults: {} };
  let stage = -1;
  for (const line of lines) {
    const op = line.split(/\s+/, 1)[0].toUpperCase();
    const args = line.slice(op.length).trim();
    if (op === 'ARG' && stage < 0) {
      const [k, v] = args.split('=');
      if (v !== undefined) out.argDefaults[k] = v;
    }
    if (op === 'FROM') {
      stage++;
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      const image = (m?.[1] ?? args).replace(/\$\{(\w+)\}/g, (_, k: string) => out.argDefaults[k] ?? '');
      out.stages.push({ name: m?.[2] ?? String(stage), image });
    }
    out.instructions.push({ op, args, stage });
  }
  return out;
}

function execForm(args: string): string[] | null {
  try {
    const v = JSON.parse(args);
    return Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** A docker image reference pinned to a version: a tag other than latest (or a digest). */
function pinnedImageProblem(ref: string): string | null {
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return null;
  const tag = /:([^/:]+)$/.exec(ref)?.[1];
  if (!tag) return `image ${ref} has no tag`;
  if (tag === 'latest' || !/\d/.test(tag)) return `image ${ref} is not pinned to a version`;
  return null;
}

const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL)/i;
const SECRET_VALUE = /-----BEGIN [A-Z ]*PRIVATE KEY-----|\b[0-9a-f]{32,}\b|\bAKIA[0-9A-Z]{16}\b/;

function dockerfileProblems(
  df: Dockerfile,
  opts: { exists: (p: string) => boolean; ignored: (p: string) => boolean },
): string[] {
  const problems: string[] = [];
  const last = df.stages.length - 1;
  const final = df.instructions.filter((i) => i.stage === last);
  const stageNames = new Set(df.stages.map((s) => s.name));
  if (df.stages.length < 2) problems.push('not multi-stage');
  for (const s of df.stages) {
    const p = pinnedImageProblem(s.image);
    if (p) problems.push(p);
    const node = /^node:(\d+)\.(\d+)/.exec(s.image);
    if (!node)
      problems.push(`stage ${s.name}: base image ${s.image} is not an official node image with an exact version`);
    else if (Number(node[1]) !== 24)
      problems.push(`stage ${s.name}: ${s.image} is not Node 24 (the supported LTS line)`);
  }
  const users = final.filter((i) => i.op === 'USER').map((i) => i.args);
  const user = users[users.length - 1];
  if (!user) problems.push('final stage has no USER');
  else if (/^(root|0)(:|$)/.test(user)) problems.push(`final stage runs as ${user}`);

  const hc = final.find((i) => i.op === 'HEALTHCHECK');
  if (!hc || /^NONE$/i.test(hc.args)) problems.push('final stage has no HEALTHCHECK');
  else if (!hc.args.includes('/api/v1/health')) problems.push('HEALTHCHECK does not call /api/v1/health');
  else if (/\bcurl\b|\bwget\b/.test(hc.args)) problems.push('HEALTHCHECK needs curl/wget, which the slim image lacks');

  const env: Env = {};
  for (const i of final.filter((x) => x.op === 'ENV'))
    for (const m of i.args.matchAll(/(\w+)=(\S+)/g)) env[m[1]] = m[2];
  if (env.NODE_ENV !== 'production') problems.push('final stage lacks NODE_ENV=production');
  if (env.HOST !== '0.0.0.0') problems.push('final stage lacks HOST=0.0.0.0 (the API listens on loopback by default)');
  const exposed = final.filter((i) => i.op === 'EXPOSE').map((i) => i.args);
  if (!exposed.includes(env.PORT ?? '3000'))
    problems.push(`EXPOSE ${exposed.join(',')} is not the API's port ${env.PORT ?? 3000}`);

  const cmd = execForm(final.find((i) => i.op === 'CMD')?.args ?? '');
  if (!cmd) problems.push('final stage has no exec-form CMD');
  else {
    if (cmd[0] !== 'node') problems.push(`CMD starts ${cmd[0]}, not node`);
    // WORKDIR holds what the repository root holds after npm run build; node's own options come before the script
    const script = cmd.slice(1).find((a) => !a.startsWith('-'));
    if (script && !opts.exists(script)) problems.push(`CMD runs ${script}, which npm run build does not produce`);
  }
  const entry = execForm(final.find((i) => i.op === 'ENTRYPOINT')?.args ?? '') ?? [];
  if (!entry.some((e) => /tini|dumb-init/.test(e)))
    problems.push('no init process (tini or dumb-init) as ENTRYPOINT: node would be PID 1');

  const runs = (stage: number) =>
    df.instructions
      .filter((i) => i.stage === stage && i.op === 'RUN')
      .map((i) => i.args)
      .join('\n');
  const all = df.instructions
    .filter((i) => i.op === 'RUN')
    .map((i) => i.args)
    .join('\n');
  if (/\bnpm ci\b/.test(all))
    problems.push("npm ci fails on this lockfile (other platforms' optional binaries): use npm install");
  if (!/npm run build/.test(all)) problems.push('no stage runs npm run build');
  // the dependencies the final stage ships: installed with --omit=dev, in it or in the stage it copies node_modules from
  const nm = final.find((i) => i.op === 'COPY' && /\bnode_modules\b/.test(i.args));
  const from = nm && /--from=(\S+)/.exec(nm.args)?.[1];
  const depStage = from ? df.stages.findIndex((s) => s.name === from) : last;
  if (!/npm install\b[^\n]*--omit=dev/.test(runs(depStage)))
    problems.push('the shipped node_modules are not a production install (npm install --omit=dev)');
  const distCopy = final.find((i) => i.op === 'COPY' && /\bdist\b/.test(i.args));
  if (!distCopy || !/--from=/.test(distCopy.args))
    problems.push('the final stage does not copy dist from the build stage');

  for (const i of df.instructions.filter((x) => x.op === 'COPY' || x.op === 'ADD')) {
    const parts = i.args.split(/\s+/);
    const flags = parts.filter((p) => p.startsWith('--'));
    const paths = parts.filter((p) => !p.startsWith('--'));
    const fromFlag = flags.find((f) => f.startsWith('--from='));
    if (fromFlag) {
      if (!stageNames.has(fromFlag.slice(7))) problems.push(`COPY ${fromFlag}: no such stage`);
      continue;
    }
    for (const src of paths.slice(0, -1)) {
      if (!opts.exists(src)) problems.push(`COPY ${src}: not in the repository`);
      else if (opts.ignored(src)) problems.push(`COPY ${src}: excluded by .dockerignore`);
    }
  }
  for (const i of df.instructions.filter((x) => x.op === 'ENV' || x.op === 'ARG')) {
    for (const m of i.args.matchAll(/(\w+)=(\S*)/g))
      if (SECRET_NAME.test(m[1])) problems.push(`${i.op} ${m[1]} bakes a secret into the image`);
  }
  for (const i of df.instructions)
    if (SECRET_VALUE.test(i.args)) problems.push(`${i.op} holds what looks like a key or secret`);
  return problems;
}

// ---------- .dockerignore ----------

/** Docker's matcher, for the patterns this repository uses: `**`, `*`, `?`, leading `!`; a match on a directory covers what is under it. */
function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, ''));
      const re = pattern
        .split('/')
        .map((seg) =>
          seg === '**'
            ? '.*'
            : seg
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return { negate, re: new RegExp(`^${re}$`) };
    });
  return (path: string) => {
    const p = posix.normalize(path).replace(/^\.\//, '').replace(/\/$/, '');
    const prefixes = p.split('/').map((_, i, a) => a.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const r of rules) if (prefixes.some((q) => r.re.test(q))) excluded = !r.negate;
    return excluded;
  };
}

// ---------- compose.yml ----------

/** Compose's interpolation: ${V}, ${V:-default}, ${V-default}, ${V:?error}, ${V?error}, $$. */
function interpolate(value: unknown, vars: Env): string {
  return String(value).replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (all, name?: string, op?: string, arg?: string) => {
      if (all === '$$') return '$';
      const v = vars[name!];
      const missing = v === undefined || (op?.startsWith(':') === true && v === '');
      if (op?.endsWith('?') && missing) throw new Error(`compose stops: ${name}: ${arg}`);
      if (op?.endsWith('-') && missing) return arg ?? '';
      return v ?? '';
    },
  );
}

/** Names compose requires (`${NAME:?...}` or `${NAME?...}`) anywhere in the file but its comments. */
function requiredVariables(composeText: string): string[] {
  const yamlOnly = composeText
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');
  return [...new Set([...yamlOnly.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => m[1]))].sort();
}

interface Compose {
  services: Record<string, Service>;
}
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  volumes?: string[];
  ports?: string[];
}

const APP_SERVICES = ['migrate', 'api'] as const;

/** Realistic values for what compose requires from docker/.env: generated like docker/.env.example says. */
function generatedDotenv(required: string[]): Env {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const vars: Env = {};
  for (const name of required) vars[name] = randomBytes(24).toString('hex');
  if ('JWT_SECRET' in vars) vars.JWT_SECRET = randomBytes(32).toString('hex');
  if ('SIGNING_PRIVATE_KEY' in vars) vars.SIGNING_PRIVATE_KEY = pem.trimEnd().replace(/\n/g, '\\n'); // one line, as .env.example shows
  if ('S3_ACCESS_KEY' in vars) vars.S3_ACCESS_KEY = 'ion-api';
  return vars;
}

function serviceEnv(compose: Compose, service: string, vars: Env): Env {
  const env: Env = {};
  for (const [k, v] of Object.entries(compose.services[service]?.environment ?? {})) env[k] = interpolate(v, vars);
  return env;
}

function composeProblems(
  compose: Compose,
  composeText: string,
  ctx: {
    known: Set<string>;
    imageEnv: Env;
    exists: (p: string) => boolean;
    migrationRole: string;
  },
): string[] {
  const problems: string[] = [];
  const s = compose.services ?? {};
  for (const name of ['postgres', 'minio', 'minio-init', ...APP_SERVICES])
    if (!s[name]) problems.push(`no ${name} service`);
  if (problems.length) return problems;

  const vars = generatedDotenv(requiredVariables(composeText));
  for (const [name, svc] of Object.entries(s)) {
    if (!svc.image) {
      problems.push(`${name}: no image`);
      continue;
    }
    const p = pinnedImageProblem(interpolate(svc.image, vars));
    if (p) problems.push(`${name}: ${p}`);
  }
  if (!/^postgres:17(\.|-|$)/.test(s.postgres.image ?? ''))
    problems.push(`postgres: ${s.postgres.image} is not PostgreSQL 17`);

  // the app services: same image, built from this repository's Dockerfile
  for (const name of APP_SERVICES) {
    const b = s[name].build;
    if (
      !b ||
      !ctx.exists(posix.join('docker', b.context, b.dockerfile)) ||
      posix.normalize(posix.join('docker', b.context)) !== '.'
    ) {
      problems.push(`${name}: not built from the repository root with docker/Dockerfile`);
    }
  }
  if (s.migrate.image !== s.api.image) problems.push('migrate and api run different images');
  const cli = s.migrate.command ?? [];
  if (cli[0] !== 'node' || !ctx.exists(cli[1] ?? '') || cli[2] !== 'migrate')
    problems.push(`migrate: command ${JSON.stringify(cli)} is not the built migrate CLI`);
  if (s.migrate.healthcheck?.disable !== true)
    problems.push('migrate: the image HEALTHCHECK (an HTTP probe) should be disabled for the one-shot job');

  // environment: only settings the app reads; every required one present and valid, in non-embedded mode
  for (const name of APP_SERVICES) {
    const raw = s[name].environment ?? {};
    for (const key of Object.keys(raw))
      if (!ctx.known.has(key)) problems.push(`${name}: ${key} is not a setting the service reads`);
    for (const [key, value] of Object.entries(raw)) {
      const v = String(value);
      if (SECRET_VALUE.test(v)) problems.push(`${name}: ${key} holds a literal secret`);
      if (SECRET_NAME.test(key) && !/^\$\{[A-Z0-9_]+:?\?[^}]*\}$/.test(v))
        problems.push(`${name}: ${key} is not a required variable from the environment`);
      if (/^DATABASE(_MIGRATION)?_URL$/.test(key) && !/:\$\{[A-Z0-9_]+:?\?[^}]*\}@/.test(v))
        problems.push(`${name}: ${key}'s password is not a required variable`);
    }
    if (raw.STORAGE_REQUIRE_WORM !== 'true') problems.push(`${name}: STORAGE_REQUIRE_WORM is not literally "true"`);
    const env = { ...ctx.imageEnv, ...serviceEnv(compose, name, vars) };
    try {
      const c = loadAll(env);
      if (c.database.embedded)
        problems.push(`${name}: no DATABASE_URL (the embedded PostgreSQL is not in a production install)`);
      if (c.storage.embedded)
        problems.push(`${name}: no S3_ENDPOINT (the embedded S3 server is not in a production install)`);
      if (!c.storage.requireWorm) problems.push(`${name}: storage does not require WORM`);
      if (c.storage.createBucket)
        problems.push(`${name}: S3_CREATE_BUCKET is not false (minio-init creates the bucket with Object Lock)`);
      if (c.signing.source !== 'SIGNING_PRIVATE_KEY' && c.signing.source !== env.SIGNING_PRIVATE_KEY_FILE)
        problems.push(`${name}: no signing key configured`);
      else createPrivateKey(c.signing.privateKeyPem);
      if (c.app.host !== '0.0.0.0')
        problems.push(`${name}: listens on ${c.app.host}, unreachable from outside the container`);
      const appUser = new URL(c.database.url!).username;
      if (appUser === ctx.migrationRole) problems.push(`${name}: the API connects as the schema owner (${appUser})`);
      if (name === 'api') {
        // Replicas only check that the database is migrated; the owner's credentials stay with the migrate job.
        if (c.database.migrateOnStart)
          problems.push('api: DATABASE_MIGRATE_ON_START is not false (every replica would need the owner)');
        if (raw.DATABASE_MIGRATION_URL !== undefined)
          problems.push("api: holds the schema owner's credentials (DATABASE_MIGRATION_URL)");
      } else {
        const ownerUser =
          raw.DATABASE_MIGRATION_URL === undefined ? undefined : new URL(c.database.migrationUrl!).username;
        if (ownerUser !== ctx.migrationRole)
          problems.push(
            `${name}: migrations run as ${ownerUser ?? 'the API role'}, not the owner role ${ctx.migrationRole} the init script creates`,
          );
      }
    } catch (e) {
      problems.push(
        `${name}: the service would refuse this configuration: ${(e as Error).message.replace(/\s+/g, ' ')}`,
      );
    }
  }

  // start order
  const needs: [string, string, string][] = [
    ['api', 'postgres', 'service_healthy'],
    ['api', 'minio-init', 'service_completed_successfully'],
    ['api', 'migrate', 'service_completed_successfully'],
    ['migrate', 'postgres', 'service_healthy'],
    ['migrate', 'minio-init', 'service_completed_successfully'],
    ['minio-init', 'minio', 'service_healthy'],
  ];
  for (const [svc, dep, condition] of needs) {
    const got = s[svc].depends_on?.[dep]?.condition;
    if (got !== condition) problems.push(`${svc} depends on ${dep}: ${got ?? 'not at all'}, expected ${condition}`);
  }
  for (const svc of ['postgres', 'minio'])
    if (!s[svc].healthcheck?.test?.length) problems.push(`${svc}: no healthcheck`);
  if (!JSON.stringify(s.postgres.healthcheck?.test ?? []).includes('pg_isready'))
    problems.push('postgres: healthcheck does not use pg_isready');

  // the bucket: created with Object Lock by minio-init's script, the same bucket the API uses
  const script = (s['minio-init'].volumes ?? [])
    .map((v) => v.split(':'))
    .find(([, target]) => (s['minio-init'].entrypoint ?? []).includes(target));
  if (!script || !ctx.exists(posix.join('docker', script[0])))
    problems.push('minio-init: its script is not mounted from docker/');
  else if (!/mc mb [^\n]*--with-lock/.test(readFileSync(join(ROOT, 'docker', script[0]), 'utf8')))
    problems.push('minio-init: the bucket is not created with Object Lock (mc mb --with-lock)');
  if (
    interpolate(s['minio-init'].environment?.S3_BUCKET ?? '', vars) !==
    interpolate(s.api.environment?.S3_BUCKET ?? 'ion-evidence', vars)
  ) {
    problems.push('minio-init creates another bucket than the API uses');
  }

  // postgres roles: the init script creates the login roles the URLs use, the API's inside the group the migrations grant to
  const init = (s.postgres.volumes ?? [])
    .map((v) => v.split(':'))
    .find(([, target]) => target?.startsWith('/docker-entrypoint-initdb.d/'));
  if (!init || !ctx.exists(posix.join('docker', init[0])))
    problems.push('postgres: no init script mounted from docker/ into /docker-entrypoint-initdb.d');
  else {
    const sql = readFileSync(join(ROOT, 'docker', init[0]), 'utf8');
    const env = serviceEnv(compose, 'api', vars);
    const appUser = new URL(env.DATABASE_URL).username;
    if (!new RegExp(`CREATE ROLE ${appUser} LOGIN[^;]*IN ROLE ion_app`).test(sql))
      problems.push(`postgres: the init script does not create ${appUser} as a member of ion_app`);
    if (!/CREATE ROLE ion_app NOLOGIN/.test(sql)) problems.push('postgres: the init script does not create ion_app');
    if (!new RegExp(`CREATE ROLE ${ctx.migrationRole} LOGIN`).test(sql))
      problems.push(`postgres: the init script does not create ${ctx.migrationRole}`);
    if (/CREATE ROLE [^;]*\bSUPERUSER\b/.test(sql.replace(/NOSUPERUSER/g, '')))
      problems.push('postgres: the init script creates a superuser');
    if (SECRET_VALUE.test(sql)) problems.push('postgres: the init script holds a literal secret');
  }
  if (SECRET_VALUE.test(composeText)) problems.push('compose.yml holds what looks like a literal key or secret');
  return problems;
}

// ---------- the files ----------

const dockerfileText = read('docker/Dockerfile');
const dockerignoreText = read('.dockerignore');
const composeText = read('docker/compose.yml');
const exists = (p: string) => existsSync(join(ROOT, p));
const DIST = join(ROOT, 'dist', 'apps', 'api');
const ownerRole = (): string => {
  const m = /CREATE ROLE (\w+) LOGIN[^;]*NOSUPERUSER/.exec(read('docker/postgres/10-ion-roles.sh'));
  return m?.[1] ?? '(none)';
};

function context() {
  const df = parseDockerfile(dockerfileText);
  const last = df.stages.length - 1;
  const imageEnv: Env = {};
  for (const i of df.instructions.filter((x) => x.stage === last && x.op === 'ENV'))
    for (const m of i.args.matchAll(/(\w+)=(\S+)/g)) imageEnv[m[1]] = m[2];
  return { df, imageEnv, known: settingsTheAppReads(), ignored: dockerignoreMatcher(dockerignoreText) };
}

describe('deployment files (docker/, .dockerignore)', () => {
  it("reads the service's settings from its config classes", () => {
    const known = settingsTheAppReads();
    for (const name of [
      'DATABASE_URL',
      'DATABASE_MIGRATION_URL',
      'JWT_SECRET',
      'SIGNING_PRIVATE_KEY',
      'S3_ENDPOINT',
      'STORAGE_REQUIRE_WORM',
      'TRUST_PROXY',
      'HOST',
      'PORT',
    ]) {
      expect([...known]).toContain(name);
    }
  });

  it('Dockerfile: multi-stage, pinned Node 24, production deps, non-root, health check, init, no secrets; CMD is what npm run build produces', () => {
    if (!existsSync(join(DIST, 'apps/api/src/main.js')))
      throw new Error(`${DIST}/apps/api/src/main.js is missing: npm test builds it first (npm run build)`);
    const { df, ignored } = context();
    expect(dockerfileProblems(df, { exists, ignored })).toEqual([]);
    const cmd = execForm(df.instructions.filter((i) => i.op === 'CMD').pop()!.args);
    // As npm start runs it: with the V8 heap option that keeps streaming evidence from triggering full collections.
    expect(cmd).toEqual(['node', '--heap-growing-percent=300', 'dist/apps/api/apps/api/src/main.js']);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start).toBe(`${cmd!.join(' ')}`);
    expect(df.stages.length).toBeGreaterThanOrEqual(2);
  });

  it('.dockerignore keeps dependencies, build output, data, git, tests and secrets out, and what the build needs in', () => {
    const ignored = dockerignoreMatcher(dockerignoreText);
    for (const p of [
      'node_modules/argon2/package.json',
      'dist/apps/api/apps/api/src/main.js',
      '.data/keys/jwt-secret',
      '.git/HEAD',
      'coverage/lcov.info',
      '.env',
      'docker/.env',
      'docker/.env.example',
      'keys/signing-ed25519.pem',
      'apps/api/secret.key',
      'test/audit.e2e-spec.ts',
      'audit-week.ndjson',
      'packet.zip',
      'bwc-clip.mp4',
    ]) {
      expect([p, ignored(p)]).toEqual([p, true]);
    }
    for (const p of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'nest-cli.json',
      'apps/api/src/main.ts',
      'apps/api/tsconfig.app.json',
      'libs/storage/src/storage.service.ts',
      'libs/common/tsconfig.lib.json',
    ]) {
      expect([p, ignored(p)]).toEqual([p, false]);
    }
  });

  it('compose.yml: pinned images, start order, Object Lock bucket, roles, and an environment the service accepts with nothing embedded', () => {
    const { known, imageEnv } = context();
    const compose = parseYaml(composeText, { merge: true }) as Compose;
    expect(composeProblems(compose, composeText, { known, imageEnv, exists, migrationRole: ownerRole() })).toEqual([]);
    // the migrate job gets the API's settings (the CLI boots the same application context) plus the owner's URL
    const { DATABASE_MIGRATION_URL: ownerUrl, ...migrateRest } = compose.services.migrate.environment ?? {};
    expect(ownerUrl).toMatch(/^postgres:\/\/ion_owner:/);
    expect(migrateRest).toEqual(compose.services.api.environment);
    // the API's port is published, and is the image's
    expect(compose.services.api.ports?.some((p) => p.endsWith(`:${imageEnv.PORT}`))).toBe(true);
  });

  it('compose.yml: every secret must come from docker/.env, and the service refuses to start without each required one', () => {
    const { imageEnv } = context();
    const compose = parseYaml(composeText, { merge: true }) as Compose;
    const required = requiredVariables(composeText);
    expect(required).toEqual(
      expect.arrayContaining([
        'JWT_SECRET',
        'SIGNING_PRIVATE_KEY',
        'ION_API_DB_PASSWORD',
        'ION_OWNER_DB_PASSWORD',
        'S3_SECRET_KEY',
      ]),
    );
    const vars = generatedDotenv(required);
    for (const name of required) {
      const without = { ...vars };
      delete without[name];
      expect(
        () =>
          serviceEnv(compose, 'api', without) &&
          serviceEnv(compose, 'postgres', without) &&
          serviceEnv(compose, 'minio', without) &&
          serviceEnv(compose, 'minio-init', without),
      ).toThrow(`compose stops: ${name}`);
    }
    // the app's own required settings in non-embedded mode: each one's absence stops boot, naming it
    const env = { ...imageEnv, ...serviceEnv(compose, 'api', vars) };
    expect(() => loadAll(env)).not.toThrow();
    for (const name of ['JWT_SECRET', 'SIGNING_PRIVATE_KEY', 'S3_ACCESS_KEY', 'S3_SECRET_KEY']) {
      const without = { ...env };
      delete without[name];
      expect(() => loadAll(without)).toThrow(name);
    }
    const noDb = { ...env };
    delete noDb.DATABASE_URL;
    expect(() => loadAll(noDb)).toThrow('DATABASE_URL');
  });

  it('docker/.env.example lists every variable compose requires, with no value filled in', () => {
    const example = read('docker/.env.example');
    const entries = new Map([...example.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    for (const name of requiredVariables(composeText)) {
      expect([name, entries.has(name)]).toEqual([name, true]);
      if (SECRET_NAME.test(name)) expect([name, entries.get(name)]).toEqual([name, '']);
    }
    expect(SECRET_VALUE.test(example)).toBe(false);
    expect(example).toMatch(/openssl rand -hex 32/);
    expect(example).toMatch(/openssl genpkey -algorithm ed25519/);
  });

  it('the init scripts are executable shell scripts that take their passwords from the environment', () => {
    for (const p of ['docker/postgres/10-ion-roles.sh', 'docker/minio/init.sh']) {
      const text = read(p);
      expect(text.startsWith('#!/bin/sh')).toBe(true);
      expect(statSync(join(ROOT, p)).mode & 0o111).not.toBe(0);
      expect(SECRET_VALUE.test(text)).toBe(false);
    }
    expect(read('docker/postgres/10-ion-roles.sh')).toMatch(/PASSWORD :'owner_pw'[\s\S]*PASSWORD :'api_pw'/);
  });

  describe('the checks find what is wrong', () => {
    /** The text with `from` replaced; throws when `from` is not there, so a control cannot pass by changing nothing. */
    const edit = (text: string, from: string | RegExp, to: string) => {
      const out = text.replace(from, to);
      if (out === text) throw new Error(`control edit found nothing to change: ${from}`);
      return out;
    };
    const dfProblems = (text: string) => {
      const { ignored } = context();
      return dockerfileProblems(parseDockerfile(text), { exists, ignored });
    };
    const composeWith = (edit: (c: Compose) => void, text = composeText) => {
      const { known, imageEnv } = context();
      const c = parseYaml(text, { merge: true }) as Compose;
      edit(c);
      return composeProblems(c, text, { known, imageEnv, exists, migrationRole: ownerRole() });
    };

    it('Dockerfile mistakes', () => {
      const df = dockerfileText;
      expect(dfProblems(edit(df, /^USER node$/m, ''))).toContain('final stage has no USER');
      expect(dfProblems(edit(df, /^USER node$/m, 'USER root'))).toContain('final stage runs as root');
      expect(dfProblems(edit(df, /^HEALTHCHECK[\s\S]*?\n(?=ENTRYPOINT)/m, ''))).toContain(
        'final stage has no HEALTHCHECK',
      );
      expect(dfProblems(edit(df, /node:24\.\d+\.\d+-bookworm-slim/, 'node:latest'))).toContain(
        'image node:latest is not pinned to a version',
      );
      expect(dfProblems(edit(df, /node:24\.\d+\.\d+-bookworm-slim/, 'node:20.20.2-bookworm-slim'))).toEqual(
        expect.arrayContaining(['stage build: node:20.20.2-bookworm-slim is not Node 24 (the supported LTS line)']),
      );
      expect(dfProblems(edit(df, 'npm install --omit=dev', 'npm install'))).toContain(
        'the shipped node_modules are not a production install (npm install --omit=dev)',
      );
      expect(dfProblems(edit(df, 'src/main.js"]', 'src/server.js"]'))).toContain(
        'CMD runs dist/apps/api/apps/api/src/server.js, which npm run build does not produce',
      );
      expect(dfProblems(edit(df, 'COPY libs ./libs', 'COPY libraries ./libs'))).toContain(
        'COPY libraries: not in the repository',
      );
      expect(dfProblems(edit(df, 'COPY libs ./libs', 'COPY test ./test'))).toContain(
        'COPY test: excluded by .dockerignore',
      );
      expect(dfProblems(edit(df, /^USER node$/m, `ENV JWT_SECRET=${'ab'.repeat(20)}\nUSER node`))).toEqual(
        expect.arrayContaining([
          'ENV JWT_SECRET bakes a secret into the image',
          'ENV holds what looks like a key or secret',
        ]),
      );
      expect(dfProblems(edit(df, /^ENTRYPOINT .*$/m, ''))).toContain(
        'no init process (tini or dumb-init) as ENTRYPOINT: node would be PID 1',
      );
      expect(dfProblems(edit(df, /^RUN npm run build.*$/m, ''))).toContain('no stage runs npm run build');
    });

    it('compose mistakes', () => {
      expect(
        composeWith((c) => {
          c.services.api.environment!.STORAGE_REQUIRE_WORM = 'false';
        }),
      ).toEqual(
        expect.arrayContaining([
          'api: STORAGE_REQUIRE_WORM is not literally "true"',
          'api: storage does not require WORM',
        ]),
      );
      expect(
        composeWith((c) => {
          c.services.api.environment!.DATABSE_POOL_SIZE = '5';
        }),
      ).toContain('api: DATABSE_POOL_SIZE is not a setting the service reads');
      expect(
        composeWith((c) => {
          delete c.services.api.environment!.JWT_SECRET;
        }).join('\n'),
      ).toMatch(/api: the service would refuse this configuration: .*JWT_SECRET/);
      expect(
        composeWith((c) => {
          delete c.services.migrate.environment!.S3_ENDPOINT;
        }).join('\n'),
      ).toMatch(/migrate: the service would refuse|migrate: no S3_ENDPOINT/);
      expect(
        composeWith((c) => {
          c.services.api.environment!.JWT_SECRET = 'a'.repeat(40);
        }).join('\n'),
      ).toMatch(/api: JWT_SECRET is not a required variable/);
      expect(
        composeWith((c) => {
          c.services.api.depends_on!.migrate.condition = 'service_started';
        }),
      ).toContain('api depends on migrate: service_started, expected service_completed_successfully');
      expect(
        composeWith((c) => {
          c.services.minio.image = 'minio/minio:latest';
        }),
      ).toContain('minio: image minio/minio:latest is not pinned to a version');
      expect(
        composeWith((c) => {
          c.services.postgres.image = 'postgres:16.4';
        }),
      ).toContain('postgres: postgres:16.4 is not PostgreSQL 17');
      expect(
        composeWith((c) => {
          c.services.api.environment!.DATABASE_URL = c.services.migrate.environment!.DATABASE_MIGRATION_URL;
        }),
      ).toContain('api: the API connects as the schema owner (ion_owner)');
      expect(
        composeWith((c) => {
          c.services.api.environment!.DATABASE_MIGRATION_URL = c.services.migrate.environment!.DATABASE_MIGRATION_URL;
        }),
      ).toContain("api: holds the schema owner's credentials (DATABASE_MIGRATION_URL)");
      expect(
        composeWith((c) => {
          c.services.api.environment!.DATABASE_MIGRATE_ON_START = 'true';
        }),
      ).toContain('api: DATABASE_MIGRATE_ON_START is not false (every replica would need the owner)');
      expect(
        composeWith((c) => {
          delete c.services.migrate.environment!.DATABASE_MIGRATION_URL;
        }),
      ).toContain('migrate: migrations run as the API role, not the owner role ion_owner the init script creates');
      expect(
        composeWith((c) => {
          delete c.services.postgres.healthcheck;
        }),
      ).toContain('postgres: no healthcheck');
      expect(
        composeWith((c) => {
          c.services['minio-init'].volumes = [];
        }),
      ).toContain('minio-init: its script is not mounted from docker/');
    });
  });
});
