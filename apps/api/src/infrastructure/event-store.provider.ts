import type { Provider } from '@nestjs/common';
import { PgEventStore } from '@app/event-store';
import type { DatabaseHandle } from '@app/database';
import { DATABASE, EVENT_STORE } from './tokens.js';

export const eventStoreProvider: Provider = {
  provide: EVENT_STORE,
  inject: [DATABASE],
  useFactory: (database: DatabaseHandle) => PgEventStore.open({ connectionString: database.url }),
};
