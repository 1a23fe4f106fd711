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

interface Waiter {
  roundId: string | undefined;
  resolve: (checkpoint: ReadModelCheckpoint) => void;
  reject: (error: unknown) => void;
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

  /** The position processed (a read shared with concurrent requests, see checkpoint()); before the schema exists: 0. */
  async position(): Promise<number> {
    return (await this.checkpoint()).position;
  }

  /** The requests waiting for the next read of the checkpoint (see checkpoint()), and the rounds they ask about. */
  private next: { rounds: Set<string>; waiters: Waiter[] } | undefined;
  /** Whether a read of the checkpoint is running. */
  private reading = false;
  /** Reads of the checkpoint made, and requests answered by them (coalescing shows as reads < requests). */
  reads = 0;
  requests = 0;

  /**
   * The read models' checkpoint: the position processed and the generation of the schema (a rebuild swaps in a new
   * one, whose position may equal the old one's); asked for a round, also that round's version. Before the schema
   * exists: position 0, generation ''.
   *
   * It is read on every read-model request, so concurrent requests share reads: a request waits for the next read
   * that starts after it arrived (the one running then may have begun before a batch it must see committed), and that
   * one read answers every request that arrived meanwhile, the versions of all their rounds in the same statement. So
   * each answer is exactly as fresh as a statement of its own would have made it, and 32 concurrent requests cost
   * about two statements instead of 32.
   */
  checkpoint(roundId?: string): Promise<ReadModelCheckpoint> {
    return new Promise<ReadModelCheckpoint>((resolve, reject) => {
      this.requests++;
      const next = (this.next ??= { rounds: new Set(), waiters: [] });
      if (roundId !== undefined) next.rounds.add(roundId);
      next.waiters.push({ roundId, resolve, reject });
      if (!this.reading) void this.readWaves();
    });
  }

  private async readWaves(): Promise<void> {
    this.reading = true;
    try {
      while (this.next) {
        const wave = this.next;
        this.next = undefined;
        try {
          const read = await this.readCheckpoint([...wave.rounds]);
          for (const waiter of wave.waiters) waiter.resolve(read(waiter.roundId));
        } catch (error) {
          for (const waiter of wave.waiters) waiter.reject(error);
        }
      }
    } finally {
      this.reading = false;
    }
  }

  /** One statement: the checkpoint, and the versions of `rounds` (a round's: its scope's or 'all''s, the later). */
  private async readCheckpoint(rounds: string[]): Promise<(roundId?: string) => ReadModelCheckpoint> {
    this.reads++;
    try {
      const { rows } = await this.projector.projector.pool.query<{
        position: string;
        generation: string;
        versions: Record<string, number> | null;
      }>(
        rounds.length === 0
          ? `SELECT position, generation, NULL AS versions FROM ${READ_MODEL_SCHEMA}.projector_checkpoint WHERE id = 'main'`
          : `SELECT c.position, c.generation,
                    (SELECT json_object_agg(v.scope, v.position) FROM ${READ_MODEL_SCHEMA}.read_versions v
                      WHERE v.scope = ANY($1::text[])) AS versions
               FROM ${READ_MODEL_SCHEMA}.projector_checkpoint c WHERE c.id = 'main'`,
        rounds.length === 0 ? [] : [[ALL_SCOPES, ...rounds.map(roundScope)]],
      );
      if (!rows.length) return () => ({ position: 0, generation: '' });
      const position = Number(rows[0].position);
      const generation = rows[0].generation;
      const versions = rows[0].versions ?? {};
      const all = Number(versions[ALL_SCOPES] ?? 0);
      return (roundId) => {
        const checkpoint: ReadModelCheckpoint = { position, generation };
        if (roundId !== undefined)
          checkpoint.round = { id: roundId, version: Math.max(Number(versions[roundScope(roundId)] ?? 0), all) };
        return checkpoint;
      };
    } catch (error) {
      const code = (error as { code?: string }).code;
      // Read models of an earlier version (no read_versions yet, until their rebuild is swapped in): no round version.
      if (code === '42P01' && rounds.length > 0) {
        const read = await this.readCheckpoint([]);
        return () => read();
      }
      if (code === '42P01' || code === '3F000') return () => ({ position: 0, generation: '' }); // not built yet
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
