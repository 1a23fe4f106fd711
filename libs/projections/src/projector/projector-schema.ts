import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ReadModel } from '../read-model.js';

/**
 * The projector's own tables live in the same schema as the read models they describe, so a
 * rebuild swaps figures, checkpoint and dead letters together in one rename.
 */
export function projectorDdl(schema: string, version: number, generation: string): string {
  return `
    CREATE TABLE ${schema}.projector_checkpoint (
      id          text        PRIMARY KEY,
      position    bigint      NOT NULL,
      version     int         NOT NULL,
      generation  uuid        NOT NULL,
      updated_at  timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO ${schema}.projector_checkpoint (id, position, version, generation) VALUES ('main', 0, ${Number(version)}, '${generation}');
    -- Per scope (a round, or 'all'), the position of the last batch that changed anything in it: answers about one
    -- round stay valid while other rounds change (the API's AnswerCache).
    CREATE TABLE ${schema}.read_versions (
      scope     text   PRIMARY KEY,
      position  bigint NOT NULL
    );
    CREATE TABLE ${schema}.dead_letters (
      id           bigserial   PRIMARY KEY,
      position     bigint      NOT NULL,
      event_id     uuid        NOT NULL,
      stream_id    text        NOT NULL,
      type         text        NOT NULL,
      error        text        NOT NULL,
      recorded_at  timestamptz NOT NULL DEFAULT now()
    );`;
}

/** Creates `schema` with the projector's tables and every read model's, empty, at position 0. */
export async function createReadModelSchema(
  db: pg.ClientBase,
  schema: string,
  readModels: readonly ReadModel[],
  version: number,
): Promise<string> {
  const generation = randomUUID();
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(projectorDdl(schema, version, generation));
  for (const model of readModels) await db.query(model.ddl(schema));
  return generation;
}

export interface CheckpointRow {
  position: number;
  version: number;
  generation: string;
}

export async function readCheckpoint(db: pg.ClientBase | pg.Pool, schema: string): Promise<CheckpointRow | undefined> {
  const exists = await db.query(`SELECT to_regclass($1) AS t`, [`${schema}.projector_checkpoint`]);
  if (!exists.rows[0].t) return undefined;
  const { rows } = await db.query(
    `SELECT position, version, generation FROM ${schema}.projector_checkpoint WHERE id = 'main'`,
  );
  return rows.length
    ? { position: Number(rows[0].position), version: rows[0].version, generation: rows[0].generation }
    : undefined;
}
