import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiDefaultResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@app/common';
import { ErrorCode } from '@app/common';
import { AuditRefusalsAs, AuthService, Authorize, CurrentUser, LoginDto, LoginResult, Permission, Public, UsersService, UserView } from '@app/auth';
import { API_ERROR } from '../http/api-error-body';
import { ApiErrors } from '../http/openapi';
import { RateLimited, RateLimitGuard } from '../http/rate-limit';

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
  @AuditRefusalsAs('auth.login')
  @UseGuards(RateLimitGuard)
  @RateLimited('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange username and password for a bearer token (5 failures lock the account for 10 minutes; ' +
      'LOGIN_RATE_LIMIT attempts per client IP per window, then 429)',
  })
  @ApiOkResponse({ type: LoginResult })
  @ApiErrors(ErrorCode.InvalidCredentials, ErrorCode.AccountLocked)
  login(@Body() dto: LoginDto): Promise<LoginResult> {
    return this.auth.login(dto.username, dto.password);
  }

  @Get('me')
  @Authorize(Permission.AuthMe)
  @ApiOperation({ summary: 'The caller' })
  @ApiOkResponse({ type: UserView })
  me(@CurrentUser() user: AuthUser): Promise<UserView> {
    return this.users.me(user);
  }
}
