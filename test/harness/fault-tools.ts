import { createHash } from 'node:crypto';
import { GENESIS_HASH, hashAuditEvent } from '@app/audit';
import { until } from './raw-http';

/*
 * Tools of the fault-injection suite (faults.e2e-spec.ts): raw HTTP (raw-http.ts), an independent audit-chain check,
 * and waiting for a killed process to be gone.
 */

export const MiB = 1024 * 1024;

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * Recomputes the chain from raw rows, independently of the service: seqs gapless from the
 * first row, each prev_hash the previous hash, each hash recomputed from the row's fields.
 */
export function verifyChainRows(rows: Record<string, any>[]): {
  ok: boolean;
  checked: number;
  brokenAt?: number;
  why?: string;
} {
  let prev = GENESIS_HASH;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const seq = Number(r.seq);
    if (seq !== i + 1) return { ok: false, checked: i, brokenAt: seq, why: `seq ${seq} at position ${i + 1}` };
    if (r.prev_hash !== prev) return { ok: false, checked: i, brokenAt: seq, why: 'prev_hash does not link' };
    const hash = hashAuditEvent(r.prev_hash, {
      seq,
      id: r.id,
      occurredAt: new Date(r.occurred_at).toISOString(),
      actorId: r.actor_id,
      actorUsername: r.actor_username,
      actorRole: r.actor_role,
      action: r.action,
      outcome: r.outcome,
      targetType: r.target_type,
      targetId: r.target_id,
      caseId: r.case_id,
      requestId: r.request_id,
      clientIp: r.client_ip,
      userAgent: r.user_agent,
      details: r.details,
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
