import { Readable } from 'node:stream'
import {
  blurredUnsavedGeometrySql,
  conflict,
  errorResponses,
  forbidden,
  observationCaller,
} from '@biodiv/core'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { type Static, Type } from 'typebox'
import { callerOf, type Queryable } from './caller.ts'
import { setCheckUploadDir } from './check/check-import.ts'
import { CHECK_ERRORS } from './check/error-codes.ts'
import { sourceColumnName, stagingTableName } from './check/staging-table.ts'
import { contentMappingRoutes } from './content-mapping.ts'
import { IdParams } from './import-schemas.ts'
import { getImport, type ImportRow } from './imports-repository.ts'
import { ErrorReport, ErrorsQuery, ImportPreview, PreviewQuery } from './report-schemas.ts'

const tags = ['import']
const BATCH = 5000

/** The staging table of a checked import (409 IMPORT_NOT_CHECKED when the check has not run or was undone). */
async function checkedTable(db: Queryable, row: ImportRow): Promise<string> {
  const table = stagingTableName(row.id)
  const { rows } = await db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [table])
  if (
    !rows[0]?.ok ||
    ['uploaded', 'decoded', 'field_mapped', 'content_mapped', 'checking'].includes(row.status)
  )
    throw conflict('IMPORT_NOT_CHECKED', `Import ${row.id} has not been checked`)
  return table
}

