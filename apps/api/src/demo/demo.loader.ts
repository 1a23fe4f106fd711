import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, type INestApplicationContext, type Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { CommandBus, type Command as BusMessage } from '@nestjs/cqrs';
import {
  departmentStream,
  findingDecider,
  findingStream,
  FINDING_STATUSES,
  foldEvents,
  inspectionRoundDecider,
  isOverdue,
  LEAD_SOURCE_LABELS,
  LEAD_STATUSES,
  isDomainError,
  leadDecider,
  leadStream,
  RECTIFICATION_TYPES,
  roundStream,
  type CommandMetadata,
  type DomainEvent,
  type FindingCommand,
  type FindingStatus,
  type LeadCommand,
  type LeadStatus,
  type RoundCommand,
  type RectificationType,
} from '@app/domain';
import type { EventStore } from '@app/event-store';
import { BOOTSTRAP_ADMIN_USERNAME } from '../auth/admin-bootstrap.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { toAuthUser, UsersService, type UserView } from '../auth/users.service.js';
import type { CommandContext, CommandResult } from '../cases/application/command-context.js';
import {
  AddFieldDto,
  AddMonitoringPointDto,
  AssignRectificationDto,
  DisposeLeadDto,
  LeadOutcomeDto,
  PlanRoundDto,
  ReasonDto,
  ReopenDto,
  RecordFindingDto,
  RecordLeadDto,
  RegisterDepartmentDto,
  ReportProgressDto,
  RequestClosureDto,
  SubmitPlanDto,
  TransferLeadDto,
  TriageLeadDto,
  VerifyRectificationDto,
} from '../cases/dto.js';
import { buildCurrentScenario, extendCurrentScenario } from './scenario-current.js';
import { currentRoundSupervision } from './scenario-current-supervision.js';
import { reclassifiedFindingId, SendCommand } from '../cases/application/command-handlers.js';
import { metadataOf } from '../cases/http-helpers.js';
import { isApplicationError } from '../application/errors.js';
import { validationPipe } from '../http/validation.js';
import { EVENT_STORE } from '../infrastructure/tokens.js';
import { DEMO_DEPARTMENTS, DEMO_FIELDS, DEMO_OFFICIAL, DEMO_POINTS, DEMO_ROUND, DEMO_USERS } from './scenario.js';
import { DEMO_FINDINGS } from './scenario-findings.js';
import { DEMO_LEADS } from './scenario-leads.js';
import { demoTime, type DemoUser } from './scenario.types.js';

// The current round's 督办 notices and extensions (issue 13) join its own steps.
extendCurrentScenario(currentRoundSupervision);

/** Ids are derived from the scenario's keys, so the first load of every database gets the same ids. */
const DEMO_NAMESPACE = 'xuncha-demo/pingcheng-2024';

/** A lead's summary that identifies no one: its source and the monitoring point it concerns. */
function neutralSummary(lead: (typeof DEMO_LEADS)[number]): string {
  const point = lead.point ? DEMO_POINTS.find((p) => p.key === lead.point) : undefined;
  return `${LEAD_SOURCE_LABELS[lead.source]}反映的问题线索${point ? `：${point.title}` : ''}`;
}

function stableUuid(namespace: string, name: string): string {
  const h = createHash('sha1').update(namespace).update('\0').update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50; // name-based (version 5 style)
  h[8] = (h[8] & 0x3f) | 0x80; // RFC 4122 variant
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The demo round's id in a database where it was loaded first (a forced second copy gets other ids). */
export const DEMO_ROUND_ID = stableUuid(DEMO_NAMESPACE, 'round');
export const demoDepartmentId = (key: string): string => stableUuid(DEMO_NAMESPACE, `department:${key}`);

const OFFICE_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });

/** `load()` without `force` on a store that already has events. Nothing was written. */
export class DemoRefusedError extends Error {
  readonly code = 'DEMO_STORE_NOT_EMPTY';
  constructor(message: string) {
    super(message);
    this.name = 'DemoRefusedError';
  }
}

