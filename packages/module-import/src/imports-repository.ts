import { badRequest, conflict, datasetAccess, datasetAccessSql, notFound, userNameSql } from '@biodiv/core'
import { type Caller, callerParams, type Queryable } from './caller.ts'
import { stagingTableName } from './check/staging-table.ts'
import type { Detected } from './file-detection.ts'
import type { FilePreview } from './file-preview.ts'
import type { FieldMapping, ImportStatus, ImportView } from './import-schemas.ts'

/** Imports visible to the caller: their own (1), their organism's (2), all (3). */
const importVisibleSql = (i: string) => `($3 = 3 OR ${i}.owner_id = $1 OR ($3 = 2 AND ${i}.organism_id = $2))`

const isoText = (column: string) => `(to_json(${column}) #>> '{}')`

const IMPORT_SELECT = `SELECT i.id, i.status, i.step, i.progress, i.owner_id AS "ownerId",
    ${userNameSql('i.owner_id')} AS "ownerName",
    i.organism_id AS "organismId", i.dataset_id AS "datasetId", d.name AS "datasetName",
    i.mapping_id AS "mappingId", i.file_name AS "fileName", i.file_size::float8 AS "fileSize",
    i.file_path AS "filePath", i.format, i.detected, i.encoding, i.separator, i.srid, i.columns, i.sample,
    i.field_mapping AS "fieldMapping", i.content_mapping AS "contentMapping",
    i.update_existing AS "updateExisting", i.failure,
    ${isoText('i.checked_at')} AS "checkedAt", ${isoText('i.imported_at')} AS "importedAt",
    json_build_object('rows', i.row_count, 'valid', i.valid_count, 'errors', i.error_count,
                      'warnings', i.warning_count, 'imported', i.imported_count) AS counts,
    ${isoText('i.created_at')} AS "createdAt", ${isoText('i.updated_at')} AS "updatedAt"
  FROM import.imports i
  LEFT JOIN ${datasetAccessSql()} d ON d.id = i.dataset_id`

/** An import as the API shows it, plus where its file lies (never sent: the response schema drops it). */
export type ImportRow = ImportView & { filePath: string }

export async function listImports(db: Queryable, caller: Caller): Promise<ImportRow[]> {
  const { rows } = await db.query<ImportRow>(
    `${IMPORT_SELECT} WHERE ${importVisibleSql('i')} ORDER BY i.created_at DESC, i.id DESC`,
    callerParams(caller),
  )
  return rows
}

export async function getImport(db: Queryable, caller: Caller, id: number): Promise<ImportRow> {
  const { rows } = await db.query<ImportRow>(
    `${IMPORT_SELECT} WHERE i.id = $4 AND ${importVisibleSql('i')}`,
    [...callerParams(caller), id],
  )
  if (!rows[0]) throw notFound('IMPORT_NOT_FOUND', `Import ${id} does not exist`)
  return rows[0]
}

/** A dataset the caller may import into: it exists, is within their scope and is active. */
export async function assertImportableDataset(
  db: Queryable,
  caller: Caller,
  datasetId: number,
): Promise<void> {
  const dataset = await datasetAccess(db, caller, datasetId)
  if (!dataset) throw badRequest('DATASET_NOT_FOUND', `Dataset ${datasetId} does not exist`)
  if (!dataset.visible)
    throw badRequest('DATASET_NOT_AUTHORIZED', `You may not import into dataset ${datasetId}`)
  if (!dataset.active) throw badRequest('DATASET_NOT_ACTIVE', `Dataset ${datasetId} is not active`)
}

export async function assertKnownSrid(db: Queryable, srid: number): Promise<void> {
  const { rows } = await db.query('SELECT 1 FROM spatial_ref_sys WHERE srid = $1', [srid])
  if (rows.length === 0)
    throw badRequest('UNKNOWN_SRID', `EPSG:${srid} is not a spatial reference system known to PostGIS`)
}

export interface NewImport {
  datasetId: number | null
  fileName: string
  storedName: string
  fileSize: number
  sha256: string
  detected: Detected & { srid?: number }
  preview: FilePreview
}

export async function insertImport(db: Queryable, caller: Caller, input: NewImport): Promise<number> {
  const { detected, preview } = input
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO import.imports (owner_id, organism_id, dataset_id, file_name, file_path, file_size, file_sha256,
                                 format, detected, encoding, separator, srid, columns, sample)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
    [
      caller.userId,
      caller.organismId,
      input.datasetId,
      input.fileName,
      input.storedName,
      input.fileSize,
      input.sha256,
      detected.format,
      JSON.stringify(detected),
      detected.encoding,
      detected.separator,
      detected.srid ?? 4326,
      JSON.stringify(preview.columns),
      JSON.stringify(preview.sample),
    ],
  )
  return rows[0]!.id
}

/** Statuses in which the upstream steps (decode, mappings) may still change. */
const EDITABLE: readonly ImportStatus[] = [
  'uploaded',
  'decoded',
  'field_mapped',
  'content_mapped',
  'checked',
  'failed',
]

export function assertEditable(row: ImportRow): void {
  if (row.status === 'imported')
    throw conflict('IMPORT_FINALIZED', `Import ${row.id} is finalized: undo it to change it`)
  if (!EDITABLE.includes(row.status))
    throw conflict('IMPORT_BUSY', `Import ${row.id} is being processed (${row.status})`)
}

