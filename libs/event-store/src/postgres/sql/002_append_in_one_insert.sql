-- es_append, version 2: the events arrive as one jsonb array (no per-element array encoding on
-- the client) and are written with ONE multi-row INSERT after their hashes are chained in a loop,
-- instead of one INSERT per event. Same rules, same hash formula, same critical section.
DROP FUNCTION {{schema}}.es_append(text, text, uuid[], text[], jsonb[], jsonb[], timestamptz[], bytea[]);

-- p_events:  [{"id", "type", "data", "metadata", "occurredAt"}, …] in append order.
-- p_digests: the events' content digests (SHA-256 of canonical {data, metadata, occurredAt}),
--            32 bytes each, concatenated in the same order.
CREATE FUNCTION {{schema}}.es_append(
  p_stream_id text,
  p_expected  text,
  p_events    jsonb,
  p_digests   bytea
) RETURNS TABLE (next_revision bigint, last_position bigint, recorded_at timestamptz, already_appended boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_n         int := jsonb_array_length(p_events);
  v_ids       uuid[];
  v_existing  int;
  v_head      bigint;
  v_hash      bytea;
  v_prev      bytea[];
  v_hashes    bytea[];
  v_now       timestamptz;
  v_now_text  text;
  v_first     bigint;
  v_xid       xid8;
  v_event     jsonb;
BEGIN
  SELECT array_agg((e->>'id')::uuid ORDER BY o) INTO v_ids FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, o);

  -- A retried request: the same ids were appended already. Answer the original result.
  SELECT count(*) INTO v_existing FROM {{schema}}.es_events e WHERE e.id = ANY (v_ids);
  IF v_existing > 0 THEN
    IF v_existing = v_n AND NOT EXISTS (
         SELECT 1 FROM jsonb_array_elements(p_events) AS n(e)
         LEFT JOIN {{schema}}.es_events x ON x.id = (n.e->>'id')::uuid
         WHERE x.id IS NULL OR x.stream_id <> p_stream_id OR x.type <> n.e->>'type' OR x.data <> n.e->'data') THEN
      RETURN QUERY SELECT max(x.revision), max(x.position), max(x.recorded_at), true
        FROM {{schema}}.es_events x WHERE x.id = ANY (v_ids);
      RETURN;
    END IF;
    RAISE EXCEPTION 'event id reused with different content in stream %', p_stream_id
      USING ERRCODE = 'ES002';
  END IF;

  SELECT x.revision, x.hash INTO v_head, v_hash
    FROM {{schema}}.es_events x WHERE x.stream_id = p_stream_id ORDER BY x.revision DESC LIMIT 1;
  v_head := coalesce(v_head, 0);
  v_hash := coalesce(v_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);

  IF (p_expected = 'no_stream' AND v_head <> 0)
     OR (p_expected = 'stream_exists' AND v_head = 0)
     OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists') AND p_expected::bigint <> v_head) THEN
    RAISE EXCEPTION 'wrong expected revision for stream %', p_stream_id
      USING ERRCODE = 'ES001', DETAIL = v_head::text;
  END IF;

  IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
    RAISE EXCEPTION 'es_append must be the first write of its transaction';
  END IF;

  -- Critical section (see version 1 for why): transaction id and positions taken together, so
  -- position order equals transaction-id order and readers below pg_snapshot_xmin never skip.
  BEGIN
    PERFORM pg_advisory_lock(hashtext('{{schema}}.es_append'));
    v_xid := pg_current_xact_id();
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
    FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, o);

  RETURN QUERY SELECT v_head + v_n, v_first + v_n - 1, v_now, false;
END $$;
