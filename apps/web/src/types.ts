import type { FindingStatus, LeadStatus, RectificationType, Role, WarningLevel } from './domain';

/* The JSON the API answers (libs/projections/src/queries, apps/api/src/cases), as far as the dashboard reads it. */

export interface User {
  id: string;
  username: string;
  role: Role;
  departmentId?: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

export interface RoundItem {
  roundId: string;
  title: string;
  kind: 'mobile' | 'regular' | 'special';
  status: string;
  scope: string;
  team: string | null;
  startsOn: string;
  endsOn: string;
  fields: number;
  monitoringPoints: number;
  lastPosition: number;
}

export interface RoundDetail {
  roundId: string;
  title: string;
  status: string;
  fields: { fieldId: string; name: string }[];
  monitoringPoints: { pointId: string; fieldId: string; title: string; targets: { kind: string; name: string; departmentId?: string }[] }[];
}

export interface Department {
  departmentId: string;
  name: string;
  kind: string;
  parentId: string | null;
}

export interface Overview {
  fields: number;
  monitoringPoints: number;
  findings: number;
  leads: number;
  immediate: { assigned: number; closed: number };
  rectification: { assigned: number; closed: number; inProgress: number; ongoing: number; overdue: number; completionRate: number };
  leadsByState: Record<string, number>;
  leadsByDisposition: Record<string, number>;
  leadsByOutcome?: Record<string, number>;
  leadsBySource?: Record<string, number>;
}

export interface DepartmentRow {
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
  avgDaysToClose: number | null;
  reopened: number;
}

export interface FieldRow {
  fieldId: string;
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

export interface FindingItem {
  findingId: string;
  roundId: string;
  fieldId: string;
  departmentId: string;
  departmentName: string | null;
  title: string;
  status: FindingStatus;
  type: RectificationType | null;
  dueOn: string | null;
  recordedAt: string;
  progressPercent: number;
  daysLeft: number | null;
  overdue: boolean;
  warning: WarningLevel;
}

export interface Rectification {
  type: RectificationType;
  departmentId: string;
  coDepartmentIds: string[];
  responsiblePerson: string;
  dueOn: string;
  assignedAt: string;
  acknowledgedAt?: string;
  measures?: string;
  target?: string;
  progressPercent: number;
  progressNote?: string;
  evidenceRefs: string[];
  signedOffBy?: string;
  closureRequestedAt?: string;
  cycle: number;
  reopenedCount: number;
  rejectedCount: number;
  closedAt?: string;
  ongoingSince?: string;
  lastRejectionReason?: string;
  lastReopenReason?: string;
}

export interface Finding {
  status: FindingStatus;
  findingId: string;
  roundId: string;
  fieldId: string;
  monitoringPointId: string;
  departmentId: string;
  title: string;
  description: string;
  category?: string;
  recordedAt: string;
  rectification?: Rectification;
  dismissal?: { reason: string; at: string };
  revision: number;
  lastRecordedAt?: string;
  asOf?: string;
}

export interface LeadItem {
  leadId: string;
  roundId: string;
  source: string;
  summary: string;
  status: LeadStatus;
  subjectCount: number;
  disposition: string | null;
  outcome: string | null;
  receiver: string | null;
  recordedAt: string;
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
  revision: number;
  asOf?: string;
}

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
