import { AppError, badRequest, conflict, forbidden, notify, withTransaction } from '@biodiv/core'
import type { Client, Pool } from './db-types.ts'
import {
  type ValidationSearch,
  type Validator,
  validationStatuses,
  validationWhere,
} from './validation-queries.ts'
import { permittedObservationsSql, validableSql } from './validation-scope.ts'

/** The notification kind sent to the digitiser and observers when a status changes (registered by the migration). */
export const STATUS_NOTIFICATION_KIND = 'validation.status'

/** A bulk status change: the observations by UUID, or every observation the validator may validate matching a filter. */
export type StatusChange = {
  status: string
  comment?: string | null
} & (
  | { observations: readonly string[]; filter?: undefined }
  | { filter: ValidationSearch; observations?: undefined }
)

const DETAILS_LIMIT = 20

/**
 * Gives `status` (a STATUT_VALID code) to the selected observations in one transaction, set-based whatever their
 * number: one INSERT … SELECT into the validation history and one UPDATE of the synthese rows from the same selection,
 * then one notification per digitiser or observer (user) whose observations changed status. All or nothing: an
 * unknown status (400 UNKNOWN_STATUS), a UUID that does not exist (404), outside the validator's V rows (403) or of a
 * non-validable dataset (400) changes nothing. A filter selects only what the validator may validate (as the list).
 * The synthese's meta_update_date is not touched: validating is not editing.
 */
export async function changeValidationStatus(
  pool: Pool,
  validator: Validator,
  change: StatusChange,
): Promise<{ changed: number }> {
  const statuses = await validationStatuses(pool)
  const status = statuses.get(change.status)
  if (!status) {
    throw badRequest('UNKNOWN_STATUS', `Unknown validation status: ${change.status}`, {
      status: change.status,
      known: [...statuses.keys()].sort(),
    })
  }
  if (validator.permissions.length === 0) {
    throw forbidden('PERMISSION_DENIED', 'You have no "V" permission in module VALIDATION', {
      module: 'VALIDATION',
      action: 'V',
    })
  }

  // The selection's WHERE, built (and its filters checked) before the transaction opens.
  let selection: { where: string[]; params: unknown[]; p: (value: unknown) => string }
  let uuids: string[] | null = null
  if (change.observations) {
    uuids = [...new Set(change.observations.map((u) => u.toLowerCase()))]
    const params: unknown[] = [validator.userId, validator.organismId]
    const p = (value: unknown) => {
      params.push(value)
      return `$${params.length}`
    }
    const where = [
      `s.unique_id_sinp = ANY(${p(uuids)}::uuid[])`,
      validableSql('s'),
      permittedObservationsSql(validator.permissions, p),
    ]
    selection = { where, params, p }
  } else {
    selection = await validationWhere(pool, validator, change.filter)
  }

  return withTransaction(pool, async (client) => {
    if (uuids) await checkSelectedObservations(client, validator, uuids)
    const { where, params, p } = selection
    const statusParam = p(status.id)
    const userParam = p(validator.userId)
    const commentParam = p(change.comment?.trim() || null)
    const { rows } = await client.query<{
      changed: number
      recipients: { userId: number; count: number; id: number }[]
    }>(
      `WITH v AS (
         SELECT ${statusParam}::integer AS status, ${userParam}::integer AS user_id, ${commentParam}::text AS comment,
                (SELECT COALESCE(NULLIF(concat_ws(' ', u.first_name, u.last_name), ''), u.login)
                   FROM core.users u WHERE u.id = ${userParam}::integer) AS name
       ),
       sel AS MATERIALIZED (
         SELECT s.id, s.unique_id_sinp, s.id_digitiser,
                s.id_nomenclature_valid_status IS DISTINCT FROM ${statusParam}::integer AS differs
           FROM gn_synthese.synthese s
          WHERE ${where.join('\n            AND ')}
       ),
       h AS (
         INSERT INTO gn_synthese.validation_history (unique_id_sinp, id_nomenclature_valid_status, id_validator, comment)
         SELECT sel.unique_id_sinp, v.status, v.user_id, v.comment FROM sel, v
       ),
       u AS (
         UPDATE gn_synthese.synthese s
            SET id_nomenclature_valid_status = v.status, validator = v.name, validation_date = now(),
                validation_comment = v.comment
           FROM sel, v
          WHERE s.id = sel.id
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM u)::int AS changed,
              (SELECT COALESCE(json_agg(json_build_object('userId', r.user_id, 'count', r.n, 'id', r.any_id)), '[]')
                 FROM (SELECT a.user_id, count(DISTINCT a.id)::int AS n, min(a.id)::double precision AS any_id
                         FROM (SELECT sel.id, sel.id_digitiser AS user_id FROM sel
                                WHERE sel.differs AND sel.id_digitiser IS NOT NULL
                               UNION ALL
                               SELECT sel.id, co.id_role FROM sel
                                 JOIN gn_synthese.cor_observer_synthese co ON co.id_synthese = sel.id
                                WHERE sel.differs) a
                        GROUP BY a.user_id) r) AS recipients`,
      params,
    )
    const { changed, recipients } = rows[0]!
    // By UUIDs, every one was checked: fewer rows written means one changed in between (e.g. moved dataset).
    if (uuids && changed !== uuids.length) {
      throw conflict('VALIDATION_CONFLICT', 'Some observations changed while validating; nothing was changed')
    }
    const others = recipients.filter((r) => r.userId !== validator.userId)
    await notify(
      client,
      others.map((r) => ({
        userId: r.userId,
        kind: STATUS_NOTIFICATION_KIND,
        title:
          r.count === 1
            ? `Votre observation est passée au statut « ${status.label} »`
            : `${r.count} de vos observations sont passées au statut « ${status.label} »`,
        body: change.comment?.trim() || null,
        url:
          r.count === 1 ? `/synthese?sheet=${r.id}` : `/synthese?status=${encodeURIComponent(change.status)}`,
      })),
    )
    return { changed }
  })
}

