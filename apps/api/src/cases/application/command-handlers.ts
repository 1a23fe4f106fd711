import { Command as CqrsCommand, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Injectable } from '@nestjs/common';
import {
  DomainError,
  ensureLeadMayBecomeFinding,
  departmentDecider,
  departmentStream,
  ensureFindingMayBeRecorded,
  ensureLeadMayBeRecorded,
  findingDecider,
  findingStream,
  inspectionRoundDecider,
  leadDecider,
  leadStream,
  liaisonMayAct,
  roleMayDo,
  roundStream,
  type CommandType,
  type Decider,
  type DomainCommand,
  type FindingState,
} from '@app/domain';
import type { SqlStatement } from '@app/event-store';
import { ApplicationError } from '../../application/errors.js';
import { uuidV5 } from '../../idempotency/derived-id.js';
import { EvidenceStore } from '../../evidence/evidence-store.js';
import { PersonalDataService } from '../../personal-data/personal-data.service.js';
import type { CommandContext, CommandResult } from './command-context.js';
import { CommandRunner } from './command-runner.js';
import { DepartmentDirectory } from './department-directory.js';

/** Personal data arrives in clear and leaves as references before anything is decided. */
export interface LeadPersonalData {
  /** A subject's post identifies them as the name does: both go to the vault as one value `{name, post?}`. */
  subjects?: Array<{ name: string; post?: string; departmentId?: string }>;
  informant?: { name: string; contact?: string };
  /** The identifying part of a lead's account (see RecordLeadDto.summaryDetail): to the vault as `{text}`. */
  summaryDetail?: string;
  /** RecordFindingFollowUp / RecordLeadFollowUp: the person visited, to the vault as `{name, contact?}`. */
  visitee?: { name: string; contact?: string };
  /** TriageLead as reclassify_as_finding only: the finding the lead becomes (not personal data). */
  reclassifiedFinding?: ReclassifiedFinding;
}

export interface ReclassifiedFinding {
  monitoringPointId: string;
  departmentId: string;
  title: string;
  description: string;
  category?: string;
}

/** A lead becomes at most one finding: its id follows from the lead's, so a retry finds the one written. */
export const reclassifiedFindingId = (leadId: string): string => uuidV5(`reclassified-finding\n${leadId}`);

/** The one bus message: a domain command, who sends it, and (RecordLead only) the personal data in clear. */
export class SendCommand extends CqrsCommand<CommandResult> {
  constructor(
    readonly command: DomainCommand,
    readonly ctx: CommandContext,
    readonly personal: LeadPersonalData = {},
  ) {
    super();
  }
}

type CommandOf<T extends CommandType> = Extract<DomainCommand, { type: T }>;

/** What a pre-check may use: other streams, the department directory, the personal-data vault. */
@Injectable()
export class PreCheckServices {
  constructor(
    readonly runner: CommandRunner,
    readonly departments: DepartmentDirectory,
    readonly personalData: PersonalDataService,
    readonly evidence: EvidenceStore,
  ) {}
}

/** Where a command is decided: the aggregate's decider and stream, and the id the answer names. */
interface Aggregate<C extends DomainCommand> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  decider: Decider<any, any, any>;
  stream(command: C): string;
  id(command: C): string;
}

interface CommandSpec<C extends DomainCommand> {
  aggregate: Aggregate<C>;
  /**
   * Cross-stream rules checked before deciding; answers the command to decide (possibly completed).
   * Rows of its own it pushes on `alongside` are committed in the same transaction as the events.
   */
  preCheck?(
    command: C,
    ctx: CommandContext,
    services: PreCheckServices,
    personal: LeadPersonalData,
    alongside: SqlStatement[],
  ): Promise<C>;
  /** Rules that need the aggregate's current state but are not the domain's (a liaison's own department). */
  authorize?(state: unknown, ctx: CommandContext): void;
}