const RESET_CHECK = `row_count = NULL, valid_count = NULL, error_count = NULL, warning_count = NULL,
  step = NULL, progress = 0, failure = NULL, checked_at = NULL, updated_at = now()`

/** Confirms encoding, separator and SRID; a changed header drops the mappings made for the old one. */
export async function updateDecoding(
  db: Queryable,
  id: number,
  decoding: { encoding: string; separator: string | null; srid: number; datasetId?: number | null },
  preview: FilePreview,
): Promise<boolean> {
  const columns = JSON.stringify(preview.columns)
  const { rowCount } = await db.query(
    `UPDATE import.imports SET encoding = $2, separator = $3, srid = $4, columns = $5, sample = $6,
       dataset_id = CASE WHEN $8 THEN $9::int ELSE dataset_id END,
       field_mapping = CASE WHEN columns = $5::jsonb THEN field_mapping END,
       content_mapping = CASE WHEN columns = $5::jsonb THEN content_mapping END,
       status = 'decoded', ${RESET_CHECK}
     WHERE id = $1 AND status = ANY($7)`,
    [
      id,
      decoding.encoding,
      decoding.separator,
      decoding.srid,
      columns,
      JSON.stringify(preview.sample),
      EDITABLE,
      decoding.datasetId !== undefined,
      decoding.datasetId ?? null,
    ],
  )
  return rowCount === 1
}

export async function updateFieldMapping(
  db: Queryable,
  id: number,
  fields: FieldMapping,
  mappingId: number | null,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE import.imports SET field_mapping = $2, mapping_id = $3, status = 'field_mapped', ${RESET_CHECK}
     WHERE id = $1 AND status = ANY($4)`,
    [id, JSON.stringify(fields), mappingId, EDITABLE],
  )
  return rowCount === 1
}

/** Statuses from which the check may (re)start: the field mapping is done; a finished import must be undone first. */
const CHECKABLE: readonly ImportStatus[] = ['field_mapped', 'content_mapped', 'checked', 'failed']

const QUEUE_JOB = `step = 'queued', progress = 0, failure = NULL, job_id = NULL, job_heartbeat_at = NULL,
  job_attempts = 0, updated_at = now()`

/**
 * Queues the check job (status `checking`); `updateExisting` (when given) is saved first: it decides whether a UUID
 * already in the synthese is an error. 409 when the import is not ready, busy or finalized.
 */
export async function queueCheck(db: Queryable, row: ImportRow, updateExisting?: boolean): Promise<void> {
  if (row.status === 'imported')
    throw conflict('IMPORT_FINALIZED', `Import ${row.id} is finalized: undo it to check it again`)
  if (!CHECKABLE.includes(row.status) || !row.fieldMapping) {
    if (row.status === 'checking' || row.status === 'importing')
      throw conflict('IMPORT_BUSY', `Import ${row.id} is being processed (${row.status})`)
    throw conflict('IMPORT_NOT_READY', `Import ${row.id} needs its field mapping before the check`)
  }
  const { rowCount } = await db.query(
    `UPDATE import.imports SET status = 'checking', finalize_after_check = false,
       update_existing = COALESCE($3, update_existing), row_count = NULL, valid_count = NULL, error_count = NULL,
       warning_count = NULL, checked_at = NULL, ${QUEUE_JOB}
     WHERE id = $1 AND status = ANY($2) AND field_mapping IS NOT NULL`,
    [row.id, CHECKABLE, updateExisting ?? null],
  )
  if (rowCount !== 1) throw conflict('IMPORT_BUSY', `Import ${row.id} changed status meanwhile: reload it`)
}

/**
 * Queues the finalize job (status `importing`). An `updateExisting` other than the one the check ran with changes
 * which rows are valid: the check runs again first, then the finalize (status `checking`, finalize_after_check).
 */
export async function queueFinalize(db: Queryable, row: ImportRow, updateExisting?: boolean): Promise<void> {
  if (row.status === 'imported') throw conflict('IMPORT_FINALIZED', `Import ${row.id} is already finalized`)
  if (row.status === 'checking' || row.status === 'importing')
    throw conflict('IMPORT_BUSY', `Import ${row.id} is being processed (${row.status})`)
  if (row.status !== 'checked')
    throw conflict('CHECK_NEEDED', `Import ${row.id} must be checked before finalize`)
  const recheck = updateExisting !== undefined && updateExisting !== row.updateExisting
  if (!recheck && !row.counts.valid)
    throw badRequest('NO_VALID_ROW', `Import ${row.id} has no valid row to import`)
  const { rows } = await db.query<{ staged: string | null }>('SELECT to_regclass($1)::text AS staged', [
    stagingTableName(row.id),
  ])
  if (!rows[0]?.staged)
    throw conflict('CHECK_NEEDED', `Import ${row.id} has no checked rows: run the check again`)
  const { rowCount } = await db.query(
    `UPDATE import.imports SET status = CASE WHEN $2 THEN 'checking' ELSE 'importing' END,
       finalize_after_check = $2, update_existing = COALESCE($3, update_existing), ${QUEUE_JOB}
     WHERE id = $1 AND status = 'checked'`,
    [row.id, recheck, updateExisting ?? null],
  )
  if (rowCount !== 1) throw conflict('IMPORT_BUSY', `Import ${row.id} changed status meanwhile: reload it`)
}
