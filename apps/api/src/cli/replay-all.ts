import pg from 'pg';
import type { EventStore } from '@app/event-store';
import { createReadModelSchema, dashboardDepartments, dashboardOverview, type ReadModel } from '@app/projections';

export const AS_OF_SCHEMA = 'rm_asof';

/**
 * Rebuilds every read model from the events recorded up to `to` into their own schema (replaced on
 * each run, left in place for querying) — "what did the dashboard say on 15 September?" Within a
 * stream recordedAt only grows, so leaving out later events keeps every case as it stood.
 */
export async function replayAllUntil(options: {
  store: EventStore;
  connectionString: string;
  readModels: readonly ReadModel[];
  version: number;
  to: Date;
  roundId?: string;
}) {
  const db = new pg.Client({ connectionString: options.connectionString, application_name: 'xuncha-replay' });
  db.on('error', () => undefined);
  await db.connect();
  try {
    await db.query(`DROP SCHEMA IF EXISTS ${AS_OF_SCHEMA} CASCADE`);
    await db.query('BEGIN');
    await createReadModelSchema(db, AS_OF_SCHEMA, options.readModels, options.version);
    let position = 0;
    let applied = 0;
    let lastPosition = 0;
    for (;;) {
      const batch = await options.store.readAll({ fromPosition: position, limit: 2000 });
      if (!batch.length) break;
      position = batch[batch.length - 1].position;
      const upTo = batch.filter((e) => e.recordedAt <= options.to);
      if (upTo.length) {
        for (const model of options.readModels) await model.applyBatch(upTo, db, AS_OF_SCHEMA);
        applied += upTo.length;
        lastPosition = upTo[upTo.length - 1].position;
      }
    }
    await db.query(`UPDATE ${AS_OF_SCHEMA}.projector_checkpoint SET position = $1 WHERE id = 'main'`, [lastPosition]);
    await db.query('COMMIT');
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(options.to);
    const overview = await dashboardOverview(db, AS_OF_SCHEMA, { roundId: options.roundId }, day);
    const departments = await dashboardDepartments(db, AS_OF_SCHEMA, { roundId: options.roundId }, day);
    return { applied, lastPosition, day, overview, departments };
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await db.end().catch(() => undefined);
  }
}
