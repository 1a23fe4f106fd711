import { assertNever } from '../common/assert-never.js';
import type { Decider } from '../common/decider.js';
import { DomainError } from '../common/errors.js';
import { followUpVisit } from '../follow-up/follow-up.js';
import { optionalText, requireDate, requireOneOf, requireReason, requireText, toInstant } from '../common/values.js';
import {
  RECTIFICATION_TYPES,
  type AcknowledgeRectification,
  type AssignRectification,
  type DismissFinding,
  type Finding,
  type FindingCommand,
  type FindingEvent,
  type FindingState,
  type RecordFinding,
  type RecordFindingFollowUp,
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

function evidenceList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new DomainError('INVALID_VALUE', `${field} must be a list of references`, field);
  return value.map((ref, index) => requireText(ref, `${field}[${index}]`));
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
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
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
    return [{ type: 'RectificationRejected', data: { findingId, reason: requireReason(reason), occurredAt } }];
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
  return [
    {
      type: 'RectificationReopened',
      data: {
        findingId: finding.findingId,
        reason: requireReason(command.data.reason),
        cycle: finding.rectification!.cycle + 1, // accepted: closed or ongoing
        occurredAt: toInstant(command.metadata.now),
      },
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
    case 'DismissFinding':
      return dismissFinding(command, state);
    default:
      return assertNever(command, 'finding command');
  }
}

const withEvidence = (known: string[], added: readonly string[]): string[] => [...new Set([...known, ...added])];

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
          progressPercent: 0,
          evidenceRefs: [],
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
        evidenceRefs: withEvidence(r.evidenceRefs, event.data.evidence),
      }));
    case 'ClosureRequested':
      return rectifying(state, status, (r) => ({
        ...r,
        evidenceRefs: withEvidence(r.evidenceRefs, event.data.evidence),
        signedOffBy: event.data.signedOffBy,
        closureRequestedAt: event.data.occurredAt,
      }));
    case 'RectificationVerified':
      return rectifying(state, status, (r) => ({ ...r, closedAt: event.data.occurredAt }));
    case 'RectificationRejected':
      return rectifying(state, status, (r) => ({
        ...r,
        rejectedCount: r.rejectedCount + 1,
        lastRejectionReason: event.data.reason,
      }));
    case 'RectificationMarkedOngoing':
      return rectifying(state, status, (r) => ({ ...r, ongoingSince: event.data.occurredAt }));
    case 'RectificationReopened':
      return rectifying(state, status, ({ closedAt: _closed, ongoingSince: _since, ...r }) => ({
        ...r,
        cycle: event.data.cycle,
        reopenedCount: r.reopenedCount + 1,
        lastReopenReason: event.data.reason,
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
