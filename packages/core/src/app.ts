import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { adminRoutes } from './admin/admin-routes.ts'
import { authRoutes } from './auth/auth-routes.ts'
import type { AppConfig } from './config.ts'
import type { Database } from './db/database.ts'
import { geoRoutes } from './geo/geo-routes.ts'
import { healthRoutes } from './health/health-routes.ts'
import { metaRoutes } from './meta/meta-routes.ts'
import { CORE_MODULES } from './modules/core-modules.ts'
import { coreVersion, type LoadedModule } from './modules/load-modules.ts'
import { registerModuleRoutes } from './modules/module-routes.ts'
import { modulesRoutes } from './modules/modules-routes.ts'
import { moduleRecords, syncModules } from './modules/sync-modules.ts'
import { nomenclatureRoutes } from './nomenclature/nomenclature-routes.ts'
import { notificationRoutes } from './notifications/notification-routes.ts'
import { authPlugin } from './plugins/auth.ts'
import { dbPlugin } from './plugins/db.ts'
import { errorsPlugin } from './plugins/errors.ts'
import { frontendPlugin } from './plugins/frontend.ts'
import { openapiPlugin } from './plugins/openapi.ts'
import { permissionsPlugin } from './plugins/permissions.ts'
import { sensitivityRefreshPlugin } from './sensitivity/sensitivity-refresh.ts'
import { sensitivityRoutes } from './sensitivity/sensitivity-routes.ts'
import { syntheseRoutes } from './synthese/synthese-routes.ts'
import { taxonomyRoutes } from './taxonomy/taxonomy-routes.ts'

declare module 'fastify' {
  interface FastifyInstance {
    config: AppConfig
    /** The modules loaded from configuration, validated against the contract. */
    modules: LoadedModule[]
  }
}

export interface AppOptions {
  config: AppConfig
  database: Database
  modules: LoadedModule[]
}

/** The whole application as a plugin: it never listens (server.ts does), so tests boot it in-process. */
export const app = fp(
  async (fastify: FastifyInstance, { config, database, modules }: AppOptions) => {
    fastify.decorate('config', config)
    fastify.decorate('modules', modules)
    const declaredActions = new Map([
      ...CORE_MODULES.map((c) => [c.code, c.permissions] as const),
      ...modules.map((m) => [m.manifest.code, m.manifest.permissions] as const),
    ])

    await fastify.register(errorsPlugin)
    await fastify.register(dbPlugin, { database })
    await fastify.register(openapiPlugin, { version: coreVersion })
    await fastify.register(authPlugin)
    await fastify.register(permissionsPlugin, { declaredActions })

    await syncModules(database.pool, moduleRecords(modules))

    await fastify.register(healthRoutes, { prefix: '/api' })
    await fastify.register(authRoutes, { prefix: '/api/auth' })
    await fastify.register(adminRoutes, { prefix: '/api/admin' })
    await fastify.register(taxonomyRoutes, { prefix: '/api/taxonomy' })
    await fastify.register(nomenclatureRoutes, { prefix: '/api/nomenclatures' })
    await fastify.register(geoRoutes, { prefix: '/api/geo' })
    await fastify.register(metaRoutes, { prefix: '/api/meta' })
    await fastify.register(syntheseRoutes, { prefix: '/api/synthese' })
    await fastify.register(sensitivityRoutes, { prefix: '/api/sensitivity' })
    await fastify.register(notificationRoutes, { prefix: '/api/notifications' })
    await fastify.register(modulesRoutes, { modules, coreVersion })
    await registerModuleRoutes(fastify, modules)
    await fastify.register(frontendPlugin, { dist: config.FRONTEND_DIST })
    await fastify.register(sensitivityRefreshPlugin, { intervalMinutes: config.SENSITIVITY_REFRESH_MINUTES })
  },
  { name: 'biodiv-app' },
)
