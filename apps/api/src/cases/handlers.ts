import { Command as CqrsCommand, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
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
  type DepartmentCommand,
  type DomainCommand,
  type FindingCommand,
  type FindingState,
  type LeadCommand,
  type RoundCommand,
} from '@app/domain';
import { ProblemException } from '../http/problem.js';
import { PersonalDataService } from '../personal-data/personal-data.service.js';
import type { CommandContext, CommandResult } from './command-context.js';
import { CommandRunner } from './command-runner.js';
import { DepartmentDirectory } from './department-directory.js';

function requireRole(command: DomainCommand, ctx: CommandContext): void {
  if (!roleMayDo(ctx.actor.role, command.type)) {
    throw new ProblemException(403, 'FORBIDDEN_ROLE', `The role ${ctx.actor.role} may not ${command.type}`);
  }
}

/** Bus messages: one per aggregate, carrying the domain command and who sends it. */
export class HandleRoundCommand extends CqrsCommand<CommandResult> {
  constructor(readonly command: RoundCommand, readonly ctx: CommandContext) {
    super();
  }
}
export class HandleFindingCommand extends CqrsCommand<CommandResult> {
  constructor(readonly command: FindingCommand, readonly ctx: CommandContext) {
    super();
  }
}
/** Personal data arrives in clear and leaves as references before anything is decided. */
export interface LeadPersonalData {
  subjects?: Array<{ name: string; post?: string; departmentId?: string }>;
  informant?: { name: string; contact?: string };
}
export class HandleLeadCommand extends CqrsCommand<CommandResult> {
  constructor(readonly command: LeadCommand, readonly ctx: CommandContext, readonly personal: LeadPersonalData = {}) {
    super();
  }
}
export class HandleDepartmentCommand extends CqrsCommand<CommandResult> {
  constructor(readonly command: DepartmentCommand, readonly ctx: CommandContext) {
    super();
  }
}

@CommandHandler(HandleRoundCommand)
export class RoundCommandHandler implements ICommandHandler<HandleRoundCommand> {
  constructor(private readonly runner: CommandRunner, private readonly departments: DepartmentDirectory) {}

  async execute({ command, ctx }: HandleRoundCommand): Promise<CommandResult> {
    requireRole(command, ctx);
    if (command.type === 'AddMonitoringPoint') {
      await this.departments.requireAll(command.data.targets.map((t, i) => [`targets[${i}].departmentId`, t.departmentId] as [string, string | undefined]));
    }
    const { roundId } = command.data;
    const { state: _state, ...result } = await this.runner.run(inspectionRoundDecider, roundStream(roundId), roundId, command, ctx);
    return result;
  }
}

@CommandHandler(HandleFindingCommand)
export class FindingCommandHandler implements ICommandHandler<HandleFindingCommand> {
  constructor(private readonly runner: CommandRunner, private readonly departments: DepartmentDirectory) {}

  async execute({ command, ctx }: HandleFindingCommand): Promise<CommandResult> {
    requireRole(command, ctx);
    let decided = command;
    if (command.type === 'RecordFinding') {
      const round = await this.runner.load(inspectionRoundDecider, roundStream(command.data.roundId));
      const point = ensureFindingMayBeRecorded(round.state, command.data.monitoringPointId);
      await this.departments.requireAll([['departmentId', command.data.departmentId]]);
      decided = { ...command, data: { ...command.data, fieldId: point.fieldId } };
    }
    if (command.type === 'AssignRectification') {
      await this.departments.requireAll([
        ['departmentId', command.data.departmentId],
        ...(command.data.coDepartmentIds ?? []).map((id, i) => [`coDepartmentIds[${i}]`, id] as [string, string]),
      ]);
    }
    const { findingId } = command.data;
    const { state: _state, ...result } = await this.runner.run(findingDecider, findingStream(findingId), findingId, decided, ctx, (state: FindingState) => {
      // A unit liaison acts only on findings assigned to their own department.
      if (ctx.actor.role === 'unit_liaison' && state.status !== 'absent' && !liaisonMayAct(state, ctx.actor.departmentId)) {
        throw new ProblemException(403, 'NOT_YOUR_DEPARTMENT', 'This finding is not assigned to your department');
      }
    });
    return result;
  }
}

@CommandHandler(HandleLeadCommand)
export class LeadCommandHandler implements ICommandHandler<HandleLeadCommand> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly departments: DepartmentDirectory,
    private readonly personalData: PersonalDataService,
  ) {}

  async execute({ command, ctx, personal }: HandleLeadCommand): Promise<CommandResult> {
    requireRole(command, ctx);
    let decided = command;
    if (command.type === 'RecordLead') {
      const round = await this.runner.load(inspectionRoundDecider, roundStream(command.data.roundId));
      ensureLeadMayBeRecorded(round.state, command.data.monitoringPointId);
      const subjects = personal.subjects ?? [];
      await this.departments.requireAll(subjects.map((s, i) => [`subjects[${i}].departmentId`, s.departmentId] as [string, string | undefined]));
      const refs = await this.personalData.protect([
        ...subjects.map((s) => ({ kind: 'lead_subject' as const, value: { name: s.name } })),
        ...(personal.informant ? [{ kind: 'informant' as const, value: { ...personal.informant } }] : []),
      ]);
      decided = {
        ...command,
        data: {
          ...command.data,
          subjects: subjects.map((s, i) => ({ ref: refs[i], ...(s.post ? { post: s.post } : {}), ...(s.departmentId ? { departmentId: s.departmentId } : {}) })),
          ...(personal.informant ? { informantRef: refs[subjects.length] } : {}),
        },
      };
    }
    if (command.type === 'TransferLead') {
      await this.departments.requireAll([['receiverDepartmentId', command.data.receiverDepartmentId]]);
    }
    const { leadId } = command.data;
    const { state: _state, ...result } = await this.runner.run(leadDecider, leadStream(leadId), leadId, decided, ctx);
    return result;
  }
}

@CommandHandler(HandleDepartmentCommand)
export class DepartmentCommandHandler implements ICommandHandler<HandleDepartmentCommand> {
  constructor(private readonly runner: CommandRunner, private readonly departments: DepartmentDirectory) {}

  async execute({ command, ctx }: HandleDepartmentCommand): Promise<CommandResult> {
    requireRole(command, ctx);
    if (command.type === 'RegisterDepartment') await this.departments.requireAll([['parentId', command.data.parentId]]);
    const { departmentId } = command.data;
    const { state: _state, ...result } = await this.runner.run(departmentDecider, departmentStream(departmentId), departmentId, command, ctx);
    return result;
  }
}

export const commandHandlers = [RoundCommandHandler, FindingCommandHandler, LeadCommandHandler, DepartmentCommandHandler];
