import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller.js';
import { ListsController } from './lists.controller.js';
import { ReadModelDb } from './read-model-db.js';
import { ExportsController } from '../exports/exports.controller.js';

/** Dashboards and lists answered from the read models (filled by the ProjectionsModule's projector). */
@Module({
  controllers: [DashboardController, ListsController, ExportsController],
  providers: [ReadModelDb],
})
export class DashboardModule {}
