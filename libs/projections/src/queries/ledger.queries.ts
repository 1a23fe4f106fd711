import type pg from 'pg';
import { OPEN_FINDING_STATUSES } from '@app/domain';
import { TABLES } from '../read-models/tables.js';

/** One row of the 整改台账 (rectification ledger), in recording order. */
export interface LedgerRow {
  findingId: string;
  title: string;
  fieldName: string | null;
  pointTitle: string | null;
  departmentName: string | null;
  responsiblePerson: string | null;
  rectificationType: string | null;
  dueOn: string | null;
  measures: string | null;
  progressPercent: number;
  progressNote: string | null;
  status: string;
  overdue: boolean;
  /** 销号日期: the office (Asia/Shanghai) date it was verified and closed. */
  closedOn: string | null;
  reopenedCount: number;
  /** 问题表现, 配合单位 (names, in the order assigned), 整改目标. */
  description: string;
  coDepartmentNames: string[];
  target: string | null;
  /** The first due date; `dueOn` is the one in force after a granted extension or a new deadline. */
  originalDueOn: string | null;
  extensionState: string | null;
  extensionDueOn: string | null;
  notices: number;
  /** 佐证材料: the names of every file and paper reference submitted. */
  evidence: string[];
  /** 验收意见: 验收通过, or the latest rejection's reason. */
  verificationOpinion: string | null;
  /** Days left to the due date on `today` (negative once past), for 剩余 N 天; null when settled or unassigned. */
  daysLeft: number | null;
}

export async function ledgerRows(
  db: pg.Pool | pg.ClientBase,
  schema: string,
  roundId: string,
  today: string,
): Promise<LedgerRow[]> {
  const t = (name: string) => `${schema}.${name}`;
  const { rows } = await db.query(
    `SELECT f.id, f.title, ff.name AS field_name, mp.title AS point_title, d.name AS department_name,
            f.responsible_person, f.rect_type, to_char(f.due_on, 'YYYY-MM-DD') AS due_on, f.measures,
            f.progress_percent, f.progress_note, f.status, f.reopened_count,
            (f.due_on IS NOT NULL AND f.status = ANY($3::text[]) AND f.due_on < $2::date) AS overdue,
            to_char(f.closed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS closed_on,
            f.description, f.target, f.original_due_on::text AS original_due_on, f.extension_state,
            f.extension_due_on::text AS extension_due_on, f.notices, f.evidence, f.verification_opinion,
            CASE WHEN f.status = ANY($3::text[]) AND f.due_on IS NOT NULL THEN f.due_on - $2::date END AS days_left,
            (SELECT coalesce(json_agg(cd.name ORDER BY c.ord), '[]')
               FROM jsonb_array_elements_text(f.co_department_ids) WITH ORDINALITY AS c(id, ord)
               JOIN ${t(TABLES.departments)} cd ON cd.id = c.id) AS co_department_names
       FROM ${t(TABLES.findings)} f
       LEFT JOIN ${t(TABLES.focusFields)} ff ON ff.id = f.field_id
       LEFT JOIN ${t(TABLES.monitoringPoints)} mp ON mp.id = f.point_id
       LEFT JOIN ${t(TABLES.departments)} d ON d.id = f.department_id
      WHERE f.round_id = $1
      ORDER BY f.first_position`,
    // The domain's open statuses (those that can be overdue), as a parameter.
    [roundId, today, [...OPEN_FINDING_STATUSES]],
  );
  return rows.map((r) => ({
    findingId: r.id,
    title: r.title,
    fieldName: r.field_name,
    pointTitle: r.point_title,
    departmentName: r.department_name,
    responsiblePerson: r.responsible_person,
    rectificationType: r.rect_type,
    dueOn: r.due_on,
    measures: r.measures,
    progressPercent: r.progress_percent,
    progressNote: r.progress_note,
    status: r.status,
    overdue: r.overdue,
    closedOn: r.status === 'closed' ? r.closed_on : null,
    reopenedCount: r.reopened_count,
    description: r.description,
    coDepartmentNames: r.co_department_names,
    target: r.target,
    originalDueOn: r.original_due_on,
    extensionState: r.extension_state,
    extensionDueOn: r.extension_due_on,
    notices: r.notices,
    evidence: r.evidence,
    verificationOpinion: r.verification_opinion,
    daysLeft: r.days_left === null ? null : Number(r.days_left),
  }));
}
