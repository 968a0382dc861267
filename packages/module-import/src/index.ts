import { defineModule } from '@biodiv/core'
import type { ImportConfig } from './import-config.ts'
import { importRoutes } from './import-routes.ts'
import { manifest } from './manifest.ts'
import { mappingRoutes } from './mapping-routes.ts'

export default defineModule<ImportConfig>({
  manifest,
  migrations: new URL('../migrations', import.meta.url),
  routes: async (fastify, options) => {
    await fastify.register(importRoutes, options)
    await fastify.register(mappingRoutes)
  },
})
