import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { departmentDecider, departmentStream } from '@app/domain';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import { CommandRunner } from './command-runner.js';
import { AsOfQuery, RegisterDepartmentDto, RenameDepartmentDto } from './dto.js';
import { HandleDepartmentCommand } from './handlers.js';
import { answer, contextOf, metadataOf, UuidParam } from './http-helpers.js';
import { AggregateReader } from './aggregate-reader.js';

@Controller('departments')
export class DepartmentsController {
  constructor(
    private readonly bus: CommandBus,
    private readonly reader: AggregateReader,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('admin', 'official')
  async register(@Body() dto: RegisterDepartmentDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const ctx = contextOf(req, user);
    const departmentId = randomUUID();
    const result = await this.bus.execute(
      new HandleDepartmentCommand({ type: 'RegisterDepartment', data: { departmentId, ...dto }, metadata: metadataOf(ctx) }, ctx),
    );
    return answer(reply, result, { departmentId });
  }

  @Post(':id/rename')
  @HttpCode(200)
  @Roles('admin', 'official')
  async rename(@Param('id', UuidParam) departmentId: string, @Body() dto: RenameDepartmentDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const ctx = contextOf(req, user);
    const result = await this.bus.execute(new HandleDepartmentCommand({ type: 'RenameDepartment', data: { departmentId, ...dto }, metadata: metadataOf(ctx) }, ctx));
    return answer(reply, result);
  }

  @Get(':id')
  async get(@Param('id', UuidParam) id: string, @Query() query: AsOfQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.reader.read(reply, departmentDecider, departmentStream(id), query.asOf, 'DEPARTMENT_NOT_FOUND');
  }
}

