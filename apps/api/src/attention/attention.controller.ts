import { Controller, Get, Query } from '@nestjs/common';
import { ApiDefaultResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize, CurrentUser, Permission } from '@app/auth';
import type { AuthUser } from '@app/common';
import { ErrorCode } from '@app/common';
import { API_ERROR } from '../http/api-error-body';
import { ApiErrors } from '../http/openapi';
import { AttentionQuery, AttentionView } from './attention.dto';
import { AttentionService } from './attention.service';

@ApiTags('me')
@ApiDefaultResponse(API_ERROR)
@Controller('me')
export class AttentionController {
  constructor(private readonly attention: AttentionService) {}

  @Get('attention')
  @Authorize(Permission.AttentionRead)
  @ApiOperation({
    summary:
      'What needs me now: counts and the first items of the work waiting for the caller, per role, in their scope',
    description:
      "Officer: their returned cases, their drafts with checklist items missing. Supervisor: the district's submitted cases " +
      "they may decide (not their own), oldest first, and those waiting over 24 hours. Prosecutor: the office's unclaimed packets, " +
      'undecided packets within the last fifth of the SLA or past it, their own claims. Auditor: evidence failing verification, ' +
      'integrity failures recorded in the last 7 days, actors with a spike of denied attempts (at least 10 in 24 hours and at least ' +
      '3 times their daily average of the 7 days before). Admin: locked active accounts. Counts are exact, from one snapshot. ' +
      "Audited as attention.viewed when opened=true, and otherwise whenever what it shows differs from the caller's last audited view.",
  })
  @ApiOkResponse({ type: AttentionView })
  @ApiErrors(ErrorCode.DependencyUnavailable)
  get(@CurrentUser() auth: AuthUser, @Query() q: AttentionQuery): Promise<AttentionView> {
    return this.attention.view(auth, q);
  }
}
