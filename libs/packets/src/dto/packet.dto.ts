import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsSingleLine, PageQuery, SEARCH_QUERY_MAX_LENGTH } from '@app/common';
import {
  PACKET_DECISIONS,
  PACKET_OFFICE_VALUES,
  PACKET_STATUSES,
  PacketDecision,
  PacketOffice,
  PacketStatus,
} from '../packet-vocabulary';

const NOT_BLANK = /\S/;

export class SendPacketDto {
  @ApiPropertyOptional({
    enum: PACKET_OFFICE_VALUES,
    enumName: 'ProsecutorOffice',
    description:
      "The prosecuting office. Default: CCSAO when any violation is a felony, else the city's Department of Law (CITY_LAW).",
  })
  @IsOptional()
  @IsIn(PACKET_OFFICE_VALUES, { message: `office must be one of ${PACKET_OFFICE_VALUES.join(', ')}` })
  office?: PacketOffice;

  @ApiPropertyOptional({
    description: 'The case version the supervisor reviewed (If-Match also works); a stale one gets 409',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class PacketDecisionDto {
  @ApiProperty({ enum: PACKET_DECISIONS, enumName: 'PacketDecision' })
  @IsIn(PACKET_DECISIONS, { message: `decision must be one of ${PACKET_DECISIONS.join(', ')}` })
  decision: PacketDecision;

  @ApiProperty({
    maxLength: 4000,
    description: 'Why; for MORE_INFO_REQUESTED, what the officer must add (they see this note)',
  })
  @IsString()
  @Length(1, 4000)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason: string;

  @ApiPropertyOptional({ maxLength: 200, example: '2026-CR-0012345', description: 'e.g. a court case number' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(NOT_BLANK, { message: 'externalReference must not be blank' })
  @IsSingleLine()
  externalReference?: string;
}

/** POST /packets/:id/release (issue 16). */
export class ReleasePacketDto {
  @ApiPropertyOptional({
    maxLength: 4000,
    description:
      "Why the claim is released. Optional for your own claim; required to release a colleague's stale claim.",
  })
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason?: string;
}

/** POST /packets/:id/hand-over (issue 16). */
export class HandOverPacketDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    description: "Another active prosecutor of the packet's office (GET /office/colleagues)",
  })
  @IsUUID('all', { message: 'toUserId must be a user id (UUID)' })
  toUserId: string;

  @ApiProperty({ maxLength: 4000, description: 'Why the packet is handed over (recorded, and shown to the colleague)' })
  @IsString()
  @Length(1, 4000)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason: string;
}

/** POST /packets/:id/reference-corrections (issue 16). */
export class CorrectReferenceDto {
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 200,
    example: '2026-CR-0012346',
    description:
      'The correct external reference (e.g. the court case number); null when the decision should carry none',
  })
  @ValidateIf((o: CorrectReferenceDto) => o.externalReference !== null)
  @IsString({ message: 'externalReference must be a string, or null to remove it' })
  @Length(1, 200)
  @Matches(NOT_BLANK, { message: 'externalReference must not be blank' })
  @IsSingleLine()
  externalReference: string | null;

  @ApiProperty({ maxLength: 4000, description: 'Why the reference is corrected' })
  @IsString()
  @Length(1, 4000)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason: string;
}

export class ReviewQueueQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: PACKET_STATUSES,
    enumName: 'PacketStatus',
    isArray: true,
    description:
      'One or more of PENDING, IN_REVIEW, DECIDED: repeated (status=PENDING&status=IN_REVIEW) or comma-separated. ' +
      'Default: PENDING,IN_REVIEW (the open queue).',
    example: ['PENDING'],
  })
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value,
  )
  @IsArray()
  @ArrayNotEmpty({ message: 'status must name at least one of PENDING, IN_REVIEW, DECIDED' })
  @IsIn(PACKET_STATUSES, {
    each: true,
    message: `status must be one or more of ${PACKET_STATUSES.join(', ')}, comma-separated`,
  })
  status?: PacketStatus[];

  @ApiPropertyOptional({ enum: ['oldest', 'newest'], default: 'oldest' })
  @IsOptional()
  @IsIn(['oldest', 'newest'], { message: 'sort must be oldest or newest' })
  sort?: 'oldest' | 'newest';

  @ApiPropertyOptional({
    maxLength: SEARCH_QUERY_MAX_LENGTH,
    description:
      'Full-text search (English stemming; words, "a phrase", word*, or, -word) over what the packets\' signed manifests ' +
      'say: case number, narrative, location, federal personnel, violations, evidence metadata. Audited (review_queue.searched).',
  })
  @IsOptional()
  @IsString()
  @Length(1, SEARCH_QUERY_MAX_LENGTH)
  @Matches(/\S/, { message: 'q must not be blank' })
  @IsSingleLine()
  q?: string;
}
