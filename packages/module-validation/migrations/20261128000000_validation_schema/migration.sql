-- The VALIDATION module owns the "validation" schema; its tables arrive with its features.
CREATE SCHEMA IF NOT EXISTS validation;
COMMENT ON SCHEMA validation IS 'Validation des observations par les experts, avec historique et commentaires.';
