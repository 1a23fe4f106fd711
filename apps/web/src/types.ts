import type { Finding as FindingState, FollowUpVisit as DomainFollowUpVisit, LeadStatus, Role } from '@app/domain';
import type { CaseAnswer } from '@app/projections/answers';

/*
 * The JSON the API answers. The read side's answers are declared once, beside the queries
 * (libs/projections/src/queries/answers.ts), and the cases' states in the domain: they are imported
 * here, type-only, under the dashboard's names. What follows them is declared by the API alone
 * (auth, history, the redacted lead) and has no shared module yet.
 */
export type {
  DashboardOverview as Overview,
  DepartmentFigures as DepartmentRow,
  DepartmentListItem as Department,
  FieldFigures as FieldRow,
  FindingListItem as FindingItem,
  LeadListItem as LeadItem,
  Page,
  RoundListItem as RoundItem,
  TrendBucket,
} from '@app/projections/answers';
export type { Rectification } from '@app/domain';

/** GET /findings/:id: the domain's finding state, with its revision (ETag) and as of when. */
export type Finding = CaseAnswer<FindingState> & { followUps?: FollowUpVisit[] };

export interface User {
  id: string;
  username: string;
  role: Role;
  departmentId?: string;
}

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

export interface RoundDetail {
  roundId: string;
  title: string;
  status: string;
  fields: { fieldId: string; name: string }[];
  monitoringPoints: {
    pointId: string;
    fieldId: string;
    title: string;
    targets: { kind: string; name: string; departmentId?: string }[];
  }[];
}

export interface ShownPerson {
  ref?: string;
  name?: string;
  post?: string;
  departmentId?: string;
  contact?: string;
  redacted?: boolean;
  erased?: boolean;
  missing?: boolean;
}

export interface Lead {
  status: LeadStatus;
  leadId: string;
  roundId: string;
  monitoringPointId?: string;
  source: string;
  summary: string;
  /** The identifying part of the account, from the personal-data vault (［已隐去］ for auditors). */
  summaryDetail?: { text?: string; redacted?: boolean; erased?: boolean; missing?: boolean };
  subjects: ShownPerson[];
  informant?: ShownPerson;
  recordedAt: string;
  triage?: { decision: string; note?: string; at: string };
  transfer?: { receiver: string; receiverDepartmentId?: string; at: string };
  receivedAt?: string;
  disposition?: string;
  dispositions: { method: string; at: string }[];
  outcome?: { outcome: string; note?: string; at: string };
  concludedAt?: string;
  closedAt?: string;
  /** The finding a lead triaged as reclassify_as_finding became. */
  findingId?: string;
  followUps?: FollowUpVisit[];
  revision: number;
  asOf?: string;
}

/** 回访: the person visited from the vault (［已隐去］ for whoever may not read names). */
export type FollowUpVisit = DomainFollowUpVisit & { visitee?: ShownPerson };

export interface HistoryEntry {
  revision: number;
  position: number;
  id: string;
  type: string;
  label: string;
  data: Record<string, unknown>;
  actor: { id: string; username: string; role: Role };
  role: Role;
  recordedAt: string;
  occurredAt: string | null;
  backdated: boolean;
  prevHash: string;
  hash: string;
}

export interface History {
  streamId: string;
  revision: number;
  events: HistoryEntry[];
}

export interface CommandAnswer {
  id: string;
  revision: number;
  position: number;
}
