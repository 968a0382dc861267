import { defineModule } from '@biodiv/core'
import type { ImportConfig } from './import-config.ts'
import { importRoutes } from './import-routes.ts'
import { jobRoutes } from './job-routes.ts'
import { importJobRunner } from './jobs/import-jobs.ts'
import { manifest } from './manifest.ts'
import { mappingRoutes } from './mapping-routes.ts'
import { reportRoutes } from './report-routes.ts'

export default defineModule<ImportConfig>({
  manifest,
  migrations: new URL('../migrations', import.meta.url),
  routes: async (fastify, options) => {
    // Started when the app is ready, stopped (jobs back in the queue) when it closes.
    const jobs = importJobRunner(fastify, options.config)
    await fastify.register(importRoutes, options)
    await fastify.register(mappingRoutes)
    await fastify.register(reportRoutes)
    await fastify.register(jobRoutes, { ...options, jobs })
  },
})
