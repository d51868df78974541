import type { EvidenceEntity } from './evidence.entity';
import { EvidenceView } from './dto/evidence-views';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toEvidenceView(e: EvidenceEntity): EvidenceView {
  return {
    id: e.id,
    caseId: e.caseId,
    kind: e.kind,
    deviceId: e.deviceId,
    recordingOfficerBadge: e.recordingOfficerBadge,
    recordedStart: iso(e.recordedStart),
    recordedEnd: iso(e.recordedEnd),
    originalFilename: e.originalFilename,
    contentType: e.contentType,
    declaredContentType: e.declaredContentType,
    sizeBytes: e.sizeBytes,
    sha256: e.sha256,
    clientSha256Matched: e.clientSha256Matched,
    uploadedBy: e.uploadedBy,
    uploadedAt: e.uploadedAt.toISOString(),
    status: e.status,
    supersededAt: iso(e.supersededAt),
    supersededBy: e.supersededBy,
    supersedeReason: e.supersedeReason,
    replacedBy: e.replacedBy,
    integrity: {
      status: e.integrityStatus,
      lastVerifiedAt: iso(e.lastVerifiedAt),
      lastVerifiedBy: e.lastVerifiedBy,
      failedAt: iso(e.integrityFailedAt),
      failure: e.integrityFailure,
    },
    preservation: {
      ...e.preservation,
      legalHoldChange: e.legalHoldAction
        ? {
            action: e.legalHoldAction,
            at: e.legalHoldChangedAt!.toISOString(),
            by: e.legalHoldChangedBy!,
            reason: e.legalHoldReason!,
            reference: e.legalHoldReference,
          }
        : null,
    },
    links: {
      self: `/api/v1/evidence/${e.id}`,
      content: `/api/v1/evidence/${e.id}/content`,
      verify: `/api/v1/evidence/${e.id}/verify`,
    },
  };
}