const csvCell = (separator: string) => (v: string | null) =>
  v === null ? '' : v.includes(separator) || /["\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v

/** The failing lines with their original values and their errors, read in keyset batches. */
async function* invalidRowsCsv(db: Queryable, row: ImportRow, table: string): AsyncGenerator<string> {
  const separator = row.separator ?? ','
  const cell = csvCell(separator)
  yield `\ufeff${['ligne', ...row.columns, 'erreurs'].map(cell).join(separator)}\r\n`
  const values = row.columns.map((_, i) => `r.${sourceColumnName(i)}`).join(', ')
  let after = 0
  for (;;) {
    const { rows } = await db.query<{ line: number; v: (string | null)[]; errors: string | null }>(
      `SELECT b.line, b.v, (SELECT string_agg(e.code || COALESCE(' (' || e.column_name || ')', ''), '; ' ORDER BY e.id)
                              FROM import.import_errors e
                             WHERE e.import_id = $1 AND e.line = b.line AND e.level = 'ERROR') AS errors
         FROM (SELECT r.line, ARRAY[${values}]::text[] AS v FROM ${table} r
                WHERE NOT r.valid AND r.line > $2 ORDER BY r.line LIMIT ${BATCH}) b
        ORDER BY b.line`,
      [row.id, after],
    )
    if (rows.length === 0) return
    yield rows.map((r) => `${[String(r.line), ...r.v, r.errors].map(cell).join(separator)}\r\n`).join('')
    after = rows[rows.length - 1]!.line
    if (rows.length < BATCH) return
  }
}

/**
 * The check report of an import (errors by code and column, failing rows as CSV, preview of the valid rows) and
 * the content-mapping step. Registered by the module's index; tells the check jobs where uploads live.
 */
export const reportRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { pool } = fastify.db
  setCheckUploadDir(fastify.config.UPLOAD_DIR)
  await fastify.register(contentMappingRoutes)

  fastify.get(
    '/imports/:id/errors',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary: 'The errors and warnings of the last check, by code and column, with their line numbers',
        description:
          'Line numbers as the user sees them in the file (header = 1; GeoJSON: the feature number); ' +
          'file-level errors (EMPTY_FILE) have none. ERROR lines are left out of the import, WARNING lines are kept.',
        params: IdParams,
        querystring: ErrorsQuery,
        response: { 200: ErrorReport, ...errorResponses },
      },
    },
    async (request) => {
      const row = await getImport(pool, callerOf(request), request.params.id)
      const { rows } = await pool.query<{
        code: string
        level: 'ERROR' | 'WARNING'
        column: string | null
        rows: number[] | null
        count: number
      }>(
        `SELECT code, level, column_name AS column, count(*)::int AS count,
                (array_agg(line ORDER BY line) FILTER (WHERE line IS NOT NULL))[1:$2] AS rows
           FROM import.import_errors WHERE import_id = $1
          GROUP BY code, level, column_name ORDER BY level, code, column_name NULLS FIRST`,
        [row.id, request.query.limit],
      )
      return rows.map((r) => ({
        ...r,
        rows: r.rows ?? [],
        description: CHECK_ERRORS[r.code as keyof typeof CHECK_ERRORS]?.[1] ?? r.code,
      }))
    },
  )

  fastify.get(
    '/imports/:id/invalid-rows',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary: 'Download the lines with errors (CSV): line number, original columns, their errors',
        description:
          'UTF-8 with a BOM, the file’s separator; streamed. 409 IMPORT_NOT_CHECKED before a check; 403 ' +
          'PRECISE_ACCESS_REQUIRED for a reader who is not the owner and does not see sensitive data precisely.',
        params: IdParams,
        response: { 200: Type.Unknown({ description: 'text/csv, as an attachment' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const row = await getImport(pool, callerOf(request), request.params.id)
      // The file's own lines, coordinates included: its owner's, or a reader who sees sensitive data precisely.
      if (row.ownerId !== request.user!.id && observationCaller(request).preciseScope < (request.scope ?? 3))
        throw forbidden(
          'PRECISE_ACCESS_REQUIRED',
          "Only the import's owner or a reader with precise access may download its raw lines",
        )
      const table = await checkedTable(pool, row)
      return reply
        .header('content-disposition', `attachment; filename="import-${row.id}-lignes-en-erreur.csv"`)
        .header('cache-control', 'no-store')
        .type('text/csv; charset=utf-8')
        .send(Readable.from(invalidRowsCsv(pool, row, table)))
    },
  )

  fastify.get(
    '/imports/:id/preview',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary: 'Counts, extent and a sample of the valid rows (GeoJSON) of a checked import, for the map',
        params: IdParams,
        querystring: PreviewQuery,
        response: { 200: ImportPreview, ...errorResponses },
      },
    },
    async (request) => {
      const row = await getImport(pool, callerOf(request), request.params.id)
      const table = await checkedTable(pool, row)
      // The owner sees their file as it is; another reader of the import sees sensitive rows as they will be shown
      // once imported (ADR 15): blurred, or absent at level 4, unless they see sensitive data precisely.
      const precise =
        row.ownerId === request.user!.id || observationCaller(request).preciseScope >= (request.scope ?? 3)
      const shown = precise ? 'v.the_geom_4326' : blurredUnsavedGeometrySql('v')
      const { rows } = await pool.query<Static<typeof ImportPreview>>(
        `WITH valid_rows AS (
           SELECT v.line, v.cd_nom, v.nom_cite, v.date_min, v.date_max, v.count_min, v.count_max, v.observers,
                  ${shown} AS the_geom_4326
             FROM ${table} v WHERE v.valid)
         SELECT json_build_object(
                  'rows', (SELECT count(*) FROM ${table})::int,
                  'valid', (SELECT count(*) FROM ${table} WHERE valid)::int,
                  'errors', (SELECT count(*) FROM import.import_errors WHERE import_id = $1 AND level = 'ERROR')::int,
                  'warnings', (SELECT count(*) FROM import.import_errors WHERE import_id = $1 AND level = 'WARNING')::int
                ) AS counts,
                (SELECT CASE WHEN e IS NOT NULL THEN json_build_array(ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)) END
                   FROM (SELECT ST_Extent(the_geom_4326)::box2d AS e FROM valid_rows) x) AS bbox,
                json_build_object('type', 'FeatureCollection', 'features', COALESCE((
                  SELECT json_agg(json_build_object('type', 'Feature', 'id', s.line,
                           'geometry', ST_AsGeoJSON(s.the_geom_4326, 6)::json,
                           'properties', json_build_object('line', s.line, 'cdNom', s.cd_nom, 'nomCite', s.nom_cite,
                             'dateMin', to_json(s.date_min) #>> '{}', 'dateMax', to_json(s.date_max) #>> '{}',
                             'countMin', s.count_min, 'countMax', s.count_max, 'observers', s.observers))
                           ORDER BY s.line)
                    FROM (SELECT * FROM valid_rows WHERE the_geom_4326 IS NOT NULL ORDER BY line LIMIT $2) s),
                  '[]'::json)) AS sample`,
        [row.id, request.query.limit],
      )
      return rows[0]!
    },
  )
}
