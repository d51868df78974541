import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiDefaultResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@app/common';
import { ErrorCode } from '@app/common';
import { Authorize, CreateUserDto, CurrentUser, ListUsersQuery, Permission, UpdateUserDto, UserPage, UsersService, UserView } from '@app/auth';
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
  @ApiOperation({ summary: 'List users' })
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
  @ApiOperation({ summary: 'Change role, scope, badge, password; deactivate; clear a lockout' })
  @ApiOkResponse({ type: UserView })
  @ApiErrors(ErrorCode.Conflict)
  update(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string, @Body() dto: UpdateUserDto): Promise<UserView> {
    return this.users.update(auth, id, dto);
  }
}
