/**
 * Chinese messages for the error codes of 佐证材料, 督办, 延期 and new deadlines (issue 13), kept apart from
 * the general table so that both can grow without touching each other; api.ts reads both.
 */
export const SUPERVISION_MESSAGES: Record<string, string> = {
  EVIDENCE_NOT_UPLOADED: '引用的佐证材料尚未上传，请先上传文件',
  EVIDENCE_NOT_FOUND: '未找到该佐证材料',
  EVIDENCE_TOO_LARGE: '佐证材料文件不能超过 20 MiB',
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
};
