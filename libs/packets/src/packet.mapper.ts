import type { PacketEntity } from './packet.entity';
import type { PacketDecision, PacketOffice, PacketStatus } from './packet-vocabulary';

const DAY_MS = 24 * 3600 * 1000;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A packet's metadata and review state (the manifest itself is served separately, and audited). */
export interface PacketView {
  id: string;
  caseId: string;
  caseNumber: string;
  version: number;
  previousPacketId: string | null;
  office: PacketOffice;
  felony: boolean;
  status: PacketStatus;
  sentAt: string;
  sentBy: string;
  manifestSha256: string;
  keyId: string;
  evidenceCount: number;
  evidenceBytes: number;
  review: {
    claimedBy: string | null;
    claimedByName: string | null;
    claimedAt: string | null;
    decision: PacketDecision | null;
    decisionReason: string | null;
    externalReference: string | null;
    decidedBy: string | null;
    decidedAt: string | null;
  };
  /** Age runs from sending until the decision (or now); the SLA is breached once it passes dueAt undecided. */
  sla: { days: number; dueAt: string; ageDays: number; ageHours: number; breached: boolean };
  links: { self: string; manifest: string; archive: string };
}

export type PacketRow = Omit<PacketEntity, 'manifest' | 'signature' | 'publicKeyPem'> & { claimedByName?: string | null };

export function toPacketView(p: PacketRow, slaDays: number, now: Date): PacketView {
  const dueAt = new Date(p.sentAt.getTime() + slaDays * DAY_MS);
  const end = p.decidedAt ?? now;
  const ageMs = Math.max(0, end.getTime() - p.sentAt.getTime());
  return {
    id: p.id,
    caseId: p.caseId,
    caseNumber: p.caseNumber,
    version: p.version,
    previousPacketId: p.previousPacketId,
    office: p.office,
    felony: p.felony,
    status: p.status,
    sentAt: p.sentAt.toISOString(),
    sentBy: p.sentBy,
    manifestSha256: p.manifestSha256,
    keyId: p.keyId,
    evidenceCount: p.evidenceCount,
    evidenceBytes: p.evidenceBytes,
    review: {
      claimedBy: p.claimedBy,
      claimedByName: p.claimedByName ?? null,
      claimedAt: iso(p.claimedAt),
      decision: p.decision,
      decisionReason: p.decisionReason,
      externalReference: p.externalReference,
      decidedBy: p.decidedBy,
      decidedAt: iso(p.decidedAt),
    },
    sla: {
      days: slaDays,
      dueAt: dueAt.toISOString(),
      ageDays: Math.floor(ageMs / DAY_MS),
      ageHours: Math.floor(ageMs / 3600_000),
      breached: end.getTime() > dueAt.getTime(),
    },
    links: { self: `/api/v1/packets/${p.id}`, manifest: `/api/v1/packets/${p.id}/manifest`, archive: `/api/v1/packets/${p.id}/archive` },
  };
}
