import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '@app/database';
import { ProblemException } from '../http/problem.js';
import { APP_CONFIG } from '../infrastructure/tokens.js';

export const SIGN_IN_WINDOW_MS = 60_000;

/** The username a sign-in is for, case-folded as usernames are unique regardless of case. */
export function signInUsernameOf(request: FastifyRequest): string {
  const body = request.body as { username?: unknown } | undefined;
  return typeof body?.username === 'string' ? body.username.trim().toLowerCase().slice(0, 100) : '';
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * Sign-in attempts a minute (LOGIN_ATTEMPTS_PER_MINUTE, 10 by default): so many from one address,
 * whatever the username, and so many for one username, from whatever address, counted by
 * `@fastify/rate-limit` in this process (registered in createApp). Every attempt counts, as each
 * costs a password hash. Past either limit: 429 `RATE_LIMITED` with `Retry-After` (seconds until
 * that limit's window ends) and nothing else is done (no hash is computed).
 */
@Injectable()
export class SignInThrottleGuard implements CanActivate {
  private limiters?: { address: Limiter; username: Limiter };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const { address, username } = this.limitersFor();
    for (const [which, limiter] of [
      ['address', address],
      ['username', username],
    ] as const) {
      const result = await limiter(request);
      if (result.isAllowed || !result.isExceeded) continue;
      const retryAfter = Math.max(1, result.ttlInSeconds);
      void reply.header('retry-after', String(retryAfter));
      throw new ProblemException(
        429,
        'RATE_LIMITED',
        `Too many sign-in attempts for this ${which}; try again in ${retryAfter} s`,
        undefined,
        { limitedBy: which, limit: result.max, windowSeconds: SIGN_IN_WINDOW_MS / 1000, retryAfterSeconds: retryAfter },
        { 'retry-after': String(retryAfter) },
      );
    }
    return true;
  }

  private limitersFor(): { address: Limiter; username: Limiter } {
    if (this.limiters) return this.limiters;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (typeof fastify.createRateLimit !== 'function')
      throw new Error('@fastify/rate-limit is not registered (see createApp)');
    const max = this.config.loginAttemptsPerMinute;
    // One store for both: the keys are prefixed so that an address never counts against a username.
    this.limiters = {
      address: fastify.createRateLimit({
        max,
        timeWindow: SIGN_IN_WINDOW_MS,
        keyGenerator: (req) => `address:${req.ip}`,
      }),
      username: fastify.createRateLimit({
        max,
        timeWindow: SIGN_IN_WINDOW_MS,
        keyGenerator: (req) => `username:${signInUsernameOf(req)}`,
      }),
    };
    return this.limiters;
  }
}
