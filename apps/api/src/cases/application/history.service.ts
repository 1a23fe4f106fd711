import { Inject, Injectable } from '@nestjs/common';
import { EVENT_TYPE_LABELS, type DomainEventType } from '@app/domain';
import type { EventStore, RecordedEvent } from '@app/event-store';
import { ApplicationError, type ErrorCode } from '../../application/errors.js';
import type { AuthUser } from '../../auth/auth-user.js';
import { EVENT_STORE } from '../../infrastructure/tokens.js';
import { visibleEventData } from './visibility.js';

/** An entry whose occurredAt is this much earlier than recordedAt is flagged as back-dated. */
const BACKDATED_AFTER_MS = 60 * 60 * 1000;

export interface HistoryEntry {
  revision: number;
  position: number;
  id: string;
  type: string;
  label: string;
  data: unknown;
  actor: { id: string; username: string; role: string };
  role: string;
  correlationId: string;
  causationId: string;
  recordedAt: string;
  occurredAt: string | null;
  backdated: boolean;
  prevHash: string;
  hash: string;
}

/** One event as `reader` may see it (values written in clear before they were protected are redacted alike). */
export function historyEntry(e: RecordedEvent, reader: AuthUser): HistoryEntry {
  const occurred = e.occurredAt?.getTime();
  return {
    revision: e.revision,
    position: e.position,
    id: e.id,
    type: e.type,
    label: EVENT_TYPE_LABELS[e.type as DomainEventType] ?? e.type,
    data: visibleEventData(e.type, e.data, reader),
    actor: e.metadata.actor,
    role: e.metadata.actor.role,
    correlationId: e.metadata.correlationId,
    causationId: e.metadata.causationId,
    recordedAt: e.recordedAt.toISOString(),
    occurredAt: e.occurredAt ? e.occurredAt.toISOString() : null,
    backdated: occurred !== undefined && e.recordedAt.getTime() - occurred > BACKDATED_AFTER_MS,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/**
 * Every event of one case, in order, with who did it and the hash chain. Lead events hold only
 * references to personal data.
 */
@Injectable()
export class HistoryService {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async of(
    streamId: string,
    notFoundCode: ErrorCode,
    reader: AuthUser,
  ): Promise<{ streamId: string; revision: number; events: HistoryEntry[] }> {
    const events = await this.store.readStream(streamId);
    if (!events.length) throw new ApplicationError(notFoundCode, 'No such id');
    const revision = events[events.length - 1].revision;
    return { streamId, revision, events: events.map((e) => historyEntry(e, reader)) };
  }
}
