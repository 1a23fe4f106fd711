import { addMonths, officeDateOf } from '../common/values.js';
import { upcast } from '../upcasting.js';
import { DeciderSpecification } from '../testing/decider-spec.js';
import { leadDecider } from './lead.decider.js';
import type { LeadCommand, LeadEvent } from './lead.types.js';

/* 反馈期限 on transfer, sanctions and recovered funds on outcome (docs/domain.md "Supervision"). */

const now = '2024-08-29T03:00:00.000Z';
const leadId = 'l1';
const spec = DeciderSpecification.for(leadDecider);
const recorded: LeadEvent = {
  type: 'LeadRecorded',
  data: { leadId, roundId: 'r1', source: 'petition', summary: '反映低保优亲厚友', subjects: [], occurredAt: now },
};
const triaged: LeadEvent = { type: 'LeadTriaged', data: { leadId, decision: 'transfer', occurredAt: now } };
const transferred: LeadEvent = {
  type: 'LeadTransferred',
  data: { leadId, receiver: 'discipline_commission', feedbackDueOn: '2024-11-29', occurredAt: now },
};
const received: LeadEvent = { type: 'LeadReceived', data: { leadId, occurredAt: now } };
const disposing: LeadEvent = {
  type: 'LeadDispositionRecorded',
  data: { leadId, method: 'preliminary_verification', occurredAt: now },
};
const command = (type: LeadCommand['type'], data: Record<string, unknown>) =>
  ({ type, data: { leadId, ...data }, metadata: { now, userId: 'u1', role: 'official' } }) as LeadCommand;

describe('TransferLead feedback deadline (反馈期限)', () => {
  it('defaults to three months after the day of the transfer', () => {
    const state = spec
      .given([recorded, triaged])
      .when(command('TransferLead', { receiver: 'discipline_commission' }))
      .then([transferred]);
    expect(state).toMatchObject({ transfer: { feedbackDueOn: '2024-11-29' } });
  });

  it('takes a date given, and refuses one in the past or not a date', () => {
    spec
      .given([recorded, triaged])
      .when(command('TransferLead', { receiver: 'discipline_commission', feedbackDueOn: '2024-10-15' }))
      .then([{ ...transferred, data: { ...transferred.data, feedbackDueOn: '2024-10-15' } }]);
    const past = spec
      .given([recorded, triaged])
      .when(command('TransferLead', { receiver: 'discipline_commission', feedbackDueOn: '2024-08-01' }))
      .thenThrows('DATE_IN_THE_PAST', 'invalid');
    expect(past.field).toBe('feedbackDueOn');
    spec
      .given([recorded, triaged])
      .when(command('TransferLead', { receiver: 'discipline_commission', feedbackDueOn: '2024-11-31' }))
      .thenThrows('INVALID_DATE', 'invalid');
  });

  it('gives a version 1 transfer the default deadline on read', () => {
    const stored = { leadId, receiver: 'discipline_commission', occurredAt: '2024-11-30T20:00:00.000Z' };
    // 20:00 UTC is the next morning in Beijing: 12-01 + 3 months.
    expect(upcast('LeadTransferred', stored, undefined)).toEqual({ ...stored, feedbackDueOn: '2025-03-01' });
  });

  it('adds months to the last day a month has', () => {
    expect(addMonths('2024-11-30', 3)).toBe('2025-02-28');
    expect(addMonths('2023-11-29', 3)).toBe('2024-02-29');
    expect(addMonths('2024-10-15', 3)).toBe('2025-01-15');
    expect(officeDateOf('2024-12-31T16:00:00.000Z')).toBe('2025-01-01');
    expect(officeDateOf('2024-12-31T15:59:59.999Z')).toBe('2024-12-31');
  });
});

describe('RecordOutcome sanctions and recovered funds', () => {
  const disposingLead = [recorded, triaged, transferred, received, disposing];
  const outcome = (extra: Record<string, unknown>) => command('RecordOutcome', { outcome: 'case_opened', ...extra });

  it('records the people sanctioned by kind and the funds recovered, in yuan', () => {
    const sanctions = [
      { kind: 'party', count: 2 },
      { kind: 'government', count: 1 },
    ];
    const state = spec
      .given(disposingLead)
      .when(outcome({ sanctions, recoveredFunds: 125000.5 }))
      .then([
        {
          type: 'LeadOutcomeRecorded',
          data: { leadId, outcome: 'case_opened', sanctions, recoveredFunds: 125000.5, occurredAt: now },
        } as LeadEvent,
      ]);
    expect(state).toMatchObject({ status: 'concluded', outcome: { sanctions, recoveredFunds: 125000.5 } });
  });

  it('leaves out an empty list of sanctions', () => {
    spec
      .given(disposingLead)
      .when(outcome({ sanctions: [] }))
      .then([{ type: 'LeadOutcomeRecorded', data: { leadId, outcome: 'case_opened', occurredAt: now } }]);
  });

  it('refuses an unknown kind, a kind twice, a count below 1, negative funds or fractions of a fen', () => {
    const field = (extra: Record<string, unknown>) =>
      spec.given(disposingLead).when(outcome(extra)).thenThrows('INVALID_VALUE', 'invalid').field;
    expect(field({ sanctions: [{ kind: 'moral', count: 1 }] })).toBe('sanctions[0].kind');
    const twice = [
      { kind: 'party', count: 1 },
      { kind: 'party', count: 2 },
    ];
    expect(field({ sanctions: twice })).toBe('sanctions[1].kind');
    expect(field({ sanctions: [{ kind: 'party', count: 0 }] })).toBe('sanctions[0].count');
    expect(field({ recoveredFunds: -1 })).toBe('recoveredFunds');
    expect(field({ recoveredFunds: 1.234 })).toBe('recoveredFunds');
  });
});
