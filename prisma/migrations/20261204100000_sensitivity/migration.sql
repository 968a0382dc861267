-- Sensitive species (docs/adr/0015-sensitivity-and-blurring.md): a referential of SINP sensitivity rules, the level
-- each synthese row gets from it (computed by a row trigger on every write path, kept when an expert overrides it),
-- the blurred geometry a level gives, and per-variant cell counts so that low-zoom tiles never place a blurred
-- observation in a finer cell than its blur.
CREATE SCHEMA IF NOT EXISTS gn_sensitivity;

-- One rule of the referential (the INPN CSV's line, or an admin's): a taxon (it and everything below it), a level,
-- optional areas, an optional period of the year (MMDD–MMDD, may wrap the new year), a duration in years (the
-- observation must not be older), optional criteria on STATUT_BIO / OCC_COMPORTEMENT (table rule_criteria).
CREATE TABLE gn_sensitivity.rules (
  id serial PRIMARY KEY,
  cd_nom integer NOT NULL REFERENCES taxonomie.taxref (cd_nom),
  nom_cite text,
  level smallint NOT NULL CHECK (level BETWEEN 0 AND 4),
  duration_years integer CHECK (duration_years > 0),
  period_start char(4) CHECK (period_start ~ '^(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$'),
  period_end char(4) CHECK (period_end ~ '^(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$'),
  active boolean NOT NULL DEFAULT true,
  source text,
  comment text,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  updated_at timestamptz(6) NOT NULL DEFAULT now(),
  CHECK ((period_start IS NULL) = (period_end IS NULL))
);
CREATE INDEX rules_cd_nom_idx ON gn_sensitivity.rules (cd_nom);

CREATE TABLE gn_sensitivity.rule_areas (
  rule_id integer NOT NULL REFERENCES gn_sensitivity.rules (id) ON DELETE CASCADE,
  area_id integer NOT NULL REFERENCES ref_geo.areas (id) ON DELETE CASCADE,
  PRIMARY KEY (rule_id, area_id)
);

CREATE TABLE gn_sensitivity.rule_criteria (
  rule_id integer NOT NULL REFERENCES gn_sensitivity.rules (id) ON DELETE CASCADE,
  id_nomenclature integer NOT NULL REFERENCES ref_nomenclatures.nomenclatures (id),
  PRIMARY KEY (rule_id, id_nomenclature),
  CHECK (ref_nomenclatures.is_of_type(id_nomenclature, 'STATUT_BIO')
         OR ref_nomenclatures.is_of_type(id_nomenclature, 'OCC_COMPORTEMENT'))
);

-- Each active rule expanded to every name of its taxon's subtree (synonyms included), rebuilt by refresh_rule_taxa()
-- after rule changes and TAXREF imports: the row trigger then needs one index probe on cd_nom to know that a row
-- matches no rule (the common case), and the taxonomy is never walked per row.
CREATE TABLE gn_sensitivity.rule_taxa (
  cd_nom integer NOT NULL,
  rule_id integer NOT NULL REFERENCES gn_sensitivity.rules (id) ON DELETE CASCADE,
  PRIMARY KEY (cd_nom, rule_id)
);

CREATE FUNCTION gn_sensitivity.refresh_rule_taxa() RETURNS void
  LANGUAGE sql AS $$
  DELETE FROM gn_sensitivity.rule_taxa;
  INSERT INTO gn_sensitivity.rule_taxa (cd_nom, rule_id)
  SELECT DISTINCT t.cd_nom, r.id FROM gn_sensitivity.rules r CROSS JOIN LATERAL taxonomie.taxon_subtree(r.cd_nom) t
   WHERE r.active;
$$;

-- The SENSIBILITE nomenclature id of each level (0–4).
CREATE TABLE gn_sensitivity.levels (
  level smallint PRIMARY KEY,
  id_nomenclature integer NOT NULL REFERENCES ref_nomenclatures.nomenclatures (id)
);
INSERT INTO gn_sensitivity.levels (level, id_nomenclature)
SELECT n.cd_nomenclature::smallint, n.id
  FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types t ON t.id = n.type_id
 WHERE t.mnemonique = 'SENSIBILITE' AND n.cd_nomenclature IN ('0', '1', '2', '3', '4');

