import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ProblemException, type FieldError } from './problem.js';
import { findUnreadableString, UNREADABLE_MESSAGES } from './text-policy.js';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent
      ? /^\d+$/.test(e.property)
        ? `${parent}[${e.property}]`
        : `${parent}.${e.property}`
      : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({
      field,
      rule: rule === 'whitelistValidation' ? 'unknown_field' : rule,
      message: rule === 'whitelistValidation' ? `${field} is not an accepted field` : message,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Before any DTO: every string of a body, query or path parameter (values and keys, at any depth)
 * is refused when it holds NUL or a lone surrogate — PostgreSQL cannot store the one, and the other
 * is not Unicode. Here, so that every route and every DTO added later is covered.
 */
class CheckedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const found = findUnreadableString(
        value,
        metadata.type === 'param' && typeof value === 'string' ? (metadata.data ?? '') : '',
      );
      if (found) {
        const message = `${found.field} ${UNREADABLE_MESSAGES[found.reason]}`;
        throw new ProblemException(400, 'VALIDATION_FAILED', `Invalid input: ${found.field}`, [
          { field: found.field, rule: found.reason === 'nul' ? 'noNul' : 'noLoneSurrogate', message },
        ]);
      }
    }
    return super.transform(value, metadata);
  }
}

/**
 * Bodies and queries are validated against their DTO; unknown fields, wrong enums, malformed dates
 * and ids and oversized strings are refused with one entry per offending field, before any command runs.
 */
export function validationPipe(): ValidationPipe {
  return new CheckedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const list = flatten(errors);
      return new ProblemException(
        400,
        'VALIDATION_FAILED',
        `Invalid input: ${list.map((e) => e.field).join(', ')}`,
        list,
      );
    },
  });
}
