import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DatabaseHandle } from '@app/database';
import type { EventStore } from '@app/event-store';
import { DATABASE, EVENT_STORE } from '../infrastructure/tokens.js';
import { Public } from '../auth/decorators.js';
import { MonitoringAccess } from '../http/monitoring-access.js';
import { ProjectionStatus } from '../projections/projection-status.service.js';
import { ProjectorService } from '../projections/projector.service.js';

/**
 * Liveness and readiness. Without a token it says only `{"status": "up"}` (200) or `{"status": "down"}`
 * (503, the database does not answer). To the scrape secret or an admin's or official's token
 * (MonitoringAccess) it details the database, the store's head and the read models' lag: `degraded`
 * (still 200) when events were dead-lettered or the in-process projector is not running.
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly projection: ProjectionStatus,
    private readonly projector: ProjectorService,
    private readonly access: MonitoringAccess,
  ) {}

  @Get()
  async health(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    if (!(await this.access.allows(request))) {
      try {
        await this.store.headPosition();
        return { status: 'up' };
      } catch {
        void reply.status(503);
        return { status: 'down' };
      }
    }
    const started = process.hrtime.bigint();
    try {
      const headPosition = await this.store.headPosition();
      const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
      const f = await this.projection.freshness();
      const inProcess = this.projector.enabled;
      const problems = [
        ...(f.deadLetters > 0 ? [`${f.deadLetters} event(s) in dead_letters`] : []),
        ...(inProcess && !f.running ? ['the in-process projector is not running'] : []),
      ];
      return {
        status: problems.length ? 'degraded' : 'ok',
        ...(problems.length ? { problems } : {}),
        mode: this.database.mode,
        database: { status: 'up', latencyMs },
        store: { headPosition },
        projection: {
          mode: inProcess ? 'in-process' : 'external',
          position: f.position,
          lagEvents: f.lagEvents,
          lagSeconds: f.lagSeconds,
          deadLetters: f.deadLetters,
          running: f.running,
        },
      };
    } catch (error) {
      void reply.status(503).header('retry-after', '2');
      const why = `the database does not answer: ${(error as Error).message || (error as { code?: string }).code}`;
      return {
        status: 'error',
        problems: [why],
        mode: this.database.mode,
        database: { status: 'down', error: (error as Error).message || String((error as { code?: string }).code) },
      };
    }
  }
}
