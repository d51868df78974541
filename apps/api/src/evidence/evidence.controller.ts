import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiDefaultResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '@app/common';
import { ErrorCode } from '@app/common';
import { Authorize, CurrentUser, Permission } from '@app/auth';
import {
  CaseEvidenceList,
  EVIDENCE_KINDS,
  EVIDENCE_METADATA_FIELDS,
  EvidenceDetailView,
  EvidenceService,
  EvidenceVerification,
  EvidenceView,
  LegalHoldService,
  PlaceLegalHoldDto,
  ReleaseLegalHoldDto,
  SupersedeEvidenceDto,
} from '@app/evidence';
import { API_ERROR } from '../http/api-error-body';
import { ApiErrors } from '../http/openapi';
import { EmptyBodyDto } from '../http/empty-body.dto';
import { UuidParam } from '../http/params';
import { AcceptsQuery } from '../http/query-params';
import { RateLimited, RateLimitGuard } from '../http/rate-limit';
import { sendEvidence } from './evidence-response';
import {
  assertUploadableType,
  isMultipart,
  parseMultipartUpload,
  parseRawUpload,
  ParsedUpload,
} from './upload-request';

/** Headers of a download (whole or ranged). */
const CONTENT_HEADERS = {
  'X-Evidence-SHA256': { description: 'SHA-256 of the whole file as recorded at upload', schema: { type: 'string' } },
  ETag: { description: '"sha256-<hex>"', schema: { type: 'string' } },
  'Accept-Ranges': { description: 'bytes', schema: { type: 'string' } },
  'Content-Disposition': { description: 'attachment, with the original filename', schema: { type: 'string' } },
};

@ApiTags('evidence')
@ApiDefaultResponse(API_ERROR)
@Controller()
export class EvidenceController {
  constructor(
    private readonly evidence: EvidenceService,
    private readonly legalHolds: LegalHoldService,
  ) {}

  @Post('cases/:id/evidence')
  @Authorize(Permission.EvidenceUpload)
  @AcceptsQuery(...EVIDENCE_METADATA_FIELDS)
  @UseGuards(RateLimitGuard)
  @RateLimited('upload')
  @ApiOperation({
    summary: 'Upload an evidence file (streamed; SHA-256 computed on the way in)',
    description:
      'Send the file as the raw body (any Content-Type except JSON/form) with metadata as query parameters or ' +
      '`X-Evidence-<Field>` headers, or as multipart/form-data with metadata fields before one part named `file`. ' +
      'The case must be DRAFT or RETURNED. An optional `sha256` must match what arrived (else 422, nothing kept). ' +
      'An empty file (0 bytes) is not evidence: 422 EVIDENCE.EMPTY, nothing kept. The same file (same SHA-256) as an active item of the case ' +
      'is refused with 409 EVIDENCE.DUPLICATE naming that item (`existingEvidenceId`), nothing kept, unless `duplicateOf` names it ' +
      '(a deliberate second copy, recorded in the audit event). While the upload streams the case cannot be submitted (409 CASE.UPLOAD_IN_PROGRESS). ' +
      'At most UPLOAD_RATE_LIMIT uploads per user per window, then 429.',
  })
  @ApiConsumes('application/octet-stream', 'multipart/form-data')
  @ApiQuery({
    name: 'kind',
    enum: EVIDENCE_KINDS,
    enumName: 'EvidenceKind',
    required: false,
    description: 'Required (here, as X-Evidence-Kind, or as a form field)',
  })
  @ApiQuery({ name: 'deviceId', type: String, required: false })
  @ApiQuery({ name: 'recordingOfficerBadge', type: String, required: false })
  @ApiQuery({ name: 'recordedStart', type: String, required: false, description: 'ISO 8601' })
  @ApiQuery({ name: 'recordedEnd', type: String, required: false, description: 'ISO 8601' })
  @ApiQuery({ name: 'originalFilename', type: String, required: false })
  @ApiQuery({ name: 'sha256', type: String, required: false, description: '64 hex digits' })
  @ApiQuery({
    name: 'duplicateOf',
    type: String,
    required: false,
    description:
      'The id of the active item this file deliberately duplicates (same SHA-256); also X-Evidence-Duplicate-Of or a form field',
  })
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({
    type: EvidenceView,
    description: 'The stored item (hash and size as received)',
    headers: { Location: { description: 'The item: /api/v1/evidence/<id>', schema: { type: 'string' } } },
  })
  @ApiErrors(
    ErrorCode.InvalidTransition,
    ErrorCode.UploadIncomplete,
    ErrorCode.PayloadTooLarge,
    ErrorCode.UnsupportedMediaType,
    ErrorCode.HashMismatch,
    ErrorCode.EmptyEvidence,
    ErrorCode.DuplicateEvidence,
  )
  async upload(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) caseId: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<EvidenceView> {
    assertUploadableType(req);
    const multipart = isMultipart(req);
    const cl = req.headers['content-length'];
    const declared = cl && /^\d{1,16}$/.test(cl) ? Number(cl) : null;
    // A multipart body carries its fields and boundaries too: allow 1 MiB of framing.
    const c = await this.evidence.precheckCase(auth, caseId, declared, multipart ? 1024 * 1024 : 0);
    const parsed: ParsedUpload = multipart ? await parseMultipartUpload(req) : await parseRawUpload(req);
    try {
      const view = await this.evidence.upload(auth, c, parsed.meta, parsed.source);
      res.status(201).setHeader('Location', view.links.self);
      return view;
    } finally {
      parsed.discard();
    }
  }

