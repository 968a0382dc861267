import type pg from 'pg'
import type { QueryRunner } from '../db/query-runner.ts'
import { badRequest } from '../http/app-error.ts'

/** Anything that runs a query: the pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient

export type NomenclatureUsage = 'observation' | 'metadata'

export interface NomenclatureRef {
  /** Type mnemonic, e.g. STATUT_VALID. */
  type: string
  /** SINP code (`cd_nomenclature`), e.g. '1'. */
  code: string
  /** Named in the 400 error when the code is unknown (e.g. the API field). */
  field?: string
}

/**
 * SQL expression giving the id of the value `code` of a type, for INSERTs that receive codes:
 * `nomenclatureIdSql('STATUT_VALID', '$3')` → NULL when the parameter is NULL or the code unknown.
 * The type mnemonic is embedded as a literal: pass constants only, never user input.
 */
export function nomenclatureIdSql(type: string, codeParam: string): string {
  if (!/^[A-Z0-9_]+$/.test(type)) throw new Error(`Invalid nomenclature type mnemonic ${type}`)
  return `(SELECT n.id FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types t ON t.id = n.type_id
            WHERE t.mnemonique = '${type}' AND n.cd_nomenclature = ${codeParam})`
}

/** SQL expression giving the code of a nomenclature id column (for SELECTs that answer with codes). */
export function nomenclatureCodeSql(idColumn: string): string {
  return `(SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = ${idColumn})`
}

/**
 * Every nomenclature value as a FROM item for other modules' SQL (alias it): `type` (the type mnemonic), `id`,
 * `code` (cd_nomenclature), `label` (label_fr), `label_key` (the label accent- and case-folded, for matching what
 * people typed) and `active`. E.g. `JOIN ${nomenclatureValuesSql()} n ON n.type = 'SEXE' AND n.code = x.code`.
 * Columns are only computed when used (PostgreSQL flattens the subquery).
 */
export function nomenclatureValuesSql(): string {
  return `(SELECT t.mnemonique AS type, n.id, n.cd_nomenclature AS code, n.label_fr AS label,
                  ref_geo.search_key(n.label_fr) AS label_key, n.active
             FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types t ON t.id = n.type_id)`
}

/** The values of one type: code → id and label (an unknown type gives an empty map). */
export async function nomenclatureValues(
  db: QueryRunner,
  type: string,
): Promise<Map<string, { id: number; label: string }>> {
  const { rows } = await db.query<{ code: string; id: number; label: string }>(
    `SELECT n.code, n.id, n.label FROM ${nomenclatureValuesSql()} n WHERE n.type = $1`,
    [type],
  )
  return new Map(rows.map((r) => [r.code, { id: r.id, label: r.label }]))
}

/**
 * Resolves (type, code) pairs to ids, in order. Unknown types or codes → 400 UNKNOWN_NOMENCLATURE naming each
 * (with `field` when given), so callers can validate a whole payload before writing anything.
 */
export async function resolveNomenclatureCodes(db: Queryable, refs: NomenclatureRef[]): Promise<number[]> {
  if (refs.length === 0) return []
  const { rows } = await db.query<{ i: number; id: number | null; type_known: boolean }>(
    `SELECT r.i, n.id, t.id IS NOT NULL AS type_known
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(type, code, i)
       LEFT JOIN ref_nomenclatures.types t ON t.mnemonique = r.type
       LEFT JOIN ref_nomenclatures.nomenclatures n ON n.type_id = t.id AND n.cd_nomenclature = r.code
      ORDER BY r.i`,
    [refs.map((r) => r.type), refs.map((r) => r.code)],
  )
  const unknown = rows
    .filter((r) => r.id === null)
    .map((r) => {
      const ref = refs[Number(r.i) - 1]!
      return {
        ...(ref.field ? { field: ref.field } : {}),
        type: ref.type,
        code: ref.code,
        typeKnown: r.type_known,
      }
    })
  if (unknown.length) {
    const names = unknown.map((u) =>
      u.typeKnown
        ? `${u.field ? `${u.field}: ` : ''}code "${u.code}" is not a value of ${u.type}`
        : `${u.field ? `${u.field}: ` : ''}unknown nomenclature type ${u.type}`,
    )
    throw badRequest(
      'UNKNOWN_NOMENCLATURE',
      names.join('; '),
      unknown.map(({ typeKnown: _t, ...u }) => u),
    )
  }
  return rows.map((r) => r.id!)
}

export interface DefaultValue {
  code: string
  label: string
  /** The value's id (what nomenclature columns hold). */
  id: number
}

/**
 * The default value of every type that has one, for an organism (its own choices override the instance's).
 * `organismId` null = the instance defaults only.
 */
export async function defaultNomenclatures(
  db: Queryable,
  organismId: number | null,
  usage: NomenclatureUsage = 'observation',
): Promise<Record<string, DefaultValue>> {
  const { rows } = await db.query<{ type: string; code: string; label: string; id: number }>(
    `SELECT DISTINCT ON (t.mnemonique) t.mnemonique AS type, n.cd_nomenclature AS code, n.label_fr AS label, n.id
       FROM ref_nomenclatures.defaults d
       JOIN ref_nomenclatures.types t ON t.id = d.type_id
       JOIN ref_nomenclatures.nomenclatures n ON n.id = d.nomenclature_id
      WHERE d.usage = $2 AND (d.organism_id IS NULL OR d.organism_id = $1)
      ORDER BY t.mnemonique, d.organism_id NULLS LAST`,
    [organismId, usage],
  )
  return Object.fromEntries(rows.map((r) => [r.type, { code: r.code, label: r.label, id: r.id }]))
}
