-- The IMPORT module owns the "import" schema; its tables arrive with its features.
CREATE SCHEMA IF NOT EXISTS import;
COMMENT ON SCHEMA import IS 'Import de fichiers d''observations (CSV, GeoJSON) dans la synthèse, avec contrôles et rapport d''erreurs.';
