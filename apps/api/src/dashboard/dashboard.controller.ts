import { Controller, Get, Query, Req } from '@nestjs/common';
import {
  dashboardDepartments,
  dashboardFields,
  dashboardOverview,
  dashboardRedList,
  dashboardTrend,
} from '@app/projections';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Reads } from '../auth/decorators.js';
import { ProjectionQuery } from '../projections/projection-query.decorator.js';
import { DepartmentDashboardQuery, RoundQuery, TrendQuery } from './dto.js';
import { liaisonDepartment, officeToday, ReadModelDb, thresholdsOf } from './read-model-db.js';

/** The 巡察办 dashboard: figures only, never names (docs/domain.md, 举报人保护). */
@Controller('dashboard')
export class DashboardController {
  constructor(private readonly db: ReadModelDb) {}

  @Get('overview')
  @Reads('DashboardOverview')
  @ProjectionQuery()
  overview(@Query() query: RoundQuery, @Req() request: unknown) {
    const today = query.on ?? officeToday();
    const key = ['overview', query.roundId ?? null, today];
    return this.db.cached(
      request,
      key,
      (db, schema) => dashboardOverview(db, schema, { roundId: query.roundId }, today),
      query.roundId,
    );
  }

  /** A unit liaison gets their own department's row only. */
  @Get('departments')
  @Reads('DashboardDepartments')
  @ProjectionQuery()
  departments(@Query() query: DepartmentDashboardQuery, @CurrentUser() user: AuthUser, @Req() request: unknown) {
    const departmentId = liaisonDepartment(user, query.departmentId) ?? query.departmentId;
    const thresholds = thresholdsOf(query);
    const today = query.on ?? officeToday();
    const key = [
      'departments',
      query.roundId ?? null,
      departmentId ?? null,
      thresholds.greenDays,
      thresholds.yellowDays,
      today,
    ];
    return this.db.cached(
      request,
      key,
      (db, schema) => dashboardDepartments(db, schema, { roundId: query.roundId, departmentId, thresholds }, today),
      query.roundId,
    );
  }

  @Get('fields')
  @Reads('DashboardFields')
  @ProjectionQuery()
  fields(@Query() query: RoundQuery, @Req() request: unknown) {
    const today = query.on ?? officeToday();
    const key = ['fields', query.roundId ?? null, today];
    return this.db.cached(
      request,
      key,
      (db, schema) => dashboardFields(db, schema, { roundId: query.roundId }, today),
      query.roundId,
    );
  }

  /** 红牌清单: overdue rectifications and leads past their feedback deadline (docs/api.md "Supervision"). */
  @Get('red-list')
  @Reads('DashboardRedList')
  @ProjectionQuery()
  redList(@Query() query: RoundQuery, @Req() request: unknown) {
    const today = query.on ?? officeToday();
    const key = ['red-list', query.roundId ?? null, today];
    return this.db.cached(
      request,
      key,
      (db, schema) => dashboardRedList(db, schema, { roundId: query.roundId }, today),
      query.roundId,
    );
  }

  @Get('trend')
  @Reads('DashboardTrend')
  @ProjectionQuery()
  trend(@Query() query: TrendQuery, @Req() request: unknown) {
    const today = query.on ?? officeToday();
    const bucket = query.bucket ?? 'week';
    const key = ['trend', query.roundId ?? null, bucket, today];
    return this.db.cached(
      request,
      key,
      (db, schema) => dashboardTrend(db, schema, { roundId: query.roundId, bucket }, today),
      query.roundId,
    );
  }
}
