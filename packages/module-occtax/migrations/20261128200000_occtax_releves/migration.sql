-- Occtax (as GeoNature's pr_occtax): a relevé (where, when, who) holds occurrences (a taxon seen), each holding
-- countings (how many, which stage and sex). Every counting is one synthese row (source OCCTAX): its unique_id_sinp
-- is the synthese's, its id the synthese's entity_source_pk_value. Nomenclature columns hold ref_nomenclatures ids
-- checked against their type; the API exchanges SINP codes.

CREATE TABLE occtax.releves (
  id serial PRIMARY KEY,
  uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  dataset_id integer NOT NULL REFERENCES gn_meta.datasets (id),
  digitiser_id integer REFERENCES core.users (id) ON DELETE SET NULL,
  observers_text text,
  date_min date NOT NULL,
  date_max date NOT NULL,
  hour_min time(0),
  hour_max time(0),
  geometry geometry(Geometry, 4326) NOT NULL
    CHECK (GeometryType(geometry) IN ('POINT', 'LINESTRING', 'POLYGON') AND ST_IsValid(geometry)),
  altitude_min integer,
  altitude_max integer,
  place_name text,
  habitat text,
  comment text,
  id_nomenclature_grp_typ integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_grp_typ, 'TYP_GRP')),
  grp_method text,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  updated_at timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT releves_dates_check CHECK (date_min + COALESCE(hour_min, '00:00') <= date_max + COALESCE(hour_max, '23:59:59')),
  CONSTRAINT releves_altitudes_check CHECK (altitude_min <= altitude_max)
);
CREATE INDEX releves_dataset_id_idx ON occtax.releves (dataset_id);
CREATE INDEX releves_digitiser_id_idx ON occtax.releves (digitiser_id);
CREATE INDEX releves_date_min_idx ON occtax.releves (date_min);
CREATE INDEX releves_geometry_idx ON occtax.releves USING gist (geometry);

-- Observers who are users: the relevé is "theirs" (scope 1). Others are in releves.observers_text.
CREATE TABLE occtax.cor_releve_observer (
  releve_id integer NOT NULL REFERENCES occtax.releves (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES core.users (id) ON DELETE CASCADE,
  PRIMARY KEY (releve_id, user_id)
);
CREATE INDEX cor_releve_observer_user_id_idx ON occtax.cor_releve_observer (user_id);

CREATE TABLE occtax.occurrences (
  id serial PRIMARY KEY,
  uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  releve_id integer NOT NULL REFERENCES occtax.releves (id) ON DELETE CASCADE,
  cd_nom integer NOT NULL REFERENCES taxonomie.taxref (cd_nom),
  nom_cite text NOT NULL,
  id_nomenclature_obs_technique integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_obs_technique, 'METH_OBS')),
  id_nomenclature_determination_method integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_determination_method, 'METH_DETERMIN')),
  id_nomenclature_bio_status integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_bio_status, 'STATUT_BIO')),
  id_nomenclature_bio_condition integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_bio_condition, 'ETA_BIO')),
  id_nomenclature_naturalness integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_naturalness, 'NATURALITE')),
  id_nomenclature_exist_proof integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_exist_proof, 'PREUVE_EXIST')),
  id_nomenclature_behaviour integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_behaviour, 'OCC_COMPORTEMENT')),
  id_nomenclature_observation_status integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_observation_status, 'STATUT_OBS')),
  id_nomenclature_diffusion_level integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_diffusion_level, 'NIV_PRECIS')),
  id_nomenclature_blurring integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_blurring, 'DEE_FLOU')),
  id_nomenclature_source_status integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_source_status, 'STATUT_SOURCE')),
  determiner text,
  comment text,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  updated_at timestamptz(6) NOT NULL DEFAULT now()
);
CREATE INDEX occurrences_releve_id_idx ON occtax.occurrences (releve_id);
CREATE INDEX occurrences_cd_nom_idx ON occtax.occurrences (cd_nom);

CREATE TABLE occtax.countings (
  id serial PRIMARY KEY,
  -- The synthese row's unique_id_sinp: kept across edits, so the synthese row is updated, never replaced.
  unique_id_sinp uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  occurrence_id integer NOT NULL REFERENCES occtax.occurrences (id) ON DELETE CASCADE,
  id_nomenclature_life_stage integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_life_stage, 'STADE_VIE')),
  id_nomenclature_sex integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_sex, 'SEXE')),
  id_nomenclature_obj_count integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_obj_count, 'OBJ_DENBR')),
  id_nomenclature_type_count integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_type_count, 'TYP_DENBR')),
  count_min integer NOT NULL CHECK (count_min >= 0),
  count_max integer NOT NULL CHECK (count_max >= 0),
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  updated_at timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT countings_count_check CHECK (count_min <= count_max)
);
CREATE INDEX countings_occurrence_id_idx ON occtax.countings (occurrence_id);
