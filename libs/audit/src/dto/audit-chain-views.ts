import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ChainBreak, ChainVerification } from '../audit-hash';

/** Where the chain breaks (HTTP view of ChainBreak; audit-hash.ts stays free of Nest for the offline verifier). */
export class AuditChainBreak implements ChainBreak {
  @ApiProperty({ type: Number, description: 'The first event that does not verify' })
  seq: number;

  @ApiProperty({ type: String, example: 'hash of seq 42 does not match its contents' })
  reason: string;
}

/** GET /audit/verify: the chain recomputed from the database over [fromSeq, toSeq]. */
export class AuditChainVerification implements ChainVerification {
  @ApiProperty({ type: Number, description: 'The first seq asked for' })
  fromSeq: number;

  @ApiProperty({ type: Number, nullable: true, description: 'The last seq asked for; null: up to the head' })
  toSeq: number | null;

  @ApiProperty({ type: Boolean, description: 'True when every event checked links and hashes correctly' })
  ok: boolean;

  @ApiProperty({ type: Number, minimum: 0, description: 'Events that verified' })
  checked: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'First seq checked (rows archived and dropped are skipped)',
  })
  firstSeq: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Last seq that verified' })
  lastSeq: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Hash of the last event that verified' })
  headHash: string | null;

  @ApiPropertyOptional({ type: () => AuditChainBreak, description: 'Present only when ok is false' })
  firstBreak?: AuditChainBreak;
}
