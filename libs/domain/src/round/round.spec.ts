import { DeciderSpecification } from '../testing/decider-spec.js';
import { foldEvents } from '../common/decider.js';
import { inspectionRoundDecider, roundStream } from './round.decider.js';
import {
  canRecordFinding,
  canRecordLead,
  ensureFindingMayBeRecorded,
  ensureLeadMayBeRecorded,
  findMonitoringPoint,
} from './round.rules.js';
import type { RoundCommand, RoundEvent, RoundStatus } from './round.types.js';

const now = '2024-08-26T01:30:00.000Z';
const later = '2024-08-27T02:00:00.000Z';
const metadata = { now };
const roundId = 'r1';
const spec = DeciderSpecification.for(inspectionRoundDecider);

const planned: RoundEvent = {
  type: 'RoundPlanned',
  data: {
    roundId,
    kind: 'mobile',
    title: '平城区困难群众救助领域和基层执法领域机动式巡察',
    scope: '困难群众救助领域和基层执法领域',
    startsOn: '2024-08-26',
    endsOn: '2024-09-20',
    team: '区委第三巡察组',
    occurredAt: now,
  },
};
const fieldAdded: RoundEvent = {
  type: 'FocusFieldAdded',
  data: { roundId, fieldId: 'f1', name: '社会救助', occurredAt: now },
};
const pointAdded: RoundEvent = {
  type: 'MonitoringPointAdded',
  data: {
    roundId,
    pointId: 'p1',
    fieldId: 'f1',
    title: '低保审核审批是否到人到户',
    targets: [{ kind: 'department', name: '区民政局', departmentId: 'd-minzheng' }],
    occurredAt: now,
  },
};
const milestone = (type: RoundEvent['type'], at = now) => ({ type, data: { roundId, occurredAt: at } }) as RoundEvent;
const stationed = milestone('RoundStationed');
const reported = milestone('RoundReported');
const feedbackDelivered = milestone('RoundFeedbackDelivered');
const rectifying = milestone('RoundRectificationStarted');
const evaluated = milestone('RoundEvaluated');
const archived = milestone('RoundArchived');

/** The events that bring a round to each status. */
const historyAt: Record<RoundStatus, RoundEvent[]> = {
  planned: [planned, fieldAdded, pointAdded],
  stationed: [planned, fieldAdded, pointAdded, stationed],
  reported: [planned, fieldAdded, pointAdded, stationed, reported],
  feedback_delivered: [planned, fieldAdded, pointAdded, stationed, reported, feedbackDelivered],
  rectifying: [planned, fieldAdded, pointAdded, stationed, reported, feedbackDelivered, rectifying],
  evaluated: [planned, fieldAdded, pointAdded, stationed, reported, feedbackDelivered, rectifying, evaluated],
  archived: [planned, fieldAdded, pointAdded, stationed, reported, feedbackDelivered, rectifying, evaluated, archived],
};
const stateAt = (status: RoundStatus) => foldEvents(inspectionRoundDecider, historyAt[status]);

const plan = (overrides: Partial<Extract<RoundCommand, { type: 'PlanRound' }>['data']> = {}): RoundCommand => ({
  type: 'PlanRound',
  data: {
    roundId,
    kind: 'mobile',
    title: '平城区困难群众救助领域和基层执法领域机动式巡察',
    scope: '困难群众救助领域和基层执法领域',
    startsOn: '2024-08-26',
    endsOn: '2024-09-20',
    team: '区委第三巡察组',
    ...overrides,
  },
  metadata,
});
const addField = (fieldId = 'f2', name = '医疗救助'): RoundCommand => ({
  type: 'AddFocusField',
  data: { roundId, fieldId, name },
  metadata,
});
const addPoint = (
  overrides: Partial<Extract<RoundCommand, { type: 'AddMonitoringPoint' }>['data']> = {},
): RoundCommand => ({
  type: 'AddMonitoringPoint',
  data: {
    roundId,
    pointId: 'p2',
    fieldId: 'f1',
    title: '临时救助发放是否及时',
    targets: [{ kind: 'post', name: '社会救助科科长' }],
    ...overrides,
  },
  metadata,
});

