import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@app/common';
import { Authorize, CreateUserDto, CurrentUser, ListUsersQuery, Permission, UpdateUserDto, UsersService } from '@app/auth';
import { UuidParam } from '../http/params';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Authorize(Permission.UserCreate)
  @ApiOperation({ summary: 'Create a user (role, badge, district or office)' })
  create(@CurrentUser() auth: AuthUser, @Body() dto: CreateUserDto) {
    return this.users.create(auth, dto);
  }

  @Get()
  @Authorize(Permission.UserRead)
  @ApiOperation({ summary: 'List users' })
  list(@Query() q: ListUsersQuery) {
    return this.users.list(q);
  }

  @Get(':id')
  @Authorize(Permission.UserRead)
  @ApiOperation({ summary: 'One user' })
  get(@Param('id', UuidParam) id: string) {
    return this.users.get(id);
  }

  @Patch(':id')
  @Authorize(Permission.UserUpdate)
  @ApiOperation({ summary: 'Change role, scope, badge, password; deactivate; clear a lockout' })
  update(@CurrentUser() auth: AuthUser, @Param('id', UuidParam) id: string, @Body() dto: UpdateUserDto) {
    return this.users.update(auth, id, dto);
  }
}
