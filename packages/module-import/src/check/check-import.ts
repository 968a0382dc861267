import {
  type Database,
  datasetAccess,
  defaultNomenclatures,
  observationKeysSql,
  type PermissionFilter,
  permittedNewObservationsSql,
  SYNTHESE_NOMENCLATURES,
  type SyntheseNomenclatureField,
  userPermissionFilters,
} from '@biodiv/core'
import type { FieldMapping } from '../import-schemas.ts'
import { importUploadDir, storedPath } from '../upload-storage.ts'
import { buildStagingSelect, type ContentMapping, SEP } from './build-staging.ts'
import { type CheckErrorCode, levelOf } from './error-codes.ts'
import { loadFile } from './load-file.ts'
import { dropStagingTables, rawTableName, stagingTableName } from './staging-table.ts'

type Pool = Database['pool']

export interface CheckCounts {
  /** Data lines of the file. */
  rows: number
  /** Lines without any ERROR (they go to the synthese at finalize). */
  valid: number
  /** ERROR entries of import.import_errors (one per line and code). */
  errors: number
  /** WARNING entries. */
  warnings: number
}

export interface CheckOptions {
  /** UPLOAD_DIR (the core setting); defaults to the one the module's routes were registered with. */
  uploadDir?: string
  /** Box (lon/lat) every geometry must fall within; default: the area of use of the instance's LOCAL_SRID. */
  bbox?: readonly [number, number, number, number]
}

let registeredUploadDir: string | null = null
/** Called by the module's routes at registration, so that jobs find the uploaded files. */
export const setCheckUploadDir = (dir: string) => {
  registeredUploadDir = dir
}

/** Areas of use (EPSG) of the usual French local projections, lon/lat. */
const AREAS_OF_USE: Record<number, [number, number, number, number]> = {
  2154: [-9.86, 41.15, 10.38, 51.56],
  2975: [55.16, -21.42, 55.86, -20.81],
  2972: [-54.61, 2.11, -49.45, 8.88],
  5490: [-63.66, 14.08, -57.52, 18.54],
  4471: [44.98, -13.05, 45.35, -12.61],
  4467: [-56.48, 46.69, -56.07, 47.19],
}
const WORLD: [number, number, number, number] = [-180, -90, 180, 90]

/** The LOCAL_SRID's area of use: the known ones, else PostGIS ≥ 3.4's postgis_srs(), else the world. */
async function defaultBbox(pool: Pool): Promise<[number, number, number, number]> {
  const { rows } = await pool.query<{ srid: number; has_srs: boolean }>(
    `SELECT ref_geo.local_srid() AS srid, to_regprocedure('postgis_srs(text, text)') IS NOT NULL AS has_srs`,
  )
  const { srid, has_srs } = rows[0]!
  if (AREAS_OF_USE[srid]) return AREAS_OF_USE[srid]
  if (has_srs) {
    const { rows: box } = await pool.query<{ b: number[] | null }>(
      `SELECT ARRAY[ST_X(point_sw), ST_Y(point_sw), ST_X(point_ne), ST_Y(point_ne)] AS b
         FROM postgis_srs('EPSG', $1::text)`,
      [String(srid)],
    )
    const b = box[0]?.b
    if (b?.every((x) => Number.isFinite(x))) return b as [number, number, number, number]
  }
  return WORLD
}

interface ImportToCheck {
  id: number
  owner_id: number
  organism_id: number | null
  dataset_id: number | null
  format: 'csv' | 'geojson'
  encoding: string
  separator: string | null
  srid: number
  columns: string[]
  field_mapping: FieldMapping | null
  content_mapping: ContentMapping | null
  update_existing: boolean
  file_path: string
  /** The owner's IMPORT C permission rows (the core's resolution, filters included), widest first; [] = none. */
  permissions: PermissionFilter[]
  /** The widest of their scopes (0: no grant): the scope datasets are checked at. */
  scope: 0 | 1 | 2 | 3
}

async function readImport(pool: Pool, importId: number): Promise<ImportToCheck> {
  const { rows } = await pool.query<Omit<ImportToCheck, 'permissions' | 'scope'>>(
    `SELECT i.id, i.owner_id, i.organism_id, i.dataset_id, i.format, i.encoding, i.separator, i.srid, i.columns,
            i.field_mapping, i.content_mapping, i.update_existing, i.file_path
       FROM import.imports i WHERE i.id = $1`,
    [importId],
  )
  const row = rows[0]
  if (!row) throw new Error(`Import ${importId} does not exist`)
  if (!row.field_mapping) throw new Error(`Import ${importId} has no field mapping`)
  // The job runs for the owner, who may have lost (or gained) rights since they queued it: read them now.
  const permissions = await userPermissionFilters(pool, row.owner_id, 'IMPORT', 'C')
  return { ...row, permissions, scope: permissions[0]?.scope ?? 0 }
}

