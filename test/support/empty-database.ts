import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** The server the e2e tests make their databases on (the machine's PostgreSQL unless SYSTEM_TEST_DATABASE_URL). */
export const systemTestDatabase = (): URL =>
  new URL(process.env.SYSTEM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');

export interface EmptyDatabase {
  name: string;
  url: string;
  /** Drops it, ending whatever sessions it still has. */
  drop(): Promise<void>;
}

/** A new, empty database on the test server (no roles of its own, owned by the server's superuser). */
export async function emptyDatabase(prefix = 'xuncha_e2e'): Promise<EmptyDatabase> {
  const base = systemTestDatabase();
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: base.href });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(base.href);
  url.pathname = `/${name}`;
  return { name, url: url.href, drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** The rows of one statement, on a connection of its own. */
export async function rowsOf<T extends pg.QueryResultRow>(url: string, sql: string, values?: unknown[]): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, values)).rows;
  } finally {
    await c.end();
  }
}