export interface DemoLoadOptions {
  /** Load even though the store has events (a second copy of the tour beside what is there). */
  force?: boolean;
  /**
   * Mark the demo users as having chosen their own password already. Without it (the default, and
   * always at `npm start` / `npm run demo`) each must replace the shared demo password at their first
   * sign-in. For test harnesses that sign in as demo users over and over.
   */
  passwordsAlreadyChanged?: boolean;
  /**
   * Also load the current 回头看 round (scenario-current.ts), dated relative to `today` (default: the
   * office day of the load). On by default; harnesses that look at the reference tour alone turn it off.
   */
  current?: boolean;
  today?: string;
}

export interface DemoSummary {
  roundId: string;
  roundTitle: string;
  roundStatus: string;
  departments: { registered: number; reused: number };
  fields: number;
  monitoringPoints: number;
  findings: {
    total: number;
    byType: Record<RectificationType | 'unassigned', number>;
    byStatus: Record<FindingStatus, number>;
    /** 立行立改 verified and closed (销号). */
    immediateClosed: number;
    /** Open rectifications past their due date today (Asia/Shanghai). */
    overdue: number;
    rejected: number;
    reopened: number;
  };
  leads: { total: number; byStatus: Record<LeadStatus, number> };
  users: { created: string[]; reused: string[] };
  commands: number;
  /** Events written for the round, its findings and leads and the departments registered. */
  events: number;
  /** Global position of the last event written: send it as X-Min-Position to read the figures. */
  lastPosition: number;
  ms: number;
  /** The current 回头看 round, when it was loaded. */
  current?: { roundId: string; title: string };
}

/** A command as the scenario builds it; the metadata (who, when) is added when it is sent. */
type Unsent<C> = C extends unknown ? Omit<C, 'metadata'> : never;

/** One scripted command of the timeline: when, who, and the bus message to send. */
interface Scripted {
  at: Date;
  seq: number;
  what: string;
  /** Username of the demo user who sends it. */
  actor: string;
  message: (metadata: CommandMetadata, ctx: CommandContext) => Promise<BusMessage<CommandResult>>;
}

/**
 * Loads the 平城区 2024 tour (scenario*.ts) through the same command bus, handlers, validation and
 * personal-data vault as the HTTP API: every event has its actor, and `now` — hence `occurredAt` —
 * is the scenario's time in 2024. Nothing is written to read models; the projector builds them.
 */
@Injectable()
export class DemoLoader {
  private readonly logger = new Logger('Demo');
  private readonly pipe = validationPipe();

