import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig, DatabaseHandle } from '@app/database';
import type { EventStore } from '@app/event-store';
import { Projector, READ_MODEL_SCHEMA, rebuildReadModels, type RebuildResult } from '@app/projections';
import { APP_CONFIG, DATABASE, EVENT_STORE } from '../infrastructure/tokens.js';
import { READ_MODELS, READ_MODELS_VERSION } from './read-models.js';

/** Runs the projector inside the API process unless PROJECTIONS=off (then `npm run projector` runs it). */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');
  readonly projector: Projector;
  private rebuilding: Promise<RebuildResult> | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.projector = new Projector({
      store,
      connectionString: database.url,
      readModels: READ_MODELS,
      version: READ_MODELS_VERSION,
      schema: READ_MODEL_SCHEMA,
      logger: this.logger,
    });
  }

  get enabled(): boolean {
    return this.config.projections;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.projector.prepare((reason) => {
      this.logger.warn(`Rebuilding the read models: ${reason}`);
      return this.rebuild().then(() => undefined);
    });
    if (this.enabled) {
      this.projector.start();
      // Health right after "Listening on" then tells the truth: active, or standby behind another instance.
      await this.projector.firstBidAnswered(10_000);
    } else this.logger.log('PROJECTIONS=off: read models are maintained by a separate `npm run projector` process');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rebuilding?.catch(() => undefined);
    await this.projector.close();
  }

  /** One rebuild at a time from this process; another process's rebuild is refused by its advisory lock. */
  rebuild(onProgress?: Parameters<typeof rebuildReadModels>[0]['onProgress']): Promise<RebuildResult> {
    this.rebuilding ??= rebuildReadModels({
      store: this.store,
      connectionString: this.database.url,
      readModels: READ_MODELS,
      version: READ_MODELS_VERSION,
      schema: READ_MODEL_SCHEMA,
      onProgress,
    }).finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }
}
