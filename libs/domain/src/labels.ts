import type { Role } from './common/roles.js';
import type { DepartmentKind } from './department/department.types.js';
import type { FollowUpSatisfaction } from './follow-up/follow-up.js';
import type { FindingStatus, RectificationType, SupervisionLevel } from './finding/finding.types.js';
import type { WarningLevel } from './finding/finding.rules.js';
import type {
  LeadDisposition,
  LeadOutcome,
  LeadReceiver,
  SanctionKind,
  LeadSource,
  LeadStatus,
  LeadTriageDecision,
} from './lead/lead.types.js';
import type { MonitoringTargetKind, RoundKind, RoundStatus } from './round/round.types.js';
import type { CommandType, DomainEventType } from './types.js';

/*
 * Chinese labels for the UI and exports (整改台账). Typed as full Records, so a new state or
 * event type does not compile until it has a label.
 */

export const ROUND_KIND_LABELS: Readonly<Record<RoundKind, string>> = {
  mobile: '机动式巡察',
  regular: '常规巡察',
  special: '专项巡察',
};

export const ROUND_STATUS_LABELS: Readonly<Record<RoundStatus, string>> = {
  planned: '计划中',
  stationed: '已进驻',
  reported: '已形成报告',
  feedback_delivered: '已反馈',
  rectifying: '集中整改',
  evaluated: '评估验收',
  archived: '已归档',
};

export const MONITORING_TARGET_KIND_LABELS: Readonly<Record<MonitoringTargetKind, string>> = {
  department: '部门',
  person: '人员',
  post: '岗位',
  project: '项目',
};

export const FINDING_STATUS_LABELS: Readonly<Record<FindingStatus, string>> = {
  recorded: '已登记',
  assigned: '已交办',
  acknowledged: '已签收',
  in_progress: '整改中',
  pending_verification: '待验收',
  closed: '已销号',
  ongoing: '阶段性完成、持续整改',
  dismissed: '经核实不予认定',
};

export const RECTIFICATION_TYPE_LABELS: Readonly<Record<RectificationType, string>> = {
  immediate: '立行立改',
  deadline: '限期整改',
  long_term: '长期整改',
};

export const WARNING_LEVEL_LABELS: Readonly<Record<WarningLevel, string>> = {
  none: '正常',
  green: '绿色预警',
  yellow: '黄色预警',
  red: '红色预警（超期未完）',
};

export const LEAD_STATUS_LABELS: Readonly<Record<LeadStatus, string>> = {
  recorded: '已登记',
  triaged: '已研判',
  transferred: '已移交',
  received: '已接收',
  disposing: '处置中',
  concluded: '已办结',
  closed: '已销号',
};

export const LEAD_SOURCE_LABELS: Readonly<Record<LeadSource, string>> = {
  interview: '个别谈话',
  petition: '信访举报',
  documents: '查阅资料',
  site_visit: '实地走访',
  hotline_12345: '12345 热线',
};

export const LEAD_TRIAGE_DECISION_LABELS: Readonly<Record<LeadTriageDecision, string>> = {
  transfer: '移交',
  reclassify_as_finding: '转为问题整改',
  refer_elsewhere: '转其他渠道处理',
};

export const LEAD_RECEIVER_LABELS: Readonly<Record<LeadReceiver, string>> = {
  discipline_commission: '区纪委监委',
  organization_department: '区委组织部',
  functional_department: '职能部门',
};

export const LEAD_DISPOSITION_LABELS: Readonly<Record<LeadDisposition, string>> = {
  talk_or_letter: '谈话函询',
  preliminary_verification: '初步核实',
  shelved: '暂存待查',
  concluded: '予以了结',
};

export const LEAD_OUTCOME_LABELS: Readonly<Record<LeadOutcome, string>> = {
  cleared: '予以了结澄清',
  reminder: '谈话提醒',
  criticism: '批评教育',
  admonition: '诫勉',
  case_opened: '立案审查调查',
  organizational_measure: '组织处理',
  judicial_transfer: '移送司法机关',
};

export const FOLLOW_UP_SATISFACTION_LABELS: Readonly<Record<FollowUpSatisfaction, string>> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  dissatisfied: '不满意',
};

export const SUPERVISION_LEVEL_LABELS: Readonly<Record<SupervisionLevel, string>> = {
  reminder: '提醒函',
  notice: '督办通知书',
  summons: '约谈',
};

