import {
  FINDING_STATUSES,
  isAssignedFindingStatus,
  type FindingStatus,
  type LeadSource,
  type LeadStatus,
  type RectificationType,
  type RoundKind,
  type RoundStatus,
  type WarningLevel,
} from '@app/domain';
import type { QueryResultRow } from 'pg';
import { findingsTable, searchBigrams, statusColumn } from '../read-models/findings.read-model.js';
import type { DepartmentListItem, FindingListItem, LeadListItem, RoundListItem } from './answers.js';
import { roundsTable } from '../read-models/rounds.read-model.js';
import { selectList } from '../read-models/sql.js';
import { TABLES } from '../read-models/tables.js';
import { addDays } from '../read-models/time.js';
import {
  DEFAULT_WARNING_THRESHOLDS,
  iso,
  MAX_PAGE_SIZE,
  openStatusCondition,
  paging,
  Params,
  requireThresholds,
  requireToday,
  table,
  warningOf,
  type Db,
  type PageRequest,
  type WarningThresholds,
} from './common.js';
import type { Page } from './answers.js';

/*
 * Lists: one page of rows plus the total, newest first (by the position of the recording event,
 * which is the order they happened in and never ties).
 */

/** A statement answering a list's total as `total`. */
export interface TotalStatement {
  sql: string;
  values: unknown[];
}

/** A list's total counted from its rows. */
const countStatement = (from: string, where: string[], values: unknown[]): TotalStatement => ({
  sql: `SELECT count(*)::int AS total FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`,
  values,
});

async function page<R, T>(
  db: Db,
  from: string,
  where: string[],
  params: Params,
  columns: string,
  order: string,
  request: PageRequest,
  map: (row: R) => T,
  defaultSize?: number,
  /** The statement answering the total; by default the rows are counted (countStatement). */
  totalStatement?: TotalStatement,
): Promise<Page<T>> {
  const { page: pageNo, pageSize, offset } = paging(request, defaultSize);
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const countValues = [...params.values];
  const limit = params.add(pageSize);
  const skip = params.add(offset);
  // Two statements rather than count(*) OVER (): the count stays right on a page past the end.
  const total = totalStatement ?? countStatement(from, where, countValues);
  const [items, count] = await Promise.all([
    db.query(
      `SELECT ${columns} FROM ${from} ${whereSql} ORDER BY ${order} LIMIT ${limit} OFFSET ${skip}`,
      params.values,
    ),
    db.query<{ total: number }>(total.sql, total.values),
  ]);
  return { items: (items.rows as R[]).map(map), total: count.rows[0].total, page: pageNo, pageSize };
}

// ── findings ──────────────────────────────────────────────────────────────────

export interface FindingListQuery extends PageRequest {
  roundId?: string;
  /** The answerable unit: the rectification's lead unit once assigned, before that the unit it was found in. */
  departmentId?: string;
  /** Only rectifications assigned to this unit (what its liaison may see and act on). */
  assignedDepartmentId?: string;
  fieldId?: string;
  status?: FindingStatus;
  type?: RectificationType;
  overdue?: boolean;
  warning?: Exclude<WarningLevel, 'none'>;
  /** Substring of title, description or category, case-insensitive. */
  q?: string;
  thresholds?: WarningThresholds;
}

