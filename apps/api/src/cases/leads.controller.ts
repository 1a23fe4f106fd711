import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { leadDecider, leadStream, type CommandMetadata } from '@app/domain';
import { reclassifiedFindingId } from './application/command-handlers.js';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Reads, Sends } from '../auth/decorators.js';
import { AggregateReader } from './application/aggregate-reader.js';
import { HistoryService } from './application/history.service.js';
import { Visibility } from './application/visibility.js';
import {
  AsOfQuery,
  DisposeLeadDto,
  EmptyDto,
  FollowUpDto,
  LeadOutcomeDto,
  RecordLeadDto,
  TransferLeadDto,
  TriageLeadDto,
} from './dto.js';
import { CommandSender, Http, UuidParam, withETag, type Exchange, newId } from './http-helpers.js';

@Controller()
export class LeadsController {
  constructor(
    private readonly commands: CommandSender,
    private readonly reader: AggregateReader,
    private readonly history: HistoryService,
    private readonly visibility: Visibility,
  ) {}

  @Post('rounds/:id/leads')
  @HttpCode(201)
  @Sends('RecordLead')
  record(@Param('id', UuidParam) roundId: string, @Body() dto: RecordLeadDto, @Http() http: Exchange) {
    const leadId = newId(http, 'leadId');
    const { subjects, informant, summaryDetail, ...rest } = dto;
    const data = { leadId, roundId, ...rest };
    const personal = { subjects, informant, summaryDetail };
    return this.commands.send(http, (metadata) => ({ type: 'RecordLead', data, metadata }), { leadId }, personal);
  }

  @Post('leads/:id/triage')
  @HttpCode(200)
  @Sends('TriageLead')
  triage(@Param('id', UuidParam) leadId: string, @Body() dto: TriageLeadDto, @Http() http: Exchange) {
    const { finding, ...triage } = dto;
    const make = (metadata: CommandMetadata) => ({
      type: 'TriageLead' as const,
      data: { leadId, ...triage },
      metadata,
    });
    const findingId = dto.decision === 'reclassify_as_finding' ? { findingId: reclassifiedFindingId(leadId) } : {};
    return this.commands.send(http, make, findingId, finding ? { reclassifiedFinding: { ...finding } } : {});
  }

  @Post('leads/:id/transfer')
  @HttpCode(200)
  @Sends('TransferLead')
  transfer(@Param('id', UuidParam) leadId: string, @Body() dto: TransferLeadDto, @Http() http: Exchange) {
    return this.commands.send(http, (metadata) => ({ type: 'TransferLead', data: { leadId, ...dto }, metadata }));
  }

  @Post('leads/:id/receive')
  @HttpCode(200)
  @Sends('AcknowledgeLeadReceipt')
  receive(@Param('id', UuidParam) leadId: string, @Body() _dto: EmptyDto, @Http() http: Exchange) {
    return this.commands.send(http, (metadata) => ({ type: 'AcknowledgeLeadReceipt', data: { leadId }, metadata }));
  }

  @Post('leads/:id/dispose')
  @HttpCode(200)
  @Sends('RecordDisposition')
  dispose(@Param('id', UuidParam) leadId: string, @Body() dto: DisposeLeadDto, @Http() http: Exchange) {
    return this.commands.send(http, (metadata) => ({ type: 'RecordDisposition', data: { leadId, ...dto }, metadata }));
  }

  @Post('leads/:id/outcome')
  @HttpCode(200)
  @Sends('RecordOutcome')
  outcome(@Param('id', UuidParam) leadId: string, @Body() dto: LeadOutcomeDto, @Http() http: Exchange) {
    return this.commands.send(http, (metadata) => ({ type: 'RecordOutcome', data: { leadId, ...dto }, metadata }));
  }

  @Post('leads/:id/close')
  @HttpCode(200)
  @Sends('CloseLead')
  close(@Param('id', UuidParam) leadId: string, @Body() _dto: EmptyDto, @Http() http: Exchange) {
    return this.commands.send(http, (metadata) => ({ type: 'CloseLead', data: { leadId }, metadata }));
  }

  @Post('leads/:id/follow-up')
  @HttpCode(200)
  @Sends('RecordLeadFollowUp')
  followUp(@Param('id', UuidParam) leadId: string, @Body() dto: FollowUpDto, @Http() http: Exchange) {
    const { visitee, ...visit } = dto;
    const data = { leadId, ...visit, visiteeRef: '' };
    return this.commands.send(http, (metadata) => ({ type: 'RecordLeadFollowUp', data, metadata }), {}, { visitee });
  }

  /** Officials see names, posts and the identifying detail (each read recorded); auditors see them redacted. */
  @Get('leads/:id')
  @Reads('GetLead')
  async get(
    @Param('id', UuidParam) id: string,
    @Query() query: AsOfQuery,
    @CurrentUser() user: AuthUser,
    @Http() http: Exchange,
  ) {
    const lead = withETag(http, await this.reader.read(leadDecider, leadStream(id), query.asOf, 'LEAD_NOT_FOUND'));
    return this.visibility.followUps(await this.visibility.lead(lead, id, user), user, { leadId: id });
  }

  @Get('leads/:id/history')
  @Reads('GetLeadHistory')
  historyOf(@Param('id', UuidParam) id: string, @CurrentUser() user: AuthUser) {
    return this.history.of(leadStream(id), 'LEAD_NOT_FOUND', user);
  }
}
