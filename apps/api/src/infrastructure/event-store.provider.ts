import type { Provider } from '@nestjs/common';
import { EsdbEventStore, PgEventStore, type EventStore } from '@app/event-store';
import type { AppConfig, DatabaseHandle } from '@app/database';
import { APP_CONFIG, DATABASE, EVENT_STORE } from './tokens.js';

/**
 * The one place that picks the event store adapter (EVENT_STORE=postgres|esdb); everything else
 * depends on the `EventStore` port. Read models stay in PostgreSQL either way.
 */
export async function openEventStore(config: AppConfig, database: DatabaseHandle): Promise<EventStore> {
  if (config.eventStore === 'esdb') {
    return EsdbEventStore.open({
      connectionString: config.eventStoreConnectionString!,
      namespace: config.eventStoreNamespace,
    });
  }
  return PgEventStore.open({ connectionString: database.url });
}

export const eventStoreProvider: Provider = {
  provide: EVENT_STORE,
  inject: [APP_CONFIG, DATABASE],
  useFactory: (config: AppConfig, database: DatabaseHandle) => openEventStore(config, database),
};
