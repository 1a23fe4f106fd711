import type { Command, Event } from '../common/decider.js';
import type { FollowUpInput, FollowUpVisit } from '../follow-up/follow-up.js';

/** 个别谈话 / 信访举报 / 查阅资料 / 实地走访 / 12345 热线. */
export const LEAD_SOURCES = ['interview', 'petition', 'documents', 'site_visit', 'hotline_12345'] as const;
export type LeadSource = (typeof LEAD_SOURCES)[number];

export const LEAD_TRIAGE_DECISIONS = ['transfer', 'reclassify_as_finding', 'refer_elsewhere'] as const;
export type LeadTriageDecision = (typeof LEAD_TRIAGE_DECISIONS)[number];

export const LEAD_RECEIVERS = ['discipline_commission', 'organization_department', 'functional_department'] as const;
export type LeadReceiver = (typeof LEAD_RECEIVERS)[number];

/** 谈话函询 / 初步核实 / 暂存待查 / 予以了结 (the four 处置方式 for problem leads). */
export const LEAD_DISPOSITIONS = ['talk_or_letter', 'preliminary_verification', 'shelved', 'concluded'] as const;
export type LeadDisposition = (typeof LEAD_DISPOSITIONS)[number];

export const LEAD_OUTCOMES = [
  'cleared',
  'reminder',
  'criticism',
  'admonition',
  'case_opened',
  'organizational_measure',
  'judicial_transfer',
] as const;
export type LeadOutcome = (typeof LEAD_OUTCOMES)[number];

/** 党纪处分 / 政务处分 / 组织处理: how many people a lead's outcome sanctioned, by kind. */
export const SANCTION_KINDS = ['party', 'government', 'organizational'] as const;
export type SanctionKind = (typeof SANCTION_KINDS)[number];
export type Sanction = { kind: SanctionKind; count: number };

/** The default feedback deadline of a transferred lead: three months after the transfer. */
export const LEAD_FEEDBACK_MONTHS = 3;

export const LEAD_STATUSES = [
  'recorded',
  'triaged',
  'transferred',
  'received',
  'disposing',
  'concluded',
  'closed',
] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

/**
 * A person a lead concerns (被反映人), by reference only. `ref` points at the name held encrypted
 * outside the event log (crypto-shredding: deleting the key erases the name, not history).
 * The domain never sees a name.
 */
export type LeadSubjectRef = { ref: string; departmentId?: string; legacyPost?: string };
/*
 * A subject's post (职务) identifies the person as surely as the name does ("幸福里社区党组织书记"), so it
 * is protected with the name: the vault value behind `ref` is `{name, post?}`. Events written before
 * that (schema version 1) hold `post` in clear; the upcaster hands it on as `legacyPost`, which every
 * reader redacts for whoever may not read names, the same as a vault value.
 */

// ── events ────────────────────────────────────────────────────────────────────

export type LeadRecorded = Event<
  'LeadRecorded',
  {
    leadId: string;
    roundId: string;
    monitoringPointId?: string;
    source: LeadSource;
    /** What the lead is about, in words that identify no one: lists and dashboards show it. */
    summary: string;
    /** Reference to the identifying part of the account (names, posts, places), kept in the vault. */
    summaryDetailRef?: string;
    subjects: LeadSubjectRef[];
    /** Reference to the encrypted whistleblower identity (举报人), if any. */
    informantRef?: string;
    occurredAt: string;
  }
>;
/**
 * `findingId` (reclassify_as_finding only): the finding recorded from the lead in the same command.
 * A lead triaged as reclassify_as_finding or refer_elsewhere is closed by a LeadClosed that follows.
 */
export type LeadTriaged = Event<
  'LeadTriaged',
  { leadId: string; decision: LeadTriageDecision; note?: string; findingId?: string; occurredAt: string }
>;
export type LeadTransferred = Event<
  'LeadTransferred',
  {
    leadId: string;
    receiver: LeadReceiver;
    receiverDepartmentId?: string;
    /** The receiver reports back by this date (反馈期限). Version 1 events lack it: the upcaster derives the default. */
    feedbackDueOn: string;
    occurredAt: string;
  }
