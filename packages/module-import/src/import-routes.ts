import {
  AppError,
  activeDatasetsInScope,
  badRequest,
  conflict,
  ErrorBody,
  errorResponses,
  type ModuleRoutes,
} from '@biodiv/core'
import multipart from '@fastify/multipart'
import iconv from 'iconv-lite'
import { Type } from 'typebox'
import { callerOf } from './caller.ts'
import { matchMapping, validateFieldMapping } from './field-mapping.ts'
import { detectFile } from './file-detection.ts'
import { previewFile } from './file-preview.ts'
import type { ImportConfig } from './import-config.ts'
import {
  DecodeBody,
  FieldMappingBody,
  IdParams,
  ImportableDataset,
  ImportList,
  ImportSchema,
  MappingMatch,
  MatchQuery,
  TargetFieldList,
} from './import-schemas.ts'
import {
  assertEditable,
  assertImportableDataset,
  assertKnownSrid,
  getImport,
  insertImport,
  listImports,
  updateDecoding,
  updateFieldMapping,
} from './imports-repository.ts'
import { getMapping } from './mappings-repository.ts'
import { GEOMETRY_SOURCES, TARGET_FIELDS } from './target-fields.ts'
import { importUploadDir, removeStored, type StoredFile, storedPath, storeUpload } from './upload-storage.ts'

const tags = ['import']
const emptyFile = () => badRequest('EMPTY_FILE', 'The file is empty')
const busy = (id: number) => conflict('IMPORT_BUSY', `Import ${id} changed status meanwhile: reload it`)

