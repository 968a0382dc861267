import type pg from 'pg'
import { SYNTHESE_STAGING_COLUMNS } from './synthese-columns.ts'
import { ensureSyntheseSource, type SyntheseSourceSpec } from './synthese-service.ts'

/** The column names of {@link SYNTHESE_STAGING_COLUMNS}: what a staging relation exposes. */
export const BULK_SYNTHESE_COLUMNS: readonly string[] = SYNTHESE_STAGING_COLUMNS.map(([column]) => column)

const VALIDATION_COLUMNS = new Set([
  'validator',
  'validation_date',
  'validation_comment',
  'id_nomenclature_valid_status',
])

export interface StagingUpsertOptions {
  /**
   * false: a row whose `unique_id_sinp` already exists is skipped (never written). true: it updates the existing
   * observation when that one belongs to the same source or to a source of the same module (a re-import of
   * corrected data); the observation keeps its source. Rows of other modules' sources are never overwritten.
   */
  updateExisting: boolean
  /**
   * SQL boolean over the relation's row `r`: the row states its validation. An update whose row does not keeps the
   * observation's validation (status, validator, date, comment), as `upsertSyntheseRows` does. Default: any of
   * validator, validation_date, validation_comment is set.
   */
  validationGivenSql?: string
  /** core.users id written as id_digitiser of inserted rows (the importer: scope 1 "my data"). */
  digitiserId?: number | null
}

export interface StagingUpsertResult {
  sourceId: number
  inserted: number
  updated: number
  /** Rows of the relation not written: existing UUIDs (see `updateExisting`). */
  skipped: number
}

/**
 * Writes every row of `relationSql` (a table name or a parenthesized SELECT exposing {@link BULK_SYNTHESE_COLUMNS})
 * into the synthese as observations of `source`, in ONE `INSERT … SELECT … ON CONFLICT (unique_id_sinp)` statement
 * run on `client` (put it in a transaction with the caller's other writes). A NULL `unique_id_sinp` gets a new UUID,
 * a NULL `date_max` takes `date_min`. Area links and derived geometries come from the synthese triggers; type
 * checks of nomenclatures and foreign keys are the table's: a bad row fails the whole statement.
 * Rows must be unique by `unique_id_sinp` and by `entity_source_pk_value` (the check step guarantees it).
 */
export async function upsertSyntheseFromStaging(
  client: pg.ClientBase,
  source: string | SyntheseSourceSpec,
  relationSql: string,
  options: StagingUpsertOptions,
): Promise<StagingUpsertResult> {
  const sourceId = await ensureSyntheseSource(client, typeof source === 'string' ? { name: source } : source)
  const given =
    options.validationGivenSql ??
    '(r.validator IS NOT NULL OR r.validation_date IS NOT NULL OR r.validation_comment IS NOT NULL)'
  const update = options.updateExisting
  const value = (c: string) => {
    if (c === 'unique_id_sinp') return 'COALESCE(r.unique_id_sinp, gen_random_uuid())'
    if (c === 'date_max') return 'COALESCE(r.date_max, r.date_min)'
    // An update whose row states no validation keeps the observation's (e: the existing row, if any).
    if (update && VALIDATION_COLUMNS.has(c))
      return `CASE WHEN e.id IS NOT NULL AND NOT ${given} THEN e.${c} ELSE r.${c} END`
    return `r.${c}`
  }
  const conflict = update
    ? `DO UPDATE SET ${BULK_SYNTHESE_COLUMNS.filter((c) => c !== 'unique_id_sinp')
        .map((c) => `${c} = EXCLUDED.${c}`)
        .join(', ')}, meta_update_date = now()
        WHERE s.id_source = $1
           OR s.id_source IN (SELECT o.id FROM gn_synthese.sources o JOIN gn_synthese.sources n ON n.id = $1
                               WHERE o.module_code = n.module_code)`
    : 'DO NOTHING'
  const { rows } = await client.query<{ total: number; inserted: number; updated: number }>(
    `WITH w AS (
       INSERT INTO gn_synthese.synthese AS s (id_source, id_digitiser, ${BULK_SYNTHESE_COLUMNS.join(', ')})
       SELECT $1::integer, $2::integer, ${BULK_SYNTHESE_COLUMNS.map(value).join(', ')}
         FROM ${relationSql} r
         ${update ? 'LEFT JOIN gn_synthese.synthese e ON e.unique_id_sinp = r.unique_id_sinp' : ''}
       ON CONFLICT (unique_id_sinp) ${conflict}
       RETURNING (s.xmax = 0) AS inserted)
     SELECT (SELECT count(*) FROM ${relationSql} r)::integer AS total,
            count(*) FILTER (WHERE inserted)::integer AS inserted,
            count(*) FILTER (WHERE NOT inserted)::integer AS updated
       FROM w`,
    [sourceId, options.digitiserId ?? null],
  )
  const r = rows[0]!
  return { sourceId, inserted: r.inserted, updated: r.updated, skipped: r.total - r.inserted - r.updated }
}
