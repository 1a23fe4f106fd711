import { Controller, Get, Header, Injectable, Req, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ApplicationError } from '../application/errors.js';
import { Public } from '../auth/decorators.js';
import { MonitoringAccess } from '../http/monitoring-access.js';
import { ProjectionStatus } from './projection-status.service.js';
import { ProjectorService } from './projector.service.js';

/** Prometheus metrics: projection position and lag, events/s, dead letters, HTTP request durations. */
@Injectable()
export class Metrics implements OnModuleInit {
  readonly registry = new Registry();
  private readonly http = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    status: ProjectionStatus,
    projector: ProjectorService,
  ) {
    collectDefaultMetrics({ register: this.registry });
    let freshness: ReturnType<ProjectionStatus['freshness']> | null = null;
    const fresh = () => (freshness ??= status.freshness().finally(() => setTimeout(() => (freshness = null), 200)));
    const gauge = (
      name: string,
      help: string,
      pick: (f: Awaited<ReturnType<ProjectionStatus['freshness']>>) => number,
    ) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          this.set(pick(await fresh()));
        },
      });
    gauge('projection_position', 'Global position the read models have processed', (f) => f.position);
    gauge('event_store_head_position', 'Highest position readable in the event store', (f) => f.headPosition);
    gauge('projection_lag_events', 'Positions not yet projected', (f) => f.lagEvents);
    gauge('projection_lag_seconds', 'Age of the oldest event not yet projected', (f) => f.lagSeconds);
    gauge('projection_dead_letters', 'Events that made a read model throw', (f) => f.deadLetters);
    new Counter({
      name: 'projection_events_applied_total',
      help: 'Events applied by the projector in this process (rate() gives events/s)',
      registers: [this.registry],
      collect() {
        const applied = projector.projector.status().eventsApplied;
        this.reset();
        this.inc(applied);
      },
    });
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', async (request, reply) => {
      this.http.observe(
        { method: request.method, route: request.routeOptions?.url ?? 'unmatched', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  }
}

/** Public for the guard, but answered only to the scrape secret or an admin's or official's token (MonitoringAccess). */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly access: MonitoringAccess,
  ) {}

  @Get()
  @Public()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(@Req() request: FastifyRequest): Promise<string> {
    if (!(await this.access.allows(request))) {
      throw new ApplicationError(
        'UNAUTHENTICATED',
        'Send the METRICS_TOKEN, or an admin or official token, as a bearer token',
      );
    }
    return this.metrics.registry.metrics();
  }
}
