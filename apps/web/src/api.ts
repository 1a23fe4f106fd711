import { navigate, route, href } from './router';
import { session, signOut } from './session';
import type { FieldError } from './types';
import { SUPERVISION_MESSAGES } from './messages-supervision';

/** An answer of the API that was not 2xx: its problem+json, with the field errors of a 400. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  /** Field name → messages, for showing beside the inputs. */
  byField(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const e of this.errors) {
      const root = e.field.replace(/\[\d+\]$/, '');
      const message = fieldMessage(e);
      const list = (out[root] ??= []);
      if (!list.includes(message)) list.push(message);
    }
    return out;
  }
}

export interface Answer<T> {
  data: T;
  /** X-Projection-Position of a read-model query: how far the figures reach. */
  position: number | null;
  /** ETag of an aggregate: its revision, to send back as If-Match. */
  etag: string | null;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  /** Read your writes: the server waits until the read models have processed this position. */
  minPosition?: number;
  ifMatch?: number;
  signal?: AbortSignal;
  /** A token other than the session's (the sign-in's, before a required password change). */
  token?: string;
}

export async function request<T>(
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  options: RequestOptions = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = options.token ?? session.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.minPosition) headers['x-min-position'] = String(options.minPosition);
  if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
  let response: Response;
  try {
    response = await fetch(href(`/api${path}`, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络');
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const p = (body ?? {}) as { code?: string; detail?: string; errors?: FieldError[] };
    const error = new ApiError(
      response.status,
      p.code ?? `HTTP_${response.status}`,
      p.detail ?? response.statusText,
      p.errors ?? [],
    );
    if (response.status === 401 && path !== '/auth/login' && !options.token) {
      // The token expired or was revoked: back to sign-in, then here again.
      signOut();
      navigate(href('/login', { next: route.path + location.search }), { replace: true });
    }
    throw error;
  }
  const position = response.headers.get('x-projection-position');
  const etag = response.headers.get('etag');
  return { data: body as T, position: position === null ? null : Number(position), etag };
}

export const get = <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options);
export const post = <T>(path: string, body: unknown = {}, options: RequestOptions = {}) =>
  request<T>('POST', path, { ...options, body });
export const patch = <T>(path: string, body: unknown = {}, options: RequestOptions = {}) =>
  request<T>('PATCH', path, { ...options, body });

/* Chinese for the validation rules of the API (class-validator and domain codes); anything else keeps the API's text. */
const RULES: Record<string, string> = {
  isNotEmpty: '必填',
  isString: '必填',
  isIn: '请选择有效选项',
  isInt: '应为整数',
  min: '数值过小',
  max: '数值过大',
  maxLength: '内容过长',
  isBoolean: '请选择',
  isArray: '格式不正确',
  arrayMaxSize: '条目过多',
  matches: '日期格式应为 年-月-日',
  isDateString: '时间格式不正确',
  unknown_field: '不支持的字段',
  VALUE_REQUIRED: '必填',
  INVALID_DATE: '日期格式应为 年-月-日',
  EVIDENCE_REQUIRED: '至少填写一项佐证材料',
  REASON_REQUIRED: '请填写理由',
  PERCENT_OUT_OF_RANGE: '进度应在 0–100 之间',
  CO_DEPARTMENT_IS_LEAD_DEPARTMENT: '协办单位不能与责任单位相同',
  ONGOING_REQUIRES_ACCEPTANCE: '未通过验收时不能标记为持续整改',
  INVALID_VALUE: '取值无效',
  differs: '新密码不能与原密码相同',
  incorrect: '原密码不正确',
  notSelf: '不能对本人账号执行此操作',
  exists: '该单位不存在',
  required: '必填',
  isUuid: '请选择有效选项',
  same: '两次输入的新密码不一致',
};

/** Where one sentence says it better than each rule apart (a missing percent breaks isInt, min and max at once). */
const FIELD_RULES: Record<string, string> = {
  'newPassword.isLength': '密码长度应为 8–200 位',
  'newPassword.length': '密码长度应为 8–200 位',
  'percent.isInt': '请填写 0–100 的整数',
  'percent.min': '请填写 0–100 的整数',
  'percent.max': '请填写 0–100 的整数',
};

export function fieldMessage(e: FieldError): string {
  return FIELD_RULES[`${e.field}.${e.rule}`] ?? RULES[e.rule] ?? e.message;
}

const CODES: Record<string, string> = {
  ...SUPERVISION_MESSAGES,
  NETWORK: '无法连接服务器，请检查网络',
  INVALID_CREDENTIALS: '用户名或密码错误',
  FORBIDDEN: '当前角色无权执行此操作',
  NOT_YOUR_DEPARTMENT: '只能查看和办理本单位的事项',
  PRECONDITION_FAILED: '该事项已被他人更新，已刷新为最新状态，请确认后重试',
  CONCURRENT_MODIFICATION: '该事项已被他人更新，已刷新为最新状态，请确认后重试',
  FINDING_NOT_FOUND: '未找到该问题',
  LEAD_NOT_FOUND: '未找到该线索',
  READ_MODELS_NOT_READY: '统计数据正在生成，请稍候',
  VALIDATION_FAILED: '请检查标出的字段',
  RATE_LIMITED: '登录尝试过于频繁，请稍后再试',
  SERVER_BUSY: '服务器繁忙，请稍后再试',
  PASSWORD_CHANGE_REQUIRED: '请先设置新密码',
  USER_NOT_FOUND: '未找到该用户',
  FINDING_NOT_PENDING_VERIFICATION: '该问题当前不在待验收状态',
  FINDING_ALREADY_ASSIGNED: '该问题已交办',
  FINDING_NOT_ASSIGNED: '该问题当前不能签收',
  FINDING_NOT_ACKNOWLEDGED: '请先签收再提交整改方案',
  FINDING_NOT_IN_PROGRESS: '该问题当前不在整改中',
  FINDING_NOT_CLOSED_OR_ONGOING: '只有已销号或持续整改的问题可以重新整改',
  FINDING_DISMISSED: '该问题已不予整改',
  ONGOING_ONLY_FOR_LONG_TERM: '只有长期整改可以标记为阶段性完成、持续整改',
};

/** A sentence for the person, in Chinese where the code is known; the code stays visible for support. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 412) return CODES.PRECONDITION_FAILED;
    const known = CODES[error.code];
    if (known) return known;
    if (error.status === 403) return CODES.FORBIDDEN;
    if (error.status >= 500) return `服务器出错（${error.code}），请稍后重试`;
    return `${error.detail}（${error.code}）`;
  }
  return (error as Error)?.message ?? String(error);
}
