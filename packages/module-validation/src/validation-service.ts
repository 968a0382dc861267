import {
  AppError,
  badRequest,
  checkObservationUuids,
  conflict,
  forbidden,
  notify,
  setValidationStatus,
  validationStatus,
  withTransaction,
} from '@biodiv/core'
import type { Pool } from './db-types.ts'
import { STATUS_NOTIFICATION_KIND } from './manifest.ts'
import { type ValidationSearch, type Validator, validationWhere } from './validation-queries.ts'
import { permittedObservationsSql, validableSql } from './validation-scope.ts'

export { STATUS_NOTIFICATION_KIND }

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
 * number: the core's `setValidationStatus` (history + synthese rows, one statement), then one notification per
 * digitiser or observer (user) whose observations changed status. All or nothing: an unknown status (400
 * UNKNOWN_STATUS), a UUID that does not exist (404), outside the validator's V rows (403) or of a non-validable
 * dataset (400) changes nothing. A filter selects only what the validator may validate (as the list).
 */
export async function changeValidationStatus(
  pool: Pool,
  validator: Validator,
  change: StatusChange,
): Promise<{ changed: number }> {
  const status = await validationStatus(pool, change.status)
  if (validator.permissions.length === 0) {
    throw forbidden('PERMISSION_DENIED', 'You have no "V" permission in module VALIDATION', {
      module: 'VALIDATION',
      action: 'V',
    })
  }

  // The selection's conditions, built (and its filters checked) before the transaction opens.
  let uuids: string[] | null = null
  let selection: { from?: string; where: string[]; params: unknown[] }
  if (change.observations) {
    uuids = [...new Set(change.observations.map((u) => u.toLowerCase()))]
    const { permitted, validable, params } = validatorConditions(validator)
    selection = { where: [permitted, validable], params }
  } else {
    selection = await validationWhere(pool, validator, change.filter)
  }

  return withTransaction(pool, async (client) => {
    if (uuids) await checkSelectedObservations(client, validator, uuids)
    const { changed, concerned } = await setValidationStatus(client, {
      ...selection,
      ...(uuids ? { uniqueIds: uuids } : {}),
      status: change.status,
      validatorId: validator.userId,
      comment: change.comment,
    })
    // By UUIDs, every one was checked: fewer rows written means one changed in between (e.g. moved dataset).
    if (uuids && changed !== uuids.length) {
      throw conflict('VALIDATION_CONFLICT', 'Some observations changed while validating; nothing was changed')
    }
    const others = concerned.filter((r) => r.userId !== validator.userId)
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
          r.count === 1
            ? `/synthese?sheet=${r.observationId}`
            : `/synthese?status=${encodeURIComponent(change.status)}`,
      })),
    )
    return { changed }
  })
}

/** What the validator may validate — inside their V rows, of a validable dataset — as two named SQL conditions on `s`. */
function validatorConditions(validator: Validator) {
  const params: unknown[] = [validator.userId, validator.organismId]
  const p = (value: unknown) => {
    params.push(value)
    return `$${params.length}`
  }
  return {
    permitted: permittedObservationsSql(validator.permissions, p),
    validable: validableSql('s'),
    params,
  }
}

/** 404 / 403 / 400 (in that order) when a UUID does not exist, is outside the V rows, or its dataset is not validable. */
async function checkSelectedObservations(
  client: Parameters<typeof checkObservationUuids>[0],
  validator: Validator,
  uuids: string[],
) {
  const { permitted, validable, params } = validatorConditions(validator)
  const { missing, failing } = await checkObservationUuids(client, uuids, { permitted, validable }, params)
  const details = (all: string[]) => ({ count: all.length, observations: all.slice(0, DETAILS_LIMIT) })
  if (missing.length)
    throw new AppError(
      404,
      'OBSERVATION_NOT_FOUND',
      `${missing.length} observation(s) do not exist; nothing was changed`,
      details(missing),
    )
  const outside = failing.permitted!
  if (outside.length)
    throw forbidden(
      'OUTSIDE_VALIDATION_SCOPE',
      `${outside.length} observation(s) are outside your validation permission (scope, taxon or area); nothing was changed`,
      details(outside),
    )
  const closed = failing.validable!
  if (closed.length)
    throw badRequest(
      'DATASET_NOT_VALIDABLE',
      `${closed.length} observation(s) belong to datasets closed to validation; nothing was changed`,
      details(closed),
    )
}