  constructor(
    private readonly bus: CommandBus,
    private readonly users: UsersService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** The loader of an app, also when DemoModule is not (yet) imported into its AppModule. */
  static from(app: INestApplicationContext): DemoLoader {
    // Looked up rather than tried: a failed app.get() is logged as an error by Nest.
    const wired = [...app.get(ModulesContainer).values()].some((m) => m.providers.has(DemoLoader));
    if (wired) return app.get(DemoLoader, { strict: false });
    return new DemoLoader(
      app.get(CommandBus, { strict: false }),
      app.get(UsersService, { strict: false }),
      app.get<EventStore>(EVENT_STORE, { strict: false }),
    );
  }

  /** The marker: the demo round's stream (fixed id) exists. */
  async isLoaded(): Promise<boolean> {
    return (await this.store.readStream(roundStream(DEMO_ROUND_ID), { toRevision: 1 })).length > 0;
  }

  /** Any event at all, also one not yet visible to readers (readAll/headPosition stop below open transactions). */
  async hasEvents(): Promise<boolean> {
    return this.store.hasEvents();
  }

  async load(options: DemoLoadOptions = {}): Promise<DemoSummary> {
    if (!options.force && (await this.hasEvents())) {
      throw new DemoRefusedError(
        'The event store already has events; the demo tour is loaded only into an empty store (use force to add a copy)',
      );
    }
    const started = performance.now();
    // A forced second copy must not collide with the first: fresh ids for the round and its cases.
    const namespace = (await this.isLoaded()) ? `${DEMO_NAMESPACE}/${randomUUID()}` : DEMO_NAMESPACE;
    const id = (kind: string, key: string) =>
      kind === 'round' && namespace === DEMO_NAMESPACE ? DEMO_ROUND_ID : stableUuid(namespace, `${kind}:${key}`);
    const roundId = id('round', 'round');
    // Built (and the scenario checked: known keys, steps in time order) before anything is written.
    const timeline = this.timeline(roundId, id);
    const runTag = randomUUID().slice(0, 8);
    let seq = 0;
    let lastPosition = 0;
    const run = async (actor: AuthUser, step: Scripted): Promise<CommandResult> => {
      const ctx: CommandContext = { actor, correlationId: `demo-${runTag}-${++seq}`, now: step.at };
      try {
        const result = await this.bus.execute(await step.message(metadataOf(ctx), ctx));
        lastPosition = Math.max(lastPosition, result.position);
        return result;
      } catch (error) {
        const detail =
          isApplicationError(error) || isDomainError(error)
            ? `${error.code}: ${error.message}`
            : (error as Error).message;
        throw new Error(`demo scenario: ${step.what} at ${step.at.toISOString()} was refused (${detail})`, {
          cause: error,
        });
      }
    };

    // 1. Users: hashing their passwords is the slow part, so they are made while the tour runs (each
    //    command waits only for its own actor). Units are registered by the administrator (docs/domain.md:
    //    admin keeps users and departments), before their liaisons can be created.
    const pending = new Map<string, Promise<{ user: AuthUser; created: boolean }>>();
    const startUsers = (list: readonly DemoUser[]) => {
      for (const u of list) {
        const p = this.ensureUser(u, !options.passwordsAlreadyChanged);
        p.catch(() => undefined); // awaited below; a failure surfaces there, not as an unhandled rejection
        pending.set(u.username, p);
      }
    };
    const actorOf = async (username: string): Promise<AuthUser> => {
      const p = pending.get(username);
      if (!p) throw new Error(`demo scenario: no demo user "${username}"`);
      return (await p).user;
    };
    startUsers(DEMO_USERS.filter((u) => !u.department));
    const admin = await this.users.findByUsername(BOOTSTRAP_ADMIN_USERNAME);
    const registrar = admin?.role === 'admin' && !admin.disabled ? toAuthUser(admin) : await actorOf(DEMO_OFFICIAL);

    let registered = 0;
    let departmentsReused = 0;
    for (const [i, d] of DEMO_DEPARTMENTS.entries()) {
      const departmentId = demoDepartmentId(d.key);
      if ((await this.store.readStream(departmentStream(departmentId), { toRevision: 1 })).length > 0) {
        departmentsReused++;
        continue;
      }
      const at = new Date(demoTime('08-20 08:30').getTime() + i * 60_000);
      await run(registrar, {
        at,
        seq: i,
        what: `registering ${d.name}`,
        actor: registrar.username,
        message: async (metadata, ctx) => {
          const dto = await this.body(RegisterDepartmentDto, {
            name: d.name,
            kind: d.kind,
            ...(d.parent ? { parentId: demoDepartmentId(d.parent) } : {}),
          });
          return new SendCommand({ type: 'RegisterDepartment', data: { departmentId, ...dto }, metadata }, ctx);
        },
      });
      registered++;
    }
    startUsers(DEMO_USERS.filter((u) => u.department));

    // 2. The tour, every command at its time, in time order.
    for (const step of timeline) await run(await actorOf(step.actor), step);

    // 3. The present: a 回头看 round stationed a few weeks ago, its deadlines relative to today.
    let current: { roundId: string; title: string } | undefined;
    if (options.current !== false) {
      const scenario = buildCurrentScenario(
        options.today ?? OFFICE_DAY.format(new Date()),
        (kind, key) => stableUuid(namespace, `current:${kind}:${key}`),
        demoDepartmentId,
      );
      for (const [i, s] of scenario.steps.entries()) {
        await run(await actorOf(s.by), {
          at: s.at,
          seq: i,
          what: `current round: ${s.what}`,
          actor: s.by,
          message: async (metadata, ctx) => new SendCommand({ ...s.command, metadata }, ctx, s.personal ?? {}),
        });
      }
      current = { roundId: scenario.roundId, title: scenario.title };
    }
    const created: string[] = [];
    const reused: string[] = [];
    for (const [username, p] of pending) ((await p).created ? created : reused).push(username);

    const summary = await this.summarize(
      roundId,
      [
        ...DEMO_FINDINGS.map((f) => id('finding', f.key)),
        // The findings that leads triaged as reclassify_as_finding became.
        ...DEMO_LEADS.filter((l) => l.steps.some((s) => s.do === 'triage' && s.finding)).map((l) =>
          reclassifiedFindingId(id('lead', l.key)),
        ),
      ],
      DEMO_LEADS.map((l) => id('lead', l.key)),
    );
    const result: DemoSummary = {
      ...summary,
      ...(current ? { current } : {}),
      departments: { registered, reused: departmentsReused },
      users: { created, reused },
      commands: seq,
      events: summary.events + registered,
      lastPosition,
      ms: Math.round(performance.now() - started),
    };
    this.logger.log(
      `Loaded the demo tour "${DEMO_ROUND.title}": ${result.fields} fields, ${result.monitoringPoints} monitoring points, ` +
        `${result.findings.total} findings (${result.findings.immediateClosed} 立行立改 closed), ${result.leads.total} leads; ` +
        `${result.commands} commands, ${result.events} events in ${result.ms} ms`,
    );
    return result;
  }

  private user(username: string): string {
    if (!DEMO_USERS.some((u) => u.username === username)) throw new Error(`demo scenario: no demo user "${username}"`);
    return username;
  }

  /** Validated exactly as the HTTP API validates the same body. */
  private async body<T extends object>(dto: Type<T>, value: object): Promise<T> {
    return (await this.pipe.transform(value, { type: 'body', metatype: dto, data: undefined })) as T;
  }

  /** Creates a demo user, or takes the existing one when it has the role (and unit) the tour needs. */
  private async ensureUser(u: DemoUser, mustChangePassword: boolean): Promise<{ user: AuthUser; created: boolean }> {
    const departmentId = u.department ? demoDepartmentId(u.department) : null;
    const reuse = (existing: UserView | null, cause?: unknown) => {
      if (!existing || existing.role !== u.role || existing.departmentId !== departmentId || existing.disabled) {
        throw new Error(
          `demo scenario: the user "${u.username}" already exists with another role or unit (or is disabled); the demo needs a ${u.role}`,
          { cause },
        );
      }
      return { user: toAuthUser(existing), created: false };
    };
    // Looked up first: creating hashes the password (the slow part) even when the name is taken.
    const existing = await this.users.findByUsername(u.username);
    if (existing) return reuse(existing);
    try {
      const view = await this.users.create({
        username: u.username,
        password: u.password,
        role: u.role,
        departmentId,
        displayName: u.displayName,
        mustChangePassword,
      });
      return { user: toAuthUser(view), created: true };
    } catch (error) {
      if (!(isApplicationError(error) && error.code === 'USERNAME_TAKEN')) throw error;
      return reuse(await this.users.findByUsername(u.username), error);
    }
  }

  private timeline(roundId: string, id: (kind: string, key: string) => string): Scripted[] {
    const official = DEMO_OFFICIAL;
    const steps: Scripted[] = [];
    const add = (at: string, what: string, actor: string, message: Scripted['message']) =>
      steps.push({ at: demoTime(at), seq: steps.length, what, actor, message });
    const department = (key: string) => {
      if (!DEMO_DEPARTMENTS.some((d) => d.key === key)) throw new Error(`demo scenario: unknown department "${key}"`);
      return demoDepartmentId(key);
    };
    const unit = (key: string) => DEMO_DEPARTMENTS.find((d) => d.key === key)!;
    const liaisonOf = (key: string) => {
      const u = DEMO_USERS.find((x) => x.role === 'unit_liaison' && x.department === key);
      if (!u) throw new Error(`demo scenario: department "${key}" rectifies but has no liaison among DEMO_USERS`);
      return u.username;
    };
    const pointOf = (key: string) => {
      if (!DEMO_POINTS.some((p) => p.key === key)) throw new Error(`demo scenario: unknown monitoring point "${key}"`);
      return id('point', key);
    };
    const round = (metadata: CommandMetadata, ctx: CommandContext, command: Unsent<RoundCommand>) =>
      new SendCommand({ ...command, metadata }, ctx);

    add(DEMO_ROUND.plannedAt, 'planning the round', official, async (metadata, ctx) => {
      const { plannedAt: _a, milestones: _m, ...body } = DEMO_ROUND;
      return round(metadata, ctx, { type: 'PlanRound', data: { roundId, ...(await this.body(PlanRoundDto, body)) } });
    });
    for (const f of DEMO_FIELDS) {
      add(f.at, `adding the field ${f.name}`, official, async (metadata, ctx) =>
        round(metadata, ctx, {
          type: 'AddFocusField',
          data: { roundId, fieldId: id('field', f.key), ...(await this.body(AddFieldDto, { name: f.name })) },
        }),
      );
    }
    for (const p of DEMO_POINTS) {
      if (!DEMO_FIELDS.some((f) => f.key === p.field))
        throw new Error(`demo scenario: point ${p.key} names the unknown field "${p.field}"`);
      add(p.at, `adding the point ${p.key}`, this.user(p.by), async (metadata, ctx) => {
        const targets = p.targets.map((t) => ({
          kind: t.kind,
          name: t.name,
          ...(t.department ? { departmentId: department(t.department) } : {}),
        }));
        const dto = await this.body(AddMonitoringPointDto, { fieldId: id('field', p.field), title: p.title, targets });
        return round(metadata, ctx, {
          type: 'AddMonitoringPoint',
          data: { roundId, pointId: id('point', p.key), fieldId: dto.fieldId, title: dto.title, targets },
        });
      });
    }
    for (const m of DEMO_ROUND.milestones) {
      add(m.at, m.step, official, async (metadata, ctx) => round(metadata, ctx, { type: m.step, data: { roundId } }));
    }

    for (const f of DEMO_FINDINGS) {
      const findingId = id('finding', f.key);
      const send = (metadata: CommandMetadata, ctx: CommandContext, command: Unsent<FindingCommand>) =>
        new SendCommand({ ...command, metadata }, ctx);
      const what = (step: string) => `finding ${f.key}: ${step}`;
      add(f.at, what('record'), this.user(f.by), async (metadata, ctx) => {
        const dto = await this.body(RecordFindingDto, {
          monitoringPointId: pointOf(f.point),
          departmentId: department(f.department),
          title: f.title,
          description: f.description,
          ...(f.category ? { category: f.category } : {}),
        });
        return send(metadata, ctx, { type: 'RecordFinding', data: { findingId, roundId, fieldId: '', ...dto } });
      });
      let assignedTo = f.department;
      let previous = demoTime(f.at);
      for (const s of f.steps) {
        if (demoTime(s.at) <= previous)
          throw new Error(`demo scenario: finding ${f.key}: step ${s.do} at ${s.at} is not after the step before it`);
        previous = demoTime(s.at);
        switch (s.do) {
          case 'assign': {
            assignedTo = s.department ?? f.department;
            const body = {
              type: s.type,
              departmentId: department(assignedTo),
              ...(s.coDepartments ? { coDepartmentIds: s.coDepartments.map(department) } : {}),
              responsiblePerson: s.responsiblePerson ?? unit(assignedTo).deputy,
              dueOn: s.dueOn,
            };
            add(s.at, what('assign'), official, async (metadata, ctx) =>
              send(metadata, ctx, {
                type: 'AssignRectification',
                data: { findingId, ...(await this.body(AssignRectificationDto, body)) },
              }),
            );
            break;
          }
          case 'acknowledge':
            add(s.at, what('acknowledge'), liaisonOf(assignedTo), async (metadata, ctx) =>
              send(metadata, ctx, { type: 'AcknowledgeRectification', data: { findingId } }),
            );
            break;
          case 'plan':
            add(s.at, what('plan'), liaisonOf(assignedTo), async (metadata, ctx) =>
              send(metadata, ctx, {
                type: 'SubmitRectificationPlan',
                data: { findingId, ...(await this.body(SubmitPlanDto, { measures: s.measures, target: s.target })) },
              }),
            );
            break;
          case 'progress':
            add(s.at, what('progress'), liaisonOf(assignedTo), async (metadata, ctx) =>
              send(metadata, ctx, {
                type: 'ReportProgress',
                data: {
                  findingId,
                  ...(await this.body(ReportProgressDto, {
                    note: s.note,
                    percent: s.percent,
                    ...(s.evidence ? { evidence: s.evidence } : {}),
                  })),
                },
              }),
            );
            break;
          case 'requestClosure': {
            const signedOffBy = s.signedOffBy ?? unit(assignedTo).head;
            add(s.at, what('request closure'), liaisonOf(assignedTo), async (metadata, ctx) =>
              send(metadata, ctx, {
                type: 'RequestClosure',
                data: { findingId, ...(await this.body(RequestClosureDto, { evidence: s.evidence, signedOffBy })) },
              }),
            );
            break;
          }
          case 'verify': {
            const body = {
              accepted: s.accepted,
              ...(s.reason ? { reason: s.reason } : {}),
              ...(s.ongoing ? { ongoing: true } : {}),
              ...(s.dueOn ? { dueOn: s.dueOn } : {}),
            };
            add(s.at, what('verify'), official, async (metadata, ctx) =>
              send(metadata, ctx, {
                type: 'VerifyRectification',
                data: { findingId, ...(await this.body(VerifyRectificationDto, body)) },
              }),
            );
            break;
          }
          case 'reopen':
            add(s.at, what('reopen'), official, async (metadata, ctx) =>
              send(metadata, ctx, {
                type: 'ReopenRectification',
                data: {
                  findingId,
                  ...(await this.body(ReopenDto, { reason: s.reason, ...(s.dueOn ? { dueOn: s.dueOn } : {}) })),
                },
              }),
            );
            break;
          case 'dismiss':
            add(s.at, what('dismiss'), official, async (metadata, ctx) =>
              send(metadata, ctx, {
                type: 'DismissFinding',
                data: { findingId, ...(await this.body(ReasonDto, { reason: s.reason })) },
              }),
            );
            break;
        }
      }
    }

    for (const l of DEMO_LEADS) {
      const leadId = id('lead', l.key);
      const send = (metadata: CommandMetadata, ctx: CommandContext, command: Unsent<LeadCommand>) =>
        new SendCommand({ ...command, metadata }, ctx);
      const what = (step: string) => `lead ${l.key}: ${step}`;
      add(l.at, what('record'), this.user(l.by), async (metadata, ctx) => {
        const dto = await this.body(RecordLeadDto, {
          ...(l.point ? { monitoringPointId: pointOf(l.point) } : {}),
          source: l.source,
          // The account names posts and places that identify the people concerned: it is the protected detail,
          // and the summary in clear says only where the lead came from and what it is about.
          summary: neutralSummary(l),
          summaryDetail: l.summary,
          ...(l.subjects.length
            ? {
                subjects: l.subjects.map((s) => ({
                  name: s.name,
                  ...(s.post ? { post: s.post } : {}),
                  ...(s.department ? { departmentId: department(s.department) } : {}),
                })),
              }
            : {}),
          ...(l.informant ? { informant: l.informant } : {}),
        });
        // As the controller does: names and the informant travel beside the command, never in it.
        const { subjects, informant, summaryDetail, ...rest } = dto;
        const personal = { subjects, informant, summaryDetail };
        return new SendCommand({ type: 'RecordLead', data: { leadId, roundId, ...rest }, metadata }, ctx, personal);
      });
      let previous = demoTime(l.at);
      for (const s of l.steps) {
        if (demoTime(s.at) <= previous)
          throw new Error(`demo scenario: lead ${l.key}: step ${s.do} at ${s.at} is not after the step before it`);
        previous = demoTime(s.at);
        switch (s.do) {
          case 'triage':
            add(s.at, what('triage'), official, async (metadata, ctx) => {
              const f = s.finding;
              const { finding, ...dto } = await this.body(TriageLeadDto, {
                decision: s.decision,
                ...(s.note ? { note: s.note } : {}),
                ...(f
                  ? {
                      finding: {
                        monitoringPointId: pointOf(f.point),
                        departmentId: department(f.department),
                        title: f.title,
                        description: f.description,
                      },
                    }
                  : {}),
              });
              // As the controller does: the finding's body travels beside the command.
              const command = { type: 'TriageLead' as const, data: { leadId, ...dto }, metadata };
              return new SendCommand(command, ctx, finding ? { reclassifiedFinding: { ...finding } } : {});
            });
            break;
          case 'transfer': {
            const body = {
              receiver: s.receiver,
              ...(s.department ? { receiverDepartmentId: department(s.department) } : {}),
            };
            add(s.at, what('transfer'), official, async (metadata, ctx) =>
              send(metadata, ctx, {
                type: 'TransferLead',
                data: { leadId, ...(await this.body(TransferLeadDto, body)) },
              }),
            );
            break;
          }
          case 'receive':
            add(s.at, what('receive'), official, async (metadata, ctx) =>
              send(metadata, ctx, { type: 'AcknowledgeLeadReceipt', data: { leadId } }),
            );
            break;
          case 'dispose':
            add(s.at, what('dispose'), official, async (metadata, ctx) =>
              send(metadata, ctx, {
                type: 'RecordDisposition',
                data: { leadId, ...(await this.body(DisposeLeadDto, { method: s.method })) },
              }),
            );
            break;
          case 'outcome':
            add(s.at, what('outcome'), official, async (metadata, ctx) =>
              send(metadata, ctx, {
                type: 'RecordOutcome',
                data: {
                  leadId,
                  ...(await this.body(LeadOutcomeDto, { outcome: s.outcome, ...(s.note ? { note: s.note } : {}) })),
                },
              }),
            );
            break;
          case 'close':
            add(s.at, what('close'), official, async (metadata, ctx) =>
              send(metadata, ctx, { type: 'CloseLead', data: { leadId } }),
            );
            break;
        }
      }
    }
    // The round's lifecycle decides what may happen when (findings only while stationed, leads until
    // feedback), so the tour is replayed in the order it happened; ties keep the scenario's order.
    return steps.sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq);
  }

