'use strict';
/*
 * Upload benchmark: streaming evidence upload through the API vs. a direct S3 multipart upload.
 *
 * In one run it starts an s3rver (S3-protocol server) in a temp dir, spawns the built API
 * (dist/apps/api/apps/api/src/main.js, embedded PostgreSQL under the same temp dir) against it,
 * and uploads the same deterministic BENCH_UPLOAD_MB of data twice:
 *   1. directly from this process to s3rver (sequential multipart, parts of BENCH_PART_MB), and
 *   2. through POST /api/v1/cases/:id/evidence as a raw body (the API hashes and streams it to S3).
 * It reports both times and throughputs, their ratio, and the API process's RSS before / peak
 * during / growth over the API upload (sampled from /proc/<pid>/status every 50 ms), then
 * checks the target "API RSS growth < 150 MB" and that the API's SHA-256 and size match.
 * Exit code 1 on FAIL, hash/size mismatch or any error.
 *
 * Run:  npm run bench:upload                          (builds first; 1 GiB, 8 MiB parts)
 *       BENCH_UPLOAD_MB=128 npm run bench:upload
 *       BENCH_UPLOAD_MB=1024 BENCH_PART_MB=16 node bench/upload.js   (against the existing dist)
 * Linux only (reads /proc). Needs free disk in the temp dir of about 3x BENCH_UPLOAD_MB.
 */

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const MiB = 1024 * 1024;
const MB = 1e6;
const GEN_CHUNK = 8 * MiB;
const RSS_TARGET_MB = 150;
const SAMPLE_MS = 50;
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;
const S3_KEY = 'S3RVER';
const REGION = 'us-east-1';

function intEnv(name, def, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return Number(raw);
}

// ---------------------------------------------------------------------------------------------
// Deterministic test data: one 8 MiB pseudo-random block (AES-CTR keystream, fixed key) reused for
// every chunk, with the chunk's first 16 bytes replaced by its index (128-bit big-endian), so no
// two chunks are identical. Each pass hashes what it yields; nothing beyond one chunk is held.

const BASE_BLOCK = (() => {
  const cipher = crypto.createCipheriv('aes-128-ctr', Buffer.alloc(16, 0x5a), Buffer.alloc(16, 0));
  return Buffer.concat([cipher.update(Buffer.alloc(GEN_CHUNK)), cipher.final()]);
})();

class DataSource {
  constructor(totalBytes) {
    this.totalBytes = totalBytes;
    this.hash = crypto.createHash('sha256');
    this.produced = 0;
  }

  *chunks() {
    for (let i = 0, off = 0; off < this.totalBytes; i++, off += GEN_CHUNK) {
      const n = Math.min(GEN_CHUNK, this.totalBytes - off);
      const chunk = Buffer.allocUnsafe(n);
      BASE_BLOCK.copy(chunk, 0, 0, n);
      const header = Buffer.alloc(16);
      header.writeBigUInt64BE(BigInt(i), 8);
      header.copy(chunk, 0, 0, Math.min(16, n));
      this.hash.update(chunk);
      this.produced += n;
      yield chunk;
    }
  }

