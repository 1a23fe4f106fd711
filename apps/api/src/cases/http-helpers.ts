import { randomUUID } from 'node:crypto';
import { Injectable, ParseUUIDPipe, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandMetadata, DomainCommand } from '@app/domain';
import type { AuthUser } from '../auth/auth-user.js';
import { ProblemException } from '../http/problem.js';
import type { CommandContext, CommandResult } from './application/command-context.js';
import { SendCommand, type LeadPersonalData } from './application/command-handlers.js';

/** `:id` path segments are uuids; anything else is a 400 naming the parameter. */
export const UuidParam = new ParseUUIDPipe({
  exceptionFactory: () =>
    new ProblemException(400, 'VALIDATION_FAILED', 'id must be a uuid', [
      { field: 'id', rule: 'isUuid', message: 'id must be a uuid' },
    ]),
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
  const expectedRevision = parseIfMatch(request.headers['if-match']);
  const { correlationId, idempotency } = request;
  return { actor: user, correlationId, expectedRevision, now: new Date(), ...(idempotency ? { idempotency } : {}) };
}

/**
 * The id of a case (or part of one) a command creates: derived from the Idempotency-Key when the
 * request has one (a retry names the same case), random otherwise.
 */
export function newId({ request }: Exchange, purpose: string): string {
  return request.idempotency?.id(purpose) ?? randomUUID();
}

export function metadataOf(ctx: CommandContext): CommandMetadata {
  return { now: ctx.now.toISOString(), userId: ctx.actor.id, role: ctx.actor.role };
}

/** The request and its reply, for routes that send a command or answer one case. */
export interface Exchange {
  request: FastifyRequest;
  reply: FastifyReply;
}

export const Http = createParamDecorator((_data: unknown, context: ExecutionContext): Exchange => {
  const http = context.switchToHttp();
  return { request: http.getRequest<FastifyRequest>(), reply: http.getResponse<FastifyReply>() };
});

/** A GET of one case answers its revision also as ETag, to be sent back as If-Match. */
export function withETag<T extends { revision: number }>({ reply }: Exchange, read: T): T {
  void reply.header('etag', `"${read.revision}"`);
  return read;
}

/**
 * The one way a route sends a command: context from the request (who, If-Match, clock), the
 * command through the bus, and the answer `{…extra, id, revision, position}` with ETag and
 * X-Event-Position.
 */
@Injectable()
export class CommandSender {
  constructor(private readonly bus: CommandBus) {}

  async send(
    { request, reply }: Exchange,
    make: (metadata: CommandMetadata) => DomainCommand,
    extra: Record<string, unknown> = {},
    personal?: LeadPersonalData,
  ) {
    const ctx = contextOf(request, request.user!);
    const result: CommandResult = await this.bus.execute(new SendCommand(make(metadataOf(ctx)), ctx, personal));
    void reply.header('etag', `"${result.revision}"`).header('x-event-position', String(result.position));
    return { ...extra, id: result.id, revision: result.revision, position: result.position };
  }
}
