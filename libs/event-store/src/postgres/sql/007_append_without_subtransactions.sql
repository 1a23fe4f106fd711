-- es_append, version 4: no subtransactions. Version 3 wrapped the critical section and the INSERT in
-- BEGIN … EXCEPTION blocks; each is a subtransaction (a savepoint, and a subtransaction id on every row the
-- INSERT writes, which readers then resolve through pg_subtrans). Same answers, same guarantees:
-- * The critical section (advisory lock, transaction id, positions) has nothing in it that fails short of a
--   cancel or a broken connection. Should it fail, the session keeps the advisory lock: the store then
--   closes that connection instead of returning it to its pool (PgEventStore.appendToStream), which releases
--   the lock, as a crash of the app would.
-- * A conflicting row is detected by ON CONFLICT DO NOTHING instead of a caught unique_violation: fewer rows
--   inserted than given means a conflict, and the function then answers as version 3 did: the original result
--   of a retried append, ES002 for an id reused, or the unique violation of the constraint at fault, raised
--   with its name. The rows that did go in are rolled back with the statement, as before.
-- * The ids are read in a loop of simple expressions instead of a query, and the result is RETURN NEXT.
-- Measured with pgbench against the machine's PostgreSQL 15 (one client, synchronous_commit off, so that CPU and
-- not the WAL flush is timed; 5 alternating rounds of 4 s runs), with a single-event INSERT … VALUES path as well:
-- 3,167 single-event appends/s on average against 3,014 for version 3 (+5%, inside the runs' spread); the bare INSERT
-- of the same row ran at ~9,360/s. That path was dropped again: a second copy of the INSERT for a gain in the noise.
CREATE OR REPLACE FUNCTION {{schema}}.es_append(
  p_stream_id text,
  p_expected  text,
  p_events    jsonb,
  p_digests   bytea
) RETURNS TABLE (next_revision bigint, last_position bigint, recorded_at timestamptz, already_appended boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_n         int := jsonb_array_length(p_events);
  v_ids       uuid[];
  v_head      bigint;
  v_hash      bytea;
  v_prev      bytea[];
  v_hashes    bytea[];
  v_now       timestamptz;
  v_now_text  text;
  v_first     bigint;
  v_xid       xid8;
  v_event     jsonb;
  v_inserted  int;
  v_constraint text;
  v_existing  int;
BEGIN
  FOR i IN 1 .. v_n LOOP
    v_ids[i] := (p_events -> (i - 1) ->> 'id')::uuid;
  END LOOP;

  SELECT x.revision, x.hash INTO v_head, v_hash
    FROM {{schema}}.es_events x WHERE x.stream_id = p_stream_id ORDER BY x.revision DESC LIMIT 1;
  v_head := coalesce(v_head, 0);
  v_hash := coalesce(v_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);

  IF (p_expected = 'no_stream' AND v_head <> 0)
     OR (p_expected = 'stream_exists' AND v_head = 0)
     OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists') AND p_expected::bigint <> v_head) THEN
    -- Perhaps a retried request whose first attempt succeeded: answer the original result.
    RETURN QUERY SELECT * FROM {{schema}}.es_replayed(p_stream_id, p_events, v_ids);
    IF FOUND THEN
      RETURN;
    END IF;
    RAISE EXCEPTION 'wrong expected revision for stream %', p_stream_id
      USING ERRCODE = 'ES001', DETAIL = v_head::text;
  END IF;

  IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
    RAISE EXCEPTION 'es_append must be the first write of its transaction';
  END IF;

  -- Critical section (see version 1 for why): transaction id and positions taken together, so
  -- position order equals transaction-id order and readers below pg_snapshot_xmin never skip.
  PERFORM pg_advisory_lock(hashtext('{{schema}}.es_append'));
  v_xid := pg_current_xact_id();
  v_first := nextval('{{schema}}.es_position_seq');
  IF v_n > 1 THEN
    PERFORM setval('{{schema}}.es_position_seq', v_first + v_n - 1);
  END IF;
  PERFORM pg_advisory_unlock(hashtext('{{schema}}.es_append'));

  v_now := date_trunc('milliseconds', clock_timestamp());
  v_now_text := to_char(v_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  FOR i IN 1 .. v_n LOOP
    v_event := p_events -> (i - 1);
    v_prev[i] := v_hash;
    v_hash := sha256(v_hash || convert_to(
      p_stream_id || E'\n' || (v_head + i)::text || E'\n' || v_ids[i]::text || E'\n' || (v_event->>'type') || E'\n' || v_now_text || E'\n',
      'UTF8') || substring(p_digests FROM (i - 1) * 32 + 1 FOR 32));
    v_hashes[i] := v_hash;
  END LOOP;

  INSERT INTO {{schema}}.es_events
    (position, transaction_id, stream_id, revision, id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash)
  SELECT v_first + o - 1, v_xid, p_stream_id, v_head + o, v_ids[o], e->>'type', e->'data', e->'metadata',
         (e->>'occurredAt')::timestamptz, v_now, v_prev[o], v_hashes[o]
    FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, o)
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS v_inserted = ROW_COUNT;

  IF v_inserted < v_n THEN
    -- A row met a committed one with the same key. Rows this call did insert are left out of the count (they go
    -- with the exception below): every id stored by another transaction is a retried request, answered with the
    -- original result (es_replayed; nothing of this call went in, as every row met its id), or ES002 if the
    -- content differs; some of them is an id reused (ES002); none, the revision was taken by a concurrent append.
    SELECT count(*) INTO v_existing FROM {{schema}}.es_events x WHERE x.id = ANY (v_ids) AND x.transaction_id <> v_xid;
    IF v_existing = v_n THEN
      RETURN QUERY SELECT * FROM {{schema}}.es_replayed(p_stream_id, p_events, v_ids);
      RETURN;
    ELSIF v_existing > 0 THEN
      RAISE EXCEPTION 'event id reused with different content in stream %', p_stream_id
        USING ERRCODE = 'ES002';
    END IF;
    v_constraint := CASE WHEN EXISTS (
        SELECT 1 FROM {{schema}}.es_events x
         WHERE x.stream_id = p_stream_id AND x.revision > v_head AND x.transaction_id <> v_xid)
      THEN 'es_events_stream_revision' ELSE 'es_events_pkey' END;
    RAISE EXCEPTION 'duplicate key value violates unique constraint "%"', v_constraint
      USING ERRCODE = 'unique_violation', CONSTRAINT = v_constraint, TABLE = 'es_events', SCHEMA = '{{schema}}';
  END IF;

  next_revision := v_head + v_n;
  last_position := v_first + v_n - 1;
  recorded_at := v_now;
  already_appended := false;
  RETURN NEXT;
END $$;
