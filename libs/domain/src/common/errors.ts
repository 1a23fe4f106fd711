/**
 * One error model for every refused command. `kind` decides the HTTP status at the edge
 * (conflict → 409, not_found → 404, invalid → 400); `code` names the rule and never changes
 * once published, because clients and tests match on it.
 */
export type DomainErrorKind = 'conflict' | 'not_found' | 'invalid';

/** Every code the domain may throw, with its kind. The kind is fixed per code, not per call site. */
export const DOMAIN_ERROR_CODES = {
  // shared input rules
  VALUE_REQUIRED: 'invalid',
  INVALID_VALUE: 'invalid',
  INVALID_DATE: 'invalid',
  INVALID_TIMESTAMP: 'invalid',
  REASON_REQUIRED: 'invalid',

  // InspectionRound
  ROUND_NOT_FOUND: 'not_found',
  ROUND_ALREADY_PLANNED: 'conflict',
  ROUND_PERIOD_INVALID: 'invalid',
  ROUND_NOT_OPEN_FOR_PLANNING: 'conflict',
  FOCUS_FIELD_ALREADY_EXISTS: 'conflict',
  FOCUS_FIELD_NOT_FOUND: 'invalid',
  MONITORING_POINT_ALREADY_EXISTS: 'conflict',
  MONITORING_POINT_TARGETS_REQUIRED: 'invalid',
  MONITORING_POINT_NOT_FOUND: 'invalid',
  ROUND_NOT_PLANNED: 'conflict',
  ROUND_NOT_STATIONED: 'conflict',
  ROUND_NOT_REPORTED: 'conflict',
  ROUND_FEEDBACK_NOT_DELIVERED: 'conflict',
  ROUND_NOT_RECTIFYING: 'conflict',
  ROUND_NOT_EVALUATED: 'conflict',
  ROUND_NOT_ACCEPTING_LEADS: 'conflict',

  // Finding and its rectification
  FINDING_NOT_FOUND: 'not_found',
  FINDING_ALREADY_RECORDED: 'conflict',
  FINDING_ALREADY_ASSIGNED: 'conflict',
  FINDING_DISMISSED: 'conflict',
  FINDING_NOT_ASSIGNED: 'conflict',
  FINDING_NOT_ACKNOWLEDGED: 'conflict',
  FINDING_NOT_IN_PROGRESS: 'conflict',
  FINDING_NOT_PENDING_VERIFICATION: 'conflict',
  FINDING_NOT_CLOSED_OR_ONGOING: 'conflict',
  ONGOING_ONLY_FOR_LONG_TERM: 'conflict',
  ONGOING_REQUIRES_ACCEPTANCE: 'invalid',
  CO_DEPARTMENT_IS_LEAD_DEPARTMENT: 'invalid',
  PERCENT_OUT_OF_RANGE: 'invalid',
  EVIDENCE_REQUIRED: 'invalid',
  INVALID_EVIDENCE: 'invalid',
  FINDING_NOT_OPEN: 'conflict',
  EXTENSION_ALREADY_REQUESTED: 'conflict',
  NO_EXTENSION_REQUESTED: 'conflict',
  EXTENSION_NOT_LATER: 'invalid',
  NEW_DUE_DATE_REQUIRED: 'invalid',
  DATE_IN_THE_PAST: 'invalid',

  // Lead
  LEAD_NOT_FOUND: 'not_found',
  LEAD_ALREADY_RECORDED: 'conflict',
  LEAD_ALREADY_TRIAGED: 'conflict',
  LEAD_NOT_TRIAGED_FOR_TRANSFER: 'conflict',
  LEAD_ALREADY_TRANSFERRED: 'conflict',
  LEAD_NOT_TRANSFERRED: 'conflict',
  LEAD_NOT_RECEIVED: 'conflict',
  LEAD_DISPOSITION_UNCHANGED: 'conflict',
  LEAD_NOT_DISPOSING: 'conflict',
  LEAD_NOT_CONCLUDED: 'conflict',
  RECEIVER_DEPARTMENT_REQUIRED: 'invalid',
  RECLASSIFIED_FINDING_REQUIRED: 'invalid',
  FINDING_ONLY_FOR_RECLASSIFICATION: 'invalid',

  // 回访
  FOLLOW_UP_BEFORE_RECTIFICATION: 'conflict',
  FOLLOW_UP_BEFORE_DISPOSITION: 'conflict',
  FOLLOW_UP_IN_FUTURE: 'invalid',
  OCCURRED_IN_FUTURE: 'invalid',

  // Department
  /** The addressed department does not exist (an unknown one named in a field: the API's DEPARTMENT_NOT_FOUND). */
  DEPARTMENT_NOT_REGISTERED: 'not_found',
  DEPARTMENT_ALREADY_REGISTERED: 'conflict',
  DEPARTMENT_CANNOT_BE_OWN_PARENT: 'invalid',
  DEPARTMENT_NAME_UNCHANGED: 'conflict',
} as const satisfies Record<string, DomainErrorKind>;

export type DomainErrorCode = keyof typeof DOMAIN_ERROR_CODES;

export const DOMAIN_ERROR_CODE_LIST = Object.keys(DOMAIN_ERROR_CODES) as readonly DomainErrorCode[];

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly kind: DomainErrorKind;

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The command field at fault, for `invalid` errors (feeds problem+json `errors`). */
    readonly field?: string,
  ) {
    super(message);
    this.kind = DOMAIN_ERROR_CODES[code];
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
