import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiCreatedResponse,
  ApiDefaultResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '@app/common';
import { ErrorCode } from '@app/common';
import { Authorize, CurrentUser, Permission } from '@app/auth';
import {
  CasePacketList,
  PacketDecisionDto,
  PacketPreview,
  PacketPreviewQuery,
  PacketsService,
  PacketView,
  ReviewQueuePage,
  ReviewQueueQuery,
  SendPacketDto,
  SignedManifestView,
} from '@app/packets';
import { API_ERROR } from '../http/api-error-body';
import { ApiErrors } from '../http/openapi';
import { EmptyBodyDto } from '../http/empty-body.dto';
import { expectedVersion, IF_MATCH_HEADER, UuidParam } from '../http/params';
import { sendArchive } from './archive-response';

@ApiTags('packets')
@ApiDefaultResponse(API_ERROR)
@Controller()
export class PacketsController {
  constructor(private readonly packets: PacketsService) {}

  @Post('cases/:id/packets')
  @ApiHeader(IF_MATCH_HEADER)
  @Authorize(Permission.PacketSend)
  @ApiOperation({
    summary: 'Send an APPROVED case to prosecutors: freeze, sign and store its manifest (case -> REFERRED)',
    description:
      'The manifest (canonical JSON) lists the case, federal personnel, violations, who submitted and approved it, and every ' +
      'non-superseded evidence item with size and SHA-256; it is signed with the service Ed25519 key (GET /keys). ' +
      'Office defaults to CCSAO when any violation is a felony, else CITY_LAW. After MORE_INFO_REQUESTED and re-approval, the next send is version n+1 referencing n.',
  })
  @ApiCreatedResponse({ type: PacketView, description: 'The packet sent (status PENDING); the case is now REFERRED' })
  @ApiErrors(ErrorCode.InvalidTransition, ErrorCode.Conflict)
  send(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) caseId: string,
    @Body() dto: SendPacketDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<PacketView> {
    return this.packets.send(auth, caseId, dto, expectedVersion(ifMatch, dto.version));
  }

