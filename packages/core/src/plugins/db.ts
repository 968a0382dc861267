import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Database } from '../db/database.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The shared pool (raw SQL, COPY, streams) and the Prisma client built on it. */
    db: Database
  }
}

export const dbPlugin = fp(
  async (fastify: FastifyInstance, opts: { database: Database }) => {
    fastify.decorate('db', opts.database)
    fastify.addHook('onClose', async () => {
      await opts.database.close()
    })
  },
  { name: 'db' },
)
