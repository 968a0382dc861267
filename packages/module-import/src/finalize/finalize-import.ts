import { setTimeout as sleep } from 'node:timers/promises'
import type { Database } from '@biodiv/core'
import { AppError, upsertSyntheseFromStaging, withTransaction } from '@biodiv/core'
import { sourceColumnName, stagingTableName } from '../check/staging-table.ts'
import type { FieldMapping } from '../import-schemas.ts'
import { LostJobError } from '../jobs/job-runner.ts'

/** The synthese source of an import's rows. */
export const importSourceName = (importId: number) => `IMPORT:${importId}`

/** The import's page in the UI (the source's link back from a synthese sheet). */
export const importUrl = (importId: number) => `/import/imports/${importId}`

/**
 * SQL over a staging row `r`: the row states its validation (status, validator, date or comment). A validation
 * status mapped to a column counts only where that column has a value (defaults fill the others); a constant
 * states it for every row.
 */
export function validationGivenSql(fieldMapping: FieldMapping | null, columns: string[]): string {
  const given = [
    'r.validator IS NOT NULL',
    'r.validation_date IS NOT NULL',
    'r.validation_comment IS NOT NULL',
  ]
  const status = fieldMapping?.validStatus
  if (status && 'constant' in status) given.push('true')
  else if (status && 'column' in status) {
    const index = columns.indexOf(status.column)
    if (index >= 0) given.push(`NULLIF(btrim(r.${sourceColumnName(index)}), '') IS NOT NULL`)
  }
  return `(${given.join(' OR ')})`
}

export interface FinalizeOptions {
  /** Tests only: wait this long inside the transaction before its last statement (kill-and-resume). */
  pauseMs?: number
  signal?: AbortSignal
  report?: (step: string, progress: number) => Promise<void>
}

/**
 * The finalize job: in ONE transaction, the valid rows of the staging table go into the synthese (source
 * `IMPORT:<id>`, linked to the import), then the import becomes `imported` with its count. A process killed
 * before COMMIT leaves no synthese row; the update of the import row is fenced by `jobId`, so a runner that lost
 * the job to another writes nothing.
 */
export async function finalizeImport(
  pool: Database['pool'],
  importId: number,
  jobId: string,
  options: FinalizeOptions = {},
): Promise<{ inserted: number; updated: number; skipped: number }> {
  const staging = stagingTableName(importId)
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{
      owner_id: number
      update_existing: boolean
      field_mapping: FieldMapping | null
      columns: string[]
      file_name: string
      staged: string | null
    }>(
      `SELECT owner_id, update_existing, field_mapping, columns, file_name, to_regclass($3)::text AS staged
         FROM import.imports WHERE id = $1 AND job_id = $2 AND status = 'importing'`,
      [importId, jobId, staging],
    )
    const row = rows[0]
    if (!row) throw new LostJobError(`import ${importId} is no longer this job's`)
    if (!row.staged)
      throw new AppError(409, 'CHECK_NEEDED', `Import ${importId} has no checked rows: run the check again`)
    await options.report?.('insert', 0)
    const result = await upsertSyntheseFromStaging(
      client,
      {
        name: importSourceName(importId),
        description: `Import ${importId}: ${row.file_name}`,
        moduleCode: 'IMPORT',
        urlTemplate: importUrl(importId),
      },
      `(SELECT * FROM ${staging} WHERE valid)`,
      {
        updateExisting: row.update_existing,
        digitiserId: row.owner_id,
        validationGivenSql: validationGivenSql(row.field_mapping, row.columns),
      },
    )
    if (options.pauseMs) await sleep(options.pauseMs, undefined, { signal: options.signal })
    options.signal?.throwIfAborted()
    const { rowCount } = await client.query(
      `UPDATE import.imports
          SET status = 'imported', imported_count = $3, source_id = $4, imported_at = now(), step = NULL,
              progress = 1, failure = NULL, job_id = NULL, job_heartbeat_at = NULL, job_attempts = 0,
              updated_at = now()
        WHERE id = $1 AND job_id = $2`,
      [importId, jobId, result.inserted + result.updated, result.sourceId],
    )
    if (rowCount !== 1) throw new LostJobError(`import ${importId} is no longer this job's`)
    return result
  })
}
