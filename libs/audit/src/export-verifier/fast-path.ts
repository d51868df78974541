import { hash as sha256Hex } from 'node:crypto';
import { canonicalJson } from '@app/common/canonical-json';
import { ChainedAuditEvent } from '../audit-hash';
import { isObject, isSeq, OUTCOMES } from './parse';

// --- fast row hashing -----------------------------------------------------------------------------
//
// Hashing every row is what the verifier spends its time on, so a row of the usual shape is
// hashed by building its canonical body directly (named fields, in sorted key order) and one-shot
// SHA-256: the same bytes as hashAuditEvent, SHA-256(prevHash || canonical JSON of the body),
// without the generic canonicalJson walk. It only ever ACCEPTS a row: anything else goes through
// the detailed type checks and hashAuditEvent itself (the plain path), which decide and word the
// failure.
//
// The fast path is kept only because fast-path.spec.ts holds it to the plain path: on generated
// exports, clean and tampered in every way the verifier detects, both must give the same verdict
// and the same findings (checkRows takes `fast: false` for the plain path).

// eslint-disable-next-line no-control-regex -- the control characters JSON.stringify escapes, named on purpose
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const SURROGATE = /[\ud800-\udfff]/;
/** JSON.stringify of a string (as canonicalJson writes it), skipping it when nothing needs escaping. */
const str = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);
const plainStr = (s: string): string => `"${s}"`;

/**
 * Can every string parsed from this JSON line be quoted as is? Without a backslash the line has
 * no escapes, so its strings hold no quote, backslash or control character (JSON.parse refuses
 * raw ones), and without surrogates none that JSON.stringify would escape.
 */
export const plainJsonLine = (line: string): boolean => line.indexOf('\\') < 0 && !SURROGATE.test(line);

/** Own members of a parsed object, counted without allocating (for..in over a JSON.parse result sees only its own). */
export function memberCount(o: Record<string, unknown>): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

/** Are all 17 fields of the parsed row of the right type (hashes: see checkRows)? The detailed checks say which is not. */
export function hasEventShape(e: Record<string, unknown>): boolean {
  const nullable = (v: unknown) => v === null || typeof v === 'string';
  return (
    isSeq(e.seq) &&
    typeof e.id === 'string' &&
    typeof e.occurredAt === 'string' &&
    nullable(e.actorId) &&
    nullable(e.actorUsername) &&
    typeof e.actorRole === 'string' &&
    typeof e.action === 'string' &&
    typeof e.outcome === 'string' &&
    OUTCOMES.has(e.outcome) &&
    nullable(e.targetType) &&
    nullable(e.targetId) &&
    nullable(e.caseId) &&
    nullable(e.requestId) &&
    nullable(e.clientIp) &&
    nullable(e.userAgent) &&
    isObject(e.details) &&
    typeof e.prevHash === 'string' &&
    typeof e.hash === 'string'
  );
}

/**
 * hashAuditEvent(e.prevHash, e) for a row of the right shape, computed faster. The keys are
 * written in canonicalJson's order (sorted by UTF-16 code units); the spec checks the bytes.
 * `plain`: no string needs escaping (see plainJsonLine).
 */
export function fastRowHash(e: ChainedAuditEvent, plain = false): string {
  const q = plain ? plainStr : str;
  const n = (s: string | null): string => (s === null ? 'null' : q(s));
  const body =
    `{"action":${q(e.action)},"actorId":${n(e.actorId)},"actorRole":${q(e.actorRole)}` +
    `,"actorUsername":${n(e.actorUsername)},"caseId":${n(e.caseId)},"clientIp":${n(e.clientIp)}` +
    `,"details":${canonicalJson(e.details)},"id":${q(e.id)},"occurredAt":${q(e.occurredAt)},"outcome":${q(e.outcome)}` +
    `,"requestId":${n(e.requestId)},"seq":${e.seq},"targetId":${n(e.targetId)}` +
    `,"targetType":${n(e.targetType)},"userAgent":${n(e.userAgent)}}`;
  return sha256Hex('sha256', e.prevHash + body, 'hex');
}
