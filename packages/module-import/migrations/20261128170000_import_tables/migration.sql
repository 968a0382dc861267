-- Import workflow tables (issue 5): one row per imported file, saved field/content mappings with the built-in
-- presets, and the per-line errors of the check step. Rows of a file are COPYed into a transient table per import
-- (import.rows_<id>) created by the check job, not here: see docs/adr/0011-import-uploads-and-jobs.md.

CREATE TABLE import.mappings (
  id              serial PRIMARY KEY,
  name            text NOT NULL CHECK (btrim(name) <> ''),
  is_public       boolean NOT NULL DEFAULT false,
  -- Built-in presets: read-only, no owner, visible to every user holding IMPORT R.
  is_builtin      boolean NOT NULL DEFAULT false,
  owner_id        integer REFERENCES core.users (id) ON DELETE CASCADE,
  organism_id     integer REFERENCES core.organisms (id) ON DELETE SET NULL,
  -- { <targetField>: { "column": "x", "aliases"?: ["y"] } | { "constant": "v" } }
  field_mapping   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(field_mapping) = 'object'),
  -- { <nomenclatureField>: { <source value>: <SINP code> } }
  content_mapping jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(content_mapping) = 'object'),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (is_builtin OR owner_id IS NOT NULL)
);
CREATE UNIQUE INDEX mappings_owner_name_key ON import.mappings (COALESCE(owner_id, 0), lower(name));
COMMENT ON TABLE import.mappings IS 'Saved, named import mappings (field and content), private or public; built-in presets are read-only.';

CREATE TABLE import.imports (
  id               serial PRIMARY KEY,
  owner_id         integer NOT NULL REFERENCES core.users (id),
  -- The owner's organism when the import was created: scope 2 ("my organism's imports").
  organism_id      integer REFERENCES core.organisms (id) ON DELETE SET NULL,
  dataset_id       integer REFERENCES gn_meta.datasets (id),
  mapping_id       integer REFERENCES import.mappings (id) ON DELETE SET NULL,
  -- uploaded → decoded → field_mapped → content_mapped → checking → checked → importing → imported; failed.
  status           text NOT NULL DEFAULT 'uploaded' CHECK (status IN ('uploaded', 'decoded', 'field_mapped',
                     'content_mapped', 'checking', 'checked', 'importing', 'imported', 'failed')),
  -- Sub-step of a running job (e.g. 'load', 'check_dates', 'insert'): shown with the progress bar.
  step             text,
  progress         double precision NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
  -- The uploaded file: its name as sent, and where it lies under UPLOAD_DIR (never in the database).
  file_name        text NOT NULL,
  file_path        text NOT NULL,
  file_size        bigint NOT NULL CHECK (file_size >= 0),
  file_sha256      text NOT NULL,
  format           text NOT NULL CHECK (format IN ('csv', 'geojson')),
  -- What the upload detected ({ encoding, separator, format }), then what the user confirmed.
  detected         jsonb NOT NULL,
  encoding         text NOT NULL,
  separator        text,
  srid             integer NOT NULL DEFAULT 4326,
  columns          jsonb NOT NULL DEFAULT '[]',
  sample           jsonb NOT NULL DEFAULT '[]',
  field_mapping    jsonb,
  content_mapping  jsonb,
  -- Finalize option: rows whose UUID already exists update that observation instead of failing (EXISTING_UUID).
  update_existing  boolean NOT NULL DEFAULT false,
  row_count        integer,
  valid_count      integer,
  error_count      integer,
  warning_count    integer,
  imported_count   integer,
  -- The synthese source of the finalized rows ('IMPORT:<id>').
  source_id        integer REFERENCES gn_synthese.sources (id),
  -- The background job of the check / finalize steps, its last sign of life, and the error that stopped it.
  job_id           text,
  job_heartbeat_at timestamptz,
  failure          jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  checked_at       timestamptz,
  imported_at      timestamptz
);
CREATE INDEX imports_owner_idx ON import.imports (owner_id);
CREATE INDEX imports_organism_idx ON import.imports (organism_id);
CREATE INDEX imports_dataset_idx ON import.imports (dataset_id);
COMMENT ON TABLE import.imports IS 'One imported file and where it stands in the workflow (upload, decode, mappings, check, finalize).';

CREATE TABLE import.import_errors (
  id          bigserial PRIMARY KEY,
  import_id   integer NOT NULL REFERENCES import.imports (id) ON DELETE CASCADE,
  code        text NOT NULL,
  level       text NOT NULL CHECK (level IN ('ERROR', 'WARNING')),
  -- The source column concerned (null for file-level errors).
  column_name text,
  -- Line number as the user sees it in the file (header = line 1); null for file-level errors.
  line        integer
);
CREATE INDEX import_errors_import_idx ON import.import_errors (import_id, code, column_name);
COMMENT ON TABLE import.import_errors IS 'Errors and warnings found by the check step, one row per line and code.';

