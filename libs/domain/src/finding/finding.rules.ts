import { DomainError } from '../common/errors.js';
import type { Role } from '../common/roles.js';
import { daysBetween } from '../common/values.js';
import { roleMayDo } from '../permissions.js';
import type { FindingCommand, FindingEvent, FindingState, FindingStatus } from './finding.types.js';

/*
 * The rules of a finding that more than the decider needs: the read models, the queries and the
 * dashboard import them from here, so that a list, a dashboard figure, a button and the decider
 * cannot disagree on what is open, what is overdue, which colour a deadline shows or which
 * command a finding accepts now.
 */

// ── status sets ───────────────────────────────────────────────────────────────

/** Assigned and not yet closed / ongoing / dismissed: the rectifications that can become overdue (在整改). */
export const OPEN_FINDING_STATUSES = ['assigned', 'acknowledged', 'in_progress', 'pending_verification'] as const;
/** Settled: 已销号, 阶段性完成、持续整改, 不予整改. Never overdue, never warned about. */
export const SETTLED_FINDING_STATUSES = ['closed', 'ongoing', 'dismissed'] as const;
/** 应整改: a rectification was assigned (every status but recorded and dismissed; a reopen keeps it assigned). */
export const ASSIGNED_FINDING_STATUSES = [...OPEN_FINDING_STATUSES, 'closed', 'ongoing'] as const;

const within = (set: readonly FindingStatus[]) => (status: FindingStatus | 'absent') =>
  status !== 'absent' && set.includes(status);
export const isOpenFindingStatus: (status: FindingStatus | 'absent') => boolean = within(OPEN_FINDING_STATUSES);
export const isSettledFindingStatus: (status: FindingStatus | 'absent') => boolean = within(SETTLED_FINDING_STATUSES);
export const isAssignedFindingStatus: (status: FindingStatus | 'absent') => boolean = within(ASSIGNED_FINDING_STATUSES);

// ── deadlines: overdue and 三色预警 ──────────────────────────────────────────────

export type WarningLevel = 'none' | 'green' | 'yellow' | 'red';
export type WarningThresholds = { greenDays: number; yellowDays: number };

/** 江津 三色预警 defaults: green ≤ 20 days left, yellow ≤ 10, red = overdue. */
export const DEFAULT_WARNING_THRESHOLDS: WarningThresholds = { greenDays: 20, yellowDays: 10 };

/** Whole days, 0 ≤ yellowDays ≤ greenDays. */
export function areValidWarningThresholds(thresholds: WarningThresholds): boolean {
  const { greenDays, yellowDays } = thresholds;
  return Number.isInteger(greenDays) && Number.isInteger(yellowDays) && yellowDays >= 0 && greenDays >= yellowDays;
}

/**
 * The colour of an open rectification with `left` days to its due date: red once the date has
 * passed (due today is not yet late), yellow with at most `yellowDays` left, green with at most
 * `greenDays`, none before that.
 */
export function warningForDaysLeft(
  left: number,
  thresholds: WarningThresholds = DEFAULT_WARNING_THRESHOLDS,
): WarningLevel {
  if (left < 0) return 'red';
  if (left <= thresholds.yellowDays) return 'yellow';
  if (left <= thresholds.greenDays) return 'green';
  return 'none';
}

export interface DeadlineStanding {
  /** Days from `today` to the due date, negative once past; null without a due date. */
  daysLeft: number | null;
  /** 超期未完: open and past its due date. */
  overdue: boolean;
  warning: WarningLevel;
}

/**
 * Where a finding stands against its due date on `today` (YYYY-MM-DD, office time zone). Derived,
 * never stored: only open rectifications can be late or warned about; a settled one keeps its
 * days left for display but is neither overdue nor coloured.
 */
export function deadlineStanding(
  status: FindingStatus | 'absent',
  dueOn: string | null | undefined,
  today: string,
  thresholds: WarningThresholds = DEFAULT_WARNING_THRESHOLDS,
): DeadlineStanding {
  if (!dueOn) return { daysLeft: null, overdue: false, warning: 'none' };
  const left = daysBetween(today, dueOn);
  if (!isOpenFindingStatus(status)) return { daysLeft: left, overdue: false, warning: 'none' };
  const warning = warningForDaysLeft(left, thresholds);
  return { daysLeft: left, overdue: warning === 'red', warning };
}

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
  if (finding.status === 'absent') return false;
  return deadlineStanding(finding.status, finding.rectification?.dueOn, today).overdue;
}

