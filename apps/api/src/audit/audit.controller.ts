import { Controller, Get, Inject, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { EventStore } from '@app/event-store';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Reads } from '../auth/decorators.js';
import { EVENT_STORE } from '../infrastructure/tokens.js';
import { historyEntry } from '../cases/application/history.service.js';
import { verifyEvidence } from '../evidence/evidence-citations.js';
import { EvidenceStore } from '../evidence/evidence-store.js';

/** Positions are bigint in PostgreSQL but numbers here: beyond 2^53 - 1 they would not round-trip. */
const MAX_POSITION = Number.MAX_SAFE_INTEGER;

export class AuditEventsQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_POSITION) fromPosition?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

export class VerifyQuery {
  @IsOptional() @IsString() @MaxLength(200) streamId?: string;
}

/** For auditors: the whole log in order with its hashes, and integrity verification. */
@Controller('audit')
export class AuditController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly evidence: EvidenceStore,
  ) {}

  /** Pages through the global log: pass the last `position` as the next `fromPosition` (exclusive). */
  @Get('events')
  @Reads('ListAuditEvents')
  async events(@Query() query: AuditEventsQuery, @CurrentUser() user: AuthUser) {
    const fromPosition = query.fromPosition ?? 0;
    const limit = query.limit ?? 100;
    const events = await this.store.readAll({ fromPosition, limit });
    const items = events.map((e) => ({ streamId: e.streamId, ...historyEntry(e, user) }));
    return {
      items,
      fromPosition,
      limit,
      nextFromPosition: items.length ? items[items.length - 1].position : fromPosition,
      headPosition: await this.store.headPosition(),
    };
  }

  /**
   * Recomputes every hash chain and the seals and names the first broken link; re-hashes every cited
   * evidence file and names each missing or altered one (`evidenceBroken`). Any of them: `ok` is false.
   */
  @Get('verify')
  @Reads('VerifyIntegrity')
  async verify(@Query() query: VerifyQuery) {
    const report = query.streamId ? await this.store.verifyStream(query.streamId) : await this.store.verifyAll();
    const files = await verifyEvidence(this.store, this.evidence);
    const evidenceBroken = query.streamId
      ? files.evidenceBroken.filter((b) => b.streamId === query.streamId)
      : files.evidenceBroken;
    return {
      ...report,
      ok: report.ok && evidenceBroken.length === 0,
      evidenceChecked: files.evidenceChecked,
      evidenceBroken,
      verifiedAt: new Date().toISOString(),
    };
  }
}
