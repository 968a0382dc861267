-- The OCCTAX module owns the "occtax" schema; its tables arrive with its features.
CREATE SCHEMA IF NOT EXISTS occtax;
COMMENT ON SCHEMA occtax IS 'Saisie des relevés d''observation : où, quand, qui, les taxons vus et leurs dénombrements.';
