import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig, DatabaseHandle } from '@app/database';
import { APP_CONFIG, DATABASE, EVENT_STORE } from './infrastructure/tokens.js';
import { eventStoreProvider } from './infrastructure/event-store.provider.js';
import { SealService } from './infrastructure/seal.service.js';
import { BackupScheduler } from './backup/backup-scheduler.js';
import { typeOrmOptions } from './infrastructure/typeorm.options.js';
import { HealthController } from './health/health.controller.js';
import { AuthModule } from './auth/auth.module.js';
import { authEntities, authMigrations } from './auth/index.js';
import { PersonalDataModule } from './personal-data/personal-data.module.js';
import { personalDataEntities, personalDataMigrations } from './personal-data/index.js';
import { CasesModule } from './cases/cases.module.js';
import { ProjectionsModule } from './projections/projections.module.js';
import { AuditModule } from './audit/audit.module.js';
import { HandoverModule } from './handover/handover.module.js';
import { HandoverTables1764600000000 } from './handover/handover-tables.migration.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { DemoModule } from './demo/demo.module.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { CreateIdempotencyKeys1732800002000 } from './idempotency/create-idempotency-keys.migration.js';
import { IdempotencyLease1764590000000 } from './idempotency/idempotency-lease.migration.js';
import { APP_INTERCEPTOR } from '@nestjs/core';

/** Configuration and the database handle, available to every module. */
@Module({})
class CoreModule {
  static forRoot(config: AppConfig, database: DatabaseHandle): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: DATABASE, useValue: database },
        eventStoreProvider,
        SealService,
        BackupScheduler,
      ],
      exports: [APP_CONFIG, DATABASE, EVENT_STORE, SealService],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: DatabaseHandle): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, database),
        TypeOrmModule.forRoot(
          typeOrmOptions(database, {
            entities: [...authEntities, ...personalDataEntities],
            migrations: [
              ...authMigrations,
              ...personalDataMigrations,
              CreateIdempotencyKeys1732800002000,
              IdempotencyLease1764590000000,
              HandoverTables1764600000000,
            ],
          }),
        ),
        AuthModule,
        PersonalDataModule,
        CasesModule,
        DemoModule,
        ProjectionsModule,
        AuditModule,
        HandoverModule,
        DashboardModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }],
    };
  }
}
