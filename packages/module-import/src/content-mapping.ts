import {
  badRequest,
  conflict,
  errorResponses,
  nomenclatureValuesSql,
  SYNTHESE_NOMENCLATURES,
  type SyntheseNomenclatureField,
} from '@biodiv/core'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { type Caller, callerOf, type Queryable } from './caller.ts'
import { readRows } from './check/load-file.ts'
import { type ContentMapping, IdParams, ImportSchema } from './import-schemas.ts'
import { assertEditable, getImport, type ImportRow } from './imports-repository.ts'
import { getMapping } from './mappings-repository.ts'
import { ContentMappingBody, ContentMappingValues } from './report-schemas.ts'
import { importUploadDir, storedPath } from './upload-storage.ts'

const NOMENCLATURE_FIELDS = Object.keys(SYNTHESE_NOMENCLATURES) as SyntheseNomenclatureField[]
const isNomenclature = (f: string): f is SyntheseNomenclatureField => f in SYNTHESE_NOMENCLATURES
/** Distinct values listed per field: beyond, `truncated` (the check still resolves every value). */
const MAX_VALUES = 500

/** The nomenclature fields an import's field mapping fills. */
const mappedNomenclatures = (row: ImportRow) =>
  NOMENCLATURE_FIELDS.filter((f) => row.fieldMapping && f in row.fieldMapping)

/**
 * Distinct trimmed values of each mapped nomenclature field, with the number of lines holding them: one streaming
 * read of the file (at most MAX_VALUES values kept per field).
 */
async function distinctValues(row: ImportRow, uploadDir: string, fields: SyntheseNomenclatureField[]) {
  const mapping = row.fieldMapping!
  const counts = new Map<string, Map<string, number>>(fields.map((f) => [f, new Map()]))
  const truncated = new Set<string>()
  const sources = fields.map((f) => {
    const s = mapping[f]!
    return {
      field: f,
      index: 'column' in s ? row.columns.indexOf(s.column) : -1,
      constant: 'constant' in s ? s.constant : null,
    }
  })
  for await (const r of readRows({
    path: storedPath(importUploadDir(uploadDir), row.filePath),
    format: row.format,
    encoding: row.encoding,
    separator: row.separator,
    columns: row.columns,
  })) {
    for (const { field, index, constant } of sources) {
      const value = (constant ?? (index >= 0 ? r.values[index] : null) ?? '').trim()
      if (value === '') continue
      const values = counts.get(field)!
      const n = values.get(value)
      if (n !== undefined) values.set(value, n + 1)
      else if (values.size < MAX_VALUES) values.set(value, 1)
      else truncated.add(field)
    }
  }
  return { counts, truncated }
}

/** The preset's suggestion for each (field, value): the SINP code itself, else the label (accents, case ignored). */
async function suggestions(db: Queryable, pairs: { field: SyntheseNomenclatureField; value: string }[]) {
  const { rows } = await db.query<{ i: number; code: string; label: string }>(
    `SELECT x.i, n.code, n.label
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(type, value, i)
      CROSS JOIN LATERAL (
        SELECT n.code, n.label FROM ${nomenclatureValuesSql()} n
         WHERE n.type = x.type AND (n.code = x.value OR n.label_key = ref_geo.search_key(x.value))
         ORDER BY (n.code = x.value) DESC, n.id LIMIT 1) n`,
    [pairs.map((p) => SYNTHESE_NOMENCLATURES[p.field][1]), pairs.map((p) => p.value)],
  )
  return new Map(rows.map((r) => [Number(r.i) - 1, { code: r.code, label: r.label }]))
}

async function nomenclatureOptions(db: Queryable, fields: SyntheseNomenclatureField[]) {
  const { rows } = await db.query<{ type: string; code: string; label: string }>(
    `SELECT n.type, n.code, n.label FROM ${nomenclatureValuesSql()} n
      WHERE n.type = ANY($1::text[]) AND n.active ORDER BY n.type, n.id`,
    [fields.map((f) => SYNTHESE_NOMENCLATURES[f][1])],
  )
  const byType = new Map<string, { code: string; label: string }[]>()
  for (const r of rows) byType.set(r.type, [...(byType.get(r.type) ?? []), { code: r.code, label: r.label }])
  return byType
}

/** What the content-mapping step shows: each mapped nomenclature field's values, mapping and suggestion. */
export async function contentMappingValues(
  db: Queryable,
  row: ImportRow,
  uploadDir: string,
): Promise<ContentMappingValues> {
  const fields = mappedNomenclatures(row)
  if (fields.length === 0) return { fields: [], unmapped: [] }
  const { counts, truncated } = await distinctValues(row, uploadDir, fields)
  const pairs = fields.flatMap((field) => [...counts.get(field)!.keys()].map((value) => ({ field, value })))
  const suggested = await suggestions(db, pairs)
  const options = await nomenclatureOptions(db, fields)
  const saved = (row.contentMapping ?? {}) as ContentMapping
  const unmapped: { field: string; value: string }[] = []
  let i = 0
  const result = fields.map((field) => {
    const source = row.fieldMapping![field]!
    const values = [...counts.get(field)!.entries()].map(([value, count]) => {
      const suggestion = suggested.get(i++) ?? null
      const mapped = saved[field]?.[value] ?? null
      if (mapped === null && suggestion === null) unmapped.push({ field, value })
      return { value, count, mapped, suggestion }
    })
    return {
      field,
      nomenclatureType: SYNTHESE_NOMENCLATURES[field][1],
      column: 'column' in source ? source.column : null,
      values,
      truncated: truncated.has(field),
      options: options.get(SYNTHESE_NOMENCLATURES[field][1]) ?? [],
    }
  })
  return { fields: result, unmapped }
}

