import { createHash, randomUUID } from 'node:crypto';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import { canonicalJson } from '@app/event-store';
import { ApplicationError } from '../application/errors.js';
import { IdempotencyScope } from './derived-id.js';

const KEY = /^[A-Za-z0-9._:-]{1,200}$/;
const KEY_RULE = 'Idempotency-Key must be 1 to 200 characters of letters, digits, . _ : -';
const REPLAYED_HEADERS = ['etag', 'x-event-position', 'location'];
/** How long a claim is presumed alive: a claim whose process died is taken over after this. */
export const IDEMPOTENCY_LEASE_SECONDS = 5;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set while a request with an Idempotency-Key holds its claim: the ids its command creates derive from it. */
    idempotency?: IdempotencyScope;
  }
}

/**
 * Idempotency-Key on a command. The first request with a key claims it (a row per user and key,
 * holding a hash of the request) for a lease of a few seconds; when it succeeds its answer is kept.
 * A repeat of the same request answers that answer again and runs nothing; the same key with
 * another body is 422; a repeat while the claim is alive is 409 IN_PROGRESS.
 *
 * Crash safety does not rest on this row: every id the command creates (new case, events, vault
 * refs) is derived from user and key, so a claim whose process died (its lease ran out) is taken
 * over, and the takeover's command finds the events the first attempt may have committed and
 * answers them (see `CommandRunner`) instead of writing a second case. A request that failed
 * releases its claim, so a retry runs it afresh.
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
      throw new ApplicationError('VALIDATION_FAILED', KEY_RULE, [
        { field: 'Idempotency-Key', rule: 'pattern', message: KEY_RULE },
      ]);
    }
    const userId = request.user!.id;
    const body = canonicalJson(request.body ?? null);
    const hash = createHash('sha256').update(`${request.method} ${request.url}\n${body}`).digest('hex');
    const token = randomUUID();
    // A new key, or one whose holder's lease ran out (its process died): this attempt holds it now.
    const claimed = await this.db.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, status, claim_token, lease_until)
       VALUES ($1, $2, $3, 'pending', $4, now() + make_interval(secs => $5))
       ON CONFLICT (user_id, key) DO UPDATE
          SET claim_token = EXCLUDED.claim_token, lease_until = EXCLUDED.lease_until
        WHERE idempotency_keys.status = 'pending' AND idempotency_keys.lease_until < now()
          AND idempotency_keys.request_hash = EXCLUDED.request_hash
       RETURNING key`,
      [userId, key, hash, token, IDEMPOTENCY_LEASE_SECONDS],
    );
    if (claimed.length === 0) {
      const [row] = await this.db.query(
        `SELECT request_hash, status, status_code, response, headers FROM idempotency_keys
          WHERE user_id = $1 AND key = $2`,
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
        const detail = 'A request with this Idempotency-Key is still being processed; retry shortly';
        throw new ApplicationError('IDEMPOTENCY_REQUEST_IN_PROGRESS', detail);
      }
      for (const [name, value] of Object.entries(row.headers ?? {})) void reply.header(name, value);
      void reply.header('idempotent-replayed', 'true').status(row.status_code);
      return row.response;
    }
    request.idempotency = new IdempotencyScope(userId, key);
    try {
      const response = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const replayed = REPLAYED_HEADERS.filter((h) => reply.hasHeader(h));
      const headers = Object.fromEntries(replayed.map((h) => [h, String(reply.getHeader(h))]));
      const statusCode = reply.statusCode >= 200 && reply.statusCode < 300 ? reply.statusCode : 200;
      // A takeover may have finished first: its answer names the same ids, the first one kept wins.
      await this.db.query(
        `UPDATE idempotency_keys
            SET status = 'done', status_code = $3, response = $4, headers = $5, completed_at = now()
          WHERE user_id = $1 AND key = $2 AND status = 'pending'`,
        [userId, key, statusCode, JSON.stringify(response ?? null), JSON.stringify(headers)],
      );
      return response;
    } catch (error) {
      const release = `DELETE FROM idempotency_keys
                        WHERE user_id = $1 AND key = $2 AND status = 'pending' AND claim_token = $3`;
      await this.db.query(release, [userId, key, token]).catch(() => undefined);
      throw error;
    }
  }
}