  @Get('cases/:id/evidence')
  @Authorize(Permission.EvidenceList)
  @ApiOperation({ summary: "A case's evidence items, oldest first (superseded ones included, marked)" })
  @ApiOkResponse({ type: CaseEvidenceList })
  list(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) caseId: string): Promise<CaseEvidenceList> {
    return this.evidence.listForCase(auth, caseId);
  }

  @Get('evidence/:id')
  @Authorize(Permission.EvidenceRead)
  @ApiOperation({ summary: 'An evidence item with its chain of custody (every recorded event about it)' })
  @ApiOkResponse({ type: EvidenceDetailView })
  get(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string): Promise<EvidenceDetailView> {
    return this.evidence.get(auth, id);
  }

  @Get('evidence/:id/content')
  @Authorize(Permission.EvidenceDownload)
  @ApiOperation({
    summary: 'Download the file (streamed, Range supported)',
    description:
      'A whole-file download is re-hashed as it streams; if the bytes no longer match the recorded SHA-256 the ' +
      'connection is cut before the last chunk (so no client takes a corrupt file for a complete one), the item is ' +
      'marked FAILED and an audit event is written.',
  })
  @ApiHeader({ name: 'Range', required: false, description: 'One byte range, e.g. bytes=0-1023' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({
    description: 'The whole file, streamed. Content-Type is the type sniffed at upload (e.g. video/mp4).',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    headers: CONTENT_HEADERS,
  })
  @ApiResponse({
    status: 206,
    description: 'The requested byte range (Content-Range: bytes start-end/size)',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    headers: {
      ...CONTENT_HEADERS,
      'Content-Range': { description: 'bytes <start>-<end>/<size>', schema: { type: 'string' } },
    },
  })
  @ApiErrors(ErrorCode.RangeNotSatisfiable)
  async content(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Headers('range') range: string | undefined,
    @Res() res: Response,
  ) {
    const c = await this.evidence.openContent(auth, id, range);
    await sendEvidence(res, c, 'attachment');
  }

  @Post('evidence/:id/verify')
  @HttpCode(200)
  @Authorize(Permission.EvidenceVerify)
  @ApiOperation({
    summary:
      'Re-read the stored file and compare its SHA-256 and size with the record (409 and FAILED mark on mismatch)',
  })
  @ApiOkResponse({
    type: EvidenceVerification,
    description: 'The stored file still matches (a mismatch answers 409 EVIDENCE.INTEGRITY_FAILURE)',
  })
  @ApiErrors(ErrorCode.IntegrityFailure)
  verify(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() _body: EmptyBodyDto,
  ): Promise<EvidenceVerification> {
    return this.evidence.verify(auth, id);
  }

  @Post('evidence/:id/supersede')
  @HttpCode(200)
  @Authorize(Permission.EvidenceSupersede)
  @ApiOperation({ summary: 'Mark an item superseded, with a reason (evidence is never deleted)' })
  @ApiOkResponse({ type: EvidenceView, description: 'The item, now SUPERSEDED' })
  @ApiErrors(ErrorCode.InvalidTransition, ErrorCode.Conflict)
  supersede(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: SupersedeEvidenceDto,
  ): Promise<EvidenceView> {
    return this.evidence.supersede(auth, id, dto);
  }

  @Post('evidence/:id/legal-hold/release')
  @HttpCode(200)
  @Authorize(Permission.EvidenceLegalHoldRelease)
  @ApiOperation({
    summary: "Release the item's legal hold (after the case ended; reason and authorising reference required)",
    description:
      'Only on evidence of a CLOSED or WITHDRAWN case (else 409 CASE.INVALID_TRANSITION with `currentState`), by a supervisor of the ' +
      "case's district who did not write it (403 CASE.TWO_PERSON_RULE), with a reason and the court order or prosecutor office reference " +
      'that allows it. The S3 Object Lock legal hold of the recorded version is turned off; COMPLIANCE retention still runs until its date. ' +
      'Recorded on the item (`preservation.legalHoldChange`) and in its custody. 409 RESOURCE.CONFLICT when the item is not under a hold or ' +
      'the bucket has no Object Lock; 503 (audited, nothing changed) when storage is unreachable, or when the database fails after storage ' +
      "changed (the hold is then put back on in storage); 502 STORAGE.REFUSED (audited, nothing changed, `storageCode` names the engine's " +
      'answer, e.g. AccessDenied) when the engine refuses.',
  })
  @ApiOkResponse({ type: EvidenceView, description: 'The item, its legal hold released' })
  @ApiErrors(ErrorCode.InvalidTransition, ErrorCode.TwoPersonRule, ErrorCode.Conflict, ErrorCode.StorageRefused)
  releaseLegalHold(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: ReleaseLegalHoldDto,
  ): Promise<EvidenceView> {
    return this.legalHolds.release(auth, id, dto);
  }

  @Post('evidence/:id/legal-hold')
  @HttpCode(200)
  @Authorize(Permission.EvidenceLegalHoldPlace)
  @ApiOperation({
    summary: 'Place a legal hold on the item (again), at any time, with a reason',
    description:
      "A supervisor of the case's district, or a prosecutor of an office a packet disclosed the item to. Sets the S3 Object Lock legal hold " +
      'of the recorded version (also when one is already set: the new reason and reference are recorded). 409 RESOURCE.CONFLICT when the ' +
      'bucket has no Object Lock; 503 (audited, nothing changed) when storage is unreachable; 503 when the database fails after storage ' +
      'changed (the hold is left on in storage, the safe side: place it again to record it); 502 STORAGE.REFUSED (audited, nothing ' +
      "changed, `storageCode` names the engine's answer) when the engine refuses.",
  })
  @ApiOkResponse({ type: EvidenceView, description: 'The item, under legal hold' })
  @ApiErrors(ErrorCode.Conflict, ErrorCode.StorageRefused)
  placeLegalHold(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: PlaceLegalHoldDto,
  ): Promise<EvidenceView> {
    return this.legalHolds.place(auth, id, dto);
  }
}
