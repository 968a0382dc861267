import type { Scope } from '@biodiv/core'

/** Who is asking, and the scope of the route's action (1 own data, 2 organism's, 3 all). */
export interface Caller {
  userId: number
  organismId: number | null
  scope: Scope
}

// Scoped queries bind $1 = user id, $2 = organism id, $3 = scope (callerParams); a second scope may follow.
export const callerParams = (c: Caller): unknown[] => [c.userId, c.organismId, c.scope]

/** Mirrors metadata's datasetVisibleSql: digitiser or actor of the dataset (1), its organisms' members (2), all (3). */
export const datasetVisibleSql = (d: string, scope = '$3') => `(${scope}::int = 3 OR ${d}.digitiser_id = $1
  OR EXISTS (SELECT 1 FROM gn_meta.dataset_actors va WHERE va.dataset_id = ${d}.id
              AND (va.user_id = $1 OR (${scope}::int >= 2 AND va.organism_id = $2))))`

/**
 * A relevé is visible (as the synthese's rows): to its digitiser, its observers and the people visible-dataset rule
 * gives (actors of its dataset at scope 1, + the organism's datasets at 2), to everyone at 3. `scope` is the SQL of
 * the scope parameter; a null scope (no grant) sees nothing.
 */
export const releveVisibleSql = (
  r: string,
  scope = '$3',
) => `(${scope}::int IS NOT NULL AND (${scope}::int = 3
  OR ${r}.digitiser_id = $1
  OR EXISTS (SELECT 1 FROM occtax.cor_releve_observer vo WHERE vo.releve_id = ${r}.id AND vo.user_id = $1)
  OR ${r}.dataset_id IN (SELECT vd.id FROM gn_meta.datasets vd WHERE ${datasetVisibleSql('vd', scope)})))`

export const userNameSql = (u: string) =>
  `COALESCE(NULLIF(concat_ws(' ', ${u}.first_name, ${u}.last_name), ''), ${u}.login)`

/** SQL id of the nomenclature value `code` (an SQL expression) of a type (a constant mnemonic); NULL if unknown. */
export function nomenclatureIdSql(type: string, code: string): string {
  if (!/^[A-Z0-9_]+$/.test(type)) throw new Error(`Invalid nomenclature type mnemonic ${type}`)
  return `(SELECT n.id FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types t ON t.id = n.type_id
            WHERE t.mnemonique = '${type}' AND n.cd_nomenclature = ${code})`
}

export const nomenclatureCodeSql = (column: string) =>
  `(SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = ${column})`
