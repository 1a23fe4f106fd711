import { assertNever } from '../common/assert-never.js';
import type { Decider } from '../common/decider.js';
import { DomainError } from '../common/errors.js';
import { followUpVisit } from '../follow-up/follow-up.js';
import {
  addMonths,
  officeDateOf,
  optionalText,
  requireDate,
  requireOneOf,
  requireText,
  toInstant,
} from '../common/values.js';
import {
  LEAD_DISPOSITIONS,
  LEAD_OUTCOMES,
  LEAD_RECEIVERS,
  LEAD_SOURCES,
  LEAD_FEEDBACK_MONTHS,
  LEAD_TRIAGE_DECISIONS,
  SANCTION_KINDS,
  type AcknowledgeLeadReceipt,
  type Sanction,
  type CloseLead,
  type Lead,
  type LeadCommand,
  type LeadEvent,
  type LeadState,
  type LeadSubjectRef,
  type LeadTriageDecision,
  type RecordDisposition,
  type RecordLead,
  type RecordLeadFollowUp,
  type RecordOutcome,
  type TransferLead,
  type TriageLead,
} from './lead.types.js';

export const leadStream = (leadId: string): string => `lead-${leadId}`;

/** 反馈期限 by default: three months after the day of the transfer (office time). */
export const defaultFeedbackDueOn = (transferredAt: string): string =>
  addMonths(officeDateOf(transferredAt), LEAD_FEEDBACK_MONTHS);

export const initialLeadState = (): LeadState => ({ status: 'absent' });

function existing(state: LeadState): Lead {
  if (state.status === 'absent') throw new DomainError('LEAD_NOT_FOUND', 'lead not found');
  return state;
}

function subjectRef(subject: LeadSubjectRef, index: number): LeadSubjectRef {
  return {
    ref: requireText(subject.ref, `subjects[${index}].ref`),
    ...optionalText('departmentId', subject.departmentId),
  };
}

