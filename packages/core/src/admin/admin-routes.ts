import type { FastifyPluginAsync } from 'fastify'
import { groupRoutes } from './group-routes.ts'
import { organismRoutes } from './organism-routes.ts'
import { permissionRoutes } from './permission-routes.ts'
import { userRoutes } from './user-routes.ts'

/** The admin API under /api/admin: users, groups, organisms and permission rows. */
export const adminRoutes: FastifyPluginAsync = async (fastify) => {
  await fastify.register(organismRoutes)
  await fastify.register(userRoutes)
  await fastify.register(groupRoutes)
  await fastify.register(permissionRoutes)
}
