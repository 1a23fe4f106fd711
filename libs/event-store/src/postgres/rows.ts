import type pg from 'pg';
import type { EventMetadata, RecordedEvent } from '../types.js';
import { eventRowTypes } from './timestamps.js';

/**
 * The columns of an event as the store reads them. The hashes come as hex text, as RecordedEvent has them, instead of
 * bytea that pg would turn into a Buffer and toRecorded back into hex; read with `eventRowTypes` (timestamps parsed by
 * position).
 */
export const EVENT_COLUMNS =
  "position, stream_id, revision, id, type, data, metadata, occurred_at, recorded_at, encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash";

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
  /** Hex. */
  prev_hash: string;
  /** Hex. */
  hash: string;
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
    prevHash: row.prev_hash,
    hash: row.hash,
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
    types: eventRowTypes,
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
