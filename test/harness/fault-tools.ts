import { createHash } from 'node:crypto';
import { request as httpRequest, IncomingHttpHeaders } from 'node:http';
import { GENESIS_HASH, hashAuditEvent } from '@app/audit';

/*
 * Tools of the fault-injection suite (faults.e2e-spec.ts): raw HTTP with hooks at chosen byte counts, an independent audit-chain check,
 * polling with a deadline, and waiting for a killed process to be gone.
 */

export const MiB = 1024 * 1024;
export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Polls `probe` until it returns something truthy; fails naming `what` after `ms`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false | 0>, ms = 15_000, every = 50): Promise<T> {
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
 * A raw HTTP request: the body is sent piece by piece with backpressure, `whenSent` runs once
 * `afterBytes` have been written (sending waits for it), and `whenReceived` runs once
 * `receivedBytes` of the answer's body have arrived (reading goes on meanwhile). Sending stops
 * once the server has answered. Never rejects: a cut connection is reported in `error`.
 */
export function rawRequest(
  url: string, method: string, headers: Record<string, string | number>, pieces: Iterable<Buffer> = [],
  hooks: { afterBytes?: number; whenSent?: () => Promise<void>; receivedBytes?: number; whenReceived?: () => Promise<void> } = {},
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
            try { body = JSON.parse(bytes.toString()); } catch { body = bytes.toString(); }
          }
          settle({ status: res.statusCode ?? 0, headers: res.headers, body, bytes, complete: res.complete, error: error ?? (res.complete ? undefined : 'response cut short') });
        });
      };
      res.on('error', (e) => { error ??= e.message; });
      res.on('aborted', () => { error ??= 'response aborted'; });
      res.on('end', finish);
      res.on('close', finish);
    });
    req.on('error', (e) => {
      if (!answered) settle({ status: 0, headers: {}, body: null, bytes: Buffer.alloc(0), complete: false, error: e.message });
    });
    void (async () => {
      let sent = 0;
      let reached = false;
      for (const piece of pieces) {
        if (answered || req.destroyed) return;
        if (!req.write(piece)) {
          await new Promise<void>((r) => {
            const done = () => { req.off('drain', done); req.off('close', done); req.off('response', done); r(); };
            req.on('drain', done); req.on('close', done); req.on('response', done);
          });
        }
        sent += piece.length;
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

/**
 * Recomputes the chain from raw rows, independently of the service: seqs gapless from the
 * first row, each prev_hash the previous hash, each hash recomputed from the row's fields.
 */
export function verifyChainRows(rows: Record<string, any>[]): { ok: boolean; checked: number; brokenAt?: number; why?: string } {
  let prev = GENESIS_HASH;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const seq = Number(r.seq);
    if (seq !== i + 1) return { ok: false, checked: i, brokenAt: seq, why: `seq ${seq} at position ${i + 1}` };
    if (r.prev_hash !== prev) return { ok: false, checked: i, brokenAt: seq, why: 'prev_hash does not link' };
    const hash = hashAuditEvent(r.prev_hash, {
      seq, id: r.id, occurredAt: new Date(r.occurred_at).toISOString(), actorId: r.actor_id, actorUsername: r.actor_username,
      actorRole: r.actor_role, action: r.action, outcome: r.outcome, targetType: r.target_type, targetId: r.target_id,
      caseId: r.case_id, requestId: r.request_id, clientIp: r.client_ip, userAgent: r.user_agent, details: r.details,
    });
    if (hash !== r.hash) return { ok: false, checked: i, brokenAt: seq, why: 'hash mismatch' };
    prev = r.hash;
  }
  return { ok: true, checked: rows.length };
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs a process (one this suite started) and waits until it is gone. */
export async function killHard(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await until(`process ${pid} to be gone`, async () => !alive(pid), 10_000, 20);
}
