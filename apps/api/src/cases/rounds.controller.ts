import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { inspectionRoundDecider, roundStream } from '@app/domain';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Reads, Sends } from '../auth/decorators.js';
import { AggregateReader } from './application/aggregate-reader.js';
import { HistoryService } from './application/history.service.js';
import { Visibility } from './application/visibility.js';
import { AddFieldDto, AddMonitoringPointDto, AsOfQuery, MilestoneDto, PlanRoundDto } from './dto.js';
import { CommandSender, Http, UuidParam, withETag, type Exchange, newId } from './http-helpers.js';

type Milestone =
  | 'StationRound'
  | 'ReportRound'
  | 'DeliverRoundFeedback'
  | 'StartRoundRectification'
  | 'EvaluateRound'
  | 'ArchiveRound';

@Controller('rounds')
export class RoundsController {
  constructor(
    private readonly commands: CommandSender,
    private readonly reader: AggregateReader,
    private readonly history: HistoryService,
    private readonly visibility: Visibility,
  ) {}

  @Post()
  @HttpCode(201)
  @Sends('PlanRound')
  plan(@Body() dto: PlanRoundDto, @Http() http: Exchange) {
    const roundId = newId(http, 'roundId');
    const data = { roundId, ...dto };
    return this.commands.send(http, (metadata) => ({ type: 'PlanRound', data, metadata }), { roundId });
  }

  @Post(':id/fields')
  @HttpCode(201)
  @Sends('AddFocusField')
  addField(@Param('id', UuidParam) roundId: string, @Body() dto: AddFieldDto, @Http() http: Exchange) {
    const fieldId = newId(http, 'fieldId');
    const data = { roundId, fieldId, ...dto };
    return this.commands.send(http, (metadata) => ({ type: 'AddFocusField', data, metadata }), { fieldId });
  }

  @Post(':id/monitoring-points')
  @HttpCode(201)
  @Sends('AddMonitoringPoint')
  addPoint(@Param('id', UuidParam) roundId: string, @Body() dto: AddMonitoringPointDto, @Http() http: Exchange) {
    const pointId = newId(http, 'pointId');
    const targets = dto.targets.map((t) => ({
      kind: t.kind,
      name: t.name,
      ...(t.departmentId ? { departmentId: t.departmentId } : {}),
    }));
    const data = { roundId, pointId, fieldId: dto.fieldId, title: dto.title, targets };
    return this.commands.send(http, (metadata) => ({ type: 'AddMonitoringPoint', data, metadata }), { pointId });
  }

  @Post(':id/station')
  @HttpCode(200)
  @Sends('StationRound')
  station(@Param('id', UuidParam) roundId: string, @Body() dto: MilestoneDto, @Http() http: Exchange) {
    return this.milestone('StationRound', roundId, dto, http);
  }

  @Post(':id/report')
  @HttpCode(200)
  @Sends('ReportRound')
  report(@Param('id', UuidParam) roundId: string, @Body() dto: MilestoneDto, @Http() http: Exchange) {
    return this.milestone('ReportRound', roundId, dto, http);
  }

  @Post(':id/deliver-feedback')
  @HttpCode(200)
  @Sends('DeliverRoundFeedback')
  deliverFeedback(@Param('id', UuidParam) roundId: string, @Body() dto: MilestoneDto, @Http() http: Exchange) {
    return this.milestone('DeliverRoundFeedback', roundId, dto, http);
  }

  @Post(':id/start-rectification')
  @HttpCode(200)
  @Sends('StartRoundRectification')
  startRectification(@Param('id', UuidParam) roundId: string, @Body() dto: MilestoneDto, @Http() http: Exchange) {
    return this.milestone('StartRoundRectification', roundId, dto, http);
  }

  @Post(':id/evaluate')
  @HttpCode(200)
  @Sends('EvaluateRound')
  evaluate(@Param('id', UuidParam) roundId: string, @Body() dto: MilestoneDto, @Http() http: Exchange) {
    return this.milestone('EvaluateRound', roundId, dto, http);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @Sends('ArchiveRound')
  archive(@Param('id', UuidParam) roundId: string, @Body() dto: MilestoneDto, @Http() http: Exchange) {
    return this.milestone('ArchiveRound', roundId, dto, http);
  }

  private milestone(type: Milestone, roundId: string, dto: MilestoneDto, http: Exchange) {
    const data = { roundId, ...(dto.occurredAt ? { occurredAt: dto.occurredAt } : {}) };
    return this.commands.send(http, (metadata) => ({ type, data, metadata }));
  }

  /** A unit liaison sees the monitoring points aimed at their unit, without person targets; auditors no names. */
  @Get(':id')
  @Reads('GetRound')
  async get(
    @Param('id', UuidParam) id: string,
    @Query() query: AsOfQuery,
    @CurrentUser() user: AuthUser,
    @Http() http: Exchange,
  ) {
    const round = await this.reader.read(inspectionRoundDecider, roundStream(id), query.asOf, 'ROUND_NOT_FOUND');
    return this.visibility.round(withETag(http, round), user);
  }

  @Get(':id/history')
  @Reads('GetRoundHistory')
  historyOf(@Param('id', UuidParam) id: string, @CurrentUser() user: AuthUser) {
    return this.history.of(roundStream(id), 'ROUND_NOT_FOUND', user);
  }
}
