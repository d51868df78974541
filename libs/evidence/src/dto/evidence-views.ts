import { ApiProperty } from '@nestjs/swagger';
import { AuditEventView } from '@app/audit';
import {
  EVIDENCE_KINDS,
  EVIDENCE_STATUSES,
  EvidenceKind,
  EvidenceStatus,
  INTEGRITY_STATUSES,
  IntegrityStatus,
  LEGAL_HOLD_ACTIONS,
  LegalHoldAction,
  PreservationRecord,
} from '../evidence-vocabulary';

/** Whether the stored bytes still match the recorded hash, as far as the service last checked. */
export class EvidenceIntegrity {
  @ApiProperty({
    enum: INTEGRITY_STATUSES,
    enumName: 'IntegrityStatus',
    description:
      'FAILED once a verification or full download found different bytes; OK again once a verification of the recorded version matches (the finding stays in `failure`)',
  })
  status: IntegrityStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastVerifiedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  lastVerifiedBy: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When a check last found different bytes; kept after a later verification clears it',
  })
  failedAt: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'What the last failed check found (expected and actual hash and size, the version read...); ' +
      'after a verification of the recorded version matched again, `cleared` says who, when and against which version',
  })
  failure: Record<string, unknown> | null;
}

/** The last deliberate change of an item's legal hold (every change is also in its custody). */
export class LegalHoldChange {
  @ApiProperty({ enum: LEGAL_HOLD_ACTIONS, enumName: 'LegalHoldAction' })
  action: LegalHoldAction;

  @ApiProperty({ type: String, format: 'date-time' })
  at: string;

  @ApiProperty({ type: String, format: 'uuid' })
  by: string;

  @ApiProperty({ type: String })
  reason: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The court order or prosecutor office reference that allowed it (always present on a release)',
  })
  reference: string | null;
}

export class PreservationView extends PreservationRecord {
  @ApiProperty({
    type: () => LegalHoldChange,
    nullable: true,
    description: 'The last deliberate change of the legal hold; null while it is as applied at upload',
  })
  legalHoldChange: LegalHoldChange | null;
}

export class EvidenceLinks {
  @ApiProperty({ type: String, example: '/api/v1/evidence/00000000-0000-0000-0000-000000000000' })
  self: string;

  @ApiProperty({ type: String, description: 'GET: the file, streamed (Range supported)' })
  content: string;

  @ApiProperty({ type: String, description: 'POST: re-hash the stored file' })
  verify: string;
}

export class EvidenceView {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid' })
  caseId: string;

  @ApiProperty({ enum: EVIDENCE_KINDS, enumName: 'EvidenceKind' })
  kind: EvidenceKind;

  @ApiProperty({ type: String, nullable: true, description: 'Recording device id (e.g. BWC serial)' })
  deviceId: string | null;

  @ApiProperty({ type: String, nullable: true })
  recordingOfficerBadge: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  recordedStart: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  recordedEnd: string | null;

  @ApiProperty({ type: String, nullable: true })
  originalFilename: string | null;

  /** Sniffed from the bytes. */
  @ApiProperty({ type: String, example: 'video/mp4', description: 'Sniffed from the bytes' })
  contentType: string;

  /** What the client said it was sending, for reference. */
  @ApiProperty({ type: String, nullable: true, description: 'What the client said it was sending, for reference' })
  declaredContentType: string | null;

  @ApiProperty({ type: Number, minimum: 0 })
  sizeBytes: number;

  @ApiProperty({
    type: String,
    pattern: '^[0-9a-f]{64}$',
    description: 'SHA-256 of the file, computed while it streamed in, lowercase hex',
  })
  sha256: string;

  /** True when the client sent its own SHA-256 and it matched. */
  @ApiProperty({ type: Boolean, description: 'True when the client sent its own SHA-256 and it matched' })
  clientSha256Matched: boolean;

  @ApiProperty({ type: String, format: 'uuid' })
  uploadedBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  uploadedAt: string;

  @ApiProperty({
    enum: EVIDENCE_STATUSES,
    enumName: 'EvidenceStatus',
    description: 'SUPERSEDED items are kept, never deleted',
  })
  status: EvidenceStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  supersededAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  supersededBy: string | null;

  @ApiProperty({ type: String, nullable: true })
  supersedeReason: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The evidence item that replaces this one, if named',
  })
  replacedBy: string | null;

  @ApiProperty({ type: () => EvidenceIntegrity })
  integrity: EvidenceIntegrity;

  @ApiProperty({ type: () => PreservationView })
  preservation: PreservationView;

  @ApiProperty({ type: () => EvidenceLinks })
  links: EvidenceLinks;
}

export class EvidenceDetailView extends EvidenceView {
  /** Every recorded event about this item, oldest first: its chain of custody. */
  @ApiProperty({
    type: () => [AuditEventView],
    description: 'Every recorded event about this item, oldest first: its chain of custody',
  })
  custody: AuditEventView[];
}

/** GET /cases/:id/evidence. */
export class CaseEvidenceList {
  @ApiProperty({ type: String, format: 'uuid' })
  caseId: string;

  @ApiProperty({ type: String, example: 'ION-2026-000123' })
  caseNumber: string;

  @ApiProperty({ type: () => [EvidenceView], description: 'Oldest first, superseded ones included' })
  items: EvidenceView[];
}

/** POST /evidence/:id/verify when the stored file still matches (a mismatch answers 409). */
export class EvidenceVerification {
  @ApiProperty({ type: String, format: 'uuid' })
  evidenceId: string;

  @ApiProperty({ enum: ['MATCH'] })
  result: 'MATCH';

  @ApiProperty({ type: String, description: 'SHA-256 recorded at upload and found again, lowercase hex' })
  sha256: string;

  @ApiProperty({ type: Number, minimum: 0 })
  sizeBytes: number;

  @ApiProperty({ type: String, format: 'date-time' })
  verifiedAt: string;

  @ApiProperty({ type: Number, minimum: 0, description: 'How long re-reading took' })
  durationMs: number;
}