describe('InspectionRound decider', () => {
  it('names its stream round-{id}', () => {
    expect(roundStream('r1')).toBe('round-r1');
  });

  describe('planning a round', () => {
    it('plans a round on an empty stream, stamped with the command time', () => {
      const state = spec.given([]).when(plan()).then([planned]);
      expect(state).toMatchObject({
        status: 'planned',
        fields: [],
        monitoringPoints: [],
        milestones: { planned: now },
      });
    });

    it('takes the time from a Date as well as from an ISO string', () => {
      const command = { ...plan(), metadata: { now: new Date(now) } } as RoundCommand;
      spec.given([]).when(command).then([planned]);
    });

    it('rejects planning a round twice', () => {
      spec.given([planned]).when(plan()).thenThrows('ROUND_ALREADY_PLANNED', 'conflict');
    });

    it('rejects a period that ends before it starts', () => {
      spec
        .given([])
        .when(plan({ endsOn: '2024-08-01' }))
        .thenThrows('ROUND_PERIOD_INVALID', 'invalid');
    });

    it('rejects a start date that is not a calendar date', () => {
      spec
        .given([])
        .when(plan({ startsOn: '2024-02-30' }))
        .thenThrows('INVALID_DATE', 'invalid');
    });

    it('rejects an unknown kind of round', () => {
      spec
        .given([])
        .when(plan({ kind: 'secret' as never }))
        .thenThrows('INVALID_VALUE', 'invalid');
    });

    it('rejects a round without a title', () => {
      const error = spec
        .given([])
        .when(plan({ title: '  ' }))
        .thenThrows('VALUE_REQUIRED', 'invalid');
      expect(error.field).toBe('title');
    });

    it('rejects a command whose now is not a timestamp', () => {
      spec
        .given([])
        .when({ ...plan(), metadata: { now: 'yesterday' } })
        .thenThrows('INVALID_TIMESTAMP');
    });
  });

  describe('focus fields', () => {
    it('adds a focus field while planned', () => {
      const state = spec
        .given(historyAt.planned)
        .when(addField())
        .then([{ type: 'FocusFieldAdded', data: { roundId, fieldId: 'f2', name: '医疗救助', occurredAt: now } }]);
      expect(state.status !== 'absent' && state.fields.map((f) => f.name)).toEqual(['社会救助', '医疗救助']);
    });

    it('adds a focus field while stationed', () => {
      spec
        .given(historyAt.stationed)
        .when(addField())
        .then([{ type: 'FocusFieldAdded', data: { roundId, fieldId: 'f2', name: '医疗救助', occurredAt: now } }]);
    });

    it('rejects a focus field once the round has reported', () => {
      spec.given(historyAt.reported).when(addField()).thenThrows('ROUND_NOT_OPEN_FOR_PLANNING', 'conflict');
    });

    it('rejects a focus field whose name the round already has', () => {
      spec
        .given(historyAt.planned)
        .when(addField('f9', '社会救助'))
        .thenThrows('FOCUS_FIELD_ALREADY_EXISTS', 'conflict');
    });

    it('rejects a focus field for a round that does not exist', () => {
      spec.given([]).when(addField()).thenThrows('ROUND_NOT_FOUND', 'not_found');
    });
  });

  describe('monitoring points', () => {
    const added: RoundEvent = {
      type: 'MonitoringPointAdded',
      data: {
        roundId,
        pointId: 'p2',
        fieldId: 'f1',
        title: '临时救助发放是否及时',
        targets: [{ kind: 'post', name: '社会救助科科长' }],
        occurredAt: now,
      },
    };

    it('adds a monitoring point to a field while planned', () => {
      const state = spec.given(historyAt.planned).when(addPoint()).then([added]);
      expect(findMonitoringPoint(state, 'p2')).toEqual({
        pointId: 'p2',
        fieldId: 'f1',
        title: '临时救助发放是否及时',
        targets: [{ kind: 'post', name: '社会救助科科长' }],
      });
    });

    it('adds a monitoring point while stationed', () => {
      spec.given(historyAt.stationed).when(addPoint()).then([added]);
    });

    it('writes a person target by its vault ref only, never a name', () => {
      const person = { kind: 'person' as const, ref: 'ref-1', departmentId: 'd-minzheng' };
      const withName = { ...person, name: '刘某' } as unknown as typeof person;
      spec
        .given(historyAt.planned)
        .when(addPoint({ targets: [withName] }))
        .then([{ ...added, data: { ...added.data, targets: [person] } }]);
    });

    it('refuses a person target that the application did not protect (a name and no ref)', () => {
      const error = spec
        .given(historyAt.planned)
        .when(addPoint({ targets: [{ kind: 'person', name: '幸福里社区党组织书记（刘某）' }] }))
        .thenThrows('VALUE_REQUIRED');
      expect(error.field).toBe('targets[0].ref');
    });

    it('rejects a monitoring point once feedback was delivered', () => {
      spec.given(historyAt.feedback_delivered).when(addPoint()).thenThrows('ROUND_NOT_OPEN_FOR_PLANNING', 'conflict');
    });

    it('rejects a monitoring point in a field the round does not have', () => {
      spec
        .given(historyAt.planned)
        .when(addPoint({ fieldId: 'nope' }))
        .thenThrows('FOCUS_FIELD_NOT_FOUND', 'invalid');
    });

    it('rejects a monitoring point aimed at nobody', () => {
      spec
        .given(historyAt.planned)
        .when(addPoint({ targets: [] }))
        .thenThrows('MONITORING_POINT_TARGETS_REQUIRED', 'invalid');
    });

    it('rejects a target of an unknown kind', () => {
      spec
        .given(historyAt.planned)
        .when(addPoint({ targets: [{ kind: 'planet' as never, name: 'x' }] }))
        .thenThrows('INVALID_VALUE', 'invalid');
    });

    it('rejects a monitoring point id used twice', () => {
      spec
        .given(historyAt.planned)
        .when(addPoint({ pointId: 'p1' }))
        .thenThrows('MONITORING_POINT_ALREADY_EXISTS', 'conflict');
    });

    it('rejects a monitoring point for a round that does not exist', () => {
      spec.given([]).when(addPoint()).thenThrows('ROUND_NOT_FOUND', 'not_found');
    });
  });

  describe('lifecycle', () => {
    const steps = [
      ['StationRound', 'planned', 'RoundStationed', 'stationed', 'ROUND_NOT_PLANNED'],
      ['ReportRound', 'stationed', 'RoundReported', 'reported', 'ROUND_NOT_STATIONED'],
      ['DeliverRoundFeedback', 'reported', 'RoundFeedbackDelivered', 'feedback_delivered', 'ROUND_NOT_REPORTED'],
      [
        'StartRoundRectification',
        'feedback_delivered',
        'RoundRectificationStarted',
        'rectifying',
        'ROUND_FEEDBACK_NOT_DELIVERED',
      ],
      ['EvaluateRound', 'rectifying', 'RoundEvaluated', 'evaluated', 'ROUND_NOT_RECTIFYING'],
      ['ArchiveRound', 'evaluated', 'RoundArchived', 'archived', 'ROUND_NOT_EVALUATED'],
    ] as const;

    describe.each(steps)('%s', (commandType, from, eventType, to, refusal) => {
      const command = (occurredAt?: string) =>
        ({ type: commandType, data: { roundId, ...(occurredAt ? { occurredAt } : {}) }, metadata }) as RoundCommand;

      it(`moves the round from ${from} to ${to}`, () => {
        const state = spec
          .given(historyAt[from])
          .when(command())
          .then([milestone(eventType)]);
        expect(state).toMatchObject({ status: to, milestones: { [to]: now } });
      });

      it('records when it happened if the user says so', () => {
        spec
          .given(historyAt[from])
          .when(command(later))
          .then([milestone(eventType, later)]);
      });

      it('rejects an occurredAt that is not a timestamp', () => {
        spec.given(historyAt[from]).when(command('last tuesday')).thenThrows('INVALID_TIMESTAMP', 'invalid');
      });

      it.each(Object.keys(historyAt).filter((status) => status !== from) as RoundStatus[])(
        `rejects it when the round is %s`,
        (status) => {
          spec.given(historyAt[status]).when(command()).thenThrows(refusal, 'conflict');
        },
      );

      it('rejects it for a round that does not exist', () => {
        spec.given([]).when(command()).thenThrows('ROUND_NOT_FOUND', 'not_found');
      });
    });
  });
});

