import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '@app/domain';
import { EventIdConflictError, InvalidEventError, WrongExpectedRevisionError } from '@app/event-store';
import { isApplicationError } from '../application/errors.js';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './database-unavailable.js';
import { httpStatusOf } from './error-status.js';
import { problem, ProblemException, type Problem } from './problem.js';

/** Maps every error to problem+json; an unexpected one is logged and answered 500, never crashing the process. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  /** @param spaIndex the dashboard's index.html: a GET of a client-side route outside /api answers it. */
  constructor(private readonly spaIndex?: string) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const body = this.toProblem(error);
    if (
      body.status === 404 &&
      this.spaIndex &&
      request.method === 'GET' &&
      !/^\/(api|metrics)(\/|$|\?)/.test(request.url)
    ) {
      void reply.status(200).header('content-type', 'text/html; charset=utf-8').send(this.spaIndex);
      return;
    }
    // A refused or missing bearer token says which scheme to use (RFC 6750).
    if (body.code === 'UNAUTHENTICATED') void reply.header('www-authenticate', 'Bearer');
    if (error instanceof ProblemException)
      for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
    if (isApplicationError(error) && error.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(error.retryAfterSeconds));
    }
    if (body.code === 'DATABASE_UNAVAILABLE') void reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    if (body.code === 'IDEMPOTENCY_REQUEST_IN_PROGRESS') void reply.header('retry-after', '1');
    void reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
  }

  toProblem(error: unknown): Problem {
    if (error instanceof ProblemException) return error.toProblem();
    if (isApplicationError(error))
      return problem(httpStatusOf(error.code), error.code, error.message, error.errors, error.extra);
    if (isDomainError(error)) {
      const errors = error.field ? [{ field: error.field, rule: error.code, message: error.message }] : undefined;
      return problem(httpStatusOf(error.code), error.code, error.message, errors);
    }
    if (error instanceof WrongExpectedRevisionError) {
      return problem(
        httpStatusOf('CONCURRENT_MODIFICATION'),
        'CONCURRENT_MODIFICATION',
        `The case was changed by someone else (revision ${error.actual}); reload and try again`,
        undefined,
        {
          actualRevision: error.actual,
        },
      );
    }
    if (error instanceof EventIdConflictError) return problem(httpStatusOf(error.code), error.code, error.message);
    if (error instanceof InvalidEventError) return problem(httpStatusOf(error.code), error.code, error.message);
    if (isDatabaseUnavailable(error)) {
      this.logger.warn(`Database unavailable: ${(error as Error).message}`);
      const detail = 'The database cannot be reached right now; retry (with the same Idempotency-Key) shortly';
      return problem(httpStatusOf('DATABASE_UNAVAILABLE'), 'DATABASE_UNAVAILABLE', detail, undefined, {
        retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      });
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const response = error.getResponse();
      // Nest's exceptions answer { message }: a string, or a list of them (as a default ValidationPipe refuses).
      const message: unknown =
        typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? error.message);
      const detail = Array.isArray(message)
        ? message.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join('; ')
        : typeof message === 'string'
          ? message
          : JSON.stringify(message);
      const code =
        status === 404
          ? 'NOT_FOUND'
          : status === 401
            ? 'UNAUTHENTICATED'
            : status === 403
              ? 'FORBIDDEN'
              : `HTTP_${status}`;
      return problem(status, code, detail);
    }
    const statusCode = (error as { statusCode?: number }).statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      // fastify's own refusals: malformed JSON, body too large, wrong content type.
      const code = (error as { code?: string }).code ?? `HTTP_${statusCode}`;
      return problem(statusCode, code, (error as Error).message);
    }
    this.logger.error((error as Error)?.stack ?? String(error));
    return problem(500, 'INTERNAL_ERROR', 'An unexpected error occurred; it has been logged');
  }
}
