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

/** 督办 levels, in escalating order: 提醒函 → 督办通知书 → 约谈. */
export const SUPERVISION_LEVELS = ['reminder', 'notice', 'summons'] as const;
export type SupervisionLevel = (typeof SUPERVISION_LEVELS)[number];

/** The file types evidence may be, recognised by content (PDF, OFD, JPEG, PNG, DOCX, XLSX). */
export const EVIDENCE_MEDIA_TYPES = [
  'application/pdf',
  'application/ofd',
  'image/jpeg',
  'image/png',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
] as const;
export type EvidenceMediaType = (typeof EVIDENCE_MEDIA_TYPES)[number];

/**
 * 佐证材料. A file is named by the SHA-256 of its content, so the event that cites it puts the file in
 * the hash chain; a paper reference (a ledger kept on paper, 台账) is only its name. Events written
 * before files existed (schema version 1) held plain strings: the upcaster turns each into a paper reference.
 */
export type EvidenceFile = { kind: 'file'; sha256: string; name: string; size: number; mediaType: string };
export type PaperEvidence = { kind: 'paper'; name: string };
export type EvidenceItem = EvidenceFile | PaperEvidence;
/**
 * What a command cites: a paper reference as a string, or a file. A file cited by `{sha256, name}` is
 * completed by the application from the stored file (size, type by content) before it is decided;
 * the decider accepts only complete items.
 */
export type EvidenceInput = string | EvidenceItem | { sha256: string; name: string };

/** Why a rectification's due date is what it is. */
export type DeadlineChange = {
  dueOn: string;
  cause: 'assigned' | 'extension' | 'rejected' | 'reopened';
  at: string;
};

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
  { findingId: string; note: string; percent: number; evidence: EvidenceItem[]; occurredAt: string }
>;
export type ClosureRequested = Event<
  'ClosureRequested',
  { findingId: string; evidence: EvidenceItem[]; signedOffBy: string; occurredAt: string }
>;
export type RectificationVerified = Event<'RectificationVerified', { findingId: string; occurredAt: string }>;
export type RectificationRejected = Event<
  'RectificationRejected',
  { findingId: string; reason: string; dueOn?: string; occurredAt: string }
>;
export type RectificationMarkedOngoing = Event<
  'RectificationMarkedOngoing',
  { findingId: string; reason?: string; occurredAt: string }
>;
/** `cycle` is the new rectification cycle (the previous one + 1). */
export type RectificationReopened = Event<
  'RectificationReopened',
  { findingId: string; reason: string; cycle: number; dueOn?: string; occurredAt: string }
>;
/** A 督办 (提醒函 / 督办通知书 / 约谈) to the responsible unit; `number` counts the finding's notices from 1. */
export type RectificationSupervised = Event<
  'RectificationSupervised',
  {
    findingId: string;
    number: number;
    level: SupervisionLevel;
    text: string;
    departmentId: string;
    dueOn: string;
    respondBy: string;
    occurredAt: string;
  }
>;
export type ExtensionRequested = Event<
  'ExtensionRequested',
  { findingId: string; currentDueOn: string; newDueOn: string; reason: string; occurredAt: string }
>;
export type ExtensionGranted = Event<
  'ExtensionGranted',
  { findingId: string; previousDueOn: string; dueOn: string; reason?: string; occurredAt: string }
>;
export type ExtensionRefused = Event<
  'ExtensionRefused',
  { findingId: string; requestedDueOn: string; reason: string; occurredAt: string }
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
  | RectificationSupervised
  | ExtensionRequested
  | ExtensionGranted
  | ExtensionRefused
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
    /** When the problem was found (发现时间), if earlier than the recording; never later. */
    occurredAt?: string;
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
  { findingId: string; note: string; percent: number; evidence?: EvidenceInput[] }
>;
export type RequestClosure = Command<
  'RequestClosure',
  { findingId: string; evidence: EvidenceInput[]; signedOffBy: string }
>;
/**
 * accepted → closed (销号); accepted + ongoing → ongoing (long_term only);
 * not accepted → back to in_progress, with a reason.
 */
export type VerifyRectification = Command<
  'VerifyRectification',
  { findingId: string; accepted: boolean; reason?: string; ongoing?: boolean; dueOn?: string }
>;
/** `dueOn`: the new deadline of the new cycle (required for a 限期整改). */
export type ReopenRectification = Command<'ReopenRectification', { findingId: string; reason: string; dueOn?: string }>;
export type SuperviseRectification = Command<
  'SuperviseRectification',
  { findingId: string; level: SupervisionLevel; text: string; respondBy: string }
>;
export type RequestExtension = Command<'RequestExtension', { findingId: string; newDueOn: string; reason: string }>;
export type DecideExtension = Command<'DecideExtension', { findingId: string; granted: boolean; reason?: string }>;
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
  | SuperviseRectification
  | RequestExtension
  | DecideExtension
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
  /** The first due date, kept when an extension or a new deadline moves `dueOn`. */
  originalDueOn: string;
  /** Every due date in order, the first one included. */
  deadlines: DeadlineChange[];
  /** Every piece of evidence submitted, across progress reports and closure requests, without repeats. */
  evidence: EvidenceItem[];
  /** The 督办 issued, in order. */
  notices: Array<{
    number: number;
    level: SupervisionLevel;
    text: string;
    respondBy: string;
    dueOn: string;
    at: string;
  }>;
  /** The latest 申请延期 and what became of it. */
  extension?: {
    state: 'requested' | 'granted' | 'refused';
    requestedDueOn: string;
    reason: string;
    requestedAt: string;
    decidedAt?: string;
    decisionReason?: string;
  };
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