/** @fastify/multipart's errors in the API's vocabulary. */
function multipartError(error: unknown, maxBytes: number): unknown {
  switch ((error as { code?: string }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError(413, 'FILE_TOO_LARGE', `The file is larger than ${maxBytes} bytes`)
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError(415, 'NOT_MULTIPART', 'Send the file as multipart/form-data')
    case 'FST_FILES_LIMIT':
      return badRequest('TOO_MANY_FILES', 'Send one file per import')
    default:
      return error
  }
}

/** Upload, decode and field mapping of imports (issue 5, steps 1–2). */
export const importRoutes: ModuleRoutes<ImportConfig> = async (fastify, { config }) => {
  const { pool } = fastify.db
  const uploadDir = importUploadDir(fastify.config.UPLOAD_DIR)
  const maxBytes = config.maxUploadBytes

  // Streams files to UPLOAD_DIR: nothing of the file is buffered beyond the stream's chunks.
  await fastify.register(multipart, {
    limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1024, parts: 20 },
  })

  fastify.get(
    '/target-fields',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary:
          'The fields a file can fill (synthese fields and geometry sources), with type and required-ness',
        response: { 200: TargetFieldList, ...errorResponses },
      },
    },
    async () => ({ fields: [...TARGET_FIELDS], geometrySources: GEOMETRY_SOURCES.map((s) => [...s]) }),
  )

  fastify.get(
    '/datasets',
    {
      config: { permission: 'C' },
      schema: {
        tags,
        summary: 'Active datasets the caller may import into (scope of IMPORT C), for the upload form',
        response: { 200: Type.Array(ImportableDataset), ...errorResponses },
      },
    },
    async (request) => activeDatasetsInScope(pool, callerOf(request)),
  )

  fastify.get(
    '/imports',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary: 'Imports within the caller’s scope (1 mine, 2 my organism’s, 3 all), newest first',
        response: { 200: ImportList, ...errorResponses },
      },
    },
    async (request) => listImports(pool, callerOf(request)),
  )

  fastify.get(
    '/imports/:id',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary:
          'One import: status, step, progress, counts, detected and confirmed decoding, columns, sample',
        params: IdParams,
        response: { 200: ImportSchema, ...errorResponses },
      },
    },
    async (request) => getImport(pool, callerOf(request), request.params.id),
  )

  fastify.post(
    '/imports',
    {
      config: { permission: 'C' },
      schema: {
        tags,
        summary: 'Upload a CSV/TSV (any separator) or GeoJSON file: detects format, encoding, separator',
        description:
          'multipart/form-data with a `file` part and an optional `datasetId` field (a dataset you may write to). ' +
          'The file is streamed to disk. 400 EMPTY_FILE / HEADER_SAME_COLUMN_NAME leave nothing behind.',
        consumes: ['multipart/form-data'],
        response: { 201: ImportSchema, ...errorResponses, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      let stored: StoredFile | null = null
      let keep = false
      try {
        let fileName = ''
        let datasetField: string | undefined
        try {
          for await (const part of request.parts()) {
            if (part.type === 'file') {
              if (stored || part.fieldname !== 'file') {
                part.file.resume()
                continue
              }
              fileName = part.filename || 'upload'
              stored = await storeUpload(uploadDir, part.file, fileName)
            } else if (part.fieldname === 'datasetId') {
              datasetField = String(part.value)
            }
          }
        } catch (error) {
          throw multipartError(error, maxBytes)
        }
        if (!stored) throw badRequest('NO_FILE', 'Send the file in a multipart part named "file"')
        let datasetId: number | null = null
        if (datasetField !== undefined && datasetField.trim() !== '') {
          datasetId = Number(datasetField)
          if (!Number.isInteger(datasetId) || datasetId < 1)
            throw badRequest('VALIDATION_ERROR', 'datasetId: must be a positive integer')
          await assertImportableDataset(pool, caller, datasetId)
        }
        if (stored.size === 0) throw emptyFile()
        const detected = await detectFile(stored.path)
        if (detected.empty) throw emptyFile()
        const { empty: _, ...found } = detected
        // GeoJSON is UTF-8 (RFC 7946); its features are read as such.
        const decoding = found.format === 'geojson' ? { ...found, encoding: 'utf-8' } : found
        const preview = await previewFile(stored.path, decoding.format, decoding.encoding, decoding.separator)
        const id = await insertImport(pool, caller, {
          datasetId,
          fileName,
          storedName: stored.name,
          fileSize: stored.size,
          sha256: stored.sha256,
          detected: { ...decoding, ...(preview.srid ? { srid: preview.srid } : {}) },
          preview,
        })
        keep = true
        return reply.status(201).send(await getImport(pool, caller, id))
      } finally {
        if (stored && !keep) await removeStored(stored.path)
      }
    },
  )

  fastify.put(
    '/imports/:id/decode',
    {
      config: { permission: 'U' },
      schema: {
        tags,
        summary:
          'Confirm encoding, separator, SRID (and the dataset): header and sample are read again with them',
        params: IdParams,
        body: DecodeBody,
        response: { 200: ImportSchema, ...errorResponses },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const { id } = request.params
      const row = await getImport(pool, caller, id)
      assertEditable(row)
      const { encoding, srid } = request.body
      if (!iconv.encodingExists(encoding))
        throw badRequest('UNKNOWN_ENCODING', `Unknown encoding "${encoding}"`)
      await assertKnownSrid(pool, srid)
      const { datasetId } = request.body
      if (datasetId) await assertImportableDataset(pool, caller, datasetId)
      if (row.format === 'geojson' && encoding.toLowerCase().replace(/[^a-z0-9]/g, '') !== 'utf8')
        throw badRequest('UNKNOWN_ENCODING', 'A GeoJSON file is UTF-8 (RFC 7946)')
      const separator = row.format === 'csv' ? (request.body.separator ?? row.separator ?? ',') : null
      if (separator !== null && /["\r\n]/.test(separator))
        throw badRequest('INVALID_SEPARATOR', 'A quote or a line break cannot separate fields')
      const preview = await previewFile(storedPath(uploadDir, row.filePath), row.format, encoding, separator)
      if (!(await updateDecoding(pool, id, { encoding, separator, srid, datasetId }, preview))) throw busy(id)
      return getImport(pool, caller, id)
    },
  )

  fastify.get(
    '/imports/:id/field-mapping/match',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary:
          'A saved mapping applied to the file’s header: which target fields it fills, which it misses',
        params: IdParams,
        querystring: MatchQuery,
        response: { 200: MappingMatch, ...errorResponses },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const row = await getImport(pool, caller, request.params.id)
      const mapping = await getMapping(pool, caller, request.query.mappingId)
      return {
        mappingId: mapping.id,
        ...matchMapping(mapping.fieldMapping, row.columns, row.datasetId !== null),
      }
    },
  )

  fastify.put(
    '/imports/:id/field-mapping',
    {
      config: { permission: 'U' },
      schema: {
        tags,
        summary: 'Map target fields to source columns or constants (or apply a saved mapping by its id)',
        description:
          '`fields` given: used as is. Only `mappingId`: the saved mapping is matched to the header (exact, then ' +
          'case-insensitive, aliases). 400 UNKNOWN_TARGET_FIELD, UNKNOWN_SOURCE_COLUMN, MISSING_REQUIRED_FIELD.',
        params: IdParams,
        body: FieldMappingBody,
        response: { 200: ImportSchema, ...errorResponses },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const { id } = request.params
      const row = await getImport(pool, caller, id)
      assertEditable(row)
      const { mappingId, fields } = request.body
      if (!fields && !mappingId) throw badRequest('VALIDATION_ERROR', 'Give fields, a mappingId, or both')
      const mapping = mappingId ? await getMapping(pool, caller, mappingId) : null
      const source = fields ?? matchMapping(mapping!.fieldMapping, row.columns, row.datasetId !== null).fields
      const validated = validateFieldMapping(source, row.columns, row.datasetId !== null)
      if (!(await updateFieldMapping(pool, id, validated, mapping?.id ?? null))) throw busy(id)
      return getImport(pool, caller, id)
    },
  )
}
