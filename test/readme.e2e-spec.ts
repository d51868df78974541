import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import request from 'supertest';
import { freePort } from '@app/database';
import { DIST_API } from './harness/paths';
import { BlockRun, missingLines, readmeBlocks, runReadmeBlocks } from './harness/readme-blocks';

/**
 * README.md's shell blocks run as written, from where the README says (the checkout), against the built
 * service started as `npm start` starts it (embedded defaults, a fresh DATA_DIR, demo users seeded), with
 * only bash, curl, node and the tools a Debian machine has. Each block must exit 0 under
 * `bash -euo pipefail` and print what the README says it prints (test/harness/readme-blocks.ts).
 * The one change made to a block: the service's port (the README's 3000 may be taken on a shared machine).
 */

const ROOT = resolve(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README walk-throughs', () => {
  let root: string;
  let child: ChildProcess | undefined;
  let port: number;
  let log = '';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ion-readme-'));
    chmodSync(root, 0o755); // embedded PostgreSQL runs as user postgres when we are root
    mkdirSync(join(root, 'tmp'));
    mkdirSync(join(root, 'scripts'));
    const main = join(DIST_API, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: npm test builds it first (npm run build)`);
    port = await freePort();
    child = spawn(process.execPath, [main], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NO_COLOR: '1',
        DATA_DIR: join(root, 'data'),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`the service did not start within 40 s:\n${log}`)), 40_000);
      child!.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`the service exited with ${code}:\n${log}`));
      });
      const poll = () =>
        request(url)
          .get('/api/v1/health')
          .timeout(2000)
          .then(
            (r) =>
              r.status === 200 ? (clearTimeout(timer), child!.removeAllListeners('exit'), ok()) : setTimeout(poll, 200),
            () => setTimeout(poll, 200),
          );
      poll();
    });
  }, 50_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it('every bash block not marked `readme-test: skip` runs as written, from the checkout, and prints what the README says', async () => {
    const blocks = readmeBlocks(README);
    // Skips are few and say why; everything else runs.
    expect(blocks.filter((b) => b.skip).map((b) => `${b.heading}: ${b.skip}`)).toEqual([
      'Two commands: starts the service itself and runs the whole test suite; this suite is part of it',
      'A real deployment: needs a real PostgreSQL, S3 store and secrets (DATABASE_URL, S3_ENDPOINT...)',
    ]);
    const runs = await runReadmeBlocks(blocks, {
      cwd: ROOT,
      scriptDir: join(root, 'scripts'),
      // Only curl, node (the one running this test) and a Debian machine's tools on PATH; temp files in our dir.
      env: {
        PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
        HOME: root,
        TMPDIR: join(root, 'tmp'),
        LANG: 'C.UTF-8',
      },
      rewrite: (code) => code.replace(/127\.0\.0\.1:3000\b/g, `127.0.0.1:${port}`),
      timeoutMs: 45_000,
    });
    const report = (r: BlockRun) =>
      `README line ${r.block.line} (${r.block.heading}): ${r.failure}\n--- its output ---\n${r.output}`;
    expect(runs.filter((r) => r.failure).map(report)).toEqual([]);
    // Every block that the README follows with its output was compared with it.
    expect(runs.map((r) => [r.block.line, r.block.expected !== null])).toEqual(runs.map((r) => [r.block.line, true]));
  }, 55_000);
});

describe('README block runner (no service)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ion-readme-runner-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { PATH: process.env.PATH ?? '', HOME: tmpdir() };
  const md = (...parts: string[]) => parts.join('\n\n');

  it('reads bash blocks in order, their skip marks and the output block after each', () => {
    const blocks = readmeBlocks(
      md(
        '## A',
        '```bash\necho one\n```',
        'It prints:',
        '```\none\n```',
        '<!-- readme-test: skip (needs a database) -->',
        '```bash\npsql\n```',
        '```sql\nSELECT 1;\n```',
        '```\nnot an output\n```',
        '```bash\necho two\n```',
      ),
    );
    expect(blocks.map((b) => [b.code, b.skip, b.expected])).toEqual([
      ['echo one', null, ['one']],
      ['psql', 'needs a database', null],
      ['echo two', null, null],
    ]);
  });

  it('fails a block whose command fails inside a pipe (what `npm run -s ... | tail -1` outside the checkout used to hide)', async () => {
    const blocks = readmeBlocks(
      md(
        '```bash\necho before\nnpm run -s packet:verify -- packet.zip | tail -1\necho after\n```',
        '```bash\necho next\n```',
      ),
    );
    const runs = await runReadmeBlocks(blocks, { cwd: dir, env, scriptDir: dir });
    expect(runs.map((r) => [r.output.includes('before'), r.output.includes('after'), r.failure])).toEqual([
      [true, false, expect.stringMatching(/^exited with status [1-9]/)],
      [false, false, 'not reached: an earlier block failed'],
    ]);
  });

  it('fails a block that does not print what the README says, and carries state between blocks', async () => {
    const blocks = readmeBlocks(
      md(
        '```bash\nX=42\necho "id 7068f689-8a1b-4c2d-9e3f-0123456789ab"\n```',
        '```\nid …\n```',
        '```bash\necho "x=$X"\n```',
        '```\nx=43\n```',
      ),
    );
    const runs = await runReadmeBlocks(blocks, { cwd: dir, env, scriptDir: dir });
    expect(runs.map((r) => r.failure)).toEqual([null, 'output lacks what the README says it prints:\nx=43']);
  });

  it('compares ids, hashes, years and timings as placeholders, and lines in order', () => {
    const out =
      'VERIFIED: packet 11111111-2222-4333-8444-555555555555 (case ION-2031-000001 v1), key ed25519:0123456789abcdef\nchecked in 1.5 s\n';
    expect(
      missingLines(out, [
        'VERIFIED: packet 7068f689-8a1b-4c2d-9e3f-0123456789ab (case ION-2026-000001 v1), key ed25519:484bbca408cd547f',
        'checked in 0.19 s',
      ]),
    ).toEqual([]);
    expect(missingLines(out, ['checked in 0.19 s', 'VERIFIED: …'])).toEqual(['VERIFIED: …']);
    expect(missingLines(out, ['VERIFIED: packet … (case ION-2026-000002 v1)…'])).toEqual([
      'VERIFIED: packet … (case ION-2026-000002 v1)…',
    ]);
  });
});
