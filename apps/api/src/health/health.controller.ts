import { Controller, Get, Inject } from '@nestjs/common';
import type { DatabaseHandle } from '@app/database';
import type { PgEventStore } from '@app/event-store';
import { DATABASE, EVENT_STORE } from '../infrastructure/tokens.js';
import { Public } from '../auth/decorators.js';

@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: PgEventStore,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
  ) {}

  @Get()
  async health() {
    const started = process.hrtime.bigint();
    try {
      const headPosition = await this.store.headPosition();
      return {
        status: 'ok',
        mode: this.database.mode,
        database: { status: 'up', latencyMs: Number(process.hrtime.bigint() - started) / 1e6 },
        store: { headPosition },
      };
    } catch (error) {
      return { status: 'error', mode: this.database.mode, database: { status: 'down', error: (error as Error).message } };
    }
  }
}