>;
export type LeadReceived = Event<'LeadReceived', { leadId: string; occurredAt: string }>;
/** `previous` is set when a disposition changes (e.g. 暂存待查 → 初步核实 on new evidence). */
export type LeadDispositionRecorded = Event<
  'LeadDispositionRecorded',
  { leadId: string; method: LeadDisposition; previous?: LeadDisposition; occurredAt: string }
>;
export type LeadOutcomeRecorded = Event<
  'LeadOutcomeRecorded',
  {
    leadId: string;
    outcome: LeadOutcome;
    note?: string;
    sanctions?: Sanction[];
    /** 追回资金, yuan. */
    recoveredFunds?: number;
    occurredAt: string;
  }
>;
export type LeadClosed = Event<'LeadClosed', { leadId: string; occurredAt: string }>;

/** 回访 after the lead's disposition (the visitee's name and contact in the vault, `visiteeRef`). */
export type LeadFollowUpRecorded = Event<
  'LeadFollowUpRecorded',
  FollowUpInput & { leadId: string; roundId: string; occurredAt: string }
>;

export type LeadEvent =
  | LeadFollowUpRecorded
  | LeadRecorded
  | LeadTriaged
  | LeadTransferred
  | LeadReceived
  | LeadDispositionRecorded
  | LeadOutcomeRecorded
  | LeadClosed;

// ── commands ──────────────────────────────────────────────────────────────────

/**
 * Takes references, not names: the application encrypts subject names and informant identity
 * first and passes the refs it got back (a subject's post travels with the name). `departmentId`
 * is kept in the clear for aggregate figures.
 */
export type RecordLead = Command<
  'RecordLead',
  {
    leadId: string;
    roundId: string;
    monitoringPointId?: string;
    source: LeadSource;
    summary: string;
    summaryDetailRef?: string;
    subjects?: LeadSubjectRef[];
    informantRef?: string;
  }
>;
/** `findingId`: the finding the application recorded for a reclassify_as_finding decision. */
export type TriageLead = Command<
  'TriageLead',
  { leadId: string; decision: LeadTriageDecision; note?: string; findingId?: string }
>;
export type TransferLead = Command<
  'TransferLead',
  { leadId: string; receiver: LeadReceiver; receiverDepartmentId?: string; feedbackDueOn?: string }
>;
export type AcknowledgeLeadReceipt = Command<'AcknowledgeLeadReceipt', { leadId: string }>;
export type RecordDisposition = Command<'RecordDisposition', { leadId: string; method: LeadDisposition }>;
export type RecordOutcome = Command<
  'RecordOutcome',
  { leadId: string; outcome: LeadOutcome; note?: string; sanctions?: Sanction[]; recoveredFunds?: number }
>;
export type CloseLead = Command<'CloseLead', { leadId: string }>;

export type RecordLeadFollowUp = Command<'RecordLeadFollowUp', FollowUpInput & { leadId: string }>;

export type LeadCommand =
  | RecordLead
  | TriageLead
  | TransferLead
  | AcknowledgeLeadReceipt
  | RecordDisposition
  | RecordOutcome
  | CloseLead
  | RecordLeadFollowUp;

// ── state ─────────────────────────────────────────────────────────────────────

export type Lead = {
  status: LeadStatus;
  leadId: string;
  roundId: string;
  monitoringPointId?: string;
  source: LeadSource;
  summary: string;
  summaryDetailRef?: string;
  subjects: LeadSubjectRef[];
  informantRef?: string;
  recordedAt: string;
  triage?: { decision: LeadTriageDecision; note?: string; at: string };
  /** The finding this lead was reclassified as (线索转为问题). */
  findingId?: string;
  transfer?: { receiver: LeadReceiver; receiverDepartmentId?: string; feedbackDueOn: string; at: string };
  receivedAt?: string;
  /** The current disposition; `dispositions` keeps each one in order. */
  disposition?: LeadDisposition;
  dispositions: { method: LeadDisposition; at: string }[];
  outcome?: { outcome: LeadOutcome; note?: string; sanctions?: Sanction[]; recoveredFunds?: number; at: string };
  concludedAt?: string;
  closedAt?: string;
  /** 回访, in the order they were recorded (absent in states folded before visits existed). */
  followUps?: FollowUpVisit[];
};

/** `absent` until LeadRecorded: the stream is empty. */
export type LeadState = { status: 'absent' } | Lead;
