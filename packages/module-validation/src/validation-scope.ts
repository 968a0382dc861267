import { type PermissionFilter, syntheseVisibleSql, taxonSubtreeSql } from '@biodiv/core'

/**
 * The observations (`s`, a gn_synthese.synthese row) the permission rows grant, as one SQL condition: the rows are
 * OR-ed, each row being its scope (the Synthese visibility rule at that scope) AND its taxon filter (the taxon and
 * everything below it) AND its area filter (an area linked in cor_area_synthese). Binds $1 = user id, $2 = organism id
 * (as `observationWhere`); filter values through `p`. No rows: nothing.
 */
export function permittedObservationsSql(
  rows: readonly PermissionFilter[],
  p: (value: unknown) => string,
  s = 's',
): string {
  const clauses = rows.map((row) => {
    const parts: string[] = []
    // The visibility rule reads the scope from $3; each row has its own, a trusted integer 1–3.
    if (row.scope < 3) parts.push(syntheseVisibleSql(s).replace(/\$3(?!\d)/g, String(Number(row.scope))))
    if (row.taxon !== null) parts.push(taxonSubtreeSql(`${s}.cd_nom`, `${p(row.taxon)}::integer`))
    if (row.area !== null)
      parts.push(`EXISTS (SELECT 1 FROM gn_synthese.cor_area_synthese pa
                           WHERE pa.id_synthese = ${s}.id AND pa.id_area = ${p(row.area)}::integer)`)
    return parts.length ? `(${parts.join(' AND ')})` : 'true'
  })
  // Always reference $1 and $2, so that PostgreSQL knows their types even when no row needs them.
  const typed = '($1::integer IS NOT NULL OR $2::integer IS NULL)'
  if (clauses.length === 0) return `(NOT ${typed})`
  return clauses.includes('true') ? typed : `(${typed} AND (${clauses.join('\n    OR ')}))`
}

/** Only observations of datasets open to validation. */
export const validableSql = (s = 's') =>
  `${s}.id_dataset IN (SELECT vd.id FROM gn_meta.datasets vd WHERE vd.validable)`