/** Every field a nomenclature field, every code a value of its type (400 otherwise). */
async function validateContentMapping(db: Queryable, mapping: ContentMapping): Promise<void> {
  const unknown = Object.keys(mapping).filter((f) => !isNomenclature(f))
  if (unknown.length > 0)
    throw badRequest('UNKNOWN_TARGET_FIELD', `Not nomenclature fields: ${unknown.join(', ')}`, {
      fields: unknown,
    })
  const entries = Object.entries(mapping).flatMap(([field, values]) =>
    Object.entries(values).map(([value, code]) => ({
      field: field as SyntheseNomenclatureField,
      value,
      code,
    })),
  )
  if (entries.length === 0) return
  const { rows } = await db.query<{ i: number }>(
    `SELECT x.i FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(type, code, i)
      WHERE NOT EXISTS (SELECT 1 FROM ${nomenclatureValuesSql()} n WHERE n.type = x.type AND n.code = x.code)`,
    [entries.map((e) => SYNTHESE_NOMENCLATURES[e.field][1]), entries.map((e) => e.code)],
  )
  if (rows.length > 0) {
    const bad = rows.map((r) => entries[Number(r.i) - 1]!)
    throw badRequest(
      'UNKNOWN_NOMENCLATURE',
      bad
        .map((b) => `${b.field}: "${b.code}" is not a ${SYNTHESE_NOMENCLATURES[b.field][1]} code`)
        .join('; '),
      bad,
    )
  }
}

const MAPPABLE = ['field_mapped', 'content_mapped', 'checked', 'failed']

/** Saves the content mapping (a saved mapping's as the base, the body's on top) → status content_mapped. */
export async function saveContentMapping(
  db: Queryable,
  caller: Caller,
  row: ImportRow,
  body: ContentMappingBody,
): Promise<void> {
  assertEditable(row)
  if (!row.fieldMapping)
    throw conflict(
      'FIELD_MAPPING_REQUIRED',
      `Import ${row.id} has no field mapping yet: map its fields first`,
    )
  const base = body.mappingId ? (await getMapping(db, caller, body.mappingId)).contentMapping : {}
  const mapping: ContentMapping = { ...base }
  for (const [field, values] of Object.entries(body.contentMapping ?? {}))
    mapping[field] = { ...(mapping[field] ?? {}), ...values }
  await validateContentMapping(db, mapping)
  const { rowCount } = await db.query(
    `UPDATE import.imports SET content_mapping = $2, status = 'content_mapped', row_count = NULL,
            valid_count = NULL, error_count = NULL, warning_count = NULL, step = NULL, progress = 0,
            failure = NULL, checked_at = NULL, updated_at = now()
      WHERE id = $1 AND status = ANY($3) AND field_mapping IS NOT NULL`,
    [row.id, JSON.stringify(mapping), MAPPABLE],
  )
  if (rowCount !== 1) throw conflict('IMPORT_BUSY', `Import ${row.id} changed status meanwhile: reload it`)
}

/** The content-mapping step's routes (registered by reportRoutes). */
export const contentMappingRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { pool } = fastify.db
  const uploadDir = fastify.config.UPLOAD_DIR
  const tags = ['import']

  fastify.get(
    '/imports/:id/content-mapping/values',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary:
          'Distinct source values of each mapped nomenclature field, with their mapping and suggestion',
        description:
          'Suggestions (the built-in preset) match the SINP code, then the SINP label ignoring accents and case. ' +
          '`unmapped`: values with neither (they would be INVALID_NOMENCLATURE). Reads the whole file.',
        params: IdParams,
        response: { 200: ContentMappingValues, ...errorResponses },
      },
    },
    async (request) => {
      const row = await getImport(pool, callerOf(request), request.params.id)
      if (!row.fieldMapping)
        throw conflict(
          'FIELD_MAPPING_REQUIRED',
          `Import ${row.id} has no field mapping yet: map its fields first`,
        )
      return contentMappingValues(pool, row, uploadDir)
    },
  )

  fastify.put(
    '/imports/:id/content-mapping',
    {
      config: { permission: 'U' },
      schema: {
        tags,
        summary: 'Map source values of nomenclature fields to SINP codes → status content_mapped',
        description:
          '`contentMapping`: { <nomenclature field>: { <source value>: <SINP code> } }, on top of the saved ' +
          'mapping `mappingId` when given. Values left out are read as SINP codes or labels at the check. ' +
          '400 UNKNOWN_TARGET_FIELD, UNKNOWN_NOMENCLATURE; 409 FIELD_MAPPING_REQUIRED, IMPORT_BUSY.',
        params: IdParams,
        body: ContentMappingBody,
        response: { 200: ImportSchema, ...errorResponses },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const row = await getImport(pool, caller, request.params.id)
      await saveContentMapping(pool, caller, row, request.body)
      return getImport(pool, caller, row.id)
    },
  )
}
