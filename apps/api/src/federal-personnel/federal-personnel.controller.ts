import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiDefaultResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@app/common';
import { ErrorCode } from '@app/common';
import { Authorize, CurrentUser, Permission } from '@app/auth';
import {
  LinkPersonnelDto,
  ListPersonnelQuery,
  PersonnelDetailView,
  PersonnelLinkView,
  PersonnelPage,
  PersonnelService,
  UnlinkPersonnelDto,
} from '@app/personnel';
import { API_ERROR } from '../http/api-error-body';
import { ApiErrors } from '../http/openapi';
import { UuidParam } from '../http/params';

@ApiTags('federal-personnel')
@ApiDefaultResponse(API_ERROR)
@Controller('federal-personnel')
export class FederalPersonnelController {
  constructor(private readonly personnel: PersonnelService) {}

  @Get()
  @Authorize(Permission.FederalPersonnelRead)
  @ApiOperation({
    summary: 'The federal personnel index, within your scope: most cases first',
    description:
      'Every federal officer recorded on a case you may see (officers: your cases; supervisors: your district; ' +
      'prosecutors: cases whose packet was sent to your office; auditors: every case, without names, badges or descriptions, and without q). ' +
      'Records with the same agency and normalised badge are one entry; nothing is merged by name. Audited (federal_personnel.searched).',
  })
  @ApiOkResponse({ type: PersonnelPage })
  @ApiErrors(ErrorCode.Forbidden)
  list(@CurrentUser() auth: AuthUser, @Query() q: ListPersonnelQuery): Promise<PersonnelPage> {
    return this.personnel.list(auth, q);
  }

  @Get(':id')
  @Authorize(Permission.FederalPersonnelRead)
  @ApiOperation({
    summary: 'An entry: the cases in your scope that record it, and its links',
    description: 'Audited (federal_personnel.viewed).',
  })
  @ApiOkResponse({ type: PersonnelDetailView })
  get(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string): Promise<PersonnelDetailView> {
    return this.personnel.get(auth, id);
  }

  @Post(':id/links')
  @Authorize(Permission.FederalPersonnelLink)
  @ApiOperation({
    summary: 'State that another entry is the same person, with a reason',
    description:
      'Both entries must be in your scope. Audited (federal_personnel.linked); undone with POST /federal-personnel/links/{id}/unlink.',
  })
  @ApiCreatedResponse({ type: PersonnelLinkView })
  @ApiErrors(ErrorCode.Conflict)
  link(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: LinkPersonnelDto,
  ): Promise<PersonnelLinkView> {
    return this.personnel.link(auth, id, dto);
  }

  @Post('links/:id/unlink')
  @HttpCode(200)
  @Authorize(Permission.FederalPersonnelLink)
  @ApiOperation({
    summary: 'Undo a link, with a reason (the link stays on record, marked undone)',
    description:
      'Anyone who may link and sees both entries, the user who linked or another. Audited (federal_personnel.unlinked).',
  })
  @ApiOkResponse({ type: PersonnelLinkView })
  @ApiErrors(ErrorCode.Conflict)
  unlink(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: UnlinkPersonnelDto,
  ): Promise<PersonnelLinkView> {
    return this.personnel.unlink(auth, id, dto);
  }
}
