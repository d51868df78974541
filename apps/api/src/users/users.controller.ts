import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiDefaultResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@app/common';
import { ErrorCode } from '@app/common';
import {
  Authorize,
  CreateUserDto,
  CurrentUser,
  ListUsersQuery,
  PasswordResetResult,
  Permission,
  ResetPasswordDto,
  UpdateUserDto,
  UserPage,
  UsersService,
  UserView,
} from '@app/auth';
import { API_ERROR } from '../http/api-error-body';
import { ApiErrors } from '../http/openapi';
import { UuidParam } from '../http/params';

@ApiTags('users')
@ApiDefaultResponse(API_ERROR)
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Authorize(Permission.UserCreate)
  @ApiOperation({ summary: 'Create a user (role, badge, district or office)' })
  @ApiCreatedResponse({ type: UserView })
  @ApiErrors(ErrorCode.Conflict)
  create(@CurrentUser() auth: AuthUser, @Body() dto: CreateUserDto): Promise<UserView> {
    return this.users.create(auth, dto);
  }

  @Get()
  @Authorize(Permission.UserRead)
  @ApiOperation({ summary: 'List users: search by part of a username, name or badge (q), filter by role and active' })
  @ApiOkResponse({ type: UserPage })
  list(@Query() q: ListUsersQuery): Promise<UserPage> {
    return this.users.list(q);
  }

  @Get(':id')
  @Authorize(Permission.UserRead)
  @ApiOperation({ summary: 'One user' })
  @ApiOkResponse({ type: UserView })
  get(@Param('id', UuidParam) id: string): Promise<UserView> {
    return this.users.get(id);
  }

  @Patch(':id')
  @Authorize(Permission.UserUpdate)
  @ApiOperation({
    summary:
      'Edit name, badge, role and district or office; deactivate (with a reason) or reactivate; clear a lockout. ' +
      "Audited with every field's before and after. A badge held by another account (any letter case) is 409; " +
      "a district change moves the user's scope, not their cases (a case stays in the district where it was opened).",
  })
  @ApiOkResponse({ type: UserView })
  @ApiErrors(ErrorCode.Conflict, ErrorCode.SelfDeactivation, ErrorCode.SelfRoleChange, ErrorCode.SelfPasswordReset)
  update(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserView> {
    return this.users.update(auth, id, dto);
  }

  @Post(':id/password-reset')
  @Authorize(Permission.UserPasswordReset)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Reset a password: a temporary one (chosen, or generated and returned this once) that the user must change at ' +
      'their next sign-in; until then their tokens serve only POST /auth/password. Clears a lockout. Audited without the password.',
  })
  @ApiOkResponse({ type: PasswordResetResult })
  @ApiErrors(ErrorCode.SelfPasswordReset)
  resetPassword(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: ResetPasswordDto,
  ): Promise<PasswordResetResult> {
    return this.users.resetPassword(auth, id, dto);
  }
}
