import { assertNever } from '../common/assert-never.js';
import type { Decider } from '../common/decider.js';
import { DomainError, type DomainErrorCode } from '../common/errors.js';
import { optionalText, requireDate, requireOneOf, requireText, toInstant } from '../common/values.js';
import {
  MONITORING_TARGET_KINDS,
  ROUND_KINDS,
  type AddFocusField,
  type AddMonitoringPoint,
  type InspectionRound,
  type MonitoringTarget,
  type MonitoringTargetInput,
  type PlanRound,
  type RoundCommand,
  type RoundEvent,
  type RoundState,
  type RoundStatus,
} from './round.types.js';

export const roundStream = (roundId: string): string => `round-${roundId}`;

export const initialRoundState = (): RoundState => ({ status: 'absent' });

/** Each lifecycle command: the state it needs, the event it writes, and the code when refused. */
const LIFECYCLE = {
  StationRound: { from: 'planned', event: 'RoundStationed', refusal: 'ROUND_NOT_PLANNED' },
  ReportRound: { from: 'stationed', event: 'RoundReported', refusal: 'ROUND_NOT_STATIONED' },
  DeliverRoundFeedback: { from: 'reported', event: 'RoundFeedbackDelivered', refusal: 'ROUND_NOT_REPORTED' },
  StartRoundRectification: {
    from: 'feedback_delivered',
    event: 'RoundRectificationStarted',
    refusal: 'ROUND_FEEDBACK_NOT_DELIVERED',
  },
  EvaluateRound: { from: 'rectifying', event: 'RoundEvaluated', refusal: 'ROUND_NOT_RECTIFYING' },
  ArchiveRound: { from: 'evaluated', event: 'RoundArchived', refusal: 'ROUND_NOT_EVALUATED' },
} as const satisfies Record<string, { from: RoundStatus; event: RoundEvent['type']; refusal: DomainErrorCode }>;

type LifecycleCommand = Extract<RoundCommand, { type: keyof typeof LIFECYCLE }>;

/** Fields and monitoring points may be added while the round is being planned or the team is on site. */
export const isOpenForPlanning = (state: RoundState): boolean =>
  state.status === 'planned' || state.status === 'stationed';

function existing(state: RoundState): InspectionRound {
  if (state.status === 'absent') throw new DomainError('ROUND_NOT_FOUND', 'round not found');
  return state;
}

