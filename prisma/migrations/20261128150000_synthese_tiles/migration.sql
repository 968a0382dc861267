-- Synthese vector tiles (GET /api/synthese/tiles/:z/:x/:y.pbf, packages/core/src/synthese/synthese-tiles.ts).

-- the_geom_point in Web Mercator, stored: the tiles' bbox test and their MVT geometry read it without a PROJ call
-- per row (an expression index on ST_Transform(the_geom_point, 3857) answers the bbox test as fast, but the tile
-- then transforms every candidate row again: 4–8x slower on low-zoom tiles at 100k rows). Computed by PostgreSQL
-- after the BEFORE row trigger that derives the_geom_point.
ALTER TABLE gn_synthese.synthese
  ADD COLUMN the_geom_3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(the_geom_point, 3857)) STORED
  NOT NULL;
CREATE INDEX synthese_the_geom_3857_idx ON gn_synthese.synthese USING gist (the_geom_3857);

-- The data version in the tiles' ETag: a sequence bumped once per writing statement (nextval never blocks nor
-- waits for other writers). It moves when the statement runs, not when its transaction commits, so each writer
-- also holds a shared advisory lock until its transaction ends: while one is held the version is not "settled"
-- (synthese_data_version() returns NULL) and tiles are served without an ETag, never cached with data that a
-- commit is about to change.
CREATE SEQUENCE gn_synthese.synthese_data_version;

CREATE FUNCTION gn_synthese.synthese_bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(20261128, 15);
  PERFORM nextval('gn_synthese.synthese_data_version');
  RETURN NULL;
END $$;

CREATE TRIGGER synthese_bump_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON gn_synthese.synthese
  FOR EACH STATEMENT EXECUTE FUNCTION gn_synthese.synthese_bump_data_version();

-- The version, read before checking for writers in flight (the order matters: a writer that bumped before the read
-- still holds its lock at the check), or NULL while a write is in flight. Advisory locks are per database.
CREATE FUNCTION gn_synthese.synthese_data_version() RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v bigint;
BEGIN
  SELECT CASE WHEN is_called THEN last_value ELSE 0 END INTO v FROM gn_synthese.synthese_data_version;
  IF EXISTS (SELECT 1 FROM pg_locks
              WHERE locktype = 'advisory' AND classid = 20261128 AND objid = 15 AND objsubid = 2
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) THEN
    RETURN NULL;
  END IF;
  RETURN v;
END $$;
