import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

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
}
