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
    if (metadata.type === 'query' && typeof metadata.metatype === 'function' && isPlainQuery(value)) {
      return this.query(value, metadata);
    }
    return super.transform(value, metadata);
  }

  /** Query DTOs that passed, by their class and the query's text (see QUERY_ANSWERS). */
  private readonly queries = new Map<ArgumentMetadata['metatype'], Map<string, object>>();

  /**
   * A query string seen before for the same DTO is answered with a copy of the instance its validation made (the
   * dashboards are asked the same few questions over and over: validating each was ~6% of the server's CPU on a
   * dashboard request, in a profile). Only a query that passed is kept; the kept instance is frozen, and each request
   * gets a copy of it, so one handler cannot change what the next is given.
   */
  private async query(value: Record<string, unknown>, metadata: ArgumentMetadata): Promise<unknown> {
    const key = JSON.stringify(value);
    let byText = this.queries.get(metadata.metatype);
    const kept = byText?.get(key);
    if (kept !== undefined) return copyOf(kept);
    const made = (await super.transform(value, metadata)) as unknown;
    if (made === null || typeof made !== 'object') return made;
    if (byText === undefined) this.queries.set(metadata.metatype, (byText = new Map()));
    if (byText.size >= QUERY_ANSWERS) byText.delete(byText.keys().next().value as string);
    byText.set(key, deepFreeze(made));
    return copyOf(made);
  }
}

/** How many validated query strings are kept per DTO; the oldest goes first. */
export const QUERY_ANSWERS = 1_000;

/** A query as Fastify parses it: names to strings, or to arrays of strings for a repeated name. */
function isPlainQuery(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function copyOf(instance: object): object {
  return Object.assign(Object.create(Object.getPrototypeOf(instance) as object | null) as object, instance);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
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
