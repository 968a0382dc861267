import type pg from 'pg'
import type { QueryRunner } from '../db/query-runner.ts'
import { badRequest } from '../http/app-error.ts'
import { nomenclatureValues } from '../nomenclature/nomenclature-service.ts'

// Validation statuses of observations (ADR 11): the append-only gn_synthese.validation_history, keyed by UUID, and the
// latest status, validator, date and comment on the synthese row, always written together by this service.

/** A STATUT_VALID value. */
export interface ValidationStatus {
  code: string
  id: number
  label: string
}

/** The STATUT_VALID value of `code`; 400 UNKNOWN_STATUS (with the known codes) when there is none. */
export async function validationStatus(db: QueryRunner, code: string): Promise<ValidationStatus> {
  const statuses = await nomenclatureValues(db, 'STATUT_VALID')
  const status = statuses.get(code)
  if (!status)
    throw badRequest('UNKNOWN_STATUS', `Unknown validation status: ${code}`, {
      status: code,
      known: [...statuses.keys()].sort(),
    })
  return { code, ...status }
}

/**
 * Which observations to act on: those whose UUID is listed (when given) AND that match every condition of `where`
 * (SQL on `s`, a row of `from`, e.g. from `observationWhere` and `permittedObservationsSql`), with the conditions'
 * parameters `params` ($1, $2, …: the service binds its own values after them).
 */
export interface ObservationSelection {
  uniqueIds?: readonly string[]
  /**
   * The FROM item the conditions are written on (e.g. `observationWhere`'s observation source, whose rows are the
   * caller's view of the observations); default gn_synthese.synthese. Its rows must carry the table's `id`.
   */
  from?: string
  where?: readonly string[]
  params?: readonly unknown[]
}

export interface ValidationStatusChange extends ObservationSelection {
  /** STATUT_VALID code. */
  status: string
  /** Who gives the status (core.users id; the synthese row shows their name); null for an automatic one. */
  validatorId: number | null
  comment?: string | null
  /** Given by a program (e.g. a rule), not a person. Default false. */
  automatic?: boolean
}

export interface ValidationStatusResult {
  /** Observations given the status: one history row each (an observation that already had it counts too). */
  changed: number
  status: ValidationStatus
  /**
   * The users concerned by the change — the digitiser and the observers who are users of the observations whose
   * status actually changed — with how many of their observations changed and the id of one of them.
   */
  concerned: { userId: number; count: number; observationId: number }[]
}

function selection(sel: ObservationSelection) {
  const params = [...(sel.params ?? [])]
  const p = (value: unknown) => {
    params.push(value)
    return `$${params.length}`
  }
  const where = [...(sel.where ?? [])]
  if (sel.uniqueIds) {
    where.push(
      `s.unique_id_sinp = ANY(${p([...new Set(sel.uniqueIds.map((u) => u.toLowerCase()))])}::uuid[])`,
    )
  }
  if (where.length === 0) throw new Error('setValidationStatus: select observations by uniqueIds or where')
  return { where, params, p }
}

/**
 * Gives a status to the selected observations, set-based whatever their number, in ONE statement: it selects them,
 * appends one row per observation to the validation history (INSERT … SELECT) and updates their synthese rows
 * (status, validator's name, date, comment) from the same selection. Run it in the caller's transaction with the
 * rest of the change (notifications…). The synthese's meta_update_date is not touched: validating is not editing.
 * 400 UNKNOWN_STATUS for an unknown code (nothing written).
 */
export async function setValidationStatus(
  client: pg.ClientBase,
  change: ValidationStatusChange,
): Promise<ValidationStatusResult> {
  const status = await validationStatus(client, change.status)
  const { where, params, p } = selection(change)
  const statusParam = p(status.id)
  const validatorParam = p(change.validatorId)
  const { rows } = await client.query<Omit<ValidationStatusResult, 'status'>>(
    `WITH v AS (
       SELECT ${statusParam}::integer AS status, ${validatorParam}::integer AS validator_id,
              ${p(change.comment?.trim() || null)}::text AS comment, ${p(change.automatic ?? false)}::boolean AS automatic,
              (SELECT COALESCE(NULLIF(concat_ws(' ', u.first_name, u.last_name), ''), u.login)
                 FROM core.users u WHERE u.id = ${validatorParam}::integer) AS name
     ),
     sel AS MATERIALIZED (
       SELECT s.id, s.unique_id_sinp, s.id_digitiser,
              s.id_nomenclature_valid_status IS DISTINCT FROM ${statusParam}::integer AS differs
         FROM ${change.from ?? 'gn_synthese.synthese'} s
        WHERE ${where.join('\n          AND ')}
     ),
     h AS (
       INSERT INTO gn_synthese.validation_history
              (unique_id_sinp, id_nomenclature_valid_status, id_validator, comment, automatic)
       SELECT sel.unique_id_sinp, v.status, v.validator_id, v.comment, v.automatic FROM sel, v
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
            (SELECT COALESCE(json_agg(json_build_object('userId', r.user_id, 'count', r.n, 'observationId', r.any_id)
                                      ORDER BY r.user_id), '[]')
               FROM (SELECT a.user_id, count(DISTINCT a.id)::int AS n, min(a.id)::double precision AS any_id
                       FROM (SELECT sel.id, sel.id_digitiser AS user_id FROM sel
                              WHERE sel.differs AND sel.id_digitiser IS NOT NULL
                             UNION ALL
                             SELECT sel.id, co.id_role FROM sel
                               JOIN gn_synthese.cor_observer_synthese co ON co.id_synthese = sel.id
                              WHERE sel.differs) a
                      GROUP BY a.user_id) r) AS concerned`,
    params,
  )
  return { ...rows[0]!, status }
}

/**
 * Checks observations selected by UUID before acting on them: the UUIDs that match no observation (`missing`), and
 * for each named condition (SQL on `s`, with `params` as in {@link ObservationSelection}) the UUIDs of existing
 * observations that fail it (`failing`), in the order given. One query; all empty = every one exists and passes.
 */
export async function checkObservationUuids(
  db: QueryRunner,
  uniqueIds: readonly string[],
  conditions: Record<string, string>,
  params: readonly unknown[] = [],
): Promise<{ missing: string[]; failing: Record<string, string[]> }> {
  const names = Object.keys(conditions)
  if (!names.every((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) throw new Error('Invalid condition names')
  const values = [...params, [...new Set(uniqueIds.map((u) => u.toLowerCase()))]]
  const uuids = `$${values.length}`
  const passes = names.map((n) => `COALESCE(${conditions[n]}, false) AS "${n}"`)
  const { rows } = await db.query<{ uuid: string; found: boolean } & Record<string, boolean>>(
    `SELECT x.* FROM (
       SELECT u.uuid::text AS uuid, u.i, s.id IS NOT NULL AS found${passes.map((c) => `, ${c}`).join('')}
         FROM unnest(${uuids}::uuid[]) WITH ORDINALITY AS u(uuid, i)
         LEFT JOIN gn_synthese.synthese s ON s.unique_id_sinp = u.uuid) x
      WHERE NOT (x.found${names.map((n) => ` AND x."${n}"`).join('')})
      ORDER BY x.i`,
    values,
  )
  return {
    missing: rows.filter((r) => !r.found).map((r) => r.uuid),
    failing: Object.fromEntries(
      names.map((n) => [n, rows.filter((r) => r.found && !r[n]).map((r) => r.uuid)]),
    ),
  }
}