const round: Aggregate<Extract<DomainCommand, { data: { roundId: string } }>> = {
  decider: inspectionRoundDecider,
  stream: (c) => roundStream(c.data.roundId),
  id: (c) => c.data.roundId,
};
const finding: Aggregate<Extract<DomainCommand, { data: { findingId: string } }>> = {
  decider: findingDecider,
  stream: (c) => findingStream(c.data.findingId),
  id: (c) => c.data.findingId,
};
const lead: Aggregate<Extract<DomainCommand, { data: { leadId: string } }>> = {
  decider: leadDecider,
  stream: (c) => leadStream(c.data.leadId),
  id: (c) => c.data.leadId,
};
const department: Aggregate<Extract<DomainCommand, { data: { departmentId: string } }>> = {
  decider: departmentDecider,
  stream: (c) => departmentStream(c.data.departmentId),
  id: (c) => c.data.departmentId,
};

/** A unit liaison acts only on findings assigned to their own department. */
function ownDepartmentOnly(state: unknown, ctx: CommandContext): void {
  const finding = state as FindingState;
  if (ctx.actor.role !== 'unit_liaison' || finding.status === 'absent') return;
  if (!liaisonMayAct(finding, ctx.actor.departmentId)) {
    throw new ApplicationError('NOT_YOUR_DEPARTMENT', 'This finding is not assigned to your department');
  }
}
const liaison = { aggregate: finding, authorize: ownDepartmentOnly };

type Cited = string | { sha256?: unknown; name?: unknown; kind?: unknown };

/**
 * A cited file `{sha256, name}` must have been uploaded: its size and type are taken from the stored
 * file (recognised by content), so the event carries `{kind: 'file', sha256, name, size, mediaType}`.
 * A string stays a paper reference. A hash never uploaded is a 400 naming the item.
 */
async function resolveEvidence(items: readonly Cited[] | undefined, store: EvidenceStore) {
  if (!items) return undefined;
  return Promise.all(
    items.map(async (item, index) => {
      if (typeof item === 'string' || item.kind === 'paper') return item as string;
      const sha256 = String(item.sha256);
      const stored = await store.describe(sha256);
      if (!stored) {
        const field = `evidence[${index}].sha256`;
        throw new ApplicationError('EVIDENCE_NOT_UPLOADED', `No evidence file was uploaded with the hash ${sha256}`, [
          { field, rule: 'uploaded', message: 'upload the file first (POST /api/evidence)' },
        ]);
      }
      return { kind: 'file' as const, sha256, name: String(item.name), size: stored.size, mediaType: stored.mediaType };
    }),
  );
}

type Field = [field: string, id: string | undefined];

/** 回访: the visitee's name and contact go to the vault with the event that cites them, in one transaction. */
async function protectVisitee<C extends CommandOf<'RecordFindingFollowUp'> | CommandOf<'RecordLeadFollowUp'>>(
  command: C,
  ctx: CommandContext,
  { personalData }: PreCheckServices,
  { visitee }: LeadPersonalData,
  alongside: SqlStatement[],
): Promise<C> {
  if (!visitee) throw new DomainError('VALUE_REQUIRED', 'visitee is required', 'visitee');
  const { refs, statements } = personalData.prepare(
    [{ kind: 'follow_up_visitee', value: { ...visitee } }],
    ctx.idempotency && ((purpose) => ctx.idempotency!.id(purpose)),
  );
  alongside.push(...statements);
  return { ...command, data: { ...command.data, visiteeRef: refs[0] } };
}

/** A rule about the reclassified finding names its field under `finding.` (the body's nesting). */
function underFinding<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof DomainError && error.field)
      throw new DomainError(error.code, error.message, `finding.${error.field}`);
    throw error;
  }
}

/**
 * Every command: its aggregate and its pre-checks. Who may send it is the domain's `mayDo`. A new
 * command on an existing aggregate is one line here (plus its route).
 */
