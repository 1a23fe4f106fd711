import { Controller, Get, Query } from '@nestjs/common';
import { dashboardDepartments, dashboardFields, dashboardOverview, dashboardTrend } from '@app/projections';
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
  overview(@Query() query: RoundQuery) {
    return this.db.run((db, schema) => dashboardOverview(db, schema, { roundId: query.roundId }, officeToday()));
  }

  /** A unit liaison gets their own department's row only. */
  @Get('departments')
  @Reads('DashboardDepartments')
  @ProjectionQuery()
  departments(@Query() query: DepartmentDashboardQuery, @CurrentUser() user: AuthUser) {
    const departmentId = liaisonDepartment(user, query.departmentId) ?? query.departmentId;
    const thresholds = thresholdsOf(query);
    return this.db.run((db, schema) =>
      dashboardDepartments(db, schema, { roundId: query.roundId, departmentId, thresholds }, officeToday()),
    );
  }

  @Get('fields')
  @Reads('DashboardFields')
  @ProjectionQuery()
  fields(@Query() query: RoundQuery) {
    return this.db.run((db, schema) => dashboardFields(db, schema, { roundId: query.roundId }, officeToday()));
  }

  @Get('trend')
  @Reads('DashboardTrend')
  @ProjectionQuery()
  trend(@Query() query: TrendQuery) {
    return this.db.run((db, schema) =>
      dashboardTrend(db, schema, { roundId: query.roundId, bucket: query.bucket ?? 'week' }, officeToday()),
    );
  }
}
