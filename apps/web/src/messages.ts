/*
 * A Chinese sentence for every error code the API can answer (apps/api/src/http/error-status.ts; its unit
 * test walks that table), and for the web's own (NETWORK). No English text of the API reaches a user:
 * an unknown code gets a sentence by its HTTP status. Pure data, no imports: the unit test loads it in node.
 */
export const ERROR_MESSAGES: Readonly<Record<string, string>> = {
  // the web's own
  NETWORK: '无法连接服务器，请检查网络后重试；已填写的内容已保留',

  // shared input rules
  VALIDATION_FAILED: '请检查标出的字段',
  VALUE_REQUIRED: '有必填项未填写',
  INVALID_VALUE: '有字段取值无效',
  INVALID_DATE: '日期格式应为 年-月-日',
  INVALID_TIMESTAMP: '时间格式不正确',
  REASON_REQUIRED: '请填写理由',

  // who asks
  UNAUTHENTICATED: '登录已失效，请重新登录',
  INVALID_CREDENTIALS: '用户名或密码错误',
  FORBIDDEN: '当前角色无权执行此操作',
  FORBIDDEN_ROLE: '当前角色无权执行此操作',
  NOT_YOUR_DEPARTMENT: '只能查看和办理本单位的事项',
  NO_DEPARTMENT: '该账号未关联单位，请联系系统管理员',

  // 巡察轮次
  ROUND_NOT_FOUND: '未找到该巡察轮次',
  ROUND_ALREADY_PLANNED: '该巡察轮次已存在',
  ROUND_PERIOD_INVALID: '结束日期不能早于开始日期',
  ROUND_NOT_OPEN_FOR_PLANNING: '该轮次已进驻，不能再修改计划',
  FOCUS_FIELD_ALREADY_EXISTS: '该重点领域已存在',
  FOCUS_FIELD_NOT_FOUND: '所选重点领域不属于本轮巡察',
  MONITORING_POINT_ALREADY_EXISTS: '该监督点已存在',
  MONITORING_POINT_TARGETS_REQUIRED: '监督点至少需要一个监督对象',
  MONITORING_POINT_NOT_FOUND: '所选监督点不属于本轮巡察',
  ROUND_NOT_PLANNED: '只有计划中的轮次可以进驻',
  ROUND_NOT_STATIONED: '只有已进驻的轮次可以录入问题或形成报告',
  ROUND_NOT_REPORTED: '请先形成巡察报告再反馈',
  ROUND_FEEDBACK_NOT_DELIVERED: '请先反馈再开始集中整改',
  ROUND_NOT_RECTIFYING: '请先开始集中整改再评估验收',
  ROUND_NOT_EVALUATED: '请先评估验收再归档',
  ROUND_NOT_ACCEPTING_LEADS: '本轮当前阶段不再接收问题线索',

  // 问题与整改
  FINDING_NOT_FOUND: '未找到该问题',
  FINDING_ALREADY_RECORDED: '该问题已录入，未重复记录',
  FINDING_ALREADY_ASSIGNED: '该问题已交办',
  FINDING_DISMISSED: '该问题已经核实不予认定',
  FINDING_NOT_ASSIGNED: '该问题尚未交办或已签收',
  FINDING_NOT_ACKNOWLEDGED: '请先签收再提交整改方案',
  FINDING_NOT_IN_PROGRESS: '该问题当前不在整改中',
  FINDING_NOT_PENDING_VERIFICATION: '该问题当前不在待验收状态',
  FINDING_NOT_CLOSED_OR_ONGOING: '只有已销号或持续整改的问题可以重新整改',
  ONGOING_ONLY_FOR_LONG_TERM: '只有长期整改可以标记为阶段性完成、持续整改',
  ONGOING_REQUIRES_ACCEPTANCE: '未通过验收时不能标记为持续整改',
  CO_DEPARTMENT_IS_LEAD_DEPARTMENT: '配合单位不能与牵头单位相同',
  PERCENT_OUT_OF_RANGE: '进度应在 0–100 之间',
  EVIDENCE_REQUIRED: '至少填写一项佐证材料',

  // 问题线索
  LEAD_NOT_FOUND: '未找到该线索',
  LEAD_ALREADY_RECORDED: '该线索已登记，未重复记录',
  LEAD_ALREADY_TRIAGED: '该线索已研判',
  LEAD_NOT_TRIAGED_FOR_TRANSFER: '只有研判为移交的线索可以移交',
  LEAD_ALREADY_TRANSFERRED: '该线索已移交',
  LEAD_NOT_TRANSFERRED: '只有已移交的线索可以登记接收',
  LEAD_NOT_RECEIVED: '接收后才能确定处置方式',
  LEAD_DISPOSITION_UNCHANGED: '处置方式与当前相同',
  LEAD_NOT_DISPOSING: '只有处置中的线索可以登记处置结果',
  LEAD_NOT_CONCLUDED: '只有已办结的线索可以销号',
  RECEIVER_DEPARTMENT_REQUIRED: '移交职能部门时请选择具体单位',
  RECLASSIFIED_FINDING_REQUIRED: '转为问题整改时请填写问题的监督点、所在单位、标题和描述',
  FINDING_ONLY_FOR_RECLASSIFICATION: '只有转为问题整改时才填写问题',

  // 回访
  FOLLOW_UP_BEFORE_RECTIFICATION: '整改销号或阶段性完成后才能回访',
  FOLLOW_UP_BEFORE_DISPOSITION: '线索处置后才能回访',
  FOLLOW_UP_IN_FUTURE: '回访日期不能晚于今天',
  OCCURRED_IN_FUTURE: '发现时间不能晚于现在',

  // 单位
  DEPARTMENT_NOT_REGISTERED: '未找到该单位',
  DEPARTMENT_NOT_FOUND: '所选单位不存在',
  DEPARTMENT_ALREADY_REGISTERED: '该单位已登记',
  DEPARTMENT_CANNOT_BE_OWN_PARENT: '上级单位不能是本单位',
  DEPARTMENT_NAME_UNCHANGED: '新名称与原名称相同',

  // 个人信息与账号
  PERSONAL_DATA_NOT_FOUND: '该个人信息不存在或已删除',
  USERNAME_TAKEN: '该用户名已被使用',
  USER_NOT_FOUND: '未找到该用户',
  PASSWORD_CHANGE_REQUIRED: '请先设置新密码',

  // 写入
  CONCURRENT_MODIFICATION: '该事项已被他人更新，已刷新为最新状态，请确认后重试',
  REVISION_MISMATCH: '该事项已被他人更新，已刷新为最新状态，请确认后重试',
  EVENT_ID_CONFLICT: '该操作已记录，未重复记录',
  INVALID_EVENT: '提交的内容无法记录，请检查后重试',
  IDEMPOTENCY_KEY_REUSED: '本次重试的内容与首次提交不同，请刷新后重新填写',
  IDEMPOTENCY_REQUEST_IN_PROGRESS: '上次提交仍在处理中，请稍候再试',

  // 佐证材料、督办、延期与新的整改时限
  EVIDENCE_NOT_UPLOADED: '引用的佐证材料尚未上传，请先上传文件',
  EVIDENCE_NOT_FOUND: '未找到该佐证材料',
  EVIDENCE_TOO_LARGE: '佐证材料文件不能超过 20 兆字节',
  EVIDENCE_TYPE_NOT_ALLOWED: '佐证材料只能是 PDF、OFD、JPEG、PNG、DOCX 或 XLSX 文件（按文件内容识别）',
  EVIDENCE_FILE_REQUIRED: '请选择要上传的文件',
  INVALID_EVIDENCE: '佐证材料格式不正确',
  NOTICE_NOT_FOUND: '未找到该督办文书',
  FINDING_NOT_OPEN: '该问题不在整改中，不能督办或延期',
  EXTENSION_ALREADY_REQUESTED: '已有延期申请等待审批',
  NO_EXTENSION_REQUESTED: '没有等待审批的延期申请',
  EXTENSION_NOT_LATER: '申请延期的日期须晚于现整改时限',
  NEW_DUE_DATE_REQUIRED: '限期整改须设定新的整改时限',
  DATE_IN_THE_PAST: '日期不能早于今天',

  // 巡察单机版：配置包与移交数据包
  HANDOVER_BUNDLE_INVALID: '移交数据包格式不正确或版本不受支持',
  HANDOVER_BROKEN_LINK: '移交数据包校验未通过（签名、哈希链或佐证材料不一致），未写入任何数据',
  HANDOVER_STREAM_DIVERGED: '移交数据与本机已有记录不一致，无法接续导入',
  HANDOVER_NEEDS_POSTGRES: '移交功能仅在默认的事件库配置下可用',
  FIELD_KIT_ALREADY_IMPORTED: '该配置包已导入过，不能重复导入',
  HANDOVER_RECEIPT_INVALID: '移交回执无效：签名或数据包与本机不符',
  HANDOVER_RECEIPT_REQUIRED: '须先取得巡察办对最近一次移交数据包的回执，且该数据包包含全部记录，才能清理',

  // 读取与服务
  READ_MODELS_NOT_READY: '统计数据正在生成，请稍候',
  SERVER_BUSY: '服务器繁忙，请稍后重试；已填写的内容已保留',
  RATE_LIMITED: '操作过于频繁，请稍后再试',
  DATABASE_UNAVAILABLE: '数据库暂时不可用，请稍后重试；已填写的内容已保留',
  URI_TOO_LONG: '查询条件过长，请减少筛选条件',
  NOT_FOUND: '未找到请求的内容',
  INTERNAL_ERROR: '服务器出错，请稍后重试',
};

/** When the code is none of the above (a proxy's page, a newer server): a sentence by HTTP status. */
export function messageForStatus(status: number): string {
  if (status === 0) return ERROR_MESSAGES.NETWORK;
  if (status === 401) return ERROR_MESSAGES.UNAUTHENTICATED;
  if (status === 403) return ERROR_MESSAGES.FORBIDDEN;
  if (status === 404) return ERROR_MESSAGES.NOT_FOUND;
  if (status === 409) return '该事项的状态已变化，请刷新后重试';
  if (status === 412) return ERROR_MESSAGES.REVISION_MISMATCH;
  if (status === 413) return '提交的内容过大';
  if (status === 429) return ERROR_MESSAGES.RATE_LIMITED;
  if (status >= 500) return '服务器暂时无法处理，请稍后重试；已填写的内容已保留';
  return '请求未能完成，请检查填写的内容';
}

/** The sentence for an answer of the API: by its code, else by its status. Never the API's English. */
export function errorMessage(code: string, status: number): string {
  if (status === 412) return ERROR_MESSAGES.REVISION_MISMATCH;
  return ERROR_MESSAGES[code] ?? messageForStatus(status);
}
