import { foldEvents } from '../common/decider.js';
import { DomainError } from '../common/errors.js';
import { ROLES } from '../common/roles.js';
import { findingDecider } from './finding.decider.js';
import {
  ASSIGNED_FINDING_STATUSES,
  availableFindingActions,
  deadlineStanding,
  FINDING_COMMAND_TYPES,
  findingAccepts,
  findingStateRefusal,
  findingStatusAfter,
  isAssignedFindingStatus,
  isOpenFindingStatus,
  isSettledFindingStatus,
  mayMarkOngoing,
  OPEN_FINDING_STATUSES,
  SETTLED_FINDING_STATUSES,
  warningForDaysLeft,
  type FindingCommandType,
} from './finding.rules.js';
import { FINDING_STATUSES, type FindingCommand, type FindingEvent, type RectificationType } from './finding.types.js';

const now = '2024-08-28T02:00:00.000Z';
const findingId = 'fd1';
const today = '2024-10-01';

const recorded: FindingEvent = {
  type: 'FindingRecorded',
  data: {
    findingId,
    roundId: 'r1',
    fieldId: 'f1',
    monitoringPointId: 'p1',
    departmentId: 'd-minzheng',
    title: '低保对象动态管理不及时',
    description: '3户已死亡人员仍在领取低保金',
    occurredAt: now,
  },
};
const assignedAs = (type: RectificationType, dueOn = '2024-10-31'): FindingEvent => ({
  type: 'RectificationAssigned',
  data: {
    findingId,
    type,
    departmentId: 'd-minzheng',
    coDepartmentIds: [],
    responsiblePerson: '王',
    dueOn,
    occurredAt: now,
  },
});
const acknowledged: FindingEvent = {
  type: 'RectificationAcknowledged',
  data: { findingId, departmentId: 'd-minzheng', occurredAt: now },
};
const planned: FindingEvent = {
  type: 'RectificationPlanSubmitted',
  data: { findingId, measures: '排查', target: '追回', occurredAt: now },
};
const closureRequested: FindingEvent = {
  type: 'ClosureRequested',
  data: { findingId, evidence: [{ kind: 'paper', name: 'ev-1' }], signedOffBy: '局长', occurredAt: now },
};
const verified: FindingEvent = { type: 'RectificationVerified', data: { findingId, occurredAt: now } };
const ongoing: FindingEvent = { type: 'RectificationMarkedOngoing', data: { findingId, occurredAt: now } };
const dismissed: FindingEvent = { type: 'FindingDismissed', data: { findingId, reason: '不属实', occurredAt: now } };
const reopened: FindingEvent = {
  type: 'RectificationReopened',
  data: { findingId, reason: '反弹', cycle: 2, occurredAt: now },
};

const stateOf = (events: FindingEvent[]) => foldEvents(findingDecider, events);

/** One history per reachable situation, by name. */
const histories: Record<string, FindingEvent[]> = {
  absent: [],
  recorded: [recorded],
  dismissed: [recorded, dismissed],
  assigned: [recorded, assignedAs('deadline')],
  'assigned (immediate)': [recorded, assignedAs('immediate')],
  acknowledged: [recorded, assignedAs('deadline'), acknowledged],
  'acknowledged (immediate)': [recorded, assignedAs('immediate'), acknowledged],
  in_progress: [recorded, assignedAs('deadline'), acknowledged, planned],
  pending_verification: [recorded, assignedAs('deadline'), acknowledged, planned, closureRequested],
  'pending_verification (long term)': [recorded, assignedAs('long_term'), acknowledged, planned, closureRequested],
  closed: [recorded, assignedAs('deadline'), acknowledged, planned, closureRequested, verified],
  ongoing: [recorded, assignedAs('long_term'), acknowledged, planned, closureRequested, ongoing],
  reopened: [recorded, assignedAs('deadline'), acknowledged, planned, closureRequested, verified, reopened],
};

