-- Restored logs, version 5. A reader takes only events whose transaction is older than every running one
-- (transaction_id < pg_snapshot_xmin), which makes each answer a gap-free prefix of the log. Transaction ids are
-- a cluster's own counter: events restored from another cluster (a backup restored on a new machine, an upgrade
-- fixture, a laptop's dump) carry ids that this cluster may not reach for a long time, and they would stay invisible.
-- The horizon is the last position written by another cluster; every event up to it is committed by definition
-- (it came from a dump), so readers take it whatever its transaction id. Adopting never changes the log.

CREATE TABLE {{schema}}.es_horizon (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  position  bigint  NOT NULL DEFAULT 0
);
INSERT INTO {{schema}}.es_horizon DEFAULT VALUES;

-- Foreign events form a prefix of the log (a restore goes into an empty database; local appends follow it), and a
-- transaction id above this transaction's own cannot have been committed by this cluster before this statement
-- began. So: look at the first event after the horizon; if it is foreign, move the horizon to the last foreign one.
-- Cheap when there is nothing to adopt (one index lookup), a single scan right after a restore.
CREATE FUNCTION {{schema}}.es_adopt_restored() RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  horizon bigint;
  foreign_next boolean;
  mine xid8 := pg_current_xact_id();
BEGIN
  SELECT h.position INTO horizon FROM {{schema}}.es_horizon h FOR UPDATE;
  SELECT e.transaction_id > mine INTO foreign_next
    FROM {{schema}}.es_events e WHERE e.position > horizon ORDER BY e.position LIMIT 1;
  IF foreign_next IS NOT TRUE THEN
    RETURN horizon;
  END IF;
  SELECT max(e.position) INTO horizon FROM {{schema}}.es_events e WHERE e.position > horizon AND e.transaction_id > mine;
  UPDATE {{schema}}.es_horizon SET position = horizon;
  RETURN horizon;
END
$$;
REVOKE ALL ON FUNCTION {{schema}}.es_adopt_restored() FROM PUBLIC;
