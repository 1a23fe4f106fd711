import { Controller, HttpCode, Post } from '@nestjs/common';
import { Operates } from '../auth/decorators.js';
import { ProjectorService } from './projector.service.js';

@Controller('admin/projections')
export class AdminProjectionsController {
  constructor(private readonly projector: ProjectorService) {}

  /** Rebuilds every read model from position 0 beside the live ones; answers when swapped in. */
  @Post('rebuild')
  @HttpCode(200)
  @Operates('RebuildReadModels')
  async rebuild() {
    const result = await this.projector.rebuild();
    return {
      ...result,
      seconds: Math.round(result.seconds * 1000) / 1000,
      eventsPerSecond: Math.round(result.eventsPerSecond),
    };
  }
}
