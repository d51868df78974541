import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AuditExportQuery } from '@app/audit';

export const TICKET_PURPOSES = ['PLAYBACK', 'DOWNLOAD'] as const;
export type TicketPurpose = (typeof TICKET_PURPOSES)[number];

/** A ticket as issued: the only time its value leaves the service (it is stored as a SHA-256 only). */
export class TicketView {
  @ApiProperty({
    type: String,
    description: 'The ticket: an opaque credential for one plain GET target, valid for minutes. Never log it.',
  })
  ticket: string;

  @ApiProperty({
    type: String,
    example: '/api/v1/tickets/iontk_…',
    description: 'Where to GET the content with it (no bearer token needed)',
  })
  url: string;

  @ApiProperty({ enum: TICKET_PURPOSES, enumName: 'TicketPurpose' })
  purpose: TicketPurpose;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description:
      'Unused after this instant, the ticket is refused; each use extends it by TICKET_TTL_SECONDS (up to TICKET_MAX_SECONDS after issue)',
  })
  expiresAt: string;
}

export class EvidenceTicketDto {
  @ApiProperty({
    enum: TICKET_PURPOSES,
    enumName: 'TicketPurpose',
    description:
      'PLAYBACK: shown in the browser (inline; video, audio, images, PDF, text), one custody event per ticket. DOWNLOAD: saved as a file (attachment), recorded as a download.',
  })
  @IsIn(TICKET_PURPOSES, { message: 'purpose must be PLAYBACK or DOWNLOAD' })
  purpose: TicketPurpose;
}

export class ArchiveTicketDto {
  @ApiPropertyOptional({ enum: ['DOWNLOAD'], description: 'An archive is only downloaded (the default)' })
  @IsOptional()
  @IsIn(['DOWNLOAD'], { message: 'purpose must be DOWNLOAD: a packet archive is not played' })
  purpose?: 'DOWNLOAD';
}

/** The filters and format of GET /audit/export, as a JSON body. */
export class AuditExportTicketDto extends AuditExportQuery {
  @ApiPropertyOptional({ enum: ['DOWNLOAD'], description: 'An export is only downloaded (the default)' })
  @IsOptional()
  @IsIn(['DOWNLOAD'], { message: 'purpose must be DOWNLOAD: an audit export is not played' })
  purpose?: 'DOWNLOAD';
}
