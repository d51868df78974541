import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@app/common';
import { Authorize, CurrentUser, Permission } from '@app/auth';
import {
  ApproveCaseDto, CasesService, CreateCaseDto, ListCasesQuery, PutFederalOfficersDto, PutViolationsDto, ReasonDto,
  TransitionDto, UpdateCaseDto,
} from '@app/cases';
import { expectedVersion, UuidParam } from '../http/params';
import { VersionETagInterceptor } from '../http/version-etag.interceptor';

const IF_MATCH = { name: 'If-Match', required: false, description: 'The case version you edited, e.g. "3" (or send `version` in the body)' };

@ApiTags('cases')
@Controller('cases')
@UseInterceptors(VersionETagInterceptor)
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Post()
  @Authorize(Permission.CaseCreate)
  @ApiOperation({ summary: 'Open a case (DRAFT) in your district' })
  create(@CurrentUser() auth: AuthUser, @Body() dto: CreateCaseDto) {
    return this.cases.create(auth, dto);
  }

  @Get()
  @Authorize(Permission.CaseRead)
  @ApiOperation({ summary: 'Cases in your scope, newest first' })
  list(@CurrentUser() auth: AuthUser, @Query() q: ListCasesQuery) {
    return this.cases.list(auth, q);
  }

  @Get(':id')
  @Authorize(Permission.CaseRead)
  @ApiOperation({ summary: 'A case, with its submit checklist' })
  get(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string) {
    return this.cases.get(auth, id);
  }

  @Patch(':id')
  @Authorize(Permission.CaseUpdate)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Edit the order fields while DRAFT or RETURNED (version required)' })
  update(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string, @Body() dto: UpdateCaseDto, @Headers('if-match') ifMatch?: string) {
    return this.cases.update(auth, id, dto, expectedVersion(ifMatch, dto.version));
  }

  @Put(':id/federal-officers')
  @Authorize(Permission.CaseUpdate)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Replace the federal personnel record (supervisor flagged)' })
  putFederalOfficers(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string, @Body() dto: PutFederalOfficersDto, @Headers('if-match') ifMatch?: string) {
    return this.cases.putFederalOfficers(auth, id, dto, expectedVersion(ifMatch, dto.version));
  }

  @Put(':id/violations')
  @Authorize(Permission.CaseUpdate)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Replace the alleged violations' })
  putViolations(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string, @Body() dto: PutViolationsDto, @Headers('if-match') ifMatch?: string) {
    return this.cases.putViolations(auth, id, dto, expectedVersion(ifMatch, dto.version));
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Authorize(Permission.CaseSubmit)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Submit for supervisor review (author; checklist must be complete)' })
  submit(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string, @Body() dto: TransitionDto, @Headers('if-match') ifMatch?: string) {
    return this.cases.submit(auth, id, expectedVersion(ifMatch, dto.version));
  }

  @Post(':id/return')
  @HttpCode(200)
  @Authorize(Permission.CaseReturn)
  @ApiOperation({ summary: 'Return a submitted case to its author with a reason (not your own case)' })
  returnCase(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string, @Body() dto: ReasonDto, @Headers('if-match') ifMatch?: string) {
    return this.cases.returnToAuthor(auth, id, { ...dto, version: expectedVersion(ifMatch, dto.version) });
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Authorize(Permission.CaseApprove)
  @ApiOperation({ summary: 'Approve a submitted case (two-person rule: never your own)' })
  approve(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string, @Body() dto: ApproveCaseDto, @Headers('if-match') ifMatch?: string) {
    return this.cases.approve(auth, id, { ...dto, version: expectedVersion(ifMatch, dto.version) });
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @Authorize(Permission.CaseWithdraw)
  @ApiOperation({ summary: 'Withdraw a DRAFT, SUBMITTED or RETURNED case with a reason' })
  withdraw(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string, @Body() dto: ReasonDto, @Headers('if-match') ifMatch?: string) {
    return this.cases.withdraw(auth, id, { ...dto, version: expectedVersion(ifMatch, dto.version) });
  }

  @Get(':id/timeline')
  @Authorize(Permission.CaseTimelineRead)
  @ApiOperation({ summary: "The case's audit events, oldest first" })
  timeline(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string) {
    return this.cases.timeline(auth, id);
  }
}
