/**
 * The baseline table of the store and API benchmarks: shaped like event_store.es_events (same columns, keys and
 * defaults) but written with plain INSERTs, and hashes a constant instead of a chain.
 */
export const CONST_HASH = `'\\x${'ab'.repeat(32)}'::bytea`;

export function rawEventsTableSql(schema: string, table: string): string {
  return `
    CREATE SEQUENCE ${schema}.${table}_seq AS bigint START 1;
    CREATE TABLE ${schema}.${table} (
      position        bigint      PRIMARY KEY DEFAULT nextval('${schema}.${table}_seq'),
      transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
      stream_id       text        NOT NULL,
      revision        bigint      NOT NULL,
      id              uuid        NOT NULL UNIQUE,
      type            text        NOT NULL,
      data            jsonb       NOT NULL,
      metadata        jsonb       NOT NULL,
      occurred_at     timestamptz NULL,
      recorded_at     timestamptz NOT NULL DEFAULT now(),
      prev_hash       bytea       NOT NULL DEFAULT ${CONST_HASH},
      hash            bytea       NOT NULL DEFAULT ${CONST_HASH},
      UNIQUE (stream_id, revision)
    );`;
}
