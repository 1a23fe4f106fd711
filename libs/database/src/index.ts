export {
  BACKUP_NEEDS_POSTGRES_LOG,
  ConfigError,
  LOG_LEVELS,
  databaseMode,
  loadConfig,
  redactDatabaseUrl,
} from './config.js';
export type { AppConfig, LogLevel } from './config.js';
export {
  APP_ROLE,
  DataDirInUseError,
  OWNER_ROLE,
  EMBEDDED_DATABASE,
  EMBEDDED_HOST,
  normaliseOwnershipSql,
  releaseLibrarySignalHooks,
  startEmbeddedPostgres,
} from './embedded-postgres.js';
export type { EmbeddedPostgresHandle, EmbeddedPostgresOptions } from './embedded-postgres.js';
export { createPool, openDatabase } from './bootstrap.js';
export type { BootstrapLogger, CreatePoolOptions, DatabaseHandle } from './bootstrap.js';
export { installShutdownHandlers } from './shutdown.js';
export type { ShutdownOptions, StopFn } from './shutdown.js';
export {
  RESTORE_MARKER_FILE,
  RESTORE_MARKER_TABLE,
  RestorePendingError,
  assertNoRestoreMarkerFile,
  assertNoRestoreMarkerTable,
} from './restore-marker.js';
