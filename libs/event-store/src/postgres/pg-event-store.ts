import { EventEmitter } from 'node:events';
import pg from 'pg';
import {
  EventIdConflictError,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SealResult,
  type SqlStatement,
  type SubscribeOptions,
  type Subscription,
  type VerifyReport,
} from '../types.js';
import { prepareEvents } from '../prepare.js';
import { adoptRestoredEvents, eventStoreMigrations, runMigrations } from './migrate.js';
import { PollingSubscription } from './subscription.js';
import { EVENT_COLUMNS, readAllFrom, toRecorded, visibleEvents, type EventRow } from './rows.js';
import { Integrity } from './integrity.js';
import { eventRowTypes } from './timestamps.js';

export interface PgEventStoreOptions {
  connectionString: string;
  /** Schema holding the store's tables; one place for every table name. */
  schema?: string;
  poolSize?: number;
  /** How often an idle subscription looks for new events (ms). */
  pollIntervalMs?: number;
}

interface AppendRow {
  next_revision: string;
  last_position: string;
  recorded_at: Date;
  already_appended: boolean;
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;
/** An 'any' append that loses a race on the stream's next revision is simply tried again (with jitter). */
const ANY_RETRIES = 50;

export class PgEventStore implements EventStore {
  readonly schema: string;
  readonly pool: pg.Pool;
  private readonly appended = new EventEmitter();
  private readonly subscriptions = new Set<PollingSubscription>();
  private readonly integrity: Integrity;

