import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { EventStore, RecordedEvent, Subscription } from '@app/event-store';
import type { ReadModel } from '../read-model.js';
import { createReadModelSchema, readCheckpoint } from './projector-schema.js';

export interface ProjectorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProjectorOptions {
  store: EventStore;
  connectionString: string;
  readModels: readonly ReadModel[];
  /** Bump when a read model's tables or logic change: a stored schema of another version is rebuilt. */
  version: number;
  schema?: string;
  batchSize?: number;
  logger?: ProjectorLogger;
}

export interface ProjectorStatus {
  running: boolean;
  leader: boolean;
  position: number;
  eventsApplied: number;
  lastEventRecordedAt: Date | null;
  deadLetters: number;
  lastError: string | null;
}

/** The checkpoint in the database is not where this projector thought: another writer or a rebuild swap moved it. */
class CheckpointMoved extends Error {}

const TRANSIENT = /^(08|53|57)/; // connection, resources, operator intervention (e.g. terminated)

export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string')
    return TRANSIENT.test(code) || ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(code);
  const message = (error as Error)?.message ?? '';
  return /Connection terminated|connection.*closed|Client has encountered a connection error/i.test(message);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Feeds the read models from the store's gap-free subscription (never from an in-memory bus, which
 * loses events on a crash). Each batch is applied by every read model and the checkpoint advanced
 * in ONE transaction. Only one instance is active at a time (a session advisory lock); the others
 * wait as standbys. An event that makes a read model throw is recorded in dead_letters with the
 * error, and the projection continues past it; health reports the count.
 */
export class Projector {
  readonly schema: string;
  readonly pool: pg.Pool;
  readonly applied = new EventEmitter();
  private readonly batchSize: number;
  private readonly logger: ProjectorLogger;
  private running = false;
  private leader = false;
  private lockClient: pg.Client | null = null;
  private subscription: Subscription | null = null;
  private loop: Promise<void> | null = null;
  /** Settles when the first bid for leadership after start() has been answered (won, lost or failed). */
  private firstBid: Promise<void> = Promise.resolve();
  private settleFirstBid: () => void = noop;
  private state: Omit<ProjectorStatus, 'running' | 'leader'> = {
    position: 0,
    eventsApplied: 0,
    lastEventRecordedAt: null,
    deadLetters: 0,
    lastError: null,
  };
  private generation = '';

