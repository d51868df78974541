import { AuditAction } from '@app/audit';

/**
 * The thresholds of the home screen's queues, as data and pure functions (unit-tested in attention-rules.spec.ts).
 */

/** How many items of each queue the home screen lists (the count is always exact). */
export const ATTENTION_ITEMS = 5;

/** A supervisor's case "waits more than a day" once submitted this long ago. */
export const WAITING_LONG_MS = 24 * 3600 * 1000;

/** Integrity failures recorded in the audit trail this far back count as needing attention. */
export const INTEGRITY_WINDOW_DAYS = 7;

/**
 * Audit actions that, with outcome FAILED, record an integrity failure: stored evidence bytes that differ from their
 * recorded hash (found by a verification, a download or a packet being sent), a packet's case report that differs from
 * its signed manifest, and a broken audit hash chain.
 */
export const INTEGRITY_FAILURE_ACTIONS = [
  AuditAction.EvidenceVerified,
  AuditAction.EvidenceIntegrityFailed,
  AuditAction.PacketCaseReportIntegrityFailed,
  AuditAction.AuditVerified,
] as const;

/**
 * A denied-access spike: an actor (a user; an anonymous caller by client IP) with at least DENIED_SPIKE_MIN events of
 * outcome DENIED in the last 24 hours, and at least DENIED_SPIKE_FACTOR times their average per day over the 7 days
 * before. Ten refusals in a day is more than a user who mistypes an address or follows a stale link collects; the
 * factor keeps an actor whose work routinely meets refusals (an integration, a shared terminal) from being flagged
 * every day, while a jump from their own normal is.
 */
export const DENIED_SPIKE_MIN = 10;
export const DENIED_SPIKE_FACTOR = 3;
export const DENIED_BASELINE_DAYS = 7;

export function isDeniedSpike(lastDay: number, previousDays: number): boolean {
  const average = previousDays / DENIED_BASELINE_DAYS;
  return lastDay >= DENIED_SPIKE_MIN && lastDay >= DENIED_SPIKE_FACTOR * average;
}

/**
 * A packet is "near its SLA" while undecided and due within the last fifth of its SLA (6 days of the default 30, at
 * least one day); "past its SLA" once undecided after its due time (the review queue's `breached`).
 */
export function nearSlaWindowMs(slaDays: number): number {
  return Math.max(1, Math.ceil(slaDays / 5)) * 24 * 3600 * 1000;
}
