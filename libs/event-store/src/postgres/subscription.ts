import type { EventEmitter } from 'node:events';
import pg from 'pg';
import type { RecordedEvent, Subscription } from '../types.js';
import { readAllFrom } from './rows.js';

interface PollingSubscriptionOptions {
  connectionString: string;
  schema: string;
  fromPosition: number;
  batchSize: number;
  pollIntervalMs: number;
  onReadError?: (error: unknown) => void;
  /** Appends made by this process wake the subscription at once instead of at the next poll. */
  wake: EventEmitter;
  handler: (batch: RecordedEvent[]) => Promise<void>;
}

const MAX_BACKOFF_MS = 2000;

/**
 * Catch-up then live, by polling the gap-free read of the log. The checkpoint only moves after the
 * handler has finished a batch, so an event is handed over once; a failed read (a dropped
 * connection) is retried from that checkpoint, so none is lost or repeated.
 */
export class PollingSubscription implements Subscription {
  readonly done: Promise<void>;
  private current: number;
  private stopped = false;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private readonly pool: pg.Pool;
  private readonly onAppended = () => this.wakeUp();

  constructor(private readonly options: PollingSubscriptionOptions) {
    this.current = options.fromPosition;
    // Its own connection, so a subscription never waits behind the writers' pool.
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: 1,
      application_name: 'xuncha-subscription',
    });
    this.pool.on('error', () => undefined);
    options.wake.on('appended', this.onAppended);
    this.done = this.run().finally(async () => {
      options.wake.off('appended', this.onAppended);
      await this.pool.end().catch(() => undefined);
    });
  }

  get position(): number {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let backoff = 50;
    while (!this.stopped) {
      let batch: RecordedEvent[];
      try {
        batch = await readAllFrom(this.pool, this.options.schema, this.current, this.options.batchSize);
        backoff = 50;
      } catch (error) {
        if (this.stopped) return;
        this.options.onReadError?.(error);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      if (batch.length === 0) {
        await this.sleep(this.options.pollIntervalMs);
        continue;
      }
      await this.options.handler(batch);
      this.current = batch[batch.length - 1].position;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const timer = setTimeout(() => {
        this.sleeper = null;
        resolve();
      }, ms);
      this.sleeper = { timer, resolve };
    });
  }

  private wakeUp(): void {
    if (!this.sleeper) return;
    clearTimeout(this.sleeper.timer);
    const { resolve } = this.sleeper;
    this.sleeper = null;
    resolve();
  }
}