-- The area types a level is blurred to, finest first: the observation's area of the first type that has one
-- ("when it has none, the next coarser available level"). No area at all: the row is not shown (as level 4).
CREATE TABLE gn_sensitivity.blur_types (
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
  rank smallint NOT NULL,
  area_type text NOT NULL,
  PRIMARY KEY (level, rank)
);
INSERT INTO gn_sensitivity.blur_types (level, rank, area_type) VALUES
  (1, 1, 'COM'), (1, 2, 'M10'), (1, 3, 'DEP'), (1, 4, 'REG'), (1, 5, 'PAYS'),
  (2, 1, 'M10'), (2, 2, 'DEP'), (2, 3, 'REG'), (2, 4, 'PAYS'),
  (3, 1, 'DEP'), (3, 2, 'REG'), (3, 3, 'PAYS');

-- The level the rules give an observation: the highest level of the matching rules, 0 when none matches. A rule
-- matches when its taxon (or an ancestor) is the row's (rule_taxa), the geometry intersects one of its areas (or it
-- has none), the day of the year of date_min lies in its period (wrapping the new year when start > end), the
-- observation is not older than its duration, and one of its criteria is the row's biological status or behaviour
-- (or it has none; an unknown or missing status/behaviour matches as a precaution).
CREATE FUNCTION gn_sensitivity.rules_level(
  p_cd_nom integer, p_geom_local geometry, p_date_min timestamptz, p_bio_status integer, p_behaviour integer
) RETURNS smallint
  LANGUAGE sql STABLE AS $$
  SELECT COALESCE(max(r.level), 0)::smallint
    FROM gn_sensitivity.rule_taxa rt
    JOIN gn_sensitivity.rules r ON r.id = rt.rule_id AND r.active
   WHERE rt.cd_nom = p_cd_nom
     AND (r.duration_years IS NULL OR p_date_min >= now() - make_interval(years => r.duration_years))
     AND (r.period_start IS NULL
          OR CASE WHEN r.period_start <= r.period_end
                  THEN to_char(p_date_min, 'MMDD') BETWEEN r.period_start AND r.period_end
                  ELSE to_char(p_date_min, 'MMDD') >= r.period_start OR to_char(p_date_min, 'MMDD') <= r.period_end
             END)
     AND (NOT EXISTS (SELECT 1 FROM gn_sensitivity.rule_areas ra WHERE ra.rule_id = r.id)
          OR EXISTS (SELECT 1 FROM gn_sensitivity.rule_areas ra JOIN ref_geo.areas a ON a.id = ra.area_id
                      WHERE ra.rule_id = r.id AND ST_Intersects(a.geom_local, p_geom_local)))
     AND (NOT EXISTS (SELECT 1 FROM gn_sensitivity.rule_criteria rc WHERE rc.rule_id = r.id)
          OR EXISTS (
            SELECT 1 FROM gn_sensitivity.rule_criteria rc
              JOIN ref_nomenclatures.nomenclatures c ON c.id = rc.id_nomenclature
              JOIN ref_nomenclatures.types ct ON ct.id = c.type_id
             WHERE rc.rule_id = r.id
               AND CASE ct.mnemonique
                     WHEN 'STATUT_BIO' THEN p_bio_status IS NULL OR p_bio_status = c.id
                       OR p_bio_status IN (SELECT u.id FROM ref_nomenclatures.nomenclatures u
                                            WHERE u.type_id = c.type_id AND u.cd_nomenclature IN ('0', '1'))
                     ELSE p_behaviour IS NULL OR p_behaviour = c.id
                       OR p_behaviour IN (SELECT u.id FROM ref_nomenclatures.nomenclatures u
                                           WHERE u.type_id = c.type_id AND u.cd_nomenclature IN ('0', '1'))
                   END))
$$;

-- What an unprivileged reader sees of a sensitive row: level 1–3 → the area of the level's first available type
-- containing the row's point, its geometry (simplified to ~50 m: the blur is coarse), its point on surface and that
-- point in Web Mercator (the cell the tiles count it in); none found, or level 0/4 → NULLs.
ALTER TABLE gn_synthese.synthese
  ADD COLUMN sensitivity_level smallint NOT NULL DEFAULT 0 CHECK (sensitivity_level BETWEEN 0 AND 4),
  ADD COLUMN sensitivity_manual boolean NOT NULL DEFAULT false,
  ADD COLUMN id_area_blurred integer,
  ADD COLUMN the_geom_blurred_4326 geometry(Geometry, 4326),
  ADD COLUMN the_geom_blurred_point geometry(Point, 4326),
  ADD COLUMN the_geom_blurred_3857 geometry(Point, 3857);
