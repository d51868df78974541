import { ApiProperty } from '@nestjs/swagger';

export const EVIDENCE_KINDS = ['BWC', 'OTHER_VIDEO', 'PHOTO', 'AUDIO', 'DOCUMENT'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export const EVIDENCE_STATUSES = ['ACTIVE', 'SUPERSEDED'] as const;
export type EvidenceStatus = (typeof EVIDENCE_STATUSES)[number];

/**
 * OK until a verification or a full download finds the stored bytes differ from the recorded hash; OK again
 * when a later verification of the recorded version matches (the earlier finding stays in custody).
 */
export const INTEGRITY_STATUSES = ['OK', 'FAILED'] as const;
export type IntegrityStatus = (typeof INTEGRITY_STATUSES)[number];

/** A deliberate change of an item's legal hold (POST /evidence/:id/legal-hold and .../legal-hold/release). */
export const LEGAL_HOLD_ACTIONS = ['PLACED', 'RELEASED'] as const;
export type LegalHoldAction = (typeof LEGAL_HOLD_ACTIONS)[number];

/** S3 Object Lock retention modes. */
export const RETENTION_MODES = ['COMPLIANCE', 'GOVERNANCE'] as const;
export type RetentionMode = (typeof RETENTION_MODES)[number];

/** What was done to keep the object from being altered or deleted, recorded on the evidence row. */
export class PreservationRecord {
  /** Whether the bucket offered S3 Object Lock when the item was stored. */
  @ApiProperty({
    type: Boolean,
    description: 'Whether the bucket offered S3 Object Lock (WORM) when the item was stored',
  })
  worm: boolean;

  @ApiProperty({
    enum: RETENTION_MODES,
    enumName: 'RetentionMode',
    nullable: true,
    description: 'S3 Object Lock retention mode',
  })
  retentionMode: RetentionMode | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  retainUntil: string | null;

  @ApiProperty({
    type: Boolean,
    description:
      'Whether an Object Lock legal hold is set: from upload on, until a recorded release after the case ended (see legalHoldChange)',
  })
  legalHold: boolean;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When retention and legal hold were applied; null if not (yet)',
  })
  appliedAt: string | null;

  /** In words: what was applied, or why nothing could be. */
  @ApiProperty({ type: String, description: 'In words: what was applied, or why nothing could be' })
  note: string;
}
