import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { EVIDENCE_KINDS, EvidenceKind, INTEGRITY_STATUSES, IntegrityStatus } from '@app/evidence';
import { PACKET_DECISIONS, PACKET_OFFICE_VALUES, PacketDecision, PacketOffice } from './packet-vocabulary';

/** GET /cases/:id/packet-preview?office= (issue 16): the office the supervisor has chosen, if not the felony rule's. */
export class PacketPreviewQuery {
  @ApiPropertyOptional({
    enum: PACKET_OFFICE_VALUES,
    enumName: 'ProsecutorOffice',
    description:
      'The office the packet would go to. Default, as for sending: CCSAO when any violation is a felony, else CITY_LAW.',
  })
  @IsOptional()
  @IsIn(PACKET_OFFICE_VALUES, { message: `office must be one of ${PACKET_OFFICE_VALUES.join(', ')}` })
  office?: PacketOffice;
}

/** One evidence item the packet would list, exactly as the manifest would record it (size and SHA-256 as stored). */
export class PacketPreviewEvidence {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ enum: EVIDENCE_KINDS, enumName: 'EvidenceKind' })
  kind: EvidenceKind;

  @ApiProperty({ type: String, nullable: true })
  originalFilename: string | null;

  @ApiProperty({ type: String })
  contentType: string;

  @ApiProperty({ type: Number, minimum: 0 })
  sizeBytes: number;

  @ApiProperty({
    type: String,
    description: 'SHA-256 of the stored bytes, lowercase hex (what the manifest will record)',
  })
  sha256: string;

  @ApiProperty({ enum: INTEGRITY_STATUSES, enumName: 'IntegrityStatus' })
  integrityStatus: IntegrityStatus;
}

export class PacketPreviewPrevious {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: Number, minimum: 1 })
  version: number;

  @ApiProperty({ enum: PACKET_DECISIONS, enumName: 'PacketDecision', nullable: true })
  decision: PacketDecision | null;

  @ApiProperty({ type: String, nullable: true })
  decisionReason: string | null;
}

/**
 * What sending the case now would freeze, sign and send (nothing is stored or changed): the same checks as the send
 * (the case must be APPROVED, an earlier packet decided) and the same selection of evidence and office.
 */
export class PacketPreview {
  @ApiProperty({ type: String, format: 'uuid' })
  caseId: string;

  @ApiProperty({ type: String, example: 'ION-2026-000123' })
  caseNumber: string;

  @ApiProperty({
    type: Number,
    minimum: 1,
    description: 'The case version previewed: send it back with the send so a change in between is refused (409)',
  })
  caseVersion: number;

  @ApiProperty({ type: Number, minimum: 1, description: 'The packet version the send would create' })
  packetVersion: number;

  @ApiProperty({
    type: () => PacketPreviewPrevious,
    nullable: true,
    description: 'The packet this one would follow (after MORE_INFO_REQUESTED)',
  })
  previousPacket: PacketPreviewPrevious | null;

  @ApiProperty({ enum: PACKET_OFFICE_VALUES, enumName: 'ProsecutorOffice', description: 'Where the packet would go' })
  office: PacketOffice;

  @ApiProperty({
    enum: PACKET_OFFICE_VALUES,
    enumName: 'ProsecutorOffice',
    description: "The felony rule's office (CCSAO when any violation is a felony)",
  })
  suggestedOffice: PacketOffice;

  @ApiProperty({ type: Boolean, description: 'Whether any alleged violation is a felony' })
  felony: boolean;

  @ApiProperty({ type: Number, minimum: 0 })
  federalOfficerCount: number;

  @ApiProperty({ type: Number, minimum: 0 })
  violationCount: number;

  @ApiProperty({
    type: () => [PacketPreviewEvidence],
    description: 'Every active (not superseded) evidence item, in manifest order',
  })
  evidence: PacketPreviewEvidence[];

  @ApiProperty({ type: Number, minimum: 0 })
  evidenceBytes: number;

  @ApiProperty({
    type: Boolean,
    description:
      'A printable case report (case-report.pdf) of the manifest is made, hashed into the manifest and sent with it',
  })
  caseReportIncluded: boolean;

  @ApiProperty({ type: String, description: 'Id of the key the manifest would be signed with (GET /keys)' })
  signingKeyId: string;
}
