-- The Synthese (as GeoNature's gn_synthese): one row per observed counting, aligned with the SINP "Occurrences de
-- taxon" v2 standard, written by every module through the core's synthese service (packages/core/src/synthese).
-- Nomenclature columns hold ref_nomenclatures ids checked against their type; the API exchanges SINP codes.
CREATE SCHEMA IF NOT EXISTS gn_synthese;

-- Who produced a row: a module ('OCCTAX'), an import ('IMPORT:12'), a partner module. `url_template` links the
-- sheet back to the source record: '{pk}' stands for entity_source_pk_value, e.g. '/occtax/releves/{pk}'.
CREATE TABLE gn_synthese.sources (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  description text,
  module_code text,
  url_template text,
  created_at timestamptz(6) NOT NULL DEFAULT now()
);

CREATE TABLE gn_synthese.synthese (
  id bigserial PRIMARY KEY,
  unique_id_sinp uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  unique_id_sinp_grp uuid,
  id_source integer NOT NULL REFERENCES gn_synthese.sources (id),
  entity_source_pk_value text,
  -- Single-column foreign keys: metadata refuses to delete a dataset in use, TAXREF re-imports keep used names.
  id_dataset integer NOT NULL REFERENCES gn_meta.datasets (id),
  cd_nom integer NOT NULL REFERENCES taxonomie.taxref (cd_nom),
  nom_cite text NOT NULL,
  count_min integer CHECK (count_min >= 0),
  count_max integer CHECK (count_max >= 0),
  date_min timestamptz(6) NOT NULL,
  date_max timestamptz(6) NOT NULL,
  observers text,
  determiner text,
  id_digitiser integer REFERENCES core.users (id) ON DELETE SET NULL,
  -- the_geom_point and the_geom_local are derived from the_geom_4326 by synthese_derive_geometries.
  the_geom_4326 geometry(Geometry, 4326) NOT NULL,
  the_geom_point geometry(Point, 4326) NOT NULL,
  the_geom_local geometry NOT NULL,
  precision integer CHECK (precision >= 0),
  altitude_min integer,
  altitude_max integer,
  depth_min integer,
  depth_max integer,
  place_name text,
  comment_context text,
  comment_description text,
  id_nomenclature_geo_object_nature integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_geo_object_nature, 'NAT_OBJ_GEO')),
  id_nomenclature_grp_typ integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_grp_typ, 'TYP_GRP')),
  id_nomenclature_obs_technique integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_obs_technique, 'METH_OBS')),
  id_nomenclature_bio_status integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_bio_status, 'STATUT_BIO')),
  id_nomenclature_bio_condition integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_bio_condition, 'ETA_BIO')),
  id_nomenclature_naturalness integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_naturalness, 'NATURALITE')),
  id_nomenclature_exist_proof integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_exist_proof, 'PREUVE_EXIST')),
  id_nomenclature_valid_status integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_valid_status, 'STATUT_VALID')),
  id_nomenclature_diffusion_level integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_diffusion_level, 'NIV_PRECIS')),
  id_nomenclature_life_stage integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_life_stage, 'STADE_VIE')),
  id_nomenclature_sex integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_sex, 'SEXE')),
  id_nomenclature_obj_count integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_obj_count, 'OBJ_DENBR')),
  id_nomenclature_type_count integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_type_count, 'TYP_DENBR')),
  id_nomenclature_sensitivity integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_sensitivity, 'SENSIBILITE')),
  id_nomenclature_observation_status integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_observation_status, 'STATUT_OBS')),
  id_nomenclature_blurring integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_blurring, 'DEE_FLOU')),
  id_nomenclature_source_status integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_source_status, 'STATUT_SOURCE')),
  id_nomenclature_info_geo_type integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_info_geo_type, 'TYP_INF_GEO')),
  id_nomenclature_behaviour integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_behaviour, 'OCC_COMPORTEMENT')),
  id_nomenclature_biogeo_status integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_biogeo_status, 'STAT_BIOGEO')),
  id_nomenclature_determination_method integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_determination_method, 'METH_DETERMIN')),
  validator text,
  validation_date timestamptz(6),
  validation_comment text,
  additional_data jsonb,
  meta_create_date timestamptz(6) NOT NULL DEFAULT now(),
  meta_update_date timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT synthese_source_entity_key UNIQUE (id_source, entity_source_pk_value),
  CONSTRAINT synthese_count_check CHECK (count_min IS NULL OR count_max IS NULL OR count_min <= count_max),
  CONSTRAINT synthese_date_check CHECK (date_min <= date_max),
  CONSTRAINT synthese_altitude_check CHECK (altitude_min IS NULL OR altitude_max IS NULL OR altitude_min <= altitude_max),
  CONSTRAINT synthese_depth_check CHECK (depth_min IS NULL OR depth_max IS NULL OR depth_min <= depth_max)
);
CREATE INDEX synthese_the_geom_4326_idx ON gn_synthese.synthese USING gist (the_geom_4326);
CREATE INDEX synthese_the_geom_local_idx ON gn_synthese.synthese USING gist (the_geom_local);
CREATE INDEX synthese_cd_nom_idx ON gn_synthese.synthese (cd_nom);
CREATE INDEX synthese_id_dataset_idx ON gn_synthese.synthese (id_dataset);
CREATE INDEX synthese_date_min_idx ON gn_synthese.synthese (date_min);
CREATE INDEX synthese_unique_id_sinp_grp_idx ON gn_synthese.synthese (unique_id_sinp_grp);
CREATE INDEX synthese_id_digitiser_idx ON gn_synthese.synthese (id_digitiser);
-- (id_source, entity_source_pk_value): the unique constraint's index; keyset pagination: the primary key.

