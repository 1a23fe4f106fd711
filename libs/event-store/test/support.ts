import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PgEventStore, type NewEvent } from '@app/event-store';

export const actor = { id: 'u-1', username: 'tester', role: 'inspector' };

export function ev(type: string, data: unknown = {}, extra: Partial<NewEvent> = {}): NewEvent {
  return { type, data, metadata: { actor }, ...extra };
}

/** The databases every contract test runs against: the embedded server (started by the jest
 * global setup) and the system PostgreSQL. */
export function contractDatabases(): [string, string][] {
  const dbs: [string, string][] = [];
  if (process.env.EMBEDDED_TEST_DATABASE_URL) dbs.push(['embedded PostgreSQL', process.env.EMBEDDED_TEST_DATABASE_URL]);
  dbs.push(['system PostgreSQL', process.env.SYSTEM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test']);
  return dbs;
}

export interface StoreFixture {
  store: PgEventStore;
  schema: string;
  admin: pg.Client;
  close(): Promise<void>;
}

/** A store in a schema of its own, dropped afterwards; `admin` is a privileged connection. */
export async function openStore(url: string, pollIntervalMs = 25): Promise<StoreFixture> {
  const schema = `es_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const store = await PgEventStore.open({ connectionString: url, schema, pollIntervalMs, poolSize: 16 });
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  return {
    store,
    schema,
    admin,
    async close() {
      await store.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

export function waitFor(predicate: () => boolean, timeoutMs = 20000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

export const newId = () => randomUUID();
