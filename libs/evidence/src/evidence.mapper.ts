import type { AuditEventView } from '@app/audit';
import type { EvidenceEntity } from './evidence.entity';
import type { EvidenceKind, EvidenceStatus, IntegrityStatus, PreservationRecord } from './evidence-vocabulary';

export interface EvidenceView {
  id: string;
  caseId: string;
  kind: EvidenceKind;
  deviceId: string | null;
  recordingOfficerBadge: string | null;
  recordedStart: string | null;
  recordedEnd: string | null;
  originalFilename: string | null;
  /** Sniffed from the bytes. */
  contentType: string;
  /** What the client said it was sending, for reference. */
  declaredContentType: string | null;
  sizeBytes: number;
  sha256: string;
  /** True when the client sent its own SHA-256 and it matched. */
  clientSha256Matched: boolean;
  uploadedBy: string;
  uploadedAt: string;
  status: EvidenceStatus;
  supersededAt: string | null;
  supersededBy: string | null;
  supersedeReason: string | null;
  replacedBy: string | null;
  integrity: {
    status: IntegrityStatus;
    lastVerifiedAt: string | null;
    lastVerifiedBy: string | null;
    failedAt: string | null;
    failure: Record<string, unknown> | null;
  };
  preservation: PreservationRecord;
  links: { self: string; content: string; verify: string };
}

export interface EvidenceDetailView extends EvidenceView {
  /** Every recorded event about this item, oldest first: its chain of custody. */
  custody: AuditEventView[];
}

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
    preservation: e.preservation,
    links: {
      self: `/api/v1/evidence/${e.id}`,
      content: `/api/v1/evidence/${e.id}/content`,
      verify: `/api/v1/evidence/${e.id}/verify`,
    },
  };
}
