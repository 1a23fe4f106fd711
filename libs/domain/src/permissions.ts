import type { Role } from './common/roles.js';
import type { CommandType } from './types.js';

/*
 * Who may send which command (docs/domain.md "Roles", docs/api.md "Sign-in and roles"), as data so that
 * the API guard, the OpenAPI docs and the dashboard's buttons read one table. Being allowed a command
 * is necessary, not sufficient: a unit liaison must also pass `liaisonMayAct` for the finding.
 */
export const mayDo: Readonly<Record<CommandType, readonly Role[]>> = {
  PlanRound: ['official'],
  AddFocusField: ['official', 'inspector'],
  AddMonitoringPoint: ['official', 'inspector'],
  StationRound: ['official'],
  ReportRound: ['official'],
  DeliverRoundFeedback: ['official'],
  StartRoundRectification: ['official'],
  EvaluateRound: ['official'],
  ArchiveRound: ['official'],

  RecordFinding: ['inspector'],
  AssignRectification: ['official'],
  AcknowledgeRectification: ['unit_liaison'],
  SubmitRectificationPlan: ['unit_liaison'],
  ReportProgress: ['unit_liaison'],
  RequestClosure: ['unit_liaison'],
  VerifyRectification: ['official'],
  ReopenRectification: ['official'],
  DismissFinding: ['official'],

  RecordLead: ['inspector'],
  TriageLead: ['official'],
  TransferLead: ['official'],
  AcknowledgeLeadReceipt: ['official'],
  RecordDisposition: ['official'],
  RecordOutcome: ['official'],
  CloseLead: ['official'],

  RegisterDepartment: ['admin', 'official'],
  RenameDepartment: ['admin', 'official'],
};

export function roleMayDo(role: Role, commandType: CommandType): boolean {
  return mayDo[commandType].includes(role);
}