/** A command of each type whose data is valid, so that only the finding's state can refuse it. */
const validData: Record<FindingCommandType, Record<string, unknown>> = {
  RecordFinding: {
    roundId: 'r1',
    fieldId: 'f1',
    monitoringPointId: 'p1',
    departmentId: 'd-minzheng',
    title: 't',
    description: 'd',
  },
  AssignRectification: { type: 'deadline', departmentId: 'd-minzheng', responsiblePerson: '王', dueOn: '2024-12-31' },
  DismissFinding: { reason: '不属实' },
  AcknowledgeRectification: {},
  SubmitRectificationPlan: { measures: 'm', target: 't' },
  ReportProgress: { note: 'n', percent: 50 },
  RequestClosure: { evidence: ['ev-2'], signedOffBy: '局长' },
  VerifyRectification: { accepted: true },
  ReopenRectification: { reason: '回头看', dueOn: '2099-12-31' },
  RecordFindingFollowUp: { visitedOn: '2024-08-01', visiteeRef: 'pd-1', satisfaction: 'satisfied', note: '已纳入救助' },
  SuperviseRectification: { level: 'notice', text: '请于期限内报送整改情况', respondBy: '2099-12-31' },
  RequestExtension: { newDueOn: '2099-12-31', reason: '需跨年度实施' },
  DecideExtension: { granted: true },
};
const commandOf = (type: FindingCommandType) =>
  ({
    type,
    data: { findingId, ...validData[type] },
    metadata: { now, userId: 'u1', role: 'official' },
  }) as FindingCommand;

describe('finding status sets', () => {
  it('splits the statuses: open and settled are disjoint, recorded is neither', () => {
    expect([...OPEN_FINDING_STATUSES]).toEqual(['assigned', 'acknowledged', 'in_progress', 'pending_verification']);
    expect([...SETTLED_FINDING_STATUSES]).toEqual(['closed', 'ongoing', 'dismissed']);
    for (const status of FINDING_STATUSES) {
      const kinds = [isOpenFindingStatus(status), isSettledFindingStatus(status)].filter(Boolean);
      expect(kinds.length).toBe(status === 'recorded' ? 0 : 1);
    }
    expect(isOpenFindingStatus('absent')).toBe(false);
    expect(isSettledFindingStatus('absent')).toBe(false);
  });

  it('counts as assigned every status a rectification was assigned in: open, closed and ongoing', () => {
    expect([...ASSIGNED_FINDING_STATUSES].sort()).toEqual([...OPEN_FINDING_STATUSES, 'closed', 'ongoing'].sort());
    expect(isAssignedFindingStatus('recorded')).toBe(false);
    expect(isAssignedFindingStatus('dismissed')).toBe(false);
    expect(isAssignedFindingStatus('absent')).toBe(false);
  });

  it('agrees with the state: assigned exactly when the folded finding has a rectification', () => {
    for (const events of Object.values(histories)) {
      const state = stateOf(events);
      const hasRectification = state.status !== 'absent' && state.rectification !== undefined;
      expect(isAssignedFindingStatus(state.status)).toBe(hasRectification);
    }
  });
});