/** 404 / 403 / 400 (in that order) when a UUID does not exist, is outside the V rows, or its dataset is not validable. */
async function checkSelectedObservations(client: Client, validator: Validator, uuids: string[]) {
  const params: unknown[] = [validator.userId, validator.organismId, uuids]
  const p = (value: unknown) => {
    params.push(value)
    return `$${params.length}`
  }
  const { rows } = await client.query<{
    uuid: string
    found: boolean
    permitted: boolean
    validable: boolean
  }>(
    `SELECT x.uuid, x.found, x.permitted, x.validable FROM (
       SELECT u.uuid::text AS uuid, s.id IS NOT NULL AS found,
              COALESCE(${permittedObservationsSql(validator.permissions, p)}, false) AS permitted,
              COALESCE(${validableSql('s')}, false) AS validable
         FROM unnest($3::uuid[]) AS u(uuid)
         LEFT JOIN gn_synthese.synthese s ON s.unique_id_sinp = u.uuid) x
      WHERE NOT (x.found AND x.permitted AND x.validable)`,
    params,
  )
  if (rows.length === 0) return
  const pick = (test: (r: (typeof rows)[number]) => boolean) => {
    const all = rows.filter(test).map((r) => r.uuid)
    return { count: all.length, observations: all.slice(0, DETAILS_LIMIT) }
  }
  const missing = pick((r) => !r.found)
  if (missing.count)
    throw new AppError(
      404,
      'OBSERVATION_NOT_FOUND',
      `${missing.count} observation(s) do not exist; nothing was changed`,
      missing,
    )
  const outside = pick((r) => !r.permitted)
  if (outside.count)
    throw forbidden(
      'OUTSIDE_VALIDATION_SCOPE',
      `${outside.count} observation(s) are outside your validation permission (scope, taxon or area); nothing was changed`,
      outside,
    )
  const closed = pick((r) => !r.validable)
  throw badRequest(
    'DATASET_NOT_VALIDABLE',
    `${closed.count} observation(s) belong to datasets closed to validation; nothing was changed`,
    closed,
  )
}
