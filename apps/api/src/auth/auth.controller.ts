import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiDefaultResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@app/common';
import { ErrorCode } from '@app/common';
import {
  AllowedWhilePasswordChangeRequired,
  AuditRefusalsAs,
  AuthService,
  Authorize,
  ChangePasswordDto,
  CurrentUser,
  LoginDto,
  LoginResult,
  Permission,
  Public,
  SystemUseNoticeView,
  UsersService,
  UserView,
} from '@app/auth';
import { API_ERROR } from '../http/api-error-body';
import { ApiErrors } from '../http/openapi';
import { RateLimited, RateLimitGuard } from '../http/rate-limit';
import { AuditAction } from '@app/audit';

@ApiTags('auth')
@ApiDefaultResponse(API_ERROR)
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('login')
  @Public()
  @AuditRefusalsAs(AuditAction.AuthLogin)
  @UseGuards(RateLimitGuard)
  @RateLimited('login')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Exchange username and password for a bearer token (5 failures lock the account for 10 minutes; ' +
      'LOGIN_RATE_LIMIT attempts per client IP per window, then 429)',
  })
  @ApiOkResponse({ type: LoginResult })
  @ApiErrors(ErrorCode.InvalidCredentials, ErrorCode.AccountLocked)
  login(@Body() dto: LoginDto): Promise<LoginResult> {
    return this.auth.login(dto.username, dto.password, dto.systemUseNotice);
  }

  @Get('system-use-notice')
  @Public()
  @ApiOperation({
    summary:
      'The system use notification shown before signing in (CJIS Security Policy AC-8; text from SYSTEM_USE_NOTICE) and the ' +
      'SHA-256 a sign-in sends as systemUseNotice to record that it was acknowledged',
  })
  @ApiOkResponse({ type: SystemUseNoticeView })
  systemUseNotice(): SystemUseNoticeView {
    return this.auth.systemUseNotice();
  }

  @Post('password')
  @Authorize(Permission.AuthPasswordChange)
  @AllowedWhilePasswordChangeRequired()
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Change one's own password (the only route open after an administrator reset it): the current password, a new one of " +
      '12 to 128 characters that differs from it. A wrong current password counts towards the lockout. Answers a fresh token.',
  })
  @ApiOkResponse({ type: LoginResult })
  @ApiErrors(ErrorCode.AccountLocked)
  changePassword(@CurrentUser() user: AuthUser, @Body() dto: ChangePasswordDto): Promise<LoginResult> {
    return this.auth.changePassword(user, dto);
  }

  @Post('logout')
  @Authorize(Permission.AuthLogout)
  @AllowedWhilePasswordChangeRequired()
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Sign out: ends EVERY session of the caller, not only this one (every token of the account issued until now, in ' +
      'any browser or device, is refused with 401 from then on); audited as auth.logged_out. Sign in again for a new token.',
  })
  @ApiNoContentResponse({
    description: 'Signed out: the tokens of the account issued until now are no longer accepted',
  })
  logout(@CurrentUser() user: AuthUser): Promise<void> {
    return this.auth.logout(user);
  }

  @Get('me')
  @Authorize(Permission.AuthMe)
  @ApiOperation({ summary: 'The caller' })
  @ApiOkResponse({ type: UserView })
  me(@CurrentUser() user: AuthUser): Promise<UserView> {
    return this.users.me(user);
  }
}
