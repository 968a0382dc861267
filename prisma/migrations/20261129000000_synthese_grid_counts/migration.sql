-- Observation counts per square Web Mercator cell, kept in step with the synthese, for the low-zoom vector tiles
-- (z ≤ 10, layer "grid": 64 × 64 cells per tile, i.e. the cells of quadtree level z + 6). Without them a z6 tile
-- over a park aggregates every point of the park on each request (0.5–2 s at 1M rows); with them it sums at most
-- 64 × 64 cells per (dataset, source). See docs/adr/0014-synthese-grid-counts.md.
--
-- Cell (level L, gx, gy): gx = floor((x + 20037508.342789244) / (40075016.68557849 / 2^L)), gy likewise from the
-- south edge of the Web Mercator square; levels 6..16 (tiles z0..z10). A level-L cell is (gx16 >> (16 - L)).

CREATE FUNCTION gn_synthese.grid_cell16_x(g geometry) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN least(65535, greatest(0, floor((ST_X(g) + 20037508.342789244) / 611.4962262814101)::integer));
CREATE FUNCTION gn_synthese.grid_cell16_y(g geometry) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN least(65535, greatest(0, floor((ST_Y(g) + 20037508.342789244) / 611.4962262814101)::integer));

-- Compacted counts: written only by gn_synthese.compact_grid_counts(). Each cell also has a row of all datasets
-- and sources (id_dataset = id_source = 0, no such ids exist): what an unfiltered tile reads. n is in the key's
-- index so that a tile is read from the index alone.
CREATE TABLE gn_synthese.grid_counts (
  level      smallint NOT NULL CHECK (level BETWEEN 6 AND 16),
  gx         integer  NOT NULL,
  gy         integer  NOT NULL,
  id_dataset integer  NOT NULL,
  id_source  integer  NOT NULL,
  n          bigint   NOT NULL,
  PRIMARY KEY (level, gx, gy, id_dataset, id_source) INCLUDE (n)
);
COMMENT ON TABLE gn_synthese.grid_counts IS 'Observations per Web Mercator cell (levels 6–16), dataset and source: the low-zoom tiles read it (with grid_count_deltas).';

-- Changes not yet compacted: writers only append here (+n inserted, −n deleted), so concurrent writers never wait
-- on each other's counts; readers sum both tables.
CREATE TABLE gn_synthese.grid_count_deltas (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  level      smallint NOT NULL,
  gx         integer  NOT NULL,
  gy         integer  NOT NULL,
  id_dataset integer  NOT NULL,
  id_source  integer  NOT NULL,
  n          bigint   NOT NULL
);
CREATE INDEX grid_count_deltas_cell_idx ON gn_synthese.grid_count_deltas (level, gx, gy);
COMMENT ON TABLE gn_synthese.grid_count_deltas IS 'Count changes appended by the synthese writers, folded into grid_counts by compact_grid_counts().';

-- Folds the committed deltas into grid_counts. One compactor at a time (try-lock: a writer that cannot get it leaves
-- its deltas for the next one, and never waits); the lock and the row locks of grid_counts last until its
-- transaction ends, and nobody else writes grid_counts.
CREATE FUNCTION gn_synthese.compact_grid_counts() RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(20261128, 16) THEN
    RETURN;
  END IF;
  WITH moved AS (DELETE FROM gn_synthese.grid_count_deltas RETURNING level, gx, gy, id_dataset, id_source, n)
  INSERT INTO gn_synthese.grid_counts AS c (level, gx, gy, id_dataset, id_source, n)
  SELECT level, gx, gy, id_dataset, id_source, sum(n) FROM moved
   GROUP BY level, gx, gy, id_dataset, id_source HAVING sum(n) <> 0
  ON CONFLICT (level, gx, gy, id_dataset, id_source) DO UPDATE SET n = c.n + EXCLUDED.n;
END $$;

-- One statement per writing statement: level-16 cells counted once, the coarser levels and the all-datasets rows
-- rolled up from them.
CREATE FUNCTION gn_synthese.append_grid_count_deltas(cells jsonb) RETURNS void
  LANGUAGE sql AS $$
  INSERT INTO gn_synthese.grid_count_deltas (level, gx, gy, id_dataset, id_source, n)
  SELECT level, x, y, COALESCE(id_dataset, 0), COALESCE(id_source, 0), sum(n)
    FROM (SELECT l.level, c.gx >> (16 - l.level) AS x, c.gy >> (16 - l.level) AS y, c.id_dataset, c.id_source, c.n
            FROM jsonb_to_recordset(cells) AS c(gx integer, gy integer, id_dataset integer, id_source integer, n bigint)
           CROSS JOIN generate_series(6, 16) AS l(level)) r
   GROUP BY GROUPING SETS ((level, x, y, id_dataset, id_source), (level, x, y))
  HAVING sum(n) <> 0
