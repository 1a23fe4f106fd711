-- Least privilege, version 4. The application may connect as a role that cannot write the log
-- itself (no INSERT, UPDATE, DELETE or TRUNCATE on es_events, and it owns nothing here, so it
-- cannot disable the triggers or alter the tables): it appends only through es_append, which now
-- runs with the rights of the schema's owner. A SECURITY DEFINER function must not resolve names
-- through the caller's search_path (a caller could shadow a function or an operator in a schema
-- of its own), so it is pinned to pg_catalog; every table and sequence of the store is already
-- written with its schema. Which role may call it is granted by the migration runner
-- (grantEventStoreAccess), not to PUBLIC.

ALTER FUNCTION {{schema}}.es_append(text, text, jsonb, bytea)
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
-- Called by es_append (so as the owner) and read-only; pinned as well.
ALTER FUNCTION {{schema}}.es_replayed(text, jsonb, uuid[]) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION {{schema}}.es_refuse_change() SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION {{schema}}.es_append(text, text, jsonb, bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION {{schema}}.es_replayed(text, jsonb, uuid[]) FROM PUBLIC;
REVOKE ALL ON SEQUENCE {{schema}}.es_position_seq FROM PUBLIC;
