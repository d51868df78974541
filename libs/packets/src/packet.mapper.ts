import type { PacketEntity } from './packet.entity';
import { PacketReferenceCorrection, PacketView } from './dto/packet-views';

const DAY_MS = 24 * 3600 * 1000;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export type PacketRow = Omit<PacketEntity, 'manifest' | 'signature' | 'publicKeyPem'> & {
  claimedByName?: string | null;
  /** Issue 16: the reference corrections of a decided packet, oldest first (none when not loaded: never decided, or new). */
  referenceCorrections?: PacketReferenceCorrection[];
};

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
      referenceCorrections: p.referenceCorrections ?? [],
      currentExternalReference: p.referenceCorrections?.length
        ? p.referenceCorrections[p.referenceCorrections.length - 1].externalReference
        : p.externalReference,
    },
    sla: {
      days: slaDays,
      dueAt: dueAt.toISOString(),
      ageDays: Math.floor(ageMs / DAY_MS),
      ageHours: Math.floor(ageMs / 3600_000),
      breached: end.getTime() > dueAt.getTime(),
    },
    links: {
      self: `/api/v1/packets/${p.id}`,
      manifest: `/api/v1/packets/${p.id}/manifest`,
      archive: `/api/v1/packets/${p.id}/archive`,
      caseReport: p.caseReportKey ? `/api/v1/packets/${p.id}/case-report.pdf` : null,
    },
  };
}
