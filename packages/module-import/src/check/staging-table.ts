import {
  SYNTHESE_NOMENCLATURES,
  SYNTHESE_STAGING_COLUMNS,
  type SyntheseNomenclatureField,
} from '@biodiv/core'

/**
 * The transient table of one import's check step: `import.rows_<id>`, UNLOGGED, created by `checkImport` (which
 * drops and recreates it on every run) and dropped by undo. One row per data line of the file:
 *
 * - `line integer PRIMARY KEY`: the line number as the user sees it in the file (header = 1; for a quoted field
 *   spanning lines, the line where the record starts; for GeoJSON, 1 + the feature's index).
 * - `field_count integer`: how many fields the line had (ROW_HAVE_TOO_MUCH_COLUMN / ROW_HAVE_LESS_COLUMN).
 * - `c1 … cN text`: the raw source values, one per header column in header order (`sourceColumnName`), as read
 *   after decoding; extra fields of a too-long line are dropped, missing ones are NULL.
 * - `valid boolean NOT NULL`: false when the line has any ERROR in `import.import_errors`.
 * - the typed, checked target columns, named exactly as the `gn_synthese.synthese` columns
 *   (`STAGING_SYNTHESE_COLUMNS`); NULL where the source gave nothing or where the value was invalid, nomenclature
 *   defaults already applied. On a valid row every NOT NULL column of the synthese is filled, so a finalize is one
 *   `INSERT INTO gn_synthese.synthese (…) SELECT … FROM import.rows_<id> WHERE valid`.
 */
export const stagingTableName = (importId: number): string => `import.rows_${Math.trunc(importId)}`

/** The empty template of the raw tables the load step COPYs into (line, field_count, c1…cN text). */
export const rawTableName = (importId: number): string => `import.raw_${Math.trunc(importId)}`

/** One batch of the file as loaded, checked into the staging table then dropped. */
export const rawBatchTableName = (importId: number, batch: number): string =>
  `import.raw_${Math.trunc(importId)}_${Math.trunc(batch)}`

/** The raw text column holding the i-th (0-based) header column of the file. */
export const sourceColumnName = (index: number): string => `c${index + 1}`

/** Synthese nomenclature column of a nomenclature target field: `id_nomenclature_<suffix>`. */
export const nomenclatureColumn = (field: SyntheseNomenclatureField): string =>
  `id_nomenclature_${SYNTHESE_NOMENCLATURES[field][0]}`

/**
 * The typed target columns of the staging table: the bulk writer's columns, in its order. Proofs (digitalProof,
 * nonDigitalProof) go into `additional_data` as { "preuve_numerique_url": …, "preuve_non_numerique": … }.
 */
export const STAGING_SYNTHESE_COLUMNS = SYNTHESE_STAGING_COLUMNS

export const STAGING_COLUMN_NAMES: readonly string[] = STAGING_SYNTHESE_COLUMNS.map(([c]) => c)

/** Drops an import's staging and raw tables, batches left by a killed check included (restart, undo). */
export async function dropStagingTables(
  db: { query(sql: string, values?: unknown[]): Promise<unknown> },
  importId: number,
): Promise<void> {
  const id = Math.trunc(importId)
  await db.query(
    `DO $$ DECLARE t text; BEGIN
       FOR t IN SELECT tablename FROM pg_tables
                 WHERE schemaname = 'import' AND tablename ~ '^(rows_${id}|raw_${id}|raw_${id}_[0-9]+)$' LOOP
         EXECUTE format('DROP TABLE import.%I', t);
       END LOOP;
     END $$`,
  )
}
