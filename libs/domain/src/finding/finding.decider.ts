import { assertNever } from '../common/assert-never.js';
import type { Decider } from '../common/decider.js';
import { DomainError } from '../common/errors.js';
import { followUpVisit } from '../follow-up/follow-up.js';
import {
  officeDateOf,
  optionalText,
  requireDate,
  requireOneOf,
  requireReason,
  requireText,
  toInstant,
} from '../common/values.js';
import {
  EVIDENCE_MEDIA_TYPES,
  RECTIFICATION_TYPES,
  SUPERVISION_LEVELS,
  type AcknowledgeRectification,
  type DecideExtension,
  type EvidenceItem,
  type RequestExtension,
  type SuperviseRectification,
  type AssignRectification,
  type DismissFinding,
  type Finding,
  type FindingCommand,
  type FindingEvent,
  type FindingState,
  type RecordFinding,
  type RecordFindingFollowUp,
  type DeadlineChange,
  type Rectification,
  type ReopenRectification,
  type ReportProgress,
  type RequestClosure,
  type SubmitRectificationPlan,
  type VerifyRectification,
} from './finding.types.js';
import { findingStateRefusal, findingStatusAfter, mayMarkOngoing } from './finding.rules.js';

export const findingStream = (findingId: string): string => `finding-${findingId}`;

export const initialFindingState = (): FindingState => ({ status: 'absent' });

/**
 * The finding, when its state accepts the command; else the state's refusal (not found, dismissed,
 * or not in a status for it), the one `availableFindingActions` offers commands by.
 */
