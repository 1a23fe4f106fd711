import type { FieldError } from '../application/errors.js';

export type { FieldError };

/** RFC 7807 problem details, the one error shape of the API. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Thrown by controllers and the HTTP edge (pipes, guards) to answer with a given problem. */
export class ProblemException extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly errors?: FieldError[],
    readonly extra: Record<string, unknown> = {},
    /** Response headers to send with the problem, e.g. `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ProblemException';
  }

  toProblem(): Problem {
    return problem(this.status, this.code, this.message, this.errors, this.extra);
  }
}

export function problem(
  status: number,
  code: string,
  detail: string,
  errors?: FieldError[],
  extra: Record<string, unknown> = {},
): Problem {
  return {
    type: `urn:xuncha:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors && errors.length ? { errors } : {}),
    ...extra,
  };
}
