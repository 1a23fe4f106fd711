import type pg from 'pg';
import {
  areValidWarningThresholds,
  DEFAULT_WARNING_THRESHOLDS,
  deadlineStanding,
  isIsoDate,
  OPEN_FINDING_STATUSES,
  type DeadlineStanding,
  type FindingStatus,
  type WarningLevel,
  type WarningThresholds,
} from '@app/domain';
import { qualified } from '../read-models/sql.js';

/** A pool (queries may run side by side) or one client (inside a transaction, or in tests). */
export type Db = pg.Pool | pg.ClientBase;

export interface PageRequest {
  page?: number;
  pageSize?: number;
}

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 20;

export function paging(
  request: PageRequest,
  defaultSize = DEFAULT_PAGE_SIZE,
): { page: number; pageSize: number; offset: number } {
  const page = Math.max(1, Math.trunc(request.page ?? 1));
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(request.pageSize ?? defaultSize)));
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export { DEFAULT_WARNING_THRESHOLDS, type WarningLevel, type WarningThresholds };

export function requireToday(today: string): string {
  if (!isIsoDate(today)) throw new Error(`today must be a date YYYY-MM-DD, got ${JSON.stringify(today)}`);
  return today;
}

export function requireThresholds(thresholds: WarningThresholds): WarningThresholds {
  if (!areValidWarningThresholds(thresholds)) {
    throw new Error(`warning thresholds need 0 ≤ yellowDays ≤ greenDays, got ${JSON.stringify(thresholds)}`);
  }
  return thresholds;
}

/** closed ÷ assigned, 0 when nothing was assigned; four decimals (0.8571), so 1/3 is not 0.3333333333333333. */
export function rate(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;
}

/** Collects positional parameters while a WHERE clause is built. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** `schema.table`, checked (both are spliced into SQL). */
export const table = (schema: string, name: string) => qualified(schema, name);

/** The domain's `deadlineStanding` of a row: days left, overdue and 红黄绿, derived from the due date and `today`. */
export function warningOf(
  status: FindingStatus,
  dueOn: string | null,
  today: string,
  thresholds: WarningThresholds,
): DeadlineStanding {
  return deadlineStanding(status, dueOn, today, thresholds);
}

/**
 * The domain's open statuses as an SQL condition on `column`, the list passed as a parameter
 * (`column = ANY($n::text[])`), so that a filter in SQL and the domain cannot disagree.
 */
export function openStatusCondition(column: string, params: Params): string {
  return `${column} = ANY(${params.add([...OPEN_FINDING_STATUSES])}::text[])`;
}

export const iso = (value: Date | string | null): string | null =>
  value === null ? null : value instanceof Date ? value.toISOString() : value;