export const EXTENSION_STATE_LABELS: Readonly<Record<'requested' | 'granted' | 'refused', string>> = {
  requested: '延期待审批',
  granted: '已同意延期',
  refused: '不同意延期',
};

export const SANCTION_KIND_LABELS: Readonly<Record<SanctionKind, string>> = {
  party: '党纪处分',
  government: '政务处分',
  organizational: '组织处理',
};

export const DEPARTMENT_KIND_LABELS: Readonly<Record<DepartmentKind, string>> = {
  bureau: '局',
  subdistrict: '街道',
  community: '村（社区）',
  other: '其他',
};

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  inspector: '巡察组成员',
  official: '巡察办 / 纪委监委干部',
  unit_liaison: '责任单位联络员',
  auditor: '监督检查（只读）',
  admin: '系统管理员',
};

export const EVENT_TYPE_LABELS: Readonly<Record<DomainEventType, string>> = {
  RoundPlanned: '制定巡察计划',
  FocusFieldAdded: '新增监督领域',
  MonitoringPointAdded: '新增监督重点',
  RoundStationed: '巡察进驻',
  RoundReported: '形成巡察报告',
  RoundFeedbackDelivered: '反馈巡察意见',
  RoundRectificationStarted: '启动集中整改',
  RoundEvaluated: '评估验收',
  RoundArchived: '立卷归档',
  HandoverImported: '导入移交数据',

  FindingRecorded: '登记问题',
  RectificationAssigned: '交办整改',
  RectificationAcknowledged: '签收整改',
  RectificationPlanSubmitted: '提交整改方案',
  ProgressReported: '报告整改进展',
  ClosureRequested: '申请销号',
  RectificationVerified: '验收销号',
  RectificationRejected: '验收未通过',
  RectificationMarkedOngoing: '阶段性完成、持续整改',
  RectificationReopened: '回头看重新整改',
  FindingDismissed: '经核实不予认定',
  FindingFollowUpRecorded: '回访',
  RectificationSupervised: '督办',
  ExtensionRequested: '申请延期',
  ExtensionGranted: '同意延期',
  ExtensionRefused: '不同意延期',

  LeadRecorded: '登记问题线索',
  LeadTriaged: '研判线索',
  LeadTransferred: '移交线索',
  LeadReceived: '接收线索',
  LeadDispositionRecorded: '登记处置方式',
  LeadOutcomeRecorded: '登记办理结果',
  LeadClosed: '线索销号',
  LeadFollowUpRecorded: '线索回访',

  DepartmentRegistered: '登记责任单位',
  DepartmentRenamed: '单位更名',
};

export const COMMAND_TYPE_LABELS: Readonly<Record<CommandType, string>> = {
  PlanRound: '制定巡察计划',
  AddFocusField: '新增监督领域',
  AddMonitoringPoint: '新增监督重点',
  StationRound: '进驻',
  ReportRound: '报告',
  DeliverRoundFeedback: '反馈',
  StartRoundRectification: '启动集中整改',
  EvaluateRound: '评估验收',
  ArchiveRound: '归档',

  RecordFinding: '登记问题',
  AssignRectification: '交办整改',
  AcknowledgeRectification: '签收',
  SubmitRectificationPlan: '提交整改方案',
  ReportProgress: '报告进展',
  RequestClosure: '申请销号',
  VerifyRectification: '验收',
  ReopenRectification: '重新整改',
  DismissFinding: '经核实不予认定',
  RecordFindingFollowUp: '回访',
  SuperviseRectification: '督办',
  RequestExtension: '申请延期',
  DecideExtension: '审批延期',

  RecordLead: '登记问题线索',
  TriageLead: '研判',
  TransferLead: '移交',
  AcknowledgeLeadReceipt: '确认接收',
  RecordDisposition: '登记处置方式',
  RecordOutcome: '登记办理结果',
  CloseLead: '销号',
  RecordLeadFollowUp: '线索回访',

  RegisterDepartment: '登记责任单位',
  RenameDepartment: '更名',
};

/** Every event type, in the order of the labels above (for projector subscriptions and docs). */
export const DOMAIN_EVENT_TYPES = Object.keys(EVENT_TYPE_LABELS) as readonly DomainEventType[];
export const COMMAND_TYPES = Object.keys(COMMAND_TYPE_LABELS) as readonly CommandType[];