export const COMMANDS: { readonly [T in CommandType]: CommandSpec<CommandOf<T>> } = {
  PlanRound: { aggregate: round },
  AddFocusField: { aggregate: round },
  AddMonitoringPoint: {
    aggregate: round,
    /** A person named as a target is personal data: the name goes to the vault, the event keeps its ref. */
    async preCheck(command, _ctx, { departments, personalData }) {
      const targets = command.data.targets.map((t, i): Field => [`targets[${i}].departmentId`, t.departmentId]);
      await departments.requireAll(targets);
      const named = command.data.targets.filter((t) => t.kind === 'person' && 'name' in t && t.name !== undefined);
      const refs = await personalData.protect(
        named.map((t) => ({ kind: 'monitoring_target' as const, value: { name: (t as { name: string }).name } })),
      );
      const protectedTargets = command.data.targets.map((t) => {
        const index = named.indexOf(t);
        if (index < 0) return t;
        const department = t.departmentId ? { departmentId: t.departmentId } : {};
        return { kind: 'person' as const, ref: refs[index], ...department };
      });
      return { ...command, data: { ...command.data, targets: protectedTargets } };
    },
  },
  StationRound: { aggregate: round },
  ReportRound: { aggregate: round },
  DeliverRoundFeedback: { aggregate: round },
  StartRoundRectification: { aggregate: round },
  EvaluateRound: { aggregate: round },
  ArchiveRound: { aggregate: round },

  RecordFinding: {
    ...liaison,
    /** The monitoring point must belong to the round; the finding takes its focus field from it. */
    async preCheck(command, _ctx, { runner, departments }) {
      const { state } = await runner.load(inspectionRoundDecider, roundStream(command.data.roundId));
      const point = ensureFindingMayBeRecorded(state, command.data.monitoringPointId);
      await departments.requireAll([['departmentId', command.data.departmentId]]);
      return { ...command, data: { ...command.data, fieldId: point.fieldId } };
    },
  },
  AssignRectification: {
    ...liaison,
    async preCheck(command, _ctx, { departments }) {
      const co = (command.data.coDepartmentIds ?? []).map((id, i): Field => [`coDepartmentIds[${i}]`, id]);
      await departments.requireAll([['departmentId', command.data.departmentId], ...co]);
      return command;
    },
  },
  AcknowledgeRectification: liaison,
  SubmitRectificationPlan: liaison,
  ReportProgress: {
    ...liaison,
    async preCheck(command, _ctx, { evidence }) {
      const resolved = await resolveEvidence(command.data.evidence, evidence);
      return resolved ? { ...command, data: { ...command.data, evidence: resolved } } : command;
    },
  },
  RequestClosure: {
    ...liaison,
    async preCheck(command, _ctx, { evidence }) {
      const resolved = await resolveEvidence(command.data.evidence, evidence);
      return { ...command, data: { ...command.data, evidence: resolved ?? [] } };
    },
  },
  VerifyRectification: liaison,
  ReopenRectification: liaison,
  SuperviseRectification: liaison,
  RequestExtension: liaison,
  DecideExtension: liaison,
  DismissFinding: liaison,
  RecordFindingFollowUp: { aggregate: finding, preCheck: protectVisitee },

  RecordLead: {
    aggregate: lead,
    /** The round must accept leads; names and contacts are protected and replaced by references. */
    async preCheck(command, ctx, { runner, departments, personalData }, personal, alongside) {
      const { state } = await runner.load(inspectionRoundDecider, roundStream(command.data.roundId));
      ensureLeadMayBeRecorded(state, command.data.monitoringPointId);
      const subjects = personal.subjects ?? [];
      await departments.requireAll(subjects.map((s, i): Field => [`subjects[${i}].departmentId`, s.departmentId]));
      const detail = personal.summaryDetail?.trim();
      // The vault rows are written with the LeadRecorded that cites them, in one transaction.
      const { refs, statements } = personalData.prepare(
        [
          ...subjects.map((s) => ({
            kind: 'lead_subject' as const,
            value: { name: s.name, ...(s.post ? { post: s.post } : {}) },
          })),
          ...(personal.informant ? [{ kind: 'informant' as const, value: { ...personal.informant } }] : []),
          ...(detail ? [{ kind: 'lead_detail' as const, value: { text: detail } }] : []),
        ],
        ctx.idempotency && ((purpose) => ctx.idempotency!.id(purpose)),
      );
      alongside.push(...statements);
      const referenced = subjects.map((s, i) => ({
        ref: refs[i],
        ...(s.departmentId ? { departmentId: s.departmentId } : {}),
      }));
      let next = subjects.length;
      const informant = personal.informant ? { informantRef: refs[next++] } : {};
      const summaryDetail = detail ? { summaryDetailRef: refs[next] } : {};
      return { ...command, data: { ...command.data, subjects: referenced, ...informant, ...summaryDetail } };
    },
  },
  TriageLead: {
    aggregate: lead,
    /**
     * reclassify_as_finding: the finding is recorded first (on its own stream, id derived from the
     * lead's), then the lead is triaged with its id and closed. Should the second write fail, the
     * retry finds the finding already recorded from this lead and only triages.
     */
    async preCheck(command, ctx, { runner, departments }, { reclassifiedFinding: body }) {
      if (command.data.decision !== 'reclassify_as_finding') {
        if (body) {
          const detail = `only reclassify_as_finding records a finding, not ${command.data.decision}`;
          throw new DomainError('FINDING_ONLY_FOR_RECLASSIFICATION', detail, 'finding');
        }
        return command;
      }
      if (!body) {
        const detail = 'a lead reclassified as a finding names it: finding {monitoringPointId, departmentId, …}';
        throw new DomainError('RECLASSIFIED_FINDING_REQUIRED', detail, 'finding');
      }
      const { leadId } = command.data;
      const { state: leadState } = await runner.load(leadDecider, leadStream(leadId));
      if (leadState.status !== 'recorded') return command; // the decider refuses it with the reason
      const findingId = reclassifiedFindingId(leadId);
      const { state: existing } = await runner.load(findingDecider, findingStream(findingId));
      if (existing.status === 'absent') {
        const { state: roundState } = await runner.load(inspectionRoundDecider, roundStream(leadState.roundId));
        const point = underFinding(() => ensureLeadMayBecomeFinding(roundState, body.monitoringPointId));
        await departments.requireAll([['finding.departmentId', body.departmentId]]);
        const record: CommandOf<'RecordFinding'> = {
          type: 'RecordFinding',
          data: { findingId, roundId: leadState.roundId, fieldId: point.fieldId, ...body, leadId },
          metadata: command.metadata,
        };
        // Event ids of its own, so they cannot collide with the lead's events derived from the same key.
        const key = ctx.idempotency;
        const findingCtx = {
          ...ctx,
          expectedRevision: undefined,
          idempotency: key && key.within('finding'),
          sentAs: command.type,
        };
        await runner.run(findingDecider, findingStream(findingId), findingId, record, findingCtx);
      }
      return { ...command, data: { ...command.data, findingId } };
    },
  },
  TransferLead: {
    aggregate: lead,
    async preCheck(command, _ctx, { departments }) {
      await departments.requireAll([['receiverDepartmentId', command.data.receiverDepartmentId]]);
      return command;
    },
  },
  AcknowledgeLeadReceipt: { aggregate: lead },
  RecordDisposition: { aggregate: lead },
  RecordOutcome: { aggregate: lead },
  CloseLead: { aggregate: lead },
  RecordLeadFollowUp: { aggregate: lead, preCheck: protectVisitee },

  RegisterDepartment: {
    aggregate: department,
    async preCheck(command, _ctx, { departments }) {
      await departments.requireAll([['parentId', command.data.parentId]]);
      return command;
    },
  },
  RenameDepartment: { aggregate: department },
};

