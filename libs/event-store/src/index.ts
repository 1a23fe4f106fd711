export * from './types.js';
export { canonicalJson, chainHash, contentDigest, eventHash, GENESIS_HASH, sealHash } from './hashing.js';
export { PgEventStore, type PgEventStoreOptions } from './postgres/pg-event-store.js';
export { withUpcasting, type EventUpcaster } from './upcasting-store.js';
export { InMemoryEventStore, MemoryLog, type InMemoryEventStoreOptions } from './memory/memory-event-store.js';
export { prepareEvents, type PreparedEvent } from './prepare.js';
export { nextSeal, verifyLog, type SealHeads, type SealRecord } from './integrity.js';
export {
  adoptRestoredEvents,
  grantEventStoreAccess,
  migrateEventStore,
  type MigrateEventStoreOptions,
} from './postgres/migrate.js';
export { EsdbEventStore, toPosition, type EsdbEventStoreOptions } from './esdb/esdb-event-store.js';
