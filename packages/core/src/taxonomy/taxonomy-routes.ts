import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

/** TAXREF taxonomy: taxa, autocomplete, hierarchy, taxon lists (issue 3). */
export const taxonomyRoutes: FastifyPluginAsyncTypebox = async () => {}