/** The one command handler: role (the domain's `mayDo`), pre-checks, then load → decide → append. */
@CommandHandler(SendCommand)
export class SendCommandHandler implements ICommandHandler<SendCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly services: PreCheckServices,
  ) {}

  async execute({ command, ctx, personal }: SendCommand): Promise<CommandResult> {
    if (!roleMayDo(ctx.actor.role, command.type)) {
      throw new ApplicationError('FORBIDDEN_ROLE', `The role ${ctx.actor.role} may not ${command.type}`);
    }
    const spec = COMMANDS[command.type] as CommandSpec<DomainCommand>;
    // A retry of a keyed command that was written already answers what was written, before any
    // pre-check (the round may have moved on since) and without protecting its personal data again.
    const applied = await this.runner.applied(spec.aggregate.stream(command), spec.aggregate.id(command), ctx);
    if (applied) return applied;
    const alongside: SqlStatement[] = [];
    const decided = spec.preCheck ? await spec.preCheck(command, ctx, this.services, personal, alongside) : command;
    const { aggregate } = spec;
    const authorize = spec.authorize && ((state: unknown) => spec.authorize!(state, ctx));
    const { state: _state, ...result } = await this.runner.run(
      aggregate.decider,
      aggregate.stream(decided),
      aggregate.id(decided),
      decided,
      ctx,
      authorize,
      alongside,
    );
    return result;
  }
}

export const commandHandlers = [PreCheckServices, SendCommandHandler];