$$;

CREATE FUNCTION gn_synthese.synthese_count_inserted_cells() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gn_synthese.append_grid_count_deltas((
    SELECT jsonb_agg(c) FROM (
      SELECT gn_synthese.grid_cell16_x(the_geom_3857) AS gx, gn_synthese.grid_cell16_y(the_geom_3857) AS gy,
             id_dataset, id_source, count(*) AS n
        FROM new_rows GROUP BY 1, 2, 3, 4) c));
  PERFORM gn_synthese.compact_grid_counts();
  RETURN NULL;
END $$;
CREATE TRIGGER synthese_count_inserted_cells AFTER INSERT ON gn_synthese.synthese
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gn_synthese.synthese_count_inserted_cells();

CREATE FUNCTION gn_synthese.synthese_count_deleted_cells() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gn_synthese.append_grid_count_deltas((
    SELECT jsonb_agg(c) FROM (
      SELECT gn_synthese.grid_cell16_x(the_geom_3857) AS gx, gn_synthese.grid_cell16_y(the_geom_3857) AS gy,
             id_dataset, id_source, -count(*) AS n
        FROM old_rows GROUP BY 1, 2, 3, 4) c));
  PERFORM gn_synthese.compact_grid_counts();
  RETURN NULL;
END $$;
CREATE TRIGGER synthese_count_deleted_cells AFTER DELETE ON gn_synthese.synthese
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gn_synthese.synthese_count_deleted_cells();

-- Updates: only rows that changed cell, dataset or source (a validation status change adds nothing).
CREATE FUNCTION gn_synthese.synthese_count_updated_cells() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gn_synthese.append_grid_count_deltas((
    SELECT jsonb_agg(c) FROM (
      SELECT gx, gy, id_dataset, id_source, sum(n) AS n
        FROM (SELECT m.*
                FROM new_rows nr JOIN old_rows orow ON orow.id = nr.id
               CROSS JOIN LATERAL (VALUES
                 (gn_synthese.grid_cell16_x(nr.the_geom_3857), gn_synthese.grid_cell16_y(nr.the_geom_3857),
                  nr.id_dataset, nr.id_source, 1),
                 (gn_synthese.grid_cell16_x(orow.the_geom_3857), gn_synthese.grid_cell16_y(orow.the_geom_3857),
                  orow.id_dataset, orow.id_source, -1)) AS m(gx, gy, id_dataset, id_source, n)
               WHERE (gn_synthese.grid_cell16_x(nr.the_geom_3857), gn_synthese.grid_cell16_y(nr.the_geom_3857),
                      nr.id_dataset, nr.id_source)
                     IS DISTINCT FROM
                     (gn_synthese.grid_cell16_x(orow.the_geom_3857), gn_synthese.grid_cell16_y(orow.the_geom_3857),
                      orow.id_dataset, orow.id_source)) changed
       GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0) c));
  PERFORM gn_synthese.compact_grid_counts();
  RETURN NULL;
END $$;
CREATE TRIGGER synthese_count_updated_cells AFTER UPDATE ON gn_synthese.synthese
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gn_synthese.synthese_count_updated_cells();

CREATE FUNCTION gn_synthese.synthese_count_truncated() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE gn_synthese.grid_counts, gn_synthese.grid_count_deltas;
  RETURN NULL;
END $$;
CREATE TRIGGER synthese_count_truncated AFTER TRUNCATE ON gn_synthese.synthese
  FOR EACH STATEMENT EXECUTE FUNCTION gn_synthese.synthese_count_truncated();

-- The observations already there.
SELECT gn_synthese.append_grid_count_deltas((
  SELECT jsonb_agg(c) FROM (
    SELECT gn_synthese.grid_cell16_x(the_geom_3857) AS gx, gn_synthese.grid_cell16_y(the_geom_3857) AS gy,
           id_dataset, id_source, count(*) AS n
      FROM gn_synthese.synthese GROUP BY 1, 2, 3, 4) c));
SELECT gn_synthese.compact_grid_counts();
