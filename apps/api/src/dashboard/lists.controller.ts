import { Controller, Get, Query, Req } from '@nestjs/common';
import { listDepartments, listFindings, listLeads, listRounds } from '@app/projections';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Reads } from '../auth/decorators.js';
import { ProjectionQuery } from '../projections/projection-query.decorator.js';
import { FindingListDto, LeadListDto, PageQuery, RoundListDto } from './dto.js';
import { liaisonDepartment, officeToday, ReadModelDb, thresholdsOf } from './read-model-db.js';

/** Lists from the read models: `{items, total, page, pageSize}`, pageSize ≤ 200. */
@Controller()
export class ListsController {
  constructor(private readonly db: ReadModelDb) {}

  /**
   * A unit liaison sees only the rectifications assigned to their department (the ones GET
   * /findings/:id lets them read); naming another department is refused.
   */
  @Get('findings')
  @Reads('ListFindings')
  @ProjectionQuery()
  findings(@Query() query: FindingListDto, @CurrentUser() user: AuthUser, @Req() http: unknown) {
    const own = liaisonDepartment(user, query.departmentId);
    const { greenDays: _g, yellowDays: _y, ...filters } = query;
    const request = own === undefined ? filters : { ...filters, departmentId: undefined, assignedDepartmentId: own };
    const full = { ...request, thresholds: thresholdsOf(query) };
    const today = officeToday();
    return this.db.cached(
      http,
      ['findings', sorted(full), today],
      (db, schema) => listFindings(db, schema, full, today),
      full.roundId,
    );
  }

  /**
   * Officials and auditors list every lead; an inspector lists the leads they recorded themselves (the team's
   * own work), with the same neutral summaries — names stay in the vault.
   */
  @Get('leads')
  @Reads('ListLeads')
  @ProjectionQuery()
  leads(@Query() query: LeadListDto, @CurrentUser() user: AuthUser, @Req() http: unknown) {
    const request = user.role === 'inspector' ? { ...query, recordedBy: user.id } : query;
    const today = officeToday();
    return this.db.cached(
      http,
      ['leads', sorted(request), today],
      (db, schema) => listLeads(db, schema, request, today),
      request.roundId,
    );
  }

  /** Reference data for every signed-in role; one page holds up to 200 departments (the default). */
  @Get('departments')
  @Reads('ListDepartments')
  @ProjectionQuery()
  departments(@Query() query: PageQuery) {
    return this.db.run((db, schema) => listDepartments(db, schema, query));
  }

  /** A unit liaison's rounds count only the monitoring points aimed at their unit (as GET /rounds/:id shows). */
  @Get('rounds')
  @Reads('ListRounds')
  @ProjectionQuery()
  rounds(@Query() query: RoundListDto, @CurrentUser() user: AuthUser) {
    const own = liaisonDepartment(user, undefined);
    const request = own === undefined ? query : { ...query, ownDepartmentId: own };
    return this.db.run((db, schema) => listRounds(db, schema, request));
  }
}

/** The defined entries of a query object in name order: the same filters give the same cache key. */
function sorted(query: object): [string, unknown][] {
  return Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
