import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageMeta } from '@app/common';
import {
  ACTIVITY_TYPES,
  ActivityType,
  CASE_STATUSES,
  CaseStatus,
  FEDERAL_AGENCIES,
  FederalAgency,
  IDENTIFICATION_OUTCOMES,
  IdentificationOutcome,
  ViolationRecord,
} from '@app/cases';
import { PERSONNEL_ROLES, PersonnelRole, PersonnelSort } from './personnel.dto';

const CONTENT = 'Absent for auditors (they see the index without names).';

/** One entry of the index, as far as the caller's scope shows it (every aggregate is over the records in scope). */
export class PersonnelEntryView {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ enum: FEDERAL_AGENCIES, enumName: 'FederalAgency', nullable: true })
  agency: FederalAgency | null;

  @ApiProperty({
    type: Boolean,
    description:
      'true: one entry for every record with this agency and normalised badge; false: one record of one case ' +
      '(no badge or no specific agency: never merged automatically, by name or otherwise)',
  })
  groupedByBadge: boolean;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: `The normalised badge (lower case, no spaces, no leading # or zeros). ${CONTENT}`,
  })
  badgeNormalised?: string | null;

  @ApiPropertyOptional({ type: [String], description: `Names as recorded. ${CONTENT}` })
  names?: string[];

  @ApiPropertyOptional({ type: [String], description: `Badges or identifiers as recorded. ${CONTENT}` })
  badges?: string[];

  @ApiPropertyOptional({
    type: [String],
    description: `Descriptions as recorded (unidentified personnel: all there is). ${CONTENT}`,
  })
  descriptions?: string[];

  @ApiProperty({
    enum: PERSONNEL_ROLES,
    isArray: true,
    description: 'Recorded as the federal supervisor on scene, as an agent, or both',
  })
  roles: PersonnelRole[];

  @ApiProperty({ enum: IDENTIFICATION_OUTCOMES, enumName: 'IdentificationOutcome', isArray: true })
  outcomes: IdentificationOutcome[];

  @ApiProperty({ type: Number, minimum: 0, description: 'Cases in your scope that record this entry' })
  caseCount: number;

  @ApiProperty({
    type: Number,
    minimum: 0,
    description: 'Records in your scope (a case may record the same badge twice)',
  })
  recordCount: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Latest incident (or case creation) among them',
  })
  lastIncidentAt: string | null;

  @ApiProperty({ type: Number, minimum: 0, description: 'Active links to other entries you can see' })
  linkCount: number;
}

export class PersonnelPage extends PageMeta {
  @ApiProperty({ type: () => [PersonnelEntryView] })
  items: PersonnelEntryView[];

  @ApiProperty({ enum: ['cases', 'recent'] })
  sort: PersonnelSort;
}

export class PersonnelRecordView {
  @ApiProperty({ type: Boolean })
  isSupervisor: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, description: CONTENT })
  name?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: `As recorded. ${CONTENT}` })
  badgeNumber?: string | null;

  @ApiProperty({ enum: IDENTIFICATION_OUTCOMES, enumName: 'IdentificationOutcome', nullable: true })
  identificationOutcome: IdentificationOutcome | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: CONTENT })
  description?: string | null;
}

/** A case that records the entry (in the caller's scope). */
export class PersonnelCaseView {
  @ApiProperty({ type: String, format: 'uuid' })
  caseId: string;

  @ApiProperty({ type: String, example: 'ION-2026-000123' })
  caseNumber: string;

  @ApiProperty({ type: Number })
  district: number;

  @ApiProperty({ enum: CASE_STATUSES, enumName: 'CaseStatus' })
  status: CaseStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  incidentAt: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: CONTENT })
  incidentLocation?: string | null;

  @ApiProperty({ enum: ACTIVITY_TYPES, enumName: 'ActivityType', nullable: true })
  activityType: ActivityType | null;

  @ApiProperty({ type: () => [PersonnelRecordView], description: 'How the case records this entry (usually once)' })
  records: PersonnelRecordView[];

  @ApiPropertyOptional({ type: () => [ViolationRecord], description: `The violations the case alleges. ${CONTENT}` })
  violations?: ViolationRecord[];

  @ApiProperty({ type: Boolean })
  anyFelony: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description:
      'Prosecutors only: the packet of this case sent to your office (how you open the case: GET /packets/{id})',
  })
  packetId?: string;
}

export class PersonnelUserRef {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  displayName: string;
}

/** The other entry of a link, as far as the caller's scope shows it (what a person needs to tell who it is). */
export class PersonnelLinkedEntry {
  @ApiProperty({ enum: FEDERAL_AGENCIES, enumName: 'FederalAgency', nullable: true })
  agency: FederalAgency | null;

  @ApiPropertyOptional({ type: [String], description: `Names as recorded. ${CONTENT}` })
  names?: string[];

  @ApiPropertyOptional({ type: [String], description: `Badges or identifiers as recorded. ${CONTENT}` })
  badges?: string[];

  @ApiPropertyOptional({ type: [String], description: `Descriptions as recorded. ${CONTENT}` })
  descriptions?: string[];

  @ApiProperty({ type: Number, minimum: 0, description: 'Cases in your scope that record it' })
  caseCount: number;
}

/** A user's statement that two entries are one person, and its undoing. */
export class PersonnelLinkView {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid', description: 'The other entry' })
  otherId: string;

  @ApiProperty({
    type: () => PersonnelLinkedEntry,
    nullable: true,
    description: 'The other entry in your scope (null if it no longer has a record in it)',
  })
  other: PersonnelLinkedEntry | null;

  @ApiProperty({ type: Boolean, description: 'false once undone' })
  active: boolean;

  @ApiPropertyOptional({ type: String, description: CONTENT })
  reason?: string;

  @ApiProperty({ type: () => PersonnelUserRef })
  linkedBy: PersonnelUserRef;

  @ApiProperty({ type: String, format: 'date-time' })
  linkedAt: string;

  @ApiProperty({ type: () => PersonnelUserRef, nullable: true })
  unlinkedBy: PersonnelUserRef | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  unlinkedAt: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: CONTENT })
  unlinkReason?: string | null;
}

export class PersonnelDetailView extends PersonnelEntryView {
  @ApiProperty({ type: () => [PersonnelCaseView], description: 'Latest incident first' })
  cases: PersonnelCaseView[];

  @ApiProperty({ type: () => [PersonnelLinkView], description: 'Links (active and undone) to entries you can see' })
  links: PersonnelLinkView[];
}
