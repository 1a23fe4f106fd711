import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Command, Decider, Event } from '@app/domain';
import {
  EventIdConflictError,
  WrongExpectedRevisionError,
  type EventStore,
  type RecordedEvent,
  type SqlStatement,
} from '@app/event-store';
import { ApplicationError } from '../../application/errors.js';
import { EVENT_STORE } from '../../infrastructure/tokens.js';
import type { CommandContext, CommandResult } from './command-context.js';

/** Without If-Match a lost race is decided again on fresh state, this many times at most. */
const MAX_ATTEMPTS = 5;

export interface Loaded<S> {
  state: S;
  revision: number;
  events: RecordedEvent[];
}

/**
 * The one command workflow (Marten's FetchForWriting, Emmett's handleCommand): load the stream,
 * fold it, decide, append with the loaded revision as the expected one. A conflict is decided
 * again on the new state, so two officials racing to verify one finding cannot both succeed:
 * the second decision sees the first one's event and is refused by the decider.
 */
/** Streams whose folded state this process keeps; a command on one of them skips the read. */
const CACHE_SIZE = 10_000;

@Injectable()
export class CommandRunner {
  /** streamId → state and revision after this process's last successful append (LRU by insertion order). */
  private readonly cache = new Map<string, { state: unknown; revision: number }>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load<S, C extends Command, E extends Event>(
    decider: Decider<S, C, E>,
    streamId: string,
    until?: Date,
  ): Promise<Loaded<S>> {
    const events = await this.store.readStream(streamId, until ? { until } : {});
    return this.fold(decider, events);
  }

  private fold<S, C extends Command, E extends Event>(decider: Decider<S, C, E>, events: RecordedEvent[]): Loaded<S> {
    const evolve = (s: S, e: RecordedEvent) => decider.evolve(s, { type: e.type, data: e.data } as unknown as E);
    const state = events.reduce(evolve, decider.initialState());
    return { state, revision: events.length ? events[events.length - 1].revision : 0, events };
  }

  /**
   * A command with an Idempotency-Key whose events are in the stream already (an earlier attempt
   * committed them, then crashed or lost its answer): the answer that attempt gave, recomputed
   * from the log. Undefined when nothing of it was written.
   */
  async applied(streamId: string, id: string, ctx: CommandContext): Promise<CommandResult | undefined> {
    if (!ctx.idempotency) return undefined;
    return answerOf(await this.store.readStream(streamId), id, ctx);
  }

  async run<S, C extends Command, E extends Event>(
    decider: Decider<S, C, E>,
    streamId: string,
    id: string,
    command: C,
    ctx: CommandContext,
    /** Rules that need the current state but are not the domain's (e.g. a liaison's own department). */
    authorize?: (state: S) => void,
    /** Rows of the caller's committed in the same transaction as the events (the vault's). */
    alongside: SqlStatement[] = [],
  ): Promise<CommandResult & { state: S }> {
    const causationId = randomUUID();
    // A cached state may be stale (another process appended): the append's expected revision
    // catches that, and any refusal decided on a cached state is decided again on a fresh read.
    // A keyed command always reads the stream: its events may be there from an earlier attempt.
    const cached = this.cache.get(streamId) as { state: S; revision: number } | undefined;
    let current = ctx.idempotency ? undefined : cached;
    let fromCache = current !== undefined;
    for (let attempt = 1; ; attempt++) {
      if (!current) {
        const events = await this.store.readStream(streamId);
        const loaded = this.fold(decider, events);
        const earlier = answerOf(events, id, ctx);
        if (earlier) return { ...earlier, state: loaded.state };
        current = { state: loaded.state, revision: loaded.revision };
        fromCache = false;
      }
      const { state, revision } = current;
      let events: E[];
      try {
        if (ctx.expectedRevision !== undefined && ctx.expectedRevision !== revision) {
          throw preconditionFailed(ctx.expectedRevision, revision);
        }
        authorize?.(state);
        events = decider.decide(command, state);
      } catch (error) {
        if (fromCache) {
          current = undefined;
          attempt--;
          continue;
        }
        throw error;
      }
      try {
        const result = await this.store.appendToStream(
          streamId,
          events.map((e, i) => ({
            ...(ctx.idempotency ? { id: ctx.idempotency.id(`event:${i}`) } : {}),
            type: e.type,
            data: e.data,
            metadata: {
              actor: { id: ctx.actor.id, username: ctx.actor.username, role: ctx.actor.role },
              correlationId: ctx.correlationId,
              causationId,
              command: ctx.sentAs ?? command.type,
            },
            occurredAt: (e.data as { occurredAt?: string }).occurredAt ?? null,
          })),
          { expectedRevision: revision === 0 ? 'no_stream' : revision, ...(alongside.length ? { alongside } : {}) },
        );
        const newState = events.reduce(decider.evolve, state);
        this.remember(streamId, { state: newState, revision: result.nextRevision });
        return { id, revision: result.nextRevision, position: result.position, state: newState };
      } catch (error) {
        this.cache.delete(streamId);
        // A takeover of the same key raced this attempt: the reload finds its events and answers them.
        current = undefined;
        if (error instanceof EventIdConflictError && ctx.idempotency && attempt < MAX_ATTEMPTS) continue;
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (ctx.expectedRevision !== undefined && !fromCache) {
          throw preconditionFailed(ctx.expectedRevision, error.actual);
        }
        if (attempt >= MAX_ATTEMPTS) {
          const detail = `The case kept changing while this command was decided (${attempt} attempts); try again`;
          throw new ApplicationError('CONCURRENT_MODIFICATION', detail);
        }
      }
    }
  }

  private remember(streamId: string, entry: { state: unknown; revision: number }): void {
    this.cache.delete(streamId);
    this.cache.set(streamId, entry);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/** The answer of the keyed command whose events (ids derived from its key) are among `events`. */
function answerOf(events: RecordedEvent[], id: string, ctx: CommandContext): CommandResult | undefined {
  const scope = ctx.idempotency;
  if (!scope) return undefined;
  let i = 0;
  let last: RecordedEvent | undefined;
  const byId = new Map(events.map((e) => [e.id, e]));
  for (let e = byId.get(scope.id(`event:${i}`)); e; e = byId.get(scope.id(`event:${++i}`))) last = e;
  return last && { id, revision: last.revision, position: last.position };
}

function preconditionFailed(expected: number, actual: number): ApplicationError {
  const detail = `If-Match names revision ${expected}, the case is at revision ${actual}; reload it and decide again`;
  const extra = { expectedRevision: expected, actualRevision: actual };
  return new ApplicationError('REVISION_MISMATCH', detail, undefined, extra);
}