/**
 * A findings list's total from the counters the findings read model keeps in the same transactions as its rows,
 * when the list's filters are ones those counters are kept by; undefined when not, and the rows are counted. The
 * counters are per round and answerable unit (`department_id`), so a round's total sums a row per unit instead of
 * visiting each of its findings (at 10M events a round holds ~17,000 findings).
 *
 * - `assignedDepartmentId`: rectifications assigned to the unit are its assigned findings (`assigned`, or one
 *   status's column): an assigned finding's answerable unit is its lead unit, and a finding is dismissed only
 *   before it is assigned (the decider refuses it after: FINDING_ALREADY_ASSIGNED), so none of the unit's
 *   dismissed or recorded findings has a lead unit.
 * - Otherwise every finding (`findings`) or one status's, by round and unit; by round and field from the field
 *   counters.
 * - Not kept: text search, rectification type, combinations no counter splits by, and the due-date filters
 *   (overdue, 红黄绿). Those count the few open rows in their date range on the open findings' partial indexes,
 *   which measured cheaper than summing `finding_open_by_due`: it has a row per round, unit and due date, nearly one
 *   per open finding, and needs its heap (bench:projections at 1M: 1.04 against 2.74 ms p50 for a unit's overdue
 *   total).
 * `libs/projections/test/list-totals.spec.ts` checks each case against the rows' count over a generated world.
 */
export function keptFindingsTotal(schema: string, query: FindingListQuery): TotalStatement | undefined {
  const text = query.q !== undefined && query.q.trim() !== '';
  const due = query.overdue !== undefined || query.warning !== undefined;
  if (text || due || query.type !== undefined) return undefined;
  if (query.status !== undefined && !(FINDING_STATUSES as readonly string[]).includes(query.status)) return undefined;
  const p = new Params();
  const where: string[] = [];
  const eq = (column: string, value: string | undefined) =>
    value !== undefined && where.push(`${column} = ${p.add(value)}`);
  const sum = (tableName: string, column: string): TotalStatement => ({
    sql: `SELECT coalesce(sum(${column}), 0)::int AS total FROM ${table(schema, tableName)}${
      where.length ? ` WHERE ${where.join(' AND ')}` : ''
    }`,
    values: p.values,
  });
  eq('round_id', query.roundId);

  if (query.fieldId !== undefined) {
    if (query.departmentId !== undefined || query.assignedDepartmentId !== undefined || query.status !== undefined)
      return undefined;
    eq('field_id', query.fieldId);
    return sum(TABLES.findingFieldFigures, 'findings');
  }
  eq('department_id', query.departmentId);
  if (query.assignedDepartmentId !== undefined) {
    eq('department_id', query.assignedDepartmentId);
    if (query.status === undefined) return sum(TABLES.findingDepartmentFigures, 'assigned');
    if (!isAssignedFindingStatus(query.status)) return { sql: 'SELECT 0 AS total', values: [] };
  }
  return sum(TABLES.findingDepartmentFigures, query.status === undefined ? 'findings' : statusColumn(query.status));
}

/** `LIKE` pattern for a substring, with the pattern characters of the text itself escaped. */
export const containsPattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The rows a findings list selects: its FROM and WHERE, the parameters added to `p`. */
function findingsSelection(
  schema: string,
  query: FindingListQuery,
  today: string,
  thresholds: WarningThresholds,
  p: Params,
): { from: string; where: string[] } {
  const where: string[] = [];
  const eq = (column: string, value: string | undefined) =>
    value !== undefined && where.push(`f.${column} = ${p.add(value)}`);
  eq('round_id', query.roundId);
  eq('department_id', query.departmentId);
  eq('rect_department_id', query.assignedDepartmentId);
  eq('field_id', query.fieldId);
  eq('status', query.status);
  eq('rect_type', query.type);
  const open = () => openStatusCondition('f.status', p);
  const late = () => `${open()} AND f.due_on < ${p.add(today)}::date`;
  if (query.overdue === true) where.push(late());
  if (query.overdue === false) where.push(`NOT (${late()})`);
  if (query.warning === 'red') where.push(late());
  if (query.warning === 'yellow')
    where.push(
      `${open()} AND f.due_on BETWEEN ${p.add(today)}::date AND ${p.add(addDays(today, thresholds.yellowDays))}::date`,
    );
  if (query.warning === 'green') {
    where.push(
      `${open()} AND f.due_on > ${p.add(addDays(today, thresholds.yellowDays))}::date AND f.due_on <= ${p.add(addDays(today, thresholds.greenDays))}::date`,
    );
  }
  const text = query.q?.trim().toLowerCase();
  if (text) {
    // LIKE is the answer. Across rounds, the bigrams every match contains let the bigram index find the candidates;
    // within one round, filtering the round's rows costs less than looking up a common word's bigram (at 1M events,
    // 台账 in a third of the findings: a unit over all rounds 12.8 → 9.8 ms with the index, one round 4.2 → 5.6 ms).
    if (query.roundId === undefined && [...text].length >= 2)
      where.push(`${searchBigrams(schema, 'f.search')} @> ${searchBigrams(schema, p.add(text))}`);
    where.push(`f.search LIKE ${p.add(containsPattern(text))}`);
  }
  const from = `${table(schema, TABLES.findings)} f LEFT JOIN ${table(schema, TABLES.departments)} d ON d.id = f.department_id`;
  return { from, where };
}

