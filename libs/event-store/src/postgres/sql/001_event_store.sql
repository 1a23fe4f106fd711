-- Event store schema, version 1. {{schema}} is replaced by the store's schema name.
-- The log is append-only: one row per event, never updated, never deleted.

CREATE SEQUENCE {{schema}}.es_position_seq AS bigint START 1 CACHE 1;

CREATE TABLE {{schema}}.es_events (
  position        bigint      PRIMARY KEY,
  -- The writing transaction's id. Readers of the global log only look below the oldest
  -- running transaction (see es_append and readAll), which is what makes delivery gap-free.
  transaction_id  xid8        NOT NULL,
  stream_id       text        NOT NULL,
  revision        bigint      NOT NULL CHECK (revision >= 1),
  id              uuid        NOT NULL UNIQUE,
  type            text        NOT NULL,
  data            jsonb       NOT NULL,
  metadata        jsonb       NOT NULL,
  occurred_at     timestamptz NULL,
  recorded_at     timestamptz NOT NULL,
  prev_hash       bytea       NOT NULL,
  hash            bytea       NOT NULL,
  CONSTRAINT es_events_stream_revision UNIQUE (stream_id, revision)
);

-- Seals: a chain of its own over the heads of all streams, so that deleting the newest
-- events of a stream (which a per-stream chain cannot see) is detected.
CREATE TABLE {{schema}}.es_seals (
  seq             bigint      PRIMARY KEY,
  sealed_at       timestamptz NOT NULL,
  up_to_position  bigint      NOT NULL,
  event_count     bigint      NOT NULL,
  heads           jsonb       NOT NULL,
  prev_hash       bytea       NOT NULL,
  hash            bytea       NOT NULL
);

-- The database itself refuses to change history, whoever connects, unless a superuser
-- deliberately disables the trigger (which the README says plainly).
CREATE FUNCTION {{schema}}.es_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on %.% is not allowed: the event log is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER es_events_append_only BEFORE UPDATE OR DELETE ON {{schema}}.es_events
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.es_refuse_change();
CREATE TRIGGER es_events_no_truncate BEFORE TRUNCATE ON {{schema}}.es_events
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.es_refuse_change();
CREATE TRIGGER es_seals_append_only BEFORE UPDATE OR DELETE ON {{schema}}.es_seals
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.es_refuse_change();
CREATE TRIGGER es_seals_no_truncate BEFORE TRUNCATE ON {{schema}}.es_seals
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.es_refuse_change();

-- Appends events to one stream in one statement (one round trip, one implicit transaction).
--
-- p_expected: 'any' | 'no_stream' | 'stream_exists' | a revision number as text.
-- p_digests:  SHA-256 of each event's canonical JSON {data, metadata, occurredAt}, computed by
--             the caller; the chained hash over the rest of the event is computed here, where
--             the previous hash is at hand, so an append needs no extra round trip.
--
-- Result codes are raised with ERRCODE 'ES001' (wrong expected revision) and 'ES002'
-- (an event id reused with different content).
CREATE FUNCTION {{schema}}.es_append(
  p_stream_id   text,
  p_expected    text,
  p_ids         uuid[],
  p_types       text[],
  p_data        jsonb[],
  p_metadata    jsonb[],
  p_occurred_at timestamptz[],
  p_digests     bytea[]
) RETURNS TABLE (next_revision bigint, last_position bigint, recorded_at timestamptz, already_appended boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_n         int := cardinality(p_ids);
  v_existing  int;
  v_head      bigint;
  v_hash      bytea;
  v_now       timestamptz;
  v_now_text  text;
  v_first     bigint;
  v_rev       bigint;
BEGIN
  -- A retried request: the same ids were appended already. Answer the original result.
  SELECT count(*) INTO v_existing FROM {{schema}}.es_events e WHERE e.id = ANY (p_ids);
  IF v_existing > 0 THEN
    IF v_existing = v_n AND NOT EXISTS (
         SELECT 1 FROM unnest(p_ids, p_types, p_data) AS n(id, type, data)
         LEFT JOIN {{schema}}.es_events e ON e.id = n.id
         WHERE e.id IS NULL OR e.stream_id <> p_stream_id OR e.type <> n.type OR e.data <> n.data) THEN
      RETURN QUERY SELECT max(e.revision), max(e.position), max(e.recorded_at), true
        FROM {{schema}}.es_events e WHERE e.id = ANY (p_ids);
      RETURN;
    END IF;
    RAISE EXCEPTION 'event id reused with different content in stream %', p_stream_id
      USING ERRCODE = 'ES002';
  END IF;

  SELECT e.revision, e.hash INTO v_head, v_hash
    FROM {{schema}}.es_events e WHERE e.stream_id = p_stream_id ORDER BY e.revision DESC LIMIT 1;
  v_head := coalesce(v_head, 0);
  v_hash := coalesce(v_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);

  IF (p_expected = 'no_stream' AND v_head <> 0)
     OR (p_expected = 'stream_exists' AND v_head = 0)
     OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists') AND p_expected::bigint <> v_head) THEN
    RAISE EXCEPTION 'wrong expected revision for stream %', p_stream_id
      USING ERRCODE = 'ES001', DETAIL = v_head::text;
  END IF;

  -- The transaction id must be taken inside the critical section below, so this append must
  -- be the first write of its transaction.
  IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
    RAISE EXCEPTION 'es_append must be the first write of its transaction';
  END IF;

  -- Critical section: take the transaction id and the positions together, so that position
  -- order equals transaction-id order for every append. A reader that only reads events whose
  -- transaction id is below the oldest running one (pg_snapshot_xmin) then always sees a
  -- prefix of the log in position order: an event can never become visible at a position
  -- below one already read (the skipped-event bug of Marten #3321 / Axon #391).
  -- The lock is session-level so that it is held for microseconds, not until commit (commits,
  -- with their WAL flush, stay concurrent); the handler releases it on any error.
  BEGIN
    PERFORM pg_advisory_lock(hashtext('{{schema}}.es_append'));
    PERFORM pg_current_xact_id();
    v_first := nextval('{{schema}}.es_position_seq');
    IF v_n > 1 THEN
      PERFORM setval('{{schema}}.es_position_seq', v_first + v_n - 1);
    END IF;
    PERFORM pg_advisory_unlock(hashtext('{{schema}}.es_append'));
  EXCEPTION WHEN query_canceled OR others THEN
    PERFORM pg_advisory_unlock(hashtext('{{schema}}.es_append'));
    RAISE;
  END;

  v_now := date_trunc('milliseconds', clock_timestamp());
  v_now_text := to_char(v_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  FOR i IN 1 .. v_n LOOP
    v_rev := v_head + i;
    INSERT INTO {{schema}}.es_events
      (position, transaction_id, stream_id, revision, id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash)
    VALUES
      (v_first + i - 1, pg_current_xact_id(), p_stream_id, v_rev, p_ids[i], p_types[i], p_data[i], p_metadata[i],
       p_occurred_at[i], v_now, v_hash,
       sha256(v_hash || convert_to(
         p_stream_id || E'\n' || v_rev::text || E'\n' || p_ids[i]::text || E'\n' || p_types[i] || E'\n' || v_now_text || E'\n',
         'UTF8') || p_digests[i]))
    RETURNING hash INTO v_hash;
  END LOOP;

  RETURN QUERY SELECT v_head + v_n, v_first + v_n - 1, v_now, false;
END $$;
