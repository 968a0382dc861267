import { errorResponses, type ModuleContext } from '@biodiv/core'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf } from './caller.ts'
import { undoImport } from './finalize/undo-import.ts'
import type { ImportConfig } from './import-config.ts'
import { IdParams, ImportSchema, JobBody, UndoResult } from './import-schemas.ts'
import { getImport, queueCheck, queueFinalize } from './imports-repository.ts'
import type { JobRunner } from './jobs/job-runner.ts'
import { importUploadDir, removeStored, storedPath } from './upload-storage.ts'

const tags = ['import']

/** Check, finalize (background jobs, 202) and undo of an import (issue 5, steps 4, 6, 7). */
export const jobRoutes: FastifyPluginAsyncTypebox<ModuleContext<ImportConfig> & { jobs: JobRunner }> = async (
  fastify,
  { jobs },
) => {
  const { pool } = fastify.db
  const uploadDir = importUploadDir(fastify.config.UPLOAD_DIR)
  // The job routes' body is optional: a POST without one means `{}`.
  const emptyBody = async (request: { body: unknown }) => {
    request.body ??= {}
  }

  fastify.post(
    '/imports/:id/check',
    {
      config: { permission: 'U' },
      preValidation: emptyBody,
      schema: {
        tags,
        summary:
          'Run the checks as a background job: 202, then follow status/step/progress on GET /imports/:id',
        description:
          'Loads the file into a staging table and checks it (status `checking` → `checked`, or `failed` with ' +
          '`failure`). `updateExisting`: UUIDs already in the synthese are updates instead of EXISTING_UUID errors. ' +
          '409 IMPORT_NOT_READY (no field mapping), IMPORT_BUSY, IMPORT_FINALIZED.',
        params: IdParams,
        body: JobBody,
        response: { 202: ImportSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      const row = await getImport(pool, caller, request.params.id)
      await queueCheck(pool, row, request.body.updateExisting)
      jobs.wake()
      return reply.status(202).send(await getImport(pool, caller, row.id))
    },
  )

  fastify.post(
    '/imports/:id/finalize',
    {
      config: { permission: 'U' },
      preValidation: emptyBody,
      schema: {
        tags,
        summary: 'Write the valid rows into the synthese as a background job (one transaction): 202',
        description:
          'Status `importing` → `imported` (source IMPORT:<id>); a failure leaves nothing written and the import ' +
          '`checked` with `failure`. An `updateExisting` other than the check’s runs the check again first. ' +
          '409 CHECK_NEEDED, IMPORT_BUSY, IMPORT_FINALIZED; 400 NO_VALID_ROW.',
        params: IdParams,
        body: JobBody,
        response: { 202: ImportSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      const row = await getImport(pool, caller, request.params.id)
      await queueFinalize(pool, row, request.body.updateExisting)
      jobs.wake()
      return reply.status(202).send(await getImport(pool, caller, row.id))
    },
  )

  fastify.delete(
    '/imports/:id',
    {
      config: { permission: 'D' },
      schema: {
        tags,
        summary: 'Undo an import: its synthese rows, staging table, errors, the import and its uploaded file',
        description:
          'One transaction; the file is removed after the commit. Observations the import only updated ' +
          '(update_existing) keep their new values and stay with the import that created them. 409 IMPORT_BUSY ' +
          'while a job runs.',
        params: IdParams,
        response: { 200: UndoResult, ...errorResponses },
      },
    },
    async (request) => {
      const row = await getImport(pool, callerOf(request), request.params.id)
      const { deletedObservations } = await undoImport(pool, row.id)
      try {
        await removeStored(storedPath(uploadDir, row.filePath))
      } catch (error) {
        // The undo is committed: a file that cannot be removed is logged, not an error of the request.
        request.log.warn({ err: error }, `import ${row.id}: could not remove its file`)
      }
      return { id: row.id, deletedObservations }
    },
  )
}
