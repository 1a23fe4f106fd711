import { foldEvents } from '../common/decider.js';
import { DeciderSpecification } from '../testing/decider-spec.js';
import { findingDecider, findingStream } from './finding.decider.js';
import { daysLeft, isOverdue, liaisonMayAct, warningLevel } from './finding.rules.js';
import type { FindingCommand, FindingEvent, FindingState, RectificationType } from './finding.types.js';

const now = '2024-08-28T02:00:00.000Z';
const metadata = { now, userId: 'u-official', role: 'official' as const };
const findingId = 'fd1';
const spec = DeciderSpecification.for(findingDecider);
const paper = (name: string) => ({ kind: 'paper' as const, name });

// ── events ──────────────────────────────────────────────────────────────────
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
    category: '慢作为',
    occurredAt: now,
  },
};
const assignedAs = (type: RectificationType): FindingEvent => ({
  type: 'RectificationAssigned',
  data: {
    findingId,
    type,
    departmentId: 'd-minzheng',
    coDepartmentIds: ['d-jiedao'],
    responsiblePerson: '区民政局分管副局长',
    dueOn: '2024-10-31',
    occurredAt: now,
  },
});
const assigned = assignedAs('deadline');
const acknowledged: FindingEvent = {
  type: 'RectificationAcknowledged',
  data: { findingId, departmentId: 'd-minzheng', occurredAt: now },
};
const planSubmitted: FindingEvent = {
  type: 'RectificationPlanSubmitted',
  data: { findingId, measures: '全面排查低保对象', target: '停发并追回违规资金', occurredAt: now },
};
const progressReported: FindingEvent = {
  type: 'ProgressReported',
  data: { findingId, note: '已排查12个社区', percent: 40, evidence: [paper('ev-1')], occurredAt: now },
};
const closureRequested: FindingEvent = {
  type: 'ClosureRequested',
  data: { findingId, evidence: [paper('ev-1'), paper('ev-2')], signedOffBy: '局长 签字', occurredAt: now },
};
const verified: FindingEvent = { type: 'RectificationVerified', data: { findingId, occurredAt: now } };
const markedOngoing: FindingEvent = { type: 'RectificationMarkedOngoing', data: { findingId, occurredAt: now } };
const dismissed: FindingEvent = {
  type: 'FindingDismissed',
  data: { findingId, reason: '经核实不属实', occurredAt: now },
};

const inProgress = [recorded, assigned, acknowledged, planSubmitted];
const pending = [...inProgress, closureRequested];
const closed = [...pending, verified];
const longTermPending = [recorded, assignedAs('long_term'), acknowledged, planSubmitted, closureRequested];
const ongoing = [...longTermPending, markedOngoing];

// ── commands ────────────────────────────────────────────────────────────────
const command = <T extends FindingCommand['type']>(
  type: T,
  data: Omit<Extract<FindingCommand, { type: T }>['data'], 'findingId'>,
) => ({ type, data: { findingId, ...data }, metadata }) as FindingCommand;

const record = (overrides: Record<string, unknown> = {}) =>
  command('RecordFinding', {
    roundId: 'r1',
    fieldId: 'f1',
    monitoringPointId: 'p1',
    departmentId: 'd-minzheng',
    title: '低保对象动态管理不及时',
    description: '3户已死亡人员仍在领取低保金',
    category: '慢作为',
    ...overrides,
  });
const assign = (overrides: Record<string, unknown> = {}) =>
  command('AssignRectification', {
    type: 'deadline',
    departmentId: 'd-minzheng',
    coDepartmentIds: ['d-jiedao'],
    responsiblePerson: '区民政局分管副局长',
    dueOn: '2024-10-31',
    ...overrides,
  });
const acknowledge = () => command('AcknowledgeRectification', {});
const submitPlan = (measures = '全面排查低保对象') =>
  command('SubmitRectificationPlan', { measures, target: '停发并追回违规资金' });
const report = (percent = 40, evidence: string[] | null = ['ev-1']) =>
  command('ReportProgress', { note: '已排查12个社区', percent, ...(evidence ? { evidence } : {}) });
const requestClosure = (evidence = ['ev-1', 'ev-2'], signedOffBy = '局长 签字') =>
  command('RequestClosure', { evidence, signedOffBy });
const verify = (data: { accepted: boolean; reason?: string; ongoing?: boolean; dueOn?: string }) =>
  command('VerifyRectification', data);
