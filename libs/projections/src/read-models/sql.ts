import type pg from 'pg';

/*
 * The few SQL shapes every read model uses: load the rows a batch touches with one query, write them
 * back with one multi-row statement (`INSERT … SELECT … FROM jsonb_array_elements($1) ON CONFLICT …`). One
 * parameter, the rows as a JSON array of value arrays, keeps the statement's text the same whatever the batch size,
 * so PostgreSQL parses it once per connection and a batch of 1,000 rows costs one round trip, not 1,000.
 */

/** What a caller may lend a read model for a batch. */
export interface ApplyContext {
  /**
   * Rows written by earlier batches of the same writer, alone on its tables (a rebuild): pass it to loadRows and
   * upsertRows. The live projector passes none.
   */
  cache?: RowCache;
  /**
   * Collects what the batch changed, by scope (`roundScope(id)` for rows of one round, `ALL_SCOPES` for the rest):
   * the live projector records each scope's last change, so that answers about one round can be kept while others
   * change. upsertRows fills it from the rows written.
   */
  touched?: Set<string>;
}

/** The scope of the rows of one inspection round. */
export const roundScope = (roundId: string) => `round:${roundId}`;
/** The scope of rows that belong to no one round (departments, say): a change there may change any answer. */
export const ALL_SCOPES = 'all';

export type ColumnType = 'text' | 'int' | 'bigint' | 'date' | 'timestamptz' | 'jsonb' | 'boolean';

export interface TableSpec {
  readonly name: string;
  readonly key: readonly string[];
  /** Every column written by the model, key columns included, in DDL order. */
  readonly columns: readonly (readonly [name: string, type: ColumnType])[];
  /**
   * The column that holds the round a row belongs to (default: `round_id`, when there is one); null: the rows belong
   * to no one round. What a batch writes is recorded by round (ApplyContext.touched).
   */
  readonly round?: string | null;
}

function roundColumn(spec: TableSpec): string | null {
  if (spec.round !== undefined) return spec.round;
  return spec.columns.some(([name]) => name === 'round_id') ? 'round_id' : null;
}

export type Row = Record<string, unknown>;

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema and table names are spliced into SQL, so only plain lowercase identifiers pass. */
export function qualified(schema: string, table: string): string {
  if (!IDENTIFIER.test(schema))
    throw new Error(`read model schema must be a plain identifier, got ${JSON.stringify(schema)}`);
  if (!IDENTIFIER.test(table))
    throw new Error(`read model table must be a plain identifier, got ${JSON.stringify(table)}`);
  return `${schema}.${table}`;
}

/**
 * `status = ANY (ARRAY['a', 'b']::text[])` over `statuses`, as a partial index's predicate: the queries bind the same
 * list as one parameter in the same order, so the planner can prove the index applies.
 */
export const statusInPredicate = (statuses: readonly string[]) =>
  `status = ANY (ARRAY[${statuses.map((status) => `'${status}'`).join(', ')}]::text[])`;

export function selectList(spec: TableSpec, alias = ''): string {
  const prefix = alias ? `${alias}.` : '';
  // Dates come back as text: pg's default parser turns a DATE into a Date at local midnight, which
  // shifts a day in any time zone west of UTC. Timestamps stay Date and are normalised below.
  return spec.columns
    .map(([name, type]) => (type === 'date' ? `${prefix}${name}::text AS ${name}` : `${prefix}${name}`))
    .join(', ');
}

function normalise(spec: TableSpec, raw: Row): Row {
  const row: Row = {};
  for (const [name, type] of spec.columns) {
    const value = raw[name];
    if (value === null || value === undefined) row[name] = null;
    // pg parses timestamptz into a Date; a custom type parser may hand over its text instead.
    else if (type === 'timestamptz')
      row[name] =
        value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value);
    else if (type === 'bigint') row[name] = Number(value);
    else row[name] = value;
  }
  return row;
}

/**
 * The rows a rebuild has written, by table and key, so that the next batch touching them need not read them back.
 * Only for a writer that is alone on its tables (a rebuild fills a schema nobody else writes until the swap): the
 * cached row is then exactly the stored one. The least recently used rows go first past `maxRowsPerTable`; a batch
 * that fails must `clear()` it, since its rows were rolled back.
 *
 * With `writeBack` on, upsertRows writes nothing: whole rows are kept here as dirty and counter deltas summed, and
 * `writeBackTo` writes each dirty row once and each counter row once — a finding changed by five batches of a
 * segment costs one row version, not five. The caller bounds what it applies before writing back so that no dirty
 * row is pushed out (at most `maxRowsPerTable` events: an event changes at most one row of a table); one that would
 * be is an error, never a lost write.
 */
