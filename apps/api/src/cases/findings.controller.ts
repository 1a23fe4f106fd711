import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findingDecider, findingStream, liaisonMayAct, type FindingCommand } from '@app/domain';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import { ProblemException } from '../http/problem.js';
import { AggregateReader } from './aggregate-reader.js';
import {
  AsOfQuery,
  AssignRectificationDto,
  EmptyDto,
  ReasonDto,
  RecordFindingDto,
  ReportProgressDto,
  RequestClosureDto,
  SubmitPlanDto,
  VerifyRectificationDto,
} from './dto.js';
import { HandleFindingCommand } from './handlers.js';
import { HistoryService } from './history.service.js';
import { answer, contextOf, metadataOf, UuidParam } from './http-helpers.js';

type Req_ = FastifyRequest;
type Rep = FastifyReply;

@Controller()
export class FindingsController {
  constructor(
    private readonly bus: CommandBus,
    private readonly reader: AggregateReader,
    private readonly history: HistoryService,
  ) {}

  private async send(make: (meta: FindingCommand['metadata']) => FindingCommand, user: AuthUser, req: Req_, reply: Rep, extra = {}) {
    const ctx = contextOf(req, user);
    const result = await this.bus.execute(new HandleFindingCommand(make(metadataOf(ctx)), ctx));
    return answer(reply, result, extra);
  }

  @Post('rounds/:id/findings')
  @HttpCode(201)
  @Roles('inspector')
  record(@Param('id', UuidParam) roundId: string, @Body() dto: RecordFindingDto, @CurrentUser() user: AuthUser, @Req() req: Req_, @Res({ passthrough: true }) reply: Rep) {
    const findingId = randomUUID();
    // fieldId is taken from the monitoring point by the handler, which checks it belongs to the round.
    return this.send((metadata) => ({ type: 'RecordFinding', data: { findingId, roundId, fieldId: '', ...dto }, metadata }), user, req, reply, { findingId });
  }

  @Post('findings/:id/assign')
  @HttpCode(200)
  @Roles('official')
  assign(@Param('id', UuidParam) findingId: string, @Body() dto: AssignRectificationDto, @CurrentUser() user: AuthUser, @Req() req: Req_, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'AssignRectification', data: { findingId, ...dto }, metadata }), user, req, reply);
  }

  @Post('findings/:id/acknowledge')
  @HttpCode(200)
  @Roles('unit_liaison')
  acknowledge(@Param('id', UuidParam) findingId: string, @Body() _dto: EmptyDto, @CurrentUser() user: AuthUser, @Req() req: Req_, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'AcknowledgeRectification', data: { findingId }, metadata }), user, req, reply);
  }

  @Post('findings/:id/plan')
  @HttpCode(200)
  @Roles('unit_liaison')
  plan(@Param('id', UuidParam) findingId: string, @Body() dto: SubmitPlanDto, @CurrentUser() user: AuthUser, @Req() req: Req_, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'SubmitRectificationPlan', data: { findingId, ...dto }, metadata }), user, req, reply);
  }

  @Post('findings/:id/progress')
  @HttpCode(200)
  @Roles('unit_liaison')
  progress(@Param('id', UuidParam) findingId: string, @Body() dto: ReportProgressDto, @CurrentUser() user: AuthUser, @Req() req: Req_, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'ReportProgress', data: { findingId, ...dto }, metadata }), user, req, reply);
  }

  @Post('findings/:id/request-closure')
  @HttpCode(200)
  @Roles('unit_liaison')
  requestClosure(@Param('id', UuidParam) findingId: string, @Body() dto: RequestClosureDto, @CurrentUser() user: AuthUser, @Req() req: Req_, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'RequestClosure', data: { findingId, ...dto }, metadata }), user, req, reply);
  }

  @Post('findings/:id/verify')
  @HttpCode(200)
  @Roles('official')
  verify(@Param('id', UuidParam) findingId: string, @Body() dto: VerifyRectificationDto, @CurrentUser() user: AuthUser, @Req() req: Req_, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'VerifyRectification', data: { findingId, ...dto }, metadata }), user, req, reply);
  }

  @Post('findings/:id/reopen')
  @HttpCode(200)
  @Roles('official')
  reopen(@Param('id', UuidParam) findingId: string, @Body() dto: ReasonDto, @CurrentUser() user: AuthUser, @Req() req: Req_, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'ReopenRectification', data: { findingId, ...dto }, metadata }), user, req, reply);
  }

  @Post('findings/:id/dismiss')
  @HttpCode(200)
  @Roles('official')
  dismiss(@Param('id', UuidParam) findingId: string, @Body() dto: ReasonDto, @CurrentUser() user: AuthUser, @Req() req: Req_, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'DismissFinding', data: { findingId, ...dto }, metadata }), user, req, reply);
  }

  @Get('findings/:id')
  @Roles('official', 'inspector', 'unit_liaison', 'auditor')
  async get(@Param('id', UuidParam) id: string, @Query() query: AsOfQuery, @CurrentUser() user: AuthUser, @Res({ passthrough: true }) reply: Rep) {
    const finding = await this.reader.read(reply, findingDecider, findingStream(id), query.asOf, 'FINDING_NOT_FOUND');
    if (user.role === 'unit_liaison' && !liaisonMayAct(finding, user.departmentId)) {
      throw new ProblemException(403, 'NOT_YOUR_DEPARTMENT', 'This finding is not assigned to your department');
    }
    return finding;
  }

  @Get('findings/:id/history')
  @Roles('official', 'auditor')
  historyOf(@Param('id', UuidParam) id: string) {
    return this.history.of(findingStream(id), 'FINDING_NOT_FOUND');
  }
}
