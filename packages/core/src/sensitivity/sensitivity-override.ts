import type { QueryResultRow } from 'pg'
import { badRequest, notFound } from '../http/app-error.ts'

/** A client inside the caller's transaction (or the pool). */
interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[] }>
}

export interface SensitivityOverride {
  uniqueIdSinp: string
  /** The level an expert gives (0–4), or null to go back to what the rules say. */
  level: number | null
  /** Why: kept in the sensitivity history. */
  comment: string
  userId: number
}

export interface SensitivityOverrideResult {
  uniqueIdSinp: string
  level: number
  manual: boolean
  /** What the rules alone would give. */
  computedLevel: number
}

/**
 * An expert's sensitivity level for one observation (ADR 15): kept whatever the rules say and across the source's
 * re-writes (sensitivity_manual), until an expert gives it back to the rules (level null). The row trigger then
 * recomputes the blurred geometry and the cell counts follow. Each change is appended to
 * gn_synthese.sensitivity_history with its comment. Run it inside the caller's transaction.
 */
export async function overrideSensitivity(
  db: Queryable,
  change: SensitivityOverride,
): Promise<SensitivityOverrideResult> {
  if (change.level !== null && !(Number.isInteger(change.level) && change.level >= 0 && change.level <= 4))
    throw badRequest('INVALID_SENSITIVITY', 'level must be an integer 0–4, or null for the rules', {
      level: change.level,
    })
  const comment = change.comment.trim()
  if (!comment) throw badRequest('COMMENT_REQUIRED', 'Say why the sensitivity level changes')
  const { rows } = await db.query<SensitivityOverrideResult>(
    `WITH u AS (
       UPDATE gn_synthese.synthese s
          SET sensitivity_manual = $2::smallint IS NOT NULL,
              sensitivity_level = COALESCE($2::smallint, s.sensitivity_level),
              meta_update_date = now()
        WHERE s.unique_id_sinp = $1::uuid
       RETURNING s.unique_id_sinp, s.sensitivity_level, s.sensitivity_manual,
                 gn_sensitivity.rules_level(s.cd_nom, s.the_geom_local, s.date_min, s.id_nomenclature_bio_status,
                                            s.id_nomenclature_behaviour) AS computed
     ), h AS (
       INSERT INTO gn_synthese.sensitivity_history (unique_id_sinp, level, computed_level, id_role, comment)
       SELECT u.unique_id_sinp, $2::smallint, u.computed, $3::integer, $4::text FROM u
     )
     SELECT unique_id_sinp::text AS "uniqueIdSinp", sensitivity_level AS level, sensitivity_manual AS manual,
            computed AS "computedLevel" FROM u`,
    [change.uniqueIdSinp, change.level, change.userId, comment],
  )
  if (!rows[0]) throw notFound('OBSERVATION_NOT_FOUND', `No observation ${change.uniqueIdSinp}`)
  return rows[0]
}
