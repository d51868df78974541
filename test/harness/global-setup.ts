import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, register } from 'tsconfig-paths';
import { TEMPLATE_DB } from './paths';
import { prepareCephForRun } from './ceph-rgw';

// globalSetup runs outside jest's module mapper: resolve the @app/* aliases from tsconfig.json.
const tsconfig = loadConfig(join(__dirname, '..', '..'));
if (tsconfig.resultType === 'success') register({ baseUrl: tsconfig.absoluteBaseUrl, paths: tsconfig.paths });
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the alias hook above is registered (an import would be hoisted before it)
const { runMigrations, startEmbeddedPostgres } = require('@app/database') as typeof import('@app/database');

/**
 * One real PostgreSQL per test run (embedded, in a temporary directory), migrated once into a
 * template database; each e2e suite then gets its own database cloned from the template.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'ion-test-pg-'));
  chmodSync(dir, 0o755); // embedded PostgreSQL runs as user postgres when we are root
  const pg = await startEmbeddedPostgres({
    dir: join(dir, 'pg'),
    secretsDir: dir,
    database: TEMPLATE_DB,
    persistent: false,
  });
  (globalThis as { __ionPg?: { stop(): Promise<void>; dir: string } }).__ionPg = { stop: pg.stop, dir };
  // Connection templates for the workers (they inherit this environment): __DB__ is each suite's database.
  process.env.ION_TEST_OWNER_URL = pg.urlFor('__DB__', 'owner');
  process.env.ION_TEST_APP_URL = pg.urlFor('__DB__', 'app');
  await runMigrations(process.env.ION_TEST_OWNER_URL.replace('__DB__', TEMPLATE_DB));
  process.stdout.write(`\n[harness] PostgreSQL ready, template migrated in ${Date.now() - started} ms\n`);
  // Ceph RGW starts lazily, once per run, for the suites that ask for it (createTestApp({ storage: 'ceph' })).
  prepareCephForRun();
}
