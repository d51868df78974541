import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@app/common';
import { AuthService, Authorize, CurrentUser, LoginDto, Permission, Public, UsersService } from '@app/auth';
import { RateLimited, RateLimitGuard } from '../http/rate-limit';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('login')
  @Public()
  @UseGuards(RateLimitGuard)
  @RateLimited('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange username and password for a bearer token (5 failures lock the account for 10 minutes; ' +
      'LOGIN_RATE_LIMIT attempts per client IP per window, then 429)',
  })
  login(@Body() dto: LoginDto) {
    return this.auth.login(dto.username, dto.password);
  }

  @Get('me')
  @Authorize(Permission.AuthMe)
  @ApiOperation({ summary: 'The caller' })
  me(@CurrentUser() user: AuthUser) {
    return this.users.me(user);
  }
}
