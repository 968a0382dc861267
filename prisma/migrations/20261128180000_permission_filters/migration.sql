-- A permission row may be narrowed to a taxon (it and everything below it, taxonomie.taxon_subtree) and/or to a
-- geographic area (observations linked to it in gn_synthese.cor_area_synthese): "this expert validates birds in this
-- département". Rows are OR-ed; a row with filters grants its action only within them. Modules that honour filters
-- read them from request.permissionFilters (packages/core/src/plugins/permissions.ts).
-- The foreign key to taxref makes a TAXREF re-import keep a name a permission uses; deleting an area deletes the
-- permission rows narrowed to it (never widen a grant silently).
ALTER TABLE core.permissions
  ADD COLUMN taxon_cd_nom integer REFERENCES taxonomie.taxref (cd_nom),
  ADD COLUMN area_id integer REFERENCES ref_geo.areas (id) ON DELETE CASCADE;
CREATE INDEX permissions_taxon_cd_nom_idx ON core.permissions (taxon_cd_nom);
CREATE INDEX permissions_area_id_idx ON core.permissions (area_id);
