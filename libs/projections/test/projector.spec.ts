import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PgEventStore, type NewEvent, type RecordedEvent } from '@app/event-store';
import { Projector, rebuildReadModels, readCheckpoint, readModels, type ReadModel } from '@app/projections';
import { loadRows, upsertRows, type Row, type TableSpec } from '../src/read-models/sql.js';
import { materialize, planWorld, Rng } from '../bench/generate.js';

/** A row per stream with a number: the table of the read models these tests define for one failure or another. */
const spec: TableSpec = {
  name: 'stream_rows',
  key: ['id'],
  columns: [
    ['id', 'text'],
    ['n', 'int'],
  ],
};

const url = process.env.SYSTEM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const actor = { id: 'u', username: 'tester', role: 'inspector' };
const ev = (type: string, data: unknown = {}): NewEvent => ({ type, data, metadata: { actor } });

/** Counts events per type and remembers each stream's last revision: double or missed application shows. */
function countingModel(hooks: { beforeWrite?: (events: readonly RecordedEvent[]) => Promise<void> } = {}): ReadModel {
  return {
    name: 'counting',
    ddl: (s) => `CREATE TABLE ${s}.type_counts (type text PRIMARY KEY, n int NOT NULL);
                 CREATE TABLE ${s}.stream_heads (stream_id text PRIMARY KEY, revision int NOT NULL, events int NOT NULL);`,
    async applyBatch(events, db, s) {
      if (events.some((e) => e.type === 'Poison')) throw new Error('cannot project Poison');
      const counts = new Map<string, number>();
      const heads = new Map<string, [number, number]>();
      for (const e of events) {
        counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
        const h = heads.get(e.streamId) ?? [0, 0];
        heads.set(e.streamId, [e.revision, h[1] + 1]);
      }
      await hooks.beforeWrite?.(events);
      await db.query(
        `INSERT INTO ${s}.type_counts (type, n) SELECT * FROM unnest($1::text[], $2::int[]) ON CONFLICT (type) DO UPDATE SET n = type_counts.n + EXCLUDED.n`,
        [[...counts.keys()], [...counts.values()]],
      );
      await db.query(
        `INSERT INTO ${s}.stream_heads (stream_id, revision, events) SELECT * FROM unnest($1::text[], $2::int[], $3::int[])
         ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision, events = stream_heads.events + EXCLUDED.events`,
        [[...heads.keys()], [...heads.values()].map((h) => h[0]), [...heads.values()].map((h) => h[1])],
      );
    },
  };
}

async function figures(db: pg.Client, schema: string) {
  const counts = await db.query(`SELECT type, n FROM ${schema}.type_counts ORDER BY type`);
  const heads = await db.query(`SELECT stream_id, revision, events FROM ${schema}.stream_heads ORDER BY stream_id`);
  return { counts: counts.rows, heads: heads.rows };
}

