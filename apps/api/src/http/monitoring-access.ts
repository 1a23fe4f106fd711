import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '@app/database';
import { mayOperate } from '@app/domain';
import { APP_CONFIG } from '../infrastructure/tokens.js';
import { AuthService } from '../auth/auth.service.js';
import { UsersService } from '../auth/users.service.js';

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/-]+=*)[ \t]*$/i;
const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Who may see how the service runs (`/metrics`, the details of `/api/health`): the scrape secret
 * `METRICS_TOKEN` as a bearer token, or the token of a signed-in user whose role `mayOperate.ReadMonitoring`
 * allows (admin, official) and whose account is still as the token says. These routes are public
 * (a load balancer probes the health without a token), so the check is here, not in the guard.
 */
@Injectable()
export class MonitoringAccess {
  private readonly scrapeSecret?: Buffer;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {
    if (config.metricsToken) this.scrapeSecret = digest(config.metricsToken);
  }

  async allows(request: FastifyRequest): Promise<boolean> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) return false;
    const token = match[1];
    if (this.scrapeSecret && timingSafeEqual(digest(token), this.scrapeSecret)) return true;
    const verified = await this.auth.verifyToken(token);
    if (!verified) return false;
    const roles: readonly string[] = mayOperate.ReadMonitoring;
    if (!roles.includes(verified.user.role)) return false;
    const status = await this.users.status(verified.user.id);
    return Boolean(
      status &&
      !status.disabled &&
      !status.mustChangePassword &&
      status.tokenVersion === verified.tokenVersion &&
      status.role === verified.user.role,
    );
  }
}
