import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  EsdbEventStore,
  InMemoryEventStore,
  PgEventStore,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '@app/event-store';

export const actor = { id: 'u-1', username: 'tester', role: 'inspector' };

export function ev(type: string, data: unknown = {}, extra: Partial<NewEvent> = {}): NewEvent {
  return { type, data, metadata: { actor }, ...extra };
}

/** PostgreSQL-only handles for the tests of what only that adapter has (visibility rule, triggers). */
export interface PgHandles {
  store: PgEventStore;
  schema: string;
  url: string;
  /** A privileged connection. */
  admin: pg.Client;
}

/** Changing history behind the store's back, the way someone with direct access to its storage could. */
export interface Tamperer {
  editData(streamId: string, revision: number, data: unknown): Promise<void>;
  editActorUsername(streamId: string, revision: number, username: string): Promise<void>;
  /** One revision, the revisions from one on, or (neither given) the whole stream. */
  deleteEvents(streamId: string, which?: { revision?: number; fromRevision?: number }): Promise<void>;
  swapRevisions(streamId: string, a: number, b: number): Promise<void>;
  insert(event: RecordedEvent): Promise<void>;
  decrementSealEventCount(): Promise<void>;
}

export interface StoreFixture {
  store: EventStore;
  pg?: PgHandles;
  tamper?: Tamperer;
  /** Drops the connections of the store's subscriptions; resolves to how many were dropped. */
  dropSubscriptionConnections?: () => Promise<number>;
  close(): Promise<void>;
}

export interface Adapter {
  name: string;
  /** PostgreSQL-only tests run only where this is set. */
  postgres: boolean;
  /** Whether a subscription has a connection a test can drop. */
  connections: boolean;
  /** Whether the tamper tests can reach the storage. */
  tamperable: boolean;
  /** Positions numbered 1, 2, 3 … (EventStoreDB's are log offsets: increasing, with gaps). */
  densePositions: boolean;
  open(pollIntervalMs?: number): Promise<StoreFixture>;
}