describe('warning levels (江津 三色预警) and overdue', () => {
  it('colours by days left at the boundaries: red < 0 ≤ yellow ≤ 10 < green ≤ 20 < none', () => {
    expect(warningForDaysLeft(-1)).toBe('red');
    expect(warningForDaysLeft(0)).toBe('yellow');
    expect(warningForDaysLeft(10)).toBe('yellow');
    expect(warningForDaysLeft(11)).toBe('green');
    expect(warningForDaysLeft(20)).toBe('green');
    expect(warningForDaysLeft(21)).toBe('none');
  });

  it('takes configured days', () => {
    const thresholds = { greenDays: 30, yellowDays: 5 };
    expect(warningForDaysLeft(5, thresholds)).toBe('yellow');
    expect(warningForDaysLeft(6, thresholds)).toBe('green');
    expect(warningForDaysLeft(30, thresholds)).toBe('green');
    expect(warningForDaysLeft(31, thresholds)).toBe('none');
  });

  it('derives the standing of an open rectification from its due date', () => {
    const cases: [string, number, boolean, string][] = [
      ['2024-09-30', -1, true, 'red'],
      ['2024-10-01', 0, false, 'yellow'],
      ['2024-10-11', 10, false, 'yellow'],
      ['2024-10-12', 11, false, 'green'],
      ['2024-10-21', 20, false, 'green'],
      ['2024-10-22', 21, false, 'none'],
    ];
    for (const [dueOn, daysLeft, overdue, warning] of cases) {
      expect(deadlineStanding('in_progress', dueOn, today)).toEqual({ daysLeft, overdue, warning });
    }
  });

  it('never makes a settled or unassigned finding overdue, but keeps its days left', () => {
    for (const status of [...SETTLED_FINDING_STATUSES, 'recorded' as const]) {
      expect(deadlineStanding(status, '2024-09-01', today)).toEqual({ daysLeft: -30, overdue: false, warning: 'none' });
    }
    expect(deadlineStanding('assigned', null, today)).toEqual({ daysLeft: null, overdue: false, warning: 'none' });
  });

  it('is overdue in every open status once past the due date', () => {
    for (const status of OPEN_FINDING_STATUSES) {
      expect(deadlineStanding(status, '2024-09-30', today).overdue).toBe(true);
    }
  });
});

describe('findingStatusAfter (the status transitions evolve and the read models share)', () => {
  it('moves the status as the folded state does, for every history', () => {
    for (const events of Object.values(histories)) {
      let state = stateOf([]);
      for (const event of events) {
        const hasRectification = state.status !== 'absent' && state.rectification !== undefined;
        const expected = findingStatusAfter(state.status, hasRectification, event.type);
        state = findingDecider.evolve(state, event);
        expect(state.status).toBe(expected);
      }
    }
  });

  it('ignores what cannot apply: any event but FindingRecorded before it, a rectification event before assignment', () => {
    expect(findingStatusAfter('absent', false, 'RectificationAssigned')).toBeUndefined();
    expect(findingStatusAfter('absent', false, 'FindingDismissed')).toBeUndefined();
    expect(findingStatusAfter('recorded', false, 'RectificationVerified')).toBeUndefined();
    expect(findingStatusAfter('recorded', false, 'RectificationAssigned')).toBe('assigned');
  });
});

describe('which commands a finding accepts', () => {
  it('agrees with the decider for every state and command: accepted exactly when deciding does not refuse', () => {
    for (const [name, events] of Object.entries(histories)) {
      const state = stateOf(events);
      for (const type of FINDING_COMMAND_TYPES) {
        let thrown: unknown;
        try {
          findingDecider.decide(commandOf(type), state);
        } catch (error) {
          thrown = error;
        }
        const refusal = findingStateRefusal(state, type);
        expect({ name, type, accepted: thrown === undefined }).toEqual({ name, type, accepted: refusal === undefined });
        if (refusal) expect((thrown as DomainError).code).toBe(refusal.code);
      }
    }
  });

  it('lets an immediate rectification request closure before a plan (立行立改), others only in progress', () => {
    expect(findingAccepts(stateOf(histories['assigned (immediate)']), 'RequestClosure')).toBe(true);
    expect(findingAccepts(stateOf(histories['acknowledged (immediate)']), 'RequestClosure')).toBe(true);
    expect(findingAccepts(stateOf(histories.assigned), 'RequestClosure')).toBe(false);
    expect(findingAccepts(stateOf(histories.acknowledged), 'RequestClosure')).toBe(false);
    expect(findingAccepts(stateOf(histories.in_progress), 'RequestClosure')).toBe(true);
    expect(findingAccepts(stateOf(histories.reopened), 'RequestClosure')).toBe(true);
  });

  it('accepts nothing on a dismissed finding, and only RecordFinding before it exists', () => {
    const onDismissed = FINDING_COMMAND_TYPES.filter((t) => findingAccepts(stateOf(histories.dismissed), t));
    expect(onDismissed).toEqual([]);
    expect(findingStateRefusal(stateOf(histories.dismissed), 'ReopenRectification')?.code).toBe('FINDING_DISMISSED');
    expect(FINDING_COMMAND_TYPES.filter((t) => findingAccepts(stateOf([]), t))).toEqual(['RecordFinding']);
  });

  it('marks ongoing only a long-term rectification', () => {
    expect(mayMarkOngoing(stateOf(histories['pending_verification (long term)']))).toBe(true);
    expect(mayMarkOngoing(stateOf(histories.pending_verification))).toBe(false);
    expect(mayMarkOngoing(stateOf([]))).toBe(false);
  });
});

