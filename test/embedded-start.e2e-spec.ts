import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { freePort } from '@app/database';
import { DIST_API } from './harness/paths';

/**
 * `npm start` with no configuration (embedded PostgreSQL + S3 under DATA_DIR), as a newcomer runs it,
 * killed the hard way (SIGKILL: no shutdown hook runs) and started again on the same data.
 */
interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function start(dataDir: string): Promise<Started> {
  const main = join(DIST_API, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: npm test builds it first (npm run build)`);
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
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
      finish(new Error(`did not start within 50 s:\n${out}`));
    }, 50_000);
    child.once('exit', (code) => finish(new Error(`exited with ${code} before answering:\n${out}`)));
    const poll = () => {
      if (settled) return;
      request(url)
        .get('/api/v1/health')
        .timeout(2000)
        .then(
          (r) => (r.status === 200 ? finish() : setTimeout(poll, 200)),
          () => setTimeout(poll, 200),
        );
    };
    poll();
  });
  return { child, url, output: () => out };
}

const exited = (child: ChildProcess) =>
  new Promise<void>((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
  );

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

/** The postmaster serving `clusterDir`, from its lock file, checked against its command line. */
function postmasterOf(clusterDir: string): number {
  const pid = Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining(['-D', clusterDir]));
  return pid;
}

async function waitUntil(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const jsonLines = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);

describe('npm start on embedded defaults, after the previous start was killed', () => {
  let root: string;
  let dataDir: string;
  const running: Started[] = [];
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ion-embedded-start-'));
    chmodSync(root, 0o755); // embedded PostgreSQL runs as user postgres when we are root
    dataDir = join(root, 'data');
  });
  afterAll(async () => {
    for (const s of running) {
      s.child.kill('SIGTERM');
      await exited(s.child);
    }
    // Whatever a failed run left behind: a postmaster still serving our data directory.
    const lockFile = join(dataDir, 'postgres', 'postmaster.pid');
    if (existsSync(lockFile)) {
      const pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
      if (alive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir)) {
        process.kill(pid, 'SIGINT');
        await waitUntil('the left-over postmaster has exited', () => !alive(pid));
      }
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('SIGKILL leaves PostgreSQL running; the next start stops that orphan, says so in JSON log lines, and comes up on the same data', async () => {
    const first = await start(dataDir);
    running.push(first);
    const login = await request(first.url)
      .post('/api/v1/auth/login')
      .send({ username: 'officer', password: 'officer-demo-2026' })
      .expect(200);
    const auth = { Authorization: `Bearer ${login.body.accessToken}` };
    const created = await request(first.url)
      .post('/api/v1/cases')
      .set(auth)
      .send({ origin: 'WITNESSED', narrative: 'Opened before the API was killed.' })
      .expect(201);
    const clusterDir = join(dataDir, 'postgres');
    const orphan = postmasterOf(clusterDir);

    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(alive(orphan)).toBe(true); // the orphan: its parent is gone, it still holds the data directory

    const second = await start(dataDir);
    running.push(second);
    expect(alive(orphan)).toBe(false);
    const current = postmasterOf(clusterDir);
    expect(current).not.toBe(orphan);

    // The data from before the kill is there.
    const again = await request(second.url)
      .post('/api/v1/auth/login')
      .send({ username: 'officer', password: 'officer-demo-2026' })
      .expect(200);
    const read = await request(second.url)
      .get(`/api/v1/cases/${created.body.id}`)
      .set({ Authorization: `Bearer ${again.body.accessToken}` })
      .expect(200);
    expect(read.body).toMatchObject({ id: created.body.id, narrative: 'Opened before the API was killed.' });

    // Start-up output: JSON lines naming the recovery (the demo-user table is the only plain text, after them).
    const out = second.output();
    const log = jsonLines(out);
    expect(log.filter((e) => e.context === 'EmbeddedPostgres').map((e) => e.msg)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^A PostgreSQL server \\(PID ${orphan}, port \\d+\\) is still running on ${clusterDir}: left over from a previous start`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^Stopped the left-over PostgreSQL server \\(PID ${orphan}\\) with SIG(TERM|INT|QUIT) in \\d+ ms$`),
      ),
    ]);
    expect(log.some((e) => e.context === 'Main' && /^Ready in/.test(e.msg))).toBe(true);
    expect(
      out
        .split('Embedded mode: demo users')[0]
        .split('\n')
        .filter((l) => l.trim() && !l.startsWith('{')),
    ).toEqual([]);
    expect(out).not.toMatch(/lock file "postmaster.pid" already exists/);

    // A normal stop (SIGTERM, as Ctrl-C / a process manager does) stops its PostgreSQL too.
    second.child.kill('SIGTERM');
    await exited(second.child);
    await waitUntil('the postmaster has exited', () => !alive(current));
    expect(existsSync(join(clusterDir, 'postmaster.pid'))).toBe(false);
  });

  it('a postmaster.pid left by a PostgreSQL that is itself gone does not stop the next start', async () => {
    const first = await start(dataDir);
    running.push(first);
    const clusterDir = join(dataDir, 'postgres');
    const pg = postmasterOf(clusterDir);
    first.child.kill('SIGKILL');
    process.kill(pg, 'SIGKILL'); // a crash of both: the lock file stays, naming a dead PID
    await exited(first.child);
    await waitUntil('the postmaster has exited', () => !alive(pg));
    expect(existsSync(join(clusterDir, 'postmaster.pid'))).toBe(true);

    const second = await start(dataDir);
    running.push(second);
    expect(postmasterOf(clusterDir)).not.toBe(pg);
    const log = jsonLines(second.output());
    expect(log.filter((e) => e.context === 'EmbeddedPostgres' && /left-over|still running/.test(e.msg))).toEqual([]);
  });

  it('a start that cannot succeed fails with a JSON log line saying what to do', async () => {
    // A data directory that looks like a cluster but is none: PostgreSQL exits at once.
    const bad = join(root, 'bad');
    mkdirSync(join(bad, 'postgres'), { recursive: true });
    chmodSync(bad, 0o755);
    writeFileSync(join(bad, 'postgres', 'PG_VERSION'), '17\n'); // a cluster directory without a cluster
    chmodSync(join(bad, 'postgres'), 0o777);
    const err = await start(bad).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toMatch(/exited with 1/);
    const log = jsonLines(err!);
    const failure = log.find((e) => e.context === 'Main' && e.level === 50);
    expect(failure?.msg).toMatch(/^Embedded PostgreSQL did not start .*set DATA_DIR to another directory/s);
    expect(err!.split('\n').filter((l) => l.trim() && !l.startsWith('{'))).toEqual([`exited with 1 before answering:`]);
  });
});
