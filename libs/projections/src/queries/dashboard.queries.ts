import {
  FINDING_STATUSES,
  LEAD_DISPOSITIONS,
  LEAD_OUTCOMES,
  LEAD_SOURCES,
  LEAD_STATUSES,
  OPEN_FINDING_STATUSES,
  type FindingStatus,
} from '@app/domain';
import { statusColumn } from '../read-models/findings.read-model.js';
import { AWAITING_FEEDBACK } from '../read-models/leads.read-model.js';
import type { DashboardOverview, DepartmentFigures, FieldFigures, RedList, TrendBucket } from './answers.js';
import { TABLES } from '../read-models/tables.js';
import { addDays } from '../read-models/time.js';
import {
  DEFAULT_WARNING_THRESHOLDS,
  openStatusCondition,
  Params,
  rate,
  requireThresholds,
  requireToday,
  table,
  type Db,
  type WarningThresholds,
} from './common.js';

/*
 * Dashboard figures: sums over a few pre-aggregated rows (see the read models), never a scan of
 * findings. `roundId` narrows to one round; without it the figures cover every round.
 * Overdue and warnings compare the stored due dates of open rectifications with `today`
 * (YYYY-MM-DD in Asia/Shanghai, given by the caller), so they are right on any day without a
 * projection having run that day.
 *
 * Definitions: `assigned` counts findings whose rectification was assigned (应整改); `closed`
 * counts status `closed` (已销号) only — `ongoing` (阶段性完成、持续整改) is reported apart and is not
 * counted as done, so 整改完成率 = closed ÷ assigned as docs/domain.md defines it.
 */

export interface RoundFilter {
  roundId?: string;
}

function roundWhere(filter: RoundFilter, params: Params, column = 'round_id'): string {
  return filter.roundId === undefined ? 'TRUE' : `${column} = ${params.add(filter.roundId)}`;
}

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const openSum = OPEN_FINDING_STATUSES.map((s) => statusColumn(s)).join(' + ');

