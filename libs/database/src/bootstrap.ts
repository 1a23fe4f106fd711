import pg from 'pg';
import type { Pool, PoolConfig } from 'pg';
import { databaseMode, redactDatabaseUrl, type AppConfig } from './config.js';
import { migrateEventStore } from '@app/event-store';
import { APP_ROLE, EMBEDDED_HOST, errorMessage, startEmbeddedPostgres } from './embedded-postgres.js';
import { assertNoRestoreMarkerFile, assertNoRestoreMarkerTable } from './restore-marker.js';

export interface DatabaseHandle {
  readonly mode: 'embedded' | 'external';
  /** What the app connects as: in embedded mode (or with DATABASE_OWNER_URL) a role that cannot change the log. */
  readonly url: string;
  /**
   * The owner of the event store's schema, which ran its migrations before this handle was returned. Absent when
   * only DATABASE_URL is given: the app then migrates and runs as that one user.
   */
  readonly ownerUrl?: string;
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
      // The app binds PORT only after the database is up: the server must not take it meanwhile.
      avoidPorts: [config.port],
      log: (msg) => log.debug?.(msg),
      warn: (msg) => (log.warn ? log.warn(msg) : log.log(msg)),
    });
    log.log(`Database: embedded PostgreSQL in ${server.pgDataDir} on ${EMBEDDED_HOST}:${server.port}`);
    try {
      await migrateEventStore({ connectionString: server.ownerUrl, grantTo: APP_ROLE });
    } catch (err) {
      await server.stop();
      throw err;
    }
    return { mode: 'embedded', url: server.appUrl, ownerUrl: server.ownerUrl, stop: () => server.stop() };
  }

  const url = config.databaseUrl;
  log.log(`Database: external PostgreSQL at ${redactDatabaseUrl(url)}`);
  await checkConnection(url, 'DATABASE_URL');
  const ownerUrl = config.databaseOwnerUrl;
  if (ownerUrl === undefined) {
    const warn = (msg: string) => (log.warn ? log.warn(msg) : log.log(msg));
    warn(
      "DATABASE_OWNER_URL is not set: the app migrates and runs as the DATABASE_URL user. The event log's " +
        'append-only triggers do not bind a superuser or the owner of its tables (they can disable them); set ' +
        'DATABASE_OWNER_URL to run migrations as the owner and the app as a role that cannot change the log.',
    );
    return { mode: 'external', url, stop: async () => undefined };
  }
  await checkConnection(ownerUrl, 'DATABASE_OWNER_URL');
  const appRole = await currentUser(url);
  try {
    await migrateEventStore({ connectionString: ownerUrl, grantTo: appRole });
  } catch (err) {
    throw new Error(
      `Migrating the event store as DATABASE_OWNER_URL (${redactDatabaseUrl(ownerUrl)}): ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
  return { mode: 'external', url, ownerUrl, stop: async () => undefined };
}

async function currentUser(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ me: string }>('select current_user as me');
    return rows[0].me;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkConnection(url: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A connection dropped after a failed query would otherwise surface as an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new Error(`Cannot connect to the database in ${name} (${redactDatabaseUrl(url)}): ${errorMessage(err)}`, {
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
