import type pg from 'pg';
import type { RecordedEvent } from '@app/event-store';
import type { ApplyContext } from './read-models/sql.js';

/** The live read models live in this schema; a rebuild fills `${READ_MODEL_SCHEMA}_next` and swaps it in. */
export const READ_MODEL_SCHEMA = 'rm';

/**
 * One read model: the tables it owns and how a batch of events changes them. The projector calls
 * `applyBatch` for every batch, in global order, inside ONE transaction that also advances the
 * checkpoint, so after any crash the figures are exact: a batch is applied entirely or not at all.
 *
 * Implementations must:
 * - touch only tables they created in `schema` (never hard-code `rm.`: rebuilds use another schema);
 * - be deterministic: the same events give the same rows (no clock, no random ids);
 * - work per batch, not per event, so a rebuild of a million events stays fast: load the rows the
 *   batch touches with one query, fold the events in memory, write them back with one statement;
 * - ignore event types they do not know (other read models and future events share the log);
 * - read and write only through `loadRows`, `upsertRows` and `CounterDeltas` (read-models/sql.ts), and expect
 *   nothing of a write but that it happens before the batch commits: during the bulk of a rebuild the rows written
 *   are kept in memory and written once at the end of a segment of batches (RowCache, write-back).
 */
export interface ReadModel {
  readonly name: string;
  /** CREATE TABLE / INDEX statements for an empty `schema`. */
  ddl(schema: string): string;
  applyBatch(
    events: readonly RecordedEvent[],
    db: pg.ClientBase,
    schema: string,
    context?: ApplyContext,
  ): Promise<void>;
}

export { ALL_SCOPES, roundScope, type ApplyContext } from './read-models/sql.js';
