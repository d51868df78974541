'use strict';
/*
 * The reference relay of bench/upload.js: the least any HTTP service in Node can do to pass one stored object
 * to a client. GET / answers with the object (BARE_RELAY_BUCKET, BARE_RELAY_KEY, BARE_RELAY_VERSION) read from S3
 * with the same minio client and settings as the API, piped to the response: no authentication, no hash, no
 * CRC-32, no ZIP, no database, no audit. Started by bench/upload.js with the API's node options; prints
 * {"port":N} once listening, and exits when its stdin ends.
 */
const http = require('node:http');
const { Client } = require('minio');

const env = (k) => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`bench/bare-relay.js: ${k} is not set`);
  return v;
};
const client = new Client({
  endPoint: '127.0.0.1',
  port: Number(env('BARE_RELAY_S3_PORT')),
  useSSL: false,
  accessKey: env('BARE_RELAY_ACCESS_KEY'),
  secretKey: env('BARE_RELAY_SECRET_KEY'),
  pathStyle: true,
  region: env('BARE_RELAY_REGION'),
});
const bucket = env('BARE_RELAY_BUCKET');
const key = env('BARE_RELAY_KEY');
const versionId = process.env.BARE_RELAY_VERSION || undefined;

const server = http.createServer((req, res) => {
  client.getObject(bucket, key, versionId ? { versionId } : {}).then(
    (stored) => {
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': stored.headers['content-length'],
      });
      stored.pipe(res);
      stored.on('error', () => res.destroy());
      res.on('close', () => stored.destroy());
    },
    (e) => {
      res.writeHead(502).end(String(e));
    },
  );
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.stdin.on('end', () => server.close(() => process.exit(0))).resume();
