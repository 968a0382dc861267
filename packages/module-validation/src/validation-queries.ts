import {
  badRequest,
  OBSERVATION_BASE_COLUMNS,
  type ObservationSearch,
  observationPage,
  observationWhere,
  type PermissionFilter,
} from '@biodiv/core'
import type { Pool, Queryable } from './db-types.ts'
import { permittedObservationsSql, validableSql } from './validation-scope.ts'

/** Who asks: the user, their organism, and the rows of their VALIDATION V permission (with filters). */
export interface Validator {
  userId: number
  organismId: number | null
  permissions: readonly PermissionFilter[]
  /** Within this scope sensitive observations are listed precisely (experts); blurred otherwise (ADR 15). */
  preciseScope: 0 | 1 | 2 | 3
}

/** The synthese filters, with the validation ones: several statuses, the validator, edited after validation. */
export interface ValidationSearch extends Omit<ObservationSearch, 'status'> {
  /** STATUT_VALID codes; '0' (pending) also matches observations without a status. */
  status?: string[]
  /** A user id (who gave the current status), or text found in the validator's name. */
  validator?: string
  /** Edited (synthese meta_update_date) after the last status was given. */
  modifiedSinceValidation?: boolean
}

/** STATUT_VALID code → nomenclature id and label. */
export async function validationStatuses(db: Queryable): Promise<Map<string, { id: number; label: string }>> {
  const { rows } = await db.query<{ code: string; id: number; label: string }>(
    `SELECT n.cd_nomenclature AS code, n.id, n.label_fr AS label
       FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types t ON t.id = n.type_id
      WHERE t.mnemonique = 'STATUT_VALID'`,
  )
  return new Map(rows.map((r) => [r.code, { id: r.id, label: r.label }]))
}

/** The date of the last status given to `s` (null: never validated). */
export const lastValidationSql = (s = 's') =>
  `(SELECT max(vh.validation_date) FROM gn_synthese.validation_history vh WHERE vh.unique_id_sinp = ${s}.unique_id_sinp)`

/**
 * The WHERE clause (on `gn_synthese.synthese s`) of the observations the validator may validate — validable dataset,
 * inside one of their V permission rows — that match the filters. Bad filters → 400 before any row is read (uses the
 * pool: call it before opening a transaction).
 */
export async function validationWhere(pool: Pool, validator: Validator, f: ValidationSearch) {
  const { status, validator: validatorFilter, modifiedSinceValidation, ...search } = f
  // Scope 3 for the Synthese rule: the V rows below restrict, each at its own scope.
  const { from, where, params, p } = await observationWhere(
    pool,
    {
      userId: validator.userId,
      organismId: validator.organismId,
      scope: 3,
      preciseScope: validator.preciseScope,
    },
    search,
  )
  where.push(validableSql('s'), permittedObservationsSql(validator.permissions, p))
  if (status?.length) {
    const known = await validationStatuses(pool)
    const unknown = status.filter((c) => !known.has(c))
    if (unknown.length)
      throw badRequest('UNKNOWN_STATUS', `Unknown validation status: ${unknown.join(', ')}`, {
        status: unknown,
      })
    const ids = status.map((c) => known.get(c)!.id)
    where.push(
      `(s.id_nomenclature_valid_status = ANY(${p(ids)}::integer[])${status.includes('0') ? ' OR s.id_nomenclature_valid_status IS NULL' : ''})`,
    )
  }
  const v = validatorFilter?.trim()
  if (v) {
    if (/^\d+$/.test(v))
      where.push(`(SELECT vh.id_validator FROM gn_synthese.validation_history vh
                    WHERE vh.unique_id_sinp = s.unique_id_sinp
                    ORDER BY vh.validation_date DESC, vh.id DESC LIMIT 1) = ${p(Number(v))}::integer`)
    else where.push(`s.validator ILIKE '%' || ${p(v.replace(/[\\%_]/g, (c) => `\\${c}`))}::text || '%'`)
  }
  if (modifiedSinceValidation !== undefined)
    where.push(
      `${modifiedSinceValidation ? '' : 'NOT '}COALESCE(s.meta_update_date > ${lastValidationSql('s')}, false)`,
    )
  return { from, where, params, p }
}

const isoText = (column: string) => `(to_json(${column}) #>> '{}')`

const LIST_COLUMNS = `${OBSERVATION_BASE_COLUMNS},
  COALESCE((SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_valid_status), '0')
    AS "validStatus",
  s.validator, ${isoText('s.validation_date')} AS "validationDate", s.validation_comment AS "validationComment",
  COALESCE(s.meta_update_date > ${lastValidationSql('s')}, false) AS "modifiedSinceValidation"`

/** One page of the observations to validate, newest first (keyset on id), and the next page's cursor (or null). */
export async function listValidationObservations(
  pool: Pool,
  validator: Validator,
  f: ValidationSearch & { limit: number; cursor?: string },
) {
  const { limit, cursor, ...search } = f
  return observationPage<{ id: number; geometry: unknown } & Record<string, unknown>>(
    pool,
    await validationWhere(pool, validator, search),
    LIST_COLUMNS,
    { limit, cursor },
  )
}

/** How many observations the validator may validate match the filters (what a bulk change by filter would change). */
export async function countValidationObservations(pool: Pool, validator: Validator, f: ValidationSearch) {
  const { from, where, params } = await validationWhere(pool, validator, f)
  const { rows } = await pool.query<{ count: number }>(
    `SELECT count(*)::double precision AS count FROM ${from} s WHERE ${where.join('\n AND ')}`,
    params,
  )
  return rows[0]!.count
}

const userName = (u: string) =>
  `COALESCE(NULLIF(concat_ws(' ', ${u}.first_name, ${u}.last_name), ''), ${u}.login)`

/**
 * The validation history of an observation (by its UUID), oldest first, when the observation is inside the
 * permission rows given (the caller's VALIDATION R rows); null otherwise or when it does not exist.
 */
export async function validationHistory(
  pool: Pool,
  caller: { userId: number; organismId: number | null; permissions: readonly PermissionFilter[] },
  uuid: string,
) {
  const params: unknown[] = [caller.userId, caller.organismId, uuid]
  const p = (value: unknown) => {
    params.push(value)
    return `$${params.length}`
  }
  const { rows } = await pool.query(
    `SELECT s.id::double precision AS id, s.unique_id_sinp::text AS "uniqueIdSinp",
            COALESCE((SELECT json_agg(json_build_object(
                        'id', vh.id::double precision, 'date', ${isoText('vh.validation_date')},
                        'status', json_build_object('code', vn.cd_nomenclature, 'label', vn.label_fr),
                        'validator', CASE WHEN vu.id IS NULL THEN NULL
                                     ELSE json_build_object('id', vu.id, 'name', ${userName('vu')}) END,
                        'comment', vh.comment, 'automatic', vh.automatic)
                      ORDER BY vh.validation_date, vh.id)
                        FROM gn_synthese.validation_history vh
                        JOIN ref_nomenclatures.nomenclatures vn ON vn.id = vh.id_nomenclature_valid_status
                        LEFT JOIN core.users vu ON vu.id = vh.id_validator
                       WHERE vh.unique_id_sinp = s.unique_id_sinp), '[]'::json) AS history
       FROM gn_synthese.synthese s
      WHERE s.unique_id_sinp = $3::uuid AND ${permittedObservationsSql(caller.permissions, p)}`,
    params,
  )
  return rows[0] ?? null
}
