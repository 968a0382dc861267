import type { PermissionFilter } from '../auth/grants.ts'
import { intersectsAreaSql } from '../geo/area-lookup.ts'
import { datasetVisibleSql } from '../meta/meta-repository.ts'
import { syntheseVisibleAt } from '../sensitivity/observation-source.ts'
import { taxonSubtreeSql } from '../taxonomy/taxonomy-service.ts'

// Permission rows (scope + optional taxon and area filters, see PermissionFilter) as SQL conditions on observations:
// the one reading of the filters that every module shares. Rows are OR-ed; each grants its scope AND its filters.

/** Binds one value and returns its placeholder. */
type Bind = (value: unknown) => string

// Always reference $1 and $2, so that PostgreSQL knows their types even when no row needs them.
const TYPED = '($1::integer IS NOT NULL OR $2::integer IS NULL)'

function orRows(clauses: string[]): string {
  if (clauses.length === 0) return `(NOT ${TYPED})`
  return clauses.includes('true') ? TYPED : `(${TYPED} AND (${clauses.join('\n    OR ')}))`
}

/**
 * The stored observations (`s`, a gn_synthese.synthese row) the permission rows grant, as one SQL condition: each
 * row is its scope (the Synthese visibility rule at that scope) AND its taxon filter (the taxon and everything below
 * it) AND its area filter (an area linked to the observation). Binds $1 = user id, $2 = organism id (as
 * `observationWhere`); filter values through `p`. No rows: nothing.
 */
export function permittedObservationsSql(rows: readonly PermissionFilter[], p: Bind, s = 's'): string {
  return orRows(
    rows.map((row) => {
      const parts: string[] = []
      // Each row has its own scope, a trusted integer 1–3, given to the visibility rule as a literal.
      if (row.scope < 3) parts.push(syntheseVisibleAt(s, '$1', '$2', String(Number(row.scope))))
      if (row.taxon !== null) parts.push(taxonSubtreeSql(`${s}.cd_nom`, `${p(row.taxon)}::integer`))
      if (row.area !== null)
        parts.push(`EXISTS (SELECT 1 FROM gn_synthese.cor_area_synthese pa
                             WHERE pa.id_synthese = ${s}.id AND pa.id_area = ${p(row.area)}::integer)`)
      return parts.length ? `(${parts.join(' AND ')})` : 'true'
    }),
  )
}

/**
 * The same for observations about to be written (an import's checked lines): `record` gives the SQL expressions of
 * the dataset id, the cd_nom and the geometry (4326). Each row is its scope on the dataset (the metadata rule: the
 * caller may write there) AND its taxon filter AND its area filter (the geometry intersects the area). Binds
 * $1 = user id, $2 = organism id; filter values through `p`. No rows: nothing.
 */
export function permittedNewObservationsSql(
  rows: readonly PermissionFilter[],
  record: { datasetId: string; cdNom: string; geometry: string },
  p: Bind,
): string {
  return orRows(
    rows.map((row) => {
      const parts: string[] = []
      if (row.scope < 3)
        parts.push(`EXISTS (SELECT 1 FROM gn_meta.datasets pd
                             WHERE pd.id = ${record.datasetId} AND ${datasetVisibleSql('pd', String(Number(row.scope)))})`)
      if (row.taxon !== null) parts.push(taxonSubtreeSql(record.cdNom, `${p(row.taxon)}::integer`))
      if (row.area !== null) parts.push(intersectsAreaSql(record.geometry, `${p(row.area)}::integer`))
      return parts.length ? `(${parts.join(' AND ')})` : 'true'
    }),
  )
}

/** Only observations (`s`) of datasets open to validation (`gn_meta.datasets.validable`). */
export const validableObservationSql = (s = 's') =>
  `${s}.id_dataset IN (SELECT vd.id FROM gn_meta.datasets vd WHERE vd.validable)`