  /** The figures as the events now say: every stream written is read back and folded. */
  private async summarize(roundId: string, findingIds: string[], leadIds: string[]) {
    const read = (streamId: string) =>
      this.store
        .readStream(streamId)
        .then((events) => events.map((e) => ({ type: e.type, data: e.data }) as DomainEvent));
    const [roundEvents, findingEvents, leadEvents] = await Promise.all([
      read(roundStream(roundId)),
      Promise.all(findingIds.map((f) => read(findingStream(f)))),
      Promise.all(leadIds.map((l) => read(leadStream(l)))),
    ]);
    const round = foldEvents(inspectionRoundDecider, roundEvents as never);
    if (round.status === 'absent') throw new Error('demo scenario: the round was not written');
    const today = OFFICE_DAY.format(new Date());
    const byType = {
      unassigned: 0,
      ...Object.fromEntries(RECTIFICATION_TYPES.map((t) => [t, 0])),
    } as DemoSummary['findings']['byType'];
    const byStatus = Object.fromEntries(FINDING_STATUSES.map((s) => [s, 0])) as Record<FindingStatus, number>;
    let immediateClosed = 0;
    let overdue = 0;
    let rejected = 0;
    let reopened = 0;
    for (const events of findingEvents) {
      const f = foldEvents(findingDecider, events as never);
      if (f.status === 'absent') continue;
      byStatus[f.status]++;
      byType[f.rectification?.type ?? 'unassigned']++;
      if (f.rectification?.type === 'immediate' && f.status === 'closed') immediateClosed++;
      if (isOverdue(f, today)) overdue++;
      if (f.rectification?.rejectedCount) rejected++;
      if (f.rectification?.reopenedCount) reopened++;
    }
    const leadsByStatus = Object.fromEntries(LEAD_STATUSES.map((s) => [s, 0])) as Record<LeadStatus, number>;
    for (const events of leadEvents) {
      const l = foldEvents(leadDecider, events as never);
      if (l.status !== 'absent') leadsByStatus[l.status]++;
    }
    return {
      roundId,
      roundTitle: round.title,
      roundStatus: round.status,
      fields: round.fields.length,
      monitoringPoints: round.monitoringPoints.length,
      findings: {
        total: findingEvents.filter((e) => e.length).length,
        byType,
        byStatus,
        immediateClosed,
        overdue,
        rejected,
        reopened,
      },
      leads: { total: leadEvents.filter((e) => e.length).length, byStatus: leadsByStatus },
      events:
        roundEvents.length +
        findingEvents.reduce((n, e) => n + e.length, 0) +
        leadEvents.reduce((n, e) => n + e.length, 0),
    };
  }
}
