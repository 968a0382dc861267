import { datasetAccessSql, type ObservationCaller } from '@biodiv/core'

/**
 * Who is asking, the scope of the route's action (1 own data, 2 organism's, 3 all), and how far they see
 * sensitive observations precisely (reads blur relevés of sensitive taxa for the others: ADR 15).
 */
export type Caller = ObservationCaller

// Scoped queries bind $1 = user id, $2 = organism id, $3 = scope (callerParams); a second scope may follow.
export const callerParams = (c: Caller): unknown[] => [c.userId, c.organismId, c.scope]

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
  OR ${r}.dataset_id IN (SELECT vd.id FROM ${datasetAccessSql(`${scope}::int`)} vd WHERE vd.visible)))`