describe('round rules for other streams', () => {
  const statuses = Object.keys(historyAt) as RoundStatus[];

  it.each(statuses)('allows recording findings only while stationed (%s)', (status) => {
    expect(canRecordFinding(stateAt(status))).toBe(status === 'stationed');
  });

  it.each(statuses)('allows recording leads from stationed to feedback_delivered (%s)', (status) => {
    expect(canRecordLead(stateAt(status))).toBe(['stationed', 'reported', 'feedback_delivered'].includes(status));
  });

  it('allows nothing on a round that does not exist', () => {
    const empty = inspectionRoundDecider.initialState();
    expect(canRecordFinding(empty)).toBe(false);
    expect(canRecordLead(empty)).toBe(false);
    expect(findMonitoringPoint(empty, 'p1')).toBeUndefined();
  });

  it('answers the monitoring point, with its field, for a finding in a stationed round', () => {
    expect(ensureFindingMayBeRecorded(stateAt('stationed'), 'p1')).toMatchObject({ pointId: 'p1', fieldId: 'f1' });
  });

  it('refuses a finding in a round that does not exist', () => {
    expect(() => ensureFindingMayBeRecorded(inspectionRoundDecider.initialState(), 'p1')).toThrow(
      expect.objectContaining({ code: 'ROUND_NOT_FOUND', kind: 'not_found' }),
    );
  });

  it('refuses a finding in a round that has already reported', () => {
    expect(() => ensureFindingMayBeRecorded(stateAt('reported'), 'p1')).toThrow(
      expect.objectContaining({ code: 'ROUND_NOT_STATIONED', kind: 'conflict' }),
    );
  });

  it('refuses a finding at a monitoring point the round does not have', () => {
    expect(() => ensureFindingMayBeRecorded(stateAt('stationed'), 'p404')).toThrow(
      expect.objectContaining({ code: 'MONITORING_POINT_NOT_FOUND', kind: 'invalid' }),
    );
  });

  it('accepts a lead without a monitoring point up to feedback', () => {
    expect(ensureLeadMayBeRecorded(stateAt('feedback_delivered'))).toBeUndefined();
    expect(ensureLeadMayBeRecorded(stateAt('reported'), 'p1')).toMatchObject({ pointId: 'p1' });
  });

  it('refuses a lead once the round is rectifying', () => {
    expect(() => ensureLeadMayBeRecorded(stateAt('rectifying'))).toThrow(
      expect.objectContaining({ code: 'ROUND_NOT_ACCEPTING_LEADS', kind: 'conflict' }),
    );
  });

  it('refuses a lead in a round that is only planned', () => {
    expect(() => ensureLeadMayBeRecorded(stateAt('planned'))).toThrow(
      expect.objectContaining({ code: 'ROUND_NOT_ACCEPTING_LEADS' }),
    );
  });

  it('refuses a lead at an unknown monitoring point', () => {
    expect(() => ensureLeadMayBeRecorded(stateAt('stationed'), 'p404')).toThrow(
      expect.objectContaining({ code: 'MONITORING_POINT_NOT_FOUND' }),
    );
  });
});

describe('the record of a hand-over import on the round', () => {
  const imported: RoundEvent = {
    type: 'HandoverImported',
    data: {
      roundId,
      bundleSha256: 'a'.repeat(64),
      laptopKey: 'b'.repeat(64),
      streams: 3,
      events: 12,
      evidenceFiles: 1,
      occurredAt: later,
    },
  };

  it('changes nothing of the round: the next step is decided as before', () => {
    const before = foldEvents(inspectionRoundDecider, [planned, fieldAdded, pointAdded]);
    const after = foldEvents(inspectionRoundDecider, [planned, fieldAdded, pointAdded, imported]);
    expect(after).toEqual(before);
    spec
      .given([planned, fieldAdded, pointAdded, imported])
      .when({ type: 'StationRound', data: { roundId }, metadata })
      .then([milestone('RoundStationed')]);
  });
});
