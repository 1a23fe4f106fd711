import type { Role } from './common/roles.js';
import type { CommandType } from './types.js';

/*
 * Who may send which command (docs/domain.md "Roles", docs/api.md "Sign-in and roles"), as data so that
 * the API guard, the OpenAPI docs and the dashboard's buttons read one table. Being allowed a command
 * is necessary, not sufficient: a unit liaison must also pass `liaisonMayAct` for the finding.
 * Every route of the API names one entry of `mayDo`, `mayRead` or `mayOperate`; its guard reads these.
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
  SuperviseRectification: ['official'],
  RequestExtension: ['unit_liaison'],
  DecideExtension: ['official'],
  DismissFinding: ['official'],
  RecordFindingFollowUp: ['official', 'inspector'],

  RecordLead: ['inspector'],
  TriageLead: ['official'],
  TransferLead: ['official'],
  AcknowledgeLeadReceipt: ['official'],
  RecordDisposition: ['official'],
  RecordOutcome: ['official'],
  CloseLead: ['official'],
  RecordLeadFollowUp: ['official', 'inspector'],

  RegisterDepartment: ['admin', 'official'],
  RenameDepartment: ['admin', 'official'],
};

export function roleMayDo(role: Role, commandType: CommandType): boolean {
  return mayDo[commandType].includes(role);
}

const SIGNED_IN: readonly Role[] = ['admin', 'official', 'inspector', 'unit_liaison', 'auditor'];
const CASE_READERS: readonly Role[] = ['official', 'inspector', 'unit_liaison', 'auditor'];
const OVERSIGHT: readonly Role[] = ['official', 'auditor'];

/**
 * Who may ask which question: every read of the API (a case, its history, a list, a dashboard
 * figure, the audit log). Being allowed a read may still narrow the answer (a liaison sees their
 * own department's rows; an auditor sees names redacted).
 */
export const mayRead = {
  GetRound: CASE_READERS,
  GetRoundHistory: OVERSIGHT,
  GetFinding: CASE_READERS,
  GetFindingHistory: OVERSIGHT,
  GetLead: OVERSIGHT,
  GetLeadHistory: OVERSIGHT,
  GetDepartment: SIGNED_IN,
  ListRounds: CASE_READERS,
  ListFindings: CASE_READERS,
  /** Inspectors: only the leads they recorded (the list is narrowed to them; summaries name no one). */
  ListLeads: [...OVERSIGHT, 'inspector'],
  ListDepartments: SIGNED_IN,
  DashboardOverview: OVERSIGHT,
  DashboardDepartments: ['official', 'auditor', 'unit_liaison'],
  DashboardFields: OVERSIGHT,
  DashboardTrend: OVERSIGHT,
  ExportLedger: OVERSIGHT,
  ListPersonalDataReads: OVERSIGHT,
  ListAuditEvents: ['auditor', 'official'],
  VerifyIntegrity: ['auditor', 'official'],
  /** A file of 佐证材料: to those who may read a case citing it (a liaison: their own unit's finding). */
  GetEvidence: CASE_READERS,
  /** A 督办 notice as a document: the office and the liaison of the unit it is addressed to. */
  GetNotice: ['official', 'unit_liaison'],
  /** 红牌清单: overdue rectifications and leads past their feedback deadline. */
  DashboardRedList: OVERSIGHT,
  GetOwnAccount: SIGNED_IN,
  ListUsers: ['admin'],
  ListUserChanges: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type QueryName = keyof typeof mayRead;

/** Who may run which operation that is not a case command (accounts, personal data, read models). */
export const mayOperate = {
  ChangeOwnPassword: SIGNED_IN,
  CreateUser: ['admin'],
  UpdateUser: ['admin'],
  ResetUserPassword: ['admin'],
  ErasePersonalData: ['official'],
  RebuildReadModels: ['admin', 'official'],
  /** Prometheus metrics and the health check's details (the scrape secret METRICS_TOKEN also may). */
  ReadMonitoring: ['admin', 'official'],
  /** 佐证材料: a unit or a team uploads a file before citing it in progress or closure. */
  UploadEvidence: ['inspector', 'official', 'unit_liaison'],
  /** The hand-over (巡察单机版): a laptop's team exports the round's signed bundle, the office imports it. */
  ExportHandoverBundle: ['official', 'inspector'],
  ImportHandoverBundle: ['official'],
  /** The office issues a round's field kit (配置); the laptop's admin imports it. */
  ExportFieldKit: ['official'],
  ImportFieldKit: ['admin'],
  /** The laptop keeps the office's receipt of a bundle; only then may its round be purged (清理). */
  StoreHandoverReceipt: ['official'],
  PurgeRound: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type OperationName = keyof typeof mayOperate;

export function roleMayRead(role: Role, query: QueryName): boolean {
  return (mayRead[query] as readonly Role[]).includes(role);
}
