import type {
  FindingStatus,
  LeadSource,
  LeadStatus,
  RectificationType,
  RoundKind,
  RoundStatus,
  WarningLevel,
} from '@app/domain';

/*
 * The answers of the read-side queries, as the API sends them (JSON): the one declaration the
 * queries, the API and the dashboard (apps/web, type-only) share. Types only, importing nothing
 * but the domain's types, so a browser build can read it.
 */

/** GET of one case (a finding, a lead): its folded state, the revision it reflects, and as of when. */
export type CaseAnswer<S> = S & { revision: number; asOf?: string; lastRecordedAt?: string };

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface DashboardOverview {
  fields: number;
  monitoringPoints: number;
  findings: number;
  leads: number;
  immediate: { assigned: number; closed: number };
  rectification: {
    assigned: number;
    closed: number;
    inProgress: number;
    ongoing: number;
    overdue: number;
    completionRate: number;
  };
  leadsByState: Record<string, number>;
  leadsByDisposition: Record<string, number>;
  leadsByOutcome: Record<string, number>;
  leadsBySource: Record<string, number>;
  /** 回访 of the round's findings and leads, by satisfaction. */
  followUps: { satisfied: number; basicallySatisfied: number; dissatisfied: number };
  /**
   * 问题线索 figures beyond the current state: `transferredTotal` counts every transfer that happened
   * (a lead closed since still counts); `overdueFeedback` the transferred leads past their 反馈期限
   * without an outcome (超期未反馈).
   */
  leadFigures: { transferredTotal: number; overdueFeedback: number };
  /** People sanctioned by kind (党纪处分 / 政务处分 / 组织处理), from the leads' outcomes. */
  sanctions: { party: number; government: number; organizational: number };
  /** 追回资金, yuan. */
  recoveredFunds: number;
}

/** One line of the 红牌清单: an overdue rectification or a lead past its feedback deadline. */
export interface RedListFinding {
  findingId: string;
  roundId: string;
  title: string;
  departmentId: string;
  department: string | null;
  type: string | null;
  status: string;
  originalDueOn: string | null;
  dueOn: string;
  daysOverdue: number;
  notices: number;
  extension: { state: string; requestedDueOn: string | null } | null;
}

export interface RedListLead {
  leadId: string;
  roundId: string;
  summary: string;
  receiver: string | null;
  receiverDepartmentId: string | null;
  receiverDepartment: string | null;
  status: string;
  feedbackDueOn: string;
  daysOverdue: number;
}

export interface RedList {
  on: string;
  findings: RedListFinding[];
  leads: RedListLead[];
}

export interface DepartmentFigures {
  departmentId: string;
  name: string | null;
  findings: number;
  assigned: number;
  byState: Record<FindingStatus, number>;
  closed: number;
  overdue: number;
  warning: { green: number; yellow: number; red: number };
  immediate: { assigned: number; closed: number };
  completionRate: number;
  /** Office calendar days from assignment to 销号, over the rectifications closed now; null when none. */
  avgDaysToClose: number | null;
  reopened: number;
  rejected: number;
}

export interface FieldFigures {
  fieldId: string;
  roundId: string;
  name: string;
  monitoringPoints: number;
  findings: number;
  leads: number;
  assigned: number;
  closed: number;
  completionRate: number;
}

export interface TrendBucket {
  bucketStart: string;
  findingsRecorded: number;
  rectificationsClosed: number;
  leadsRecorded: number;
}

export interface FindingListItem {
  findingId: string;
  roundId: string;
  fieldId: string;
  monitoringPointId: string;
  departmentId: string;
  departmentName: string | null;
  recordedDepartmentId: string;
  coDepartmentIds: string[];
  title: string;
  description: string;
  category: string | null;
  status: FindingStatus;
  type: RectificationType | null;
  dueOn: string | null;
  recordedAt: string;
  assignedAt: string | null;
  acknowledgedAt: string | null;
  closureRequestedAt: string | null;
  closedAt: string | null;
  ongoingSince: string | null;
  dismissedAt: string | null;
  cycle: number;
  reopenedCount: number;
  rejectedCount: number;
  progressPercent: number;
  daysLeft: number | null;
  overdue: boolean;
  warning: WarningLevel;
  lastPosition: number;
}

/** No names and no references to them: those are read, and the read recorded, through GET /leads/:id. */
export interface LeadListItem {
  leadId: string;
  roundId: string;
  monitoringPointId: string | null;
  fieldId: string | null;
  source: LeadSource;
  summary: string;
  status: LeadStatus;
  subjectCount: number;
  triageDecision: string | null;
  receiver: string | null;
  receiverDepartmentId: string | null;
  disposition: string | null;
  dispositionChanges: number;
  outcome: string | null;
  recordedAt: string;
  triagedAt: string | null;
  transferredAt: string | null;
  receivedAt: string | null;
  disposedAt: string | null;
  concludedAt: string | null;
  closedAt: string | null;
  lastPosition: number;
}

export interface DepartmentListItem {
  departmentId: string;
  name: string;
  kind: string;
  parentId: string | null;
  registeredAt: string;
}

export interface RoundListItem {
  roundId: string;
  title: string;
  kind: RoundKind;
  status: RoundStatus;
  scope: string;
  team: string | null;
  startsOn: string;
  endsOn: string;
  milestones: Partial<Record<RoundStatus, string>>;
  fields: number;
  monitoringPoints: number;
  lastPosition: number;
}