export function warningLevel(
  finding: FindingState,
  today: string,
  thresholds: WarningThresholds = DEFAULT_WARNING_THRESHOLDS,
): WarningLevel {
  if (finding.status === 'absent') return 'none';
  return deadlineStanding(finding.status, finding.rectification?.dueOn, today, thresholds).warning;
}

// ── transitions ───────────────────────────────────────────────────────────────

/**
 * The status a finding moves to on an event, or undefined when the event does not apply to it:
 * nothing happens to a finding not yet recorded, and a rectification event changes nothing before
 * a rectification was assigned. The decider's evolve and the findings read model both fold with it.
 */
export function findingStatusAfter(
  status: FindingStatus | 'absent',
  hasRectification: boolean,
  eventType: FindingEvent['type'],
): FindingStatus | undefined {
  if (eventType === 'FindingRecorded') return 'recorded';
  if (status === 'absent') return undefined;
  if (eventType === 'RectificationAssigned') return 'assigned';
  if (eventType === 'FindingDismissed') return 'dismissed';
  if (eventType === 'FindingFollowUpRecorded') return status;
  if (!hasRectification) return undefined;
  // 督办 and extensions change the deadline or add a notice; the rectification stays where it is.
  if (STATUS_KEEPING_EVENTS.has(eventType)) return status;
  return RECTIFICATION_STATUS_AFTER[eventType as keyof typeof RECTIFICATION_STATUS_AFTER];
}

const STATUS_KEEPING_EVENTS: ReadonlySet<FindingEvent['type']> = new Set([
  'RectificationSupervised',
  'ExtensionRequested',
  'ExtensionGranted',
  'ExtensionRefused',
]);

const RECTIFICATION_STATUS_AFTER: Record<
  Exclude<
    FindingEvent['type'],
    | 'FindingRecorded'
    | 'RectificationAssigned'
    | 'FindingDismissed'
    | 'FindingFollowUpRecorded'
    | 'RectificationSupervised'
    | 'ExtensionRequested'
    | 'ExtensionGranted'
    | 'ExtensionRefused'
  >,
  FindingStatus
> = {
  RectificationAcknowledged: 'acknowledged',
  RectificationPlanSubmitted: 'in_progress',
  ProgressReported: 'in_progress',
  ClosureRequested: 'pending_verification',
  RectificationVerified: 'closed',
  RectificationRejected: 'in_progress',
  RectificationMarkedOngoing: 'ongoing',
  RectificationReopened: 'in_progress',
};

// ── which commands a finding accepts, and who may send them ───────────────────

export type FindingCommandType = FindingCommand['type'];

export const FINDING_COMMAND_TYPES = [
  'RecordFinding',
  'AssignRectification',
  'DismissFinding',
  'AcknowledgeRectification',
  'SubmitRectificationPlan',
  'ReportProgress',
  'RequestClosure',
  'VerifyRectification',
  'ReopenRectification',
  'RecordFindingFollowUp',
  'SuperviseRectification',
  'RequestExtension',
  'DecideExtension',
] as const satisfies readonly FindingCommandType[];

/** 立行立改: an immediate rectification fixed on the spot may ask for closure before any plan. */
export function mayRequestClosure(finding: FindingState): boolean {
  if (finding.status === 'in_progress') return true;
  const immediate = finding.status !== 'absent' && finding.rectification?.type === 'immediate';
  return immediate && (finding.status === 'assigned' || finding.status === 'acknowledged');
}

/** Only a long-term rectification can be accepted as 阶段性完成、持续整改 (ongoing). */
export function mayMarkOngoing(finding: FindingState): boolean {
  return finding.status !== 'absent' && finding.rectification?.type === 'long_term';
}

/**
 * Why the finding, in its state, refuses a command whoever sends it; undefined when it accepts it.
 * The decider throws this refusal, and `availableFindingActions` offers exactly the commands without one.
 * (The command's own data is checked by the decider afterwards.)
 */
