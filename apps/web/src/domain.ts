/*
 * What the dashboard takes from libs/domain at build time: the Chinese labels and the table of who
 * may send which command (permissions.ts says "the dashboard's buttons read one table"). Both files
 * import only types, so the bundle gets plain objects and nothing of the server.
 */
export {
  DEPARTMENT_KIND_LABELS,
  EVENT_TYPE_LABELS,
  FINDING_STATUS_LABELS,
  LEAD_DISPOSITION_LABELS,
  LEAD_OUTCOME_LABELS,
  LEAD_RECEIVER_LABELS,
  LEAD_SOURCE_LABELS,
  LEAD_STATUS_LABELS,
  LEAD_TRIAGE_DECISION_LABELS,
  MONITORING_TARGET_KIND_LABELS,
  RECTIFICATION_TYPE_LABELS,
  ROLE_LABELS,
  ROUND_KIND_LABELS,
  ROUND_STATUS_LABELS,
  WARNING_LEVEL_LABELS,
} from '@domain/labels.ts';
export { roleMayDo } from '@domain/permissions.ts';
import type { CommandType } from '@domain/types.ts';
import type { Role } from '@domain/common/roles.ts';
export type { CommandType, Role };

export type FindingStatus = 'recorded' | 'assigned' | 'acknowledged' | 'in_progress' | 'pending_verification' | 'closed' | 'ongoing' | 'dismissed';
export type RectificationType = 'immediate' | 'deadline' | 'long_term';
export type WarningLevel = 'none' | 'green' | 'yellow' | 'red';
export type LeadStatus = 'recorded' | 'triaged' | 'transferred' | 'received' | 'disposing' | 'concluded' | 'closed';

export const FINDING_STATUSES: readonly FindingStatus[] = ['recorded', 'assigned', 'acknowledged', 'in_progress', 'pending_verification', 'closed', 'ongoing', 'dismissed'];
export const RECTIFICATION_TYPES: readonly RectificationType[] = ['immediate', 'deadline', 'long_term'];
export const LEAD_STATUSES: readonly LeadStatus[] = ['recorded', 'triaged', 'transferred', 'received', 'disposing', 'concluded', 'closed'];
export const LEAD_SOURCES = ['interview', 'petition', 'documents', 'site_visit'] as const;

/** Open rectifications (can become overdue), as the read models count them. */
export const OPEN_STATUSES: readonly FindingStatus[] = ['assigned', 'acknowledged', 'in_progress', 'pending_verification'];
