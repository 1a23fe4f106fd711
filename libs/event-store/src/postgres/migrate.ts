import { readFileSync } from 'node:fs';
import type pg from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const files = ['001_event_store.sql', '002_append_in_one_insert.sql', '003_replay_check_on_failure.sql'];

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
        await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
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
