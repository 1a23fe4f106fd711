import { Injectable } from '@nestjs/common';
import type { Command, Decider, Event } from '@app/domain';
import { ApplicationError, type ErrorCode } from '../../application/errors.js';
import { CommandRunner } from './command-runner.js';

export type Read<S> = Exclude<S, { status: 'absent' }> & { revision: number; asOf?: string; lastRecordedAt?: string };

/**
 * GET of one case: folds its stream (up to `asOf` when asked: the state as it was then) and says
 * which revision the answer reflects (the controller sends it as ETag, for If-Match).
 */
@Injectable()
export class AggregateReader {
  constructor(private readonly runner: CommandRunner) {}

  async read<S extends { status: string }, C extends Command, E extends Event>(
    decider: Decider<S, C, E>,
    streamId: string,
    asOf: string | undefined,
    notFoundCode: ErrorCode,
  ): Promise<Read<S>> {
    const until = asOf ? new Date(asOf) : undefined;
    const loaded = await this.runner.load(decider, streamId, until);
    if (loaded.state.status === 'absent') {
      throw new ApplicationError(notFoundCode, asOf ? `Nothing was recorded for this id up to ${asOf}` : 'No such id');
    }
    const last = loaded.events[loaded.events.length - 1];
    return {
      ...(loaded.state as Exclude<S, { status: 'absent' }>),
      revision: loaded.revision,
      lastRecordedAt: last.recordedAt.toISOString(),
      ...(asOf ? { asOf } : {}),
    };
  }
}