  @Get('cases/:id/packet-preview')
  @Authorize(Permission.PacketSend)
  @ApiOperation({
    summary: 'What sending this APPROVED case now would freeze, sign and send, without sending it (recorded as a read)',
    description:
      'The same checks as POST /cases/{id}/packets (the case must be APPROVED and an earlier packet decided: 409 otherwise), the same ' +
      'evidence selection (every non-superseded item, with the size and SHA-256 the manifest will record) and office rule. Nothing is ' +
      'stored or changed; the preview is audited as packet.previewed. Send caseVersion back with the send, so a change in between is refused.',
  })
  @ApiOkResponse({ type: PacketPreview })
  @ApiErrors(ErrorCode.InvalidTransition, ErrorCode.Conflict)
  preview(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) caseId: string,
    @Query() q: PacketPreviewQuery,
  ): Promise<PacketPreview> {
    return this.packets.preview(auth, caseId, q.office);
  }

  @Get('cases/:id/packets')
  @Authorize(Permission.CaseRead)
  @ApiOperation({ summary: "A case's packets, oldest version first, with their review state" })
  @ApiOkResponse({ type: CasePacketList })
  listForCase(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) caseId: string): Promise<CasePacketList> {
    return this.packets.listForCase(auth, caseId);
  }

  @Get('review-queue')
  @Authorize(Permission.ReviewQueueRead)
  @ApiOperation({
    summary: "Your office's packets: open ones (PENDING, IN_REVIEW) oldest first by default, with age and SLA",
  })
  @ApiOkResponse({ type: ReviewQueuePage })
  queue(@CurrentUser() auth: AuthUser, @Query() q: ReviewQueueQuery): Promise<ReviewQueuePage> {
    return this.packets.queue(auth, q);
  }

  @Get('packets/:id')
  @Authorize(Permission.PacketRead)
  @ApiOperation({ summary: 'A packet: office, version, manifest hash, review state, age and SLA' })
  @ApiOkResponse({ type: PacketView })
  get(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string): Promise<PacketView> {
    return this.packets.get(auth, id);
  }

  @Get('packets/:id/manifest')
  @Authorize(Permission.PacketManifestRead)
  @ApiOperation({
    summary:
      'The signed manifest: canonical JSON of `manifest` is exactly the signed bytes (recorded as a custody event)',
  })
  @ApiOkResponse({ type: SignedManifestView })
  manifest(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string): Promise<SignedManifestView> {
    return this.packets.manifest(auth, id);
  }

  @Get('packets/:id/archive')
  @Authorize(Permission.PacketArchiveDownload)
  @ApiProduces('application/zip')
  @ApiOkResponse({
    description:
      'The ZIP, streamed (Content-Disposition: attachment; X-Packet-Manifest-SHA256 names the manifest hash)',
    content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
    headers: {
      'X-Packet-Manifest-SHA256': { description: 'SHA-256 of the signed manifest', schema: { type: 'string' } },
      'Content-Disposition': {
        description: 'attachment; filename="<caseNumber>-packet-v<version>.zip"',
        schema: { type: 'string' },
      },
    },
  })
  @ApiOperation({
    summary:
      'The packet as a ZIP: manifest, signature, public key, checksums, VERIFY.txt and every evidence file (streamed)',
    description:
      'Evidence files are re-hashed as they stream; if one no longer matches its manifest entry the connection is cut before ' +
      'that file ends (so the ZIP is never complete), the item is marked FAILED and the failure is audited.',
  })
  async archive(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string, @Res() res: Response) {
    await sendArchive(res, await this.packets.openArchive(auth, id));
  }

  @Get('packets/:id/case-report.pdf')
  @Authorize(Permission.PacketArchiveDownload)
  @ApiProduces('application/pdf')
  @ApiOkResponse({
    description:
      "The case report (PDF) the packet carries as case-report.pdf, byte for byte; its SHA-256 is the signed manifest's caseReport.sha256 " +
      '(X-Case-Report-SHA256). Content-Disposition: attachment.',
    content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
    headers: {
      'X-Case-Report-SHA256': {
        description: 'SHA-256 of the PDF, as the signed manifest records it',
        schema: { type: 'string' },
      },
      'X-Packet-Manifest-SHA256': {
        description: 'SHA-256 of the signed manifest that records it',
        schema: { type: 'string' },
      },
      'Content-Disposition': {
        description: 'attachment; filename="<caseNumber>-packet-v<version>-case-report.pdf"',
        schema: { type: 'string' },
      },
    },
  })
  @ApiOperation({
    summary:
      'The printable case report (PDF) of the case as sent: fields, personnel, violations, evidence hashes, approvals, custody (recorded as a read)',
    description:
      'Same access as the archive. The stored PDF is checked against the SHA-256 and size in the signed manifest before a byte is sent; ' +
      'a mismatch or a missing object answers 409 INTEGRITY FAILURE (audited). 404 for a packet sent before case reports existed.',
  })
  @ApiErrors(ErrorCode.IntegrityFailure)
  async caseReport(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Res() res: Response,
  ): Promise<void> {
    const r = await this.packets.caseReport(auth, id);
    res.status(200);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Length', String(r.bytes.length));
    res.setHeader('Content-Disposition', `attachment; filename="${r.filename}"`);
    res.setHeader('X-Case-Report-SHA256', r.sha256);
    res.setHeader('X-Packet-Manifest-SHA256', r.packet.manifestSha256);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(r.bytes);
  }

  @Post('packets/:id/claim')
  @HttpCode(200)
  @Authorize(Permission.PacketClaim)
  @ApiOperation({
    summary: 'Claim a PENDING packet for review (atomic: of simultaneous claims exactly one wins, the others get 409)',
  })
  @ApiOkResponse({
    type: PacketView,
    description: 'The packet, now IN_REVIEW and claimed by you (the case is IN_REVIEW too)',
  })
  @ApiErrors(ErrorCode.Conflict)
  claim(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() _body: EmptyBodyDto,
  ): Promise<PacketView> {
    return this.packets.claim(auth, id);
  }

  @Post('packets/:id/decision')
  @HttpCode(200)
  @Authorize(Permission.PacketDecide)
  @ApiOperation({
    summary:
      'Decide a packet you claimed: CHARGES_FILED | DECLINED | REFERRED_ELSEWHERE close the case; MORE_INFO_REQUESTED returns it to the officer',
  })
  @ApiOkResponse({ type: PacketView, description: 'The packet, now DECIDED' })
  @ApiErrors(ErrorCode.Conflict)
  decide(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: PacketDecisionDto,
  ): Promise<PacketView> {
    return this.packets.decide(auth, id, dto);
  }
}
