import type { Command, Event } from '../common/decider.js';
import type { FollowUpInput, FollowUpVisit } from '../follow-up/follow-up.js';

export const RECTIFICATION_TYPES = ['immediate', 'deadline', 'long_term'] as const;
export type RectificationType = (typeof RECTIFICATION_TYPES)[number];

export const FINDING_STATUSES = [
  'recorded',
  'assigned',
  'acknowledged',
  'in_progress',
  'pending_verification',
  'closed',
  'ongoing',
  'dismissed',
] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

// ── events ────────────────────────────────────────────────────────────────────
// Every event carries `occurredAt` (the command's `now`), so evolve never needs the store's recordedAt.

export type FindingRecorded = Event<
  'FindingRecorded',
  {
    findingId: string;
    roundId: string;
    fieldId: string;
    monitoringPointId: string;
    departmentId: string;
    title: string;
    description: string;
    category?: string;
    /** The problem lead this finding was reclassified from (线索转为问题), if any. */
    leadId?: string;
    occurredAt: string;
  }
>;
export type RectificationAssigned = Event<
  'RectificationAssigned',
  {
    findingId: string;
    type: RectificationType;
    departmentId: string;
    coDepartmentIds: string[];
    responsiblePerson: string;
    dueOn: string;
    occurredAt: string;
  }
>;
export type RectificationAcknowledged = Event<
  'RectificationAcknowledged',
  { findingId: string; departmentId: string; occurredAt: string }
>;
export type RectificationPlanSubmitted = Event<
  'RectificationPlanSubmitted',
  { findingId: string; measures: string; target: string; occurredAt: string }
>;
export type ProgressReported = Event<
  'ProgressReported',
  { findingId: string; note: string; percent: number; evidence: string[]; occurredAt: string }
>;
export type ClosureRequested = Event<
  'ClosureRequested',
  { findingId: string; evidence: string[]; signedOffBy: string; occurredAt: string }
>;
export type RectificationVerified = Event<'RectificationVerified', { findingId: string; occurredAt: string }>;
export type RectificationRejected = Event<
  'RectificationRejected',
  { findingId: string; reason: string; occurredAt: string }
>;
export type RectificationMarkedOngoing = Event<
  'RectificationMarkedOngoing',
  { findingId: string; reason?: string; occurredAt: string }
>;
/** `cycle` is the new rectification cycle (the previous one + 1). */
export type RectificationReopened = Event<
  'RectificationReopened',
  { findingId: string; reason: string; cycle: number; occurredAt: string }
>;
export type FindingDismissed = Event<'FindingDismissed', { findingId: string; reason: string; occurredAt: string }>;

/** 回访 after the rectification (the visitee's name and contact in the vault, `visiteeRef`). */
export type FindingFollowUpRecorded = Event<
  'FindingFollowUpRecorded',
  FollowUpInput & { findingId: string; roundId: string; occurredAt: string }
>;

export type FindingEvent =
  | FindingFollowUpRecorded
  | FindingRecorded
  | RectificationAssigned
  | RectificationAcknowledged
  | RectificationPlanSubmitted
  | ProgressReported
  | ClosureRequested
  | RectificationVerified
  | RectificationRejected
  | RectificationMarkedOngoing
  | RectificationReopened
  | FindingDismissed;

// ── commands ──────────────────────────────────────────────────────────────────

/**
 * `fieldId` is the monitoring point's field: the handler takes it from
 * `ensureFindingMayBeRecorded(round, monitoringPointId)`.
 */
export type RecordFinding = Command<
  'RecordFinding',
  {
    findingId: string;
    roundId: string;
    fieldId: string;
    monitoringPointId: string;
    departmentId: string;
    title: string;
    description: string;
    category?: string;
    leadId?: string;
  }
>;
export type AssignRectification = Command<
  'AssignRectification',
  {
    findingId: string;
    type: RectificationType;
    departmentId: string;
    coDepartmentIds?: string[];
    responsiblePerson: string;
    dueOn: string;
  }
>;
export type AcknowledgeRectification = Command<'AcknowledgeRectification', { findingId: string }>;
export type SubmitRectificationPlan = Command<
  'SubmitRectificationPlan',
  { findingId: string; measures: string; target: string }
>;
export type ReportProgress = Command<
  'ReportProgress',
  { findingId: string; note: string; percent: number; evidence?: string[] }
>;
export type RequestClosure = Command<'RequestClosure', { findingId: string; evidence: string[]; signedOffBy: string }>;
/**
 * accepted → closed (销号); accepted + ongoing → ongoing (long_term only);
 * not accepted → back to in_progress, with a reason.
 */
export type VerifyRectification = Command<
  'VerifyRectification',
  { findingId: string; accepted: boolean; reason?: string; ongoing?: boolean }
>;
export type ReopenRectification = Command<'ReopenRectification', { findingId: string; reason: string }>;
export type DismissFinding = Command<'DismissFinding', { findingId: string; reason: string }>;

export type RecordFindingFollowUp = Command<'RecordFindingFollowUp', FollowUpInput & { findingId: string }>;

export type FindingCommand =
  | RecordFindingFollowUp
  | RecordFinding
  | AssignRectification
  | AcknowledgeRectification
  | SubmitRectificationPlan
  | ReportProgress
  | RequestClosure
  | VerifyRectification
  | ReopenRectification
  | DismissFinding;

// ── state ─────────────────────────────────────────────────────────────────────

export type Rectification = {
  type: RectificationType;
  /** The unit responsible (牵头单位); its liaison is the one who acts. */
  departmentId: string;
  coDepartmentIds: string[];
  responsiblePerson: string;
  /** YYYY-MM-DD. Overdue is derived from it, never stored (see `isOverdue`). */
  dueOn: string;
  assignedAt: string;
  acknowledgedAt?: string;
  measures?: string;
  target?: string;
  progressPercent: number;
  progressNote?: string;
  /** Every evidence reference submitted, across progress reports and closure requests, without repeats. */
  evidenceRefs: string[];
  signedOffBy?: string;
  closureRequestedAt?: string;
  /** 1 for the first rectification; +1 each time 回头看 reopens it. */
  cycle: number;
  reopenedCount: number;
  rejectedCount: number;
  /** Set when verified; cleared again by a reopen. */
  closedAt?: string;
  ongoingSince?: string;
  lastRejectionReason?: string;
  lastReopenReason?: string;
};

export type Finding = {
  status: FindingStatus;
  findingId: string;
  roundId: string;
  fieldId: string;
  monitoringPointId: string;
  /** The unit the problem was found in, as recorded by the inspector. */
  departmentId: string;
  title: string;
  description: string;
  category?: string;
  /** Set when the finding was recorded by reclassifying a problem lead. */
  leadId?: string;
  recordedAt: string;
  rectification?: Rectification;
  dismissal?: { reason: string; at: string };
  /** 回访, in the order they were recorded (absent in states folded before visits existed). */
  followUps?: FollowUpVisit[];
};

/** `absent` until FindingRecorded: the stream is empty. */
export type FindingState = { status: 'absent' } | Finding;
