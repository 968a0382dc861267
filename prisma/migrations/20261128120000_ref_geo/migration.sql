-- ref_geo: area types and areas (communes, départements, INPN grids, any type an admin adds).
-- Runs on PostgreSQL 15 + PostGIS 3.3 and on PGlite (PostgreSQL 18 + PostGIS 3.6): no extension beyond PostGIS.
CREATE SCHEMA IF NOT EXISTS ref_geo;

-- The instance's local projected SRID (config LOCAL_SRID, default 2154 Lambert-93). One row; the app rewrites it
-- at boot when LOCAL_SRID changes and recomputes every areas.geom_local in one statement (src/geo/local-srid.ts).
CREATE TABLE ref_geo.settings (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  local_srid integer NOT NULL DEFAULT 2154
);
INSERT INTO ref_geo.settings (id, local_srid) VALUES (true, 2154);

CREATE FUNCTION ref_geo.local_srid() RETURNS integer
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT local_srid FROM ref_geo.settings WHERE id $$;

-- Lower case without French/European diacritics, for case- and accent-insensitive search without the
-- unaccent extension (not available on every embedded build).
CREATE FUNCTION ref_geo.search_key(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(translate(value,
    'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿŸŒœÆæ’''-',
    'AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyyYOoAa   ')) $$;

CREATE TABLE ref_geo.area_types (
  id serial PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9_]{0,29}$'),
  name text NOT NULL,
  description text,
  ref_name text,
  ref_version text,
  created_at timestamptz(6) NOT NULL DEFAULT now()
);

CREATE TABLE ref_geo.areas (
  id serial PRIMARY KEY,
  type_id integer NOT NULL REFERENCES ref_geo.area_types (id) ON DELETE RESTRICT,
  area_code text NOT NULL,
  area_name text NOT NULL,
  geom geometry(MultiPolygon, 4326) NOT NULL,
  -- In ref_geo.local_srid(); no SRID typmod so that an instance may use another projection. Kept by the trigger.
  geom_local geometry(MultiPolygon) NOT NULL,
  -- A point on the surface (inside the area, unlike ST_Centroid for a crescent-shaped commune).
  centroid geometry(Point, 4326) NOT NULL,
  source text,
  enabled boolean NOT NULL DEFAULT true,
  additional_data jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  updated_at timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT areas_type_code_key UNIQUE (type_id, area_code)
);
CREATE INDEX areas_geom_idx ON ref_geo.areas USING gist (geom);
CREATE INDEX areas_geom_local_idx ON ref_geo.areas USING gist (geom_local);
CREATE INDEX areas_search_name_idx ON ref_geo.areas (type_id, ref_geo.search_key(area_name) text_pattern_ops);

-- geom_local and centroid follow geom, whatever writes the row (imports, grids, the API, plain SQL).
-- A writer may give geom_local itself when it has the exact local geometry (INPN grid cells are squares in
-- Lambert-93): it is kept when it is in the local SRID (and, on update, when it was changed too).
CREATE FUNCTION ref_geo.areas_derive_geometries() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.geom_local IS NULL
     OR ST_SRID(NEW.geom_local) <> ref_geo.local_srid()
     OR (TG_OP = 'UPDATE' AND ST_AsBinary(NEW.geom_local) = ST_AsBinary(OLD.geom_local)) THEN
    NEW.geom_local := ST_Transform(NEW.geom, ref_geo.local_srid());
  END IF;
  NEW.centroid := ST_PointOnSurface(NEW.geom);
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER areas_derive_geometries
  BEFORE INSERT OR UPDATE OF geom, geom_local ON ref_geo.areas
  FOR EACH ROW EXECUTE FUNCTION ref_geo.areas_derive_geometries();

INSERT INTO ref_geo.area_types (code, name, description, ref_name) VALUES
  ('COM', 'Communes', 'Communes françaises', 'IGN ADMIN EXPRESS'),
  ('DEP', 'Départements', 'Départements français', 'IGN ADMIN EXPRESS'),
  ('REG', 'Régions', 'Régions françaises', 'IGN ADMIN EXPRESS'),
  ('M10', 'Mailles 10×10 km', 'Grille nationale 10 km Lambert-93 de l''INPN', 'INPN L93 10 km'),
  ('M5', 'Mailles 5×5 km', 'Grille nationale 5 km Lambert-93 de l''INPN', 'INPN L93 5 km'),
  ('M1', 'Mailles 1×1 km', 'Grille nationale 1 km Lambert-93 de l''INPN', 'INPN L93 1 km'),
  ('PAYS', 'Pays (Natural Earth 1:50m)', 'Contours de pays Natural Earth 1:50m (domaine public), via le paquet npm world-atlas', 'Natural Earth Admin 0 – Countries 1:50m');

-- The areas a geometry (any SRID) intersects, optionally only of some types: the set-based service the synthese
-- uses to keep its observation ↔ area links (see src/geo/README.md). Compared in the local projection, where INPN
-- cells are exact squares; the GiST index on geom_local serves the join. Inlined by the planner (plain SQL).
CREATE FUNCTION ref_geo.intersecting_areas(g geometry, type_codes text[] DEFAULT NULL)
  RETURNS TABLE (area_id integer, type_code text)
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT a.id, t.code
      FROM ref_geo.areas a
      JOIN ref_geo.area_types t ON t.id = a.type_id
     WHERE a.enabled
       AND (type_codes IS NULL OR t.code = ANY (type_codes))
       AND ST_Intersects(a.geom_local, ST_Transform(g, ref_geo.local_srid()))
  $$;
