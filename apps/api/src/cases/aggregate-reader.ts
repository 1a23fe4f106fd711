import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Command, Decider, Event } from '@app/domain';
import { ProblemException } from '../http/problem.js';
import { CommandRunner } from './command-runner.js';

/**
 * GET of one case: folds its stream (up to `asOf` when asked: the state as it was then) and says
 * which revision the answer reflects, also as ETag so the caller can send it back as If-Match.
 */
@Injectable()
export class AggregateReader {
  constructor(private readonly runner: CommandRunner) {}

  async read<S extends { status: string }, C extends Command, E extends Event>(
    reply: FastifyReply,
    decider: Decider<S, C, E>,
    streamId: string,
    asOf: string | undefined,
    notFoundCode: string,
  ): Promise<Exclude<S, { status: 'absent' }> & { revision: number; asOf?: string; lastRecordedAt?: string }> {
    const until = asOf ? new Date(asOf) : undefined;
    const loaded = await this.runner.load(decider, streamId, until);
    if (loaded.state.status === 'absent') {
      throw new ProblemException(404, notFoundCode, asOf ? `Nothing was recorded for this id up to ${asOf}` : 'No such id');
    }
    void reply.header('etag', `"${loaded.revision}"`);
    const last = loaded.events[loaded.events.length - 1];
    return { ...(loaded.state as Exclude<S, { status: 'absent' }>), revision: loaded.revision, lastRecordedAt: last.recordedAt.toISOString(), ...(asOf ? { asOf } : {}) };
  }
}