function planRound(command: PlanRound, state: RoundState): RoundEvent[] {
  if (state.status !== 'absent') throw new DomainError('ROUND_ALREADY_PLANNED', 'round already planned');
  const { data } = command;
  const startsOn = requireDate(data.startsOn, 'startsOn');
  const endsOn = requireDate(data.endsOn, 'endsOn');
  if (endsOn < startsOn) throw new DomainError('ROUND_PERIOD_INVALID', 'endsOn is before startsOn', 'endsOn');
  return [
    {
      type: 'RoundPlanned',
      data: {
        roundId: data.roundId,
        kind: requireOneOf(data.kind, ROUND_KINDS, 'kind'),
        title: requireText(data.title, 'title'),
        scope: requireText(data.scope, 'scope'),
        startsOn,
        endsOn,
        ...optionalText('team', data.team),
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function openForPlanning(state: RoundState): InspectionRound {
  const round = existing(state);
  if (!isOpenForPlanning(round)) {
    throw new DomainError(
      'ROUND_NOT_OPEN_FOR_PLANNING',
      `fields and points cannot be added to a ${round.status} round`,
    );
  }
  return round;
}

function addFocusField(command: AddFocusField, state: RoundState): RoundEvent[] {
  const round = openForPlanning(state);
  const { data } = command;
  const name = requireText(data.name, 'name');
  if (round.fields.some((field) => field.fieldId === data.fieldId || field.name === name)) {
    throw new DomainError('FOCUS_FIELD_ALREADY_EXISTS', `focus field ${name} already exists in this round`);
  }
  return [
    {
      type: 'FocusFieldAdded',
      data: { roundId: round.roundId, fieldId: data.fieldId, name, occurredAt: toInstant(command.metadata.now) },
    },
  ];
}

/** A person target is taken by its vault ref only: a name in clear never reaches the log. */
function target(target: MonitoringTargetInput, index: number): MonitoringTarget {
  const kind = requireOneOf(target.kind, MONITORING_TARGET_KINDS, `targets[${index}].kind`);
  const departmentId = optionalText('departmentId', target.departmentId);
  if (kind === 'person') {
    return { kind, ref: requireText((target as { ref?: string }).ref, `targets[${index}].ref`), ...departmentId };
  }
  return { kind, name: requireText((target as { name?: string }).name, `targets[${index}].name`), ...departmentId };
}

function addMonitoringPoint(command: AddMonitoringPoint, state: RoundState): RoundEvent[] {
  const round = openForPlanning(state);
  const { data } = command;
  if (round.monitoringPoints.some((point) => point.pointId === data.pointId)) {
    throw new DomainError('MONITORING_POINT_ALREADY_EXISTS', `monitoring point ${data.pointId} already exists`);
  }
  if (!round.fields.some((field) => field.fieldId === data.fieldId)) {
    throw new DomainError('FOCUS_FIELD_NOT_FOUND', `focus field ${data.fieldId} is not part of this round`, 'fieldId');
  }
  if (!Array.isArray(data.targets) || data.targets.length === 0) {
    throw new DomainError(
      'MONITORING_POINT_TARGETS_REQUIRED',
      'a monitoring point aims at one or more departments, people, posts or projects',
      'targets',
    );
  }
  return [
    {
      type: 'MonitoringPointAdded',
      data: {
        roundId: round.roundId,
        pointId: data.pointId,
        fieldId: data.fieldId,
        title: requireText(data.title, 'title'),
        targets: data.targets.map(target),
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function advance(command: LifecycleCommand, state: RoundState): RoundEvent[] {
  const round = existing(state);
  const step = LIFECYCLE[command.type];
  if (round.status !== step.from) {
    throw new DomainError(step.refusal, `${command.type} needs a ${step.from} round, this one is ${round.status}`);
  }
  const occurredAt =
    command.data.occurredAt === undefined
      ? toInstant(command.metadata.now)
      : toInstant(command.data.occurredAt, 'occurredAt');
  return [{ type: step.event, data: { roundId: round.roundId, occurredAt } }];
}

export function decideRound(command: RoundCommand, state: RoundState): RoundEvent[] {
  switch (command.type) {
    case 'PlanRound':
      return planRound(command, state);
    case 'AddFocusField':
      return addFocusField(command, state);
    case 'AddMonitoringPoint':
      return addMonitoringPoint(command, state);
    case 'StationRound':
    case 'ReportRound':
    case 'DeliverRoundFeedback':
    case 'StartRoundRectification':
    case 'EvaluateRound':
    case 'ArchiveRound':
      return advance(command, state);
    default:
      return assertNever(command, 'round command');
  }
}

function reached(state: RoundState, status: RoundStatus, occurredAt: string): RoundState {
  if (state.status === 'absent') return state;
  return { ...state, status, milestones: { ...state.milestones, [status]: occurredAt } };
}

export function evolveRound(state: RoundState, event: RoundEvent): RoundState {
  switch (event.type) {
    case 'RoundPlanned': {
      const { occurredAt, ...round } = event.data;
      return { ...round, status: 'planned', fields: [], monitoringPoints: [], milestones: { planned: occurredAt } };
    }
    case 'FocusFieldAdded':
      if (state.status === 'absent') return state;
      return { ...state, fields: [...state.fields, { fieldId: event.data.fieldId, name: event.data.name }] };
    case 'MonitoringPointAdded': {
      if (state.status === 'absent') return state;
      const { pointId, fieldId, title, targets } = event.data;
      return { ...state, monitoringPoints: [...state.monitoringPoints, { pointId, fieldId, title, targets }] };
    }
    case 'RoundStationed':
      return reached(state, 'stationed', event.data.occurredAt);
    case 'RoundReported':
      return reached(state, 'reported', event.data.occurredAt);
    case 'RoundFeedbackDelivered':
      return reached(state, 'feedback_delivered', event.data.occurredAt);
    case 'RoundRectificationStarted':
      return reached(state, 'rectifying', event.data.occurredAt);
    case 'RoundEvaluated':
      return reached(state, 'evaluated', event.data.occurredAt);
    case 'RoundArchived':
      return reached(state, 'archived', event.data.occurredAt);
    case 'HandoverImported':
      return state;
    default:
      return assertNever(event, 'round event');
  }
}

export const inspectionRoundDecider: Decider<RoundState, RoundCommand, RoundEvent> = {
  decide: decideRound,
  evolve: evolveRound,
  initialState: initialRoundState,
};
