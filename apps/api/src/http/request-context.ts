import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { logContext } from '../logging/app-logger.js';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,100}$/;

declare module 'fastify' {
  interface FastifyRequest {
    correlationId: string;
  }
}

/** Every request gets a correlation id (the caller's X-Request-Id if sane), echoed back and recorded on its events. */
export function installRequestContext(fastify: FastifyInstance): void {
  fastify.decorateRequest('correlationId', '');
  fastify.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const given = request.headers['x-request-id'];
    request.correlationId = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
    void reply.header('x-request-id', request.correlationId);
  });
  // Everything the request does from here on logs with its id.
  fastify.addHook('onRequest', (request, _reply, done) => logContext.run({ requestId: request.correlationId }, done));
  // One access line per request: never the query string (list filters and searches may hold names) nor a body.
  const access = new Logger('HTTP');
  fastify.addHook('onResponse', async (request, reply) => {
    access.log({
      msg: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]} ${reply.statusCode}`,
      method: request.method,
      route: request.routeOptions.url ?? request.url.split('?')[0],
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });
}
