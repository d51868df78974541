import { createHash } from 'node:crypto';
import { canonicalJson } from '@app/common/canonical-json';

export const GENESIS_HASH = '0'.repeat(64);
export const AUDIT_OUTCOMES = ['SUCCESS', 'DENIED', 'FAILED'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Exactly the fields that are hashed, in their canonical representation. */
export interface AuditEventBody {
  seq: number;
  id: string;
  occurredAt: string; // ISO 8601 UTC with milliseconds
  actorId: string | null;
  actorUsername: string | null;
  actorRole: string;
  action: string;
  outcome: AuditOutcome;
  targetType: string | null;
  targetId: string | null;
  caseId: string | null;
  requestId: string | null;
  clientIp: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

export interface ChainedAuditEvent extends AuditEventBody {
  prevHash: string;
  hash: string;
}

/** The canonical JSON of exactly the hashed fields: the bytes the hash covers (stored as audit_events.body_json). */
export function canonicalAuditBody(body: AuditEventBody): string {
  const canonical: AuditEventBody = {
    seq: body.seq,
    id: body.id,
    occurredAt: body.occurredAt,
    actorId: body.actorId,
    actorUsername: body.actorUsername,
    actorRole: body.actorRole,
    action: body.action,
    outcome: body.outcome,
    targetType: body.targetType,
    targetId: body.targetId,
    caseId: body.caseId,
    requestId: body.requestId,
    clientIp: body.clientIp,
    userAgent: body.userAgent,
    details: body.details,
  };
  return canonicalJson(canonical);
}

/** SHA-256( prev_hash || canonical body ), lowercase hex. */
export function hashCanonicalBody(prevHash: string, canonicalBody: string): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalBody, 'utf8').digest('hex');
}

/** hash = SHA-256( prev_hash || canonical JSON of the event body ), lowercase hex. */
export function hashAuditEvent(prevHash: string, body: AuditEventBody): string {
  return hashCanonicalBody(prevHash, canonicalAuditBody(body));
}

export interface ChainBreak {
  seq: number;
  reason: string;
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstSeq: number | null;
  lastSeq: number | null;
  headHash: string | null;
  firstBreak?: ChainBreak;
}

/**
 * Verifies consecutive events: each row's own hash, seq continuity and prev_hash linkage.
 * `expectedPrevHash` is the hash of the event before the first one (GENESIS_HASH for seq 1);
 * leave it undefined to trust the first row's prev_hash (a range starting mid-chain).
 */
export function verifyAuditChain(events: Iterable<ChainedAuditEvent>, expectedPrevHash?: string): ChainVerification {
  let prev: ChainedAuditEvent | undefined;
  let checked = 0;
  let firstSeq: number | null = null;
  for (const e of events) {
    if (firstSeq === null) firstSeq = e.seq;
    const fail = (reason: string): ChainVerification => ({
      ok: false,
      checked,
      firstSeq,
      lastSeq: prev?.seq ?? null,
      headHash: prev?.hash ?? null,
      firstBreak: { seq: e.seq, reason },
    });
    if (prev) {
      if (e.seq !== prev.seq + 1) return fail(`seq ${e.seq} follows seq ${prev.seq}: expected ${prev.seq + 1}`);
      if (e.prevHash !== prev.hash) return fail(`prev_hash of seq ${e.seq} does not match the hash of seq ${prev.seq}`);
    } else {
      const expected = expectedPrevHash ?? (e.seq === 1 ? GENESIS_HASH : undefined);
      if (expected !== undefined && e.prevHash !== expected) {
        return fail(`prev_hash of seq ${e.seq} does not match the expected previous hash`);
      }
    }
    if (hashAuditEvent(e.prevHash, e) !== e.hash) return fail(`hash of seq ${e.seq} does not match its contents`);
    prev = e;
    checked++;
  }
  return { ok: true, checked, firstSeq, lastSeq: prev?.seq ?? null, headHash: prev?.hash ?? null };
}
