import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@app/database';
import type { EventStore } from '@app/event-store';
import { APP_CONFIG, EVENT_STORE } from './tokens.js';

/**
 * Seals the heads of all streams every SEAL_INTERVAL_SECONDS and once more at shutdown, so that
 * deleting the newest events of a stream is detectable (see README, "Tamper evidence").
 */
@Injectable()
export class SealService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Seals');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sealNow(), this.config.sealIntervalSeconds * 1000);
    this.timer.unref();
  }

  sealNow(): Promise<unknown> {
    this.running = this.running
      .then(() => this.store.seal())
      .catch((error: unknown) => this.logger.error(`Sealing failed: ${(error as Error).message}`));
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sealNow();
  }
}
