import { ApiProperty } from '@nestjs/swagger';

/** The order's vocabularies. There is deliberately no immigration-status field anywhere. */
export const ACTIVITY_TYPES = [
  'ARREST',
  'DETENTION',
  'VEHICLE_STOP',
  'SEARCH_OR_ENTRY',
  'USE_OF_FORCE',
  'CROWD_CONTROL',
  'SURVEILLANCE',
  'OTHER',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export const FEDERAL_AGENCIES = [
  'ICE_ERO',
  'ICE_HSI',
  'CBP',
  'BORDER_PATROL',
  'FBI',
  'DEA',
  'ATF',
  'US_MARSHALS',
  'DHS_OTHER',
  'FEDERAL_UNKNOWN',
] as const;
export type FederalAgency = (typeof FEDERAL_AGENCIES)[number];

export const CASE_ORIGINS = ['WITNESSED', 'REPORTED'] as const;
export type CaseOrigin = (typeof CASE_ORIGINS)[number];

export const IDENTIFICATION_OUTCOMES = ['VERIFIED', 'PARTIAL', 'REFUSED', 'UNABLE'] as const;
export type IdentificationOutcome = (typeof IDENTIFICATION_OUTCOMES)[number];

export const DISPOSITIONS = ['CHARGES_FILED', 'DECLINED', 'REFERRED_ELSEWHERE'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** One federal agent on scene, as recorded on the case (PUT /cases/:id/federal-officers). */
export class FederalOfficerRecord {
  @ApiProperty({ type: Boolean, description: 'The federal supervisor on scene (at most one record per case)' })
  isSupervisor: boolean;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;

  @ApiProperty({ enum: FEDERAL_AGENCIES, enumName: 'FederalAgency', nullable: true })
  agency: FederalAgency | null;

  @ApiProperty({ type: String, nullable: true })
  badgeNumber: string | null;

  /** How the identification was attempted and what came of it (required on the supervisor record). */
  @ApiProperty({
    enum: IDENTIFICATION_OUTCOMES,
    enumName: 'IdentificationOutcome',
    nullable: true,
    description: 'What came of the attempt to identify a federal agent (required on the supervisor record)',
  })
  identificationOutcome: IdentificationOutcome | null;

  @ApiProperty({ type: String, nullable: true, description: 'How identification was attempted' })
  identificationMethod: string | null;

  @ApiProperty({ type: String, nullable: true })
  identificationNotes: string | null;

  @ApiProperty({ type: Boolean, nullable: true })
  masked: boolean | null;

  @ApiProperty({ type: Boolean, nullable: true })
  badgeDisplayed: boolean | null;

  @ApiProperty({ type: Boolean, nullable: true })
  bodyCameraWorn: boolean | null;

  @ApiProperty({ type: String, nullable: true, description: 'Physical description, vehicle, unit markings' })
  description: string | null;
}

/** One alleged violation of state or local law (PUT /cases/:id/violations). */
export class ViolationRecord {
  @ApiProperty({ type: String, example: '720 ILCS 5/12-3' })
  citation: string;

  @ApiProperty({ type: String })
  description: string;

  @ApiProperty({ type: Boolean, description: "A felony goes to the Cook County State's Attorney (CCSAO) by default" })
  felony: boolean;
}
