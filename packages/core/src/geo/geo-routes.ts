import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { conflict, notFound } from '../http/app-error.ts'
import { errorResponses } from '../http/error-schema.ts'
import {
  areaFeature,
  checkAreaTypes,
  intersections,
  listAreaTypes,
  parseBbox,
  searchAreas,
} from './areas-queries.ts'
import {
  AreaFeature,
  AreaIdParams,
  AreaListQuery,
  AreaSchema,
  AreaTypeCreate,
  AreaTypeSchema,
  IntersectionsBody,
  IntersectionsResponse,
  geoTags as tags,
} from './geo-schemas.ts'
import { applyLocalSrid } from './local-srid.ts'

/**
 * Geographic areas (ref_geo): area types, areas, intersections. Any logged-in user reads; adding an area type
 * needs the ADMIN "C" permission. At boot, applies LOCAL_SRID to ref_geo (recomputing geom_local if it changed).
 */
export const geoRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { pool } = fastify.db
  await applyLocalSrid(pool, fastify.config.LOCAL_SRID)

  fastify.get(
    '/area-types',
    {
      schema: {
        tags,
        summary: 'Area types (COM, DEP, M10…) with their number of areas',
        response: { 200: Type.Array(AreaTypeSchema), ...errorResponses },
      },
    },
    async () => listAreaTypes(pool),
  )

  fastify.post(
    '/area-types',
    {
      config: { module: 'ADMIN', permission: 'C' },
      schema: {
        tags,
        summary: 'Add an area type (its areas are then imported with `pnpm cli geo:import --type CODE`)',
        body: AreaTypeCreate,
        response: { 201: AreaTypeSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const b = request.body
      const { rows } = await pool.query(
        `INSERT INTO ref_geo.area_types (code, name, description, ref_name, ref_version)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING
         RETURNING id, code, name, description, ref_name AS "refName", ref_version AS "refVersion", 0 AS "areaCount"`,
        [b.code, b.name, b.description ?? null, b.refName ?? null, b.refVersion ?? null],
      )
      if (!rows[0]) throw conflict('AREA_TYPE_EXISTS', `Area type ${b.code} already exists`, { code: b.code })
      return reply.status(201).send(rows[0])
    },
  )

  fastify.get(
    '/areas',
    {
      schema: {
        tags,
        summary: 'Search areas by type, code or name (case- and accent-insensitive) and bbox',
        querystring: AreaListQuery,
        response: { 200: Type.Array(AreaSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { type, q, bbox, geometry, limit, offset } = request.query
      const types = type
        ?.split(',')
        .map((t) => t.trim())
        .filter(Boolean)
      if (types) await checkAreaTypes(pool, types)
      return searchAreas(pool, {
        types,
        q,
        bbox: bbox === undefined ? undefined : parseBbox(bbox),
        geometry,
        limit,
        offset,
      })
    },
  )

  fastify.get(
    '/areas/:id',
    {
      schema: {
        tags,
        summary: 'One area as a GeoJSON Feature (WGS 84)',
        params: AreaIdParams,
        response: { 200: AreaFeature, ...errorResponses },
      },
    },
    async (request, reply) => {
      const feature = await areaFeature(pool, request.params.id)
      if (!feature) throw notFound('AREA_NOT_FOUND', `Area ${request.params.id} does not exist`)
      return reply.type('application/geo+json').send(feature)
    },
  )

  fastify.post(
    '/intersections',
    {
      schema: {
        tags,
        summary: 'The areas a GeoJSON geometry (WGS 84) intersects, grouped by type',
        body: IntersectionsBody,
        response: { 200: IntersectionsResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { geometry, types } = request.body
      if (types) await checkAreaTypes(pool, types)
      return intersections(pool, geometry, types)
    },
  )
}
