import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PacketDecision, PacketOffice, PacketStatus } from './packet-vocabulary';

const bigintAsNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/** A packet as sent: frozen at send time except for its review (claim, decision). */
@Entity('packets')
export class PacketEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ name: 'case_number', type: 'varchar' })
  caseNumber: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'previous_packet_id', type: 'uuid', nullable: true })
  previousPacketId: string | null;

  @Column({ type: 'varchar' })
  office: PacketOffice;

  @Column({ type: 'boolean' })
  felony: boolean;

  @Column({ type: 'varchar' })
  status: PacketStatus;

  @Column({ name: 'sent_by', type: 'uuid' })
  sentBy: string;

  @Column({ name: 'sent_at', type: 'timestamptz' })
  sentAt: Date;

  /** The canonical JSON exactly as signed. */
  @Column({ type: 'text' })
  manifest: string;

  @Column({ name: 'manifest_sha256', type: 'char', length: 64 })
  manifestSha256: string;

  /** Base64 Ed25519 signature of the manifest bytes. */
  @Column({ type: 'text' })
  signature: string;

  @Column({ name: 'key_id', type: 'varchar' })
  keyId: string;

  @Column({ name: 'public_key_pem', type: 'text' })
  publicKeyPem: string;

  @Column({ name: 'storage_bucket', type: 'varchar' })
  storageBucket: string;

  @Column({ name: 'manifest_key', type: 'varchar' })
  manifestKey: string;

  @Column({ name: 'signature_key', type: 'varchar' })
  signatureKey: string;

  /** case-report.pdf in storage (format /2 on); null for packets sent before case reports. */
  @Column({ name: 'case_report_key', type: 'varchar', nullable: true })
  caseReportKey: string | null;

  @Column({ name: 'case_report_version_id', type: 'varchar', nullable: true })
  caseReportVersionId: string | null;

  @Column({ name: 'evidence_count', type: 'integer' })
  evidenceCount: number;

  @Column({ name: 'evidence_bytes', type: 'bigint', transformer: bigintAsNumber })
  evidenceBytes: number;

  @Column({ name: 'claimed_by', type: 'uuid', nullable: true })
  claimedBy: string | null;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt: Date | null;

  @Column({ type: 'varchar', nullable: true })
  decision: PacketDecision | null;

  @Column({ name: 'decision_reason', type: 'text', nullable: true })
  decisionReason: string | null;

  @Column({ name: 'external_reference', type: 'varchar', nullable: true })
  externalReference: string | null;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;
}
