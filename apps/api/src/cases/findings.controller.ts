import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { findingDecider, findingStream, liaisonMayAct } from '@app/domain';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Reads, Sends } from '../auth/decorators.js';
import { ApplicationError } from '../application/errors.js';
import { AggregateReader } from './application/aggregate-reader.js';
import { HistoryService } from './application/history.service.js';
import { Visibility } from './application/visibility.js';
import {
  AsOfQuery,
  AssignRectificationDto,
  EmptyDto,
  FollowUpDto,
  ReasonDto,
  RecordFindingDto,
  ReportProgressDto,
  RequestClosureDto,
  SubmitPlanDto,
  VerifyRectificationDto,
} from './dto.js';
import { CommandSender, Http, UuidParam, withETag, type Exchange, newId } from './http-helpers.js';

@Controller()
export class FindingsController {
  constructor(
    private readonly commands: CommandSender,
    private readonly reader: AggregateReader,
    private readonly history: HistoryService,
    private readonly visibility: Visibility,
  ) {}

  @Post('rounds/:id/findings')
  @HttpCode(201)
  @Sends('RecordFinding')
  record(@Param('id', UuidParam) roundId: string, @Body() dto: RecordFindingDto, @Http() http: Exchange) {
    const findingId = newId(http, 'findingId');
    // fieldId is taken from the monitoring point by the handler, which checks it belongs to the round.
    const data = { findingId, roundId, fieldId: '', ...dto };
    return this.commands.send(http, (metadata) => ({ type: 'RecordFinding', data, metadata }), { findingId });
  }

  @Post('findings/:id/assign')
  @HttpCode(200)
  @Sends('AssignRectification')
  assign(@Param('id', UuidParam) findingId: string, @Body() dto: AssignRectificationDto, @Http() http: Exchange) {
    const data = { findingId, ...dto };
    return this.commands.send(http, (metadata) => ({ type: 'AssignRectification', data, metadata }));
  }

  @Post('findings/:id/acknowledge')
  @HttpCode(200)
  @Sends('AcknowledgeRectification')
  acknowledge(@Param('id', UuidParam) findingId: string, @Body() _dto: EmptyDto, @Http() http: Exchange) {
    const data = { findingId };
    return this.commands.send(http, (metadata) => ({ type: 'AcknowledgeRectification', data, metadata }));
  }

  @Post('findings/:id/plan')
  @HttpCode(200)
  @Sends('SubmitRectificationPlan')
  plan(@Param('id', UuidParam) findingId: string, @Body() dto: SubmitPlanDto, @Http() http: Exchange) {
    const data = { findingId, ...dto };
    return this.commands.send(http, (metadata) => ({ type: 'SubmitRectificationPlan', data, metadata }));
  }

  @Post('findings/:id/progress')
  @HttpCode(200)
  @Sends('ReportProgress')
  progress(@Param('id', UuidParam) findingId: string, @Body() dto: ReportProgressDto, @Http() http: Exchange) {
    return this.commands.send(http, (metadata) => ({ type: 'ReportProgress', data: { findingId, ...dto }, metadata }));
  }

  @Post('findings/:id/request-closure')
  @HttpCode(200)
  @Sends('RequestClosure')
  requestClosure(@Param('id', UuidParam) findingId: string, @Body() dto: RequestClosureDto, @Http() http: Exchange) {
    return this.commands.send(http, (metadata) => ({ type: 'RequestClosure', data: { findingId, ...dto }, metadata }));
  }

  @Post('findings/:id/verify')
  @HttpCode(200)
  @Sends('VerifyRectification')
  verify(@Param('id', UuidParam) findingId: string, @Body() dto: VerifyRectificationDto, @Http() http: Exchange) {
    const data = { findingId, ...dto };
    return this.commands.send(http, (metadata) => ({ type: 'VerifyRectification', data, metadata }));
  }

  @Post('findings/:id/reopen')
  @HttpCode(200)
  @Sends('ReopenRectification')
  reopen(@Param('id', UuidParam) findingId: string, @Body() dto: ReasonDto, @Http() http: Exchange) {
    const data = { findingId, ...dto };
    return this.commands.send(http, (metadata) => ({ type: 'ReopenRectification', data, metadata }));
  }

  @Post('findings/:id/dismiss')
  @HttpCode(200)
  @Sends('DismissFinding')
  dismiss(@Param('id', UuidParam) findingId: string, @Body() dto: ReasonDto, @Http() http: Exchange) {
    return this.commands.send(http, (metadata) => ({ type: 'DismissFinding', data: { findingId, ...dto }, metadata }));
  }

  @Post('findings/:id/follow-up')
  @HttpCode(200)
  @Sends('RecordFindingFollowUp')
  followUp(@Param('id', UuidParam) findingId: string, @Body() dto: FollowUpDto, @Http() http: Exchange) {
    const { visitee, ...visit } = dto;
    // The visitee's ref is filled in by the handler once the name is in the vault.
    const data = { findingId, ...visit, visiteeRef: '' };
    return this.commands.send(http, (metadata) => ({ type: 'RecordFindingFollowUp', data, metadata }), {}, { visitee });
  }

  @Get('findings/:id')
  @Reads('GetFinding')
  async get(
    @Param('id', UuidParam) id: string,
    @Query() query: AsOfQuery,
    @CurrentUser() user: AuthUser,
    @Http() http: Exchange,
  ) {
    const finding = await this.reader.read(findingDecider, findingStream(id), query.asOf, 'FINDING_NOT_FOUND');
    // Another unit's finding is answered as if it did not exist: a liaison learns nothing of it, not even that.
    if (user.role === 'unit_liaison' && !liaisonMayAct(finding, user.departmentId)) {
      throw new ApplicationError('FINDING_NOT_FOUND', 'No such id');
    }
    return this.visibility.followUps(withETag(http, finding), user, {});
  }

  @Get('findings/:id/history')
  @Reads('GetFindingHistory')
  historyOf(@Param('id', UuidParam) id: string, @CurrentUser() user: AuthUser) {
    return this.history.of(findingStream(id), 'FINDING_NOT_FOUND', user);
  }
}