function recordLead(command: RecordLead, state: LeadState): LeadEvent[] {
  if (state.status !== 'absent') throw new DomainError('LEAD_ALREADY_RECORDED', 'lead already recorded');
  const { data } = command;
  return [
    {
      type: 'LeadRecorded',
      data: {
        leadId: data.leadId,
        roundId: requireText(data.roundId, 'roundId'),
        ...optionalText('monitoringPointId', data.monitoringPointId),
        source: requireOneOf(data.source, LEAD_SOURCES, 'source'),
        summary: requireText(data.summary, 'summary'),
        ...optionalText('summaryDetailRef', data.summaryDetailRef),
        subjects: (data.subjects ?? []).map(subjectRef),
        ...optionalText('informantRef', data.informantRef),
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

/** Triage decisions that end the lead's course here: it is closed in the same command. */
const CLOSING_DECISIONS: readonly LeadTriageDecision[] = ['reclassify_as_finding', 'refer_elsewhere'];

function triageLead(command: TriageLead, state: LeadState): LeadEvent[] {
  const lead = existing(state);
  if (lead.status !== 'recorded')
    throw new DomainError('LEAD_ALREADY_TRIAGED', `the lead was already triaged (${lead.status})`);
  const decision = requireOneOf(command.data.decision, LEAD_TRIAGE_DECISIONS, 'decision');
  const finding = optionalText('findingId', command.data.findingId);
  if (decision === 'reclassify_as_finding' && !finding.findingId) {
    throw new DomainError(
      'RECLASSIFIED_FINDING_REQUIRED',
      'a lead reclassified as a finding names the finding it becomes',
      'finding',
    );
  }
  if (decision !== 'reclassify_as_finding' && finding.findingId) {
    throw new DomainError(
      'FINDING_ONLY_FOR_RECLASSIFICATION',
      `only reclassify_as_finding records a finding, not ${decision}`,
      'finding',
    );
  }
  const occurredAt = toInstant(command.metadata.now);
  const triaged: LeadEvent = {
    type: 'LeadTriaged',
    data: { leadId: lead.leadId, decision, ...optionalText('note', command.data.note), ...finding, occurredAt },
  };
  if (!CLOSING_DECISIONS.includes(decision)) return [triaged];
  return [triaged, { type: 'LeadClosed', data: { leadId: lead.leadId, occurredAt } }];
}

function transferLead(command: TransferLead, state: LeadState): LeadEvent[] {
  const lead = existing(state);
  if (lead.status === 'recorded' || (lead.status === 'triaged' && lead.triage?.decision !== 'transfer')) {
    throw new DomainError(
      'LEAD_NOT_TRIAGED_FOR_TRANSFER',
      'a lead is transferred only after triage decided to transfer it',
    );
  }
  if (lead.status !== 'triaged')
    throw new DomainError('LEAD_ALREADY_TRANSFERRED', `the lead was already transferred (${lead.status})`);
  const receiver = requireOneOf(command.data.receiver, LEAD_RECEIVERS, 'receiver');
  const receiverDepartment = optionalText('receiverDepartmentId', command.data.receiverDepartmentId);
  if (receiver === 'functional_department' && !receiverDepartment.receiverDepartmentId) {
    throw new DomainError(
      'RECEIVER_DEPARTMENT_REQUIRED',
      'a transfer to a functional department names the department',
      'receiverDepartmentId',
    );
  }
  const occurredAt = toInstant(command.metadata.now);
  const feedbackDueOn =
    command.data.feedbackDueOn === undefined
      ? defaultFeedbackDueOn(occurredAt)
      : requireDate(command.data.feedbackDueOn, 'feedbackDueOn');
  if (feedbackDueOn < officeDateOf(occurredAt)) {
    throw new DomainError('DATE_IN_THE_PAST', 'feedbackDueOn must not be in the past', 'feedbackDueOn');
  }
  return [
    {
      type: 'LeadTransferred',
      data: { leadId: lead.leadId, receiver, ...receiverDepartment, feedbackDueOn, occurredAt },
    },
  ];
}

function acknowledgeLeadReceipt(command: AcknowledgeLeadReceipt, state: LeadState): LeadEvent[] {
  const lead = existing(state);
  if (lead.status !== 'transferred') {
    throw new DomainError(
      'LEAD_NOT_TRANSFERRED',
      `only a transferred lead can be received, this one is ${lead.status}`,
    );
  }
  return [{ type: 'LeadReceived', data: { leadId: lead.leadId, occurredAt: toInstant(command.metadata.now) } }];
}

function recordDisposition(command: RecordDisposition, state: LeadState): LeadEvent[] {
  const lead = existing(state);
  if (lead.status !== 'received' && lead.status !== 'disposing') {
    throw new DomainError('LEAD_NOT_RECEIVED', `a disposition follows receipt, the lead is ${lead.status}`);
  }
  const method = requireOneOf(command.data.method, LEAD_DISPOSITIONS, 'method');
  if (method === lead.disposition) {
    throw new DomainError('LEAD_DISPOSITION_UNCHANGED', `the lead is already disposed of by ${method}`, 'method');
  }
  return [
    {
      type: 'LeadDispositionRecorded',
      data: {
        leadId: lead.leadId,
        method,
        ...(lead.disposition ? { previous: lead.disposition } : {}),
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

function recordOutcome(command: RecordOutcome, state: LeadState): LeadEvent[] {
  const lead = existing(state);
  if (lead.status !== 'disposing') {
    throw new DomainError(
      'LEAD_NOT_DISPOSING',
      `an outcome ends a disposition in progress, the lead is ${lead.status}`,
    );
  }
  return [
    {
      type: 'LeadOutcomeRecorded',
      data: {
        leadId: lead.leadId,
        outcome: requireOneOf(command.data.outcome, LEAD_OUTCOMES, 'outcome'),
        ...optionalText('note', command.data.note),
        ...sanctionsOf(command.data.sanctions),
        ...recoveredFundsOf(command.data.recoveredFunds),
        occurredAt: toInstant(command.metadata.now),
      },
    },
  ];
}

/** Each kind at most once, each count a positive whole number; none listed → no `sanctions` key. */
function sanctionsOf(value: unknown): { sanctions?: Sanction[] } {
  if (value === undefined) return {};
  if (!Array.isArray(value)) throw new DomainError('INVALID_VALUE', 'sanctions must be a list', 'sanctions');
  const seen = new Set<string>();
  const sanctions = value.map((item: unknown, index): Sanction => {
    const field = `sanctions[${index}]`;
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const kind = requireOneOf(entry.kind, SANCTION_KINDS, `${field}.kind`);
    if (seen.has(kind))
      throw new DomainError('INVALID_VALUE', `${field}.kind ${kind} is listed twice`, `${field}.kind`);
    seen.add(kind);
    const count = entry.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      throw new DomainError('INVALID_VALUE', `${field}.count must be a whole number of at least 1`, `${field}.count`);
    }
    return { kind, count };
  });
  return sanctions.length ? { sanctions } : {};
}

/** 追回资金 in yuan, to the fen: not negative, at most two decimals. */
function recoveredFundsOf(value: unknown): { recoveredFunds?: number } {
  if (value === undefined) return {};
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || Math.round(value * 100) !== value * 100) {
    throw new DomainError(
      'INVALID_VALUE',
      'recoveredFunds must be an amount in yuan, at most to the fen',
      'recoveredFunds',
    );
  }
  return { recoveredFunds: value };
}

function closeLead(command: CloseLead, state: LeadState): LeadEvent[] {
  const lead = existing(state);
  // A lead triaged before closing decisions closed it (older logs) may still be closed by hand.
  const endedByTriage = lead.status === 'triaged' && CLOSING_DECISIONS.includes(lead.triage!.decision);
  if (lead.status !== 'concluded' && !endedByTriage) {
    throw new DomainError('LEAD_NOT_CONCLUDED', `only a concluded lead can be closed, this one is ${lead.status}`);
  }
  return [{ type: 'LeadClosed', data: { leadId: lead.leadId, occurredAt: toInstant(command.metadata.now) } }];
}

/** States after a disposition (or a triage that ended the lead): a visit may follow. */
const VISITABLE: readonly Lead['status'][] = ['disposing', 'concluded', 'closed'];

function recordLeadFollowUp(command: RecordLeadFollowUp, state: LeadState): LeadEvent[] {
  const lead = existing(state);
  if (!VISITABLE.includes(lead.status)) {
    throw new DomainError(
      'FOLLOW_UP_BEFORE_DISPOSITION',
      `a follow-up visit follows the lead's disposition, the lead is ${lead.status}`,
    );
  }
  const visit = followUpVisit(command.data, command.metadata.now);
  return [{ type: 'LeadFollowUpRecorded', data: { leadId: lead.leadId, roundId: lead.roundId, ...visit } }];
}

export function decideLead(command: LeadCommand, state: LeadState): LeadEvent[] {
  switch (command.type) {
    case 'RecordLeadFollowUp':
      return recordLeadFollowUp(command, state);
    case 'RecordLead':
      return recordLead(command, state);
    case 'TriageLead':
      return triageLead(command, state);
    case 'TransferLead':
      return transferLead(command, state);
    case 'AcknowledgeLeadReceipt':
      return acknowledgeLeadReceipt(command, state);
    case 'RecordDisposition':
      return recordDisposition(command, state);
    case 'RecordOutcome':
      return recordOutcome(command, state);
    case 'CloseLead':
      return closeLead(command, state);
    default:
      return assertNever(command, 'lead command');
  }
}

export function evolveLead(state: LeadState, event: LeadEvent): LeadState {
  if (event.type === 'LeadRecorded') {
    const { occurredAt, subjects, ...lead } = event.data;
    return {
      ...lead,
      status: 'recorded',
      subjects: subjects.map((subject) => ({ ...subject })),
      recordedAt: occurredAt,
      dispositions: [],
    };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'LeadTriaged': {
      const { decision, note, findingId, occurredAt } = event.data;
      const triage = { decision, ...(note ? { note } : {}), at: occurredAt };
      return { ...state, status: 'triaged', triage, ...(findingId ? { findingId } : {}) };
    }
    case 'LeadTransferred': {
      const { leadId: _, occurredAt, ...transfer } = event.data;
      return { ...state, status: 'transferred', transfer: { ...transfer, at: occurredAt } };
    }
    case 'LeadReceived':
      return { ...state, status: 'received', receivedAt: event.data.occurredAt };
    case 'LeadDispositionRecorded': {
      const { method, occurredAt } = event.data;
      // 予以了结 concludes the lead there and then; every other method leaves it being disposed of.
      const concluded = method === 'concluded';
      return {
        ...state,
        status: concluded ? 'concluded' : 'disposing',
        disposition: method,
        dispositions: [...state.dispositions, { method, at: occurredAt }],
        ...(concluded ? { concludedAt: occurredAt } : {}),
      };
    }
    case 'LeadOutcomeRecorded': {
      const { leadId: _, occurredAt, ...outcome } = event.data;
      return {
        ...state,
        status: 'concluded',
        outcome: { ...outcome, at: occurredAt },
        concludedAt: occurredAt,
      };
    }
    case 'LeadClosed':
      return { ...state, status: 'closed', closedAt: event.data.occurredAt };
    case 'LeadFollowUpRecorded': {
      const { leadId: _, roundId: __, occurredAt, ...visit } = event.data;
      return { ...state, followUps: [...(state.followUps ?? []), { ...visit, at: occurredAt }] };
    }
    default:
      return assertNever(event, 'lead event');
  }
}

export const leadDecider: Decider<LeadState, LeadCommand, LeadEvent> = {
  decide: decideLead,
  evolve: evolveLead,
  initialState: initialLeadState,
};
