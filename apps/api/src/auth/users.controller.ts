import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Operates, Reads } from './decorators.js';
import { CreateUserDto, ListUsersQuery } from './dto.js';
import { UsersService, type UserPage, type UserView } from './users.service.js';

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
}