function accepting(state: FindingState, type: Exclude<FindingCommand['type'], 'RecordFinding'>): Finding {
  const refusal = findingStateRefusal(state, type);
  if (refusal || state.status === 'absent') throw refusal ?? new DomainError('FINDING_NOT_FOUND', 'finding not found');
  return state;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * A string is a paper reference; an object is a paper reference or a file already uploaded, whose
 * size and type the application filled in from the stored file (the decider never reads files).
 */
function evidenceItem(item: unknown, field: string): EvidenceItem {
  if (typeof item === 'string') return { kind: 'paper', name: requireText(item, field) };
  if (typeof item !== 'object' || item === null) {
    throw new DomainError('INVALID_EVIDENCE', `${field} must be a reference or an uploaded file`, field);
  }
  const value = item as Record<string, unknown>;
  if (value.kind === 'paper') return { kind: 'paper', name: requireText(value.name, `${field}.name`) };
  if (value.kind !== 'file') throw new DomainError('INVALID_EVIDENCE', `${field}.kind must be file or paper`, field);
  if (typeof value.sha256 !== 'string' || !SHA256.test(value.sha256)) {
    throw new DomainError('INVALID_EVIDENCE', `${field}.sha256 must be 64 lower-case hex digits`, `${field}.sha256`);
  }
  if (typeof value.size !== 'number' || !Number.isInteger(value.size) || value.size <= 0) {
    throw new DomainError('INVALID_EVIDENCE', `${field}.size must be a positive whole number`, `${field}.size`);
  }
  return {
    kind: 'file',
    sha256: value.sha256,
    name: requireText(value.name, `${field}.name`),
    size: value.size,
    mediaType: requireOneOf(value.mediaType, EVIDENCE_MEDIA_TYPES, `${field}.mediaType`),
  };
}

function evidenceList(value: unknown, field: string): EvidenceItem[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new DomainError('INVALID_VALUE', `${field} must be a list of references`, field);
  return value.map((item, index) => evidenceItem(item, `${field}[${index}]`));
}

function requireFutureDate(value: unknown, field: string, occurredAt: string): string {
  const date = requireDate(value, field);
  if (date < officeDateOf(occurredAt))
    throw new DomainError('DATE_IN_THE_PAST', `${field} must not be in the past`, field);
  return date;
}

/**
 * The new deadline of a rejected closure or a reopening: required for a 限期整改 (its old one has
 * passed or is spent), optional otherwise; never before the day of the decision.
 */
function newDeadline(finding: Finding, value: unknown, occurredAt: string): { dueOn?: string } {
  if (value === undefined || value === null || value === '') {
    if (finding.rectification?.type === 'deadline') {
      throw new DomainError('NEW_DUE_DATE_REQUIRED', 'a 限期整改 needs a new due date (dueOn)', 'dueOn');
    }
    return {};
  }
  return { dueOn: requireFutureDate(value, 'dueOn', occurredAt) };
}

function recordFinding(command: RecordFinding, state: FindingState): FindingEvent[] {
  const refusal = findingStateRefusal(state, 'RecordFinding');
  if (refusal) throw refusal;
  const { data } = command;
  return [
    {
      type: 'FindingRecorded',
      data: {
        findingId: data.findingId,
        roundId: requireText(data.roundId, 'roundId'),
        fieldId: requireText(data.fieldId, 'fieldId'),
        monitoringPointId: requireText(data.monitoringPointId, 'monitoringPointId'),
        departmentId: requireText(data.departmentId, 'departmentId'),
        title: requireText(data.title, 'title'),
        description: requireText(data.description, 'description'),
        ...optionalText('category', data.category),
        ...optionalText('leadId', data.leadId),
        occurredAt: foundAt(data.occurredAt, command.metadata.now),
      },
    },
  ];
}

/** A clock a few minutes ahead of the server's is not a finding from the future. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** 发现时间: the moment the team says it found the problem, by default the moment it is recorded. */
function foundAt(occurredAt: string | undefined, now: Date | string): string {
  const recorded = toInstant(now);
  if (occurredAt === undefined) return recorded;
  const found = toInstant(occurredAt, 'occurredAt');
  if (Date.parse(found) > Date.parse(recorded) + CLOCK_SKEW_MS) {
    throw new DomainError('OCCURRED_IN_FUTURE', `occurredAt ${found} is later than the recording`, 'occurredAt');
  }
  return found;
}

function assignRectification(command: AssignRectification, state: FindingState): FindingEvent[] {
  const finding = accepting(state, 'AssignRectification');
  const { data } = command;
  const departmentId = requireText(data.departmentId, 'departmentId');
  const coDepartmentIds = [...new Set(data.coDepartmentIds ?? [])];
  if (coDepartmentIds.includes(departmentId)) {
    throw new DomainError(
      'CO_DEPARTMENT_IS_LEAD_DEPARTMENT',
      'the responsible unit cannot also be a co-unit',
      'coDepartmentIds',
    );
  }
  return [
    {
      type: 'RectificationAssigned',
      data: {
        findingId: finding.findingId,
        type: requireOneOf(data.type, RECTIFICATION_TYPES, 'type'),
        departmentId,
        coDepartmentIds,
        responsiblePerson: requireText(data.responsiblePerson, 'responsiblePerson'),
        dueOn: requireDate(data.dueOn, 'dueOn'),
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function acknowledgeRectification(command: AcknowledgeRectification, state: FindingState): FindingEvent[] {
  const finding = accepting(state, 'AcknowledgeRectification');
  return [
    {
      type: 'RectificationAcknowledged',
      data: {
        findingId: finding.findingId,
        departmentId: finding.rectification!.departmentId, // accepted: it is assigned
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function submitRectificationPlan(command: SubmitRectificationPlan, state: FindingState): FindingEvent[] {
  const finding = accepting(state, 'SubmitRectificationPlan');
  return [
    {
      type: 'RectificationPlanSubmitted',
      data: {
        findingId: finding.findingId,
        measures: requireText(command.data.measures, 'measures'),
        target: requireText(command.data.target, 'target'),
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function reportProgress(command: ReportProgress, state: FindingState): FindingEvent[] {
  const finding = accepting(state, 'ReportProgress');
  const { percent } = command.data;
  if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new DomainError('PERCENT_OUT_OF_RANGE', 'percent must be between 0 and 100', 'percent');
  }
  return [
    {
      type: 'ProgressReported',
      data: {
        findingId: finding.findingId,
        note: requireText(command.data.note, 'note'),
        percent,
        evidence: evidenceList(command.data.evidence, 'evidence'),
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function requestClosure(command: RequestClosure, state: FindingState): FindingEvent[] {
  const finding = accepting(state, 'RequestClosure');
  const evidence = evidenceList(command.data.evidence, 'evidence');
  if (evidence.length === 0) {
    throw new DomainError('EVIDENCE_REQUIRED', 'closure needs at least one piece of evidence', 'evidence');
  }
  return [
    {
      type: 'ClosureRequested',
      data: {
        findingId: finding.findingId,
        evidence,
        signedOffBy: requireText(command.data.signedOffBy, 'signedOffBy'),
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function verifyRectification(command: VerifyRectification, state: FindingState): FindingEvent[] {
  const finding = accepting(state, 'VerifyRectification');
  const { accepted, ongoing, reason } = command.data;
  if (typeof accepted !== 'boolean')
    throw new DomainError('INVALID_VALUE', 'accepted must be true or false', 'accepted');
  const occurredAt = toInstant(command.metadata.now);
  const { findingId } = finding;

  if (!accepted) {
    if (ongoing) {
      throw new DomainError(
        'ONGOING_REQUIRES_ACCEPTANCE',
        'a rejected rectification cannot be marked ongoing',
        'ongoing',
      );
    }
    const rejection = { findingId, reason: requireReason(reason) };
    const deadline = newDeadline(finding, command.data.dueOn, occurredAt);
    return [{ type: 'RectificationRejected', data: { ...rejection, ...deadline, occurredAt } }];
  }
  if (ongoing) {
    if (!mayMarkOngoing(finding)) {
      throw new DomainError('ONGOING_ONLY_FOR_LONG_TERM', 'only a long-term rectification can be accepted as ongoing');
    }
    return [{ type: 'RectificationMarkedOngoing', data: { findingId, ...optionalText('reason', reason), occurredAt } }];
  }
  return [{ type: 'RectificationVerified', data: { findingId, occurredAt } }];
}

function reopenRectification(command: ReopenRectification, state: FindingState): FindingEvent[] {
  const finding = accepting(state, 'ReopenRectification');
  const occurredAt = toInstant(command.metadata.now);
  const reason = requireReason(command.data.reason);
  return [
    {
      type: 'RectificationReopened',
      data: {
        findingId: finding.findingId,
        reason,
        cycle: finding.rectification!.cycle + 1, // accepted: closed or ongoing
        ...newDeadline(finding, command.data.dueOn, occurredAt),
        occurredAt,
      },
    },
  ];
}

function superviseRectification(command: SuperviseRectification, state: FindingState): FindingEvent[] {
  const finding = accepting(state, 'SuperviseRectification');
  const rectification = finding.rectification!; // accepted: open
  const occurredAt = toInstant(command.metadata.now);
  return [
    {
      type: 'RectificationSupervised',
      data: {
        findingId: finding.findingId,
        number: rectification.notices.length + 1,
        level: requireOneOf(command.data.level, SUPERVISION_LEVELS, 'level'),
        text: requireText(command.data.text, 'text'),
        departmentId: rectification.departmentId,
        dueOn: rectification.dueOn,
        respondBy: requireFutureDate(command.data.respondBy, 'respondBy', occurredAt),
        occurredAt,
      },
    },
  ];
}

function requestExtension(command: RequestExtension, state: FindingState): FindingEvent[] {
  const finding = accepting(state, 'RequestExtension');
  const currentDueOn = finding.rectification!.dueOn; // accepted: open
  const newDueOn = requireDate(command.data.newDueOn, 'newDueOn');
  if (newDueOn <= currentDueOn) {
    throw new DomainError(
      'EXTENSION_NOT_LATER',
      `newDueOn must be later than the due date ${currentDueOn}`,
      'newDueOn',
    );
  }
  const reason = requireReason(command.data.reason);
  return [
    {
      type: 'ExtensionRequested',
      data: {
        findingId: finding.findingId,
        currentDueOn,
        newDueOn,
        reason,
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function decideExtension(command: DecideExtension, state: FindingState): FindingEvent[] {
  const finding = accepting(state, 'DecideExtension');
  const { dueOn, extension } = finding.rectification!; // accepted: an extension is requested
  const { granted, reason } = command.data;
  if (typeof granted !== 'boolean') throw new DomainError('INVALID_VALUE', 'granted must be true or false', 'granted');
  const occurredAt = toInstant(command.metadata.now);
  const { findingId } = finding;
  const requestedDueOn = extension!.requestedDueOn;
  if (!granted) {
    return [
      { type: 'ExtensionRefused', data: { findingId, requestedDueOn, reason: requireReason(reason), occurredAt } },
    ];
  }
  return [
    {
      type: 'ExtensionGranted',
      data: { findingId, previousDueOn: dueOn, dueOn: requestedDueOn, ...optionalText('reason', reason), occurredAt },
    },
  ];
}

function dismissFinding(command: DismissFinding, state: FindingState): FindingEvent[] {
  const finding = accepting(state, 'DismissFinding');
  return [
    {
      type: 'FindingDismissed',
      data: {
        findingId: finding.findingId,
        reason: requireReason(command.data.reason),
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function recordFindingFollowUp(command: RecordFindingFollowUp, state: FindingState): FindingEvent[] {
  const finding = accepting(state, 'RecordFindingFollowUp');
  const visit = followUpVisit(command.data, command.metadata.now);
  return [
    { type: 'FindingFollowUpRecorded', data: { findingId: finding.findingId, roundId: finding.roundId, ...visit } },
  ];
}

export function decideFinding(command: FindingCommand, state: FindingState): FindingEvent[] {
  switch (command.type) {
    case 'RecordFindingFollowUp':
      return recordFindingFollowUp(command, state);
    case 'RecordFinding':
      return recordFinding(command, state);
    case 'AssignRectification':
      return assignRectification(command, state);
    case 'AcknowledgeRectification':
      return acknowledgeRectification(command, state);
    case 'SubmitRectificationPlan':
      return submitRectificationPlan(command, state);
    case 'ReportProgress':
      return reportProgress(command, state);
    case 'RequestClosure':
      return requestClosure(command, state);
    case 'VerifyRectification':
      return verifyRectification(command, state);
    case 'ReopenRectification':
      return reopenRectification(command, state);
    case 'SuperviseRectification':
      return superviseRectification(command, state);
    case 'RequestExtension':
      return requestExtension(command, state);
    case 'DecideExtension':
      return decideExtension(command, state);
    case 'DismissFinding':
      return dismissFinding(command, state);
    default:
      return assertNever(command, 'finding command');
  }
}

const evidenceKey = (item: EvidenceItem) => (item.kind === 'file' ? `file:${item.sha256}` : `paper:${item.name}`);

/** Each file once (by its hash), each paper reference once (by its name). */
function withEvidence(known: EvidenceItem[], added: readonly EvidenceItem[]): EvidenceItem[] {
  const seen = new Set(known.map(evidenceKey));
  const result = [...known];
  for (const item of added) {
    if (!seen.has(evidenceKey(item))) result.push(item);
    seen.add(evidenceKey(item));
  }
  return result;
}

/** A new due date, kept in the history of deadlines. */
function movedDeadline(r: Rectification, dueOn: string | undefined, cause: DeadlineChange['cause'], at: string) {
  if (dueOn === undefined) return r;
  return { ...r, dueOn, deadlines: [...r.deadlines, { dueOn, cause, at }] };
}

/** Applies a change to the rectification of an existing finding; events before assignment cannot reach here. */
function rectifying(
  state: FindingState,
  status: Finding['status'],
  change: (rectification: Rectification) => Rectification,
): FindingState {
  if (state.status === 'absent' || !state.rectification) return state;
  return { ...state, status, rectification: change(state.rectification) };
}

/** The status moves as `findingStatusAfter` says (shared with the read models); the rest is the event's data. */
export function evolveFinding(state: FindingState, event: FindingEvent): FindingState {
  const hasRectification = state.status !== 'absent' && state.rectification !== undefined;
  const status = findingStatusAfter(state.status, hasRectification, event.type);
  if (status === undefined) return state;
  switch (event.type) {
    case 'FindingRecorded': {
      const { occurredAt, ...finding } = event.data;
      return { ...finding, status, recordedAt: occurredAt };
    }
    case 'RectificationAssigned': {
      if (state.status === 'absent') return state;
      const { findingId: _, occurredAt, coDepartmentIds, ...assignment } = event.data;
      return {
        ...state,
        status,
        rectification: {
          ...assignment,
          coDepartmentIds: [...coDepartmentIds],
          assignedAt: occurredAt,
          originalDueOn: assignment.dueOn,
          deadlines: [{ dueOn: assignment.dueOn, cause: 'assigned', at: occurredAt }],
          progressPercent: 0,
          evidence: [],
          notices: [],
          cycle: 1,
          reopenedCount: 0,
          rejectedCount: 0,
        },
      };
    }
    case 'RectificationAcknowledged':
      return rectifying(state, status, (r) => ({ ...r, acknowledgedAt: event.data.occurredAt }));
    case 'RectificationPlanSubmitted':
      return rectifying(state, status, (r) => ({ ...r, measures: event.data.measures, target: event.data.target }));
    case 'ProgressReported':
      return rectifying(state, status, (r) => ({
        ...r,
        progressPercent: event.data.percent,
        progressNote: event.data.note,
        evidence: withEvidence(r.evidence, event.data.evidence),
      }));
    case 'ClosureRequested':
      return rectifying(state, status, (r) => ({
        ...r,
        evidence: withEvidence(r.evidence, event.data.evidence),
        signedOffBy: event.data.signedOffBy,
        closureRequestedAt: event.data.occurredAt,
      }));
    case 'RectificationVerified':
      return rectifying(state, status, (r) => ({ ...r, closedAt: event.data.occurredAt }));
    case 'RectificationRejected':
      return rectifying(state, status, (r) => ({
        ...movedDeadline(r, event.data.dueOn, 'rejected', event.data.occurredAt),
        rejectedCount: r.rejectedCount + 1,
        lastRejectionReason: event.data.reason,
      }));
    case 'RectificationMarkedOngoing':
      return rectifying(state, status, (r) => ({ ...r, ongoingSince: event.data.occurredAt }));
    case 'RectificationReopened':
      return rectifying(state, status, ({ closedAt: _closed, ongoingSince: _since, ...r }) => ({
        ...movedDeadline(r, event.data.dueOn, 'reopened', event.data.occurredAt),
        cycle: event.data.cycle,
        reopenedCount: r.reopenedCount + 1,
        lastReopenReason: event.data.reason,
      }));
    case 'RectificationSupervised': {
      const { number, level, text, respondBy, dueOn, occurredAt: at } = event.data;
      const notice = { number, level, text, respondBy, dueOn, at };
      return rectifying(state, status, (r) => ({ ...r, notices: [...r.notices, notice] }));
    }
    case 'ExtensionRequested': {
      const { newDueOn: requestedDueOn, reason, occurredAt: requestedAt } = event.data;
      return rectifying(state, status, (r) => ({
        ...r,
        extension: { state: 'requested', requestedDueOn, reason, requestedAt },
      }));
    }
    case 'ExtensionGranted':
      return rectifying(state, status, (r) => ({
        ...movedDeadline(r, event.data.dueOn, 'extension', event.data.occurredAt),
        extension: r.extension && {
          ...r.extension,
          state: 'granted',
          decidedAt: event.data.occurredAt,
          ...optionalText('decisionReason', event.data.reason),
        },
      }));
    case 'ExtensionRefused':
      return rectifying(state, status, (r) => ({
        ...r,
        extension: r.extension && {
          ...r.extension,
          state: 'refused',
          decidedAt: event.data.occurredAt,
          decisionReason: event.data.reason,
        },
      }));
    case 'FindingDismissed':
      if (state.status === 'absent') return state;
      return { ...state, status, dismissal: { reason: event.data.reason, at: event.data.occurredAt } };
    case 'FindingFollowUpRecorded': {
      if (state.status === 'absent') return state;
      const { findingId: _, roundId: __, occurredAt, ...visit } = event.data;
      return { ...state, followUps: [...(state.followUps ?? []), { ...visit, at: occurredAt }] };
    }
    default:
      return assertNever(event, 'finding event');
  }
}

export const findingDecider: Decider<FindingState, FindingCommand, FindingEvent> = {
  decide: decideFinding,
  evolve: evolveFinding,
  initialState: initialFindingState,
};
