import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { leadDecider, leadStream, type LeadCommand } from '@app/domain';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import { PersonalDataService, type RevealedValue } from '../personal-data/personal-data.service.js';
import { AggregateReader } from './aggregate-reader.js';
import { AsOfQuery, DisposeLeadDto, EmptyDto, LeadOutcomeDto, RecordLeadDto, TransferLeadDto, TriageLeadDto } from './dto.js';
import { HandleLeadCommand, type LeadPersonalData } from './handlers.js';
import { HistoryService } from './history.service.js';
import { answer, contextOf, metadataOf, UuidParam } from './http-helpers.js';

type Rep = FastifyReply;

function shown(value: RevealedValue | undefined): Record<string, unknown> {
  if (!value) return { missing: true };
  switch (value.status) {
    case 'revealed':
      return { ...value.value };
    case 'redacted':
      return { name: value.value.name, redacted: true };
    case 'erased':
      return { erased: true, erasedAt: value.erasedAt };
    case 'missing':
      return { missing: true };
  }
}

@Controller()
export class LeadsController {
  constructor(
    private readonly bus: CommandBus,
    private readonly reader: AggregateReader,
    private readonly history: HistoryService,
    private readonly personalData: PersonalDataService,
  ) {}

  private async send(make: (meta: LeadCommand['metadata']) => LeadCommand, user: AuthUser, req: FastifyRequest, reply: Rep, extra = {}, personal: LeadPersonalData = {}) {
    const ctx = contextOf(req, user);
    const result = await this.bus.execute(new HandleLeadCommand(make(metadataOf(ctx)), ctx, personal));
    return answer(reply, result, extra);
  }

  @Post('rounds/:id/leads')
  @HttpCode(201)
  @Roles('inspector')
  record(@Param('id', UuidParam) roundId: string, @Body() dto: RecordLeadDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: Rep) {
    const leadId = randomUUID();
    const { subjects, informant, ...rest } = dto;
    return this.send((metadata) => ({ type: 'RecordLead', data: { leadId, roundId, ...rest }, metadata }), user, req, reply, { leadId }, { subjects, informant });
  }

  @Post('leads/:id/triage')
  @HttpCode(200)
  @Roles('official')
  triage(@Param('id', UuidParam) leadId: string, @Body() dto: TriageLeadDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'TriageLead', data: { leadId, ...dto }, metadata }), user, req, reply);
  }

  @Post('leads/:id/transfer')
  @HttpCode(200)
  @Roles('official')
  transfer(@Param('id', UuidParam) leadId: string, @Body() dto: TransferLeadDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'TransferLead', data: { leadId, ...dto }, metadata }), user, req, reply);
  }

  @Post('leads/:id/receive')
  @HttpCode(200)
  @Roles('official')
  receive(@Param('id', UuidParam) leadId: string, @Body() _dto: EmptyDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'AcknowledgeLeadReceipt', data: { leadId }, metadata }), user, req, reply);
  }

  @Post('leads/:id/dispose')
  @HttpCode(200)
  @Roles('official')
  dispose(@Param('id', UuidParam) leadId: string, @Body() dto: DisposeLeadDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'RecordDisposition', data: { leadId, ...dto }, metadata }), user, req, reply);
  }

  @Post('leads/:id/outcome')
  @HttpCode(200)
  @Roles('official')
  outcome(@Param('id', UuidParam) leadId: string, @Body() dto: LeadOutcomeDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'RecordOutcome', data: { leadId, ...dto }, metadata }), user, req, reply);
  }

  @Post('leads/:id/close')
  @HttpCode(200)
  @Roles('official')
  close(@Param('id', UuidParam) leadId: string, @Body() _dto: EmptyDto, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: Rep) {
    return this.send((metadata) => ({ type: 'CloseLead', data: { leadId }, metadata }), user, req, reply);
  }

  /** Officials see names (each read recorded); auditors see them redacted. */
  @Get('leads/:id')
  @Roles('official', 'auditor')
  async get(@Param('id', UuidParam) id: string, @Query() query: AsOfQuery, @CurrentUser() user: AuthUser, @Res({ passthrough: true }) reply: Rep) {
    const lead = await this.reader.read(reply, leadDecider, leadStream(id), query.asOf, 'LEAD_NOT_FOUND');
    const refs = [...lead.subjects.map((s) => s.ref), ...(lead.informantRef ? [lead.informantRef] : [])];
    const values = refs.length ? await this.personalData.reveal(refs, user, { leadId: id, purpose: 'view lead' }) : new Map<string, RevealedValue>();
    return {
      ...lead,
      subjects: lead.subjects.map((s) => ({ ...s, ...shown(values.get(s.ref)) })),
      ...(lead.informantRef ? { informant: { ref: lead.informantRef, ...shown(values.get(lead.informantRef)) } } : {}),
    };
  }

  @Get('leads/:id/history')
  @Roles('official', 'auditor')
  historyOf(@Param('id', UuidParam) id: string) {
    return this.history.of(leadStream(id), 'LEAD_NOT_FOUND');
  }
}
