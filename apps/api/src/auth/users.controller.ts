import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApplicationError } from '../application/errors.js';
import type { AuthUser } from './auth-user.js';
import { CurrentUser, Operates, Reads } from './decorators.js';
import { CreateUserDto, ListUsersQuery, ResetPasswordDto, UpdateUserDto } from './dto.js';
import { UsersService, type UserChange, type UserPage, type UserView } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Operates('CreateUser')
  create(@Body() body: CreateUserDto): Promise<UserView> {
    return this.users.create(body);
  }

  @Get()
  @Reads('ListUsers')
  list(@Query() query: ListUsersQuery): Promise<UserPage> {
    return this.users.list(query.page ?? 1, query.pageSize ?? 50);
  }

  /** Role, unit, disabled: any change ends the user's sessions at once; recorded with the admin's name. */
  @Patch(':id')
  @Operates('UpdateUser')
  update(@CurrentUser() admin: AuthUser, @Param('id') id: string, @Body() body: UpdateUserDto): Promise<UserView> {
    return this.users.update({ id: admin.id, username: admin.username }, id, body);
  }

  /** Sets a password the user must replace at the next sign-in; ends their sessions. */
  @Post(':id/password')
  @Operates('ResetUserPassword')
  @HttpCode(204)
  async resetPassword(
    @CurrentUser() admin: AuthUser,
    @Param('id') id: string,
    @Body() body: ResetPasswordDto,
  ): Promise<void> {
    if (!(await this.users.findById(id))) throw new ApplicationError('USER_NOT_FOUND', `No user ${id}`);
    await this.users.setPassword(id, body.newPassword, {
      mustChangePassword: true,
      by: { id: admin.id, username: admin.username },
    });
  }

  /** Who changed the account, when and what, newest first. */
  @Get(':id/changes')
  @Reads('ListUserChanges')
  async changes(@Param('id') id: string): Promise<{ items: UserChange[] }> {
    return { items: await this.users.changes(id) };
  }
}
