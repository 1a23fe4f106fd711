import { navigate, route, href } from './router';
import { session, signOut } from './session';
import { ERROR_MESSAGES, errorMessage } from './messages';
import type { FieldError } from './types';

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
  /** Sent as Idempotency-Key: a retry with the same key is recorded once (the first answer is replayed). */
  idempotencyKey?: string;
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
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
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
    throw new ApiError(0, 'NETWORK', ERROR_MESSAGES.NETWORK);
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

/** A file the API answers (the 整改台账), saved under `filename`: fetched with the session's token. */
export async function download(path: string, query: RequestOptions['query'], filename: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(href(`/api${path}`, query), {
      headers: session.token ? { authorization: `Bearer ${session.token}` } : {},
    });
  } catch {
    throw new ApiError(0, 'NETWORK', ERROR_MESSAGES.NETWORK);
  }
  if (!response.ok) {
    const p = (await response.json().catch(() => ({}))) as { code?: string; detail?: string };
    throw new ApiError(response.status, p.code ?? `HTTP_${response.status}`, p.detail ?? response.statusText);
  }
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
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
  isObject: '必填',
  arrayMaxSize: '条目过多',
  matches: '日期格式应为 年-月-日',
  isDateString: '时间格式不正确',
  unknown_field: '不支持的字段',
  VALUE_REQUIRED: '必填',
  INVALID_DATE: '日期格式应为 年-月-日',
  EVIDENCE_REQUIRED: '至少填写一项佐证材料',
  REASON_REQUIRED: '请填写理由',
  PERCENT_OUT_OF_RANGE: '进度应在 0–100 之间',
  CO_DEPARTMENT_IS_LEAD_DEPARTMENT: '配合单位不能与牵头单位相同',
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
  // Never the API's English: a rule without a sentence of its own gets its code's, or a general one.
  return FIELD_RULES[`${e.field}.${e.rule}`] ?? RULES[e.rule] ?? ERROR_MESSAGES[e.rule] ?? '填写有误，请检查';
}

/** A sentence for the person, in Chinese (messages.ts has one for every code the API answers). */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return errorMessage(error.code, error.status);
  if ((error as Error)?.name === 'AbortError') return '请求已取消';
  return '操作未能完成，请稍后重试';
}
