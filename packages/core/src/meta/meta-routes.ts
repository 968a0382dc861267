import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

/** SINP metadata: acquisition frameworks, datasets, actors (issue 3). */
export const metaRoutes: FastifyPluginAsyncTypebox = async () => {}
