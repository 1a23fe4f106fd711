import type { Command, Event } from '../common/decider.js';

export const ROUND_KINDS = ['mobile', 'regular', 'special'] as const;
export type RoundKind = (typeof ROUND_KINDS)[number];

export const ROUND_STATUSES = [
  'planned',
  'stationed',
  'reported',
  'feedback_delivered',
  'rectifying',
  'evaluated',
  'archived',
] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];

export const MONITORING_TARGET_KINDS = ['department', 'person', 'post', 'project'] as const;
export type MonitoringTargetKind = (typeof MONITORING_TARGET_KINDS)[number];

/** A department, post or project a point aims at: named in clear (a post is a function, not a person). */
export type NamedTarget = { kind: Exclude<MonitoringTargetKind, 'person'>; name: string; departmentId?: string };
/**
 * A person named as a target is personal data, like a lead subject's name: the event holds the ref of
 * the value in the personal-data vault (encrypted per person, every read logged, erasable).
 */
export type PersonTarget = { kind: 'person'; ref: string; departmentId?: string };
/**
 * A person target of an event written before names were protected (schema version 1), as the upcaster
 * hands it on: the name is in the log in clear, so readers treat it as they treat a vault value
 * (redacted for whoever may not read names) but cannot erase it.
 */
export type LegacyPersonTarget = { kind: 'person'; legacyName: string; unprotected: 'legacy'; departmentId?: string };
export type MonitoringTarget = NamedTarget | PersonTarget | LegacyPersonTarget;
/** What a command may carry: a person's name in clear, which the application protects before deciding. */
export type MonitoringTargetInput =
  NamedTarget | PersonTarget | { kind: MonitoringTargetKind; name: string; departmentId?: string };
export type FocusField = { fieldId: string; name: string };
export type MonitoringPoint = { pointId: string; fieldId: string; title: string; targets: MonitoringTarget[] };

// ── events ────────────────────────────────────────────────────────────────────

export type RoundPlanned = Event<
  'RoundPlanned',
  {
    roundId: string;
    kind: RoundKind;
    title: string;
    scope: string;
    startsOn: string;
    endsOn: string;
    team?: string;
    occurredAt: string;
  }
>;
export type FocusFieldAdded = Event<
  'FocusFieldAdded',
  { roundId: string; fieldId: string; name: string; occurredAt: string }
>;
export type MonitoringPointAdded = Event<
  'MonitoringPointAdded',
  { roundId: string; pointId: string; fieldId: string; title: string; targets: MonitoringTarget[]; occurredAt: string }
>;

type Milestone = { roundId: string; occurredAt: string };
export type RoundStationed = Event<'RoundStationed', Milestone>;
export type RoundReported = Event<'RoundReported', Milestone>;
export type RoundFeedbackDelivered = Event<'RoundFeedbackDelivered', Milestone>;
export type RoundRectificationStarted = Event<'RoundRectificationStarted', Milestone>;
export type RoundEvaluated = Event<'RoundEvaluated', Milestone>;
export type RoundArchived = Event<'RoundArchived', Milestone>;

/**
 * A team laptop's hand-over bundle was verified and its events written to this store (移交—存储). Recorded by the
 * import itself, not by a command: the bundle's SHA-256, the laptop's key fingerprint and what was written.
 */
export type HandoverImported = Event<
  'HandoverImported',
  {
    roundId: string;
    bundleSha256: string;
    laptopKey: string;
    streams: number;
    events: number;
    evidenceFiles: number;
    occurredAt: string;
  }
>;

export type RoundEvent =
  | HandoverImported
  | RoundPlanned
  | FocusFieldAdded
  | MonitoringPointAdded
  | RoundStationed
  | RoundReported
  | RoundFeedbackDelivered
  | RoundRectificationStarted
  | RoundEvaluated
  | RoundArchived;

// ── commands ──────────────────────────────────────────────────────────────────

export type PlanRound = Command<
  'PlanRound',
  { roundId: string; kind: RoundKind; title: string; scope: string; startsOn: string; endsOn: string; team?: string }
>;
export type AddFocusField = Command<'AddFocusField', { roundId: string; fieldId: string; name: string }>;
export type AddMonitoringPoint = Command<
  'AddMonitoringPoint',
  { roundId: string; pointId: string; fieldId: string; title: string; targets: MonitoringTargetInput[] }
>;

/** `occurredAt`: when it happened, if the user says so (e.g. the 进驻 meeting was yesterday). */
type MilestoneData = { roundId: string; occurredAt?: string };
export type StationRound = Command<'StationRound', MilestoneData>;
export type ReportRound = Command<'ReportRound', MilestoneData>;
export type DeliverRoundFeedback = Command<'DeliverRoundFeedback', MilestoneData>;
export type StartRoundRectification = Command<'StartRoundRectification', MilestoneData>;
export type EvaluateRound = Command<'EvaluateRound', MilestoneData>;
export type ArchiveRound = Command<'ArchiveRound', MilestoneData>;

export type RoundCommand =
  | PlanRound
  | AddFocusField
  | AddMonitoringPoint
  | StationRound
  | ReportRound
  | DeliverRoundFeedback
  | StartRoundRectification
  | EvaluateRound
  | ArchiveRound;

// ── state ─────────────────────────────────────────────────────────────────────

export type InspectionRound = {
  status: RoundStatus;
  roundId: string;
  kind: RoundKind;
  title: string;
  scope: string;
  startsOn: string;
  endsOn: string;
  team?: string;
  fields: FocusField[];
  monitoringPoints: MonitoringPoint[];
  /** When each lifecycle step happened (`occurredAt` of its event). */
  milestones: Partial<Record<RoundStatus, string>>;
};

/** `absent` until RoundPlanned: the stream is empty. */
export type RoundState = { status: 'absent' } | InspectionRound;
