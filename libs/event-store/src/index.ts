export * from './types.js';
export { canonicalJson, contentDigest, eventHash, GENESIS_HASH } from './hashing.js';
export { PgEventStore, type PgEventStoreOptions } from './postgres/pg-event-store.js';
export { grantEventStoreAccess, migrateEventStore, type MigrateEventStoreOptions } from './postgres/migrate.js';
