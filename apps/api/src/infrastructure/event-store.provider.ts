import type { Provider } from '@nestjs/common';
import { currentSchemaVersion, upcast } from '@app/domain';
import pg from 'pg';
import {
  EsdbEventStore,
  PgEventStore,
  withUpcasting,
  type EventStore,
  type RecordedEvent,
  type SqlStatement,
} from '@app/event-store';
import type { AppConfig, DatabaseHandle } from '@app/database';
import { APP_CONFIG, DATABASE, EVENT_STORE } from './tokens.js';

/**
 * The one place that picks the event store adapter (EVENT_STORE=postgres|esdb); everything else
 * depends on the `EventStore` port. Read models stay in PostgreSQL either way.
 */
export async function openEventStore(config: AppConfig, database: DatabaseHandle): Promise<EventStore> {
  const store =
    config.eventStore === 'esdb'
      ? await EsdbEventStore.open({
          connectionString: config.eventStoreConnectionString!,
          namespace: config.eventStoreNamespace,
          // The vault rows an append cites live in the app's PostgreSQL, written just before the events.
          runAlongside: (statements) => runInTransaction(database.url, statements),
        })
      : await PgEventStore.open({ connectionString: database.url });
  return withDomainUpcasting(store);
}

/**
 * Every reader sees each event type in its current shape (the domain's upcasters, old → new on read;
 * the log itself is never rewritten), and every append records the shape version it was written in.
 */
export function withDomainUpcasting<S extends EventStore>(store: S): S {
  return withUpcasting(store, upcastEvent, (type) => {
    const version = currentSchemaVersion(type);
    return version > 1 ? { schemaVersion: version } : {};
  });
}

export function upcastEvent(event: RecordedEvent): RecordedEvent {
  const stored = event.metadata.schemaVersion;
  const data = upcast(event.type, event.data, typeof stored === 'number' ? stored : undefined);
  return data === event.data ? event : { ...event, data };
}

/** The statements in one transaction on a connection of their own (they are few and rare: a lead's vault rows). */
async function runInTransaction(url: string, statements: SqlStatement[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const statement of statements) await client.query(statement.text, statement.values);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const eventStoreProvider: Provider = {
  provide: EVENT_STORE,
  inject: [APP_CONFIG, DATABASE],
  useFactory: (config: AppConfig, database: DatabaseHandle) => openEventStore(config, database),
};
