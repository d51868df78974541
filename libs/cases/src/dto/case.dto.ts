import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { IsSingleLine, NotBefore, PageQuery, POLICE_DISTRICTS, SEARCH_QUERY_MAX_LENGTH } from '@app/common';
import { CASE_STATUSES, CaseStatus } from '../case-state';
import {
  ACTIVITY_TYPES,
  ActivityType,
  CASE_ORIGINS,
  CaseOrigin,
  FEDERAL_AGENCIES,
  FederalAgency,
  IDENTIFICATION_OUTCOMES,
  IdentificationOutcome,
} from '../case-vocabulary';
import { SUBMIT_ATTESTATION } from '../order-rules';

/** An ISO 8601 instant no later than a few minutes from now (clock skew). */
function NotInFuture(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'notInFuture',
      validator: {
        validate: (v: unknown) => typeof v !== 'string' || Date.parse(v) <= Date.now() + 5 * 60_000,
        defaultMessage: (a) => `${a?.property} must not be in the future`,
      },
    },
    options,
  );
}

const NOT_BLANK = /\S/;

export class VersionedDto {
  @ApiPropertyOptional({ description: 'The version you edited (or send If-Match)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

/** The order's fields. Every field is optional while drafting; submit checks completeness. */
export class CaseFieldsDto {
  @ApiPropertyOptional({
    enum: CASE_ORIGINS,
    enumName: 'CaseOrigin',
    description: 'Witnessed by the officer, or reported to them',
  })
  @IsOptional()
  @IsIn(CASE_ORIGINS)
  origin?: CaseOrigin | null;

  @ApiPropertyOptional({ example: '2026-11-20T14:05:00-06:00' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'incidentAt must be an ISO 8601 date-time' })
  @NotInFuture()
  incidentAt?: string | null;

  @ApiPropertyOptional({ example: '3300 W Fullerton Ave, Chicago' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  @Matches(NOT_BLANK, { message: 'incidentLocation must not be blank' })
  @IsSingleLine()
  incidentLocation?: string | null;

  @ApiPropertyOptional({ enum: ACTIVITY_TYPES, enumName: 'ActivityType' })
  @IsOptional()
  @IsIn(ACTIVITY_TYPES)
  activityType?: ActivityType | null;

  @ApiPropertyOptional({ enum: FEDERAL_AGENCIES, enumName: 'FederalAgency', isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ArrayUnique()
  @ArrayNotEmpty({ message: 'agencies must name at least one federal agency (null clears the field)' })
  @IsIn(FEDERAL_AGENCIES, { each: true })
  agencies?: FederalAgency[] | null;

  @ApiPropertyOptional({ maxLength: 20000 })
  @IsOptional()
  @IsString()
  @Length(1, 20000)
  narrative?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  injuriesReported?: boolean | null;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  injuryDescription?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  emsCalled?: boolean | null;

  @ApiPropertyOptional({ example: '2026-11-20T14:12:00-06:00' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'emsCalledAt must be an ISO 8601 date-time' })
  @NotInFuture()
  emsCalledAt?: string | null;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  aidGiven?: string | null;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Why there is no footage (instead of evidence)' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  @Matches(NOT_BLANK, { message: 'noFootageReason must not be blank' })
  noFootageReason?: string | null;
}

export class CreateCaseDto extends CaseFieldsDto {}

export class UpdateCaseDto extends IntersectionType(CaseFieldsDto, VersionedDto) {}

export class FederalOfficerDto {
  @ApiProperty({ description: 'The federal supervisor on scene (at most one record)' })
  @IsBoolean()
  isSupervisor: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @IsSingleLine()
  name?: string | null;

  @ApiPropertyOptional({ enum: FEDERAL_AGENCIES, enumName: 'FederalAgency' })
  @IsOptional()
  @IsIn(FEDERAL_AGENCIES)
  agency?: FederalAgency | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @IsSingleLine()
  badgeNumber?: string | null;

  @ApiPropertyOptional({ enum: IDENTIFICATION_OUTCOMES, enumName: 'IdentificationOutcome' })
  @IsOptional()
  @IsIn(IDENTIFICATION_OUTCOMES)
  identificationOutcome?: IdentificationOutcome | null;

  @ApiPropertyOptional({
    description: 'How identification was attempted, e.g. "asked for name and badge; credentials shown"',
  })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  @Matches(NOT_BLANK, { message: 'identificationMethod must not be blank' })
  identificationMethod?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  identificationNotes?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  masked?: boolean | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  badgeDisplayed?: boolean | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  bodyCameraWorn?: boolean | null;

  @ApiPropertyOptional({ description: 'Physical description, vehicle, unit markings' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  description?: string | null;
}

export class PutFederalOfficersDto extends VersionedDto {
  @ApiProperty({ type: [FederalOfficerDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @IsObject({ each: true, message: 'each of officers must be an object' })
  @ValidateNested({ each: true })
  @Type(() => FederalOfficerDto)
  officers: FederalOfficerDto[];
}

export class ViolationDto {
  @ApiProperty({ example: '720 ILCS 5/12-3' })
  @IsString()
  @Length(1, 200)
  @Matches(NOT_BLANK, { message: 'citation must not be blank' })
  @IsSingleLine()
  citation: string;

  @ApiProperty()
  @IsString()
  @Length(1, 4000)
  @Matches(NOT_BLANK, { message: 'description must not be blank' })
  description: string;

  @ApiProperty()
  @IsBoolean()
  felony: boolean;
}

export class PutViolationsDto extends VersionedDto {
  @ApiProperty({ type: [ViolationDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @IsObject({ each: true, message: 'each of violations must be an object' })
  @ValidateNested({ each: true })
  @Type(() => ViolationDto)
  violations: ViolationDto[];
}

export class TransitionDto extends VersionedDto {}

/** The words the author attested to on submit: SUBMIT_ATTESTATION of order-rules, sent back as shown. */
export class SubmitAttestationDto {
  @ApiProperty({
    description: 'The version id of the attestation words shown to the author',
    example: SUBMIT_ATTESTATION.textVersion,
    maxLength: 100,
  })
  @IsString()
  @IsSingleLine()
  @MaxLength(100)
  textVersion: string;

  @ApiProperty({
    description: 'The attestation words exactly as shown to the author',
    example: SUBMIT_ATTESTATION.text,
    maxLength: 2000,
  })
  @IsString()
  @IsSingleLine()
  @MaxLength(2000)
  text: string;
}

export class SubmitCaseDto extends VersionedDto {
  @ApiProperty({
    type: SubmitAttestationDto,
    description:
      "Required: the author's attestation that the report is true and complete. The service accepts only the current " +
      'words (textVersion and text as the console shows them) and records them, their SHA-256 and the time with the case.submitted event.',
  })
  @IsDefined({ message: "attestation is required: the author's attestation that the report is true and complete" })
  @IsObject({ message: 'attestation must be an object with textVersion and text' })
  @ValidateNested()
  @Type(() => SubmitAttestationDto)
  attestation: SubmitAttestationDto;
}

export class ApproveCaseDto extends VersionedDto {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  note?: string;
}

export class ReasonDto extends VersionedDto {
  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason: string;
}

/** Supervisor-identification filter values: an outcome, or no outcome recorded yet. */
export const SUPERVISOR_IDENTIFICATION_FILTERS = [...IDENTIFICATION_OUTCOMES, 'NOT_RECORDED'] as const;
export type SupervisorIdentificationFilter = (typeof SUPERVISOR_IDENTIFICATION_FILTERS)[number];
export const CASE_SORTS = ['created', 'incident', 'updated', 'submitted', 'relevance'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListCasesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CASE_STATUSES, enumName: 'CaseStatus' })
  @IsOptional()
  @IsIn(CASE_STATUSES)
  status?: CaseStatus;

  @ApiPropertyOptional({ enum: POLICE_DISTRICTS })
  @IsOptional()
  @Type(() => Number)
  @IsIn(POLICE_DISTRICTS, { message: `district must be a police district (${POLICE_DISTRICTS.join(', ')})` })
  district?: number;

  @ApiPropertyOptional({ description: 'Incident (or, before it is set, creation) time from, ISO 8601' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Incident (or creation) time to, ISO 8601; not before `from`' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @NotBefore('from')
  to?: string;

  @ApiPropertyOptional({
    maxLength: SEARCH_QUERY_MAX_LENGTH,
    description:
      'Full-text search (English stemming): words, "a phrase", word* (prefix), or, -word. Matches the case number, narrative, ' +
      'location, federal personnel names, badges (also normalised: case, spaces, leading zeros), descriptions and vehicle ' +
      'details, citations and violation descriptions. For auditors: the case number, status, activity type and agencies only.',
  })
  @IsOptional()
  @IsString()
  @Length(1, SEARCH_QUERY_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: 'q must not be blank' })
  @IsSingleLine()
  q?: string;

  @ApiPropertyOptional({ enum: FEDERAL_AGENCIES, enumName: 'FederalAgency', description: 'Cases naming this agency' })
  @IsOptional()
  @IsIn(FEDERAL_AGENCIES, { message: `agency must be one of ${FEDERAL_AGENCIES.join(', ')}` })
  agency?: FederalAgency;

  @ApiPropertyOptional({ enum: ACTIVITY_TYPES, enumName: 'ActivityType' })
  @IsOptional()
  @IsIn(ACTIVITY_TYPES, { message: `activityType must be one of ${ACTIVITY_TYPES.join(', ')}` })
  activityType?: ActivityType;

  @ApiPropertyOptional({
    enum: SUPERVISOR_IDENTIFICATION_FILTERS,
    description:
      'Outcome of the attempt to identify the federal supervisor; NOT_RECORDED: no supervisor record with an outcome yet',
  })
  @IsOptional()
  @IsIn(SUPERVISOR_IDENTIFICATION_FILTERS, {
    message: `supervisorIdentification must be one of ${SUPERVISOR_IDENTIFICATION_FILTERS.join(', ')}`,
  })
  supervisorIdentification?: SupervisorIdentificationFilter;

  @ApiPropertyOptional({ type: Boolean, description: 'true: a felony is alleged; false: none is' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'felony must be true or false' })
  felony?: boolean;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'true: the case has footage (an active, non-empty video item); false: it has none',
  })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'hasFootage must be true or false' })
  hasFootage?: boolean;

  @ApiPropertyOptional({ type: String, format: 'uuid', description: "The author's user id" })
  @IsOptional()
  @IsUUID('all', { message: 'author must be a user id (UUID)' })
  author?: string;

  @ApiPropertyOptional({
    enum: CASE_SORTS,
    description:
      'created (when opened; the default without q), incident (incident time, or creation before it is set; the default ' +
      "with q), updated (last change), submitted (when last submitted for review; cases never submitted last; a supervisor's queue: " +
      'SUBMITTED with sort=submitted&order=asc is oldest waiting first), relevance (best match first, by ts_rank_cd; needs q; slower for broad queries)',
  })
  @IsOptional()
  @IsIn(CASE_SORTS, { message: `sort must be one of ${CASE_SORTS.join(', ')}` })
  sort?: CaseSort;

  @ApiPropertyOptional({
    enum: ['desc', 'asc'],
    default: 'desc',
    description: 'Newest first (desc) or oldest first; not with sort=relevance',
  })
  @IsOptional()
  @IsIn(['desc', 'asc'], { message: 'order must be desc or asc' })
  order?: 'desc' | 'asc';
}
