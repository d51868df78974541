import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { CaseStatus } from './case-state';
import type {
  ActivityType,
  CaseOrigin,
  Disposition,
  FederalAgency,
  FederalOfficerRecord,
  ViolationRecord,
} from './case-vocabulary';

@Entity('cases')
export class CaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'case_number', type: 'varchar' })
  caseNumber: string;

  @Column({ type: 'varchar' })
  status: CaseStatus;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'smallint' })
  district: number;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ type: 'varchar', nullable: true })
  origin: CaseOrigin | null;

  @Column({ name: 'incident_at', type: 'timestamptz', nullable: true })
  incidentAt: Date | null;

  @Column({ name: 'incident_location', type: 'varchar', nullable: true })
  incidentLocation: string | null;

  @Column({ name: 'activity_type', type: 'varchar', nullable: true })
  activityType: ActivityType | null;

  @Column({ type: 'text', array: true })
  agencies: FederalAgency[];

  @Column({ type: 'text', nullable: true })
  narrative: string | null;

  @Column({ name: 'injuries_reported', type: 'boolean', nullable: true })
  injuriesReported: boolean | null;

  @Column({ name: 'injury_description', type: 'text', nullable: true })
  injuryDescription: string | null;

  @Column({ name: 'ems_called', type: 'boolean', nullable: true })
  emsCalled: boolean | null;

  @Column({ name: 'ems_called_at', type: 'timestamptz', nullable: true })
  emsCalledAt: Date | null;

  @Column({ name: 'aid_given', type: 'text', nullable: true })
  aidGiven: string | null;

  @Column({ name: 'no_footage_reason', type: 'text', nullable: true })
  noFootageReason: string | null;

  @Column({ name: 'federal_officers', type: 'jsonb' })
  federalOfficers: FederalOfficerRecord[];

  @Column({ type: 'jsonb' })
  violations: ViolationRecord[];

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ name: 'submitted_by', type: 'uuid', nullable: true })
  submittedBy: string | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt: Date | null;

  @Column({ name: 'approved_by', type: 'uuid', nullable: true })
  approvedBy: string | null;

  @Column({ name: 'returned_at', type: 'timestamptz', nullable: true })
  returnedAt: Date | null;

  @Column({ name: 'returned_by', type: 'uuid', nullable: true })
  returnedBy: string | null;

  @Column({ name: 'return_reason', type: 'text', nullable: true })
  returnReason: string | null;

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  @Column({ name: 'withdrawn_by', type: 'uuid', nullable: true })
  withdrawnBy: string | null;

  @Column({ name: 'withdraw_reason', type: 'text', nullable: true })
  withdrawReason: string | null;

  @Column({ type: 'varchar', nullable: true })
  disposition: Disposition | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
