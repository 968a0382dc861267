import {
  badRequest,
  errorResponses,
  type ModuleRoutes,
  notFound,
  pageOrFeatureCollection,
} from '@biodiv/core'
import { type Static, Type } from 'typebox'
import { sensitivityRoutes } from './sensitivity-routes.ts'
import {
  countValidationObservations,
  listValidationObservations,
  validationHistory,
} from './validation-queries.ts'
import {
  HistoryParams,
  StatusChangeBody,
  StatusChangeResult,
  ValidationCount,
  ValidationFeatureCollection,
  ValidationFilter,
  ValidationHistory,
  ValidationPage,
  ValidationQuery,
} from './validation-schemas.ts'
import { changeValidationStatus } from './validation-service.ts'
import { validatorOf } from './validator.ts'

const validator = validatorOf

/**
 * Validation: R opens the module (the list shows only what the caller may validate: their V rows, validable
 * datasets; nothing without V), V changes statuses. Permission rows may carry a taxon and an area filter.
 */
export const validationRoutes: ModuleRoutes = async (fastify, ctx) => {
  const { pool } = fastify.db
  await fastify.register(sensitivityRoutes, ctx)

  fastify.get(
    '/observations',
    {
      config: { permission: 'R' },
      schema: {
        summary: 'Observations I may validate matching the filters (every synthese filter + validation ones)',
        description:
          'JSON `{ items, nextCursor }` (newest first, keyset cursor), or a GeoJSON FeatureCollection with `format=geojson` or `Accept: application/geo+json`.',
        querystring: ValidationQuery,
        response: { 200: Type.Union([ValidationPage, ValidationFeatureCollection]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { format, ...filters } = request.query
      // Not request typing: the query types its rows loosely ({ id, geometry } & Record<string, unknown>, in
      // validation-queries.ts); they are the LIST_COLUMNS of ValidationItem, which the response schema checks.
      const page = (await listValidationObservations(pool, validator(request), filters)) as Static<
        typeof ValidationPage
      >
      return pageOrFeatureCollection(request, reply, format, page)
    },
  )

  fastify.get(
    '/observations/count',
    {
      config: { permission: 'R' },
      schema: {
        summary:
          'How many observations I may validate match the filters (what a change by filter would change)',
        querystring: ValidationFilter,
        response: { 200: ValidationCount, ...errorResponses },
      },
    },
    async (request) => ({
      count: await countValidationObservations(pool, validator(request), request.query),
    }),
  )

  fastify.post(
    '/statuses',
    {
      config: { permission: 'V' },
      schema: {
        summary: 'Give a status to observations, by UUID or by filter, in one transaction (all or nothing)',
        body: StatusChangeBody,
        response: { 200: StatusChangeResult, ...errorResponses },
      },
    },
    async (request) => {
      const { observations, filter, status, comment } = request.body
      if ((observations === undefined) === (filter === undefined)) {
        throw badRequest('SELECTION_REQUIRED', 'Give exactly one of observations (UUIDs) or filter')
      }
      return changeValidationStatus(
        pool,
        validator(request),
        observations ? { observations, status, comment } : { filter: filter!, status, comment },
      )
    },
  )

  fastify.get(
    '/history/:uuid',
    {
      config: { permission: 'R' },
      schema: {
        summary: 'The validation history of an observation, oldest first',
        params: HistoryParams,
        response: { 200: ValidationHistory, ...errorResponses },
      },
    },
    async (request) => {
      const history = await validationHistory(
        pool,
        {
          userId: request.user!.id,
          organismId: request.user!.organismId,
          permissions: request.permissionFilters ?? [],
        },
        request.params.uuid,
      )
      if (!history)
        throw notFound('OBSERVATION_NOT_FOUND', `Observation ${request.params.uuid} does not exist`)
      return history
    },
  )
}
