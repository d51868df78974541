import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AuditExportQuery } from '@app/audit';
import { TICKET_PURPOSES, TicketPurpose } from './tickets.service';

export class EvidenceTicketDto {
  @ApiProperty({
    enum: TICKET_PURPOSES, enumName: 'TicketPurpose',
    description: 'PLAYBACK: shown in the browser (inline; video, audio, images, PDF, text), one custody event per ticket. DOWNLOAD: saved as a file (attachment), recorded as a download.',
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
