import { createHash } from 'node:crypto';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import { canonicalJson } from '@app/event-store';
import { ApplicationError } from '../application/errors.js';

const KEY = /^[A-Za-z0-9._:-]{1,200}$/;
const REPLAYED_HEADERS = ['etag', 'x-event-position', 'location'];

/**
 * Idempotency-Key on a command: the first request with a key claims it (a row per user and key,
 * holding a hash of the request); when it succeeds its answer is kept. A repeat of the same
 * request answers that answer again and runs nothing; the same key with another body is 422.
 * A request that failed releases its claim, so a retry runs it afresh (and writes nothing unless
 * it succeeds). Keys live in PostgreSQL, so repeats are recognised across restarts and instances.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined || !request.user) return next.handle();
    return from(this.handle(request, http.getResponse<FastifyReply>(), String(header), next));
  }

  private async handle(request: FastifyRequest, reply: FastifyReply, key: string, next: CallHandler): Promise<unknown> {
    if (!KEY.test(key)) {
      throw new ApplicationError(
        'VALIDATION_FAILED',
        'Idempotency-Key must be 1 to 200 characters of letters, digits, . _ : -',
        [
          {
            field: 'Idempotency-Key',
            rule: 'pattern',
            message: 'Idempotency-Key must be 1 to 200 characters of letters, digits, . _ : -',
          },
        ],
      );
    }
    const userId = request.user!.id;
    const hash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`)
      .digest('hex');
    const claimed = await this.db.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, status) VALUES ($1, $2, $3, 'pending')
       ON CONFLICT (user_id, key) DO NOTHING RETURNING key`,
      [userId, key, hash],
    );
    if (claimed.length === 0) {
      const [row] = await this.db.query(
        `SELECT request_hash, status, status_code, response, headers FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
        [userId, key],
      );
      if (!row) return this.handle(request, reply, key, next); // released in between: claim again
      if (row.request_hash !== hash) {
        throw new ApplicationError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used for a different request',
        );
      }
      if (row.status === 'pending') {
        throw new ApplicationError(
          'IDEMPOTENCY_REQUEST_IN_PROGRESS',
          'A request with this Idempotency-Key is still being processed; retry shortly',
        );
      }
      for (const [name, value] of Object.entries(row.headers ?? {})) void reply.header(name, value);
      void reply.header('idempotent-replayed', 'true').status(row.status_code);
      return row.response;
    }
    try {
      const response = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const headers = Object.fromEntries(
        REPLAYED_HEADERS.filter((h) => reply.hasHeader(h)).map((h) => [h, String(reply.getHeader(h))]),
      );
      const statusCode = reply.statusCode >= 200 && reply.statusCode < 300 ? reply.statusCode : 200;
      await this.db.query(
        `UPDATE idempotency_keys SET status = 'done', status_code = $3, response = $4, headers = $5, completed_at = now() WHERE user_id = $1 AND key = $2`,
        [userId, key, statusCode, JSON.stringify(response ?? null), JSON.stringify(headers)],
      );
      return response;
    } catch (error) {
      await this.db
        .query(`DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 'pending'`, [userId, key])
        .catch(() => undefined);
      throw error;
    }
  }
}
