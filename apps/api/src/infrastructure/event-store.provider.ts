import type { Provider } from '@nestjs/common';
import { currentSchemaVersion, upcast } from '@app/domain';
import { PgEventStore, withUpcasting, type EventStore, type RecordedEvent } from '@app/event-store';
import type { DatabaseHandle } from '@app/database';
import { DATABASE, EVENT_STORE } from './tokens.js';

/** Brings one stored event up to the current shape of its type (the domain's `UPCAST_STEPS`). */
export function upcastEvent(event: RecordedEvent): RecordedEvent {
  const stored = event.metadata.schemaVersion;
  const data = upcast(event.type, event.data, typeof stored === 'number' ? stored : undefined);
  return data === event.data ? event : { ...event, data };
}

/** Every new event says which shape it was written in, so that a later version knows what to upcast. */
export const schemaVersionOf = (type: string) => ({ schemaVersion: currentSchemaVersion(type) });

/**
 * The one place that picks the event store adapter; everything else depends on the `EventStore` port.
 * Every read goes through the upcasters and every append is stamped with its schema version.
 */
export async function openEventStore(database: DatabaseHandle): Promise<EventStore> {
  const store = await PgEventStore.open({ connectionString: database.url });
  return withUpcasting<EventStore>(store, upcastEvent, schemaVersionOf);
}

export const eventStoreProvider: Provider = {
  provide: EVENT_STORE,
  inject: [DATABASE],
  useFactory: (database: DatabaseHandle) => openEventStore(database),
};
