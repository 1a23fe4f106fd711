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
            to_char(f.closed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS closed_on
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
  }));
}