export class RowCache {
  private readonly tables = new Map<string, Map<string, Row>>();
  private readonly dirty = new Map<string, { spec: TableSpec; ids: Set<string> }>();
  private readonly deltas = new Map<string, CounterDeltas>();
  /** Rows taken for writing back and not yet committed, by table: readable here even once pushed out of `tables`. */
  private readonly flushing = new Map<string, Map<string, Row>>();
  writeBack = false;
  /** Tables written by adding to stored numbers (counters): never kept here, so never to be read through it. */
  readonly notKept = new Set<string>();

  constructor(readonly maxRowsPerTable = 20_000) {}

  get(table: string, id: string): Row | undefined {
    const rows = this.tables.get(table);
    const row = rows?.get(id);
    if (row === undefined) return this.flushing.get(table)?.get(id);
    rows!.delete(id); // most recently used last
    rows!.set(id, row);
    return row;
  }

  set(table: string, id: string, row: Row): void {
    let rows = this.tables.get(table);
    if (!rows) this.tables.set(table, (rows = new Map()));
    rows.delete(id);
    rows.set(id, row);
    if (rows.size > this.maxRowsPerTable) {
      const oldest = rows.keys().next().value!;
      if (this.dirty.get(table)?.ids.has(oldest))
        throw new Error(
          `${table}: a row not yet written back would leave the rebuild's cache (more rows than it holds)`,
        );
      rows.delete(oldest);
    }
  }

  /** Write-back: `rows` (whole, of a single-column key) are the table's rows from now on, written later. */
  keep(spec: TableSpec, rows: readonly Row[]): void {
    const [key] = spec.key;
    let dirty = this.dirty.get(spec.name);
    if (!dirty) this.dirty.set(spec.name, (dirty = { spec, ids: new Set() }));
    for (const row of rows) {
      const id = String(row[key]);
      dirty.ids.add(id); // before set(): the row must not be the one pushed out
      this.set(spec.name, id, asStored(spec, row));
    }
  }

  /** Write-back: counter rows (key columns and deltas) to be added later, summed with those already waiting. */
  addLater(spec: TableSpec, rows: readonly Row[]): void {
    let deltas = this.deltas.get(spec.name);
    if (!deltas) this.deltas.set(spec.name, (deltas = new CounterDeltas(spec)));
    for (const row of rows) {
      const values: Record<string, number> = {};
      for (const [name] of spec.columns) if (!spec.key.includes(name)) values[name] = Number(row[name] ?? 0);
      deltas.add(row, values);
    }
  }

  /** Writes what write-back kept: each dirty row once, each counter row once. */
  async writeBackTo(db: pg.ClientBase, schema: string): Promise<void> {
    for (const statement of this.takeWriteBack(schema)) await db.query(statement.text, statement.values);
    this.flushed();
  }

  /**
   * The statements that write what write-back kept (each dirty row once, each counter row once), to be run in order;
   * from now on the rows are no longer dirty, and they stay readable here, even if pushed out, until `flushed()` says
   * the statements committed.
   */
  takeWriteBack(schema: string): { text: string; values: unknown[] }[] {
    if (this.flushing.size) throw new Error('the rows of the previous write-back are not flushed yet');
    const statements: { text: string; values: unknown[] }[] = [];
    for (const { spec, ids } of this.dirty.values()) {
      const rows = this.tables.get(spec.name)!;
      const written = new Map<string, Row>();
      for (const id of ids) written.set(id, rows.get(id)!);
      this.flushing.set(spec.name, written);
      statements.push(upsertStatementWith(schema, spec, [...written.values()], 'replace'));
    }
    for (const deltas of this.deltas.values()) {
      const rows = deltas.toRows();
      if (rows.length) statements.push(upsertStatementWith(schema, deltas.spec, rows, 'add'));
    }
    this.dirty.clear();
    this.deltas.clear();
    return statements;
  }

  /** The statements of the last takeWriteBack committed: what they wrote is read back from the database again. */
  flushed(): void {
    this.flushing.clear();
  }

