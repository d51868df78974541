import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiDefaultResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '@app/common';
import {
  AuditChainVerification,
  AuditEventPage,
  AuditEventsQuery,
  AuditExportQuery,
  AuditReviewService,
  AuditVerifyQuery,
  CheckpointList,
  CheckpointService,
  ExportFilters,
} from '@app/audit';
import { AuditActorList, AuditActorsQuery, Authorize, CurrentUser, Permission, UsersService } from '@app/auth';
import { API_ERROR } from '../http/api-error-body';
import { sendExport } from './export-response';

export function filtersOf(q: ExportFilters): ExportFilters {
  const { from, to, caseId, actorId, action, outcome } = q;
  return Object.fromEntries(
    Object.entries({ from, to, caseId, actorId, action, outcome }).filter(([, v]) => v !== undefined),
  );
}

@ApiTags('audit')
@ApiDefaultResponse(API_ERROR)
@Controller('audit')
export class AuditController {
  constructor(
    private readonly review: AuditReviewService,
    private readonly checkpoints: CheckpointService,
    private readonly users: UsersService,
  ) {}

  @Get('events')
  @Authorize(Permission.AuditRead)
  @ApiOperation({ summary: 'Audit events, oldest first (order=desc: newest first), filtered; page with nextCursor' })
  @ApiOkResponse({ type: AuditEventPage })
  events(@Query() q: AuditEventsQuery): Promise<AuditEventPage> {
    return this.review.events({ ...filtersOf(q), cursor: q.cursor, limit: q.limit, order: q.order });
  }

  @Get('actors')
  @Authorize(Permission.AuditRead)
  @ApiOperation({
    summary:
      'People of the audit trail by part of their username or name (deactivated accounts included), for the actorId filter',
    description: 'At most 20, an exact username first. Each lookup is recorded (audit.actors.searched).',
  })
  @ApiOkResponse({ type: AuditActorList })
  actors(@CurrentUser() auth: AuthUser, @Query() q: AuditActorsQuery): Promise<AuditActorList> {
    return this.users.findActors(auth, q.q ?? '');
  }

  @Get('export')
  @Authorize(Permission.AuditExport)
  @ApiOperation({
    summary: 'Stream an export (NDJSON or CSV) ending with a signed checkpoint and seal',
    description:
      'Every row carries seq, prev_hash and hash. The export is recorded as an audit event (who, filters) and ' +
      'covered by its own checkpoint. Verify offline with `npm run audit:verify -- FILE --key public.pem` ' +
      '(public key from GET /keys).',
  })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description:
      'The export, streamed (Content-Disposition: attachment): a header line, one line per event, then the signed checkpoint ' +
      'and seal. NDJSON for format=ndjson (default), CSV for format=csv.',
    content: {
      'application/x-ndjson': { schema: { type: 'string', format: 'binary' } },
      'text/csv': { schema: { type: 'string', format: 'binary' } },
    },
  })
  async export(@CurrentUser() auth: AuthUser, @Query() q: AuditExportQuery, @Res() res: Response): Promise<void> {
    await sendExport(res, this.review.export(auth, filtersOf(q), q.format), q.format);
  }

  @Get('verify')
  @Authorize(Permission.AuditVerify)
  @ApiOperation({
    summary: 'Recompute the chain stored in the database over a seq range; reports the first broken link',
  })
  @ApiOkResponse({
    type: AuditChainVerification,
    description: 'The result, also when the chain is broken (ok: false, firstBreak)',
  })
  verify(@CurrentUser() auth: AuthUser, @Query() q: AuditVerifyQuery): Promise<AuditChainVerification> {
    return this.review.verify(auth, q.from_seq, q.to_seq);
  }

  @Get('checkpoints')
  @Authorize(Permission.AuditRead)
  @ApiOperation({ summary: 'The latest signed checkpoints of the chain, newest first' })
  @ApiOkResponse({ type: CheckpointList })
  async checkpointsList(): Promise<CheckpointList> {
    return { items: await this.checkpoints.list(100) };
  }
}