/** A findings list's total counted from its rows: what the list answers where no kept counter serves. */
export function countedFindingsTotal(
  schema: string,
  query: FindingListQuery,
  today: string,
  thresholds: WarningThresholds,
): TotalStatement {
  const p = new Params();
  const { from, where } = findingsSelection(schema, query, today, thresholds, p);
  return countStatement(from, where, p.values);
}

export async function listFindings(
  db: Db,
  schema: string,
  query: FindingListQuery,
  today: string,
): Promise<Page<FindingListItem>> {
  requireToday(today);
  const thresholds = requireThresholds(query.thresholds ?? DEFAULT_WARNING_THRESHOLDS);
  const p = new Params();
  const { from, where } = findingsSelection(schema, query, today, thresholds, p);
  const columns = `${selectList(findingsTable, 'f')}, d.name AS department_name`;
  // Where no counter is kept, page() counts the rows of the same selection (what countedFindingsTotal answers).
  const total = keptFindingsTotal(schema, query);
  return page(
    db,
    from,
    where,
    p,
    columns,
    'f.first_position DESC',
    query,
    (r: QueryResultRow): FindingListItem => ({
      findingId: r.id,
      roundId: r.round_id,
      fieldId: r.field_id,
      monitoringPointId: r.point_id,
      departmentId: r.department_id,
      departmentName: r.department_name,
      recordedDepartmentId: r.recorded_department_id,
      coDepartmentIds: r.co_department_ids,
      title: r.title,
      description: r.description,
      category: r.category,
      status: r.status,
      type: r.rect_type,
      dueOn: r.due_on,
      recordedAt: iso(r.recorded_at)!,
      assignedAt: iso(r.assigned_at),
      acknowledgedAt: iso(r.acknowledged_at),
      closureRequestedAt: iso(r.closure_requested_at),
      closedAt: iso(r.closed_at),
      ongoingSince: iso(r.ongoing_since),
      dismissedAt: iso(r.dismissed_at),
      cycle: r.cycle,
      reopenedCount: r.reopened_count,
      rejectedCount: r.rejected_count,
      progressPercent: r.progress_percent,
      ...warningOf(r.status, r.due_on, today, thresholds),
      lastPosition: Number(r.last_position),
    }),
    undefined,
    total,
  );
}

// ── leads ─────────────────────────────────────────────────────────────────────

export interface LeadListQuery extends PageRequest {
  roundId?: string;
  status?: LeadStatus;
  source?: LeadSource;
  /** Only the leads this user recorded (what an inspector's own list is). */
  recordedBy?: string;
}

