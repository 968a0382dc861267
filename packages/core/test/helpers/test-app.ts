import type { FastifyInstance, RouteOptions } from 'fastify'
import { loadConfig } from '../../src/config.ts'
import { createServer } from '../../src/create-server.ts'
import { preparePlatform } from '../../src/platform.ts'
import { createTestDatabase, type TestDatabase } from './test-database.ts'

export interface TestAppOptions {
  /** Module package names or paths; default: the first-party modules. */
  modules?: string[]
  /** Extra environment variables for loadConfig. */
  env?: Record<string, string>
  /** Reuse a database instead of cloning a fresh one (it is then not dropped on close). */
  databaseUrl?: string
}

export interface TestApp {
  app: FastifyInstance
  database: TestDatabase | null
  databaseUrl: string
  /** Every route of the app with its final config (module, permission, public). */
  routes: RouteInfo[]
  close(): Promise<void>
}

export interface RouteInfo {
  method: string
  url: string
  permission?: string
  module?: string
  public?: boolean
}

const silentLog = { info: () => undefined, warn: () => undefined }

/** The real app, booted in-process on its own database cloned from the migrated template. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.databaseUrl ? null : await createTestDatabase()
  const databaseUrl = options.databaseUrl ?? database!.url
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '4',
    ...(options.modules ? { MODULES: options.modules.join(',') } : {}),
    ...options.env,
  })
  // Hooks mutate a route's options after this root hook sees them: keep the objects, read them after boot.
  const seen: RouteOptions[] = []
  let app: FastifyInstance
  try {
    const platform = await preparePlatform(config, silentLog)
    try {
      app = await createServer(platform, { onRoute: (route) => void seen.push(route) })
      await app.ready()
    } catch (error) {
      await platform.database.close().catch(() => undefined)
      throw error
    }
  } catch (error) {
    // A boot that fails on purpose (contract tests) must not leave its database behind.
    await database?.drop()
    throw error
  }
  const routes = seen.flatMap((r) =>
    (Array.isArray(r.method) ? r.method : [r.method]).map((method) => ({
      method,
      url: r.url,
      permission: r.config?.permission,
      module: r.config?.module,
      public: r.config?.public,
    })),
  )
  return {
    app,
    routes,
    database,
    databaseUrl,
    async close() {
      await app.close()
      await database?.drop()
    },
  }
}

export interface TestServer {
  routes: RouteInfo[]
  baseUrl: string
  app: FastifyInstance
  close(): Promise<void>
}

/** The app listening on a random port of 127.0.0.1, serving the built shell and module bundles (browser tests). */
export async function startTestServer(opts: {
  databaseUrl: string
  modules?: string[]
  env?: Record<string, string>
}): Promise<TestServer> {
  const { app, close, routes } = await createTestApp({
    databaseUrl: opts.databaseUrl,
    modules: opts.modules,
    env: opts.env,
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { baseUrl: `http://127.0.0.1:${port}`, app, routes, close }
}
