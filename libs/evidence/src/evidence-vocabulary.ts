export const EVIDENCE_KINDS = ['BWC', 'OTHER_VIDEO', 'PHOTO', 'AUDIO', 'DOCUMENT'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export const EVIDENCE_STATUSES = ['ACTIVE', 'SUPERSEDED'] as const;
export type EvidenceStatus = (typeof EVIDENCE_STATUSES)[number];

/** OK until a verification or a full download finds the stored bytes differ from the recorded hash. */
export type IntegrityStatus = 'OK' | 'FAILED';

/** What was done to keep the object from being altered or deleted, recorded on the evidence row. */
export interface PreservationRecord {
  /** Whether the bucket offered S3 Object Lock when the item was stored. */
  worm: boolean;
  retentionMode: 'COMPLIANCE' | 'GOVERNANCE' | null;
  retainUntil: string | null;
  legalHold: boolean;
  appliedAt: string | null;
  /** In words: what was applied, or why nothing could be. */
  note: string;
}
