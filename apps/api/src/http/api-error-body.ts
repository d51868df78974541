import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ChecklistItem } from '@app/cases';
import { ERROR_CODES, ErrorCode, FieldError } from '@app/common';

/** CASE.UPLOAD_IN_PROGRESS: one evidence upload to the case that has not ended. */
export class UploadInProgressItem {
  @ApiProperty({ type: String, format: 'uuid', description: 'The upload (the id its evidence item will have)' })
  id: string;

  @ApiProperty({ type: String, example: 'BWC' })
  kind: string;

  @ApiProperty({ type: String, nullable: true })
  originalFilename: string | null;

  @ApiProperty({ type: String, format: 'uuid', description: 'Who is uploading' })
  startedBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  startedAt: string;

  @ApiProperty({ type: Number, description: 'Bytes received so far (updated every few seconds)' })
  bytesReceived: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When it stops counting if no further byte arrives (UPLOAD_STALE_MINUTES)',
  })
  staleAt: string;
}

/**
 * The body of every error answer (ApiExceptionFilter): statusCode, code, message and requestId,
 * plus the error's non-secret details, spread at the top level (which ones depends on the code).
 */
export class ApiErrorBody {
  @ApiProperty({ type: Number, example: 409, description: 'The HTTP status, repeated' })
  statusCode: number;

  @ApiProperty({ enum: ERROR_CODES, enumName: 'ErrorCode', description: 'Stable machine-readable code' })
  code: ErrorCode;

  @ApiProperty({ type: String, description: 'What went wrong, in words' })
  message: string;

  @ApiProperty({ type: String, description: 'The request id (also in the X-Request-Id header): quote it to support' })
  requestId: string;

  @ApiPropertyOptional({
    type: () => [FieldError],
    description: 'VALIDATION.FAILED: each invalid or unknown field and why',
  })
  fields?: FieldError[];

  @ApiPropertyOptional({
    type: () => [ChecklistItem],
    description: 'CASE.CHECKLIST_INCOMPLETE: what the case still lacks',
  })
  missing?: ChecklistItem[];

  @ApiPropertyOptional({
    type: String,
    example: 'SUBMITTED',
    description: 'CASE.INVALID_TRANSITION, RESOURCE.CONFLICT: the current state',
  })
  currentState?: string;

  @ApiPropertyOptional({ type: String, example: 'approve', description: 'CASE.INVALID_TRANSITION: the step refused' })
  action?: string;

  @ApiPropertyOptional({ type: Number, description: 'VERSION.CONFLICT: the version you sent' })
  expectedVersion?: number;

  @ApiPropertyOptional({ type: Number, description: 'VERSION.CONFLICT: the current version' })
  currentVersion?: number;

  @ApiPropertyOptional({
    type: String,
    enum: ['PASSWORD_CHANGE_REQUIRED'],
    description: 'AUTH.PASSWORD_CHANGE_REQUIRED: the state of the account',
  })
  state?: 'PASSWORD_CHANGE_REQUIRED';

  @ApiPropertyOptional({
    type: String,
    description: 'RESOURCE.CONFLICT on a badge number: the username of the account that holds it',
  })
  heldBy?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'AUTH.ACCOUNT_LOCKED: until when' })
  lockedUntil?: string;

  @ApiPropertyOptional({ type: Number, description: 'RATE.LIMITED: seconds to wait (also the Retry-After header)' })
  retryAfterSeconds?: number;

  @ApiPropertyOptional({ type: Number, description: 'UPLOAD.TOO_LARGE: the limit' })
  limitBytes?: number;

  @ApiPropertyOptional({
    type: String,
    description: 'EVIDENCE.HASH_MISMATCH, EVIDENCE.INTEGRITY_FAILURE: the SHA-256 expected',
  })
  expectedSha256?: string;

  @ApiPropertyOptional({
    type: String,
    description:
      'EVIDENCE.HASH_MISMATCH, EVIDENCE.INTEGRITY_FAILURE: the SHA-256 found ("missing" when the object is gone)',
  })
  actualSha256?: string;

  @ApiPropertyOptional({ type: Number, description: 'EVIDENCE.INTEGRITY_FAILURE: the recorded size' })
  expectedSize?: number;

  @ApiPropertyOptional({ type: Number, description: 'EVIDENCE.INTEGRITY_FAILURE: the size found in storage' })
  actualSize?: number;

  @ApiPropertyOptional({
    type: Number,
    description:
      'EVIDENCE.HASH_MISMATCH: bytes that arrived; EVIDENCE.EMPTY: 0; RANGE.NOT_SATISFIABLE: the object size',
  })
  sizeBytes?: number;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description: 'EVIDENCE.DUPLICATE: the active item of the case that holds the same file',
  })
  existingEvidenceId?: string;

  @ApiPropertyOptional({ type: String, description: 'EVIDENCE.DUPLICATE: the SHA-256 of the file' })
  sha256?: string;

  @ApiPropertyOptional({
    type: () => [UploadInProgressItem],
    description: 'CASE.UPLOAD_IN_PROGRESS: the uploads still arriving',
  })
  uploads?: UploadInProgressItem[];

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'RESOURCE.CONFLICT on claim: who holds the packet',
  })
  claimedBy?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'RESOURCE.CONFLICT on claim: since when',
  })
  claimedAt?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'RESOURCE.CONFLICT on decision: the decision already taken',
  })
  decision?: string | null;
}

/** The default (any non-2xx) response of every route: `@ApiDefaultResponse(API_ERROR)` on each controller. */
export const API_ERROR = {
  type: ApiErrorBody,
  description: 'Error: statusCode, code, message, requestId, and details that depend on the code',
};
