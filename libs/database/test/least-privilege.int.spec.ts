import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { migrateEventStore, PgEventStore, type NewEvent } from '@app/event-store';
import { Projector, readModels, READ_MODELS_VERSION, rebuildReadModels, readCheckpoint } from '@app/projections';
import { openDatabase, type DatabaseHandle } from '../src/bootstrap.js';
import { startEmbeddedPostgres } from '../src/embedded-postgres.js';
import { loadConfig } from '../src/config.js';
import { killServersAndRemove, makeTempRoot } from './helpers.js';

/**
 * In embedded mode the app connects as xuncha_app, which owns nothing of the event store: the log's triggers then
 * bind it, and it cannot get around them (disable them, replicate, truncate, alter). It appends through es_append,
 * a SECURITY DEFINER function of xuncha_owner, which ran the migrations.
 */
const TIMEOUT = 120_000;
let root: string;
let db: DatabaseHandle;
let app: pg.Client;

const actor = { id: 'u-1', username: 'inspector.li', role: 'inspector' };
const event = (name: string): NewEvent => ({
  type: 'DepartmentRegistered',
  data: { departmentId: randomUUID(), name, kind: 'bureau', occurredAt: new Date().toISOString() },
  metadata: { actor },
});

beforeAll(async () => {
  root = await makeTempRoot('xuncha-roles-');
  db = await openDatabase(loadConfig({ DATA_DIR: path.join(root, 'data') }), {
    log: () => undefined,
    warn: () => undefined,
  });
  app = new pg.Client({ connectionString: db.url });
  await app.connect();
}, TIMEOUT);

afterAll(async () => {
  await app?.end();
  await db?.stop();
  await killServersAndRemove(root);
}, TIMEOUT);

test(
  'the app role appends through es_append and seals; the chain verifies',
  async () => {
    expect(
      (await app.query('select current_user as me, usesuper from pg_user where usename = current_user')).rows,
    ).toEqual([{ me: 'xuncha_app', usesuper: false }]);
    const store = await PgEventStore.open({ connectionString: db.url });
    try {
      const appended = await store.appendToStream(
        `department-${randomUUID()}`,
        [event('区民政局'), event('区教育局')],
        {
          expectedRevision: 'no_stream',
        },
      );
      expect(appended.nextRevision).toBe(2);
      await store.seal();
      expect((await store.verifyAll()).ok).toBe(true);
    } finally {
      await store.close();
    }
  },
  TIMEOUT,
);

test.each([
  ['UPDATE', "UPDATE event_store.es_events SET type = 'Forged'"],
  ['DELETE', 'DELETE FROM event_store.es_events'],
  ['TRUNCATE', 'TRUNCATE event_store.es_events'],
  ['DELETE of seals', 'DELETE FROM event_store.es_seals'],
  ['INSERT bypassing es_append', 'INSERT INTO event_store.es_events SELECT * FROM event_store.es_events LIMIT 1'],
  ['DISABLE TRIGGER', 'ALTER TABLE event_store.es_events DISABLE TRIGGER es_events_append_only'],
  ['DISABLE TRIGGER ALL', 'ALTER TABLE event_store.es_events DISABLE TRIGGER ALL'],
  ['session_replication_role', 'SET session_replication_role = replica'],
  ['ALTER FUNCTION', 'ALTER FUNCTION event_store.es_append(text, text, jsonb, bytea) SECURITY INVOKER'],
  ['DROP TABLE', 'DROP TABLE event_store.es_events'],
  ['CREATE in the store schema', 'CREATE TABLE event_store.shadow (x int)'],
  ['setval on the positions', "SELECT setval('event_store.es_position_seq', 1)"],
])(
  'the app role is refused: %s',
  async (_what, sql) => {
    await expect(app.query(sql)).rejects.toMatchObject({ code: expect.stringMatching(/^42501$/) });
    // Nothing changed.
    const { rows } = await app.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM event_store.es_events WHERE type = 'Forged'",
    );
    expect(rows[0].n).toBe(0);
  },
  TIMEOUT,
);

test(
  'the app role owns no object of the event store; the owner does',
  async () => {
    const { rows } = await app.query<{ owner: string; n: number }>(`
    SELECT pg_get_userbyid(owner) AS owner, count(*)::int AS n FROM (
      SELECT nspowner AS owner FROM pg_namespace WHERE nspname = 'event_store'
      UNION ALL SELECT relowner FROM pg_class WHERE relnamespace = 'event_store'::regnamespace
      UNION ALL SELECT proowner FROM pg_proc WHERE pronamespace = 'event_store'::regnamespace) o
    GROUP BY 1`);
    expect(rows).toEqual([{ owner: 'xuncha_owner', n: expect.any(Number) }]);
    const { rows: fn } = await app.query<{ prosecdef: boolean; proconfig: string[] }>(
      "SELECT prosecdef, proconfig FROM pg_proc WHERE oid = 'event_store.es_append(text, text, jsonb, bytea)'::regprocedure",
    );
    expect(fn).toEqual([{ prosecdef: true, proconfig: ['search_path=pg_catalog, pg_temp'] }]);
    const { rows: imp } = await app.query<{ prosecdef: boolean; proconfig: string[] }>(
      "SELECT prosecdef, proconfig FROM pg_proc WHERE oid = 'event_store.es_import(jsonb, bytea)'::regprocedure",
    );
    expect(imp).toEqual([{ prosecdef: true, proconfig: ['search_path=pg_catalog, pg_temp'] }]);
  },
  TIMEOUT,
);

