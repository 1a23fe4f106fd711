import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { departmentDecider, departmentStream } from '@app/domain';
import { Reads, Sends } from '../auth/decorators.js';
import { AggregateReader } from './application/aggregate-reader.js';
import { AsOfQuery, RegisterDepartmentDto, RenameDepartmentDto } from './dto.js';
import { CommandSender, Http, UuidParam, withETag, type Exchange, newId } from './http-helpers.js';

@Controller('departments')
export class DepartmentsController {
  constructor(
    private readonly commands: CommandSender,
    private readonly reader: AggregateReader,
  ) {}

  @Post()
  @HttpCode(201)
  @Sends('RegisterDepartment')
  register(@Body() dto: RegisterDepartmentDto, @Http() http: Exchange) {
    const departmentId = newId(http, 'departmentId');
    const data = { departmentId, ...dto };
    return this.commands.send(http, (metadata) => ({ type: 'RegisterDepartment', data, metadata }), { departmentId });
  }

  @Post(':id/rename')
  @HttpCode(200)
  @Sends('RenameDepartment')
  rename(@Param('id', UuidParam) departmentId: string, @Body() dto: RenameDepartmentDto, @Http() http: Exchange) {
    const data = { departmentId, ...dto };
    return this.commands.send(http, (metadata) => ({ type: 'RenameDepartment', data, metadata }));
  }

  @Get(':id')
  @Reads('GetDepartment')
  async get(@Param('id', UuidParam) id: string, @Query() query: AsOfQuery, @Http() http: Exchange) {
    const stream = departmentStream(id);
    const department = await this.reader.read(departmentDecider, stream, query.asOf, 'DEPARTMENT_NOT_REGISTERED');
    return withETag(http, department);
  }
}