/** Default observation nomenclature (ids) of the owner's organism, else the instance's (the core's defaults). */
async function nomenclatureDefaults(pool: Pool, organismId: number | null) {
  const byType = await defaultNomenclatures(pool, organismId, 'observation')
  return Object.fromEntries(
    (Object.keys(SYNTHESE_NOMENCLATURES) as SyntheseNomenclatureField[]).map((f) => [
      f,
      byType[SYNTHESE_NOMENCLATURES[f][1]]?.id ?? null,
    ]),
  ) as Record<SyntheseNomenclatureField, number | null>
}

/** The import's own dataset and what forbids importing into it for its owner (scope, active), if anything. */
async function importDataset(pool: Pool, imp: ImportToCheck) {
  if (imp.dataset_id === null) return null
  const d = await datasetAccess(
    pool,
    { userId: imp.owner_id, organismId: imp.organism_id, scope: imp.scope },
    imp.dataset_id,
  )
  const error: CheckErrorCode | null = !d
    ? 'DATASET_NOT_FOUND'
    : !d.visible
      ? 'DATASET_NOT_AUTHORIZED'
      : !d.active
        ? 'DATASET_NOT_ACTIVE'
        : null
  return { id: imp.dataset_id, error }
}

// Overall progress given to `report`: the load (with the checks of each batch) takes most of the time.
const LOAD_SHARE = 0.8

/**
 * The check step of an import: streams its file into `import.rows_<id>` (see staging-table.ts), checks every line
 * set-based in SQL and writes `import.import_errors`. Restartable: it first drops the staging tables and deletes the
 * import's previous errors. `report(step, progress)` receives the step ('load', 'check', 'duplicates', 'errors')
 * and the overall progress 0..1. Does not change the import's status or counts: the caller (the job) does.
 */
