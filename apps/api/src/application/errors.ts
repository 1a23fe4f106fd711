import type { DomainErrorCode } from '@app/domain';

/**
 * The application layer's refusals: a stable `code` (clients and tests match on it), a message,
 * optional field errors and extra data. Which HTTP status a code answers is decided once, in
 * `http/error-status.ts`; nothing here knows about HTTP.
 */
export const APPLICATION_ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'FORBIDDEN',
  'FORBIDDEN_ROLE',
  'NOT_YOUR_DEPARTMENT',
  'NO_DEPARTMENT',
  /** A department named in a body field (a reference) is not registered: 400 naming the field. */
  'DEPARTMENT_NOT_FOUND',
  'PERSONAL_DATA_NOT_FOUND',
  'USERNAME_TAKEN',
  'CONCURRENT_MODIFICATION',
  'REVISION_MISMATCH',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_REQUEST_IN_PROGRESS',
  'READ_MODELS_NOT_READY',
  'PASSWORD_CHANGE_REQUIRED',
  'SERVER_BUSY',
  'USER_NOT_FOUND',
  /** 佐证材料: a cited sha256 never uploaded (400), a file over the limit (413), a type not allowed (415). */
  'EVIDENCE_NOT_UPLOADED',
  'EVIDENCE_NOT_FOUND',
  'EVIDENCE_TOO_LARGE',
  'EVIDENCE_TYPE_NOT_ALLOWED',
  'EVIDENCE_FILE_REQUIRED',
  /** 督办: the n-th notice of a finding does not exist. */
  'NOTICE_NOT_FOUND',
  /** A hand-over bundle that is not a bundle of a version this server reads (a field and its rule). */
  'HANDOVER_BUNDLE_INVALID',
  /** A hand-over bundle whose signature, a chain, its manifest or a cited file does not check out. */
  'HANDOVER_BROKEN_LINK',
  /** A stream of the bundle and this server's copy of it diverged: the bundle cannot continue it. */
  'HANDOVER_STREAM_DIVERGED',
  'HANDOVER_NEEDS_POSTGRES',
  'FIELD_KIT_ALREADY_IMPORTED',
  'HANDOVER_RECEIPT_INVALID',
  /** Purging a round needs the office's receipt for the last bundle, and that bundle must hold all its events. */
  'HANDOVER_RECEIPT_REQUIRED',
] as const;

export type ApplicationErrorCode = (typeof APPLICATION_ERROR_CODES)[number];

/** Every code a command handler, query service or reader may raise. */
export type ErrorCode = ApplicationErrorCode | DomainErrorCode;

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

export class ApplicationError extends Error {
  override readonly name = 'ApplicationError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors?: FieldError[],
    readonly extra: Record<string, unknown> = {},
    /** When the same request may succeed later (overload, an outage): the edge answers `Retry-After`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export function isApplicationError(error: unknown): error is ApplicationError {
  return error instanceof ApplicationError;
}

/** A 400 naming one field and the rule it broke. */
export function invalidField(field: string, rule: string, message: string): ApplicationError {
  return new ApplicationError('VALIDATION_FAILED', `Invalid input: ${field}`, [{ field, rule, message }]);
}
