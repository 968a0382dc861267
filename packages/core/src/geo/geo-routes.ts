import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

/** Geographic areas (ref_geo): area types, areas, intersections (issue 3). */
export const geoRoutes: FastifyPluginAsyncTypebox = async () => {}
