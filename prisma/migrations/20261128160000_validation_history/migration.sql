-- Validation history of observations (GeoNature's gn_commons.t_validations): append-only, keyed by the observation's
-- SINP UUID so that it survives a source deleting and re-writing its rows (re-imports keep their UUIDs). The synthese
-- row carries the latest status; the Validation module writes both in one transaction. The core owns the table
-- because the Synthese sheet shows it, whichever module validated.
CREATE TABLE gn_synthese.validation_history (
  id bigserial PRIMARY KEY,
  unique_id_sinp uuid NOT NULL,
  id_nomenclature_valid_status integer NOT NULL REFERENCES ref_nomenclatures.nomenclatures (id)
    CHECK (ref_nomenclatures.is_of_type(id_nomenclature_valid_status, 'STATUT_VALID')),
  id_validator integer REFERENCES core.users (id) ON DELETE SET NULL,
  validation_date timestamptz(6) NOT NULL DEFAULT now(),
  comment text,
  automatic boolean NOT NULL DEFAULT false
);
CREATE INDEX validation_history_uuid_idx ON gn_synthese.validation_history (unique_id_sinp, validation_date);

-- Rows are never changed nor deleted; the only update allowed is the foreign key's ON DELETE SET NULL of a user.
CREATE FUNCTION gn_synthese.validation_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id_validator IS NULL
     AND (NEW.id, NEW.unique_id_sinp, NEW.id_nomenclature_valid_status, NEW.validation_date, NEW.comment, NEW.automatic)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.unique_id_sinp, OLD.id_nomenclature_valid_status, OLD.validation_date, OLD.comment, OLD.automatic)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'gn_synthese.validation_history is append-only' USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER validation_history_append_only BEFORE UPDATE OR DELETE ON gn_synthese.validation_history
  FOR EACH ROW EXECUTE FUNCTION gn_synthese.validation_history_append_only();
