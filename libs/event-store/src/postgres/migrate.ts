import { readFileSync } from 'node:fs';
import pg from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const files = [
  '001_event_store.sql',
  '002_append_in_one_insert.sql',
  '003_replay_check_on_failure.sql',
  '004_least_privilege.sql',
  '005_restored_horizon.sql',
  '006_import_chained.sql',
  '007_append_without_subtransactions.sql',
];

export function eventStoreMigrations(schema: string): Migration[] {
  return files.map((file) => ({
    version: Number(file.slice(0, 3)),
    name: file.replace(/\.sql$/, ''),
    sql: readFileSync(new URL(`./sql/${file}`, import.meta.url), 'utf8').replaceAll('{{schema}}', schema),
  }));
}

/**
 * Applies the migrations not yet recorded, each in its own transaction, under an advisory lock so
 * that two processes starting at once do not both apply them. Running it again changes nothing.
 */
export async function runMigrations(pool: pg.Pool, schema: string, migrations: Migration[]): Promise<number[]> {
  // Up to date: nothing to lock or create. This is also what lets a role without DDL rights (the app role, when the
  // owner ran the migrations) open the store.
  if (await upToDate(pool, schema, migrations)) return [];
  const client = await pool.connect();
  const ignore = () => undefined; // a dropped connection fails the query in flight, which is reported
  client.on('error', ignore);
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`${schema}.migrations`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations`);
    const done = new Set(rows.map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [
          m.version,
          m.name,
        ]);
        await client.query('COMMIT');
        applied.push(m.version);
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${schema}/${m.name} failed: ${(error as Error).message}`, { cause: error });
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`${schema}.migrations`]).catch(() => undefined);
    client.off('error', ignore);
    client.release();
  }
  return applied;
}

async function upToDate(pool: pg.Pool, schema: string, migrations: Migration[]): Promise<boolean> {
  const table = `${schema}.schema_migrations`;
  const { rows: found } = await pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
  if (found[0]?.t == null) return false;
  const { rows } = await pool.query<{ version: number }>(`SELECT version FROM ${table}`);
  const done = new Set(rows.map((r) => r.version));
  return migrations.every((m) => done.has(m.version));
}

/**
 * What the application role may do in the store's schema: read the log and the seals, add seals, append through
 * es_append (SECURITY DEFINER, see 004_least_privilege.sql), import a handed-over log through es_import (005).
 * No UPDATE, DELETE, TRUNCATE or direct INSERT on the log,
 * and no ownership, so it can neither disable a trigger nor alter a table. Run by the owner; idempotent.
 */
export async function grantEventStoreAccess(
  client: pg.ClientBase | pg.Pool,
  schema: string,
  role: string,
): Promise<void> {
  const r = pg.escapeIdentifier(role);
  await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${r}`);
  await client.query(`GRANT SELECT ON ${schema}.es_events, ${schema}.schema_migrations, ${schema}.es_horizon TO ${r}`);
  await client.query(`GRANT SELECT, INSERT ON ${schema}.es_seals TO ${r}`);
  // Reading the position sequence (not advancing it) is what lets the app's scheduled pg_dump include it.
  await client.query(`GRANT SELECT ON SEQUENCE ${schema}.es_position_seq TO ${r}`);
  await client.query(`GRANT EXECUTE ON FUNCTION ${schema}.es_append(text, text, jsonb, bytea) TO ${r}`);
  await client.query(`GRANT EXECUTE ON FUNCTION ${schema}.es_adopt_restored() TO ${r}`);
  await client.query(`GRANT EXECUTE ON FUNCTION ${schema}.es_import(jsonb, bytea) TO ${r}`);
}

/**
 * Lets readers see events restored from another PostgreSQL cluster (see 005_restored_horizon.sql). Idempotent and
 * cheap when there is nothing to adopt. PgEventStore.open runs it, the one way every reader reaches the log, and
 * the app role may call it (SECURITY DEFINER), so migrating need not.
 */
export async function adoptRestoredEvents(client: pg.ClientBase | pg.Pool, schema: string): Promise<number> {
  const { rows } = await client.query<{ horizon: string }>(`SELECT ${schema}.es_adopt_restored() AS horizon`);
  return Number(rows[0].horizon);
}

export interface MigrateEventStoreOptions {
  /** A connection as the role that owns (or is to own) the store's schema. */
  connectionString: string;
  schema?: string;
  /** The application's role, granted what grantEventStoreAccess lists; nothing when it is the owner itself. */
  grantTo?: string;
}

/** Applies the store's migrations as the owner and grants the application role its rights. Returns what ran. */
export async function migrateEventStore(options: MigrateEventStoreOptions): Promise<number[]> {
  const schema = options.schema ?? 'event_store';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`Invalid event store schema name "${schema}"`);
  const pool = new pg.Pool({ connectionString: options.connectionString, max: 1 });
  pool.on('error', () => undefined);
  try {
    const applied = await runMigrations(pool, schema, eventStoreMigrations(schema));
    if (options.grantTo !== undefined) {
      const { rows } = await pool.query<{ me: string }>('SELECT current_user AS me');
      if (rows[0]?.me !== options.grantTo) await grantEventStoreAccess(pool, schema, options.grantTo);
    }
    return applied;
  } finally {
    await pool.end();
  }
}