COMMENT ON COLUMN gn_synthese.synthese.sensitivity_level IS 'SINP sensitivity 0–4, computed from gn_sensitivity.rules by synthese_derive_sensitivity, or an expert''s when sensitivity_manual.';
COMMENT ON COLUMN gn_synthese.synthese.id_area_blurred IS 'The ref_geo area a sensitive row is blurred to (no foreign key: written by the trigger only; an area deleted leaves NULL geometries hidden, never precise).';
CREATE INDEX synthese_blurred_4326_idx ON gn_synthese.synthese USING gist (the_geom_blurred_4326)
  WHERE the_geom_blurred_4326 IS NOT NULL;
CREATE INDEX synthese_blurred_3857_idx ON gn_synthese.synthese USING gist (the_geom_blurred_3857)
  WHERE the_geom_blurred_3857 IS NOT NULL;
-- Keyset pages of the blurred rows (newest first) and the sensitive rows' refresh.
CREATE INDEX synthese_sensitive_idx ON gn_synthese.synthese (id) WHERE sensitivity_level > 0;
CREATE INDEX synthese_blurred_area_idx ON gn_synthese.synthese (id_area_blurred) WHERE id_area_blurred IS NOT NULL;

CREATE FUNCTION gn_sensitivity.blur_area(p_level smallint, p_point geometry)
  RETURNS TABLE (id integer, geom geometry, centroid geometry)
  LANGUAGE sql STABLE AS $$
  SELECT a.id, ST_SimplifyPreserveTopology(a.geom, 0.0005), a.centroid
    FROM gn_sensitivity.blur_types bt
    JOIN ref_geo.area_types t ON t.code = bt.area_type
    JOIN ref_geo.areas a ON a.type_id = t.id AND a.enabled AND ST_Intersects(a.geom, p_point)
   WHERE bt.level = p_level
   ORDER BY bt.rank, a.id
   LIMIT 1
$$;

