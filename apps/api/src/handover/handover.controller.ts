import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Operates } from '../auth/decorators.js';
import { UuidParam } from '../cases/http-helpers.js';
import { BUNDLE_MEDIA_TYPE } from './bundle.js';
import { HandoverService } from './handover.service.js';

/** The way back from a team laptop (移交): its signed bundle out, and in at the office after verification. */
@Controller()
export class HandoverController {
  constructor(private readonly handover: HandoverService) {}

  /** On the laptop: every event recorded for the round and the evidence files they cite, signed by its key. */
  @Get('rounds/:id/handover-bundle')
  @Operates('ExportHandoverBundle')
  async exportBundle(@Param('id', UuidParam) roundId: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const bundle = await this.handover.exportRound(roundId);
    void reply.header('content-type', `${BUNDLE_MEDIA_TYPE}; charset=utf-8`);
    void reply.header('content-disposition', `attachment; filename="handover-${roundId}.json"`);
    return bundle;
  }

  /** At the office: nothing is written unless every check passes; importing it again writes nothing. */
  @Post('handover')
  @HttpCode(200)
  @Operates('ImportHandoverBundle')
  importBundle(@Body() body: unknown, @CurrentUser() user: AuthUser, @Req() request: FastifyRequest) {
    return this.handover.importBundle(body, user, request.correlationId);
  }
}