test(
  'the app role imports a handed-over chain only through es_import, which refuses a link that does not follow',
  async () => {
    const streamId = `department-${randomUUID()}`;
    const imported = (revision: number, hash: string) => ({
      streamId,
      revision,
      id: randomUUID(),
      type: 'DepartmentRegistered',
      data: { name: '区审计局' },
      metadata: {},
      occurredAt: null,
      recordedAt: '2024-09-01T08:00:00.000Z',
      hash,
    });
    const call = (events: unknown[]) =>
      app.query('SELECT * FROM event_store.es_import($1::jsonb, $2::bytea)', [
        JSON.stringify(events),
        Buffer.alloc(32 * events.length),
      ]);
    // Not revision 1 of a new stream, and a hash that is not the chain's: both ES003, nothing written.
    await expect(call([imported(2, 'ab'.repeat(32))])).rejects.toMatchObject({ code: 'ES003' });
    await expect(call([imported(1, 'ab'.repeat(32))])).rejects.toMatchObject({ code: 'ES003' });
    const { rows } = await app.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM event_store.es_events WHERE stream_id = $1',
      [streamId],
    );
    expect(rows[0].n).toBe(0);
  },
  TIMEOUT,
);

test(
  'the owner migrates (idempotently, and a new schema from scratch) and grants the app role its rights',
  async () => {
    expect(await migrateEventStore({ connectionString: db.ownerUrl!, grantTo: 'xuncha_app' })).toEqual([]);
    expect(
      await migrateEventStore({ connectionString: db.ownerUrl!, schema: 'es_probe', grantTo: 'xuncha_app' }),
    ).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // The app role opens a store the owner migrated (no DDL needed) and appends to it, yet cannot change it.
    const store = await PgEventStore.open({ connectionString: db.url, schema: 'es_probe' });
    try {
      const r = await store.appendToStream(`department-${randomUUID()}`, [event('区财政局')]);
      expect(r.nextRevision).toBe(1);
      await expect(app.query('DELETE FROM es_probe.es_events')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await store.close();
    }
  },
  TIMEOUT,
);

test(
  'the app role runs the projector and rebuilds the read models with the schema swap',
  async () => {
    const store = await PgEventStore.open({ connectionString: db.url });
    const projector = new Projector({ store, connectionString: db.url, readModels, version: READ_MODELS_VERSION });
    try {
      const rebuild = (): Promise<unknown> =>
        rebuildReadModels({ store, connectionString: db.url, readModels, version: READ_MODELS_VERSION });
      await projector.prepare(async () => undefined);
      const head = await store.headPosition();
      // Twice: the second swaps a fresh rm_next in for the rm the first one made.
      await rebuild();
      await rebuild();
      const checkpoint = await readCheckpoint(app, 'rm');
      expect(checkpoint).toMatchObject({ version: READ_MODELS_VERSION });
      expect(Number(checkpoint!.position)).toBeGreaterThanOrEqual(head);
      const { rows } = await app.query<{ n: number }>('SELECT count(*)::int AS n FROM rm.departments');
      expect(rows[0].n).toBeGreaterThanOrEqual(2);
    } finally {
      await projector.close();
      await store.close();
    }
  },
  TIMEOUT,
);

test(
  'a data folder from before the roles (everything owned by the superuser) is handed to them at start',
  async () => {
    const dataDir = path.join(root, 'old');
    const old = await startEmbeddedPostgres({ dataDir });
    const su = new pg.Client({ connectionString: old.url });
    await su.connect();
    try {
      // What an older version left: the store, a read model and an app table, all made as "postgres".
      await su.query('REVOKE ALL ON DATABASE xuncha FROM xuncha_app');
      await su.query('ALTER DATABASE xuncha OWNER TO postgres');
      const store = await PgEventStore.open({ connectionString: old.url });
      await store.appendToStream(`department-${randomUUID()}`, [event('区民政局')]);
      await store.close();
      await su.query('CREATE SCHEMA rm; CREATE TABLE rm.notes (id serial PRIMARY KEY, body text)');
      await su.query('CREATE TABLE public.users_old (id int PRIMARY KEY)');
    } finally {
      await su.end();
      await old.stop();
    }

    const upgraded = await openDatabase(loadConfig({ DATA_DIR: dataDir }), {
      log: () => undefined,
      warn: () => undefined,
    });
    const client = new pg.Client({ connectionString: upgraded.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; owner: string }>(`
      SELECT c.oid::regclass::text AS name, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
       WHERE c.oid::regclass::text IN ('event_store.es_events', 'event_store.es_seals', 'rm.notes', 'users_old')
       ORDER BY 1`);
      expect(rows).toEqual([
        { name: 'event_store.es_events', owner: 'xuncha_owner' },
        { name: 'event_store.es_seals', owner: 'xuncha_owner' },
        { name: 'rm.notes', owner: 'xuncha_app' },
        { name: 'users_old', owner: 'xuncha_app' },
      ]);
      await client.query("INSERT INTO rm.notes (body) VALUES ('可写')");
      await expect(client.query('DELETE FROM event_store.es_events')).rejects.toMatchObject({ code: '42501' });
      const store = await PgEventStore.open({ connectionString: upgraded.url });
      try {
        await store.appendToStream(`department-${randomUUID()}`, [event('区教育局')]);
        expect(await store.headPosition()).toBe(2);
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
      await upgraded.stop();
    }
  },
  TIMEOUT,
);
