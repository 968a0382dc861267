/**
 * The service the synthese (and any module) uses to link geometries to areas, set-based.
 *
 * In SQL, `ref_geo.intersecting_areas(geometry, type_codes text[] DEFAULT NULL)` returns `(area_id, type_code)` for
 * every enabled area the geometry intersects (compared in the local projection, GiST-indexed). The geometry must
 * carry its SRID. Typical use, refreshing the links of the observations touched by an import in one statement:
 *
 * ```sql
 * DELETE FROM synthese.cor_area_synthese c USING tmp_ids t WHERE c.id_synthese = t.id;
 * INSERT INTO synthese.cor_area_synthese (id_synthese, id_area)
 * SELECT s.id, a.area_id
 *   FROM synthese.synthese s JOIN tmp_ids t ON t.id = s.id
 *   CROSS JOIN LATERAL ref_geo.intersecting_areas(s.the_geom_4326) a;
 * ```
 *
 * `intersectingAreasSql` builds that lateral subquery for a geometry SQL expression, for code that composes SQL.
 */
export function intersectingAreasSql(geometrySql: string, typeCodesSql = 'NULL'): string {
  return `ref_geo.intersecting_areas(${geometrySql}, ${typeCodesSql})`
}
