import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { AdminProjectionsController } from './admin-projections.controller.js';
import { Metrics, MetricsController } from './metrics.js';
import { ProjectionStatus } from './projection-status.service.js';
import { ProjectorService } from './projector.service.js';
import { ReadYourWritesInterceptor } from './read-your-writes.interceptor.js';

/** The projector (in-process unless PROJECTIONS=off), its status for read-your-writes and health, rebuilds and metrics. */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [AdminProjectionsController, MetricsController],
  providers: [ProjectorService, ProjectionStatus, ReadYourWritesInterceptor, Metrics],
  exports: [ProjectorService, ProjectionStatus, ReadYourWritesInterceptor],
})
export class ProjectionsModule {}
