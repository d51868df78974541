import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { IsSingleLine } from '@app/common';
import { EVIDENCE_KINDS, EvidenceKind } from '../evidence-vocabulary';

const NOT_BLANK = /\S/;

/**
 * What is said about an uploaded file. Raw uploads send these as query parameters (or
 * `X-Evidence-<Name>` headers); multipart uploads as form fields before the file part.
 */
export class EvidenceMetadataDto {
  @ApiProperty({ enum: EVIDENCE_KINDS, enumName: 'EvidenceKind', description: 'BWC for body-worn-camera footage' })
  @IsIn(EVIDENCE_KINDS, { message: `kind must be one of ${EVIDENCE_KINDS.join(', ')}` })
  kind: EvidenceKind;

  @ApiPropertyOptional({ example: 'AXON-BODY4-X81234', description: 'Camera or device identifier' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(NOT_BLANK, { message: 'deviceId must not be blank' })
  @IsSingleLine()
  deviceId?: string;

  @ApiPropertyOptional({ example: '4471', description: 'Badge of the officer who recorded it' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{1,20}$/, { message: 'recordingOfficerBadge must be 1-20 letters, digits or hyphens' })
  recordingOfficerBadge?: string;

  @ApiPropertyOptional({ example: '2026-11-20T14:03:10-06:00' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'recordedStart must be an ISO 8601 date-time' })
  recordedStart?: string;

  @ApiPropertyOptional({ example: '2026-11-20T14:31:55-06:00' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'recordedEnd must be an ISO 8601 date-time' })
  recordedEnd?: string;

  @ApiPropertyOptional({
    example: 'AXON_Body_4_Video_2026-11-20_1403.mp4',
    description: 'Kept for reference only; never used as a storage key',
  })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  @IsSingleLine()
  originalFilename?: string;

  @ApiPropertyOptional({
    description: 'SHA-256 of the file as the client computed it (64 hex digits); a mismatch rejects the upload',
  })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hexadecimal digits' })
  sha256?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Only to keep a deliberate second copy of a file the case already holds: the id of that active item (same SHA-256). ' +
      'Without it, the same file again is refused with 409 EVIDENCE.DUPLICATE naming the item; with an id that is not such an item, 422. ' +
      'Recorded in the evidence.uploaded audit event.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'duplicateOf must be an evidence id (UUID)' })
  duplicateOf?: string;
}

export const EVIDENCE_METADATA_FIELDS = [
  'kind',
  'deviceId',
  'recordingOfficerBadge',
  'recordedStart',
  'recordedEnd',
  'originalFilename',
  'sha256',
  'duplicateOf',
] as const;
export type EvidenceMetadataField = (typeof EVIDENCE_METADATA_FIELDS)[number];

export class SupersedeEvidenceDto {
  @ApiProperty({ maxLength: 2000, example: 'Uploaded to the wrong case; the correct file is 6f1c…' })
  @IsString()
  @Length(1, 2000)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason: string;

  @ApiPropertyOptional({ description: 'The evidence item of the same case that replaces this one' })
  @IsOptional()
  @IsUUID('all', { message: 'replacedBy must be an evidence id (UUID)' })
  replacedBy?: string;
}