const reopen = (reason = '回头看发现虚假整改', dueOn: string | undefined = '2024-12-31') =>
  command('ReopenRectification', { reason, ...(dueOn ? { dueOn } : {}) });
const dismiss = (reason = '经核实不属实') => command('DismissFinding', { reason });

const rectificationOf = (state: FindingState) => (state.status === 'absent' ? undefined : state.rectification);

describe('Finding decider', () => {
  it('names its stream finding-{id}', () => {
    expect(findingStream('fd1')).toBe('finding-fd1');
  });

  it('carries a finding from recording to 销号', () => {
    const state = foldEvents(findingDecider, closed);
    expect(state).toMatchObject({
      status: 'closed',
      rectification: { cycle: 1, closedAt: now, evidence: [paper('ev-1'), paper('ev-2')] },
    });
  });

  describe('RecordFinding', () => {
    it('records a finding on an empty stream', () => {
      const state = spec.given([]).when(record()).then([recorded]);
      expect(state).toMatchObject({ status: 'recorded', recordedAt: now, departmentId: 'd-minzheng' });
      expect(rectificationOf(state)).toBeUndefined();
    });

    it('leaves out an empty category', () => {
      const { category: _, ...withoutCategory } = recorded.data;
      spec
        .given([])
        .when(record({ category: '' }))
        .then([{ type: 'FindingRecorded', data: withoutCategory }]);
    });

    it('records the problem lead it was reclassified from, and keeps it in its state', () => {
      const state = spec
        .given([])
        .when(record({ leadId: 'l7' }))
        .then([{ type: 'FindingRecorded', data: { ...recorded.data, leadId: 'l7' } }]);
      expect(state).toMatchObject({ status: 'recorded', leadId: 'l7' });
    });

    it('records when the problem was found (发现时间), earlier than the recording', () => {
      const foundOn = '2024-06-03T02:30:00.000Z';
      const state = spec
        .given([])
        .when(record({ occurredAt: foundOn }))
        .then([{ type: 'FindingRecorded', data: { ...recorded.data, occurredAt: foundOn } }]);
      expect(state).toMatchObject({ status: 'recorded' });
    });

    it('rejects a finding found after it is recorded, and a time that is not ISO 8601', () => {
      const later = new Date(Date.parse(now) + 60 * 60_000).toISOString();
      expect(
        spec
          .given([])
          .when(record({ occurredAt: later }))
          .thenThrows('OCCURRED_IN_FUTURE', 'invalid').field,
      ).toBe('occurredAt');
      expect(
        spec
          .given([])
          .when(record({ occurredAt: '6月3日' }))
          .thenThrows('INVALID_TIMESTAMP', 'invalid').field,
      ).toBe('occurredAt');
    });

    it('rejects recording the same finding twice', () => {
      spec.given([recorded]).when(record()).thenThrows('FINDING_ALREADY_RECORDED', 'conflict');
    });

    it('rejects a finding without a description', () => {
      const error = spec
        .given([])
        .when(record({ description: '' }))
        .thenThrows('VALUE_REQUIRED', 'invalid');
      expect(error.field).toBe('description');
    });
  });

  describe('AssignRectification', () => {
    it('assigns a recorded finding to a unit, starting the first cycle', () => {
      const state = spec.given([recorded]).when(assign()).then([assigned]);
      expect(state.status).toBe('assigned');
      expect(rectificationOf(state)).toEqual({
        type: 'deadline',
        departmentId: 'd-minzheng',
        coDepartmentIds: ['d-jiedao'],
        responsiblePerson: '区民政局分管副局长',
        dueOn: '2024-10-31',
        originalDueOn: '2024-10-31',
        deadlines: [{ dueOn: '2024-10-31', cause: 'assigned', at: now }],
        assignedAt: now,
        progressPercent: 0,
        evidence: [],
        notices: [],
        cycle: 1,
        reopenedCount: 0,
        rejectedCount: 0,
      });
    });

    it('lists each co-unit once and defaults to none', () => {
      spec
        .given([recorded])
        .when(assign({ coDepartmentIds: ['d-a', 'd-a', 'd-b'] }))
        .then([{ ...assigned, data: { ...assigned.data, coDepartmentIds: ['d-a', 'd-b'] } } as FindingEvent]);
      spec
        .given([recorded])
        .when(assign({ coDepartmentIds: undefined }))
        .then([{ ...assigned, data: { ...assigned.data, coDepartmentIds: [] } } as FindingEvent]);
    });

    it('rejects assigning a finding that does not exist', () => {
      spec.given([]).when(assign()).thenThrows('FINDING_NOT_FOUND', 'not_found');
    });

    it('rejects assigning a rectification twice', () => {
      spec.given([recorded, assigned]).when(assign()).thenThrows('FINDING_ALREADY_ASSIGNED', 'conflict');
    });

    it('rejects assigning a dismissed finding', () => {
      spec.given([recorded, dismissed]).when(assign()).thenThrows('FINDING_DISMISSED', 'conflict');
    });

    it('rejects a due date that is not a date', () => {
      spec
        .given([recorded])
        .when(assign({ dueOn: '31/10/2024' }))
        .thenThrows('INVALID_DATE', 'invalid');
    });

    it('rejects an unknown rectification type', () => {
      spec
        .given([recorded])
        .when(assign({ type: 'someday' }))
        .thenThrows('INVALID_VALUE', 'invalid');
    });

    it('rejects the responsible unit listed again as a co-unit', () => {
      spec
        .given([recorded])
        .when(assign({ coDepartmentIds: ['d-minzheng'] }))
        .thenThrows('CO_DEPARTMENT_IS_LEAD_DEPARTMENT', 'invalid');
    });

    it('rejects an assignment without a responsible person', () => {
      spec
        .given([recorded])
        .when(assign({ responsiblePerson: ' ' }))
        .thenThrows('VALUE_REQUIRED', 'invalid');
    });
  });

  describe('AcknowledgeRectification', () => {
    it('acknowledges an assigned rectification for its unit', () => {
      const state = spec.given([recorded, assigned]).when(acknowledge()).then([acknowledged]);
      expect(state.status).toBe('acknowledged');
      expect(rectificationOf(state)?.acknowledgedAt).toBe(now);
    });

    it('rejects acknowledging a finding that was never assigned', () => {
      spec.given([recorded]).when(acknowledge()).thenThrows('FINDING_NOT_ASSIGNED', 'conflict');
    });

    it('rejects acknowledging twice', () => {
      spec.given([recorded, assigned, acknowledged]).when(acknowledge()).thenThrows('FINDING_NOT_ASSIGNED', 'conflict');
    });

    it('rejects acknowledging a finding that does not exist', () => {
      spec.given([]).when(acknowledge()).thenThrows('FINDING_NOT_FOUND', 'not_found');
    });
  });

  describe('SubmitRectificationPlan', () => {
    it('puts an acknowledged rectification in progress with its measures and target', () => {
      const state = spec.given([recorded, assigned, acknowledged]).when(submitPlan()).then([planSubmitted]);
      expect(state.status).toBe('in_progress');
      expect(rectificationOf(state)).toMatchObject({ measures: '全面排查低保对象', target: '停发并追回违规资金' });
    });

    it('rejects a plan before the unit acknowledged the rectification', () => {
      spec.given([recorded, assigned]).when(submitPlan()).thenThrows('FINDING_NOT_ACKNOWLEDGED', 'conflict');
    });

    it('rejects a second plan once in progress', () => {
      spec.given(inProgress).when(submitPlan()).thenThrows('FINDING_NOT_ACKNOWLEDGED', 'conflict');
    });

    it('rejects a plan without measures', () => {
      spec.given([recorded, assigned, acknowledged]).when(submitPlan('')).thenThrows('VALUE_REQUIRED', 'invalid');
    });
  });

  describe('ReportProgress', () => {
    it('records progress, percent and evidence while in progress', () => {
      const state = spec.given(inProgress).when(report()).then([progressReported]);
      expect(state.status).toBe('in_progress');
      expect(rectificationOf(state)).toMatchObject({
        progressPercent: 40,
        progressNote: '已排查12个社区',
        evidence: [paper('ev-1')],
      });
    });

    it('accepts a report without evidence', () => {
      spec
        .given(inProgress)
        .when(report(60, null))
        .then([
          {
            type: 'ProgressReported',
            data: { findingId, note: '已排查12个社区', percent: 60, evidence: [], occurredAt: now },
          },
        ]);
    });

    it('rejects a percent above 100', () => {
      spec.given(inProgress).when(report(120)).thenThrows('PERCENT_OUT_OF_RANGE', 'invalid');
    });

    it('rejects a negative percent', () => {
      spec.given(inProgress).when(report(-1)).thenThrows('PERCENT_OUT_OF_RANGE', 'invalid');
    });

    it('rejects progress before a plan was submitted', () => {
      spec.given([recorded, assigned, acknowledged]).when(report()).thenThrows('FINDING_NOT_IN_PROGRESS', 'conflict');
    });

    it('rejects progress while waiting for verification', () => {
      spec.given(pending).when(report()).thenThrows('FINDING_NOT_IN_PROGRESS', 'conflict');
    });
  });

  describe('RequestClosure', () => {
    it('asks for verification of a rectification in progress', () => {
      const state = spec
        .given([...inProgress, progressReported])
        .when(requestClosure())
        .then([closureRequested]);
      expect(state.status).toBe('pending_verification');
      expect(rectificationOf(state)).toMatchObject({
        evidence: [paper('ev-1'), paper('ev-2')],
        signedOffBy: '局长 签字',
        closureRequestedAt: now,
      });
    });

    it('lets an immediate rectification go from assigned straight to verification (立行立改)', () => {
      const state = spec
        .given([recorded, assignedAs('immediate')])
        .when(requestClosure())
        .then([closureRequested]);
      expect(state.status).toBe('pending_verification');
    });

    it('lets an acknowledged immediate rectification ask for closure without a plan', () => {
      spec
        .given([recorded, assignedAs('immediate'), acknowledged])
        .when(requestClosure())
        .then([closureRequested]);
    });

    it('rejects closure of a deadline rectification that skipped its plan', () => {
      spec.given([recorded, assigned]).when(requestClosure()).thenThrows('FINDING_NOT_IN_PROGRESS', 'conflict');
    });

    it('rejects closure of a finding that was never assigned', () => {
      spec.given([recorded]).when(requestClosure()).thenThrows('FINDING_NOT_IN_PROGRESS', 'conflict');
    });

    it('rejects asking for closure twice', () => {
      spec.given(pending).when(requestClosure()).thenThrows('FINDING_NOT_IN_PROGRESS', 'conflict');
    });

    it('rejects closure without evidence', () => {
      spec.given(inProgress).when(requestClosure([])).thenThrows('EVIDENCE_REQUIRED', 'invalid');
    });

    it("rejects closure without the head's sign-off", () => {
      spec
        .given(inProgress)
        .when(requestClosure(['ev-1'], ''))
        .thenThrows('VALUE_REQUIRED', 'invalid');
    });
  });

  describe('VerifyRectification', () => {
    it('closes (销号) an accepted rectification at the time of verification', () => {
      const state = spec
        .given(pending)
        .when(verify({ accepted: true }))
        .then([verified]);
      expect(state.status).toBe('closed');
      expect(rectificationOf(state)?.closedAt).toBe(now);
    });

    it('sends a rejected rectification back into progress with the reason', () => {
      const state = spec
        .given(pending)
        .when(verify({ accepted: false, reason: '证明材料不全', dueOn: '2024-09-30' }))
        .then([
          {
            type: 'RectificationRejected',
            data: { findingId, reason: '证明材料不全', dueOn: '2024-09-30', occurredAt: now },
          },
        ]);
      expect(state.status).toBe('in_progress');
      expect(rectificationOf(state)).toMatchObject({ rejectedCount: 1, lastRejectionReason: '证明材料不全', cycle: 1 });
      expect(rectificationOf(state)).toMatchObject({ dueOn: '2024-09-30', originalDueOn: '2024-10-31' });
    });

    it('rejects a rejection without a reason', () => {
      spec
        .given(pending)
        .when(verify({ accepted: false, reason: ' ' }))
        .thenThrows('REASON_REQUIRED', 'invalid');
    });

    it('accepts a long-term rectification as ongoing (阶段性完成、持续整改)', () => {
      const state = spec
        .given(longTermPending)
        .when(verify({ accepted: true, ongoing: true }))
        .then([markedOngoing]);
      expect(state.status).toBe('ongoing');
      expect(rectificationOf(state)).toMatchObject({ ongoingSince: now });
      expect(rectificationOf(state)?.closedAt).toBeUndefined();
    });

    it('rejects ongoing for a deadline rectification', () => {
      spec
        .given(pending)
        .when(verify({ accepted: true, ongoing: true }))
        .thenThrows('ONGOING_ONLY_FOR_LONG_TERM', 'conflict');
    });

    it('rejects ongoing for a rejected rectification', () => {
      spec
        .given(longTermPending)
        .when(verify({ accepted: false, ongoing: true, reason: 'x' }))
        .thenThrows('ONGOING_REQUIRES_ACCEPTANCE', 'invalid');
    });

    it('rejects verifying twice', () => {
      spec
        .given(closed)
        .when(verify({ accepted: true }))
        .thenThrows('FINDING_NOT_PENDING_VERIFICATION', 'conflict');
    });

    it('rejects verification of a finding that was never assigned', () => {
      spec
        .given([recorded])
        .when(verify({ accepted: true }))
        .thenThrows('FINDING_NOT_PENDING_VERIFICATION', 'conflict');
    });

    it('rejects verification of a rectification still in progress', () => {
      spec
        .given(inProgress)
        .when(verify({ accepted: true }))
        .thenThrows('FINDING_NOT_PENDING_VERIFICATION', 'conflict');
    });

    it('rejects verification of a finding that does not exist', () => {
      spec
        .given([])
        .when(verify({ accepted: true }))
        .thenThrows('FINDING_NOT_FOUND', 'not_found');
    });
  });

  describe('ReopenRectification', () => {
    const reopened = (cycle: number): FindingEvent => ({
      type: 'RectificationReopened',
      data: { findingId, reason: '回头看发现虚假整改', cycle, dueOn: '2024-12-31', occurredAt: now },
    });

    it('reopens a closed rectification into a new cycle (回头看)', () => {
      const state = spec
        .given(closed)
        .when(reopen())
        .then([reopened(2)]);
      expect(state.status).toBe('in_progress');
      expect(rectificationOf(state)).toMatchObject({
        cycle: 2,
        reopenedCount: 1,
        lastReopenReason: '回头看发现虚假整改',
      });
      expect(rectificationOf(state)?.closedAt).toBeUndefined();
    });

    it('reopens an ongoing rectification that slid back (反弹回潮)', () => {
      const state = spec
        .given(ongoing)
        .when(reopen())
        .then([reopened(2)]);
      expect(state.status).toBe('in_progress');
      expect(rectificationOf(state)?.ongoingSince).toBeUndefined();
    });

    it('counts cycles across repeated reopening', () => {
      const state = spec
        .given([...closed, reopened(2), closureRequested, verified])
        .when(reopen())
        .then([reopened(3)]);
      expect(rectificationOf(state)).toMatchObject({ cycle: 3, reopenedCount: 2 });
    });

    it('rejects reopening a rectification still in progress', () => {
      spec.given(inProgress).when(reopen()).thenThrows('FINDING_NOT_CLOSED_OR_ONGOING', 'conflict');
    });

    it('rejects reopening a rectification waiting for verification', () => {
      spec.given(pending).when(reopen()).thenThrows('FINDING_NOT_CLOSED_OR_ONGOING', 'conflict');
    });

    it('rejects reopening without a reason', () => {
      spec.given(closed).when(reopen('')).thenThrows('REASON_REQUIRED', 'invalid');
    });
  });

  describe('DismissFinding', () => {
    it('dismisses a recorded finding with a reason (不予整改)', () => {
      const state = spec.given([recorded]).when(dismiss()).then([dismissed]);
      expect(state).toMatchObject({ status: 'dismissed', dismissal: { reason: '经核实不属实', at: now } });
    });

    it('rejects dismissing a finding after it was assigned', () => {
      spec.given([recorded, assigned]).when(dismiss()).thenThrows('FINDING_ALREADY_ASSIGNED', 'conflict');
    });

    it('rejects dismissing without a reason', () => {
      spec.given([recorded]).when(dismiss(' ')).thenThrows('REASON_REQUIRED', 'invalid');
    });

    it('rejects dismissing twice', () => {
      spec.given([recorded, dismissed]).when(dismiss()).thenThrows('FINDING_DISMISSED', 'conflict');
    });

    it('refuses every later command on a dismissed finding', () => {
      for (const later of [
        acknowledge(),
        submitPlan(),
        report(),
        requestClosure(),
        verify({ accepted: true }),
        reopen(),
      ]) {
        spec.given([recorded, dismissed]).when(later).thenThrows('FINDING_DISMISSED', 'conflict');
      }
    });

    it('rejects dismissing a finding that does not exist', () => {
      spec.given([]).when(dismiss()).thenThrows('FINDING_NOT_FOUND', 'not_found');
    });
  });
});

