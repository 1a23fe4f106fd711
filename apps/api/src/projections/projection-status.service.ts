import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@app/event-store';
import { ALL_SCOPES, READ_MODEL_SCHEMA, roundScope } from '@app/projections';
import { EVENT_STORE } from '../infrastructure/tokens.js';
import { ProjectorService } from './projector.service.js';

export interface ReadModelCheckpoint {
  position: number;
  /** '' before the read models exist. */
  generation: string;
  /**
   * Asked for one round: the position of the last batch that changed that round's rows or rows of no one round
   * (0: none since the schema was built). Answers about the round are the same at every checkpoint with this version.
   */
  round?: { id: string; version: number };
}

export interface Freshness {
  position: number;
  headPosition: number;
  lagEvents: number;
  lagSeconds: number;
  deadLetters: number;
  running: boolean;
}

/**
 * How far the read models have got. The checkpoint is read from the database, so the answer is
 * right whether the projector runs in this process or in another one.
 */
@Injectable()
export class ProjectionStatus {
  constructor(
    private readonly projector: ProjectorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** One statement per query (it runs on every read-model request); before the schema exists: 0. */
  async position(): Promise<number> {
    return (await this.checkpoint()).position;
  }

  /**
   * The read models' checkpoint: the position processed and the generation of the schema (a rebuild swaps in a new
   * one, whose position may equal the old one's). One statement; before the schema exists: position 0, generation ''.
   */
  async checkpoint(roundId?: string): Promise<ReadModelCheckpoint> {
    try {
      const { rows } = await this.projector.projector.pool.query<{
        position: string;
        generation: string;
        round_version: string | null;
      }>(
        roundId === undefined
          ? `SELECT position, generation, NULL AS round_version FROM ${READ_MODEL_SCHEMA}.projector_checkpoint WHERE id = 'main'`
          : `SELECT c.position, c.generation,
                    (SELECT coalesce(max(v.position), 0) FROM ${READ_MODEL_SCHEMA}.read_versions v WHERE v.scope = ANY($1::text[])) AS round_version
               FROM ${READ_MODEL_SCHEMA}.projector_checkpoint c WHERE c.id = 'main'`,
        roundId === undefined ? [] : [[roundScope(roundId), ALL_SCOPES]],
      );
      if (!rows.length) return { position: 0, generation: '' };
      const checkpoint: ReadModelCheckpoint = { position: Number(rows[0].position), generation: rows[0].generation };
      if (roundId !== undefined) checkpoint.round = { id: roundId, version: Number(rows[0].round_version) };
      return checkpoint;
    } catch (error) {
      const code = (error as { code?: string }).code;
      // Read models of an earlier version (no read_versions yet, until their rebuild is swapped in): no round version.
      if (code === '42P01' && roundId !== undefined) return this.checkpoint();
      if (code === '42P01' || code === '3F000') return { position: 0, generation: '' }; // not built yet
      throw error;
    }
  }

  /** Waits (bounded) until the read models have processed `min`; answers the position reached. */
  async waitFor(min: number, timeoutMs: number): Promise<number> {
    return (await this.waitForCheckpoint(min, timeoutMs)).position;
  }

  /** Waits (bounded) until the read models have processed `min`; answers the checkpoint reached. */
  async waitForCheckpoint(min: number, timeoutMs: number, roundId?: string): Promise<ReadModelCheckpoint> {
    const deadline = Date.now() + timeoutMs;
    let checkpoint = await this.checkpoint(roundId);
    while (checkpoint.position < min && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(25, Math.max(1, deadline - Date.now())));
        const onApplied = () => done();
        function done() {
          clearTimeout(timer);
          emitter.off('position', onApplied);
          resolve();
        }
        const emitter = this.projector.projector.applied;
        emitter.on('position', onApplied);
      });
      checkpoint = await this.checkpoint(roundId);
    }
    return checkpoint;
  }

  async freshness(): Promise<Freshness> {
    const [position, headPosition] = await Promise.all([this.position(), this.store.headPosition()]);
    let lagSeconds = 0;
    if (headPosition > position) {
      const [next] = await this.store.readAll({
        fromPosition: position,
        limit: 1,
      });
      if (next) lagSeconds = Math.max(0, (Date.now() - next.recordedAt.getTime()) / 1000);
    }
    const status = this.projector.projector.status();
    const { rows } = await this.projector.projector.pool
      .query(`SELECT count(*)::int AS n FROM ${READ_MODEL_SCHEMA}.dead_letters`)
      .catch(() => ({ rows: [{ n: status.deadLetters }] }));
    return {
      position,
      headPosition,
      lagEvents: Math.max(0, headPosition - position),
      lagSeconds,
      deadLetters: rows[0].n,
      running: status.running && status.leader,
    };
  }
}