export async function checkImport(
  pool: Pool,
  importId: number,
  report: (step: string, progress: number) => Promise<void>,
  signal?: AbortSignal,
  options: CheckOptions = {},
): Promise<CheckCounts> {
  const uploadDir = options.uploadDir ?? registeredUploadDir
  if (!uploadDir) throw new Error('checkImport: no upload folder (options.uploadDir, or setCheckUploadDir)')
  const imp = await readImport(pool, importId)
  const fieldMapping = imp.field_mapping!
  await dropStagingTables(pool, importId)
  await pool.query('DELETE FROM import.import_errors WHERE import_id = $1', [importId])
  await report('load', 0)

  const build = {
    importId,
    columns: imp.columns,
    fieldMapping,
    srid: imp.srid,
    importDataset: await importDataset(pool, imp),
    defaults: await nomenclatureDefaults(pool, imp.organism_id),
    bbox: options.bbox ?? (await defaultBbox(pool)),
  }
  const params = [imp.owner_id, imp.organism_id, imp.scope, JSON.stringify(imp.content_mapping ?? {})]
  const table = stagingTableName(importId)
  let created = false
  const createStaging = async () => {
    if (created) return
    await pool.query(
      `CREATE UNLOGGED TABLE ${table} AS ${buildStagingSelect(build, rawTableName(importId))} WITH NO DATA`,
      params,
    )
    created = true
  }
  // Each loaded batch is checked into the staging table (set-based, one statement) while the next one loads.
  const loaded = await loadFile(
    pool,
    {
      importId,
      path: storedPath(importUploadDir(uploadDir), imp.file_path),
      format: imp.format,
      encoding: imp.encoding,
      separator: imp.separator,
      columns: imp.columns,
    },
    async (batch) => {
      await createStaging()
      // The batch's rows and their row-level errors, in one statement.
      await pool.query(
        `WITH ins AS (INSERT INTO ${table} ${buildStagingSelect(build, batch)} RETURNING line, errs)
         INSERT INTO import.import_errors (import_id, code, level, column_name, line)
         SELECT $5, split_part(e, $6, 1), 'ERROR', NULLIF(split_part(e, $6, 2), ''), ins.line
           FROM ins CROSS JOIN LATERAL unnest(ins.errs) e`,
        [...params, importId, SEP],
      )
      await pool.query(`DROP TABLE ${batch}`)
    },
    (fraction) => report('load', fraction * LOAD_SHARE),
    signal,
  )
  await createStaging()
  signal?.throwIfAborted()
  await report('check', LOAD_SHARE)
  await pool.query(`DROP TABLE IF EXISTS ${rawTableName(importId)}`)
  await pool.query(`ALTER TABLE ${table} ADD PRIMARY KEY (line)`)
  signal?.throwIfAborted()
  await report('duplicates', 0.85)

  const column = (field: string) => {
    const s = fieldMapping[field]
    return s && 'column' in s ? s.column : field
  }
  /** Lines given by `select` (with an `update` flag for EXISTING_UUID) get the error `code`. */
  const insertErrors = (code: CheckErrorCode, field: string | null, select: string) =>
    pool.query(
      `INSERT INTO import.import_errors (import_id, code, level, column_name, line)
       SELECT $1, $2, CASE WHEN x.updatable THEN $5 ELSE $3 END, $4, x.line
         FROM (SELECT s.*, ${code === 'EXISTING_UUID' ? 's.update' : 'false'} AS updatable FROM (${select}) s) x
        ORDER BY x.line`,
      [
        importId,
        code,
        levelOf(code),
        field === null ? null : column(field),
        levelOf(code, imp.update_existing),
      ],
    )
  await pool.query(`ALTER TABLE ${table} DROP COLUMN errs`)
  // Across lines and against the synthese.
  if ('uniqueIdSinp' in fieldMapping) {
    await insertErrors(
      'DUPLICATE_UUID',
      'uniqueIdSinp',
      `SELECT line FROM (SELECT line, count(*) OVER (PARTITION BY unique_id_sinp) AS n FROM ${table}
                          WHERE unique_id_sinp IS NOT NULL) d WHERE n > 1`,
    )
    await insertErrors(
      'EXISTING_UUID',
      'uniqueIdSinp',
      // With update_existing, only observations an import created are updated (never another module's).
      `SELECT r.line, k.source_name LIKE 'IMPORT:%' AS update FROM ${table} r
         JOIN ${observationKeysSql()} k ON k.unique_id_sinp = r.unique_id_sinp`,
    )
  }
  if ('entitySourcePkValue' in fieldMapping) {
    await insertErrors(
      'DUPLICATE_ENTITY_SOURCE_PK',
      'entitySourcePkValue',
      `SELECT line FROM (SELECT line, count(*) OVER (PARTITION BY entity_source_pk_value) AS n FROM ${table}
                          WHERE entity_source_pk_value IS NOT NULL) d WHERE n > 1`,
    )
  }
  // Permission rows narrowed to a taxon or an area: each line must fall inside one of them (the scope on its
  // dataset, its taxon, its geometry). Lines already refused for their dataset, taxon or geometry are not.
  if (imp.permissions.some((r) => r.taxon !== null || r.area !== null)) {
    const values: unknown[] = [imp.owner_id, imp.organism_id]
    const p = (value: unknown) => {
      values.push(value)
      return `$${values.length}`
    }
    const permitted = permittedNewObservationsSql(
      imp.permissions,
      { datasetId: 'r.id_dataset', cdNom: 'r.cd_nom', geometry: 'r.the_geom_4326' },
      p,
    )
    await pool.query(
      `INSERT INTO import.import_errors (import_id, code, level, column_name, line)
       SELECT ${p(importId)}::integer, 'OBSERVATION_NOT_AUTHORIZED', 'ERROR', NULL, r.line FROM ${table} r
        WHERE r.id_dataset IS NOT NULL AND r.cd_nom IS NOT NULL AND r.the_geom_4326 IS NOT NULL
          AND NOT ${permitted}
        ORDER BY r.line`,
      values,
    )
  }
  // File-level errors.
  if (loaded.rows === 0)
    await pool.query(
      `INSERT INTO import.import_errors (import_id, code, level) VALUES ($1, 'EMPTY_FILE', 'ERROR')`,
      [importId],
    )
  if (loaded.duplicateColumns.length > 0) {
    await pool.query(
      `INSERT INTO import.import_errors (import_id, code, level, column_name, line)
       SELECT $1, 'HEADER_SAME_COLUMN_NAME', 'ERROR', c, 1 FROM unnest($2::text[]) c`,
      [importId, loaded.duplicateColumns],
    )
    await pool.query(`UPDATE ${table} SET valid = false WHERE valid`)
  }
  signal?.throwIfAborted()
  await report('errors', 0.95)
  await pool.query(
    `UPDATE ${table} r SET valid = false
      WHERE r.valid AND r.line IN (SELECT line FROM import.import_errors
                                    WHERE import_id = $1 AND level = 'ERROR' AND line IS NOT NULL)`,
    [importId],
  )
  const { rows } = await pool.query<CheckCounts>(
    `SELECT (SELECT count(*) FROM ${table})::int AS rows,
            (SELECT count(*) FROM ${table} WHERE valid)::int AS valid,
            count(*) FILTER (WHERE level = 'ERROR')::int AS errors,
            count(*) FILTER (WHERE level = 'WARNING')::int AS warnings
       FROM import.import_errors WHERE import_id = $1`,
    [importId],
  )
  await report('errors', 1)
  return rows[0]!
}
