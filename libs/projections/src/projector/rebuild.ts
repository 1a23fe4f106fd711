import pg from 'pg';
import type { EventStore, RecordedEvent } from '@app/event-store';
import type { ReadModel } from '../read-model.js';
import { RowCache } from '../read-models/sql.js';
import { isTransient } from './projector.js';
import { createReadModelSchema } from './projector-schema.js';

export interface RebuildOptions {
  store: EventStore;
  connectionString: string;
  readModels: readonly ReadModel[];
  version: number;
  schema?: string;
  batchSize?: number;
  /** Rows per table the rebuild keeps in memory between batches instead of reading them back (default 20,000). */
  cachedRowsPerTable?: number;
  onProgress?: (progress: { events: number; position: number; head: number; eventsPerSecond: number }) => void;
}

export interface RebuildResult {
  events: number;
  position: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * Builds the read models from position 0 into `<schema>_next`, beside the live ones, then swaps
 * them in with one transaction once caught up: dashboards keep answering from the live schema
 * throughout and see the rebuilt figures from the moment of the swap. The swap holds the live
 * checkpoint's row lock, so the live projector cannot apply a batch across it.
 */
export async function rebuildReadModels(options: RebuildOptions): Promise<RebuildResult> {
  const schema = options.schema ?? 'rm';
  const next = `${schema}_next`;
  const old = `${schema}_old`;
  const batchSize = options.batchSize ?? 5000;
  const db = new pg.Client({ connectionString: options.connectionString, application_name: 'xuncha-rebuild' });
  db.on('error', () => undefined); // a dropped connection fails the running query, which is reported
  await db.connect();
  /** The second connection of the bulk apply and of the tail (VACUUM and indexes). */
  let other: pg.Client | undefined;
  const started = process.hrtime.bigint();
  let events = 0;
  let position = 0;
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const progress = async () => {
    if (!options.onProgress) return;
    options.onProgress({
      events,
      position,
      head: await options.store.headPosition(),
      eventsPerSecond: events / Math.max(elapsed(), 1e-9),
    });
  };
  try {
    const locked = await db.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [`${schema}.rebuild`]);
    if (!locked.rows[0].ok) throw new Error('Another rebuild of the read models is running');
    await db.query(`DROP SCHEMA IF EXISTS ${next} CASCADE`);
    await db.query('BEGIN');
    await createReadModelSchema(db, next, options.readModels, options.version);
    // The indexes the read models' upserts do not need (neither primary keys nor unique) are built once at the end
    // instead of being kept up to date through every one of the rebuild's row versions: a rebuild writes each
    // finding once per event of its life, and the bigram index alone costs more than the row.
    const deferred = await dropDeferrableIndexes(db, next);
    await db.query('COMMIT');
    // Nothing of `${next}` is in use until the swap: a batch lost in a crash is rebuilt with the rest, so its commit
    // need not wait for the WAL flush. The swap below commits durably.
    await db.query('SET synchronous_commit = off');

    // The rebuild is the only writer of `${next}`: the rows it wrote last are what it would read back. A segment
    // (one transaction) applies at most as many events as the cache keeps rows per table, and an event changes at most
    // one row of a table, so every row the segment changed is still in the cache when it is written back.
    const cacheRows = Math.max(options.cachedRowsPerTable ?? 20_000, batchSize);
    const cache = new RowCache(cacheRows);
    const read = (from: number) => {
      const page = options.store.readAll({ fromPosition: from, limit: batchSize });
      page.catch(() => undefined); // a failed read is reported where it is awaited
      return page;
    };
    const checkpoint = (at: number) =>
      `UPDATE ${next}.projector_checkpoint SET position = ${Number(at)}, updated_at = now() WHERE id = 'main'`;

    // Bulk: the next page is read while this one is applied; the rows a segment changes are kept in memory and
    // written back once at its end, each row once and each counter once, then the segment commits. Segments take
    // turns on two connections, so that one is written back while the next is folded on the other: a row the fold
    // does not find in the cache was last written by a segment already committed, since the rows of the segment being
    // written stay readable in the cache until its COMMIT has answered, and a segment is written back only once the
    // one before it has committed. Should a write-back fail (or a read model throw), the segments not committed are
    // rolled back and applied again batch by batch, written through, with the dead-letter handling of the live
    // projector.
    other = new pg.Client({ connectionString: options.connectionString, application_name: 'xuncha-rebuild' });
    other.on('error', () => undefined);
    await other.connect();
    await other.query('SET synchronous_commit = off');
    const connections = [db, other];
    /** The segment whose write-back runs and has not answered yet. */
    let writing: { batches: RecordedEvent[][]; on: pg.Client; done: Promise<void> } | undefined;
    const settle = async (): Promise<{ failed: RecordedEvent[][]; on?: pg.Client; error?: unknown }> => {
      const last = writing;
      writing = undefined;
      if (!last) return { failed: [] };
      try {
        await last.done;
        cache.flushed();
        return { failed: [] };
      } catch (error) {
        return { failed: last.batches, on: last.on, error };
      }
    };
    const applyAgain = async (batches: RecordedEvent[][]) => {
      cache.clear(); // it holds rows of the segments just rolled back
      for (const batch of batches) {
        await db.query('BEGIN');
        await applyWithDeadLetters(db, options.readModels, batch, next, cache);
        await db.query(checkpoint(batch[batch.length - 1].position));
        await db.query('COMMIT');
      }
    };
    try {
      let page = read(position);
      for (let turn = 0, atEnd = false; !atEnd; turn++) {
        const on = connections[turn % 2];
        const taken: RecordedEvent[][] = [];
        let segmentEvents = 0;
        let reading = false;
        /** The write-back of the segment before failed: found once this one was folded. */
        let refused: Awaited<ReturnType<typeof settle>> | undefined;
        /** What is applied again, batch by batch, once nothing runs on either connection. */
        let again: RecordedEvent[][] | undefined;
        try {
          await on.query('BEGIN');
          cache.writeBack = true;
          while (taken.length === 0 || segmentEvents + batchSize <= cacheRows) {
            reading = true;
            const batch = await page;
            reading = false;
            if (batch.length === 0) {
              atEnd = true;
              break;
            }
            page = read(batch[batch.length - 1].position);
            taken.push(batch);
            segmentEvents += batch.length;
            for (const model of options.readModels) await model.applyBatch(batch, on, next, { cache });
          }
          cache.writeBack = false;
          // The segment before must have committed before this one is written: its rows leave the cache then.
          const before = await settle();
          if (before.failed.length) refused = before;
          else {
            const statements = cache.takeWriteBack(next);
            if (taken.length) statements.push({ text: checkpoint(lastPosition(taken)), values: [] });
            const done = (async () => {
              for (const statement of statements) await on.query(statement.text, statement.values);
              await on.query('COMMIT');
            })();
            done.catch(() => undefined); // awaited by settle()
            writing = { batches: taken, on, done };
          }
        } catch (error) {
          cache.writeBack = false;
          const before = await settle();
          if (before.on) await before.on.query('ROLLBACK').catch(() => undefined);
          await on.query('ROLLBACK');
          // Nothing to apply again when the log could not be read, or the connection (or the server) failed: the
          // rebuild fails.
          if (reading || isTransient(error) || isTransient(before.error)) throw error;
          again = [...before.failed, ...taken];
        }
        if (refused) {
          await refused.on!.query('ROLLBACK').catch(() => undefined); // nothing is open after a failed COMMIT
          await on.query('ROLLBACK');
          if (isTransient(refused.error)) throw refused.error;
          again = [...refused.failed, ...taken];
        }
        if (again) await applyAgain(again);
        if (taken.length) position = lastPosition(taken);
        events += segmentEvents;
        await progress();
      }
      const last = await settle();
      if (last.failed.length) {
        await last.on!.query('ROLLBACK').catch(() => undefined);
        if (isTransient(last.error)) throw last.error;
        await applyAgain(last.failed);
      }
    } finally {
      await settle().catch(() => undefined);
    }

    const applyUntilCaughtUp = async () => {
      for (;;) {
        const batch = await options.store.readAll({ fromPosition: position, limit: batchSize });
        if (batch.length === 0) return;
        await applyWithDeadLetters(db, options.readModels, batch, next, cache);
        position = batch[batch.length - 1].position;
        await db.query(checkpoint(position));
        events += batch.length;
        await progress();
      }
    };

    // A rebuild updates the same rows many times; without VACUUM the swapped-in tables would start out full of dead row
    // versions and without statistics, and the first dashboards would be slow. Each table is vacuumed while it has
    // only the indexes of its keys, so the dead versions are cleared from those alone (the findings' GIN index, then on
    // trigrams, took longer to vacuum than to build), then the deferred indexes are built on the clean tables; both steps on the
    // two connections at once, the largest first. The commits on `other` (synchronous_commit off) are made durable by
    // the swap's below, which flushes the log up to itself.
    await db.query('SET synchronous_commit = on');
    const { rows: tables } = await db.query<{ name: string; size: string }>(
      `SELECT c.relname AS name, pg_relation_size(c.oid) AS size FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [next],
    );
    const size = new Map(tables.map((t) => [t.name, Number(t.size)]));
    tables.sort((a, b) => Number(b.size) - Number(a.size));
    // Statistics of an index on an expression are gathered by ANALYZE once the index exists: those tables (the
    // findings, for the bigram index) are analyzed then, once, and only vacuumed now.
    const analyzeLater = new Set(deferred.filter((d) => d.expression).map((d) => d.table));
    await onEither(
      connections,
      tables.map((t) => `VACUUM ${analyzeLater.has(t.name) ? '' : '(ANALYZE) '}${next}.${quoteIdentifier(t.name)}`),
    );
    // A generalised index (the bigram one) costs many times a B-tree of the same table: those first.
    const cost = (d: DeferredIndex) => (size.get(d.table) ?? 0) * (d.method === 'btree' ? 1 : 10);
    await onEither(
      connections,
      [...deferred].sort((a, b) => cost(b) - cost(a)).map((d) => d.definition),
    );
    await onEither(
      connections,
      [...analyzeLater].map((table) => `ANALYZE ${next}.${quoteIdentifier(table)}`),
    );

    await db.query('BEGIN');
    const live = await db.query(`SELECT to_regclass($1) AS t`, [`${schema}.projector_checkpoint`]);
    if (live.rows[0].t)
      await db.query(`SELECT position FROM ${schema}.projector_checkpoint WHERE id = 'main' FOR UPDATE`);
    await applyUntilCaughtUp(); // the last few events, with the live projector held
    await db.query(`DROP SCHEMA IF EXISTS ${old} CASCADE`);
    if (live.rows[0].t) await db.query(`ALTER SCHEMA ${schema} RENAME TO ${old}`);
    else await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.query(`ALTER SCHEMA ${next} RENAME TO ${schema}`);
    await db.query('COMMIT');
    await db.query(`DROP SCHEMA IF EXISTS ${old} CASCADE`);
    const seconds = elapsed();
    return { events, position, seconds, eventsPerSecond: events / Math.max(seconds, 1e-9) };
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await other?.end().catch(() => undefined);
    await db.end().catch(() => undefined);
  }
}

/** Runs the statements in order on whichever connection is free; once all have ended, fails with the first failure. */
async function onEither(connections: readonly pg.Client[], statements: readonly string[]): Promise<void> {
  let next = 0;
  const runs = await Promise.allSettled(
    connections.map(async (connection) => {
      while (next < statements.length) await connection.query(statements[next++]);
    }),
  );
  for (const run of runs) if (run.status === 'rejected') throw run.reason;
}

const lastPosition = (batches: RecordedEvent[][]) => {
  const last = batches[batches.length - 1];
  return last[last.length - 1].position;
};

interface DeferredIndex {
  table: string;
  definition: string;
  /** The access method: btree, gin … */
  method: string;
  /** Whether it indexes an expression (its statistics come from an ANALYZE once it exists). */
  expression: boolean;
}

/**
 * Drops the indexes of `schema` that are neither a primary key nor unique (ON CONFLICT needs those) and answers what
 * creates them again.
 */
async function dropDeferrableIndexes(db: pg.Client, schema: string): Promise<DeferredIndex[]> {
  const { rows } = await db.query<DeferredIndex & { name: string }>(
    `SELECT c.relname AS name, t.relname AS table, pg_get_indexdef(i.indexrelid) AS definition, a.amname AS method,
            i.indexprs IS NOT NULL AS expression
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_am a ON a.oid = c.relam
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND NOT i.indisprimary AND NOT i.indisunique
      ORDER BY c.relname`,
    [schema],
  );
  for (const { name } of rows) await db.query(`DROP INDEX ${schema}.${quoteIdentifier(name)}`);
  return rows.map(({ table, definition, method, expression }) => ({ table, definition, method, expression }));
}

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** As the live projector: an event that makes a read model throw is recorded, not silently skipped. */
async function applyWithDeadLetters(
  db: pg.Client,
  readModels: readonly ReadModel[],
  batch: RecordedEvent[],
  schema: string,
  cache: RowCache,
): Promise<void> {
  await db.query('SAVEPOINT batch');
  try {
    for (const model of readModels) await model.applyBatch(batch, db, schema, { cache });
    await db.query('RELEASE SAVEPOINT batch');
    return;
  } catch {
    await db.query('ROLLBACK TO SAVEPOINT batch');
    cache.clear(); // it holds rows of the batch just rolled back
  }
  for (const event of batch) {
    await db.query('SAVEPOINT one');
    try {
      for (const model of readModels) await model.applyBatch([event], db, schema, { cache });
      await db.query('RELEASE SAVEPOINT one');
    } catch (error) {
      await db.query('ROLLBACK TO SAVEPOINT one');
      cache.clear();
      await db.query(
        `INSERT INTO ${schema}.dead_letters (position, event_id, stream_id, type, error) VALUES ($1, $2, $3, $4, $5)`,
        [event.position, event.id, event.streamId, event.type, (error as Error).stack ?? String(error)],
      );
    }
  }
}
