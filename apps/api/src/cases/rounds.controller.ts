import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { inspectionRoundDecider, roundStream, type RoundCommand } from '@app/domain';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import { AggregateReader } from './aggregate-reader.js';
import { AddFieldDto, AddMonitoringPointDto, AsOfQuery, MilestoneDto, PlanRoundDto } from './dto.js';
import { HandleRoundCommand } from './handlers.js';
import { HistoryService } from './history.service.js';
import { answer, contextOf, metadataOf, UuidParam } from './http-helpers.js';

const MILESTONES = {
  station: 'StationRound',
  report: 'ReportRound',
  'deliver-feedback': 'DeliverRoundFeedback',
  'start-rectification': 'StartRoundRectification',
  evaluate: 'EvaluateRound',
  archive: 'ArchiveRound',
} as const;

@Controller('rounds')
export class RoundsController {
  constructor(
    private readonly bus: CommandBus,
    private readonly reader: AggregateReader,
    private readonly history: HistoryService,
  ) {}

  private async send(command: (meta: RoundCommand['metadata']) => RoundCommand, user: AuthUser, req: FastifyRequest, reply: FastifyReply, extra = {}) {
    const ctx = contextOf(req, user);
    const result = await this.bus.execute(new HandleRoundCommand(command(metadataOf(ctx)), ctx));
    return answer(reply, result, extra);
  }

  @Post()
  @HttpCode(201)
  @Roles('official')
  plan(@Body() dto: PlanRoundDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const roundId = randomUUID();
    return this.send((metadata) => ({ type: 'PlanRound', data: { roundId, ...dto }, metadata }), user, req, reply, { roundId });
  }

  @Post(':id/fields')
  @HttpCode(201)
  @Roles('official', 'inspector')
  addField(@Param('id', UuidParam) roundId: string, @Body() dto: AddFieldDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const fieldId = randomUUID();
    return this.send((metadata) => ({ type: 'AddFocusField', data: { roundId, fieldId, ...dto }, metadata }), user, req, reply, { fieldId });
  }

  @Post(':id/monitoring-points')
  @HttpCode(201)
  @Roles('official', 'inspector')
  addPoint(@Param('id', UuidParam) roundId: string, @Body() dto: AddMonitoringPointDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const pointId = randomUUID();
    const targets = dto.targets.map((t) => ({ kind: t.kind, name: t.name, ...(t.departmentId ? { departmentId: t.departmentId } : {}) }));
    return this.send((metadata) => ({ type: 'AddMonitoringPoint', data: { roundId, pointId, fieldId: dto.fieldId, title: dto.title, targets }, metadata }), user, req, reply, { pointId });
  }

  @Post(':id/station')
  @HttpCode(200)
  @Roles('official')
  station(@Param('id', UuidParam) roundId: string, @Body() dto: MilestoneDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.milestone('station', roundId, dto, user, req, reply);
  }

  @Post(':id/report')
  @HttpCode(200)
  @Roles('official')
  report(@Param('id', UuidParam) roundId: string, @Body() dto: MilestoneDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.milestone('report', roundId, dto, user, req, reply);
  }

  @Post(':id/deliver-feedback')
  @HttpCode(200)
  @Roles('official')
  deliverFeedback(@Param('id', UuidParam) roundId: string, @Body() dto: MilestoneDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.milestone('deliver-feedback', roundId, dto, user, req, reply);
  }

  @Post(':id/start-rectification')
  @HttpCode(200)
  @Roles('official')
  startRectification(@Param('id', UuidParam) roundId: string, @Body() dto: MilestoneDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.milestone('start-rectification', roundId, dto, user, req, reply);
  }

  @Post(':id/evaluate')
  @HttpCode(200)
  @Roles('official')
  evaluate(@Param('id', UuidParam) roundId: string, @Body() dto: MilestoneDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.milestone('evaluate', roundId, dto, user, req, reply);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @Roles('official')
  archive(@Param('id', UuidParam) roundId: string, @Body() dto: MilestoneDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.milestone('archive', roundId, dto, user, req, reply);
  }

  private milestone(path: keyof typeof MILESTONES, roundId: string, dto: MilestoneDto, user: AuthUser, req: FastifyRequest, reply: FastifyReply) {
    const type = MILESTONES[path];
    return this.send((metadata) => ({ type, data: { roundId, ...(dto.occurredAt ? { occurredAt: dto.occurredAt } : {}) }, metadata }) as RoundCommand, user, req, reply);
  }

  @Get(':id')
  @Roles('official', 'inspector', 'unit_liaison', 'auditor')
  get(@Param('id', UuidParam) id: string, @Query() query: AsOfQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.reader.read(reply, inspectionRoundDecider, roundStream(id), query.asOf, 'ROUND_NOT_FOUND');
  }

  @Get(':id/history')
  @Roles('official', 'auditor')
  historyOf(@Param('id', UuidParam) id: string) {
    return this.history.of(roundStream(id), 'ROUND_NOT_FOUND');
  }
}