describe('availableFindingActions (per state and role)', () => {
  const official = { role: 'official' as const };
  const inspector = { role: 'inspector' as const };
  const auditor = { role: 'auditor' as const };
  const ownLiaison = { role: 'unit_liaison' as const, departmentId: 'd-minzheng' };
  const otherLiaison = { role: 'unit_liaison' as const, departmentId: 'd-jiaoyu' };
  const actions = (name: string, actor: Parameters<typeof availableFindingActions>[1]) =>
    availableFindingActions(stateOf(histories[name]), actor);

  it('offers the official assignment or dismissal of a recorded finding, verification and reopening later', () => {
    expect(actions('recorded', official)).toEqual(['AssignRectification', 'DismissFinding']);
    expect(actions('assigned', official)).toEqual(['SuperviseRectification']);
    expect(actions('in_progress', official)).toEqual(['SuperviseRectification']);
    expect(actions('pending_verification', official)).toEqual(['VerifyRectification', 'SuperviseRectification']);
    expect(actions('closed', official)).toEqual(['ReopenRectification', 'RecordFindingFollowUp']);
    expect(actions('ongoing', official)).toEqual(['ReopenRectification', 'RecordFindingFollowUp']);
    expect(actions('dismissed', official)).toEqual([]);
  });

  it("offers the responsible unit's liaison each step of the rectification", () => {
    expect(actions('recorded', ownLiaison)).toEqual([]);
    const ext = 'RequestExtension';
    expect(actions('assigned', ownLiaison)).toEqual(['AcknowledgeRectification', ext]);
    expect(actions('assigned (immediate)', ownLiaison)).toEqual(['AcknowledgeRectification', 'RequestClosure', ext]);
    expect(actions('acknowledged', ownLiaison)).toEqual(['SubmitRectificationPlan', ext]);
    expect(actions('acknowledged (immediate)', ownLiaison)).toEqual(['SubmitRectificationPlan', 'RequestClosure', ext]);
    expect(actions('in_progress', ownLiaison)).toEqual(['ReportProgress', 'RequestClosure', ext]);
    expect(actions('reopened', ownLiaison)).toEqual(['ReportProgress', 'RequestClosure', ext]);
    expect(actions('pending_verification', ownLiaison)).toEqual([ext]);
    expect(actions('closed', ownLiaison)).toEqual([]);
  });

  it("offers nothing to another unit's liaison, a liaison without a department or auditors", () => {
    for (const name of Object.keys(histories).filter((n) => n !== 'absent')) {
      expect(actions(name, otherLiaison)).toEqual([]);
      expect(actions(name, { role: 'unit_liaison' })).toEqual([]);
      expect(actions(name, auditor)).toEqual([]);
    }
  });

  it('offers inspectors recording a finding, and 回访 once its rectification is closed or ongoing', () => {
    const visited = new Set(['closed', 'ongoing']);
    for (const name of Object.keys(histories).filter((n) => n !== 'absent')) {
      expect([name, actions(name, inspector)]).toEqual([name, visited.has(name) ? ['RecordFindingFollowUp'] : []]);
    }
    expect(actions('absent', inspector)).toEqual(['RecordFinding']);
  });

  it('offers only what the decider accepts, to every role', () => {
    for (const events of Object.values(histories)) {
      const state = stateOf(events);
      for (const role of ROLES) {
        for (const type of availableFindingActions(state, { role, departmentId: 'd-minzheng' })) {
          expect(() => findingDecider.decide(commandOf(type), state)).not.toThrow();
        }
      }
    }
  });
});