async function waitFor(check: () => Promise<boolean>, ms = 30000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('projector', () => {
  let store: PgEventStore;
  let admin: pg.Client;
  let esSchema: string;
  const schemas: string[] = [];
  const rmSchema = () => {
    const s = `rm_t_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    schemas.push(s, `${s}_next`, `${s}_old`);
    return s;
  };

  beforeAll(async () => {
    esSchema = `es_p_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
    store = await PgEventStore.open({ connectionString: url, schema: esSchema });
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(async () => {
    await store.close();
    for (const s of [esSchema, ...schemas]) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await admin.end();
  });

  async function writeManyTo(target: PgEventStore, streams: number, perStream: number, type = 'Tick') {
    await Promise.all(
      Array.from({ length: streams }, async (_, i) => {
        const s = `s${i}-${randomUUID()}`;
        for (let r = 0; r < perStream; r++) await target.appendToStream(s, [ev(type, { r })]);
      }),
    );
  }
  const writeMany = (streams: number, perStream: number, type = 'Tick') => writeManyTo(store, streams, perStream, type);

  function projector(schema: string, model: ReadModel, batchSize = 50) {
    return new Projector({ store, connectionString: url, readModels: [model], version: 1, schema, batchSize });
  }

  const atHead = (p: Projector) => async () => p.status().position >= (await store.headPosition());

  it('applies every event exactly once and moves its checkpoint in the same transaction', async () => {
    const schema = rmSchema();
    const p = projector(schema, countingModel());
    await p.prepare(async () => undefined);
    p.start();
    await writeMany(4, 50);
    await waitFor(atHead(p));
    await p.close();
    const all = await store.readAll({ fromPosition: 0, limit: 100000 });
    const f = await figures(admin, schema);
    expect(f.counts).toEqual([{ type: 'Tick', n: all.length }]);
    expect(f.heads.every((h) => h.revision === 50 && h.events === 50)).toBe(true);
    expect((await readCheckpoint(admin, schema))!.position).toBe(all[all.length - 1].position);
  });

  it('records an event that makes a read model throw in dead_letters and goes on', async () => {
    const schema = rmSchema();
    const from = await store.headPosition();
    const p = projector(schema, countingModel());
    await p.prepare(async () => undefined);
    p.start();
    await store.appendToStream(`x-${randomUUID()}`, [ev('Good'), ev('Poison', { bad: true }), ev('Good')]);
    await waitFor(atHead(p));
    await p.close();
    const letters = await admin.query(`SELECT type, error, position FROM ${schema}.dead_letters`);
    expect(letters.rows).toHaveLength(1);
    expect(letters.rows[0].type).toBe('Poison');
    expect(letters.rows[0].error).toMatch(/cannot project Poison/);
    expect(Number(letters.rows[0].position)).toBeGreaterThan(from);
    const counts = (await figures(admin, schema)).counts;
    expect(counts.find((c) => c.type === 'Good')!.n).toBe(2);
    expect(p.status().deadLetters).toBe(1);
  });

  it('after a crash in the middle of a batch, gives the same figures as an uninterrupted run', async () => {
    await writeMany(6, 40);
    const crashed = rmSchema();
    let stalls = 2;
    const slow = countingModel({
      beforeWrite: async () => {
        if (stalls-- > 0) {
          // Kill the projector's connections while its batch transaction is open.
          await admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'xuncha-projector%' AND datname = current_database() AND pid <> pg_backend_pid()`,
          );
        }
      },
    });
    const p = projector(crashed, slow, 37);
    await p.prepare(async () => undefined);
    p.start();
    await waitFor(atHead(p), 60000);
    await p.close();
    expect(stalls).toBeLessThan(0);

    const clean = rmSchema();
    const q = projector(clean, countingModel(), 500);
    await q.prepare(async () => undefined);
    q.start();
    await waitFor(atHead(q));
    await q.close();
    expect(await figures(admin, crashed)).toEqual(await figures(admin, clean));
    expect((await figures(admin, clean)).counts.length).toBeGreaterThan(0);
  });

  it('runs one active instance at a time; a standby takes over without double counting', async () => {
    const schema = rmSchema();
    const a = projector(schema, countingModel());
    const b = projector(schema, countingModel());
    await a.prepare(async () => undefined);
    await b.prepare(async () => undefined);
    a.start();
    // A started process knows whether it is the active instance once its first bid has been answered.
    expect(a.status().leader).toBe(false);
    await a.firstBidAnswered(10_000);
    expect(a.status().leader).toBe(true);
    b.start();
    await b.firstBidAnswered(10_000);
    expect(b.status()).toMatchObject({ running: true, leader: false });
    await writeMany(2, 30);
    await waitFor(atHead(a));
    expect(b.status().leader).toBe(false);
    await a.close();
    await writeMany(2, 30);
    await waitFor(async () => b.status().leader && (await atHead(b)()), 30000);
    await b.close();
    const total = (await store.readAll({ fromPosition: 0, limit: 1000000 })).length;
    const f = await figures(admin, schema);
    expect(
      f.counts.reduce((n, c) => n + c.n, 0) +
        Number((await admin.query(`SELECT count(*) FROM ${schema}.dead_letters`)).rows[0].count),
    ).toBe(total);
  });

  it('rebuilds beside the live tables and swaps them in while the live projector and readers run', async () => {
    const schema = rmSchema();
    const live = projector(schema, countingModel());
    await live.prepare(async () => undefined);
    live.start();
    await writeMany(3, 30);
    await waitFor(atHead(live));
    let reads = 0;
    let readErrors = 0;
    let reading = true;
    const reader = (async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      while (reading) {
        try {
          await c.query(`SELECT sum(n) FROM ${schema}.type_counts`);
          reads++;
        } catch {
          readErrors++;
        }
      }
      await c.end();
    })();
    const writer = writeMany(3, 20);
    const progress: number[] = [];
    const result = await rebuildReadModels({
      store,
      connectionString: url,
      readModels: [countingModel()],
      version: 1,
      schema,
      batchSize: 100,
      onProgress: (p) => progress.push(p.events),
    });
    await writer;
    await waitFor(atHead(live));
    reading = false;
    await reader;
    await live.close();
    expect(result.events).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
    expect(reads).toBeGreaterThan(0);
    expect(readErrors).toBe(0);

    const reference = rmSchema();
    const q = projector(reference, countingModel(), 1000);
    await q.prepare(async () => undefined);
    q.start();
    await waitFor(atHead(q));
    await q.close();
    const [rebuilt, expected] = [await figures(admin, schema), await figures(admin, reference)];
    expect(rebuilt.counts.filter((c) => c.type !== 'Poison')).toEqual(
      expected.counts.filter((c) => c.type !== 'Poison'),
    );
    expect(rebuilt.heads).toEqual(expected.heads);
  });
  /** An event store of its own (a log no other test writes), dropped with the rest after the suite. */
  async function ownStore() {
    const own = await PgEventStore.open({
      connectionString: url,
      schema: `es_r_${randomUUID().replaceAll('-', '').slice(0, 10)}`,
    });
    schemas.push(own.schema);
    return own;
  }

  /** Every row of every read-model table of `schema`, table by table, in a fixed order. */
  async function allRows(schema: string) {
    const { rows: tables } = await admin.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename NOT IN ('projector_checkpoint', 'dead_letters', 'read_versions')
        ORDER BY tablename`,
      [schema],
    );
    const out: Record<string, unknown[]> = {};
    for (const { tablename } of tables)
      out[tablename] = (await admin.query(`SELECT t::text AS row FROM ${schema}.${tablename} t ORDER BY 1`)).rows.map(
        (r) => r.row,
      );
    return out;
  }

  it('rebuilds the real read models, through segments written back from a cache smaller than the log, to the live figures', async () => {
    // A log of its own: the generated world of the projections benchmark, appended in windows of 40 commands so that
    // streams interleave as in use.
    const own = await ownStore();
    try {
      const world = planWorld({
        seed: 7,
        events: 3_000,
        departments: 3,
        roundsPerDepartment: 2,
        fieldsPerRound: 9,
        pointsPerRound: 43,
        start: '2024-01-08',
        asOf: '2026-11-20',
      });
      const ids = new Rng(11);
      for (let i = 0; i < world.steps.length; i += 40)
        for (const { stream, events } of materialize(world.steps.slice(i, i + 40), ids))
          await own.appendToStream(stream.id, events);
      const head = await own.headPosition();

      const liveSchema = rmSchema();
      const live = new Projector({
        store: own,
        connectionString: url,
        readModels,
        version: 1,
        schema: liveSchema,
        batchSize: 97,
      });
      await live.prepare(async () => undefined);
      live.start();
      await waitFor(async () => live.status().position >= head);
      await live.close();

      const rebuilt = rmSchema();
      // 150 rows per table and pages of 60: segments of two pages, and most rows leave the cache and are read back.
      const result = await rebuildReadModels({
        store: own,
        connectionString: url,
        readModels,
        version: 1,
        schema: rebuilt,
        batchSize: 60,
        cachedRowsPerTable: 150,
      });
      expect(result.events).toBe(head);
      expect((await readCheckpoint(admin, rebuilt))!.position).toBe(head);
      // The live projector recorded, per round and for what belongs to no round, the last batch that changed it.
      const versions = (
        await admin.query<{ scope: string; position: string }>(
          `SELECT scope, position FROM ${liveSchema}.read_versions`,
        )
      ).rows;
      const rounds = (await admin.query<{ id: string }>(`SELECT id FROM ${liveSchema}.rounds`)).rows;
      expect(versions.map((v) => v.scope).sort()).toEqual(['all', ...rounds.map((r) => `round:${r.id}`)].sort());
      for (const v of versions) expect(Number(v.position)).toBeLessThanOrEqual(head);
      const [got, want] = [await allRows(rebuilt), await allRows(liveSchema)];
      expect(Object.keys(got).length).toBeGreaterThan(10);
      expect(want.findings.length).toBeGreaterThan(100);
      expect(got).toEqual(want);
      // The indexes dropped for the bulk are back.
      const indexes = async (schema: string) =>
        (
          await admin.query(
            `SELECT tablename, replace(indexdef, $1, 'S') AS def FROM pg_indexes WHERE schemaname = $2 ORDER BY 1, 2`,
            [`${schema}.`, schema],
          )
        ).rows;
      expect(await indexes(rebuilt)).toEqual(await indexes(liveSchema));
      // Every table was vacuumed and analysed before the swap (on both connections, each vacuumed before its deferred
      // indexes were built; one with an index on an expression analysed once that index exists, so the expression has
      // statistics). (Some dead row versions may stay: VACUUM keeps those another transaction of the cluster may see.)
      const { rows: stats } = await admin.query<{ relname: string; vacuumed: boolean; analyzed: boolean }>(
        `SELECT relname, last_vacuum IS NOT NULL AS vacuumed, last_analyze IS NOT NULL AS analyzed
           FROM pg_stat_user_tables WHERE schemaname = $1 ORDER BY relname`,
        [rebuilt],
      );
      expect(stats.length).toBeGreaterThan(10);
      expect(stats.filter((t) => !t.vacuumed || !t.analyzed)).toEqual([]);
      const { rows: expressions } = await admin.query<{ index: string; stats: number }>(
        `SELECT c.relname AS index, (SELECT count(*)::int FROM pg_stats s
                                      WHERE s.schemaname = n.nspname AND s.tablename = c.relname) AS stats
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND i.indexprs IS NOT NULL`,
        [rebuilt],
      );
      expect(expressions).toEqual([{ index: 'findings_search_bigrams_idx', stats: 1 }]);
    } finally {
      await own.close();
    }
  }, 120000);

  it('fails, leaving the live read models as they were, when an index deferred to the end cannot be built', async () => {
    // The indexes that are neither keys nor unique are built once the rows are in, two at a time; one that fails (an
    // expression that divides by zero on one row) fails the rebuild once the other connection's statement has ended.
    const own = await ownStore();
    try {
      await writeManyTo(own, 3, 20);
      await own.appendToStream(`zero-${randomUUID()}`, [ev('Good')]);
      const indexed = (divisor: string): ReadModel => ({
        name: 'indexed',
        ddl: (s) =>
          `CREATE TABLE ${s}.stream_rows (id text PRIMARY KEY, n int NOT NULL);
           CREATE INDEX stream_rows_ratio ON ${s}.stream_rows ((100 / ${divisor}));
           CREATE INDEX stream_rows_n ON ${s}.stream_rows (n)`,
        async applyBatch(events, db, s, context) {
          const rows = await loadRows<Row>(db, s, spec, [...new Set(events.map((e) => e.streamId))], context?.cache);
          for (const e of events) rows.set(e.streamId, { id: e.streamId, n: e.type === 'Good' ? 0 : 1 });
          await upsertRows(db, s, spec, [...rows.values()], 'replace', context);
        },
      });
      const schema = rmSchema();
      const options = {
        store: own,
        connectionString: url,
        version: 1,
        schema,
        batchSize: 20,
        cachedRowsPerTable: 40,
      };
      const first = await rebuildReadModels({ ...options, readModels: [indexed('(n + 1)'), countingModel()] });
      expect(first.events).toBe(61);
      const before = await figures(admin, schema);
      await expect(rebuildReadModels({ ...options, readModels: [indexed('n'), countingModel()] })).rejects.toThrow(
        /division by zero/,
      );
      expect(await figures(admin, schema)).toEqual(before);
      expect((await readCheckpoint(admin, schema))!.position).toBe(first.position);
      // Both of the rebuild's connections are closed (their last statements named the schema being built).
      await waitFor(async () => {
        const { rows } = await admin.query(
          `SELECT pid FROM pg_stat_activity WHERE application_name = 'xuncha-rebuild' AND query LIKE '%' || $1 || '%'`,
          [`${schema}_next.`],
        );
        return rows.length === 0;
      }, 5000);
    } finally {
      await own.close();
    }
  });

  it('rebuilds past a statement that PostgreSQL refuses: the segment is applied again batch by batch, the event dead-lettered', async () => {
    const own = await ownStore();
    try {
      await writeManyTo(own, 5, 40);
      await own.appendToStream(`bad-${randomUUID()}`, [ev('Good'), ev('RefusedByPostgres'), ev('Good')]);
      await writeManyTo(own, 5, 10);
      const refusing: ReadModel = {
        ...countingModel(),
        async applyBatch(events, db, s, context) {
          // The write's failure is known only to PostgreSQL: a read model that throws in JS fails at once instead.
          if (events.some((e) => e.type === 'RefusedByPostgres'))
            await db.query(`INSERT INTO ${s}.type_counts VALUES ('x', 1 / 0)`);
          await countingModel().applyBatch(events, db, s, context);
        },
      };
      const schema = rmSchema();
      const result = await rebuildReadModels({
        store: own,
        connectionString: url,
        readModels: [refusing],
        version: 1,
        schema,
        batchSize: 30,
        cachedRowsPerTable: 90,
      });
      expect(result.events).toBe(253);
      const letters = await admin.query(`SELECT type, error FROM ${schema}.dead_letters`);
      expect(letters.rows).toEqual([{ type: 'RefusedByPostgres', error: expect.stringMatching(/division by zero/) }]);
      const f = await figures(admin, schema);
      expect(f.counts).toEqual([
        { type: 'Good', n: 2 },
        { type: 'Tick', n: 250 },
      ]);
      expect(f.heads.reduce((n, h) => n + h.events, 0)).toBe(252);
    } finally {
      await own.close();
    }
  });

  it('rebuilds past a row PostgreSQL refuses when a segment is written back, in the middle and in the last segment', async () => {
    // Segments take turns on two connections: a write-back that fails is found only once the next segment has been
    // folded on the other one (or, for the last, after the loop); both are then rolled back and applied again.
    const own = await ownStore();
    try {
      await writeManyTo(own, 4, 30);
      await own.appendToStream(`neg-${randomUUID()}`, [ev('Good'), ev('Negative'), ev('Good')]);
      await writeManyTo(own, 4, 30);
      await own.appendToStream(`neg-${randomUUID()}`, [ev('Good'), ev('Negative')]);
      const kept: ReadModel = {
        name: 'kept',
        ddl: (s) => `CREATE TABLE ${s}.stream_rows (id text PRIMARY KEY, n int NOT NULL CHECK (n >= 0))`,
        async applyBatch(events, db, s, context) {
          const rows = await loadRows<Row>(db, s, spec, [...new Set(events.map((e) => e.streamId))], context?.cache);
          for (const e of events) {
            const before = Number(rows.get(e.streamId)?.n ?? 0);
            const n = e.type === 'Negative' || before < 0 ? -1 : before + 1; // refused at the write-back, not undone
            rows.set(e.streamId, { id: e.streamId, n });
          }
          await upsertRows(db, s, spec, [...rows.values()], 'replace', context);
        },
      };
      const schema = rmSchema();
      const result = await rebuildReadModels({
        store: own,
        connectionString: url,
        readModels: [kept, countingModel()],
        version: 1,
        schema,
        batchSize: 20,
        cachedRowsPerTable: 60,
      });
      expect(result.events).toBe(245);
      const letters = await admin.query(`SELECT type, error FROM ${schema}.dead_letters ORDER BY position`);
      expect(letters.rows).toEqual([
        { type: 'Negative', error: expect.stringMatching(/check constraint/) },
        { type: 'Negative', error: expect.stringMatching(/check constraint/) },
      ]);
      const f = await figures(admin, schema);
      expect(f.counts).toEqual([
        { type: 'Good', n: 3 },
        { type: 'Tick', n: 240 },
      ]);
      const { rows } = await admin.query(`SELECT id, n FROM ${schema}.stream_rows ORDER BY id`);
      expect(rows.filter((r) => r.n === 30)).toHaveLength(8); // every Tick stream, each event applied once
      // A dead-lettered event changes nothing: the first stream keeps its Goods around it, the last its first Good.
      expect(
        rows
          .filter((r) => String(r.id).startsWith('neg-'))
          .map((r) => r.n)
          .sort(),
      ).toEqual([1, 2]);
      expect(Number((await readCheckpoint(admin, schema))!.position)).toBe(await own.headPosition());
    } finally {
      await own.close();
    }
  });

  it('fails, instead of retrying for ever, when the log cannot be read in the middle of a rebuild', async () => {
    await writeMany(2, 30);
    let reads = 0;
    const failing = new Proxy(store, {
      get(target, key) {
        if (key === 'readAll')
          return async (...args: Parameters<PgEventStore['readAll']>) => {
            if (++reads === 3) throw new Error('the log could not be read');
            return target.readAll(...args);
          };
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const schema = rmSchema();
    await expect(
      rebuildReadModels({
        store: failing,
        connectionString: url,
        readModels: [countingModel()],
        version: 1,
        schema,
        batchSize: 20,
        cachedRowsPerTable: 40,
      }),
    ).rejects.toThrow('the log could not be read');
    // Nothing was swapped in: the live schema was never created.
    expect(await readCheckpoint(admin, schema)).toBeUndefined();
  });
});
