import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

const Health = Type.Object({ status: Type.String(), database: Type.String() })

export const healthRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['core'],
        summary: 'Liveness and database reachability',
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      try {
        await Promise.race([
          fastify.db.pool.query('SELECT 1'),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
        ])
        return { status: 'ok', database: 'ok' }
      } catch {
        return reply.status(503).send({ status: 'error', database: 'unreachable' })
      }
    },
  )
}
