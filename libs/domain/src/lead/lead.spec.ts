import { foldEvents } from '../common/decider.js';
import { DeciderSpecification } from '../testing/decider-spec.js';
import { leadDecider, leadStream } from './lead.decider.js';
import type { LeadCommand, LeadDisposition, LeadEvent, LeadOutcome, LeadState } from './lead.types.js';

const now = '2024-08-29T03:00:00.000Z';
const metadata = { now };
const leadId = 'l1';
const spec = DeciderSpecification.for(leadDecider);

const recorded: LeadEvent = {
  type: 'LeadRecorded',
  data: {
    leadId,
    roundId: 'r1',
    monitoringPointId: 'p1',
    source: 'petition',
    summary: '反映某街道执法队员在夜市检查中选择性执法',
    subjects: [{ ref: 'subj-7f3a', departmentId: 'd-jiedao' }],
    informantRef: 'inf-91c2',
    occurredAt: now,
  },
};
const triagedAs = (decision: 'transfer' | 'reclassify_as_finding' | 'refer_elsewhere'): LeadEvent => ({
  type: 'LeadTriaged',
  data: { leadId, decision, note: '涉嫌违纪，移交区纪委监委', occurredAt: now },
});
const triaged = triagedAs('transfer');
const transferred: LeadEvent = {
  type: 'LeadTransferred',
  data: { leadId, receiver: 'discipline_commission', feedbackDueOn: '2024-11-29', occurredAt: now },
};
const received: LeadEvent = { type: 'LeadReceived', data: { leadId, occurredAt: now } };
const disposed = (method: LeadDisposition, previous?: LeadDisposition): LeadEvent => ({
  type: 'LeadDispositionRecorded',
  data: { leadId, method, ...(previous ? { previous } : {}), occurredAt: now },
});
const outcomeRecorded = (outcome: LeadOutcome): LeadEvent => ({
  type: 'LeadOutcomeRecorded',
  data: { leadId, outcome, note: '已谈话提醒', occurredAt: now },
});
const closed: LeadEvent = { type: 'LeadClosed', data: { leadId, occurredAt: now } };

const upToReceived = [recorded, triaged, transferred, received];
const disposing = [...upToReceived, disposed('talk_or_letter')];
const concluded = [...disposing, outcomeRecorded('reminder')];

const command = <T extends LeadCommand['type']>(
  type: T,
  data: Omit<Extract<LeadCommand, { type: T }>['data'], 'leadId'>,
) => ({ type, data: { leadId, ...data }, metadata }) as LeadCommand;

const record = (overrides: Record<string, unknown> = {}) =>
  command('RecordLead', {
    roundId: 'r1',
    monitoringPointId: 'p1',
    source: 'petition',
    summary: '反映某街道执法队员在夜市检查中选择性执法',
    subjects: [{ ref: 'subj-7f3a', departmentId: 'd-jiedao' }],
    informantRef: 'inf-91c2',
    ...overrides,
  });
const triage = (decision: 'transfer' | 'reclassify_as_finding' | 'refer_elsewhere' = 'transfer') =>
  command('TriageLead', { decision, note: '涉嫌违纪，移交区纪委监委' });
const transfer = (receiver = 'discipline_commission', receiverDepartmentId?: string) =>
  command('TransferLead', { receiver, ...(receiverDepartmentId ? { receiverDepartmentId } : {}) } as never);
const receive = () => command('AcknowledgeLeadReceipt', {});
const dispose = (method: LeadDisposition) => command('RecordDisposition', { method });
const recordOutcome = (outcome: LeadOutcome = 'reminder') => command('RecordOutcome', { outcome, note: '已谈话提醒' });
const close = () => command('CloseLead', {});

const statusOf = (state: LeadState) => state.status;

