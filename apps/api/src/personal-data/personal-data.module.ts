import { Logger, Module } from '@nestjs/common';
import type { AppConfig, DatabaseHandle } from '@app/database';
import { APP_CONFIG, DATABASE } from '../infrastructure/tokens.js';
import { loadMasterKey, PERSONAL_DATA_MASTER_KEY } from './master-key.js';
import { PersonalDataController } from './personal-data.controller.js';
import { PersonalDataService } from './personal-data.service.js';

/** Encrypted personal data of leads (names, informants), its erasure and its access log. */
@Module({
  controllers: [PersonalDataController],
  providers: [
    {
      provide: PERSONAL_DATA_MASTER_KEY,
      inject: [APP_CONFIG, DATABASE],
      useFactory: (config: AppConfig, database: DatabaseHandle) =>
        loadMasterKey({
          env: process.env,
          dataDir: config.dataDir,
          databaseMode: database.mode,
          logger: new Logger('PersonalData'),
        }),
    },
    PersonalDataService,
  ],
  exports: [PersonalDataService],
})
export class PersonalDataModule {}
