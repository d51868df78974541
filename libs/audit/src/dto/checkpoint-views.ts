import { ApiProperty } from '@nestjs/swagger';
import { SignedCheckpoint } from '../export-format';

export const CHECKPOINT_REASONS = ['periodic', 'export', 'archive'] as const;

export type CheckpointReason = (typeof CHECKPOINT_REASONS)[number];

/** A signed checkpoint of the chain's head, as GET /audit/checkpoints lists it. */
export class CheckpointView implements SignedCheckpoint {
  @ApiProperty({ type: Number })
  id: number;

  @ApiProperty({ type: Number, minimum: 0, description: 'Seq of the chain head that was signed (0: empty chain)' })
  seq: number;

  @ApiProperty({ type: String, description: 'Hash of that event, lowercase hex SHA-256' })
  headHash: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, description: 'Id of the signing key (see GET /keys)' })
  keyId: string;

  @ApiProperty({ type: String, description: 'Ed25519 signature of the canonical checkpoint message, base64' })
  signature: string;

  @ApiProperty({ enum: CHECKPOINT_REASONS, enumName: 'CheckpointReason' })
  reason: CheckpointReason;
}

/** GET /audit/checkpoints: the latest checkpoints (at most 100), newest first. */
export class CheckpointList {
  @ApiProperty({ type: () => [CheckpointView] })
  items: CheckpointView[];
}