  clear(): void {
    this.tables.clear();
    this.dirty.clear();
    this.deltas.clear();
    this.flushing.clear();
  }
}

/**
 * A row as loadRows reads it back: every column of the table, a missing value NULL. A row that has every column
 * already is kept as it is, not copied: read models never change a row once made (they make a new one), so the
 * cache can share it (one allocation fewer per row written: the rebuild's garbage collection was ~15% of its time).
 */
function asStored(spec: TableSpec, row: Row): Row {
  const columns = spec.columns;
  let complete = true;
  for (let i = 0; i < columns.length && complete; i++) complete = row[columns[i][0]] !== undefined;
  if (complete) return row;
  const kept: Row = {};
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i][0];
    kept[name] = row[name] ?? null;
  }
  return kept;
}

/** The current rows of `ids` (single-column key), as plain objects keyed by column name; cached ones from `cache`. */
export async function loadRows<R extends Row>(
  db: pg.ClientBase,
  schema: string,
  spec: TableSpec,
  ids: readonly string[],
  cache?: RowCache,
): Promise<Map<string, R>> {
  const found = new Map<string, R>();
  if (ids.length === 0) return found;
  const [key] = spec.key;
  let wanted = ids;
  if (cache) {
    if (cache.notKept.has(spec.name))
      throw new Error(`${spec.name} is written by adding to it, so a rebuild's cache cannot answer for its rows`);
    const missing: string[] = [];
    for (const id of ids) {
      const row = cache.get(spec.name, id);
      if (row) found.set(id, row as R);
      else missing.push(id);
    }
    wanted = missing;
    if (wanted.length === 0) return found;
  }
  const { rows } = await db.query<Row>(
    `SELECT ${selectList(spec)} FROM ${qualified(schema, spec.name)} WHERE ${key} = ANY($1::text[])`,
    [wanted],
  );
  for (const raw of rows) {
    const row = normalise(spec, raw) as R;
    found.set(String(row[key]), row);
  }
  return found;
}

/**
 * One statement for all rows. `replace` overwrites every non-key column with the new value (rows
 * folded in memory from their loaded state); `add` adds the given numbers to the stored ones
 * (counters: each row is a delta, and a missing row starts from the delta).
 */
export async function upsertRows(
  db: pg.ClientBase,
  schema: string,
  spec: TableSpec,
  rows: readonly Row[],
  mode: 'replace' | 'add',
  context?: ApplyContext,
): Promise<void> {
  if (rows.length === 0) return;
  const cache = context?.cache;
  if (context?.touched) {
    const column = roundColumn(spec);
    if (column === null) context.touched.add(ALL_SCOPES);
    else for (const row of rows) context.touched.add(roundScope(String(row[column])));
  }
  if (cache && (mode !== 'replace' || spec.key.length !== 1)) cache.notKept.add(spec.name);
  if (cache?.writeBack) {
    if (mode === 'add') return cache.addLater(spec, rows);
    if (spec.key.length === 1) return cache.keep(spec, rows);
  }
  // The rows go as one JSON array of arrays, a row's values in column order: JSON.stringify is one native call, where
  // an array parameter per column had pg serialise every value on its own (half of the rebuild's Node time in writing
  // back, measured), and without the column names every row repeated, PostgreSQL parses ~60% of the text
  // json_to_recordset would need (18 against 37-40 µs per finding row, measured). A null or missing value is NULL.
  const statement = upsertStatementWith(schema, spec, rows, mode);
  await db.query(statement.text, statement.values);
  // Kept as written (a single-column key, whole rows): what loadRows would read back.
  if (cache && mode === 'replace' && spec.key.length === 1) {
    const [key] = spec.key;
    for (const row of rows) cache.set(spec.name, String(row[key]), asStored(spec, row));
  }
}

const statements = new Map<string, string>();

/** The upsert of `rows` into `spec`'s table, with its parameter. */
function upsertStatementWith(
  schema: string,
  spec: TableSpec,
  rows: readonly Row[],
  mode: 'replace' | 'add',
): { text: string; values: unknown[] } {
  const tuples = rows.map((row) => spec.columns.map(([name]) => row[name] ?? null));
  return { text: upsertStatement(schema, spec, mode), values: [JSON.stringify(tuples)] };
}