  constructor(private readonly options: ProjectorOptions) {
    this.schema = options.schema ?? 'rm';
    this.batchSize = options.batchSize ?? 500;
    this.logger = options.logger ?? { log: () => undefined, warn: () => undefined, error: () => undefined };
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: 4,
      application_name: 'xuncha-projector',
    });
    this.pool.on('error', () => undefined);
    this.applied.setMaxListeners(0);
  }

  /** Creates the read-model schema when missing; a schema of another version is rebuilt first. */
  async prepare(rebuild: (reason: string) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    client.on('error', noop);
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [`${this.schema}.prepare`]);
      try {
        const checkpoint = await readCheckpoint(client, this.schema);
        if (!checkpoint) {
          await client.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
          await client.query('BEGIN');
          await createReadModelSchema(client, this.schema, this.options.readModels, this.options.version);
          await client.query('COMMIT');
          this.logger.log(`Read models created in schema ${this.schema} (version ${this.options.version})`);
          return;
        }
        if (checkpoint.version === this.options.version) return;
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`${this.schema}.prepare`]);
      }
    } finally {
      client.off('error', noop);
      client.release();
    }
    await rebuild(
      `read models are at version ${(await readCheckpoint(this.pool, this.schema))?.version}, this code is version ${this.options.version}`,
    );
  }

  /** Runs until stop(): waits for leadership, then follows the log from the stored checkpoint. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.firstBid = new Promise<void>((resolve) => (this.settleFirstBid = resolve));
    this.loop = this.run();
  }

  /**
   * Waits (at most `timeoutMs`) until the first bid for leadership after start() was answered, so that a
   * process that has just started reports whether it is the active projector rather than "not yet".
   */
  async firstBidAnswered(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.firstBid, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.settleFirstBid();
    await this.subscription?.stop();
    await this.loop?.catch(() => undefined);
    await this.lockClient?.end().catch(() => undefined);
    this.lockClient = null;
    this.leader = false;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.pool.end();
  }

  status(): ProjectorStatus {
    return { running: this.running, leader: this.leader, ...this.state };
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const won = await this.acquireLeadership().finally(() => this.settleFirstBid());
        if (!won) {
          await sleep(2000);
          continue;
        }
        const checkpoint = await readCheckpoint(this.pool, this.schema);
        if (!checkpoint) throw new Error(`schema ${this.schema} has no projector checkpoint`);
        this.generation = checkpoint.generation;
        this.state.position = checkpoint.position;
        this.state.deadLetters = await this.countDeadLetters();
        this.subscription = this.options.store.subscribeToAll(
          { fromPosition: checkpoint.position, batchSize: this.batchSize },
          (batch) => this.apply(batch),
        );
        await this.subscription.done;
      } catch (error) {
        if (!this.running) break;
        if (!(error instanceof CheckpointMoved)) {
          this.state.lastError = (error as Error).message;
          this.logger.warn(`Projector restarting after: ${(error as Error).message}`);
          await sleep(500);
        }
        if (isTransient(error)) await this.releaseLeadership();
      }
    }
  }

  private async acquireLeadership(): Promise<boolean> {
    if (this.leader && this.lockClient) return true;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: 'xuncha-projector-lock',
    });
    client.on('error', () => {
      // The lock went with the connection: step down so another instance (or this one, later) takes over.
      this.leader = false;
      void this.subscription?.stop();
    });
    await client.connect();
    const { rows } = await client.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
      `${this.schema}.projector`,
    ]);
    if (!rows[0].ok) {
      await client.end();
      return false;
    }
    this.lockClient = client;
    this.leader = true;
    this.logger.log('Projector is the active instance');
    return true;
  }

  private async releaseLeadership(): Promise<void> {
    await this.lockClient?.end().catch(() => undefined);
    this.lockClient = null;
    this.leader = false;
  }

  private async countDeadLetters(): Promise<number> {
    const { rows } = await this.pool.query(`SELECT count(*)::int AS n FROM ${this.schema}.dead_letters`);
    return rows[0].n;
  }

  /** One batch: every read model and the checkpoint in one transaction. */
  private async apply(batch: RecordedEvent[]): Promise<void> {
    if (!this.leader) throw new CheckpointMoved('no longer the active projector');
    try {
      await this.inTransaction(batch, batch);
    } catch (error) {
      if (error instanceof CheckpointMoved || isTransient(error)) throw error;
      // Find the event(s) at fault: apply one at a time, dead-lettering those that throw.
      for (const event of batch) {
        try {
          await this.inTransaction([event], [event]);
        } catch (single) {
          if (single instanceof CheckpointMoved || isTransient(single)) throw single;
          await this.inTransaction([], [event], single as Error);
        }
      }
    }
  }

  private async inTransaction(toApply: RecordedEvent[], covering: RecordedEvent[], deadLetter?: Error): Promise<void> {
    const client = await this.pool.connect();
    // A connection dropped mid-batch fails the query below; without a listener it would also crash the process.
    client.on('error', noop);
    try {
      await client.query('BEGIN');
      // The row lock makes a rebuild's swap wait for this batch (and this batch wait for a swap);
      // the fresh read after it sees a swapped-in schema, whose checkpoint is not ours.
      await client.query(`SELECT position FROM ${this.schema}.projector_checkpoint WHERE id = 'main' FOR UPDATE`);
      const { rows } = await client.query(
        `SELECT position, generation FROM ${this.schema}.projector_checkpoint WHERE id = 'main'`,
      );
      if (rows[0].generation !== this.generation || Number(rows[0].position) !== this.state.position) {
        throw new CheckpointMoved(`checkpoint is at ${rows[0].position}, expected ${this.state.position}`);
      }
      if (deadLetter) {
        const e = covering[0];
        await client.query(
          `INSERT INTO ${this.schema}.dead_letters (position, event_id, stream_id, type, error) VALUES ($1, $2, $3, $4, $5)`,
          [e.position, e.id, e.streamId, e.type, deadLetter.stack ?? deadLetter.message],
        );
      }
      const last = covering[covering.length - 1];
      if (!deadLetter) {
        const touched = new Set<string>();
        for (const model of this.options.readModels) await model.applyBatch(toApply, client, this.schema, { touched });
        if (touched.size > 0)
          await client.query(
            `INSERT INTO ${this.schema}.read_versions (scope, position) SELECT unnest($1::text[]), $2
             ON CONFLICT (scope) DO UPDATE SET position = EXCLUDED.position`,
            [[...touched], last.position],
          );
      }
      await client.query(
        `UPDATE ${this.schema}.projector_checkpoint SET position = $1, updated_at = now() WHERE id = 'main'`,
        [last.position],
      );
      await client.query('COMMIT');
      this.state.position = last.position;
      this.state.eventsApplied += covering.length;
      this.state.lastEventRecordedAt = last.recordedAt;
      if (deadLetter) {
        this.state.deadLetters++;
        this.logger.error(
          `Event ${last.type} at position ${last.position} (${last.streamId}) made a read model throw; recorded in ${this.schema}.dead_letters: ${deadLetter.message}`,
        );
      }
      this.applied.emit('position', last.position);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', noop);
      client.release();
    }
  }
}

function noop(): void {}
