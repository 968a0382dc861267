-- SINP metadata (as GeoNature's gn_meta): acquisition frameworks, datasets and their actors.
-- Nomenclature columns reference ref_nomenclatures.nomenclatures and are checked against their type.
CREATE SCHEMA IF NOT EXISTS gn_meta;

CREATE TABLE gn_meta.acquisition_frameworks (
  id serial PRIMARY KEY,
  uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  name text NOT NULL,
  description text,
  keywords text,
  start_date date,
  end_date date,
  territorial_level_id integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(territorial_level_id, 'NIVEAU_TERRITORIAL')),
  financing_type_id integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(financing_type_id, 'TYPE_FINANCEMENT')),
  parent_id integer REFERENCES gn_meta.acquisition_frameworks (id) ON DELETE SET NULL,
  is_closed boolean NOT NULL DEFAULT false,
  closed_at timestamptz(6),
  digitiser_id integer REFERENCES core.users (id) ON DELETE SET NULL,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  updated_at timestamptz(6) NOT NULL DEFAULT now(),
  CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
  CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX acquisition_frameworks_parent_idx ON gn_meta.acquisition_frameworks (parent_id);

CREATE TABLE gn_meta.datasets (
  id serial PRIMARY KEY,
  uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  framework_id integer NOT NULL REFERENCES gn_meta.acquisition_frameworks (id),
  name text NOT NULL,
  short_name text NOT NULL,
  description text,
  keywords text,
  data_type_id integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(data_type_id, 'DATA_TYP')),
  objective_id integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(objective_id, 'JDD_OBJECTIFS')),
  collecting_method_id integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(collecting_method_id, 'METHO_RECUEIL')),
  data_origin_id integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(data_origin_id, 'DS_PUBLIQUE')),
  source_status_id integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(source_status_id, 'STATUT_SOURCE')),
  resource_type_id integer REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(resource_type_id, 'RESOURCE_TYP')),
  active boolean NOT NULL DEFAULT true,
  validable boolean NOT NULL DEFAULT true,
  taxon_list_id integer,
  bbox geometry(Polygon, 4326),
  digitiser_id integer REFERENCES core.users (id) ON DELETE SET NULL,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  updated_at timestamptz(6) NOT NULL DEFAULT now()
);
CREATE INDEX datasets_framework_idx ON gn_meta.datasets (framework_id);
CREATE INDEX datasets_bbox_idx ON gn_meta.datasets USING gist (bbox);

-- taxonomie.taxon_lists comes from 20261128100000_taxonomy, which sorts (and so runs) before this file.
-- The guard only matters on a development database migrated before that file existed.
DO $$
BEGIN
  IF to_regclass('taxonomie.taxon_lists') IS NOT NULL THEN
    ALTER TABLE gn_meta.datasets ADD CONSTRAINT datasets_taxon_list_id_fkey
      FOREIGN KEY (taxon_list_id) REFERENCES taxonomie.taxon_lists (id) ON DELETE SET NULL;
  END IF;
END $$;

-- An actor is an organism and/or a person, with a role (ROLE_ACTEUR).
CREATE TABLE gn_meta.acquisition_framework_actors (
  id serial PRIMARY KEY,
  framework_id integer NOT NULL REFERENCES gn_meta.acquisition_frameworks (id) ON DELETE CASCADE,
  organism_id integer REFERENCES core.organisms (id) ON DELETE CASCADE,
  user_id integer REFERENCES core.users (id) ON DELETE CASCADE,
  role_id integer NOT NULL REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(role_id, 'ROLE_ACTEUR')),
  CHECK (organism_id IS NOT NULL OR user_id IS NOT NULL),
  UNIQUE NULLS NOT DISTINCT (framework_id, organism_id, user_id, role_id)
);
CREATE INDEX acquisition_framework_actors_organism_idx ON gn_meta.acquisition_framework_actors (organism_id);
CREATE INDEX acquisition_framework_actors_user_idx ON gn_meta.acquisition_framework_actors (user_id);

CREATE TABLE gn_meta.dataset_actors (
  id serial PRIMARY KEY,
  dataset_id integer NOT NULL REFERENCES gn_meta.datasets (id) ON DELETE CASCADE,
  organism_id integer REFERENCES core.organisms (id) ON DELETE CASCADE,
  user_id integer REFERENCES core.users (id) ON DELETE CASCADE,
  role_id integer NOT NULL REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(role_id, 'ROLE_ACTEUR')),
  CHECK (organism_id IS NOT NULL OR user_id IS NOT NULL),
  UNIQUE NULLS NOT DISTINCT (dataset_id, organism_id, user_id, role_id)
);
CREATE INDEX dataset_actors_organism_idx ON gn_meta.dataset_actors (organism_id);
CREATE INDEX dataset_actors_user_idx ON gn_meta.dataset_actors (user_id);
