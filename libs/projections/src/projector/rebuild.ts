import pg from 'pg';
import type { EventStore, RecordedEvent } from '@app/event-store';
import type { ReadModel } from '../read-model.js';
import { createReadModelSchema } from './projector-schema.js';

export interface RebuildOptions {
  store: EventStore;
  connectionString: string;
  readModels: readonly ReadModel[];
  version: number;
  schema?: string;
  batchSize?: number;
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
  const batchSize = options.batchSize ?? 2000;
  const db = new pg.Client({ connectionString: options.connectionString, application_name: 'xuncha-rebuild' });
  db.on('error', () => undefined); // a dropped connection fails the running query, which is reported
  await db.connect();
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
    await db.query('COMMIT');

    const applyUntilCaughtUp = async (inOpenTransaction: boolean) => {
      for (;;) {
        const batch = await options.store.readAll({ fromPosition: position, limit: batchSize });
        if (batch.length === 0) return;
        if (!inOpenTransaction) await db.query('BEGIN');
        await applyWithDeadLetters(db, options.readModels, batch, next);
        position = batch[batch.length - 1].position;
        await db.query(`UPDATE ${next}.projector_checkpoint SET position = $1, updated_at = now() WHERE id = 'main'`, [
          position,
        ]);
        if (!inOpenTransaction) await db.query('COMMIT');
        events += batch.length;
        await progress();
      }
    };

    await applyUntilCaughtUp(false);
    // A rebuild updates the same rows many times; without this the swapped-in tables start out
    // full of dead row versions and without statistics, and the first dashboards are slow.
    const { rows: tables } = await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = $1`, [next]);
    for (const { tablename } of tables) await db.query(`VACUUM (ANALYZE) ${next}.${tablename}`);

    await db.query('BEGIN');
    const live = await db.query(`SELECT to_regclass($1) AS t`, [`${schema}.projector_checkpoint`]);
    if (live.rows[0].t)
      await db.query(`SELECT position FROM ${schema}.projector_checkpoint WHERE id = 'main' FOR UPDATE`);
    await applyUntilCaughtUp(true); // the last few events, with the live projector held
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
    await db.end().catch(() => undefined);
  }
}

/** As the live projector: an event that makes a read model throw is recorded, not silently skipped. */
async function applyWithDeadLetters(
  db: pg.Client,
  readModels: readonly ReadModel[],
  batch: RecordedEvent[],
  schema: string,
): Promise<void> {
  await db.query('SAVEPOINT batch');
  try {
    for (const model of readModels) await model.applyBatch(batch, db, schema);
    await db.query('RELEASE SAVEPOINT batch');
    return;
  } catch {
    await db.query('ROLLBACK TO SAVEPOINT batch');
  }
  for (const event of batch) {
    await db.query('SAVEPOINT one');
    try {
      for (const model of readModels) await model.applyBatch([event], db, schema);
      await db.query('RELEASE SAVEPOINT one');
    } catch (error) {
      await db.query('ROLLBACK TO SAVEPOINT one');
      await db.query(
        `INSERT INTO ${schema}.dead_letters (position, event_id, stream_id, type, error) VALUES ($1, $2, $3, $4, $5)`,
        [event.position, event.id, event.streamId, event.type, (error as Error).stack ?? String(error)],
      );
    }
  }
}
