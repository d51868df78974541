import { Column, Entity, PrimaryColumn } from 'typeorm';
import type {
  EvidenceKind,
  EvidenceStatus,
  IntegrityStatus,
  LegalHoldAction,
  PreservationRecord,
} from './evidence-vocabulary';

/** bigint columns come back from pg as strings; evidence sizes stay far below 2^53. */
const bigintAsNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

@Entity('evidence')
export class EvidenceEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ type: 'varchar' })
  kind: EvidenceKind;

  @Column({ name: 'device_id', type: 'varchar', nullable: true })
  deviceId: string | null;

  @Column({ name: 'recording_officer_badge', type: 'varchar', nullable: true })
  recordingOfficerBadge: string | null;

  @Column({ name: 'recorded_start', type: 'timestamptz', nullable: true })
  recordedStart: Date | null;

  @Column({ name: 'recorded_end', type: 'timestamptz', nullable: true })
  recordedEnd: Date | null;

  @Column({ name: 'original_filename', type: 'varchar', nullable: true })
  originalFilename: string | null;

  @Column({ name: 'declared_content_type', type: 'varchar', nullable: true })
  declaredContentType: string | null;

  @Column({ name: 'content_type', type: 'varchar' })
  contentType: string;

  @Column({ name: 'size_bytes', type: 'bigint', transformer: bigintAsNumber })
  sizeBytes: number;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ name: 'client_sha256_matched', type: 'boolean' })
  clientSha256Matched: boolean;

  @Column({ name: 'storage_bucket', type: 'varchar' })
  storageBucket: string;

  @Column({ name: 'storage_key', type: 'varchar' })
  storageKey: string;

  @Column({ name: 'storage_version_id', type: 'varchar', nullable: true })
  storageVersionId: string | null;

  @Column({ name: 'storage_etag', type: 'varchar', nullable: true })
  storageEtag: string | null;

  @Column({ name: 'uploaded_by', type: 'uuid' })
  uploadedBy: string;

  @Column({ name: 'uploaded_at', type: 'timestamptz' })
  uploadedAt: Date;

  @Column({ name: 'upload_request_id', type: 'varchar', nullable: true })
  uploadRequestId: string | null;

  @Column({ type: 'varchar' })
  status: EvidenceStatus;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt: Date | null;

  @Column({ name: 'superseded_by', type: 'uuid', nullable: true })
  supersededBy: string | null;

  @Column({ name: 'supersede_reason', type: 'text', nullable: true })
  supersedeReason: string | null;

  @Column({ name: 'replaced_by', type: 'uuid', nullable: true })
  replacedBy: string | null;

  @Column({ name: 'integrity_status', type: 'varchar' })
  integrityStatus: IntegrityStatus;

  @Column({ name: 'last_verified_at', type: 'timestamptz', nullable: true })
  lastVerifiedAt: Date | null;

  @Column({ name: 'last_verified_by', type: 'uuid', nullable: true })
  lastVerifiedBy: string | null;

  @Column({ name: 'integrity_failed_at', type: 'timestamptz', nullable: true })
  integrityFailedAt: Date | null;

  @Column({ name: 'integrity_failure', type: 'jsonb', nullable: true })
  integrityFailure: Record<string, unknown> | null;

  @Column({ type: 'jsonb' })
  preservation: PreservationRecord;

  /** The last deliberate change of the legal hold (its state is preservation.legalHold); null until the first. */
  @Column({ name: 'legal_hold_action', type: 'varchar', nullable: true })
  legalHoldAction: LegalHoldAction | null;

  @Column({ name: 'legal_hold_changed_at', type: 'timestamptz', nullable: true })
  legalHoldChangedAt: Date | null;

  @Column({ name: 'legal_hold_changed_by', type: 'uuid', nullable: true })
  legalHoldChangedBy: string | null;

  @Column({ name: 'legal_hold_reason', type: 'text', nullable: true })
  legalHoldReason: string | null;

  @Column({ name: 'legal_hold_reference', type: 'varchar', nullable: true })
  legalHoldReference: string | null;
}
