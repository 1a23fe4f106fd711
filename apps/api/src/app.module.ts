import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig, DatabaseHandle } from '@app/database';
import { APP_CONFIG, DATABASE, EVENT_STORE } from './infrastructure/tokens.js';
import { eventStoreProvider } from './infrastructure/event-store.provider.js';
import { SealService } from './infrastructure/seal.service.js';
import { HealthController } from './health/health.controller.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: DatabaseHandle): DynamicModule {
    return {
      module: AppModule,
      global: true,
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: DATABASE, useValue: database },
        eventStoreProvider,
        SealService,
      ],
      exports: [APP_CONFIG, DATABASE, EVENT_STORE],
    };
  }
}
