import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

/** SINP nomenclatures: types, values, taxon applicability, defaults per organism (issue 3). */
export const nomenclatureRoutes: FastifyPluginAsyncTypebox = async () => {}
