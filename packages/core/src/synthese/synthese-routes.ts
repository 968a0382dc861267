import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { errorResponses } from '../http/error-schema.ts'
import { type Caller, getObservation, listObservations } from './synthese-queries.ts'
import {
  ObservationFeatureCollection,
  ObservationIdParams,
  ObservationPage,
  ObservationQuery,
  ObservationSheet,
} from './synthese-schemas.ts'

const tags = ['synthese']
const permission = (action: 'R' | 'E') => ({ module: 'SYNTHESE', permission: action }) as const
const caller = (request: FastifyRequest): Caller => ({
  userId: request.user!.id,
  organismId: request.user!.organismId,
  scope: request.scope!,
})

/**
 * The Synthese: every observation of every source, filtered by the caller's scope of SYNTHESE R (1 observer,
 * digitiser or dataset actor, 2 + their organism's datasets, 3 all). Outside the scope is 404.
 */
export const syntheseRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { pool } = fastify.db

  fastify.get(
    '/observations',
    {
      config: permission('R'),
      schema: {
        tags,
        summary: 'Observations matching the filters, newest first, by pages (keyset cursor)',
        description:
          'JSON `{ items, nextCursor }`, or a GeoJSON FeatureCollection with `Accept: application/geo+json` or `format=geojson`.',
        querystring: ObservationQuery,
        response: { 200: Type.Union([ObservationPage, ObservationFeatureCollection]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { format, ...filters } = request.query
      const page = await listObservations(pool, caller(request), filters)
      const geojson =
        format === 'geojson' || (!format && request.headers.accept?.includes('application/geo+json'))
      if (!geojson) return page
      const features = page.items.map(({ id, geometry, ...properties }) => ({
        type: 'Feature' as const,
        id,
        geometry,
        properties,
      }))
      return reply
        .type('application/geo+json')
        .send({ type: 'FeatureCollection', features, nextCursor: page.nextCursor })
    },
  )

  fastify.get(
    '/observations/:id',
    {
      config: permission('R'),
      schema: {
        tags,
        summary: 'The full sheet of one observation: taxon, nomenclatures, areas, dataset, source link',
        params: ObservationIdParams,
        response: { 200: ObservationSheet, ...errorResponses },
      },
    },
    async (request) => getObservation(pool, caller(request), request.params.id),
  )
}