describe('finding rules', () => {
  const stateOf = (events: FindingEvent[]) => foldEvents(findingDecider, events);

  describe('liaisonMayAct', () => {
    it("lets a liaison act on their own department's rectification", () => {
      expect(liaisonMayAct(stateOf([recorded, assigned]), 'd-minzheng')).toBe(true);
    });

    it('keeps a liaison of another department out', () => {
      expect(liaisonMayAct(stateOf([recorded, assigned]), 'd-jiaoyu')).toBe(false);
    });

    it('keeps a co-unit liaison out: the responsible unit acts', () => {
      expect(liaisonMayAct(stateOf([recorded, assigned]), 'd-jiedao')).toBe(false);
    });

    it('keeps every liaison out before assignment, even of the department the finding was recorded in', () => {
      expect(liaisonMayAct(stateOf([recorded]), 'd-minzheng')).toBe(false);
      expect(liaisonMayAct(stateOf([]), 'd-minzheng')).toBe(false);
    });

    it('keeps a liaison without a department out', () => {
      expect(liaisonMayAct(stateOf([recorded, assigned]), undefined)).toBe(false);
    });
  });

  describe('overdue and warning colours (derived, never stored)', () => {
    // assigned is due 2024-10-31
    it('counts days left to the due date', () => {
      expect(daysLeft(stateOf([recorded, assigned]), '2024-10-21')).toBe(10);
      expect(daysLeft(stateOf([recorded]), '2024-10-21')).toBeUndefined();
    });

    it('is overdue once the due date has passed and it is not closed', () => {
      expect(isOverdue(stateOf(inProgress), '2024-11-01')).toBe(true);
      expect(isOverdue(stateOf(pending), '2024-11-01')).toBe(true);
      expect(warningLevel(stateOf(inProgress), '2024-11-01')).toBe('red');
    });

    it('is not overdue on the due date itself', () => {
      expect(isOverdue(stateOf(inProgress), '2024-10-31')).toBe(false);
      expect(warningLevel(stateOf(inProgress), '2024-10-31')).toBe('yellow');
    });

    it('is never overdue once closed, ongoing, dismissed or not yet assigned', () => {
      for (const events of [closed, ongoing, [recorded, dismissed], [recorded]]) {
        expect(isOverdue(stateOf(events), '2025-06-01')).toBe(false);
        expect(warningLevel(stateOf(events), '2025-06-01')).toBe('none');
      }
    });

    it('warns green within 20 days, yellow within 10, nothing earlier', () => {
      const state = stateOf(inProgress);
      expect(warningLevel(state, '2024-10-11')).toBe('green');
      expect(warningLevel(state, '2024-10-21')).toBe('yellow');
      expect(warningLevel(state, '2024-10-10')).toBe('none');
    });

    it('takes configured thresholds', () => {
      expect(warningLevel(stateOf(inProgress), '2024-10-01', { greenDays: 30, yellowDays: 15 })).toBe('green');
    });
  });

  describe('RecordFindingFollowUp (回访)', () => {
    const visit = {
      visitedOn: '2024-08-28',
      visiteeRef: 'pd-visitee',
      satisfaction: 'basically_satisfied',
      note: '满意',
    };
    const followUp = () =>
      ({ type: 'RecordFindingFollowUp', data: { findingId, ...visit }, metadata }) as FindingCommand;
    const closedHistory = [recorded, assignedAs('immediate'), closureRequested, verified];

    it('records a visit after the rectification was closed, keeping the finding closed', () => {
      const state = spec
        .given(closedHistory)
        .when(followUp())
        .then([
          {
            type: 'FindingFollowUpRecorded',
            data: { findingId, roundId: 'r1', ...visit, satisfaction: 'basically_satisfied', occurredAt: now },
          },
        ]);
      expect(state).toMatchObject({ status: 'closed', followUps: [{ ...visit, at: now }] });
    });

    it('refuses a visit before the rectification is closed or ongoing', () => {
      spec.given([recorded, assigned]).when(followUp()).thenThrows('FOLLOW_UP_BEFORE_RECTIFICATION', 'conflict');
    });
  });
});
