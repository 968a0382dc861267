-- Per-cell counts (20261129000000_synthese_grid_counts): a writer that gets the compaction lock adds its counts
-- straight into grid_counts instead of appending deltas it would fold in at once (the deltas' insert and delete were
-- a third of a bulk insert's trigger time). A writer that cannot get the lock still only appends deltas: writers
-- never wait on each other. The lock is re-entrant within a transaction, so compact_grid_counts() still runs.
CREATE OR REPLACE FUNCTION gn_synthese.append_grid_count_deltas(cells jsonb) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF pg_try_advisory_xact_lock(20261128, 16) THEN
    PERFORM gn_synthese.compact_grid_counts();
    INSERT INTO gn_synthese.grid_counts AS g (level, gx, gy, id_dataset, id_source, n)
    SELECT level, x, y, COALESCE(id_dataset, 0), COALESCE(id_source, 0), sum(n)
      FROM (SELECT l.level, c.gx >> (16 - l.level) AS x, c.gy >> (16 - l.level) AS y, c.id_dataset, c.id_source, c.n
              FROM jsonb_to_recordset(cells) AS c(gx integer, gy integer, id_dataset integer, id_source integer, n bigint)
             CROSS JOIN generate_series(6, 16) AS l(level)) r
     GROUP BY GROUPING SETS ((level, x, y, id_dataset, id_source), (level, x, y))
    HAVING sum(n) <> 0
    ON CONFLICT (level, gx, gy, id_dataset, id_source) DO UPDATE SET n = g.n + EXCLUDED.n;
  ELSE
    INSERT INTO gn_synthese.grid_count_deltas (level, gx, gy, id_dataset, id_source, n)
    SELECT level, x, y, COALESCE(id_dataset, 0), COALESCE(id_source, 0), sum(n)
      FROM (SELECT l.level, c.gx >> (16 - l.level) AS x, c.gy >> (16 - l.level) AS y, c.id_dataset, c.id_source, c.n
              FROM jsonb_to_recordset(cells) AS c(gx integer, gy integer, id_dataset integer, id_source integer, n bigint)
             CROSS JOIN generate_series(6, 16) AS l(level)) r
     GROUP BY GROUPING SETS ((level, x, y, id_dataset, id_source), (level, x, y))
    HAVING sum(n) <> 0;
  END IF;
END $$;
COMMENT ON FUNCTION gn_synthese.append_grid_count_deltas(jsonb) IS 'Adds level-16 cell counts (and their roll-up to levels 6–15 and to all datasets) to grid_counts when the compaction lock is free, else to grid_count_deltas.';
