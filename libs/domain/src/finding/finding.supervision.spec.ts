import { foldEvents } from '../common/decider.js';
import { upcast } from '../upcasting.js';
import { DeciderSpecification } from '../testing/decider-spec.js';
import { findingDecider } from './finding.decider.js';
import type { FindingCommand, FindingEvent, FindingState, RectificationType } from './finding.types.js';

/* 督办, 申请延期, new deadlines on rejection and reopening, and evidence files (docs/domain.md "Supervision"). */

const now = '2024-08-28T02:00:00.000Z';
const later = '2024-09-10T02:00:00.000Z';
const findingId = 'fd1';
const spec = DeciderSpecification.for(findingDecider);
const sha = 'a'.repeat(64);
const pdf = 'application/pdf';

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
const assignedAs = (type: RectificationType): FindingEvent => ({
  type: 'RectificationAssigned',
  data: {
    findingId,
    type,
    departmentId: 'd-minzheng',
    coDepartmentIds: [],
    responsiblePerson: '区民政局分管副局长',
    dueOn: '2024-10-31',
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
  data: { findingId, evidence: [{ kind: 'paper', name: '台账' }], signedOffBy: '局长', occurredAt: now },
};
const verified: FindingEvent = { type: 'RectificationVerified', data: { findingId, occurredAt: now } };
const dismissed: FindingEvent = { type: 'FindingDismissed', data: { findingId, reason: '不属实', occurredAt: now } };
const inProgress = [recorded, assignedAs('deadline'), acknowledged, planned];

const command = (type: FindingCommand['type'], data: Record<string, unknown>, at = later, role = 'official') =>
  ({ type, data: { findingId, ...data }, metadata: { now: at, userId: 'u1', role } }) as FindingCommand;
const supervise = (data: Record<string, unknown> = {}) =>
  command('SuperviseRectification', {
    level: 'notice',
    text: '请于期限内报送整改情况',
    respondBy: '2024-09-20',
    ...data,
  });
const requestExtension = (newDueOn = '2024-12-31', reason = '需跨年度实施') =>
  command('RequestExtension', { newDueOn, reason }, later, 'unit_liaison');
const decide = (granted: boolean, reason?: string) =>
  command('DecideExtension', { granted, ...(reason ? { reason } : {}) });

const supervised = (number: number, dueOn = '2024-10-31'): FindingEvent => ({
  type: 'RectificationSupervised',
  data: {
    findingId,
    number,
    level: 'notice',
    text: '请于期限内报送整改情况',
    departmentId: 'd-minzheng',
    dueOn,
    respondBy: '2024-09-20',
    occurredAt: later,
  },
});
const extensionRequested: FindingEvent = {
  type: 'ExtensionRequested',
  data: { findingId, currentDueOn: '2024-10-31', newDueOn: '2024-12-31', reason: '需跨年度实施', occurredAt: later },
};
const extensionGranted: FindingEvent = {
  type: 'ExtensionGranted',
  data: { findingId, previousDueOn: '2024-10-31', dueOn: '2024-12-31', occurredAt: later },
};
const rectificationOf = (state: FindingState) => (state.status === 'absent' ? undefined : state.rectification);

describe('SuperviseRectification (督办)', () => {
  it('issues a numbered notice to the responsible unit with the current deadline; the status stays', () => {
    const state = spec
      .given(inProgress)
      .when(supervise())
      .then([supervised(1)]);
    expect(state.status).toBe('in_progress');
    expect(rectificationOf(state)?.notices).toEqual([
      {
        number: 1,
        level: 'notice',
        text: '请于期限内报送整改情况',
        respondBy: '2024-09-20',
        dueOn: '2024-10-31',
        at: later,
      },
    ]);
  });

  it('numbers a second notice 2, escalating to 约谈', () => {
    spec
      .given([...inProgress, supervised(1)])
      .when(supervise({ level: 'summons' }))
      .then([{ ...supervised(2), data: { ...supervised(2).data, level: 'summons' } } as FindingEvent]);
  });

  it('supervises a rectification waiting for verification, and an assigned one not yet acknowledged', () => {
    spec
      .given([...inProgress, closureRequested])
      .when(supervise())
      .then([supervised(1)]);
    spec
      .given([recorded, assignedAs('deadline')])
      .when(supervise())
      .then([supervised(1)]);
  });

  it('refuses a closed, a dismissed, a recorded and an absent finding', () => {
    spec
      .given([...inProgress, closureRequested, verified])
      .when(supervise())
      .thenThrows('FINDING_NOT_OPEN', 'conflict');
    spec.given([recorded, dismissed]).when(supervise()).thenThrows('FINDING_DISMISSED', 'conflict');
    spec.given([recorded]).when(supervise()).thenThrows('FINDING_NOT_OPEN', 'conflict');
    spec.given([]).when(supervise()).thenThrows('FINDING_NOT_FOUND', 'not_found');
  });

  it('refuses an unknown level, an empty text, a respond-by date in the past or not a date', () => {
    expect(
      spec
        .given(inProgress)
        .when(supervise({ level: 'warning' }))
        .thenThrows('INVALID_VALUE').field,
    ).toBe('level');
    expect(
      spec
        .given(inProgress)
        .when(supervise({ text: ' ' }))
        .thenThrows('VALUE_REQUIRED').field,
    ).toBe('text');
    const past = spec
      .given(inProgress)
      .when(supervise({ respondBy: '2024-09-09' }))
      .thenThrows('DATE_IN_THE_PAST');
    expect(past.field).toBe('respondBy');
    spec
      .given(inProgress)
      .when(supervise({ respondBy: '2024-09-31' }))
      .thenThrows('INVALID_DATE', 'invalid');
  });
});

describe('RequestExtension and DecideExtension (申请延期)', () => {
  it('records a request without moving the due date', () => {
    const state = spec.given(inProgress).when(requestExtension()).then([extensionRequested]);
    expect(rectificationOf(state)).toMatchObject({
      dueOn: '2024-10-31',
      extension: { state: 'requested', requestedDueOn: '2024-12-31', reason: '需跨年度实施', requestedAt: later },
    });
  });

  it('moves the due date on a grant and keeps the original and every deadline', () => {
    const state = spec
      .given([...inProgress, extensionRequested])
      .when(decide(true))
      .then([extensionGranted]);
    expect(state.status).toBe('in_progress');
    expect(rectificationOf(state)).toMatchObject({
      dueOn: '2024-12-31',
      originalDueOn: '2024-10-31',
      deadlines: [
        { dueOn: '2024-10-31', cause: 'assigned', at: now },
        { dueOn: '2024-12-31', cause: 'extension', at: later },
      ],
      extension: { state: 'granted', decidedAt: later },
    });
  });

  it('keeps the due date on a refusal, with the reason', () => {
    const state = spec
      .given([...inProgress, extensionRequested])
      .when(decide(false, '理由不充分'))
      .then([
        {
          type: 'ExtensionRefused',
          data: { findingId, requestedDueOn: '2024-12-31', reason: '理由不充分', occurredAt: later },
        },
      ]);
    expect(rectificationOf(state)).toMatchObject({
      dueOn: '2024-10-31',
      deadlines: [{ dueOn: '2024-10-31', cause: 'assigned', at: now }],
      extension: { state: 'refused', decisionReason: '理由不充分' },
    });
  });

  it('lets a unit ask again after a decision, and a notice after a grant names the new deadline', () => {
    const refused: FindingEvent = {
      type: 'ExtensionRefused',
      data: { findingId, requestedDueOn: '2024-12-31', reason: '理由不充分', occurredAt: later },
    };
    spec
      .given([...inProgress, extensionRequested, refused])
      .when(requestExtension())
      .then([extensionRequested]);
    spec
      .given([...inProgress, extensionRequested, extensionGranted])
      .when(supervise())
      .then([supervised(1, '2024-12-31')]);
  });

  it('refuses a second request while one waits, and a decision with none waiting', () => {
    spec
      .given([...inProgress, extensionRequested])
      .when(requestExtension())
      .thenThrows('EXTENSION_ALREADY_REQUESTED', 'conflict');
    spec.given(inProgress).when(decide(true)).thenThrows('NO_EXTENSION_REQUESTED', 'conflict');
    spec
      .given([...inProgress, extensionRequested, extensionGranted])
      .when(decide(true))
      .thenThrows('NO_EXTENSION_REQUESTED', 'conflict');
  });

  it('refuses a new date not later than the due date, a request without a reason, a refusal without one', () => {
    const same = spec.given(inProgress).when(requestExtension('2024-10-31')).thenThrows('EXTENSION_NOT_LATER');
    expect(same.field).toBe('newDueOn');
    spec.given(inProgress).when(requestExtension('2024-12-31', '')).thenThrows('REASON_REQUIRED', 'invalid');
    spec
      .given([...inProgress, extensionRequested])
      .when(decide(false))
      .thenThrows('REASON_REQUIRED', 'invalid');
  });

  it('refuses an extension of a closed rectification', () => {
    spec
      .given([...inProgress, closureRequested, verified])
      .when(requestExtension())
      .thenThrows('FINDING_NOT_OPEN', 'conflict');
  });
});

describe('new deadlines (验收未通过, 回头看)', () => {
  const pending = [...inProgress, closureRequested];
  const reject = (dueOn?: string) =>
    command('VerifyRectification', { accepted: false, reason: '材料不全', ...(dueOn ? { dueOn } : {}) });
  const reopen = (dueOn?: string) =>
    command('ReopenRectification', { reason: '反弹回潮', ...(dueOn ? { dueOn } : {}) });

  it('requires a new due date when a 限期整改 is rejected or reopened', () => {
    expect(spec.given(pending).when(reject()).thenThrows('NEW_DUE_DATE_REQUIRED').field).toBe('dueOn');
    spec
      .given([...pending, verified])
      .when(reopen())
      .thenThrows('NEW_DUE_DATE_REQUIRED', 'invalid');
  });

  it('refuses a new due date in the past', () => {
    spec.given(pending).when(reject('2024-09-01')).thenThrows('DATE_IN_THE_PAST', 'invalid');
  });

  it('lets an immediate rectification be rejected without one, keeping its date', () => {
    const immediatePending = [recorded, assignedAs('immediate'), closureRequested];
    const state = spec
      .given(immediatePending)
      .when(reject())
      .then([{ type: 'RectificationRejected', data: { findingId, reason: '材料不全', occurredAt: later } }]);
    expect(rectificationOf(state)?.dueOn).toBe('2024-10-31');
  });

  it('records a reopening deadline in the history of deadlines', () => {
    const state = spec
      .given([...pending, verified])
      .when(reopen('2025-03-31'))
      .then([
        {
          type: 'RectificationReopened',
          data: { findingId, reason: '反弹回潮', cycle: 2, dueOn: '2025-03-31', occurredAt: later },
        },
      ]);
    expect(rectificationOf(state)).toMatchObject({ dueOn: '2025-03-31', originalDueOn: '2024-10-31' });
    expect(rectificationOf(state)?.deadlines.map((d) => d.cause)).toEqual(['assigned', 'reopened']);
  });
});

describe('evidence files (佐证材料)', () => {
  const file = { kind: 'file' as const, sha256: sha, name: '整改报告.pdf', size: 2048, mediaType: pdf };
  const report = (evidence: unknown[]) =>
    command('ReportProgress', { note: '已排查', percent: 50, evidence }, later, 'unit_liaison');

  it('carries a file by hash, name, size and type, and a string as a paper reference', () => {
    const state = spec
      .given(inProgress)
      .when(report([file, '纸质台账']))
      .then([
        {
          type: 'ProgressReported',
          data: {
            findingId,
            note: '已排查',
            percent: 50,
            evidence: [file, { kind: 'paper', name: '纸质台账' }],
            occurredAt: later,
          },
        },
      ]);
    expect(rectificationOf(state)?.evidence).toHaveLength(2);
  });

  it('keeps each file once across reports, by its hash', () => {
    const progress: FindingEvent = {
      type: 'ProgressReported',
      data: { findingId, note: 'x', percent: 10, evidence: [file], occurredAt: now },
    };
    const renamed = { ...file, name: '同一文件.pdf' };
    const again: FindingEvent = { ...progress, data: { ...progress.data, evidence: [renamed] } };
    const state = foldEvents(findingDecider, [...inProgress, progress, again]);
    expect(rectificationOf(state)?.evidence).toEqual([file]);
  });

  it('refuses a malformed hash, a size that is not positive, a type not allowed', () => {
    const bad = (change: Record<string, unknown>) =>
      spec
        .given(inProgress)
        .when(report([{ ...file, ...change }]))
        .thenThrows('INVALID_EVIDENCE', 'invalid');
    expect(bad({ sha256: 'xyz' }).field).toBe('evidence[0].sha256');
    expect(bad({ size: 0 }).field).toBe('evidence[0].size');
    const type = spec
      .given(inProgress)
      .when(report([{ ...file, mediaType: 'text/html' }]))
      .thenThrows('INVALID_VALUE');
    expect(type.field).toBe('evidence[0].mediaType');
  });

  it('reads a version 1 event, whose evidence was plain strings, as paper references', () => {
    const stored = { findingId, note: 'x', percent: 10, evidence: ['台账照片-1.jpg'], occurredAt: now };
    const data = upcast('ProgressReported', stored, undefined) as FindingEvent['data'];
    const event = { type: 'ProgressReported', data } as FindingEvent;
    const state = foldEvents(findingDecider, [...inProgress, event]);
    expect(rectificationOf(state)?.evidence).toEqual([{ kind: 'paper', name: '台账照片-1.jpg' }]);
    const closure = upcast('ClosureRequested', { evidence: ['整改报告.pdf'], signedOffBy: '局长' }, 1);
    expect(closure).toEqual({ evidence: [{ kind: 'paper', name: '整改报告.pdf' }], signedOffBy: '局长' });
  });
});