  digest() {
    return this.hash.digest('hex');
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function procStatusKb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const kbToMB = (kb) => (kb * 1024) / MB;
const fmt = (n, d = 1) => n.toFixed(d);

async function api(base, method, urlPath, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${urlPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${urlPath} -> ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Spawns the built API and resolves once it prints "Ready in". Keeps draining its output. */
function startApi(env) {
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  const remember = (line) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`API did not print "Ready in" within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    const onData = (stream) => {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          remember(line);
          if (line.includes('Ready in')) finish();
        }
      });
    };
    onData(child.stdout);
    onData(child.stderr);
    child.once('error', (e) => finish(e));
    exited.then(({ code, signal }) => finish(new Error(`API exited during startup (code ${code}, signal ${signal})`)));
  });
  return { child, ready, exited, tail };
}

async function stopApi(handle) {
  const { child, exited } = handle;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    console.error(`API (pid ${child.pid}) did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; sending SIGKILL`);
    child.kill('SIGKILL');
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------
// The two uploads

/** Sequential multipart upload of the generated bytes, straight to S3. */
async function directUpload(client, bucket, key, source, partSize) {
  const uploadId = await client.initiateNewMultipartUpload(bucket, key, {});
  const etags = [];
  let pending = [];
  let pendingLen = 0;
  const sendPart = async (body) => {
    const part = etags.length + 1;
    const { etag } = await client.uploadPart({ bucketName: bucket, objectName: key, uploadID: uploadId, partNumber: part, headers: {} }, body);
    etags.push({ part, etag });
  };
  for (const chunk of source.chunks()) {
    pending.push(chunk);
    pendingLen += chunk.length;
    while (pendingLen >= partSize) {
      const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
      const rest = all.subarray(partSize);
      pending = rest.length ? [rest] : [];
      pendingLen = rest.length;
      await sendPart(all.subarray(0, partSize));
    }
  }
  if (pendingLen > 0 || etags.length === 0) await sendPart(Buffer.concat(pending, pendingLen));
  await client.completeMultipartUpload(bucket, key, uploadId, etags);
  return etags.length;
}

/** POSTs the generated bytes as a raw body, honouring backpressure; resolves with the response. */
function apiUpload(port, urlPath, token, source) {
  return new Promise((resolve, reject) => {
    let responded = false;
    let wake = null;
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: urlPath,
      agent: false,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(source.totalBytes),
      },
    });
    req.on('error', (e) => reject(e));
    req.on('response', (res) => {
      responded = true;
      if (wake) wake();
      const bufs = [];
      res.on('data', (d) => bufs.push(d));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(bufs).toString('utf8') }));
    });
    const waitDrain = () =>
      new Promise((res) => {
        const done = () => {
          req.off('drain', done);
          req.off('close', done);
          wake = null;
          res();
        };
        wake = done;
        req.on('drain', done);
        req.on('close', done);
      });
    (async () => {
      for (const chunk of source.chunks()) {
        if (responded || req.destroyed) return; // the server answered early (an error): stop sending
        if (!req.write(chunk)) await waitDrain();
      }
      if (!responded && !req.destroyed) req.end();
    })().catch(reject);
  });
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const uploadMb = intEnv('BENCH_UPLOAD_MB', 1024, 1, 1024 * 1024);
  const partMb = intEnv('BENCH_PART_MB', 8, 5, 512);
  const totalBytes = uploadMb * MiB;
  const partSize = partMb * MiB;

  if (!fs.existsSync(MAIN)) {
    throw new Error(`Built API not found at ${path.relative(ROOT, MAIN)}: run "npm run build" first (or use "npm run bench:upload").`);
  }
  if (!fs.existsSync('/proc/self/status')) throw new Error('This benchmark reads /proc/<pid>/status: Linux only.');

  const S3rver = require('@20minutes/s3rver');
  const { Client } = require('minio');

  console.log('Upload benchmark: API streaming upload vs. direct S3 multipart upload');
  console.log(`Machine: node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model?.trim() ?? 'unknown'}), ` +
    `${fmt(os.totalmem() / 1024 ** 3)} GiB RAM, ${os.platform()} ${os.release()}`);
  console.log(`Data: ${uploadMb} MiB (${totalBytes} bytes), part size ${partMb} MiB (API: STORAGE_PART_SIZE_MB=${partMb})`);

  // Undone in reverse order, once, whether the run ends, fails or is interrupted.
  const cleanups = [];
  let cleaning = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      while (cleanups.length) {
        const fn = cleanups.pop();
        try {
          await fn();
        } catch (e) {
          console.error(`cleanup: ${e instanceof Error ? e.message : e}`);
        }
      }
    })());
  const onSignal = (sig) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${sig}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ion-bench-upload-'));
    cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
    fs.chmodSync(tmp, 0o755); // embedded PostgreSQL runs as user postgres and must traverse it
    const s3Dir = path.join(tmp, 's3');
    const dataDir = path.join(tmp, 'api');
    fs.mkdirSync(s3Dir, { mode: 0o755 });
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);

    // --- S3 server
    const s3 = new S3rver({ address: '127.0.0.1', port: 0, directory: s3Dir, silent: true, vhostBuckets: false });
    const addr = await s3.run();
    cleanups.push(() => s3.close());
    const s3Port = addr.port;
    const client = new Client({ endPoint: '127.0.0.1', port: s3Port, useSSL: false, accessKey: S3_KEY, secretKey: S3_KEY, pathStyle: true, region: REGION });

    // --- API
    const apiPort = await freePort();
    const env = { ...process.env };
    delete env.DATABASE_URL;
    Object.assign(env, {
      DATA_DIR: dataDir,
      S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      S3_ACCESS_KEY: S3_KEY,
      S3_SECRET_KEY: S3_KEY,
      S3_BUCKET: 'bench-api',
      S3_REGION: REGION,
      STORAGE_PART_SIZE_MB: String(partMb),
      JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      NO_COLOR: '1',
    });
    const t0 = Date.now();
    const apiProc = startApi(env);
    cleanups.push(() => stopApi(apiProc));
    try {
      await apiProc.ready;
    } catch (e) {
      console.error('--- last API output ---\n' + apiProc.tail.join('\n') + '\n---');
      throw e;
    }
    const pid = apiProc.child.pid;
    console.log(`API started in ${fmt((Date.now() - t0) / 1000)} s (pid ${pid}, port ${apiPort}); s3rver on port ${s3Port}`);

    const base = `http://127.0.0.1:${apiPort}/api/v1`;
    const { accessToken } = await api(base, 'POST', '/auth/login', { username: 'officer', password: 'officer-demo-2026' });
    const created = await api(base, 'POST', '/cases', { narrative: 'bench' }, accessToken);
    const caseId = created.id;

    // --- 1. direct baseline
    const directBucket = 'bench-direct';
    await client.makeBucket(directBucket, REGION);
    const directSrc = new DataSource(totalBytes);
    let t = process.hrtime.bigint();
    const directParts = await directUpload(client, directBucket, 'bench.bin', directSrc, partSize);
    const directSec = Number(process.hrtime.bigint() - t) / 1e9;
    const directSha = directSrc.digest();
    const stat = await client.statObject(directBucket, 'bench.bin');
    if (stat.size !== totalBytes) throw new Error(`direct upload stored ${stat.size} bytes, expected ${totalBytes}`);
    await client.removeObject(directBucket, 'bench.bin').catch(() => undefined); // free the disk before run 2

    // --- 2. through the API, sampling its RSS
    const apiSrc = new DataSource(totalBytes);
    const rssBeforeKb = procStatusKb(pid, 'VmRSS');
    if (rssBeforeKb === null) throw new Error(`cannot read /proc/${pid}/status`);
    let rssPeakKb = rssBeforeKb;
    let samples = 0;
    const sample = () => {
      const kb = procStatusKb(pid, 'VmRSS');
      if (kb !== null) {
        samples++;
        if (kb > rssPeakKb) rssPeakKb = kb;
      }
    };
    const sampler = setInterval(sample, SAMPLE_MS);
    const uploadPath = `/api/v1/cases/${caseId}/evidence?kind=BWC&originalFilename=bench.bin`;
    t = process.hrtime.bigint();
    let res;
    try {
      res = await apiUpload(apiPort, uploadPath, accessToken, apiSrc);
    } finally {
      clearInterval(sampler);
    }
    const apiSec = Number(process.hrtime.bigint() - t) / 1e9;
    sample();
    const hwmKb = procStatusKb(pid, 'VmHWM');
    const apiSha = apiSrc.digest();

    // --- checks
    const problems = [];
    let view = null;
    if (res.status !== 201) problems.push(`API upload answered ${res.status}: ${res.body.slice(0, 500)}`);
    else view = JSON.parse(res.body);
    if (directSha !== apiSha) problems.push(`generator produced different bytes in the two runs (${directSha} vs ${apiSha})`);
    if (apiSrc.produced !== totalBytes || directSrc.produced !== totalBytes) problems.push('generator produced the wrong number of bytes');
    if (view && view.sha256 !== apiSha) problems.push(`API sha256 ${view.sha256} != generated ${apiSha}`);
    if (view && Number(view.sizeBytes) !== totalBytes) problems.push(`API sizeBytes ${view.sizeBytes} != ${totalBytes}`);

    const growthKb = rssPeakKb - rssBeforeKb;
    const growthMB = kbToMB(growthKb);
    const memPass = growthMB < RSS_TARGET_MB;
    const mibps = (s) => totalBytes / MiB / s;

    console.log('');
    console.log('=== Upload benchmark report ===');
    console.log(`Bytes uploaded:        ${totalBytes} (${uploadMb} MiB), parts of ${partMb} MiB`);
    console.log(`SHA-256 (generator):   ${directSha}  (both runs ${directSha === apiSha ? 'identical' : 'DIFFERENT'})`);
    console.log(`API sha256 / size:     ${view ? `${view.sha256} / ${view.sizeBytes}` : 'n/a'}  ` +
      `(${view && view.sha256 === apiSha && Number(view.sizeBytes) === totalBytes ? 'match' : 'MISMATCH'})`);
    console.log(`Direct S3 multipart:   ${fmt(directSec, 2)} s, ${fmt(mibps(directSec))} MiB/s (${directParts} parts)`);
    console.log(`Through the API:       ${fmt(apiSec, 2)} s, ${fmt(mibps(apiSec))} MiB/s (evidence ${view ? view.id : 'n/a'})`);
    console.log(`Ratio API / direct:    ${fmt(apiSec / directSec, 2)}x time`);
    console.log(`API RSS before:        ${fmt(kbToMB(rssBeforeKb))} MB`);
    console.log(`API RSS peak (upload): ${fmt(kbToMB(rssPeakKb))} MB  (${samples} samples every ${SAMPLE_MS} ms)`);
    console.log(`API RSS growth:        ${fmt(growthMB)} MB`);
    console.log(`API VmHWM after:       ${hwmKb === null ? 'n/a' : `${fmt(kbToMB(hwmKb))} MB`}  (lifetime peak, includes startup)`);
    console.log('(MB = 10^6 bytes; MiB = 2^20 bytes)');
    for (const p of problems) console.log(`ERROR: ${p}`);
    console.log(`${memPass ? 'PASS' : 'FAIL'}: API RSS growth < ${RSS_TARGET_MB} MB (measured ${fmt(growthMB)} MB)`);
    return memPass && problems.length === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

/** Set on SIGINT/SIGTERM: the signal handler cleans up and exits, the run's outcome is moot. */
let interrupted = false;

main().then(
  (code) => {
    if (!interrupted) process.exit(code);
  },
  (e) => {
    if (interrupted) return;
    console.error(`bench/upload: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  },
);
