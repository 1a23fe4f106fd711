import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CounterDeltas, loadRows, RowCache, upsertRows, type Row, type TableSpec } from '../src/read-models/sql.js';

/*
 * upsertRows sends a batch's rows to PostgreSQL as one JSON array of value arrays: what comes back through loadRows
 * must be exactly what was written, whatever the values (nulls and missing keys, JSON in jsonb columns, text that
 * JSON escapes, dates, instants, large numbers), and counters must add up across statements.
 */

const URL = process.env.SYSTEM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const things: TableSpec = {
  name: 'things',
  key: ['id'],
  columns: [
    ['id', 'text'],
    ['title', 'text'],
    ['tags', 'jsonb'],
    ['extra', 'jsonb'],
    ['due_on', 'date'],
    ['at', 'timestamptz'],
    ['n', 'int'],
    ['big', 'bigint'],
    ['ok', 'boolean'],
  ],
};

const tallies: TableSpec = {
  name: 'tallies',
  key: ['round_id', 'day'],
  columns: [
    ['round_id', 'text'],
    ['day', 'date'],
    ['open', 'int'],
    ['closed', 'int'],
  ],
};

describe('read-model SQL: upsertRows and loadRows', () => {
  let db: pg.Client;
  const schema = `rm_sql_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    db = new pg.Client({ connectionString: URL });
    await db.connect();
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`CREATE TABLE ${schema}.things (
      id text PRIMARY KEY, title text, tags jsonb NOT NULL, extra jsonb, due_on date, at timestamptz, n int, big bigint, ok boolean)`);
    await db.query(`CREATE TABLE ${schema}.tallies (
      round_id text NOT NULL, day date NOT NULL, open int NOT NULL DEFAULT 0, closed int NOT NULL DEFAULT 0,
      PRIMARY KEY (round_id, day))`);
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
  });

  const written: Row[] = [
    {
      id: 'a',
      title: '某单位"违规"发放\\津贴\n补贴 😀',
      tags: ['津贴', { name: '佐证材料.pdf', size: 1024 }],
      extra: { note: null, nested: { deep: [1, 2.5, true] } },
      due_on: '2024-10-31',
      at: '2024-10-20T23:59:59.123Z',
      n: -7,
      big: 9_007_199_254_740_991,
      ok: true,
    },
    // Nulls and a missing key are NULL; an empty array and a JSON string stay JSON.
    { id: 'b', title: null, tags: [], extra: '就是一句话', due_on: null, at: null, n: 0, big: null, ok: false },
    { id: 'c', title: '', tags: ['x'], due_on: '2000-02-29', at: '1999-12-31T16:00:00.000Z', n: 1, big: 0 },
  ];
  const stored = (row: Row): Row => Object.fromEntries(things.columns.map(([name]) => [name, row[name] ?? null]));

  it('reads back every value as written, and a second write replaces the row', async () => {
    await upsertRows(db, schema, things, written, 'replace');
    const back = await loadRows(db, schema, things, ['a', 'b', 'c', 'missing']);
    expect([...back.keys()].sort()).toEqual(['a', 'b', 'c']);
    for (const row of written) expect(back.get(String(row.id))).toEqual(stored(row));
    // A JSON null in a jsonb column is SQL NULL, as the column-array statement had it.
    const { rows } = await db.query(`SELECT id FROM ${schema}.things WHERE extra IS NULL ORDER BY id`);
    expect(rows.map((r: { id: string }) => r.id)).toEqual(['c']);

    const changed = { ...written[0], title: '已整改', tags: [], n: 8, ok: null };
    await upsertRows(db, schema, things, [changed], 'replace');
    expect((await loadRows(db, schema, things, ['a'])).get('a')).toEqual(stored(changed));
    const { rows: count } = await db.query(`SELECT count(*)::int AS n FROM ${schema}.things`);
    expect(count[0].n).toBe(3);
  });

  it('refuses a value its column cannot hold, and writes none of the batch', async () => {
    const before = await loadRows(db, schema, things, ['a', 'b', 'c']);
    await expect(
      upsertRows(
        db,
        schema,
        things,
        [
          { ...written[1], title: 'changed' },
          { id: 'd', tags: [], n: 2 ** 31 },
        ],
        'replace',
      ),
    ).rejects.toThrow(/out of range for type integer/);
    expect(await loadRows(db, schema, things, ['a', 'b', 'c', 'd'])).toEqual(before);
  });

  it('adds counter deltas to the stored numbers, a missing row starting from the delta', async () => {
    const deltas = new CounterDeltas(tallies);
    deltas.add({ round_id: 'r1', day: '2024-10-21' }, { open: 2, closed: 0 });
    deltas.add({ round_id: 'r1', day: '2024-10-21' }, { open: -1, closed: 1 });
    deltas.add({ round_id: 'r2', day: '2024-10-21' }, { open: 1, closed: 0 }, -1);
    deltas.add({ round_id: 'r3', day: '2024-10-22' }, { open: 1 }, 1);
    deltas.add({ round_id: 'r3', day: '2024-10-22' }, { open: 1 }, -1); // cancels out: not written
    await deltas.write(db, schema);
    const again = new CounterDeltas(tallies);
    again.add({ round_id: 'r1', day: '2024-10-21' }, { open: 5, closed: 2 });
    await again.write(db, schema);
    const { rows } = await db.query(
      `SELECT round_id, day::text AS day, open, closed FROM ${schema}.tallies ORDER BY round_id, day`,
    );
    expect(rows).toEqual([
      { round_id: 'r1', day: '2024-10-21', open: 6, closed: 3 },
      { round_id: 'r2', day: '2024-10-21', open: -1, closed: 0 },
    ]);
  });

  it('refuses a counter its table does not have', () => {
    const deltas = new CounterDeltas(tallies);
    expect(() => deltas.add({ round_id: 'r1', day: '2024-10-21' }, { opened: 1 })).toThrow(
      'tallies has no counter opened',
    );
    expect(() => deltas.add({ round_id: 'r1', day: '2024-10-21' }, { opened: 0 })).not.toThrow();
  });

  it('with a write-back cache, writes nothing until writeBackTo, then each row once as last kept', async () => {
    const cache = new RowCache(10);
    cache.writeBack = true;
    const first = { id: 'w', title: 'v1', tags: [], n: 1 };
    const last = { id: 'w', title: 'v2', tags: ['终'], n: 2 };
    await upsertRows(db, schema, things, [first], 'replace', { cache });
    await upsertRows(db, schema, things, [last], 'replace', { cache });
    expect((await loadRows(db, schema, things, ['w'])).size).toBe(0); // read past the cache: nothing written yet
    expect((await loadRows(db, schema, things, ['w'], cache)).get('w')).toEqual(stored(last));
    cache.writeBack = false;
    await cache.writeBackTo(db, schema);
    expect((await loadRows(db, schema, things, ['w'])).get('w')).toEqual(stored(last));
  });
});
