import type {
  DepartmentKind,
  LeadDisposition,
  LeadOutcome,
  LeadReceiver,
  LeadSource,
  LeadTriageDecision,
  MonitoringTargetKind,
  RectificationType,
  Role,
  RoundKind,
} from '@app/domain';

/*
 * The shape of the demo scenario: plain data with keys instead of ids (the loader turns keys into
 * uuids) and times as 'MM-DD HH:mm' in 2024, office time (Asia/Shanghai, UTC+8 all year).
 * Who acts follows from the step: officials assign, verify, triage…; the liaison of the unit the
 * rectification is assigned to acknowledges, plans, reports and asks for closure.
 */

/** 'MM-DD HH:mm', 2024, Asia/Shanghai. */
export type At = string;

const AT = /^(\d{2})-(\d{2}) (\d{2}):(\d{2})$/;

/** The instant of a scenario time: 2024, office time (China has no daylight saving time). */
export function demoTime(at: At): Date {
  const m = AT.exec(at);
  if (!m) throw new Error(`demo scenario: "${at}" is not a time of the form MM-DD HH:mm`);
  const date = new Date(`2024-${m[1]}-${m[2]}T${m[3]}:${m[4]}:00+08:00`);
  if (Number.isNaN(date.getTime())) throw new Error(`demo scenario: "${at}" is not a valid date`);
  return date;
}

export interface DemoDepartment {
  key: string;
  name: string;
  kind: DepartmentKind;
  parent?: string;
  /** Who signs the unit's closure requests (单位主要负责人). */
  head: string;
  /** The responsible person named when a rectification is assigned (分管负责人). */
  deputy: string;
}

export interface DemoUser {
  username: string;
  password: string;
  role: Role;
  displayName: string;
  /** Department key, for unit liaisons. */
  department?: string;
  /** Shown in the start-up box; the other liaisons are summed up in one line. */
  featured: boolean;
}

export interface DemoRound {
  title: string;
  kind: RoundKind;
  scope: string;
  team: string;
  startsOn: string;
  endsOn: string;
  plannedAt: At;
  milestones: Array<{
    step: 'StationRound' | 'ReportRound' | 'DeliverRoundFeedback' | 'StartRoundRectification';
    at: At;
  }>;
}

export interface DemoField {
  key: string;
  name: string;
  at: At;
}

export interface DemoTarget {
  kind: MonitoringTargetKind;
  name: string;
  /** Department key. */
  department?: string;
}

export interface DemoPoint {
  key: string;
  field: string;
  title: string;
  targets: DemoTarget[];
  at: At;
  /** Username of the inspector who adds it. */
  by: string;
}

export type FindingStep =
  | {
      do: 'assign';
      at: At;
      type: RectificationType;
      dueOn: string;
      department?: string;
      coDepartments?: string[];
      responsiblePerson?: string;
    }
  | { do: 'acknowledge'; at: At }
  | { do: 'plan'; at: At; measures: string; target: string }
  | { do: 'progress'; at: At; percent: number; note: string; evidence?: string[] }
  | { do: 'requestClosure'; at: At; evidence: string[]; signedOffBy?: string }
  | { do: 'verify'; at: At; accepted: boolean; reason?: string; ongoing?: boolean; dueOn?: string }
  | { do: 'reopen'; at: At; reason: string; dueOn?: string }
  | { do: 'dismiss'; at: At; reason: string };

export interface DemoFinding {
  key: string;
  point: string;
  department: string;
  title: string;
  description: string;
  category?: string;
  at: At;
  by: string;
  steps: FindingStep[];
}

export type LeadStep =
  | { do: 'triage'; at: At; decision: LeadTriageDecision; note?: string; finding?: DemoReclassifiedFinding }
  | { do: 'transfer'; at: At; receiver: LeadReceiver; department?: string }
  | { do: 'receive'; at: At }
  | { do: 'dispose'; at: At; method: LeadDisposition }
  | { do: 'outcome'; at: At; outcome: LeadOutcome; note?: string }
  | { do: 'close'; at: At };

/** The finding a lead triaged as reclassify_as_finding becomes (point and department by key). */
export interface DemoReclassifiedFinding {
  point: string;
  department: string;
  title: string;
  description: string;
}

export interface DemoLead {
  key: string;
  point?: string;
  source: LeadSource;
  summary: string;
  /** Invented people; their names go only through the personal-data vault. */
  subjects: Array<{ name: string; post?: string; department?: string }>;
  informant?: { name: string; contact?: string };
  at: At;
  by: string;
  steps: LeadStep[];
}

// ── step builders, so the data files read like a case file ─────────────────────

type AssignExtra = { co?: string[]; department?: string; responsiblePerson?: string };
export const assign = (at: At, type: RectificationType, dueOn: string, extra: AssignExtra = {}): FindingStep => ({
  do: 'assign',
  at,
  type,
  dueOn,
  ...(extra.department ? { department: extra.department } : {}),
  ...(extra.co ? { coDepartments: extra.co } : {}),
  ...(extra.responsiblePerson ? { responsiblePerson: extra.responsiblePerson } : {}),
});
export const acknowledge = (at: At): FindingStep => ({ do: 'acknowledge', at });
export const plan = (at: At, measures: string, target: string): FindingStep => ({ do: 'plan', at, measures, target });
export const progress = (at: At, percent: number, note: string, evidence?: string[]): FindingStep => ({
  do: 'progress',
  at,
  percent,
  note,
  ...(evidence ? { evidence } : {}),
});
export const requestClosure = (at: At, evidence: string[], signedOffBy?: string): FindingStep => ({
  do: 'requestClosure',
  at,
  evidence,
  ...(signedOffBy ? { signedOffBy } : {}),
});
export const verify = (at: At): FindingStep => ({ do: 'verify', at, accepted: true });
/** `dueOn`: the new deadline (required for a 限期整改). */
export const reject = (at: At, reason: string, dueOn?: string): FindingStep => ({
  do: 'verify',
  at,
  accepted: false,
  reason,
  ...(dueOn ? { dueOn } : {}),
});
export const markOngoing = (at: At, reason: string): FindingStep => ({
  do: 'verify',
  at,
  accepted: true,
  ongoing: true,
  reason,
});
export const reopen = (at: At, reason: string, dueOn?: string): FindingStep => ({
  do: 'reopen',
  at,
  reason,
  ...(dueOn ? { dueOn } : {}),
});
export const dismiss = (at: At, reason: string): FindingStep => ({ do: 'dismiss', at, reason });

export const triage = (
  at: At,
  decision: LeadTriageDecision,
  note?: string,
  finding?: DemoReclassifiedFinding,
): LeadStep => ({
  do: 'triage',
  at,
  decision,
  ...(note ? { note } : {}),
  ...(finding ? { finding } : {}),
});
export const transfer = (at: At, receiver: LeadReceiver, department?: string): LeadStep => ({
  do: 'transfer',
  at,
  receiver,
  ...(department ? { department } : {}),
});
export const receive = (at: At): LeadStep => ({ do: 'receive', at });
export const dispose = (at: At, method: LeadDisposition): LeadStep => ({ do: 'dispose', at, method });
export const outcome = (at: At, result: LeadOutcome, note?: string): LeadStep => ({
  do: 'outcome',
  at,
  outcome: result,
  ...(note ? { note } : {}),
});
export const close = (at: At): LeadStep => ({ do: 'close', at });
