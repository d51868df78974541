import { Body, Controller, Get, Headers, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiDefaultResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '@app/common';
import { ErrorCode, RouteNotFoundError } from '@app/common';
import { AuditReviewService } from '@app/audit';
import { Authorize, CurrentUser, Permission, Public } from '@app/auth';
import { EvidenceService } from '@app/evidence';
import { PacketsService } from '@app/packets';
import { filtersOf } from '../audit/audit.controller';
import { sendExport } from '../audit/export-response';
import { sendEvidence } from '../evidence/evidence-response';
import { API_ERROR } from '../http/api-error-body';
import { ApiErrors } from '../http/openapi';
import { UuidParam } from '../http/params';
import { sendArchive } from '../packets/archive-response';
import { ArchiveTicketDto, AuditExportTicketDto, EvidenceTicketDto, TicketView } from './ticket.dto';
import { TicketsService, UsableTicket } from './tickets.service';

const ISSUED = {
  type: TicketView,
  description:
    'The ticket and the URL to GET with it (no bearer token needed). Only its SHA-256 is kept; the request log shows redacted:<first 12 hex of it> in its place.',
};

@ApiTags('tickets')
@ApiDefaultResponse(API_ERROR)
@Controller()
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly evidence: EvidenceService,
    private readonly packets: PacketsService,
    private readonly review: AuditReviewService,
  ) {}

  @Post('evidence/:id/tickets')
  @Authorize(Permission.EvidenceDownload)
  @ApiOperation({
    summary: 'A short-lived ticket to play or download this evidence file with a plain GET (a media element, a link)',
    description:
      'For whoever may download the item (auditors never). The ticket serves this item only, to you only, for its purpose only; ' +
      'it is refused after TICKET_TTL_SECONDS unused (each use extends it, never past TICKET_MAX_SECONDS after issue), after your ' +
      'deactivation or a change of your role. PLAYBACK (video, audio, images, PDF, text) is recorded as one `evidence.viewed` at ' +
      'the first GET and one `evidence.playback.ended` (ranges served, merged) when the ticket ends; DOWNLOAD as `evidence.downloaded` per GET.',
  })
  @ApiCreatedResponse(ISSUED)
  issueForEvidence(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: EvidenceTicketDto,
  ): Promise<TicketView> {
    return this.tickets.issueForEvidence(auth, id, dto.purpose);
  }

  @Post('packets/:id/archive/tickets')
  @Authorize(Permission.PacketArchiveDownload)
  @ApiOperation({
    summary: "A short-lived ticket to download the packet's ZIP with a plain link (the browser streams it to disk)",
    description:
      'For whoever may download the archive; purpose DOWNLOAD only. The download is recorded exactly as GET /packets/{id}/archive records it.',
  })
  @ApiCreatedResponse(ISSUED)
  issueForArchive(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() _dto: ArchiveTicketDto,
  ): Promise<TicketView> {
    return this.tickets.issueForArchive(auth, id);
  }

  @Post('audit/export/tickets')
  @Authorize(Permission.AuditExport)
  @ApiOperation({
    summary:
      'A short-lived ticket to download an audit export with a plain link; the body holds the filters and format of GET /audit/export',
    description:
      'The export is made (recorded, checkpointed, signed) when the ticket is used, exactly as GET /audit/export does.',
  })
  @ApiCreatedResponse(ISSUED)
  issueForAuditExport(@CurrentUser() auth: AuthUser, @Body() dto: AuditExportTicketDto): Promise<TicketView> {
    return this.tickets.issueForAuditExport(auth, filtersOf(dto), dto.format);
  }

  @Get('tickets/:ticket')
  @Public()
  @ApiOperation({
    summary: "The ticket's content, and nothing else (no bearer token needed: the ticket is the credential)",
    description:
      'Evidence: with HTTP Range (206; 416 outside the file), `Content-Disposition: inline` for PLAYBACK, `attachment` with the ' +
      'original filename for DOWNLOAD. A packet archive or an audit export: as their own routes send them. Refused (401, audited, ' +
      'never with the ticket) when unknown, expired, its user deactivated or their role changed; 403 when a bearer token of another ' +
      'user is sent with it or the browser fetches it for another purpose (Sec-Fetch-Dest); 404 when its target left your scope.',
  })
  @ApiParam({ name: 'ticket', type: String, description: 'The ticket from POST …/tickets' })
  @ApiHeader({ name: 'Range', required: false, description: 'Evidence only: one byte range, e.g. bytes=0-1023' })
  @ApiProduces('application/octet-stream', 'application/zip', 'application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description:
      "The whole content, streamed, with its type (the evidence's sniffed type, application/zip, NDJSON or CSV)",
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    headers: {
      'Content-Disposition': {
        description: 'inline (PLAYBACK) or attachment; filename=… (DOWNLOAD)',
        schema: { type: 'string' },
      },
      'Accept-Ranges': { description: 'bytes (evidence)', schema: { type: 'string' } },
    },
  })
  @ApiResponse({
    status: 206,
    description: 'Evidence: the requested byte range (Content-Range: bytes start-end/size)',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiResponse({
    status: 403,
    description:
      "AUTH.FORBIDDEN: not a role refusal (the route is public) but the ticket's: a bearer token of another user was sent beside it, or the " +
      'browser fetched it for another purpose (Sec-Fetch-Dest, e.g. a DOWNLOAD ticket as a <video> source); audited as access.denied',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiErrorBody' } } },
  })
  @ApiErrors(ErrorCode.Unauthenticated, ErrorCode.RangeNotSatisfiable, ErrorCode.IntegrityFailure)
  async serve(
    @Param('ticket') token: string,
    @Headers('range') range: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // Express answers HEAD with the GET handler: a ticket serves GET only.
    if (req.method !== 'GET') throw new RouteNotFoundError('No such route.');
    const t = await this.tickets.resolve(token, {
      method: req.method,
      path: req.originalUrl,
      authorization: req.headers.authorization,
      fetchDest: req.header('sec-fetch-dest'),
    });
    (req as Request & { user?: AuthUser }).user = t.user; // the request log names the ticket's user
    switch (t.targetType) {
      case 'evidence':
        return this.serveEvidence(t, range, res);
      case 'packet_archive': {
        const open = await this.packets.openArchive(t.user, t.targetId!, t.via);
        await this.begin(t, null, async (e) => {
          open.archive.stream.once('error', () => undefined);
          open.archive.destroy();
          await open.failed(e);
        });
        let complete = false;
        try {
          complete = await sendArchive(res, open);
        } finally {
          await this.tickets.endUse(t, 0, complete ? Math.max(await open.archive.size, 0) : 0, complete);
        }
        return;
      }
      case 'audit_export': {
        const { format, ...filters } = t.filters!;
        const lines = this.review.export(t.user, filters, format, t.via);
        await this.begin(t, null, () => lines.return(undefined));
        let complete = false;
        try {
          complete = await sendExport(res, lines, format);
        } finally {
          await this.tickets.endUse(t, 0, 0, complete);
        }
        return;
      }
    }
  }

  private async serveEvidence(t: UsableTicket, range: string | undefined, res: Response): Promise<void> {
    const playback = t.purpose === 'PLAYBACK';
    const c = await this.evidence.openContent(t.user, t.targetId!, range, {
      record: playback ? 'caller' : 'downloaded',
      via: t.via,
    });
    const span = c.range ? `bytes=${c.range.start}-${c.range.end}` : null;
    await this.begin(
      t,
      playback ? { sha256: c.evidence.sha256, sizeBytes: c.evidence.sizeBytes, range: span } : null,
      async (e) => {
        c.stream.destroy();
        if (!playback) await c.failed(e, 0);
      },
    );
    let sent = { bytesSent: 0, complete: false };
    try {
      sent = await sendEvidence(res, c, playback ? 'inline' : 'attachment');
    } finally {
      // Counted however it ended, so the ticket's summary is whole and nothing stays "in flight".
      await this.tickets.endUse(t, c.range?.start ?? 0, sent.bytesSent, sent.complete);
    }
  }

  /** Counts the use (and records a playback's first view); if the ticket ended meanwhile, closes what was opened. */
  private async begin(
    t: UsableTicket,
    viewed: Record<string, unknown> | null,
    undo: (e: unknown) => unknown,
  ): Promise<void> {
    try {
      await this.tickets.beginUse(t, viewed);
    } catch (e) {
      await undo(e);
      throw e;
    }
  }
}
