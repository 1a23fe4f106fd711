import pg from 'pg';
import type { Pool, PoolConfig } from 'pg';
import { databaseMode, redactDatabaseUrl, type AppConfig } from './config.js';
import { EMBEDDED_HOST, errorMessage, startEmbeddedPostgres } from './embedded-postgres.js';
import { assertNoRestoreMarkerFile, assertNoRestoreMarkerTable } from './restore-marker.js';

export interface DatabaseHandle {
  readonly mode: 'embedded' | 'external';
  readonly url: string;
  /** Stops the embedded server; nothing to do for an external one. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface BootstrapLogger {
  log(msg: string): void;
  debug?(msg: string): void;
  warn?(msg: string): void;
}

const CONNECT_TIMEOUT_MS = 10_000;

export async function openDatabase(config: AppConfig, log: BootstrapLogger): Promise<DatabaseHandle> {
  if (databaseMode(config) === 'embedded' || config.databaseUrl === undefined) {
    await assertNoRestoreMarkerFile(config.dataDir);
    const server = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      log: (msg) => log.debug?.(msg),
      warn: (msg) => (log.warn ? log.warn(msg) : log.log(msg)),
    });
    log.log(`Database: embedded PostgreSQL in ${server.pgDataDir} on ${EMBEDDED_HOST}:${server.port}`);
    return { mode: 'embedded', url: server.url, stop: () => server.stop() };
  }

  const url = config.databaseUrl;
  log.log(`Database: external PostgreSQL at ${redactDatabaseUrl(url)}`);
  await checkConnection(url);
  return { mode: 'external', url, stop: async () => undefined };
}

async function checkConnection(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A connection dropped after a failed query would otherwise surface as an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new Error(`Cannot connect to the database in DATABASE_URL (${redactDatabaseUrl(url)}): ${errorMessage(err)}`, {
      cause: err,
    });
  }
  try {
    await assertNoRestoreMarkerTable(client, `The database at ${redactDatabaseUrl(url)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface CreatePoolOptions extends Omit<PoolConfig, 'connectionString'> {
  /** Errors of idle clients, e.g. when the server shuts down; ignored by default. */
  onIdleError?: (err: Error) => void;
}

export function createPool(url: string, opts: CreatePoolOptions = {}): Pool {
  const { onIdleError, ...config } = opts;
  const pool = new pg.Pool({ ...config, connectionString: url });
  // Without a listener, an idle client losing its server (normal during shutdown) crashes the process.
  pool.on('error', onIdleError ?? (() => undefined));
  return pool;
}
