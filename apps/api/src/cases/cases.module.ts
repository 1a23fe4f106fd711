import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EvidenceController } from '../evidence/evidence.controller.js';
import { evidenceProviders } from '../evidence/evidence.providers.js';
import { PersonalDataModule } from '../personal-data/personal-data.module.js';
import { AggregateReader } from './application/aggregate-reader.js';
import { CommandRunner } from './application/command-runner.js';
import { commandHandlers } from './application/command-handlers.js';
import { DepartmentDirectory } from './application/department-directory.js';
import { HistoryService } from './application/history.service.js';
import { Visibility } from './application/visibility.js';
import { DepartmentsController } from './departments.controller.js';
import { FindingsController } from './findings.controller.js';
import { CommandSender } from './http-helpers.js';
import { LeadsController } from './leads.controller.js';
import { RoundsController } from './rounds.controller.js';

/** Rounds, findings, leads and departments: commands through the CommandBus, GET by id, history. */
@Module({
  imports: [CqrsModule.forRoot(), PersonalDataModule],
  controllers: [DepartmentsController, RoundsController, FindingsController, LeadsController, EvidenceController],
  providers: [
    ...evidenceProviders,
    CommandRunner,
    DepartmentDirectory,
    AggregateReader,
    HistoryService,
    Visibility,
    CommandSender,
    ...commandHandlers,
  ],
  exports: [CommandRunner, DepartmentDirectory, ...evidenceProviders],
})
export class CasesModule {}