export async function listLeads(
  db: Db,
  schema: string,
  query: LeadListQuery,
  today: string,
): Promise<Page<LeadListItem>> {
  requireToday(today);
  const p = new Params();
  const where: string[] = [];
  if (query.roundId !== undefined) where.push(`round_id = ${p.add(query.roundId)}`);
  if (query.status !== undefined) where.push(`status = ${p.add(query.status)}`);
  if (query.source !== undefined) where.push(`source = ${p.add(query.source)}`);
  if (query.recordedBy !== undefined) where.push(`recorded_by = ${p.add(query.recordedBy)}`);
  return page(
    db,
    table(schema, TABLES.leads),
    where,
    p,
    '*',
    'first_position DESC',
    query,
    (r: QueryResultRow): LeadListItem => ({
      leadId: r.id,
      roundId: r.round_id,
      monitoringPointId: r.point_id,
      fieldId: r.field_id,
      source: r.source,
      summary: r.summary,
      status: r.status,
      subjectCount: r.subject_count,
      triageDecision: r.triage_decision,
      receiver: r.receiver,
      receiverDepartmentId: r.receiver_department_id,
      disposition: r.disposition,
      dispositionChanges: r.disposition_changes,
      outcome: r.outcome,
      recordedAt: iso(r.recorded_at)!,
      triagedAt: iso(r.triaged_at),
      transferredAt: iso(r.transferred_at),
      receivedAt: iso(r.received_at),
      disposedAt: iso(r.disposed_at),
      concludedAt: iso(r.concluded_at),
      closedAt: iso(r.closed_at),
      lastPosition: Number(r.last_position),
    }),
  );
}

// ── reference data and rounds ─────────────────────────────────────────────────

/** By name; a page holds up to 200, the default too, so one call answers a district's units. */
export async function listDepartments(
  db: Db,
  schema: string,
  query: PageRequest = {},
): Promise<Page<DepartmentListItem>> {
  const p = new Params();
  return page(
    db,
    table(schema, TABLES.departments),
    [],
    p,
    '*',
    'name, id',
    query,
    (r: QueryResultRow): DepartmentListItem => ({
      departmentId: r.id,
      name: r.name,
      kind: r.kind,
      parentId: r.parent_id,
      registeredAt: iso(r.registered_at)!,
    }),
    MAX_PAGE_SIZE,
  );
}

export interface RoundListQuery extends PageRequest {
  status?: RoundStatus;
  kind?: RoundKind;
  /**
   * A unit liaison's view: `monitoringPoints` counts only the points aimed at this unit (a target with its
   * departmentId), not the round's other units' points.
   */
  ownDepartmentId?: string;
}

/** Latest start first. */
export async function listRounds(db: Db, schema: string, query: RoundListQuery = {}): Promise<Page<RoundListItem>> {
  const p = new Params();
  const where: string[] = [];
  if (query.status !== undefined) where.push(`status = ${p.add(query.status)}`);
  if (query.kind !== undefined) where.push(`kind = ${p.add(query.kind)}`);
  const rounds = await page(
    db,
    table(schema, TABLES.rounds),
    where,
    p,
    selectList(roundsTable),
    'starts_on DESC, first_position DESC',
    query,
    (r: QueryResultRow): RoundListItem => ({
      roundId: r.id,
      title: r.title,
      kind: r.kind,
      status: r.status,
      scope: r.scope,
      team: r.team,
      startsOn: r.starts_on,
      endsOn: r.ends_on,
      milestones: r.milestones,
      fields: r.field_count,
      monitoringPoints: r.point_count,
      lastPosition: Number(r.last_position),
    }),
  );
  if (query.ownDepartmentId === undefined || rounds.items.length === 0) return rounds;
  const own = await db.query<{ round_id: string; n: number }>(
    `SELECT round_id, count(*)::int AS n FROM ${table(schema, TABLES.monitoringPoints)}
      WHERE round_id = ANY($1::text[]) AND targets @> jsonb_build_array(jsonb_build_object('departmentId', $2::text))
      GROUP BY round_id`,
    [rounds.items.map((r) => r.roundId), query.ownDepartmentId],
  );
  const counts = new Map(own.rows.map((r) => [r.round_id, r.n]));
  return { ...rounds, items: rounds.items.map((r) => ({ ...r, monitoringPoints: counts.get(r.roundId) ?? 0 })) };
}
