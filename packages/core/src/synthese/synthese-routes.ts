import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { badRequest } from '../http/app-error.ts'
import { errorResponses } from '../http/error-schema.ts'
import { pageOrFeatureCollection } from '../http/geojson-page.ts'
import { observationCaller } from '../sensitivity/observation-source.ts'
import { exportQuery, streamExport } from './synthese-export.ts'
import { getObservation, listObservations, listSyntheseDatasets } from './synthese-queries.ts'
import {
  ExportQuery,
  ObservationFeatureCollection,
  ObservationIdParams,
  ObservationPage,
  ObservationQuery,
  ObservationSheet,
  SyntheseDataset,
} from './synthese-schemas.ts'
import { TileParams, TileQuery } from './synthese-tile-schemas.ts'
import {
  AGGREGATE_MAX_ZOOM,
  checkTile,
  etagMatches,
  syntheseDataVersion,
  syntheseTile,
  TILE_MAX_ZOOM,
  tileEtag,
} from './synthese-tiles.ts'

const tags = ['synthese']
const permission = (action: 'R' | 'E') => ({ module: 'SYNTHESE', permission: action }) as const
/** Read routes also open to anonymous callers of the public read level (always blurred). */
const publicRead = { ...permission('R'), publicRead: true } as const

/**
 * The Synthese: every observation of every source, filtered by the caller's scope of SYNTHESE R (1 observer,
 * digitiser or dataset actor, 2 + their organism's datasets, 3 all). Outside the scope is 404.
 */
export const syntheseRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { pool } = fastify.db

  fastify.get(
    '/observations',
    {
      config: publicRead,
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
      const page = await listObservations(pool, observationCaller(request), filters)
      return pageOrFeatureCollection(request, reply, format, page)
    },
  )

  fastify.get(
    '/datasets',
    {
      config: permission('R'),
      schema: {
        tags,
        summary:
          'The datasets the caller may filter observations on (within the scope of R, no METADATA grant needed)',
        response: { 200: Type.Array(SyntheseDataset), ...errorResponses },
      },
    },
    async (request) => listSyntheseDatasets(pool, observationCaller(request)),
  )

  fastify.get(
    '/observations/:id',
    {
      config: publicRead,
      schema: {
        tags,
        summary: 'The full sheet of one observation: taxon, nomenclatures, areas, dataset, source link',
        params: ObservationIdParams,
        response: { 200: ObservationSheet, ...errorResponses },
      },
    },
    async (request) => getObservation(pool, observationCaller(request), request.params.id),
  )

  fastify.get(
    '/export',
    {
      config: permission('E'),
      schema: {
        tags,
        summary: 'Export the observations matching the filters (scope of E), streamed as CSV or GeoJSON',
        description:
          'Every matching row, oldest first, with the SINP / GeoNature export column names (see the synthese README). ' +
          'Streamed from a database cursor: an error after the first bytes aborts the response.',
        querystring: ExportQuery,
        response: {
          200: Type.Unknown({ description: 'text/csv or application/geo+json, as an attachment' }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { format, sep, bom, ...filters } = request.query
      const query = await exportQuery(pool, observationCaller(request), filters, format)
      const stream = await streamExport(pool, query, { format, separator: sep, bom })
      const filename = `synthese_${new Date().toISOString().slice(0, 10)}.${format === 'csv' ? 'csv' : 'geojson'}`
      return reply
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'no-store')
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/geo+json; charset=utf-8')
        .send(stream)
    },
  )

  fastify.get(
    '/tiles/:z/:x/:y.pbf',
    {
      config: publicRead,
      // Bad z/x/y are reported as INVALID_TILE (below), not as a generic validation error.
      attachValidation: true,
      schema: {
        tags,
        summary: 'Mapbox vector tile of the observations matching the filters (EPSG:3857, XYZ, extent 4096)',
        description:
          `z ≤ ${AGGREGATE_MAX_ZOOM}: layer \`grid\`, a polygon per non-empty cell of a 64 × 64 grid per tile with \`count\`; ` +
          'above: layer `observations`, a point per observation with `id`, `cdNom`, `date` (YYYY-MM-DD) and `status` ' +
          '(STATUT_VALID code). Same filters and scope as /observations. Empty tile: 204. `ETag` (data version, ' +
          'caller, filters, tile; absent while a write to the synthese is in progress) and `If-None-Match` → 304.',
        params: TileParams,
        querystring: TileQuery,
        response: {
          200: Type.Unknown({ description: 'application/vnd.mapbox-vector-tile (binary)' }),
          204: Type.Null({ description: 'No observation in this tile' }),
          304: Type.Null({ description: 'Not modified since the ETag given in If-None-Match' }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      if (request.validationError) {
        if (request.validationError.validationContext !== 'params') throw request.validationError
        const { z, x, y } = request.params as Record<string, unknown>
        throw badRequest(
          'INVALID_TILE',
          `No tile ${z}/${x}/${y}: z must be 0–${TILE_MAX_ZOOM}, x and y 0–2^z-1`,
          { z, x, y },
        )
      }
      const tile = checkTile(request.params)
      const filters = request.query
      const who = observationCaller(request)
      reply.header('cache-control', 'private, max-age=0, must-revalidate')
      // Read before the tile: a write committed in between only makes this ETag stale on the safe side.
      const version = await syntheseDataVersion(pool)
      const etag = version === null ? null : tileEtag(version, who, filters, tile)
      if (etag) {
        reply.header('etag', etag)
        if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send(null)
      }
      const mvt = await syntheseTile(pool, who, filters, tile)
      if (!mvt) return reply.code(204).send(null)
      return reply.type('application/vnd.mapbox-vector-tile').send(mvt)
    },
  )
}
