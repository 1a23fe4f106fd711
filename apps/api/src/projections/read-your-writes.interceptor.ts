import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, map, switchMap, type Observable } from 'rxjs';
import { ApplicationError } from '../application/errors.js';
import { JSON_MEDIA_TYPE, JsonAnswer } from './json-answer.js';
import { ProjectionStatus, type ReadModelCheckpoint } from './projection-status.service.js';

import { CHECKPOINT } from './checkpoint.js';

export { CHECKPOINT, checkpointOf } from './checkpoint.js';
export type CheckpointedRequest = FastifyRequest & {
  [CHECKPOINT]?: ReadModelCheckpoint;
};

export const MAX_WAIT_MS = 5000;

/**
 * Read your writes: a query with X-Min-Position waits (at most 5 s) until the read models have
 * processed that position. Every answer carries X-Projection-Position; when the wait ran out, the
 * stale figures are answered with X-Projection-Behind saying by how many positions. An answer the handler
 * kept serialised (JsonAnswer) is sent as its text.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(private readonly status: ProjectionStatus) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const raw = request.headers['x-min-position'];
    let min = 0;
    if (raw !== undefined) {
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (!/^\d{1,15}$/.test(value)) {
        throw new ApplicationError('VALIDATION_FAILED', 'X-Min-Position must be a non-negative integer', [
          {
            field: 'X-Min-Position',
            rule: 'isInt',
            message: 'X-Min-Position must be a non-negative integer',
          },
        ]);
      }
      min = Number(value);
    }
    // A request about one round also learns that round's version (same statement), by which its answer may be kept.
    const roundId = (request.query as { roundId?: unknown } | undefined)?.roundId;
    const round = typeof roundId === 'string' && roundId.length > 0 && roundId.length <= 200 ? roundId : undefined;
    return from(min > 0 ? this.status.waitForCheckpoint(min, MAX_WAIT_MS, round) : this.status.checkpoint(round)).pipe(
      switchMap((checkpoint) => {
        const { position } = checkpoint;
        (request as CheckpointedRequest)[CHECKPOINT] = checkpoint;
        void reply.header('x-projection-position', String(position));
        if (position < min) void reply.header('x-projection-behind', String(min - position));
        return next.handle();
      }),
      // An answer kept serialised goes out as its text, with the media type Fastify would have given the value.
      map((answer) => {
        if (!(answer instanceof JsonAnswer)) return answer;
        void reply.header('content-type', JSON_MEDIA_TYPE);
        return answer.text;
      }),
    );
  }
}
