import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { IsSingleLine, PageQuery, SEARCH_QUERY_MAX_LENGTH } from '@app/common';
import { FEDERAL_AGENCIES, FederalAgency, IDENTIFICATION_OUTCOMES, IdentificationOutcome } from '@app/cases';

const NOT_BLANK = /\S/;
export const PERSONNEL_ROLES = ['SUPERVISOR', 'AGENT'] as const;
export type PersonnelRole = (typeof PERSONNEL_ROLES)[number];
export const PERSONNEL_SORTS = ['cases', 'recent'] as const;
export type PersonnelSort = (typeof PERSONNEL_SORTS)[number];

export class ListPersonnelQuery extends PageQuery {
  @ApiPropertyOptional({
    maxLength: SEARCH_QUERY_MAX_LENGTH,
    description:
      'Full-text search over names, badges (also normalised: case, spaces, a leading #, leading zeros), agency and ' +
      'descriptions (unidentified personnel are found by their description). Words, "a phrase", word*. Not for auditors.',
  })
  @IsOptional()
  @IsString()
  @Length(1, SEARCH_QUERY_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: 'q must not be blank' })
  @IsSingleLine()
  q?: string;

  @ApiPropertyOptional({ enum: FEDERAL_AGENCIES, enumName: 'FederalAgency' })
  @IsOptional()
  @IsIn(FEDERAL_AGENCIES, { message: `agency must be one of ${FEDERAL_AGENCIES.join(', ')}` })
  agency?: FederalAgency;

  @ApiPropertyOptional({
    enum: PERSONNEL_ROLES,
    description: 'Recorded at least once as the federal supervisor on scene, or as an agent',
  })
  @IsOptional()
  @IsIn(PERSONNEL_ROLES, { message: 'role must be SUPERVISOR or AGENT' })
  role?: PersonnelRole;

  @ApiPropertyOptional({
    enum: IDENTIFICATION_OUTCOMES,
    enumName: 'IdentificationOutcome',
    description: 'At least one record with this outcome',
  })
  @IsOptional()
  @IsIn(IDENTIFICATION_OUTCOMES, { message: `outcome must be one of ${IDENTIFICATION_OUTCOMES.join(', ')}` })
  outcome?: IdentificationOutcome;

  @ApiPropertyOptional({
    enum: PERSONNEL_SORTS,
    default: 'cases',
    description: 'cases: most cases first; recent: latest incident first',
  })
  @IsOptional()
  @IsIn(PERSONNEL_SORTS, { message: 'sort must be cases or recent' })
  sort?: PersonnelSort;
}

export class LinkPersonnelDto {
  @ApiProperty({ type: String, format: 'uuid', description: 'The other entry: the same person as this one' })
  @IsUUID('all', { message: 'otherId must be a federal personnel entry id (UUID)' })
  otherId: string;

  @ApiProperty({ maxLength: 2000, description: 'Why the two entries are one person (shown with the link, audited)' })
  @IsString()
  @Length(1, 2000)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason: string;
}

export class UnlinkPersonnelDto {
  @ApiProperty({ maxLength: 2000, description: 'Why the link is wrong (shown with the link, audited)' })
  @IsString()
  @Length(1, 2000)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason: string;
}