describe('Lead decider', () => {
  it('names its stream lead-{id}', () => {
    expect(leadStream('l1')).toBe('lead-l1');
  });

  describe('RecordLead', () => {
    it('records a lead with references to its subjects and informant, never their names', () => {
      const state = spec.given([]).when(record()).then([recorded]);
      expect(state).toMatchObject({ status: 'recorded', recordedAt: now, informantRef: 'inf-91c2', dispositions: [] });
    });

    it('keeps only ref, post and department of a subject: anything else handed in is dropped', () => {
      const withName = record({ subjects: [{ ref: 'subj-1', name: '张三' }] });
      const [event] = leadDecider.decide(withName, leadDecider.initialState());
      expect(JSON.stringify(event)).not.toContain('张三');
      expect(event?.data).toMatchObject({ subjects: [{ ref: 'subj-1' }] });
    });

    it('never writes a post beside a subject ref: the post travels with the name, in the vault', () => {
      const subjects = [{ ref: 'subj-7f3a', post: '执法中队长', departmentId: 'd-jiedao' }];
      spec.given([]).when(record({ subjects })).then([recorded]);
    });

    it('keeps the ref of the identifying detail of the account', () => {
      const data = { ...recorded.data, summaryDetailRef: 'detail-1' };
      spec
        .given([])
        .when(record({ summaryDetailRef: 'detail-1' }))
        .then([{ ...recorded, data }]);
    });

    it('records a lead about no named person, without monitoring point or informant', () => {
      spec
        .given([])
        .when(
          record({ subjects: undefined, monitoringPointId: undefined, informantRef: undefined, source: 'site_visit' }),
        )
        .then([
          {
            type: 'LeadRecorded',
            data: {
              leadId,
              roundId: 'r1',
              source: 'site_visit',
              summary: recorded.data.summary,
              subjects: [],
              occurredAt: now,
            },
          },
        ]);
    });

    it('rejects recording the same lead twice', () => {
      spec.given([recorded]).when(record()).thenThrows('LEAD_ALREADY_RECORDED', 'conflict');
    });

    it('rejects a subject without a reference', () => {
      const error = spec
        .given([])
        .when(record({ subjects: [{ ref: '' }] }))
        .thenThrows('VALUE_REQUIRED', 'invalid');
      expect(error.field).toBe('subjects[0].ref');
    });

    it('rejects an unknown source', () => {
      spec
        .given([])
        .when(record({ source: 'rumour' }))
        .thenThrows('INVALID_VALUE', 'invalid');
    });
  });

  describe('TriageLead', () => {
    it('triages a recorded lead for transfer: it stays 已研判 until transferred', () => {
      const state = spec
        .given([recorded])
        .when(triage('transfer'))
        .then([triagedAs('transfer')]);
      expect(state).toMatchObject({ status: 'triaged', triage: { decision: 'transfer', at: now } });
    });

    it('reclassifies a lead as the finding the application recorded and closes the lead', () => {
      const when = command('TriageLead', {
        decision: 'reclassify_as_finding',
        note: '属制度执行问题',
        findingId: 'f9',
      });
      const state = spec
        .given([recorded])
        .when(when)
        .then([
          {
            type: 'LeadTriaged',
            data: {
              leadId,
              decision: 'reclassify_as_finding',
              note: '属制度执行问题',
              findingId: 'f9',
              occurredAt: now,
            },
          },
          closed,
        ]);
      expect(state).toMatchObject({ status: 'closed', findingId: 'f9', closedAt: now });
    });

    it('refers a lead elsewhere and closes it: it is not left 已研判', () => {
      const state = spec
        .given([recorded])
        .when(triage('refer_elsewhere'))
        .then([triagedAs('refer_elsewhere'), closed]);
      expect(state).toMatchObject({ status: 'closed', triage: { decision: 'refer_elsewhere' } });
    });

    it('rejects reclassifying a lead without the finding it becomes, naming the field', () => {
      const error = spec
        .given([recorded])
        .when(triage('reclassify_as_finding'))
        .thenThrows('RECLASSIFIED_FINDING_REQUIRED', 'invalid');
      expect(error.field).toBe('finding');
    });

    it('rejects a finding beside any decision but reclassify_as_finding', () => {
      const error = spec
        .given([recorded])
        .when(command('TriageLead', { decision: 'transfer', findingId: 'f9' }))
        .thenThrows('FINDING_ONLY_FOR_RECLASSIFICATION', 'invalid');
      expect(error.field).toBe('finding');
    });

    it('rejects triaging a lead twice', () => {
      spec.given([recorded, triaged]).when(triage('refer_elsewhere')).thenThrows('LEAD_ALREADY_TRIAGED', 'conflict');
    });

    it('rejects triaging a lead that does not exist', () => {
      spec.given([]).when(triage()).thenThrows('LEAD_NOT_FOUND', 'not_found');
    });

    it('rejects an unknown triage decision', () => {
      spec
        .given([recorded])
        .when(triage('ignore' as never))
        .thenThrows('INVALID_VALUE', 'invalid');
    });
  });

  describe('TransferLead', () => {
    it('transfers a lead triaged for transfer to the discipline commission', () => {
      const state = spec.given([recorded, triaged]).when(transfer()).then([transferred]);
      expect(state).toMatchObject({ status: 'transferred', transfer: { receiver: 'discipline_commission', at: now } });
    });

    it('transfers to a functional department named by id', () => {
      spec
        .given([recorded, triaged])
        .when(transfer('functional_department', 'd-shijian'))
        .then([
          {
            type: 'LeadTransferred',
            data: {
              leadId,
              receiver: 'functional_department',
              receiverDepartmentId: 'd-shijian',
              feedbackDueOn: '2024-11-29',
              occurredAt: now,
            },
          },
        ]);
    });

    it('rejects a transfer to a functional department that names none', () => {
      spec
        .given([recorded, triaged])
        .when(transfer('functional_department'))
        .thenThrows('RECEIVER_DEPARTMENT_REQUIRED', 'invalid');
    });

    it('rejects transferring a lead that was never triaged', () => {
      spec.given([recorded]).when(transfer()).thenThrows('LEAD_NOT_TRIAGED_FOR_TRANSFER', 'conflict');
    });

    it.each(['reclassify_as_finding', 'refer_elsewhere'] as const)(
      'rejects transferring a lead triaged as %s',
      (decision) => {
        spec
          .given([recorded, triagedAs(decision)])
          .when(transfer())
          .thenThrows('LEAD_NOT_TRIAGED_FOR_TRANSFER', 'conflict');
      },
    );

    it('rejects transferring a lead twice', () => {
      spec.given([recorded, triaged, transferred]).when(transfer()).thenThrows('LEAD_ALREADY_TRANSFERRED', 'conflict');
    });

    it('rejects an unknown receiver', () => {
      spec.given([recorded, triaged]).when(transfer('the press')).thenThrows('INVALID_VALUE', 'invalid');
    });
  });

  describe('AcknowledgeLeadReceipt', () => {
    it('records that the receiver received a transferred lead', () => {
      const state = spec.given([recorded, triaged, transferred]).when(receive()).then([received]);
      expect(state).toMatchObject({ status: 'received', receivedAt: now });
    });

    it('rejects receipt of a lead that was not transferred', () => {
      spec.given([recorded, triaged]).when(receive()).thenThrows('LEAD_NOT_TRANSFERRED', 'conflict');
    });

    it('rejects receiving twice', () => {
      spec.given(upToReceived).when(receive()).thenThrows('LEAD_NOT_TRANSFERRED', 'conflict');
    });
  });

  describe('RecordDisposition', () => {
    it.each(['talk_or_letter', 'preliminary_verification', 'shelved'] as const)(
      'puts a received lead into disposal by %s',
      (method) => {
        const state = spec
          .given(upToReceived)
          .when(dispose(method))
          .then([disposed(method)]);
        expect(state).toMatchObject({ status: 'disposing', disposition: method, dispositions: [{ method, at: now }] });
      },
    );

    it('concludes a received lead straight away when it is 予以了结', () => {
      const state = spec
        .given(upToReceived)
        .when(dispose('concluded'))
        .then([disposed('concluded')]);
      expect(state).toMatchObject({ status: 'concluded', disposition: 'concluded', concludedAt: now });
    });

    it('changes the disposition while disposing (暂存待查 → 初步核实 on new evidence)', () => {
      const state = spec
        .given([...upToReceived, disposed('shelved')])
        .when(dispose('preliminary_verification'))
        .then([disposed('preliminary_verification', 'shelved')]);
      expect(state).toMatchObject({
        status: 'disposing',
        disposition: 'preliminary_verification',
        dispositions: [{ method: 'shelved' }, { method: 'preliminary_verification' }],
      });
    });

    it('concludes a lead being disposed of when the new disposition is 予以了结', () => {
      const state = spec
        .given(disposing)
        .when(dispose('concluded'))
        .then([disposed('concluded', 'talk_or_letter')]);
      expect(statusOf(state)).toBe('concluded');
    });

    it('rejects recording the disposition it already has', () => {
      spec.given(disposing).when(dispose('talk_or_letter')).thenThrows('LEAD_DISPOSITION_UNCHANGED', 'conflict');
    });

    it('rejects a disposition before the receiver received the lead', () => {
      spec.given([recorded, triaged, transferred]).when(dispose('shelved')).thenThrows('LEAD_NOT_RECEIVED', 'conflict');
    });

    it('rejects a disposition once the lead is concluded', () => {
      spec.given(concluded).when(dispose('shelved')).thenThrows('LEAD_NOT_RECEIVED', 'conflict');
    });

    it('rejects an unknown disposition method', () => {
      spec
        .given(upToReceived)
        .when(dispose('forget' as never))
        .thenThrows('INVALID_VALUE', 'invalid');
    });
  });

  describe('RecordOutcome', () => {
    it.each([
      'cleared',
      'reminder',
      'criticism',
      'admonition',
      'case_opened',
      'organizational_measure',
      'judicial_transfer',
    ] as const)('concludes a lead being disposed of with the outcome %s', (outcome) => {
      const state = spec
        .given(disposing)
        .when(recordOutcome(outcome))
        .then([outcomeRecorded(outcome)]);
      expect(state).toMatchObject({
        status: 'concluded',
        outcome: { outcome, note: '已谈话提醒', at: now },
        concludedAt: now,
      });
    });

    it('rejects an outcome before any disposition', () => {
      spec.given(upToReceived).when(recordOutcome()).thenThrows('LEAD_NOT_DISPOSING', 'conflict');
    });

    it('rejects a second outcome', () => {
      spec.given(concluded).when(recordOutcome('criticism')).thenThrows('LEAD_NOT_DISPOSING', 'conflict');
    });

    it('rejects an unknown outcome', () => {
      spec
        .given(disposing)
        .when(recordOutcome('promotion' as never))
        .thenThrows('INVALID_VALUE', 'invalid');
    });
  });

  describe('CloseLead', () => {
    it.each(['reclassify_as_finding', 'refer_elsewhere'] as const)(
      'closes by hand a lead triaged as %s in an older log (left 已研判 there)',
      (decision) => {
        spec
          .given([recorded, triagedAs(decision)])
          .when(close())
          .then([closed]);
      },
    );

    it('rejects closing a lead triaged for transfer that was never concluded', () => {
      spec.given([recorded, triaged]).when(close()).thenThrows('LEAD_NOT_CONCLUDED', 'conflict');
    });

    it('closes a concluded lead', () => {
      const state = spec.given(concluded).when(close()).then([closed]);
      expect(state).toMatchObject({ status: 'closed', closedAt: now });
    });

    it('closes a lead concluded by 予以了结', () => {
      spec
        .given([...upToReceived, disposed('concluded')])
        .when(close())
        .then([closed]);
    });

    it('rejects closing a lead still being disposed of', () => {
      spec.given(disposing).when(close()).thenThrows('LEAD_NOT_CONCLUDED', 'conflict');
    });

    it('rejects closing a lead twice', () => {
      spec
        .given([...concluded, closed])
        .when(close())
        .thenThrows('LEAD_NOT_CONCLUDED', 'conflict');
    });

    it('rejects closing a lead that does not exist', () => {
      spec.given([]).when(close()).thenThrows('LEAD_NOT_FOUND', 'not_found');
    });
  });

  it('folds a whole history into the closed lead', () => {
    expect(statusOf(foldEvents(leadDecider, [...concluded, closed]))).toBe('closed');
  });

  describe('RecordLeadFollowUp (回访)', () => {
    const visit = { visitedOn: '2024-08-29', visiteeRef: 'pd-visitee', satisfaction: 'satisfied', note: '已纳入救助' };
    const followUp = (overrides: Record<string, unknown> = {}) =>
      command('RecordLeadFollowUp', { ...visit, ...overrides } as never);

    it.each([
      ['disposing', disposing],
      ['concluded', concluded],
      ['closed at triage', [recorded, triagedAs('refer_elsewhere'), closed]],
    ] as const)('records a visit to a lead %s, the visitee by reference only', (_, given) => {
      const state = spec
        .given([...given])
        .when(followUp())
        .then([
          {
            type: 'LeadFollowUpRecorded',
            data: { leadId, roundId: 'r1', ...visit, satisfaction: 'satisfied', occurredAt: now },
          },
        ]);
      expect(state).toMatchObject({ followUps: [{ ...visit, at: now }] });
    });

    it.each([
      ['recorded', [recorded]],
      ['triaged for transfer', [recorded, triaged]],
      ['transferred', [recorded, triaged, transferred]],
      ['received', upToReceived],
    ] as const)('refuses a visit to a lead %s: it follows the disposition', (_, given) => {
      spec
        .given([...given])
        .when(followUp())
        .thenThrows('FOLLOW_UP_BEFORE_DISPOSITION', 'conflict');
    });

    it('accepts the next day (the office is ahead of UTC), refuses later days, naming visitedOn', () => {
      const nextDay = { type: 'LeadFollowUpRecorded', data: { leadId, roundId: 'r1', ...visit, occurredAt: now } };
      spec
        .given(disposing)
        .when(followUp({ visitedOn: '2024-08-30' }))
        .then([{ ...nextDay, data: { ...nextDay.data, visitedOn: '2024-08-30' } } as LeadEvent]);
      const error = spec
        .given(disposing)
        .when(followUp({ visitedOn: '2024-08-31' }))
        .thenThrows('FOLLOW_UP_IN_FUTURE');
      expect(error.field).toBe('visitedOn');
    });

    it('refuses an unknown satisfaction, a malformed day and an empty note', () => {
      spec
        .given(disposing)
        .when(followUp({ satisfaction: 'happy' }))
        .thenThrows('INVALID_VALUE', 'invalid');
      spec
        .given(disposing)
        .when(followUp({ visitedOn: '2024-02-30' }))
        .thenThrows('INVALID_DATE', 'invalid');
      spec
        .given(disposing)
        .when(followUp({ note: ' ' }))
        .thenThrows('VALUE_REQUIRED', 'invalid');
    });
  });
});
