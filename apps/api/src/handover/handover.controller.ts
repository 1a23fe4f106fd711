import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Operates } from '../auth/decorators.js';
import { UuidParam } from '../cases/http-helpers.js';
import { BUNDLE_MEDIA_TYPE, KIT_MEDIA_TYPE } from './bundle.js';
import { HandoverService } from './handover.service.js';
import type { Receipt } from './kit.js';

export class FieldKitQuery {
  /** The team's usernames, comma-separated: their accounts (password hashes only) travel in the kit. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @Matches(/^[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*$/, { message: 'users must be usernames separated by commas' })
  users?: string;
}

export class HandoverReceiptDto {
  @IsObject() receipt!: Receipt['receipt'];
  @IsString() @MaxLength(200) signature!: string;
}

/** Purging takes no input: the receipt on file decides. */
export class PurgeRoundDto {}

/** The way in (配置), the way back (移交) and the clean-up (清理) of a team laptop. */
@Controller()
export class HandoverController {
  constructor(private readonly handover: HandoverService) {}

  /** At the office: the round's field kit for one team laptop, signed with the office's key. */
  @Get('rounds/:id/field-kit')
  @Operates('ExportFieldKit')
  async exportKit(
    @Param('id', UuidParam) roundId: string,
    @Query() query: FieldKitQuery,
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const kit = await this.handover.exportKit(roundId, query.users ? query.users.split(',') : [], user);
    void reply.header('content-type', `${KIT_MEDIA_TYPE}; charset=utf-8`);
    void reply.header('content-disposition', `attachment; filename="field-kit-${roundId}.json"`);
    return kit;
  }

  /** On the laptop: sets it up for the kit's round; an altered kit, or one imported before, is refused. */
  @Post('field-kit')
  @HttpCode(201)
  @Operates('ImportFieldKit')
  importKit(@Body() body: unknown) {
    return this.handover.importKit(body);
  }

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

  /** On the laptop: the office's signed receipt for a bundle it exported. */
  @Post('rounds/:id/handover-receipt')
  @HttpCode(200)
  @Operates('StoreHandoverReceipt')
  storeReceipt(@Param('id', UuidParam) roundId: string, @Body() dto: HandoverReceiptDto) {
    return this.handover.storeReceipt(roundId, dto);
  }

  /** On the laptop: deletes the round's events, only with the office's receipt for the last bundle. */
  @Post('rounds/:id/purge')
  @HttpCode(200)
  @Operates('PurgeRound')
  purge(@Param('id', UuidParam) roundId: string, @Body() _dto: PurgeRoundDto) {
    return this.handover.purge(roundId);
  }
}