/** The upsert of `spec`'s rows, made once per schema, table and mode. */
function upsertStatement(schema: string, spec: TableSpec, mode: 'replace' | 'add'): string {
  const id = `${schema}.${spec.name}.${mode}`;
  let text = statements.get(id);
  if (text !== undefined) return text;
  const names = spec.columns.map(([name]) => name).join(', ');
  const others = spec.columns.filter(([name]) => !spec.key.includes(name));
  const set = others
    .map(([name]) =>
      mode === 'add' ? `${name} = ${spec.name}.${name} + EXCLUDED.${name}` : `${name} = EXCLUDED.${name}`,
    )
    .join(', ');
  const conflict = set ? `DO UPDATE SET ${set}` : 'DO NOTHING';
  // jsonb: `r->i` is a lookup in the parsed array, not a scan of its text. A jsonb column's JSON null is NULL, as it was.
  const values = spec.columns
    .map(([, type], i) => (type === 'jsonb' ? `nullif(r->${i}, 'null'::jsonb)` : `(r->>${i})::${type}`))
    .join(', ');
  text = `INSERT INTO ${qualified(schema, spec.name)} AS ${spec.name} (${names})
     SELECT ${values} FROM jsonb_array_elements($1::jsonb) AS r
     ON CONFLICT (${spec.key.join(', ')}) ${conflict}`;
  statements.set(id, text);
  return text;
}

/**
 * Counter deltas for one table, keyed by the table's key columns. `add(key, values, sign)` adds
 * (sign 1) or takes away (sign -1) a row's contribution; rows whose deltas all cancel out are not
 * written at all, so a batch that moves nothing on a dashboard writes nothing there.
 */
export class CounterDeltas {
  /** The sums of a key's counters, in the order of `counters`, found by the key's values one column after another. */
  private readonly tree = new Map<unknown, unknown>();
  private readonly entries: { key: Row; sums: number[] }[] = [];
  /** The table's non-key columns: the counters. */
  private readonly counters: readonly string[];
  private readonly index = new Map<string, number>();

  constructor(readonly spec: TableSpec) {
    this.counters = spec.columns.map(([name]) => name).filter((name) => !spec.key.includes(name));
    this.counters.forEach((name, i) => this.index.set(name, i));
  }

  add(key: Row, values: Record<string, number>, sign: 1 | -1 = 1): void {
    // Called twice for every row a batch changes (the old contribution taken away, the new one added): no arrays
    // made, and the sums are an array, not an object whose shape depends on which counters moved first.
    // Maps nested by key column: a joined key string would be built, flattened and hashed at every call.
    let moves = false;
    for (const name in values) if (values[name] !== 0) moves = true;
    if (!moves) return; // nothing to add: no entry (a row with no results, say)
    const columns = this.spec.key;
    let node = this.tree;
    for (let i = 0; i < columns.length - 1; i++) {
      const value = String(key[columns[i]]);
      let next = node.get(value) as Map<unknown, unknown> | undefined;
      if (!next) node.set(value, (next = new Map()));
      node = next;
    }
    const last = String(key[columns[columns.length - 1]]);
    let entry = node.get(last) as { key: Row; sums: number[] } | undefined;
    if (!entry) {
      entry = { key, sums: new Array<number>(this.counters.length).fill(0) };
      node.set(last, entry);
      this.entries.push(entry);
    }
    const sums = entry.sums;
    for (const name in values) {
      const n = values[name];
      if (n === 0) continue;
      const i = this.index.get(name);
      if (i === undefined) throw new Error(`${this.spec.name} has no counter ${name}`);
      sums[i] += sign * n;
    }
  }

  toRows(): Row[] {
    const out: Row[] = [];
    for (const { key, sums } of this.entries) {
      if (!sums.some((n) => n !== 0)) continue;
      const row: Row = { ...key };
      this.counters.forEach((name, i) => (row[name] = sums[i]));
      out.push(row);
    }
    return out;
  }

  write(db: pg.ClientBase, schema: string, context?: ApplyContext): Promise<void> {
    return upsertRows(db, schema, this.spec, this.toRows(), 'add', context);
  }
}

/** The ids (from `pick`) of the events whose type is in `types`, first appearance first. */
export function touchedIds<E>(events: readonly E[], pick: (event: E) => string | undefined): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    const id = pick(event);
    if (id !== undefined) ids.add(id);
  }
  return [...ids];
}
