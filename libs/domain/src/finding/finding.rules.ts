import { daysBetween } from '../common/values.js';
import type { FindingState, FindingStatus } from './finding.types.js';

/**
 * A unit liaison acts only on rectifications assigned to their own department (the lead unit;
 * co-units contribute through it). Nothing is assigned before RectificationAssigned, so nothing
 * is theirs to act on.
 */
export function liaisonMayAct(finding: FindingState, departmentId: string | undefined): boolean {
  if (finding.status === 'absent' || !departmentId) return false;
  return finding.rectification?.departmentId === departmentId;
}

const SETTLED: readonly FindingStatus[] = ['recorded', 'closed', 'ongoing', 'dismissed'];

/** Days until the due date, counted from `today` (YYYY-MM-DD, in the office's time zone); negative once past. */
export function daysLeft(finding: FindingState, today: string): number | undefined {
  if (finding.status === 'absent' || !finding.rectification) return undefined;
  return daysBetween(today, finding.rectification.dueOn);
}

/**
 * 超期未完 is derived, never stored: assigned, not closed / ongoing / dismissed, and the due date has passed.
 * Due today is not yet overdue.
 */
export function isOverdue(finding: FindingState, today: string): boolean {
  if (finding.status === 'absent' || SETTLED.includes(finding.status)) return false;
  const left = daysLeft(finding, today);
  return left !== undefined && left < 0;
}

export type WarningLevel = 'none' | 'green' | 'yellow' | 'red';
export type WarningThresholds = { greenDays: number; yellowDays: number };

/** 江津 三色预警 defaults: green ≤ 20 days left, yellow ≤ 10, red = overdue. */
export const DEFAULT_WARNING_THRESHOLDS: WarningThresholds = { greenDays: 20, yellowDays: 10 };

export function warningLevel(
  finding: FindingState,
  today: string,
  thresholds: WarningThresholds = DEFAULT_WARNING_THRESHOLDS,
): WarningLevel {
  if (finding.status === 'absent' || SETTLED.includes(finding.status)) return 'none';
  const left = daysLeft(finding, today);
  if (left === undefined) return 'none';
  if (left < 0) return 'red';
  if (left <= thresholds.yellowDays) return 'yellow';
  if (left <= thresholds.greenDays) return 'green';
  return 'none';
}

