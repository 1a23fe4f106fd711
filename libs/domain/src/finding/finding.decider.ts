import { assertNever } from '../common/assert-never.js';
import type { Decider } from '../common/decider.js';
import { DomainError } from '../common/errors.js';
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
  type Rectification,
  type ReopenRectification,
  type ReportProgress,
  type RequestClosure,
  type SubmitRectificationPlan,
  type VerifyRectification,
} from './finding.types.js';

export const findingStream = (findingId: string): string => `finding-${findingId}`;

export const initialFindingState = (): FindingState => ({ status: 'absent' });

function existing(state: FindingState): Finding {
  if (state.status === 'absent') throw new DomainError('FINDING_NOT_FOUND', 'finding not found');
  return state;
}

/** Existing and not dismissed: a dismissed finding (不予整改) accepts no further command. */
function active(state: FindingState): Finding {
  const finding = existing(state);
  if (finding.status === 'dismissed') throw new DomainError('FINDING_DISMISSED', 'the finding was dismissed');
  return finding;
}

function evidenceList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new DomainError('INVALID_VALUE', `${field} must be a list of references`, field);
  return value.map((ref, index) => requireText(ref, `${field}[${index}]`));
}

function recordFinding(command: RecordFinding, state: FindingState): FindingEvent[] {
  if (state.status !== 'absent') throw new DomainError('FINDING_ALREADY_RECORDED', 'finding already recorded');
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
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function assignRectification(command: AssignRectification, state: FindingState): FindingEvent[] {
  const finding = active(state);
  if (finding.status !== 'recorded') {
    throw new DomainError('FINDING_ALREADY_ASSIGNED', `the rectification was already assigned (${finding.status})`);
  }
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
  const finding = active(state);
  if (finding.status !== 'assigned' || !finding.rectification) {
    throw new DomainError('FINDING_NOT_ASSIGNED', `only an assigned rectification can be acknowledged, this one is ${finding.status}`);
  }
  return [
    {
      type: 'RectificationAcknowledged',
      data: {
        findingId: finding.findingId,
        departmentId: finding.rectification.departmentId,
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function submitRectificationPlan(command: SubmitRectificationPlan, state: FindingState): FindingEvent[] {
  const finding = active(state);
  if (finding.status !== 'acknowledged') {
    throw new DomainError('FINDING_NOT_ACKNOWLEDGED', `a plan follows acknowledgement, the finding is ${finding.status}`);
  }
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
  const finding = active(state);
  if (finding.status !== 'in_progress') {
    throw new DomainError('FINDING_NOT_IN_PROGRESS', `progress is reported while in progress, the finding is ${finding.status}`);
  }
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

/** 立行立改: an immediate rectification fixed on the spot may ask for closure before any plan. */
function mayRequestClosure(finding: Finding): boolean {
  if (finding.status === 'in_progress') return true;
  const immediate = finding.rectification?.type === 'immediate';
  return immediate && (finding.status === 'assigned' || finding.status === 'acknowledged');
}

function requestClosure(command: RequestClosure, state: FindingState): FindingEvent[] {
  const finding = active(state);
  if (!mayRequestClosure(finding)) {
    throw new DomainError('FINDING_NOT_IN_PROGRESS', `closure is requested for a rectification in progress, this one is ${finding.status}`);
  }
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
  const finding = active(state);
  if (finding.status !== 'pending_verification') {
    throw new DomainError('FINDING_NOT_PENDING_VERIFICATION', `nothing to verify, the finding is ${finding.status}`);
  }
  const { accepted, ongoing, reason } = command.data;
  if (typeof accepted !== 'boolean') throw new DomainError('INVALID_VALUE', 'accepted must be true or false', 'accepted');
  const occurredAt = toInstant(command.metadata.now);
  const { findingId } = finding;

  if (!accepted) {
    if (ongoing) {
      throw new DomainError('ONGOING_REQUIRES_ACCEPTANCE', 'a rejected rectification cannot be marked ongoing', 'ongoing');
    }
    return [{ type: 'RectificationRejected', data: { findingId, reason: requireReason(reason), occurredAt } }];
  }
  if (ongoing) {
    if (finding.rectification?.type !== 'long_term') {
      throw new DomainError('ONGOING_ONLY_FOR_LONG_TERM', 'only a long-term rectification can be accepted as ongoing');
    }
    return [{ type: 'RectificationMarkedOngoing', data: { findingId, ...optionalText('reason', reason), occurredAt } }];
  }
  return [{ type: 'RectificationVerified', data: { findingId, occurredAt } }];
}

function reopenRectification(command: ReopenRectification, state: FindingState): FindingEvent[] {
  const finding = active(state);
  if ((finding.status !== 'closed' && finding.status !== 'ongoing') || !finding.rectification) {
    throw new DomainError('FINDING_NOT_CLOSED_OR_ONGOING', `only a closed or ongoing rectification can be reopened, this one is ${finding.status}`);
  }
  return [
    {
      type: 'RectificationReopened',
      data: {
        findingId: finding.findingId,
        reason: requireReason(command.data.reason),
        cycle: finding.rectification.cycle + 1,
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function dismissFinding(command: DismissFinding, state: FindingState): FindingEvent[] {
  const finding = active(state);
  if (finding.status !== 'recorded') {
    throw new DomainError('FINDING_ALREADY_ASSIGNED', `only a finding not yet assigned can be dismissed, this one is ${finding.status}`);
  }
  return [
    {
      type: 'FindingDismissed',
      data: { findingId: finding.findingId, reason: requireReason(command.data.reason), occurredAt: toInstant(command.metadata.now) },
    },
  ];
}

export function decideFinding(command: FindingCommand, state: FindingState): FindingEvent[] {
  switch (command.type) {
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

export function evolveFinding(state: FindingState, event: FindingEvent): FindingState {
  switch (event.type) {
    case 'FindingRecorded': {
      const { occurredAt, ...finding } = event.data;
      return { ...finding, status: 'recorded', recordedAt: occurredAt };
    }
    case 'RectificationAssigned': {
      if (state.status === 'absent') return state;
      const { findingId: _, occurredAt, coDepartmentIds, ...assignment } = event.data;
      return {
        ...state,
        status: 'assigned',
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
      return rectifying(state, 'acknowledged', (r) => ({ ...r, acknowledgedAt: event.data.occurredAt }));
    case 'RectificationPlanSubmitted':
      return rectifying(state, 'in_progress', (r) => ({ ...r, measures: event.data.measures, target: event.data.target }));
    case 'ProgressReported':
      return rectifying(state, 'in_progress', (r) => ({
        ...r,
        progressPercent: event.data.percent,
        progressNote: event.data.note,
        evidenceRefs: withEvidence(r.evidenceRefs, event.data.evidence),
      }));
    case 'ClosureRequested':
      return rectifying(state, 'pending_verification', (r) => ({
        ...r,
        evidenceRefs: withEvidence(r.evidenceRefs, event.data.evidence),
        signedOffBy: event.data.signedOffBy,
        closureRequestedAt: event.data.occurredAt,
      }));
    case 'RectificationVerified':
      return rectifying(state, 'closed', (r) => ({ ...r, closedAt: event.data.occurredAt }));
    case 'RectificationRejected':
      return rectifying(state, 'in_progress', (r) => ({
        ...r,
        rejectedCount: r.rejectedCount + 1,
        lastRejectionReason: event.data.reason,
      }));
    case 'RectificationMarkedOngoing':
      return rectifying(state, 'ongoing', (r) => ({ ...r, ongoingSince: event.data.occurredAt }));
    case 'RectificationReopened':
      return rectifying(state, 'in_progress', ({ closedAt: _closed, ongoingSince: _since, ...r }) => ({
        ...r,
        cycle: event.data.cycle,
        reopenedCount: r.reopenedCount + 1,
        lastReopenReason: event.data.reason,
      }));
    case 'FindingDismissed':
      if (state.status === 'absent') return state;
      return { ...state, status: 'dismissed', dismissal: { reason: event.data.reason, at: event.data.occurredAt } };
    default:
      return assertNever(event, 'finding event');
  }
}

export const findingDecider: Decider<FindingState, FindingCommand, FindingEvent> = {
  decide: decideFinding,
  evolve: evolveFinding,
  initialState: initialFindingState,
};
