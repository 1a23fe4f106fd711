-- es_import, version 6: writes events that were recorded elsewhere (a field laptop's log, handed over in a signed
-- bundle) with their own recordedAt and hashes, so that their chains stay verifiable here. One call, one
-- transaction: either every event is written or none. The caller (the hand-over import) has verified the bundle
-- first; this function checks again what it can see only here: each event must continue its stream exactly where
-- this store's copy ends (revision = head + 1) and its hash must be what the chain formula gives from the head's
-- hash, the event's header and the content digest the caller computed (verification re-hashes the content later).
-- An event without `recordedAt` is this store's own (e.g. the record of the import): it gets this moment and a
-- hash chained here, like es_append.
--
-- p_events:  [{"streamId", "revision", "id", "type", "data", "metadata", "occurredAt", "recordedAt", "hash"}, …]
-- p_digests: the events' content digests, 32 bytes each, concatenated in the same order.
-- Errors: ES003 (a link does not continue the chain here), DETAIL = 'streamId revision'.
CREATE FUNCTION {{schema}}.es_import(p_events jsonb, p_digests bytea)
RETURNS TABLE (events bigint, last_position bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_n         int := jsonb_array_length(p_events);
  v_first     bigint;
  v_xid       xid8;
  v_event     jsonb;
  v_stream    text;
  v_rev       bigint;
  v_head      bigint;
  v_hash      bytea;
  v_new       bytea;
  v_at_text   text;
  v_now       timestamptz := date_trunc('milliseconds', clock_timestamp());
BEGIN
  IF v_n = 0 THEN
    RETURN QUERY SELECT 0::bigint, 0::bigint;
    RETURN;
  END IF;
  IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
    RAISE EXCEPTION 'es_import must be the first write of its transaction';
  END IF;
  -- The same critical section as es_append: transaction id and positions taken together.
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

  FOR i IN 1 .. v_n LOOP
    v_event := p_events -> (i - 1);
    v_stream := v_event->>'streamId';
    v_rev := (v_event->>'revision')::bigint;
    SELECT x.revision, x.hash INTO v_head, v_hash
      FROM {{schema}}.es_events x WHERE x.stream_id = v_stream ORDER BY x.revision DESC LIMIT 1;
    v_head := coalesce(v_head, 0);
    v_hash := coalesce(v_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    IF v_event->>'recordedAt' IS NULL THEN
      v_rev := v_head + 1;
      v_at_text := to_char(v_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
    ELSE
      v_at_text := v_event->>'recordedAt';
    END IF;
    IF v_rev <> v_head + 1 THEN
      RAISE EXCEPTION 'stream % revision % does not continue this store''s copy (head %)', v_stream, v_rev, v_head
        USING ERRCODE = 'ES003', DETAIL = v_stream || ' ' || v_rev::text;
    END IF;
    v_new := sha256(v_hash || convert_to(
      v_stream || E'\n' || v_rev::text || E'\n' || (v_event->>'id') || E'\n' || (v_event->>'type') || E'\n' ||
      v_at_text || E'\n', 'UTF8') || substring(p_digests FROM (i - 1) * 32 + 1 FOR 32));
    IF v_event->>'hash' IS NOT NULL AND v_new <> decode(v_event->>'hash', 'hex') THEN
      RAISE EXCEPTION 'stream % revision %: the hash does not follow from its chain', v_stream, v_rev
        USING ERRCODE = 'ES003', DETAIL = v_stream || ' ' || v_rev::text;
    END IF;
    INSERT INTO {{schema}}.es_events
      (position, transaction_id, stream_id, revision, id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash)
    VALUES
      (v_first + i - 1, v_xid, v_stream, v_rev, (v_event->>'id')::uuid, v_event->>'type', v_event->'data',
       v_event->'metadata', (v_event->>'occurredAt')::timestamptz, v_at_text::timestamptz, v_hash, v_new);
  END LOOP;

  RETURN QUERY SELECT v_n::bigint, v_first + v_n - 1;
END $$;

REVOKE ALL ON FUNCTION {{schema}}.es_import(jsonb, bytea) FROM PUBLIC;