export function findingStateRefusal(state: FindingState, type: FindingCommandType): DomainError | undefined {
  if (type === 'RecordFinding') {
    if (state.status === 'absent') return undefined;
    return new DomainError('FINDING_ALREADY_RECORDED', 'finding already recorded');
  }
  if (state.status === 'absent') return new DomainError('FINDING_NOT_FOUND', 'finding not found');
  if (state.status === 'dismissed') return new DomainError('FINDING_DISMISSED', 'the finding was dismissed');
  const { status, rectification } = state;
  switch (type) {
    case 'AssignRectification':
      if (status === 'recorded') return undefined;
      return new DomainError('FINDING_ALREADY_ASSIGNED', `the rectification was already assigned (${status})`);
    case 'DismissFinding':
      if (status === 'recorded') return undefined;
      return new DomainError(
        'FINDING_ALREADY_ASSIGNED',
        `only a finding not yet assigned can be dismissed, this one is ${status}`,
      );
    case 'AcknowledgeRectification':
      if (status === 'assigned' && rectification) return undefined;
      return new DomainError(
        'FINDING_NOT_ASSIGNED',
        `only an assigned rectification can be acknowledged, this one is ${status}`,
      );
    case 'SubmitRectificationPlan':
      if (status === 'acknowledged') return undefined;
      return new DomainError('FINDING_NOT_ACKNOWLEDGED', `a plan follows acknowledgement, the finding is ${status}`);
    case 'ReportProgress':
      if (status === 'in_progress') return undefined;
      return new DomainError(
        'FINDING_NOT_IN_PROGRESS',
        `progress is reported while in progress, the finding is ${status}`,
      );
    case 'RequestClosure':
      if (mayRequestClosure(state)) return undefined;
      return new DomainError(
        'FINDING_NOT_IN_PROGRESS',
        `closure is requested for a rectification in progress, this one is ${status}`,
      );
    case 'VerifyRectification':
      if (status === 'pending_verification') return undefined;
      return new DomainError('FINDING_NOT_PENDING_VERIFICATION', `nothing to verify, the finding is ${status}`);
    case 'RecordFindingFollowUp':
      // 回访 follows the rectification: once it is closed or accepted as ongoing.
      if ((status === 'closed' || status === 'ongoing') && rectification) return undefined;
      return new DomainError(
        'FOLLOW_UP_BEFORE_RECTIFICATION',
        `a follow-up visit follows the rectification, the finding is ${status}`,
      );
    case 'ReopenRectification':
      if ((status === 'closed' || status === 'ongoing') && rectification) return undefined;
      return new DomainError(
        'FINDING_NOT_CLOSED_OR_ONGOING',
        `only a closed or ongoing rectification can be reopened, this one is ${status}`,
      );
    case 'SuperviseRectification':
      if (isOpenFindingStatus(status) && rectification) return undefined;
      return new DomainError('FINDING_NOT_OPEN', `only an open rectification is supervised, this one is ${status}`);
    case 'RequestExtension':
      if (!isOpenFindingStatus(status) || !rectification) {
        return new DomainError('FINDING_NOT_OPEN', `only an open rectification can be extended, this one is ${status}`);
      }
      if (rectification.extension?.state === 'requested') {
        return new DomainError('EXTENSION_ALREADY_REQUESTED', 'an extension request is already waiting for a decision');
      }
      return undefined;
    case 'DecideExtension':
      if (isOpenFindingStatus(status) && rectification?.extension?.state === 'requested') return undefined;
      return new DomainError('NO_EXTENSION_REQUESTED', 'no extension request is waiting for a decision');
  }
}

/** Whether the finding's state accepts the command (who sends it aside). */
export function findingAccepts(state: FindingState, type: FindingCommandType): boolean {
  return findingStateRefusal(state, type) === undefined;
}

/**
 * A unit liaison acts only on rectifications assigned to their own department (the lead unit;
 * co-units contribute through it). Nothing is assigned before RectificationAssigned, so nothing
 * is theirs to act on.
 */
export function liaisonMayAct(finding: FindingState, departmentId: string | undefined): boolean {
  if (finding.status === 'absent' || !departmentId) return false;
  return finding.rectification?.departmentId === departmentId;
}

export interface FindingActor {
  role: Role;
  /** A unit liaison's department. */
  departmentId?: string;
}

/** Whether this person may act on this finding at all: a unit liaison only on their own unit's rectification. */
export function actorMayActOn(finding: FindingState, actor: FindingActor): boolean {
  return actor.role !== 'unit_liaison' || liaisonMayAct(finding, actor.departmentId);
}

/**
 * The commands this person may send on this finding now: their role may send it (`roleMayDo`),
 * a unit liaison acts on their own unit's rectification only (`liaisonMayAct`), and the finding's
 * state accepts it (`findingStateRefusal`, the decider's own guard). In FINDING_COMMAND_TYPES order.
 */
export function availableFindingActions(state: FindingState, actor: FindingActor): FindingCommandType[] {
  if (!actorMayActOn(state, actor)) return [];
  return FINDING_COMMAND_TYPES.filter((type) => roleMayDo(actor.role, type) && findingAccepts(state, type));
}
