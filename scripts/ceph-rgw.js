#!/usr/bin/env node
/**
 * Starts, for a developer, the same one-node Ceph RGW the tests use (scripts/ceph-rgw-cluster.js), creates the
 * evidence bucket with S3 Object Lock, prints the environment that points `npm start` at it, and stays in the
 * foreground until Ctrl-C, which ends every daemon and removes the cluster's directory. Nothing is kept:
 * the OSD stores objects in memory.
 *
 *   npm run ceph                      # then, in another shell: S3_ENDPOINT=... npm start (the printed line)
 *   npm run ceph -- --bucket my-bucket --port 7480
 *
 * Needs Debian's packages: apt-get install -y ceph-mon ceph-osd radosgw ceph-common
 */
'use strict';
const { Client } = require('minio');
const { startCephRgw } = require('./ceph-rgw-cluster.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main() {
  const bucket = arg('bucket', 'ion-evidence');
  const port = arg('port') ? Number(arg('port')) : undefined;
  const c = await startCephRgw({ port });
  let stopping = false;
  const stop = async (why) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n[ceph] ${why}: stopping the cluster...\n`);
    try {
      await c.stop();
      process.stderr.write('[ceph] stopped; every daemon has exited and its directory is removed\n');
      process.exit(0);
    } catch (e) {
      process.stderr.write(`[ceph] ${e.message}\n`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
  try {
    const client = new Client({
      endPoint: '127.0.0.1',
      port: c.port,
      useSSL: false,
      pathStyle: true,
      region: c.region,
      accessKey: c.accessKey,
      secretKey: c.secretKey,
    });
    await client.makeBucket(bucket, c.region, { ObjectLocking: true });
    const lock = await client.getObjectLockConfig(bucket);
    const env = {
      S3_ENDPOINT: c.endpoint,
      S3_REGION: c.region,
      S3_ACCESS_KEY: c.accessKey,
      S3_SECRET_KEY: c.secretKey,
      S3_BUCKET: bucket,
      S3_CREATE_BUCKET: 'false',
      STORAGE_REQUIRE_WORM: 'true',
    };
    const line = Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    process.stdout.write(
      `[ceph] Ceph RGW (one-node cluster, data in memory) ready in ${c.startMs} ms on ${c.endpoint}; directory ${c.dir}\n` +
        `[ceph] bucket ${bucket} created with Object Lock (${lock && lock.objectLockEnabled === 'Enabled' ? 'enabled' : 'NOT enabled'})\n` +
        `[ceph] logs: ${c.dir}/log\n\n` +
        `Run the service against it (another shell; DATABASE_URL etc. as usual, or none for embedded PostgreSQL):\n\n` +
        `  ${line} npm start\n\n` +
        `or: export ${line}\n\n` +
        `Ctrl-C here stops the cluster (everything stored in it is lost).\n`,
    );
  } catch (e) {
    process.stderr.write(`[ceph] ${e.message}\n`);
    await stop('setup failed');
  }
  // Stay in the foreground: the signal handlers end the process.
  setInterval(() => undefined, 1 << 30);
}

main().catch((e) => {
  process.stderr.write(`[ceph] ${e.message}\n`);
  process.exit(1);
});
