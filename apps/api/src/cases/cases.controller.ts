import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiDefaultResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { AuthUser } from '@app/common';
import { ErrorCode } from '@app/common';
import { Authorize, CurrentUser, Permission } from '@app/auth';
import {
  ApproveCaseDto,
  CaseMetadataView,
  CasePage,
  CasesService,
  CaseTimeline,
  CaseView,
  CreateCaseDto,
  ListCasesQuery,
  PutFederalOfficersDto,
  PutViolationsDto,
  ReasonDto,
  SubmitCaseDto,
  UpdateCaseDto,
} from '@app/cases';
import { API_ERROR } from '../http/api-error-body';
import { ApiErrors } from '../http/openapi';
import { expectedVersion, IF_MATCH_HEADER, UuidParam } from '../http/params';
import { VersionETagInterceptor } from '../http/version-etag.interceptor';

/** Every single-case answer carries its version as ETag (VersionETagInterceptor): send it back as If-Match. */
const ETAG = {
  ETag: { description: 'The case version, e.g. "3": send it back as If-Match', schema: { type: 'string' } },
};
const CASE_OK = { type: CaseView, headers: ETAG };

@ApiTags('cases')
@ApiDefaultResponse(API_ERROR)
@ApiExtraModels(CaseView, CaseMetadataView)
@Controller('cases')
@UseInterceptors(VersionETagInterceptor)
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Post()
  @Authorize(Permission.CaseCreate)
  @ApiOperation({ summary: 'Open a case (DRAFT) in your district' })
  @ApiCreatedResponse({ ...CASE_OK, description: 'The new DRAFT case' })
  @ApiErrors(ErrorCode.Forbidden)
  create(@CurrentUser() auth: AuthUser, @Body() dto: CreateCaseDto): Promise<CaseView> {
    return this.cases.create(auth, dto);
  }

  @Get()
  @Authorize(Permission.CaseRead)
  @ApiOperation({
    summary: 'Cases in your scope: search, filter, sort, count',
    description:
      'Officers: their own cases; supervisors: their district; auditors: every case, and q searches only its metadata ' +
      '(case number, status, activity type, agencies), never narrative or personnel text. Newest first without q, newest incident ' +
      'first with q, unless `sort` says otherwise (relevance: best match first). `total` counts exactly up to 1,000; beyond, ' +
      '`totalCapped` is true and `total` is 1,000. Every call is audited (case.searched: q, filters, total, the ids shown).',
  })
  @ApiOkResponse({ type: CasePage })
  list(@CurrentUser() auth: AuthUser, @Query() q: ListCasesQuery): Promise<CasePage> {
    return this.cases.list(auth, q);
  }

  @Get(':id')
  @Authorize(Permission.CaseRead)
  @ApiOperation({ summary: 'A case, with its submit checklist' })
  @ApiOkResponse({
    description:
      'The whole case (CaseView); auditors get its metadata only (CaseMetadataView: no narrative, location, injuries, ' +
      'federal personnel or violations)',
    headers: ETAG,
    schema: { anyOf: [{ $ref: getSchemaPath(CaseView) }, { $ref: getSchemaPath(CaseMetadataView) }] },
  })
  get(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string): Promise<CaseView | CaseMetadataView> {
    return this.cases.get(auth, id);
  }

  @Patch(':id')
  @Authorize(Permission.CaseUpdate)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Edit the order fields while DRAFT or RETURNED (version required)' })
  @ApiOkResponse(CASE_OK)
  @ApiErrors(ErrorCode.InvalidTransition)
  update(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: UpdateCaseDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<CaseView> {
    return this.cases.update(auth, id, dto, expectedVersion(ifMatch, dto.version));
  }

  @Put(':id/federal-officers')
  @Authorize(Permission.CaseUpdate)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Replace the federal personnel record (supervisor flagged)' })
  @ApiOkResponse(CASE_OK)
  @ApiErrors(ErrorCode.InvalidTransition)
  putFederalOfficers(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: PutFederalOfficersDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<CaseView> {
    return this.cases.putFederalOfficers(auth, id, dto, expectedVersion(ifMatch, dto.version));
  }

  @Put(':id/violations')
  @Authorize(Permission.CaseUpdate)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Replace the alleged violations' })
  @ApiOkResponse(CASE_OK)
  @ApiErrors(ErrorCode.InvalidTransition)
  putViolations(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: PutViolationsDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<CaseView> {
    return this.cases.putViolations(auth, id, dto, expectedVersion(ifMatch, dto.version));
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Authorize(Permission.CaseSubmit)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({
    summary: 'Submit for supervisor review (author; checklist must be complete)',
    description:
      'Refused with 409 CASE.UPLOAD_IN_PROGRESS while an evidence upload to the case is still arriving (`uploads` lists them): the case would otherwise reach the supervisor without that file. ' +
      "Requires the author's attestation (`attestation`: the current words and their version id, as the console shows them; 400 naming " +
      'the field without it): the case.submitted event records the words, their SHA-256 and the time.',
  })
  @ApiOkResponse(CASE_OK)
  @ApiErrors(ErrorCode.InvalidTransition, ErrorCode.ChecklistIncomplete, ErrorCode.UploadInProgress)
  submit(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: SubmitCaseDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<CaseView> {
    return this.cases.submit(auth, id, expectedVersion(ifMatch, dto.version), dto.attestation);
  }

  @Post(':id/return')
  @ApiHeader(IF_MATCH_HEADER)
  @HttpCode(200)
  @Authorize(Permission.CaseReturn)
  @ApiOperation({ summary: 'Return a submitted case to its author with a reason (not your own case)' })
  @ApiOkResponse(CASE_OK)
  @ApiErrors(ErrorCode.InvalidTransition, ErrorCode.TwoPersonRule)
  returnCase(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: ReasonDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<CaseView> {
    return this.cases.returnToAuthor(auth, id, { ...dto, version: expectedVersion(ifMatch, dto.version) });
  }

  @Post(':id/approve')
  @ApiHeader(IF_MATCH_HEADER)
  @HttpCode(200)
  @Authorize(Permission.CaseApprove)
  @ApiOperation({ summary: 'Approve a submitted case (two-person rule: never your own)' })
  @ApiOkResponse(CASE_OK)
  @ApiErrors(ErrorCode.InvalidTransition, ErrorCode.TwoPersonRule)
  approve(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: ApproveCaseDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<CaseView> {
    return this.cases.approve(auth, id, { ...dto, version: expectedVersion(ifMatch, dto.version) });
  }

  @Post(':id/withdraw')
  @ApiHeader(IF_MATCH_HEADER)
  @HttpCode(200)
  @Authorize(Permission.CaseWithdraw)
  @ApiOperation({ summary: 'Withdraw a DRAFT, SUBMITTED or RETURNED case with a reason' })
  @ApiOkResponse(CASE_OK)
  @ApiErrors(ErrorCode.InvalidTransition)
  withdraw(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: ReasonDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<CaseView> {
    return this.cases.withdraw(auth, id, { ...dto, version: expectedVersion(ifMatch, dto.version) });
  }

  @Get(':id/timeline')
  @Authorize(Permission.CaseTimelineRead)
  @ApiOperation({ summary: "The case's audit events, oldest first" })
  @ApiOkResponse({
    type: CaseTimeline,
    description:
      'The history in words (entries: summaries, notes, diffs within your field scope, reads folded) and every raw event',
  })
  timeline(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string): Promise<CaseTimeline> {
    return this.cases.timeline(auth, id);
  }
}