export async function dashboardOverview(
  db: Db,
  schema: string,
  filter: RoundFilter,
  today: string,
): Promise<DashboardOverview> {
  requireToday(today);
  const p = new Params();
  const where = roundWhere(filter, p);
  const rounds = roundWhere(filter, p, 'id');
  const day = p.add(today);
  const open = openStatusCondition('status', p);
  const feedbackOpen = p.add([...AWAITING_FEEDBACK]);
  const { rows } = await db.query(
    `SELECT
       (SELECT json_build_object('fields', coalesce(sum(field_count), 0), 'points', coalesce(sum(point_count), 0))
          FROM ${table(schema, TABLES.rounds)} WHERE ${rounds}) AS rounds,
       (SELECT json_build_object(
                 'findings', coalesce(sum(findings), 0), 'assigned', coalesce(sum(assigned), 0),
                 'closed', coalesce(sum(st_closed), 0), 'ongoing', coalesce(sum(st_ongoing), 0),
                 'open', coalesce(sum(${openSum}), 0),
                 'immediateAssigned', coalesce(sum(immediate_assigned), 0), 'immediateClosed', coalesce(sum(immediate_closed), 0))
          FROM ${table(schema, TABLES.findingDepartmentFigures)} WHERE ${where}) AS findings,
       (SELECT count(*)
          FROM ${table(schema, TABLES.findings)} WHERE ${where} AND ${open} AND due_on < ${day}::date) AS overdue,
       (SELECT coalesce(json_agg(json_build_object('dimension', dimension, 'value', value, 'n', n)), '[]')
          FROM (SELECT dimension, value, sum(n) AS n FROM ${table(schema, TABLES.leadCounts)} WHERE ${where} GROUP BY 1, 2) l) AS leads,
       (SELECT coalesce(json_object_agg(satisfaction, n), '{}')
          FROM (SELECT satisfaction, sum(n) AS n FROM ${table(schema, TABLES.followUpCounts)} WHERE ${where} GROUP BY 1) v)
         AS follow_ups,
       (SELECT count(*) FROM ${table(schema, TABLES.leads)}
         WHERE ${where} AND status = ANY(${feedbackOpen}::text[]) AND feedback_due_on < ${day}::date) AS overdue_feedback,
       (SELECT json_build_object(
                 'party', coalesce(sum(sanctions_party), 0), 'government', coalesce(sum(sanctions_government), 0),
                 'organizational', coalesce(sum(sanctions_organizational), 0), 'fen', coalesce(sum(recovered_funds_fen), 0))
          FROM ${table(schema, TABLES.leadResultFigures)} WHERE ${where}) AS results`,
    p.values,
  );
  const row = rows[0] as {
    rounds: { fields: number; points: number };
    findings: Record<
      'findings' | 'assigned' | 'closed' | 'ongoing' | 'open' | 'immediateAssigned' | 'immediateClosed',
      number
    >;
    overdue: string;
    leads: { dimension: string; value: string; n: number }[];
    follow_ups: Record<string, number>;
    overdue_feedback: string;
    results: Record<'party' | 'government' | 'organizational' | 'fen', number | string>;
  };
  const by = <K extends string>(dimension: string, keys: readonly K[]) => {
    const out: Record<string, number> = zeros(keys);
    for (const l of row.leads) if (l.dimension === dimension && l.n !== 0) out[l.value] = Number(l.n);
    return out;
  };
  const leadsByState = by('status', LEAD_STATUSES);
  const f = row.findings;
  return {
    fields: Number(row.rounds.fields),
    monitoringPoints: Number(row.rounds.points),
    findings: Number(f.findings),
    leads: Object.values(leadsByState).reduce((a, b) => a + b, 0),
    immediate: { assigned: Number(f.immediateAssigned), closed: Number(f.immediateClosed) },
    rectification: {
      assigned: Number(f.assigned),
      closed: Number(f.closed),
      inProgress: Number(f.open),
      ongoing: Number(f.ongoing),
      overdue: Number(row.overdue),
      completionRate: rate(Number(f.closed), Number(f.assigned)),
    },
    leadsByState,
    leadsByDisposition: by('disposition', LEAD_DISPOSITIONS),
    leadsByOutcome: by('outcome', LEAD_OUTCOMES),
    leadsBySource: by('source', LEAD_SOURCES),
    followUps: {
      satisfied: Number(row.follow_ups.satisfied ?? 0),
      basicallySatisfied: Number(row.follow_ups.basically_satisfied ?? 0),
      dissatisfied: Number(row.follow_ups.dissatisfied ?? 0),
    },
    leadFigures: {
      transferredTotal: by('cumulative', ['transferred']).transferred,
      overdueFeedback: Number(row.overdue_feedback),
    },
    sanctions: {
      party: Number(row.results.party),
      government: Number(row.results.government),
      organizational: Number(row.results.organizational),
    },
    recoveredFunds: Number(row.results.fen) / 100,
  };
}

export { AWAITING_FEEDBACK };

/**
 * 红牌清单 on `today`: every open rectification past its due date (the date in force, after any granted
 * extension or new deadline), with days overdue, the notices issued and the extension's state; and
 * every transferred lead past its feedback deadline without an outcome. Longest overdue first.
 */