  private constructor(private readonly options: PgEventStoreOptions) {
    this.schema = options.schema ?? 'event_store';
    if (!SCHEMA.test(this.schema)) throw new Error(`Invalid event store schema name "${this.schema}"`);
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      application_name: 'xuncha-event-store',
      // While the server is down or restarting a query fails within seconds instead of queueing for ever.
      connectionTimeoutMillis: 5000,
    });
    this.pool.on('error', () => undefined); // an idle client dropped by the server is replaced on next use
    this.appended.setMaxListeners(0);
    this.integrity = new Integrity(this.pool, this.schema);
  }

  /** Connects and runs the store's migrations (idempotent). */
  static async open(options: PgEventStoreOptions): Promise<PgEventStore> {
    const store = new PgEventStore(options);
    try {
      await runMigrations(store.pool, store.schema, eventStoreMigrations(store.schema));
      await adoptRestoredEvents(store.pool, store.schema);
    } catch (error) {
      await store.pool.end();
      throw error;
    }
    return store;
  }

  async appendToStream(streamId: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    const prepared = prepareAppend(streamId, events, expected);
    for (let attempt = 0; ; attempt++) {
      try {
        const query = {
          name: `es_append_${this.schema}`,
          text: `SELECT * FROM ${this.schema}.es_append($1, $2, $3::jsonb, $4::bytea)`,
          values: prepared.values,
        };
        const alongside = options.alongside ?? [];
        // A failed append's connection is closed, never pooled again (pool.query and inTransaction release it with
        // the error): es_append's critical section holds a session-level advisory lock with no subtransaction
        // around it, and a connection that failed inside it would hold that lock until it is closed.
        const row = alongside.length
          ? await this.inTransaction(alongside, query)
          : (await this.pool.query<AppendRow>(query)).rows[0];
        const result: AppendResult = {
          nextRevision: Number(row.next_revision),
          position: Number(row.last_position),
          recordedAt: row.recorded_at,
          alreadyAppended: row.already_appended,
        };
        if (!result.alreadyAppended) this.appended.emit('appended', result.position);
        return result;
      } catch (error) {
        const e = error as pg.DatabaseError;
        if (e.code === 'ES001') throw new WrongExpectedRevisionError(streamId, expected, Number(e.detail));
        if (e.code === 'ES002') throw new EventIdConflictError(streamId);
        if (e.code === '23505' && e.constraint === 'es_events_stream_revision') {
          // Another append took the same revision between our read of the head and our insert.
          if (expected === 'any' && attempt < ANY_RETRIES) {
            await new Promise((r) => setTimeout(r, Math.random() * Math.min(attempt + 1, 10)));
            continue;
          }
          throw new WrongExpectedRevisionError(streamId, expected, await this.streamRevision(streamId));
        }
        // The same ids appended concurrently: the retry finds them and answers the original result.
        if (e.code === '23505' && e.constraint === 'es_events_id_key' && attempt < 1) continue;
        throw error;
      }
    }
  }

  /** The caller's statements and the append, committed together or not at all. */
  private async inTransaction(alongside: SqlStatement[], append: pg.QueryConfig): Promise<AppendRow> {
    const client = await this.pool.connect();
    const noop = () => undefined;
    client.on('error', noop); // a connection dropped mid-transaction fails the query below instead
    let failed = false;
    try {
      await client.query('BEGIN');
      // es_append must be the transaction's first write (its id orders the log's visibility).
      const { rows } = await client.query<AppendRow>(append);
      for (const statement of alongside) await client.query(statement.text, statement.values);
      await client.query('COMMIT');
      return rows[0];
    } catch (error) {
      failed = true;
      await client.query('ROLLBACK').catch(noop);
      throw error;
    } finally {
      client.off('error', noop);
      client.release(failed);
    }
  }

  async streamRevision(streamId: string): Promise<number> {
    const { rows } = await this.pool.query<{ revision: string }>(
      `SELECT revision FROM ${this.schema}.es_events WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1`,
      [streamId],
    );
    return rows.length ? Number(rows[0].revision) : 0;
  }

  async hasEvents(): Promise<boolean> {
    const { rows } = await this.pool.query<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${this.schema}.es_events) AS any`,
    );
    return rows[0].any;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>({
      name: `es_read_stream_${this.schema}`,
      text: `SELECT ${EVENT_COLUMNS} FROM ${this.schema}.es_events
              WHERE stream_id = $1 AND revision >= $2 AND revision <= $3
                AND ($4::timestamptz IS NULL OR recorded_at <= $4)
              ORDER BY revision`,
      values: [
        streamId,
        options.fromRevision ?? 1,
        options.toRevision ?? Number.MAX_SAFE_INTEGER,
        options.until ?? null,
      ],
      types: eventRowTypes,
    });
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return readAllFrom(this.pool, this.schema, options.fromPosition ?? 0, options.limit ?? 1000);
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>(
      `SELECT position FROM ${this.schema}.es_events
        WHERE ${visibleEvents(this.schema)}
        ORDER BY position DESC LIMIT 1`,
    );
    return rows.length ? Number(rows[0].position) : 0;
  }

  subscribeToAll(options: SubscribeOptions, handler: (batch: RecordedEvent[]) => Promise<void>): Subscription {
    const subscription = new PollingSubscription({
      connectionString: this.options.connectionString,
      schema: this.schema,
      fromPosition: options.fromPosition,
      batchSize: options.batchSize ?? 500,
      pollIntervalMs: this.options.pollIntervalMs ?? 25,
      onReadError: options.onReadError,
      wake: this.appended,
      handler,
    });
    this.subscriptions.add(subscription);
    void subscription.done.catch(() => undefined).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  verifyStream(streamId: string): Promise<VerifyReport> {
    return this.integrity.verify({ streamId });
  }

  verifyAll(options: { onProgress?: (eventsChecked: number, total: number) => void } = {}): Promise<VerifyReport> {
    return this.integrity.verify({ onProgress: options.onProgress });
  }

  seal(): Promise<SealResult> {
    return this.integrity.seal(() => this.headPosition());
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.pool.end();
  }
}

function prepareAppend(streamId: string, events: NewEvent[], expected: ExpectedRevision): { values: unknown[] } {
  const prepared = prepareEvents(streamId, events, expected);
  const parts = prepared.map(
    (e) =>
      `{"id":"${e.id}","type":${JSON.stringify(e.type)},"data":${e.dataJson},"metadata":${e.metadataJson},` +
      `"occurredAt":${e.occurredAt === null ? 'null' : `"${e.occurredAt}"`}}`,
  );
  return { values: [streamId, String(expected), `[${parts.join(',')}]`, Buffer.concat(prepared.map((e) => e.digest))] };
}
