import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Command, Decider, Event } from '@app/domain';
import { WrongExpectedRevisionError, type PgEventStore, type RecordedEvent } from '@app/event-store';
import { EVENT_STORE } from '../infrastructure/tokens.js';
import { ProblemException } from '../http/problem.js';
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
@Injectable()
export class CommandRunner {
  constructor(@Inject(EVENT_STORE) private readonly store: PgEventStore) {}

  async load<S, C extends Command, E extends Event>(decider: Decider<S, C, E>, streamId: string, until?: Date): Promise<Loaded<S>> {
    const events = await this.store.readStream(streamId, until ? { until } : {});
    const state = events.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as unknown as E), decider.initialState());
    return { state, revision: events.length ? events[events.length - 1].revision : 0, events };
  }

  async run<S, C extends Command, E extends Event>(
    decider: Decider<S, C, E>,
    streamId: string,
    id: string,
    command: C,
    ctx: CommandContext,
    /** Rules that need the current state but are not the domain's (e.g. a liaison's own department). */
    authorize?: (state: S) => void,
  ): Promise<CommandResult & { state: S }> {
    const causationId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(decider, streamId);
      if (ctx.expectedRevision !== undefined && ctx.expectedRevision !== revision) {
        throw preconditionFailed(ctx.expectedRevision, revision);
      }
      authorize?.(state);
      const events = decider.decide(command, state);
      try {
        const result = await this.store.appendToStream(
          streamId,
          events.map((e) => ({
            type: e.type,
            data: e.data,
            metadata: {
              actor: { id: ctx.actor.id, username: ctx.actor.username, role: ctx.actor.role },
              correlationId: ctx.correlationId,
              causationId,
              command: command.type,
            },
            occurredAt: (e.data as { occurredAt?: string }).occurredAt ?? null,
          })),
          { expectedRevision: revision === 0 ? 'no_stream' : revision },
        );
        const newState = events.reduce(decider.evolve, state);
        return { id, revision: result.nextRevision, position: result.position, state: newState };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (ctx.expectedRevision !== undefined) throw preconditionFailed(ctx.expectedRevision, error.actual);
        if (attempt >= MAX_ATTEMPTS) {
          throw new ProblemException(409, 'CONCURRENT_MODIFICATION', `The case kept changing while this command was decided (${attempt} attempts); try again`);
        }
      }
    }
  }
}

function preconditionFailed(expected: number, actual: number): ProblemException {
  return new ProblemException(412, 'REVISION_MISMATCH', `If-Match names revision ${expected}, the case is at revision ${actual}; reload it and decide again`, undefined, {
    expectedRevision: expected,
    actualRevision: actual,
  });
}