/** Every adapter the contract suite runs against. */
export function contractAdapters(): Adapter[] {
  const adapters: Adapter[] = [];
  if (process.env.EMBEDDED_TEST_DATABASE_URL)
    adapters.push(pgAdapter('embedded PostgreSQL', process.env.EMBEDDED_TEST_DATABASE_URL));
  adapters.push(
    pgAdapter('system PostgreSQL', process.env.SYSTEM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'),
  );
  adapters.push(memoryAdapter());
  const esdb = process.env.EVENTSTORE_CONNECTION_STRING ?? process.env.ESDB_TEST_CONNECTION_STRING;
  if (esdb) {
    const server = process.env.EVENTSTORE_CONNECTION_STRING ? 'EventStoreDB' : 'EventStoreDB test server';
    adapters.push(esdbAdapter(server, esdb, process.env.ESDB_TEST_SERVER_CONTROL));
  }
  return adapters;
}

/** `describe.each` rows: [name, adapter]. */
export const adapterRows = (adapters: Adapter[]): [string, Adapter][] => adapters.map((a) => [a.name, a]);

/** Registers a test only for the adapters that have what it needs; its name says so. */
export function itWhen(condition: boolean, name: string, fn: () => Promise<void>, timeout?: number): void {
  if (condition) it(name, fn, timeout);
}

function pgAdapter(name: string, url: string): Adapter {
  return {
    name,
    postgres: true,
    connections: true,
    tamperable: true,
    densePositions: true,
    open: (poll) => openStore(url, poll),
  };
}

/** Each fixture writes under a namespace of its own, so $all-wide checks see only its streams. */
function esdbAdapter(name: string, connectionString: string, control?: string): Adapter {
  return {
    name,
    postgres: false,
    connections: control !== undefined,
    tamperable: false,
    densePositions: false,
    async open() {
      const namespace = `t${randomUUID().replaceAll('-', '').slice(0, 10)}-`;
      const store = await EsdbEventStore.open({ connectionString, namespace });
      return {
        store,
        dropSubscriptionConnections: control
          ? async () => Number(await (await fetch(`${control}/drop-subscriptions`, { method: 'POST' })).text())
          : undefined,
        close: () => store.close(),
      };
    },
  };
}

function memoryAdapter(): Adapter {
  return {
    name: 'in-memory store',
    postgres: false,
    connections: false,
    tamperable: true,
    densePositions: true,
    async open() {
      const store = new InMemoryEventStore();
      const { log } = store;
      const find = (streamId: string, revision: number) => {
        const e = log.events.find((x) => x.streamId === streamId && x.revision === revision);
        if (!e) throw new Error(`no event ${streamId}@${revision}`);
        return e;
      };
      const tamper: Tamperer = {
        async editData(streamId, revision, data) {
          find(streamId, revision).data = data;
        },
        async editActorUsername(streamId, revision, username) {
          const e = find(streamId, revision);
          e.metadata = { ...e.metadata, actor: { ...e.metadata.actor, username } };
        },
        async deleteEvents(streamId, which = {}) {
          const hit = (r: number) =>
            which.revision !== undefined ? r === which.revision : r >= (which.fromRevision ?? 1);
          const keep = log.events.filter((e) => !(e.streamId === streamId && hit(e.revision)));
          log.events.splice(0, log.events.length, ...keep);
          log.reindex();
        },
        async swapRevisions(streamId, a, b) {
          const ea = find(streamId, a);
          const eb = find(streamId, b);
          [ea.revision, eb.revision] = [b, a];
          log.reindex();
        },
        async insert(event) {
          log.events.push(event);
          log.events.sort((x, y) => x.position - y.position);
          log.reindex();
        },
        async decrementSealEventCount() {
          for (const seal of log.seals) seal.eventCount -= 1;
        },
      };
      return { store, tamper, close: () => store.close() };
    },
  };
}

/** A PostgreSQL store in a schema of its own, dropped afterwards. */
export async function openStore(url: string, pollIntervalMs = 25): Promise<StoreFixture> {
  const schema = `es_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const store = await PgEventStore.open({ connectionString: url, schema, pollIntervalMs, poolSize: 16 });
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  // Someone with superuser rights bypasses the append-only triggers (session_replication_role = replica).
  const sql = async (text: string, params: unknown[] = []) => {
    await admin.query('SET session_replication_role = replica');
    try {
      await admin.query(text.replaceAll('$S.', `${schema}.`), params);
    } finally {
      await admin.query('SET session_replication_role = DEFAULT');
    }
  };
  const tamper: Tamperer = {
    editData: (s, revision, data) =>
      sql(`UPDATE $S.es_events SET data = $3 WHERE stream_id = $1 AND revision = $2`, [
        s,
        revision,
        JSON.stringify(data),
      ]),
    editActorUsername: (s, revision, username) =>
      sql(
        `UPDATE $S.es_events SET metadata = jsonb_set(metadata, '{actor,username}', to_jsonb($3::text))
          WHERE stream_id = $1 AND revision = $2`,
        [s, revision, username],
      ),
    deleteEvents: (s, which = {}) =>
      which.revision !== undefined
        ? sql(`DELETE FROM $S.es_events WHERE stream_id = $1 AND revision = $2`, [s, which.revision])
        : sql(`DELETE FROM $S.es_events WHERE stream_id = $1 AND revision >= $2`, [s, which.fromRevision ?? 1]),
    async swapRevisions(s, a, b) {
      await sql(
        `UPDATE $S.es_events SET revision = CASE revision WHEN $2::bigint THEN $3::bigint + 1000 ELSE $2::bigint + 1000 END
          WHERE stream_id = $1 AND revision IN ($2, $3)`,
        [s, a, b],
      );
      await sql(`UPDATE $S.es_events SET revision = revision - 1000 WHERE stream_id = $1 AND revision > 1000`, [s]);
    },
    insert: (e) =>
      sql(
        `INSERT INTO $S.es_events (position, transaction_id, stream_id, revision, id, type, data, metadata, recorded_at, prev_hash, hash)
         VALUES ($1, pg_current_xact_id(), $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          e.position,
          e.streamId,
          e.revision,
          e.id,
          e.type,
          JSON.stringify(e.data),
          e.metadata,
          e.recordedAt,
          Buffer.from(e.prevHash, 'hex'),
          Buffer.from(e.hash, 'hex'),
        ],
      ),
    decrementSealEventCount: () => sql(`UPDATE $S.es_seals SET event_count = event_count - 1`),
  };
  return {
    store,
    pg: { store, schema, url, admin },
    tamper,
    async dropSubscriptionConnections() {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'xuncha-subscription' AND datname = current_database()`,
      );
      return killed.rowCount ?? 0;
    },
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