export async function dashboardRedList(db: Db, schema: string, filter: RoundFilter, today: string): Promise<RedList> {
  requireToday(today);
  const p = new Params();
  const where = roundWhere(filter, p, 'f.round_id');
  const day = p.add(today);
  const open = p.add([...OPEN_FINDING_STATUSES]);
  const q = new Params();
  const leadWhere = roundWhere(filter, q, 'l.round_id');
  const leadDay = q.add(today);
  const awaiting = q.add([...AWAITING_FEEDBACK]);
  const [findings, leads] = await Promise.all([
    db.query(
      `SELECT f.id, f.round_id, f.title, f.department_id, d.name AS department, f.rect_type, f.status,
              f.original_due_on::text AS original_due_on, f.due_on::text AS due_on,
              (${day}::date - f.due_on) AS days_overdue, f.notices, f.extension_state,
              f.extension_due_on::text AS extension_due_on
         FROM ${table(schema, TABLES.findings)} f
         LEFT JOIN ${table(schema, TABLES.departments)} d ON d.id = f.department_id
        WHERE ${where} AND f.status = ANY(${open}::text[]) AND f.due_on < ${day}::date
        ORDER BY f.due_on, f.first_position`,
      p.values,
    ),
    db.query(
      `SELECT l.id, l.round_id, l.summary, l.receiver, l.receiver_department_id, d.name AS receiver_department,
              l.status, l.feedback_due_on::text AS feedback_due_on,
              (${leadDay}::date - l.feedback_due_on) AS days_overdue
         FROM ${table(schema, TABLES.leads)} l
         LEFT JOIN ${table(schema, TABLES.departments)} d ON d.id = l.receiver_department_id
        WHERE ${leadWhere} AND l.status = ANY(${awaiting}::text[]) AND l.feedback_due_on < ${leadDay}::date
        ORDER BY l.feedback_due_on, l.first_position`,
      q.values,
    ),
  ]);
  return {
    on: today,
    findings: findings.rows.map((r: Record<string, string | number | null>) => ({
      findingId: String(r.id),
      roundId: String(r.round_id),
      title: String(r.title),
      departmentId: String(r.department_id),
      department: r.department === null ? null : String(r.department),
      type: r.rect_type === null ? null : String(r.rect_type),
      status: String(r.status),
      originalDueOn: r.original_due_on === null ? null : String(r.original_due_on),
      dueOn: String(r.due_on),
      daysOverdue: Number(r.days_overdue),
      notices: Number(r.notices),
      extension:
        r.extension_state === null
          ? null
          : {
              state: String(r.extension_state),
              requestedDueOn: r.extension_due_on === null ? null : String(r.extension_due_on),
            },
    })),
    leads: leads.rows.map((r: Record<string, string | number | null>) => ({
      leadId: String(r.id),
      roundId: String(r.round_id),
      summary: String(r.summary),
      receiver: r.receiver === null ? null : String(r.receiver),
      receiverDepartmentId: r.receiver_department_id === null ? null : String(r.receiver_department_id),
      receiverDepartment: r.receiver_department === null ? null : String(r.receiver_department),
      status: String(r.status),
      feedbackDueOn: String(r.feedback_due_on),
      daysOverdue: Number(r.days_overdue),
    })),
  };
}

export interface DepartmentDashboardOptions extends RoundFilter {
  /** Only this department's row (a unit liaison sees their own). */
  departmentId?: string;
  thresholds?: WarningThresholds;
}

/** One row per department with findings in the round (or in any round), by name. */
export async function dashboardDepartments(
  db: Db,
  schema: string,
  options: DepartmentDashboardOptions,
  today: string,
): Promise<DepartmentFigures[]> {
  requireToday(today);
  const { greenDays, yellowDays } = requireThresholds(options.thresholds ?? DEFAULT_WARNING_THRESHOLDS);
  const p = new Params();
  let where = roundWhere(options, p);
  if (options.departmentId !== undefined) where += ` AND department_id = ${p.add(options.departmentId)}`;
  const day = p.add(today);
  const yellowEnd = p.add(addDays(today, yellowDays));
  const greenEnd = p.add(addDays(today, greenDays));
  const sums = [
    'findings',
    'assigned',
    ...FINDING_STATUSES.map(statusColumn),
    'immediate_assigned',
    'immediate_closed',
    'days_to_close_sum',
    'days_to_close_count',
    'reopened',
    'rejected',
  ];
  const { rows } = await db.query(
    `WITH f AS (
       SELECT department_id, ${sums.map((c) => `sum(${c})::int AS ${c}`).join(', ')}
         FROM ${table(schema, TABLES.findingDepartmentFigures)}
        WHERE ${where}
        GROUP BY department_id
       HAVING sum(findings) > 0
     ), w AS (
       SELECT department_id,
              coalesce(sum(open) FILTER (WHERE due_on < ${day}::date), 0)::int AS red,
              coalesce(sum(open) FILTER (WHERE due_on >= ${day}::date AND due_on <= ${yellowEnd}::date), 0)::int AS yellow,
              coalesce(sum(open) FILTER (WHERE due_on > ${yellowEnd}::date AND due_on <= ${greenEnd}::date), 0)::int AS green
         FROM ${table(schema, TABLES.findingOpenByDue)}
        WHERE ${where} AND open <> 0 AND due_on <= ${greenEnd}::date
        GROUP BY department_id
     )
     SELECT f.*, d.name, coalesce(w.red, 0) AS red, coalesce(w.yellow, 0) AS yellow, coalesce(w.green, 0) AS green
       FROM f
       LEFT JOIN w USING (department_id)
       LEFT JOIN ${table(schema, TABLES.departments)} d ON d.id = f.department_id
      ORDER BY d.name NULLS LAST, f.department_id`,
    p.values,
  );
  return rows.map((r: Record<string, number | string | null>) => {
    const n = (column: string) => Number(r[column] ?? 0);
    const byState = Object.fromEntries(FINDING_STATUSES.map((s) => [s, n(statusColumn(s))])) as Record<
      FindingStatus,
      number
    >;
    const count = n('days_to_close_count');
    return {
      departmentId: String(r.department_id),
      name: r.name === null ? null : String(r.name),
      findings: n('findings'),
      assigned: n('assigned'),
      byState,
      closed: byState.closed,
      overdue: n('red'),
      warning: { green: n('green'), yellow: n('yellow'), red: n('red') },
      immediate: { assigned: n('immediate_assigned'), closed: n('immediate_closed') },
      completionRate: rate(byState.closed, n('assigned')),
      avgDaysToClose: count > 0 ? Math.round((n('days_to_close_sum') / count) * 10) / 10 : null,
      reopened: n('reopened'),
      rejected: n('rejected'),
    };
  });
}

