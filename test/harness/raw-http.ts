import { request as httpRequest, IncomingHttpHeaders } from 'node:http';

/** Polls `probe` until it returns something truthy; fails naming `what` after `ms`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false | 0>,
  ms = 15_000,
  every = 50,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export interface RawResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the answer is JSON, else the bytes. */
  body: any;
  bytes: Buffer;
  /** The response was read to its proper end (res.complete). */
  complete: boolean;
  /** Set when the connection failed or was cut before a whole response arrived. */
  error?: string;
  ms: number;
}

/**
 * A raw HTTP request with full control of how the body is sent and the answer read: the body is
 * sent piece by piece with backpressure, `whenSent` runs once
 * `afterBytes` have been written (sending waits for it), and `whenReceived` runs once
 * `receivedBytes` of the answer's body have arrived (reading goes on meanwhile). Sending stops
 * once the server has answered. Never rejects: a cut connection is reported in `error`.
 */
export function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string | number>,
  pieces: Iterable<Buffer> = [],
  hooks: {
    afterBytes?: number;
    whenSent?: () => Promise<void>;
    receivedBytes?: number;
    whenReceived?: () => Promise<void>;
    /** Destroy the connection once this many body bytes were written (a client going away mid-upload). */
    disconnectAfter?: number;
  } = {},
): Promise<RawResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let answered = false;
    let settled = false;
    const settle = (r: Omit<RawResult, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, ms: Date.now() - started });
    };
    const req = httpRequest(url, { method, headers, agent: false });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let got = 0;
      let hooked = false;
      let hookDone: Promise<void> = Promise.resolve();
      let error: string | undefined;
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        got += c.length;
        if (!hooked && hooks.receivedBytes !== undefined && got >= hooks.receivedBytes) {
          hooked = true;
          hookDone = hooks.whenReceived?.() ?? Promise.resolve();
        }
      });
      const finish = () => {
        void hookDone.then(() => {
          const bytes = Buffer.concat(chunks);
          let body: any = bytes;
          if (String(res.headers['content-type']).startsWith('application/json')) {
            try {
              body = JSON.parse(bytes.toString());
            } catch {
              body = bytes.toString();
            }
          }
          settle({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            bytes,
            complete: res.complete,
            error: error ?? (res.complete ? undefined : 'response cut short'),
          });
        });
      };
      res.on('error', (e) => {
        error ??= e.message;
      });
      res.on('aborted', () => {
        error ??= 'response aborted';
      });
      res.on('end', finish);
      res.on('close', finish);
    });
    req.on('error', (e) => {
      if (!answered)
        settle({ status: 0, headers: {}, body: null, bytes: Buffer.alloc(0), complete: false, error: e.message });
    });
    void (async () => {
      let sent = 0;
      let reached = false;
      for (const piece of pieces) {
        if (answered || req.destroyed) return;
        if (!req.write(piece)) {
          await new Promise<void>((r) => {
            const done = () => {
              req.off('drain', done);
              req.off('close', done);
              req.off('response', done);
              r();
            };
            req.on('drain', done);
            req.on('close', done);
            req.on('response', done);
          });
        }
        sent += piece.length;
        if (hooks.disconnectAfter !== undefined && sent >= hooks.disconnectAfter) {
          req.destroy();
          settle({
            status: 0,
            headers: {},
            body: null,
            bytes: Buffer.alloc(0),
            complete: false,
            error: 'client disconnected',
          });
          return;
        }
        if (!reached && hooks.afterBytes !== undefined && sent >= hooks.afterBytes) {
          reached = true;
          await hooks.whenSent?.();
        }
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

/** The buffer cut into pieces of `size` bytes (views, no copies). */
export function piecesOf(bytes: Buffer, size = 256 * 1024): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 0; o < bytes.length; o += size) out.push(bytes.subarray(o, Math.min(bytes.length, o + size)));
  return out;
}
