import { ParseUUIDPipe } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandMetadata } from '@app/domain';
import type { AuthUser } from '../auth/auth-user.js';
import { ProblemException } from '../http/problem.js';
import type { CommandContext, CommandResult } from './command-context.js';

/** `:id` path segments are uuids; anything else is a 400 naming the parameter. */
export const UuidParam = new ParseUUIDPipe({
  exceptionFactory: () => new ProblemException(400, 'VALIDATION_FAILED', 'id must be a uuid', [{ field: 'id', rule: 'isUuid', message: 'id must be a uuid' }]),
});

/** If-Match: "3", 3 or W/"3". */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(value);
  if (!m) {
    throw new ProblemException(400, 'VALIDATION_FAILED', 'If-Match must be a revision in quotes, e.g. "3"', [
      { field: 'If-Match', rule: 'isRevision', message: 'If-Match must be a revision in quotes, e.g. "3"' },
    ]);
  }
  return Number(m[1]);
}

export function contextOf(request: FastifyRequest, user: AuthUser): CommandContext {
  return { actor: user, correlationId: request.correlationId, expectedRevision: parseIfMatch(request.headers['if-match']), now: new Date() };
}

export function metadataOf(ctx: CommandContext): CommandMetadata {
  return { now: ctx.now.toISOString(), userId: ctx.actor.id, role: ctx.actor.role };
}

/** Command answers carry the new revision and position in the body and as ETag / X-Event-Position. */
export function answer(reply: FastifyReply, result: CommandResult, extra: Record<string, unknown> = {}) {
  void reply.header('etag', `"${result.revision}"`).header('x-event-position', String(result.position));
  return { ...extra, id: result.id, revision: result.revision, position: result.position };
}
