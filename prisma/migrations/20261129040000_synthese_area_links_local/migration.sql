-- Area links of written synthese rows: joined on the row's the_geom_local (derived by synthese_derive_geometries in
-- the local SRID, the areas' geom_local SRID) instead of ref_geo.intersecting_areas(the_geom_4326), which
-- transformed every row's geometry again (~30 % of the link statement). Same areas: enabled ones, all types.
CREATE OR REPLACE FUNCTION gn_synthese.synthese_link_inserted_areas() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO gn_synthese.cor_area_synthese (id_synthese, id_area)
  SELECT n.id, a.id FROM new_rows n JOIN ref_geo.areas a ON a.enabled AND ST_Intersects(a.geom_local, n.the_geom_local)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION gn_synthese.synthese_link_updated_areas() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  -- Only the rows whose geometry changed: two statements over the transition tables.
  DELETE FROM gn_synthese.cor_area_synthese c
   USING new_rows n JOIN old_rows o ON o.id = n.id
   WHERE c.id_synthese = n.id AND ST_AsBinary(n.the_geom_local) IS DISTINCT FROM ST_AsBinary(o.the_geom_local);
  INSERT INTO gn_synthese.cor_area_synthese (id_synthese, id_area)
  SELECT n.id, a.id
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    JOIN ref_geo.areas a ON a.enabled AND ST_Intersects(a.geom_local, n.the_geom_local)
   WHERE ST_AsBinary(n.the_geom_local) IS DISTINCT FROM ST_AsBinary(o.the_geom_local)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
