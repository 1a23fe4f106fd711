import type pg from 'pg';
import type { EventMetadata, RecordedEvent } from '../types.js';

export const EVENT_COLUMNS =
  'position, stream_id, revision, id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash';

export interface EventRow {
  position: string;
  stream_id: string;
  revision: string;
  id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  occurred_at: Date | null;
  recorded_at: Date;
  prev_hash: Buffer;
  hash: Buffer;
}

export function toRecorded(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: Number(row.position),
    id: row.id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    prevHash: row.prev_hash.toString('hex'),
    hash: row.hash.toString('hex'),
  };
}

export async function readAllFrom(
  client: pg.Pool | pg.Client,
  schema: string,
  fromPosition: number,
  limit: number,
): Promise<RecordedEvent[]> {
  // Only events written by transactions older than every running one: see es_append's critical
  // section for why this makes every answer a gap-free prefix of the log.
  const { rows } = await client.query<EventRow>({
    name: `es_read_all_${schema}`,
    text: `SELECT ${EVENT_COLUMNS} FROM ${schema}.es_events
            WHERE position > $1 AND ${visibleEvents(schema)}
            ORDER BY position LIMIT $2`,
    values: [fromPosition, limit],
  });
  return rows.map(toRecorded);
}

/**
 * Which events a reader may take: those written by transactions older than every running one, and every event
 * restored from another cluster (up to the store's horizon, see 005_restored_horizon.sql).
 */
export function visibleEvents(schema: string): string {
  return `(position <= (SELECT h.position FROM ${schema}.es_horizon h)
           OR transaction_id < pg_snapshot_xmin(pg_current_snapshot()))`;
}