-- Observers who are users of the platform (the text column keeps every name, users or not).
CREATE TABLE gn_synthese.cor_observer_synthese (
  id_synthese bigint NOT NULL REFERENCES gn_synthese.synthese (id) ON DELETE CASCADE,
  id_role integer NOT NULL REFERENCES core.users (id) ON DELETE CASCADE,
  PRIMARY KEY (id_synthese, id_role)
);
CREATE INDEX cor_observer_synthese_id_role_idx ON gn_synthese.cor_observer_synthese (id_role);

-- The enabled areas each observation intersects, maintained set-based by the statement triggers below.
CREATE TABLE gn_synthese.cor_area_synthese (
  id_synthese bigint NOT NULL REFERENCES gn_synthese.synthese (id) ON DELETE CASCADE,
  id_area integer NOT NULL REFERENCES ref_geo.areas (id) ON DELETE CASCADE,
  PRIMARY KEY (id_synthese, id_area)
);
CREATE INDEX cor_area_synthese_id_area_idx ON gn_synthese.cor_area_synthese (id_area, id_synthese);

-- Point (the geometry itself, or a point on its surface) and local-projection copy, whatever writes the row.
CREATE FUNCTION gn_synthese.synthese_derive_geometries() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR ST_AsBinary(NEW.the_geom_4326) IS DISTINCT FROM ST_AsBinary(OLD.the_geom_4326)
     OR NEW.the_geom_local IS NULL OR ST_SRID(NEW.the_geom_local) <> ref_geo.local_srid() THEN
    NEW.the_geom_point := CASE WHEN GeometryType(NEW.the_geom_4326) = 'POINT' THEN NEW.the_geom_4326
                               ELSE ST_PointOnSurface(NEW.the_geom_4326) END;
    NEW.the_geom_local := ST_Transform(NEW.the_geom_4326, ref_geo.local_srid());
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER synthese_derive_geometries BEFORE INSERT OR UPDATE ON gn_synthese.synthese
  FOR EACH ROW EXECUTE FUNCTION gn_synthese.synthese_derive_geometries();

-- Area links: one statement per INSERT/UPDATE statement, whatever the number of rows (transition tables).
CREATE FUNCTION gn_synthese.synthese_link_inserted_areas() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO gn_synthese.cor_area_synthese (id_synthese, id_area)
  SELECT n.id, a.area_id FROM new_rows n CROSS JOIN LATERAL ref_geo.intersecting_areas(n.the_geom_4326) a
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER synthese_link_inserted_areas AFTER INSERT ON gn_synthese.synthese
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gn_synthese.synthese_link_inserted_areas();

CREATE FUNCTION gn_synthese.synthese_link_updated_areas() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  -- Only the rows whose geometry changed: two statements over the transition tables.
  DELETE FROM gn_synthese.cor_area_synthese c
   USING new_rows n JOIN old_rows o ON o.id = n.id
   WHERE c.id_synthese = n.id AND ST_AsBinary(n.the_geom_local) IS DISTINCT FROM ST_AsBinary(o.the_geom_local);
  INSERT INTO gn_synthese.cor_area_synthese (id_synthese, id_area)
  SELECT n.id, a.area_id
    FROM new_rows n JOIN old_rows o ON o.id = n.id
   CROSS JOIN LATERAL ref_geo.intersecting_areas(n.the_geom_4326) a
   WHERE ST_AsBinary(n.the_geom_local) IS DISTINCT FROM ST_AsBinary(o.the_geom_local)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER synthese_link_updated_areas AFTER UPDATE ON gn_synthese.synthese
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gn_synthese.synthese_link_updated_areas();
