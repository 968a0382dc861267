/**
 * SQL expression: the geometry (MultiPolygon 4326) of the area whose code is the SQL expression `code`, among the
 * area types `typeCodes` (constants: the first type in alphabetical order wins when several match); NULL when none.
 * What an import uses to place an observation given by its commune, grid cell or département code.
 */
export function areaGeometryByCodeSql(typeCodes: readonly string[], code: string): string {
  if (typeCodes.length === 0 || !typeCodes.every((t) => /^[A-Z0-9_]+$/.test(t)))
    throw new Error(`Invalid area type codes ${typeCodes.join(', ')}`)
  return `(SELECT a.geom FROM ref_geo.areas a JOIN ref_geo.area_types t ON t.id = a.type_id
       WHERE t.code IN (${typeCodes.map((t) => `'${t}'`).join(', ')}) AND a.area_code = ${code}
       ORDER BY t.code LIMIT 1)`
}

/** SQL condition: the geometry (SQL expression, SRID 4326) intersects the area whose id is the SQL `areaId`. */
export const intersectsAreaSql = (geometry: string, areaId: string) =>
  `EXISTS (SELECT 1 FROM ref_geo.areas ia WHERE ia.id = ${areaId} AND ST_Intersects(ia.geom, ${geometry}))`
