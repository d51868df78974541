import { createHash, randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { until } from './harness/raw-http';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';

const API = '/api/v1';
const SIZE = 2000;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What the server put on the wire for one request: status line, headers, and every byte after them until it closed. */
interface Wire {
  status: number;
  headers: Record<string, string>;
  /** All bytes after the header block, whatever Content-Length said. */
  body: Buffer;
}

/**
 * One GET over a fresh TCP connection (Connection: close), read to the server's close: unlike an
 * HTTP client, this sees bytes written past the declared Content-Length, and a body cut short.
 * `onFirstBytes` runs once the answer has begun, with reading paused until it is done.
 */
function wire(
  origin: string,
  path: string,
  headers: Record<string, string>,
  onFirstBytes?: () => Promise<void>,
): Promise<Wire> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => {
      if (onFirstBytes && !chunks.length) {
        // Stop reading (the server's writes back up) until the hook is done.
        socket.pause();
        onFirstBytes().then(
          () => socket.resume(),
          (e: unknown) => {
            socket.destroy();
            reject(e);
          },
        );
      }
      chunks.push(d);
    });
    socket.on('error', () => undefined); // a reset ends the answer like a close
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error(`no complete header block in ${all.length} bytes`));
      const [statusLine, ...lines] = all.subarray(0, end).toString('latin1').split('\r\n');
      const h: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        h[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers: h, body: all.subarray(end + 4) });
    });
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** A GET through a keep-alive agent: the parsed answer, and whether the connection was one used before. */
function keptAlive(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: Buffer; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), reused: req.reusedSocket }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('evidence downloads: exactly the bytes declared, for every Range form, whatever storage sends', () => {
  let t: TestApp;
  let origin: string;
  let officer: TestUser;
  let supervisor: TestUser;
  let stored: Buffer;
  let evidenceId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const server = t.app.getHttpServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    [officer, supervisor] = await Promise.all([t.given.officer(1), t.given.supervisor(1)]);
    const c = await t.given.draftCase(officer);
    stored = randomBytes(SIZE);
    evidenceId = (await t.given.evidence(officer, c.id, stored)).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const storageKeyOf = async (id: string): Promise<string> =>
    (await t.owner.query(`SELECT storage_key FROM evidence WHERE id = $1`, [id])).rows[0].storage_key;

  describe('every range form against the stored bytes', () => {
    it.each([
      ['bytes=0-0', 0, 0],
      ['bytes=0-', 0, SIZE - 1],
      ['bytes=0-1999', 0, SIZE - 1],
      ['bytes=-1', SIZE - 1, SIZE - 1],
      ['bytes=-500', SIZE - 500, SIZE - 1],
      ['bytes=-5000', 0, SIZE - 1], // a suffix longer than the file: all of it
      ['bytes=100-199', 100, 199],
      ['bytes=7-7', 7, 7],
      ['bytes=1999-1999', SIZE - 1, SIZE - 1], // the last byte
      ['bytes=1999-', SIZE - 1, SIZE - 1],
      ['bytes=1500-9999', 1500, SIZE - 1], // the end clamped to the last byte
      ['BYTES = 10-19', 10, 19], // unit case-insensitive, spaces allowed
    ])(
      '%s: 206, Content-Range and Content-Length match, and exactly those bytes are on the wire',
      async (range, start, end) => {
        const requestId = `range-${randomBytes(4).toString('hex')}`;
        const r = await wire(origin, `${API}/evidence/${evidenceId}/content`, {
          ...officer.auth,
          Range: range,
          'X-Request-Id': requestId,
        });
        expect(r.status).toBe(206);
        expect(r.headers['content-range']).toBe(`bytes ${start}-${end}/${SIZE}`);
        expect(r.headers['content-length']).toBe(String(end - start + 1));
        expect(r.body.length).toBe(end - start + 1);
        expect(r.body.equals(stored.subarray(start, end + 1))).toBe(true);
        const events = await auditRows(t.owner, `request_id = $1`, [requestId]);
        expect(events.map((e) => [e.action, e.outcome, e.details.range])).toEqual([
          ['evidence.downloaded', 'SUCCESS', `bytes=${start}-${end}`],
        ]);
      },
    );

    it.each([
      ['no Range', undefined],
      ['several ranges (multipart/byteranges is not offered)', 'bytes=0-0,5-9'],
      ['a unit other than bytes', 'items=0-1'],
      ['a malformed range', 'bytes=abc'],
      ['a range whose end precedes its start', 'bytes=9-5'],
    ])('%s: 200 with the whole file, exactly its bytes', async (_what, range) => {
      const r = await wire(origin, `${API}/evidence/${evidenceId}/content`, {
        ...officer.auth,
        ...(range ? { Range: range } : {}),
      });
      expect(r.status).toBe(200);
      expect(r.headers['content-range']).toBeUndefined();
      expect(r.headers['content-length']).toBe(String(SIZE));
      expect(r.body.equals(stored)).toBe(true);
    });

    it.each([['bytes=2000-'], ['bytes=2000-2100'], ['bytes=5000-'], ['bytes=-0']])(
      '%s: 416 with Content-Range: bytes */<size>, nothing of the file sent, audited',
      async (range) => {
        const requestId = `unsat-${randomBytes(4).toString('hex')}`;
        const r = await wire(origin, `${API}/evidence/${evidenceId}/content`, {
          ...officer.auth,
          Range: range,
          'X-Request-Id': requestId,
        });
        expect(r.status).toBe(416);
        expect(r.headers['content-range']).toBe(`bytes */${SIZE}`);
        expect(r.body.length).toBe(Number(r.headers['content-length']));
        expect(JSON.parse(r.body.toString())).toMatchObject({
          statusCode: 416,
          code: 'RANGE.NOT_SATISFIABLE',
          sizeBytes: SIZE,
        });
        const [ev] = await auditRows(t.owner, `request_id = $1`, [requestId]);
        expect(ev).toMatchObject({ action: 'evidence.download', outcome: 'FAILED', target_id: evidenceId });
      },
    );

    it('a second request on the same kept-alive connection is parsed as its own answer', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const url = `${origin}${API}/evidence/${evidenceId}/content`;
        const first = await keptAlive(agent, url, { ...officer.auth, Range: 'bytes=0-0' });
        expect(first.status).toBe(206);
        expect(first.body.equals(stored.subarray(0, 1))).toBe(true);
        const second = await keptAlive(agent, url, { ...officer.auth, Range: 'bytes=1990-1999' });
        expect(second.reused).toBe(true);
        expect(second.status).toBe(206);
        expect(second.body.equals(stored.subarray(1990, 2000))).toBe(true);
        const third = await keptAlive(agent, `${origin}${API}/evidence/${evidenceId}`, officer.auth);
        expect(third.reused).toBe(true);
        expect(JSON.parse(third.body.toString())).toMatchObject({ id: evidenceId, sizeBytes: SIZE });
      } finally {
        agent.destroy();
      }
    });
  });

  describe('storage sending another length than the one declared', () => {
    it('fewer bytes than a range declares (object shortened behind the API): the connection is cut, never ended short, and the download audited FAILED', async () => {
      const c = await t.given.draftCase(officer);
      const original = randomBytes(SIZE);
      const e = await t.given.evidence(officer, c.id, original);
      await t.storage.client.putObject(t.storage.bucket, await storageKeyOf(e.id), original.subarray(0, 1000), 1000);
      const requestId = `short-${randomBytes(4).toString('hex')}`;
      const r = await wire(origin, `${API}/evidence/${e.id}/content`, {
        ...officer.auth,
        Range: 'bytes=500-1499',
        'X-Request-Id': requestId,
      });
      expect(r.status).toBe(206);
      expect(r.headers['content-length']).toBe('1000');
      expect(r.body.length).toBeLessThan(1000); // cut: the client can tell it is incomplete
      expect(r.body.equals(original.subarray(500, 500 + r.body.length))).toBe(true);
      const failed = await until(
        'the FAILED download event',
        async () => (await auditRows(t.owner, `request_id = $1 AND outcome = 'FAILED'`, [requestId]))[0],
      );
      expect(failed).toMatchObject({ action: 'evidence.downloaded', target_id: e.id, case_id: c.id });
      expect(failed.details).toMatchObject({
        length: 1000,
        range: 'bytes=500-1499',
        bytesSent: r.body.length,
        reason: expect.stringMatching(/storage .*500 of 1000 bytes/),
      });
    });

    it('more bytes than the whole file declares (object lengthened behind the API): not one byte past Content-Length, cut, integrity failure recorded', async () => {
      const c = await t.given.draftCase(officer);
      const original = randomBytes(SIZE);
      const e = await t.given.evidence(officer, c.id, original);
      const longer = Buffer.concat([original, randomBytes(300_000)]);
      await t.storage.client.putObject(t.storage.bucket, await storageKeyOf(e.id), longer, longer.length);
      const requestId = `long-${randomBytes(4).toString('hex')}`;
      const r = await wire(origin, `${API}/evidence/${e.id}/content`, { ...officer.auth, 'X-Request-Id': requestId });
      expect(r.status).toBe(200);
      expect(r.headers['content-length']).toBe(String(SIZE));
      expect(r.body.length).toBeLessThan(SIZE); // never more, and not a complete-looking file either
      const failed = await until(
        'the FAILED download event',
        async () =>
          (
            await auditRows(t.owner, `request_id = $1 AND action = 'evidence.downloaded' AND outcome = 'FAILED'`, [
              requestId,
            ])
          )[0],
      );
      expect(failed.details).toMatchObject({
        length: SIZE,
        range: null,
        reason: expect.stringMatching(/storage .*more than the 2000 bytes/),
      });
      // Written after the FAILED download event (the same failure handler, one after the other): wait for it too.
      const integrity = await until(
        'the integrity failure event',
        async () =>
          (await auditRows(t.owner, `request_id = $1 AND action = 'evidence.integrity_failed'`, [requestId]))[0],
      );
      expect(integrity).toMatchObject({ outcome: 'FAILED', target_id: e.id });
      const row = (await t.owner.query(`SELECT integrity_status FROM evidence WHERE id = $1`, [e.id])).rows[0];
      expect(row.integrity_status).toBe('FAILED');
    });

    it('the packet archive: an evidence file that grows in storage once the archive has started never puts more than Content-Length on the wire', async () => {
      const c = await t.given.caseReadyToSubmit(officer);
      // The first file is larger than loopback socket buffers: while the client does not read, the archive cannot reach the second.
      const first = randomBytes(16 * 1024 * 1024);
      await t.given.evidence(officer, c.id, first);
      const original = randomBytes(SIZE);
      const e = await t.given.evidence(officer, c.id, original);
      await t.given.submit(officer, c.id);
      await t.given.approve(supervisor, c.id);
      const p = await t.given.sendPacket(supervisor, c.id);
      const requestId = `archive-long-${randomBytes(4).toString('hex')}`;
      // The sizes were checked before the first byte (all match); the second file grows after that, before it is read.
      const r = await wire(
        origin,
        `${API}/packets/${p.id}/archive`,
        { ...supervisor.auth, 'X-Request-Id': requestId },
        async () => {
          const longer = Buffer.concat([original, randomBytes(300_000)]);
          await t.storage.client.putObject(t.storage.bucket, await storageKeyOf(e.id), longer, longer.length);
        },
      );
      expect(r.status).toBe(200);
      const declared = Number(r.headers['content-length']);
      expect(declared).toBeGreaterThan(first.length + SIZE);
      expect(r.body.length).toBeLessThan(declared);
      expect(r.body.length).toBeGreaterThan(first.length); // the first file went out whole; the cut came in the second
      const failed = await until(
        'the FAILED archive event',
        async () =>
          (
            await auditRows(
              t.owner,
              `request_id = $1 AND action = 'packet.archive.downloaded' AND outcome = 'FAILED'`,
              [requestId],
            )
          )[0],
      );
      expect(failed.details.reason).toMatch(/storage sent more than the 2000 bytes/);
      const integrity = await until(
        'the integrity failure',
        async () => (await auditRows(t.owner, `action = 'evidence.integrity_failed' AND target_id = $1`, [e.id]))[0],
      );
      expect(integrity.details).toMatchObject({ during: 'packet-archive', packetId: p.id, expectedSize: SIZE });
    });
  });

  it('the stored file is untouched by all of this', async () => {
    expect((await t.storage.sha256Of(await storageKeyOf(evidenceId))).sha256).toBe(sha256(stored));
  });
});
