import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiDefaultResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@app/common';
import { ErrorCode } from '@app/common';
import { Authorize, CurrentUser, Permission } from '@app/auth';
import {
  CorrectReferenceDto,
  HandOverPacketDto,
  OfficeColleagues,
  PacketReviewService,
  PacketView,
  ReleasePacketDto,
} from '@app/packets';
import { API_ERROR } from '../http/api-error-body';
import { ApiErrors } from '../http/openapi';
import { UuidParam } from '../http/params';

/** Issue 16: releasing and handing over a claim, correcting a decision's external reference (rules: PacketReviewService). */
@ApiTags('packets')
@ApiDefaultResponse(API_ERROR)
@Controller()
export class PacketReviewController {
  constructor(private readonly review: PacketReviewService) {}

  @Post('packets/:id/release')
  @HttpCode(200)
  @Authorize(Permission.PacketRelease)
  @ApiOperation({
    summary: 'Release a claim: the packet goes back to PENDING in the office queue (case IN_REVIEW -> REFERRED)',
    description:
      'The claimant may release at any time before the decision (reason optional). Another prosecutor of the office may release ' +
      'only a stale claim: the packet is past its SLA undecided, or the claimant is no longer an active prosecutor of the office; a reason ' +
      'is then required. Audited as packet.released (basis, former claimant, reason). The system has no office supervisor role, so ' +
      'the SLA is the line after which a colleague may take a claim back.',
  })
  @ApiOkResponse({ type: PacketView, description: 'The packet, now PENDING and unclaimed' })
  @ApiErrors(ErrorCode.PacketNotClaimant, ErrorCode.PacketNotClaimed, ErrorCode.PacketAlreadyDecided)
  release(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: ReleasePacketDto,
  ): Promise<PacketView> {
    return this.review.release(auth, id, dto);
  }

  @Post('packets/:id/hand-over')
  @HttpCode(200)
  @Authorize(Permission.PacketHandOver)
  @ApiOperation({
    summary:
      'Hand a packet you claimed to another active prosecutor of its office, with a reason (it stays IN_REVIEW, now theirs)',
    description: 'Only the claimant hands over. Audited as packet.handed_over with from, to and the reason.',
  })
  @ApiOkResponse({ type: PacketView, description: 'The packet, IN_REVIEW and claimed by the colleague' })
  @ApiErrors(
    ErrorCode.PacketNotClaimant,
    ErrorCode.PacketNotClaimed,
    ErrorCode.PacketAlreadyDecided,
    ErrorCode.PacketHandOverTarget,
  )
  handOver(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: HandOverPacketDto,
  ): Promise<PacketView> {
    return this.review.handOver(auth, id, dto);
  }

  @Post('packets/:id/reference-corrections')
  @Authorize(Permission.PacketReferenceCorrect)
  @ApiOperation({
    summary:
      "Correct a decision's external reference (e.g. the court case number), appended: the decision stays as it was decided",
    description:
      'By the prosecutor who recorded the decision (any prosecutor of the office only when that decider is no longer an active ' +
      'prosecutor of it). The correction (previous and new reference, reason, who, when) is kept beside the decision ' +
      '(review.referenceCorrections; review.currentExternalReference is the one in force) and audited as packet.reference_corrected. ' +
      'The signed manifest is not touched. null removes the reference.',
  })
  @ApiCreatedResponse({ type: PacketView, description: 'The packet with the correction appended' })
  @ApiErrors(ErrorCode.PacketNotDecider, ErrorCode.PacketNotDecided)
  correctReference(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: CorrectReferenceDto,
  ): Promise<PacketView> {
    return this.review.correctReference(auth, id, dto);
  }

  @Get('office/colleagues')
  @Authorize(Permission.OfficeColleaguesRead)
  @ApiOperation({ summary: 'The other active prosecutors of your office, by name (whom a claim may be handed to)' })
  @ApiOkResponse({ type: OfficeColleagues })
  colleagues(@CurrentUser() auth: AuthUser): Promise<OfficeColleagues> {
    return this.review.colleagues(auth);
  }
}