-- Row trigger (after synthese_derive_geometries, by name): the level from the rules unless an expert set it
-- (sensitivity_manual, kept across the source's re-writes), its SENSIBILITE id, the blurred geometry. A row whose
-- taxon has no rule costs one index probe; the rules are evaluated only for the others.
CREATE FUNCTION gn_synthese.synthese_derive_sensitivity() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  lvl smallint;
  blur record;
BEGIN
  IF NEW.sensitivity_manual THEN
    lvl := NEW.sensitivity_level;
  ELSIF EXISTS (SELECT 1 FROM gn_sensitivity.rule_taxa WHERE cd_nom = NEW.cd_nom) THEN
    lvl := gn_sensitivity.rules_level(NEW.cd_nom, NEW.the_geom_local, NEW.date_min,
                                      NEW.id_nomenclature_bio_status, NEW.id_nomenclature_behaviour);
  ELSE
    lvl := 0;
  END IF;
  IF TG_OP = 'INSERT' OR lvl IS DISTINCT FROM OLD.sensitivity_level
     OR NEW.id_nomenclature_sensitivity IS DISTINCT FROM OLD.id_nomenclature_sensitivity THEN
    NEW.id_nomenclature_sensitivity := (SELECT id_nomenclature FROM gn_sensitivity.levels WHERE level = lvl);
  END IF;
  NEW.sensitivity_level := lvl;
  IF lvl BETWEEN 1 AND 3 THEN
    IF TG_OP = 'INSERT' OR lvl IS DISTINCT FROM OLD.sensitivity_level OR NEW.id_area_blurred IS NULL
       OR ST_AsBinary(NEW.the_geom_point) IS DISTINCT FROM ST_AsBinary(OLD.the_geom_point) THEN
      SELECT * INTO blur FROM gn_sensitivity.blur_area(lvl, NEW.the_geom_point);
      NEW.id_area_blurred := blur.id;
      NEW.the_geom_blurred_4326 := blur.geom;
      NEW.the_geom_blurred_point := blur.centroid;
      NEW.the_geom_blurred_3857 := ST_Transform(blur.centroid, 3857);
    END IF;
  ELSE
    NEW.id_area_blurred := NULL;
    NEW.the_geom_blurred_4326 := NULL;
    NEW.the_geom_blurred_point := NULL;
    NEW.the_geom_blurred_3857 := NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER synthese_derive_sensitivity BEFORE INSERT OR UPDATE ON gn_synthese.synthese
  FOR EACH ROW EXECUTE FUNCTION gn_synthese.synthese_derive_sensitivity();

-- Every level an observation was given by hand (an expert's override, or its removal: level NULL = back to the
-- rules), append-only, keyed by unique_id_sinp as the validation history.
CREATE TABLE gn_synthese.sensitivity_history (
  id bigserial PRIMARY KEY,
  unique_id_sinp uuid NOT NULL,
  level smallint CHECK (level BETWEEN 0 AND 4),
  computed_level smallint NOT NULL,
  id_role integer REFERENCES core.users (id) ON DELETE SET NULL,
  changed_at timestamptz(6) NOT NULL DEFAULT now(),
  comment text NOT NULL
);
CREATE INDEX sensitivity_history_uuid_idx ON gn_synthese.sensitivity_history (unique_id_sinp, changed_at);

-- Who sees sensitive rows precisely: a permission row may say so ("sees sensitive data precisely", GeoNature's
-- blurring filter reversed: blurred is the default). Rows are OR-ed: the flag applies within the row's scope.
ALTER TABLE core.permissions ADD COLUMN sensitive_precise boolean NOT NULL DEFAULT false;

-- Datasets open to anonymous reading (always blurred) when the public read level is on.
ALTER TABLE gn_meta.datasets ADD COLUMN public_read boolean NOT NULL DEFAULT false;

-- Cell counts per variant: 0 = rows of level 0 at their cell (everyone), 1 = sensitive rows at their precise cell
-- (callers who see them precisely), 2 = rows of level 1–3 at their blurred cell (everybody else). A tile sums
-- variants 0 + 1 or 0 + 2: a blurred observation is never counted in a finer cell than its blur.
ALTER TABLE gn_synthese.grid_counts ADD COLUMN variant smallint NOT NULL DEFAULT 0;
ALTER TABLE gn_synthese.grid_counts DROP CONSTRAINT grid_counts_pkey;
ALTER TABLE gn_synthese.grid_counts ADD PRIMARY KEY (level, gx, gy, variant, id_dataset, id_source) INCLUDE (n);
ALTER TABLE gn_synthese.grid_count_deltas ADD COLUMN variant smallint NOT NULL DEFAULT 0;

-- The count entries of one row: its precise cell (variant 0 or 1) and, when blurred, its blurred cell (variant 2).
CREATE FUNCTION gn_synthese.row_cell_entries(
  g3857 geometry, blurred3857 geometry, sensitivity smallint, p_dataset integer, p_source integer
) RETURNS TABLE (variant smallint, gx integer, gy integer, id_dataset integer, id_source integer)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT v.variant, gn_synthese.grid_cell16_x(v.g), gn_synthese.grid_cell16_y(v.g), p_dataset, p_source
    FROM (VALUES (CASE WHEN sensitivity = 0 THEN 0 ELSE 1 END::smallint, g3857),
                 (2::smallint, blurred3857)) v(variant, g)
   WHERE v.g IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION gn_synthese.compact_grid_counts() RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(20261128, 16) THEN
    RETURN;
  END IF;
  WITH moved AS (DELETE FROM gn_synthese.grid_count_deltas RETURNING level, gx, gy, variant, id_dataset, id_source, n)
  INSERT INTO gn_synthese.grid_counts AS c (level, gx, gy, variant, id_dataset, id_source, n)
  SELECT level, gx, gy, variant, id_dataset, id_source, sum(n) FROM moved
   GROUP BY level, gx, gy, variant, id_dataset, id_source HAVING sum(n) <> 0
  ON CONFLICT (level, gx, gy, variant, id_dataset, id_source) DO UPDATE SET n = c.n + EXCLUDED.n;
END $$;

DROP FUNCTION gn_synthese.append_grid_count_deltas(jsonb);
CREATE FUNCTION gn_synthese.append_grid_count_deltas(cells jsonb) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF pg_try_advisory_xact_lock(20261128, 16) THEN
    PERFORM gn_synthese.compact_grid_counts();
    INSERT INTO gn_synthese.grid_counts AS g (level, gx, gy, variant, id_dataset, id_source, n)
    SELECT level, x, y, variant, COALESCE(id_dataset, 0), COALESCE(id_source, 0), sum(n)
      FROM (SELECT l.level, c.gx >> (16 - l.level) AS x, c.gy >> (16 - l.level) AS y, c.variant, c.id_dataset,
                   c.id_source, c.n
              FROM jsonb_to_recordset(cells)
                     AS c(gx integer, gy integer, variant smallint, id_dataset integer, id_source integer, n bigint)
             CROSS JOIN generate_series(6, 16) AS l(level)) r
     GROUP BY GROUPING SETS ((level, x, y, variant, id_dataset, id_source), (level, x, y, variant))
    HAVING sum(n) <> 0
    ON CONFLICT (level, gx, gy, variant, id_dataset, id_source) DO UPDATE SET n = g.n + EXCLUDED.n;
  ELSE
    INSERT INTO gn_synthese.grid_count_deltas (level, gx, gy, variant, id_dataset, id_source, n)
    SELECT level, x, y, variant, COALESCE(id_dataset, 0), COALESCE(id_source, 0), sum(n)
      FROM (SELECT l.level, c.gx >> (16 - l.level) AS x, c.gy >> (16 - l.level) AS y, c.variant, c.id_dataset,
                   c.id_source, c.n
              FROM jsonb_to_recordset(cells)
                     AS c(gx integer, gy integer, variant smallint, id_dataset integer, id_source integer, n bigint)
             CROSS JOIN generate_series(6, 16) AS l(level)) r
     GROUP BY GROUPING SETS ((level, x, y, variant, id_dataset, id_source), (level, x, y, variant))
    HAVING sum(n) <> 0;
  END IF;
END $$;
COMMENT ON FUNCTION gn_synthese.append_grid_count_deltas(jsonb) IS 'Adds level-16 cell counts per variant (and their roll-up to levels 6–15 and to all datasets) to grid_counts when the compaction lock is free, else to grid_count_deltas.';

CREATE OR REPLACE FUNCTION gn_synthese.synthese_count_inserted_cells() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gn_synthese.append_grid_count_deltas((
    SELECT jsonb_agg(c) FROM (
      SELECT e.gx, e.gy, e.variant, e.id_dataset, e.id_source, count(*) AS n
        FROM new_rows r
       CROSS JOIN LATERAL gn_synthese.row_cell_entries(r.the_geom_3857, r.the_geom_blurred_3857,
                                                       r.sensitivity_level, r.id_dataset, r.id_source) e
       GROUP BY 1, 2, 3, 4, 5) c));
  PERFORM gn_synthese.compact_grid_counts();
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION gn_synthese.synthese_count_deleted_cells() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gn_synthese.append_grid_count_deltas((
    SELECT jsonb_agg(c) FROM (
      SELECT e.gx, e.gy, e.variant, e.id_dataset, e.id_source, -count(*) AS n
        FROM old_rows r
       CROSS JOIN LATERAL gn_synthese.row_cell_entries(r.the_geom_3857, r.the_geom_blurred_3857,
                                                       r.sensitivity_level, r.id_dataset, r.id_source) e
       GROUP BY 1, 2, 3, 4, 5) c));
  PERFORM gn_synthese.compact_grid_counts();
  RETURN NULL;
END $$;

-- Updates: only rows whose cell, blurred cell, level, dataset or source changed (a validation change adds nothing).
CREATE OR REPLACE FUNCTION gn_synthese.synthese_count_updated_cells() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gn_synthese.append_grid_count_deltas((
    SELECT jsonb_agg(c) FROM (
      SELECT e.gx, e.gy, e.variant, e.id_dataset, e.id_source, sum(e.n) AS n
        FROM (SELECT nr.*, orow.the_geom_3857 AS old_3857, orow.the_geom_blurred_3857 AS old_blurred,
                     orow.sensitivity_level AS old_level, orow.id_dataset AS old_dataset, orow.id_source AS old_source
                FROM new_rows nr JOIN old_rows orow ON orow.id = nr.id
               WHERE (gn_synthese.grid_cell16_x(nr.the_geom_3857), gn_synthese.grid_cell16_y(nr.the_geom_3857),
                      gn_synthese.grid_cell16_x(nr.the_geom_blurred_3857),
                      gn_synthese.grid_cell16_y(nr.the_geom_blurred_3857),
                      nr.sensitivity_level = 0, nr.id_dataset, nr.id_source)
                     IS DISTINCT FROM
                     (gn_synthese.grid_cell16_x(orow.the_geom_3857), gn_synthese.grid_cell16_y(orow.the_geom_3857),
                      gn_synthese.grid_cell16_x(orow.the_geom_blurred_3857),
                      gn_synthese.grid_cell16_y(orow.the_geom_blurred_3857),
                      orow.sensitivity_level = 0, orow.id_dataset, orow.id_source)) ch
       CROSS JOIN LATERAL (
         SELECT ne.*, 1 AS n FROM gn_synthese.row_cell_entries(ch.the_geom_3857, ch.the_geom_blurred_3857,
                                                     ch.sensitivity_level, ch.id_dataset, ch.id_source) ne
         UNION ALL
         SELECT oe.*, -1 FROM gn_synthese.row_cell_entries(ch.old_3857, ch.old_blurred, ch.old_level,
                                                  ch.old_dataset, ch.old_source) oe) e
       GROUP BY 1, 2, 3, 4, 5 HAVING sum(e.n) <> 0) c));
  PERFORM gn_synthese.compact_grid_counts();
  RETURN NULL;
END $$;
