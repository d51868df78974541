import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageMeta } from '@app/common';
import { CASE_STATUSES, CaseStatus } from '../case-state';
import { Checklist } from '../checklist';
import {
  ACTIVITY_TYPES,
  ActivityType,
  CASE_ORIGINS,
  CaseOrigin,
  DISPOSITIONS,
  Disposition,
  FEDERAL_AGENCIES,
  FederalAgency,
  FederalOfficerRecord,
  IDENTIFICATION_OUTCOMES,
  IdentificationOutcome,
  ViolationRecord,
} from '../case-vocabulary';

/** What every role that may see a case at all sees (lists, and auditors' reads). */
export class CaseSummaryView {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, example: 'ION-2026-000123', description: 'Human case number' })
  caseNumber: string;

  @ApiProperty({ enum: CASE_STATUSES, enumName: 'CaseStatus' })
  status: CaseStatus;

  @ApiProperty({
    type: Number,
    minimum: 1,
    description: 'Optimistic-concurrency version: send it back as If-Match (or `version`) to edit',
  })
  version: number;

  @ApiProperty({ type: Number, example: 14, description: 'Police district the case belongs to' })
  district: number;

  @ApiProperty({ type: String, format: 'uuid', description: 'The author (user id)' })
  createdBy: string;

  @ApiProperty({
    enum: CASE_ORIGINS,
    enumName: 'CaseOrigin',
    nullable: true,
    description: 'Witnessed by the officer, or reported to them',
  })
  origin: CaseOrigin | null;

  @ApiProperty({ enum: ACTIVITY_TYPES, enumName: 'ActivityType', nullable: true })
  activityType: ActivityType | null;

  @ApiProperty({ enum: FEDERAL_AGENCIES, enumName: 'FederalAgency', isArray: true })
  agencies: FederalAgency[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  incidentAt: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  submittedAt: string | null;
}

/** One item of GET /cases: the summary and what a list needs besides. */
export class CaseListItem extends CaseSummaryView {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Where it happened. Absent for auditors (case content, not metadata).',
  })
  incidentLocation?: string | null;

  @ApiProperty({ type: String, nullable: true, description: "The author's name" })
  authorName: string | null;

  @ApiProperty({ type: String, nullable: true, description: "The author's badge number" })
  authorBadge: string | null;

  @ApiProperty({ type: Number, minimum: 0, description: 'Whole days since the case was opened' })
  ageDays: number;

  @ApiProperty({ type: Number, minimum: 0, description: 'Evidence items of the case (active, not superseded)' })
  evidenceCount: number;

  @ApiProperty({ type: Boolean, description: 'Whether any alleged violation is a felony' })
  anyFelony: boolean;

  @ApiProperty({
    enum: IDENTIFICATION_OUTCOMES,
    enumName: 'IdentificationOutcome',
    nullable: true,
    description: 'Outcome of the attempt to identify the federal supervisor; null while none is recorded',
  })
  supervisorIdentification: IdentificationOutcome | null;
}

/** A page of GET /cases. */
export class CasePage extends PageMeta {
  @ApiProperty({ type: () => [CaseListItem] })
  items: CaseListItem[];

  @ApiProperty({
    type: Boolean,
    description:
      'true: more cases match than are counted (CASE_COUNT_CAP, 1,000); `total` is then that cap, read "more than 1,000". ' +
      'false: `total` is exact',
  })
  totalCapped: boolean;
}

/** Process facts: who moved the case and when (auditors see these, not the content). */
export class CaseMetadataView extends CaseSummaryView {
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  submittedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  approvedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  approvedBy: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: "Last time a supervisor (or a prosecutor's request for more information) returned it",
  })
  returnedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  returnedBy: string | null;

  @ApiProperty({ type: String, nullable: true })
  returnReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  withdrawnAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  withdrawnBy: string | null;

  @ApiProperty({ type: String, nullable: true })
  withdrawReason: string | null;

  @ApiProperty({
    enum: DISPOSITIONS,
    enumName: 'Disposition',
    nullable: true,
    description: "How a prosecutor's decision closed the case",
  })
  disposition: Disposition | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt: string | null;

  @ApiProperty({ type: Number, minimum: 0 })
  federalOfficerCount: number;

  @ApiProperty({ type: Number, minimum: 0 })
  violationCount: number;

  @ApiProperty({ type: Boolean, description: 'Whether any alleged violation is a felony' })
  anyFelony: boolean;

  @ApiProperty({ type: () => Checklist })
  checklist: Checklist;
}

/** The whole case: what its author, supervisors and (through packets) prosecutors see. */
export class CaseView extends CaseMetadataView {
  @ApiProperty({ type: String, nullable: true })
  incidentLocation: string | null;

  @ApiProperty({ type: String, nullable: true })
  narrative: string | null;

  @ApiProperty({ type: Boolean, nullable: true, description: 'Whether anyone was injured; null until answered' })
  injuriesReported: boolean | null;

  @ApiProperty({ type: String, nullable: true })
  injuryDescription: string | null;

  @ApiProperty({ type: Boolean, nullable: true })
  emsCalled: boolean | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  emsCalledAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  aidGiven: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why there is no footage (instead of evidence)' })
  noFootageReason: string | null;

  @ApiProperty({ type: () => [FederalOfficerRecord] })
  federalOfficers: FederalOfficerRecord[];

  @ApiProperty({ type: () => [ViolationRecord] })
  violations: ViolationRecord[];
}
