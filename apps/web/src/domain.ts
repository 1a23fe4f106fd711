/*
 * What the dashboard takes from libs/domain (`@app/domain`, bundled at build time: the domain is
 * pure TypeScript): the Chinese labels, the role table (permissions.ts: "the dashboard's buttons
 * read one table") and the finding rules — status sets, deadline standing, which actions a person
 * may take on a finding now — so that a page and the decider cannot disagree. Named here one by
 * one, so that the bundle takes only these.
 */
export {
  DEPARTMENT_KIND_LABELS,
  EVENT_TYPE_LABELS,
  FOLLOW_UP_SATISFACTION_LABELS,
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
  SUPERVISION_LEVEL_LABELS,
  EXTENSION_STATE_LABELS,
  SANCTION_KIND_LABELS,
  roleMayDo,
  FINDING_STATUSES,
  RECTIFICATION_TYPES,
  LEAD_STATUSES,
  LEAD_SOURCES,
  OPEN_FINDING_STATUSES,
  isOpenFindingStatus,
  deadlineStanding,
  availableFindingActions,
  mayMarkOngoing,
} from '@app/domain';
export type {
  CommandType,
  FindingCommandType,
  FindingStatus,
  LeadStatus,
  RectificationType,
  Role,
  WarningLevel,
} from '@app/domain';
