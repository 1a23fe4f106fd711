import type { Provider } from '@nestjs/common';
import { PgEventStore, type EventStore } from '@app/event-store';
import type { DatabaseHandle } from '@app/database';
import { DATABASE, EVENT_STORE } from './tokens.js';

/** The one place that picks the event store adapter; everything else depends on the `EventStore` port. */
export async function openEventStore(database: DatabaseHandle): Promise<EventStore> {
  return PgEventStore.open({ connectionString: database.url });
}

export const eventStoreProvider: Provider = {
  provide: EVENT_STORE,
  inject: [DATABASE],
  useFactory: (database: DatabaseHandle) => openEventStore(database),
};
