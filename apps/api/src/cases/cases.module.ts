import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PersonalDataModule } from '../personal-data/personal-data.module.js';
import { AggregateReader } from './aggregate-reader.js';
import { CommandRunner } from './command-runner.js';
import { DepartmentDirectory } from './department-directory.js';
import { DepartmentsController } from './departments.controller.js';
import { FindingsController } from './findings.controller.js';
import { commandHandlers } from './handlers.js';
import { HistoryService } from './history.service.js';
import { LeadsController } from './leads.controller.js';
import { RoundsController } from './rounds.controller.js';

/** Rounds, findings, leads and departments: commands through the CommandBus, GET by id, history. */
@Module({
  imports: [CqrsModule.forRoot(), PersonalDataModule],
  controllers: [DepartmentsController, RoundsController, FindingsController, LeadsController],
  providers: [CommandRunner, DepartmentDirectory, AggregateReader, HistoryService, ...commandHandlers],
  exports: [CommandRunner, DepartmentDirectory],
})
export class CasesModule {}