/** One row per focus field of the round (every round without `roundId`), in the order added. */
export async function dashboardFields(
  db: Db,
  schema: string,
  filter: RoundFilter,
  today: string,
): Promise<FieldFigures[]> {
  requireToday(today);
  const p = new Params();
  const { rows } = await db.query(
    `SELECT ff.id, ff.round_id, ff.name, ff.monitoring_points,
            coalesce(f.findings, 0) AS findings, coalesce(f.assigned, 0) AS assigned, coalesce(f.closed, 0) AS closed,
            coalesce(l.leads, 0) AS leads
       FROM ${table(schema, TABLES.focusFields)} ff
       LEFT JOIN ${table(schema, TABLES.findingFieldFigures)} f ON f.round_id = ff.round_id AND f.field_id = ff.id
       LEFT JOIN ${table(schema, TABLES.leadFieldFigures)} l ON l.round_id = ff.round_id AND l.field_id = ff.id
      WHERE ${roundWhere(filter, p, 'ff.round_id')}
      ORDER BY ff.position`,
    p.values,
  );
  return rows.map((r: Record<string, string | number>) => ({
    fieldId: String(r.id),
    roundId: String(r.round_id),
    name: String(r.name),
    monitoringPoints: Number(r.monitoring_points),
    findings: Number(r.findings),
    leads: Number(r.leads),
    assigned: Number(r.assigned),
    closed: Number(r.closed),
    completionRate: rate(Number(r.closed), Number(r.assigned)),
  }));
}

export interface TrendOptions extends RoundFilter {
  bucket?: 'week';
}

/**
 * Per ISO week (Monday, Asia/Shanghai): findings recorded, rectifications verified closed (a closure
 * later reopened still happened that week) and leads recorded; weeks without activity between the
 * first and the last are answered with zeros so a chart's axis has no holes.
 */
export async function dashboardTrend(
  db: Db,
  schema: string,
  options: TrendOptions,
  today: string,
): Promise<TrendBucket[]> {
  requireToday(today);
  if ((options.bucket ?? 'week') !== 'week') throw new Error(`unsupported trend bucket ${String(options.bucket)}`);
  const p = new Params();
  const where = roundWhere(options, p);
  const { rows } = await db.query<{ week: string; findings: number; closed: number; leads: number }>(
    `SELECT week, sum(findings)::int AS findings, sum(closed)::int AS closed, sum(leads)::int AS leads
       FROM (SELECT week_start::text AS week, recorded AS findings, closed, 0 AS leads
               FROM ${table(schema, TABLES.findingWeekFigures)} WHERE ${where}
             UNION ALL
             SELECT week_start::text, 0, 0, recorded
               FROM ${table(schema, TABLES.leadWeekFigures)} WHERE ${where}) t
      GROUP BY week
      ORDER BY week`,
    p.values,
  );
  const buckets: TrendBucket[] = [];
  const byWeek = new Map(rows.map((r) => [r.week, r]));
  if (rows.length === 0) return buckets;
  for (let week = rows[0].week; week <= rows[rows.length - 1].week; week = addDays(week, 7)) {
    const r = byWeek.get(week);
    buckets.push({
      bucketStart: week,
      findingsRecorded: r?.findings ?? 0,
      rectificationsClosed: r?.closed ?? 0,
      leadsRecorded: r?.leads ?? 0,
    });
  }
  return buckets;
}