-- Built-in presets. Column names of GeoNature's synthese CSV export: the view gn_synthese.v_synthese_for_export
-- of PnX-SI/GeoNature (2.6 onwards, data/migrations and its alembic revisions); aliases cover the older/our own
-- export names (altitude_min, lieu_dit, statut_biologique, ...). SINP DEE names: the standard "Occurrences de
-- taxon" short field names, lower case as in DBF/shapefile exports, as used by the DEPOBIO mapping of
-- PnX-SI/gn_module_import (permid, datedebut, cdnom, ocetatbio, ...); headers are matched case-insensitively.
INSERT INTO import.mappings (name, is_public, is_builtin, field_mapping) VALUES
('GeoNature synthese export', true, true, '{
  "uniqueIdSinp": {"column": "uuid_perm_sinp"},
  "uniqueIdSinpGrp": {"column": "uuid_perm_grp_sinp"},
  "entitySourcePkValue": {"column": "id_origine"},
  "datasetUuid": {"column": "jdd_uuid"},
  "cdNom": {"column": "cd_nom"},
  "nomCite": {"column": "nom_cite"},
  "dateMin": {"column": "date_debut"},
  "dateMax": {"column": "date_fin"},
  "hourMin": {"column": "heure_debut"},
  "hourMax": {"column": "heure_fin"},
  "countMin": {"column": "nombre_min"},
  "countMax": {"column": "nombre_max"},
  "observers": {"column": "observateurs"},
  "determiner": {"column": "determinateur"},
  "precision": {"column": "precision_geographique", "aliases": ["precision"]},
  "altitudeMin": {"column": "alti_min", "aliases": ["altitude_min"]},
  "altitudeMax": {"column": "alti_max", "aliases": ["altitude_max"]},
  "depthMin": {"column": "prof_min", "aliases": ["profondeur_min"]},
  "depthMax": {"column": "prof_max", "aliases": ["profondeur_max"]},
  "placeName": {"column": "nom_lieu", "aliases": ["lieu_dit"]},
  "commentContext": {"column": "comment_releve"},
  "commentDescription": {"column": "comment_occurrence"},
  "validator": {"column": "validateur"},
  "validationDate": {"column": "date_validation"},
  "validationComment": {"column": "comment_validation"},
  "digitalProof": {"column": "preuve_numerique_url"},
  "nonDigitalProof": {"column": "preuve_non_numerique"},
  "wkt": {"column": "geometrie_wkt_4326"},
  "x": {"column": "x_centroid_4326"},
  "y": {"column": "y_centroid_4326"},
  "geoObjectNature": {"column": "nature_objet_geo"},
  "grpTyp": {"column": "type_regroupement"},
  "obsTechnique": {"column": "technique_observation"},
  "bioStatus": {"column": "biologique_statut", "aliases": ["statut_biologique"]},
  "bioCondition": {"column": "etat_biologique"},
  "biogeoStatus": {"column": "biogeographique_statut", "aliases": ["statut_biogeographique"]},
  "naturalness": {"column": "naturalite"},
  "existProof": {"column": "preuve_existante"},
  "diffusionLevel": {"column": "niveau_precision_diffusion"},
  "lifeStage": {"column": "stade_vie"},
  "sex": {"column": "sexe"},
  "objCount": {"column": "objet_denombrement"},
  "typeCount": {"column": "type_denombrement"},
  "sensitivity": {"column": "niveau_sensibilite"},
  "observationStatus": {"column": "statut_observation"},
  "blurring": {"column": "floutage_dee"},
  "sourceStatus": {"column": "statut_source"},
  "infoGeoType": {"column": "type_info_geo"},
  "determinationMethod": {"column": "methode_determination"},
  "behaviour": {"column": "comportement"},
  "validStatus": {"column": "niveau_validation"}
}'),
('SINP DEE', true, true, '{
  "uniqueIdSinp": {"column": "permid"},
  "uniqueIdSinpGrp": {"column": "permidgrp"},
  "entitySourcePkValue": {"column": "idorigine"},
  "cdNom": {"column": "cdnom"},
  "nomCite": {"column": "nomcite"},
  "dateMin": {"column": "datedebut"},
  "dateMax": {"column": "datefin"},
  "hourMin": {"column": "heuredebut"},
  "hourMax": {"column": "heurefin"},
  "countMin": {"column": "denbrmin"},
  "countMax": {"column": "denbrmax"},
  "observers": {"column": "obsid"},
  "determiner": {"column": "detid"},
  "altitudeMin": {"column": "altmin"},
  "altitudeMax": {"column": "altmax"},
  "depthMin": {"column": "profmin"},
  "depthMax": {"column": "profmax"},
  "placeName": {"column": "nomlieu"},
  "commentContext": {"column": "obsctx"},
  "commentDescription": {"column": "obsdescr"},
  "digitalProof": {"column": "preuvnum"},
  "nonDigitalProof": {"column": "preuvnonum"},
  "wkt": {"column": "wkt", "aliases": ["geometrie"]},
  "communeCode": {"column": "cdcom"},
  "departementCode": {"column": "cddept"},
  "gridCode": {"column": "cdm10"},
  "geoObjectNature": {"column": "natobjgeo"},
  "grpTyp": {"column": "typgrp"},
  "obsTechnique": {"column": "obstech", "aliases": ["obsmeth"]},
  "bioStatus": {"column": "ocstatbio"},
  "bioCondition": {"column": "ocetatbio"},
  "biogeoStatus": {"column": "ocbiogeo"},
  "naturalness": {"column": "ocnat"},
  "existProof": {"column": "preuveoui"},
  "lifeStage": {"column": "ocstade"},
  "sex": {"column": "ocsex"},
  "objCount": {"column": "objdenbr"},
  "typeCount": {"column": "typdenbr"},
  "observationStatus": {"column": "statobs"},
  "sourceStatus": {"column": "statsource"},
  "determinationMethod": {"column": "ocmethdet"}
}');
