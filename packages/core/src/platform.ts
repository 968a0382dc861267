import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { AppConfig } from './config.ts'
import { createDatabase, type Database } from './db/database.ts'
import { migrationSources } from './db/migration-sources.ts'
import { runMigrations } from './db/migrations.ts'
import { type LoadedModule, loadModules, parseModuleList } from './modules/load-modules.ts'

export interface PreparedPlatform {
  /** The configuration with DATABASE_URL pointing at the database actually used. */
  config: AppConfig
  database: Database
  modules: LoadedModule[]
  /** Stops the embedded database, when one was started. */
  stopEmbedded(): Promise<void>
}

type Log = Pick<FastifyBaseLogger, 'info' | 'warn'>

/**
 * Everything before the app can boot: the embedded database when no DATABASE_URL is configured, the modules
 * (a contract violation stops here), the connection pool, and the migrations of the core then of each module.
 */
export async function preparePlatform(config: AppConfig, log: Log): Promise<PreparedPlatform> {
  let url = config.DATABASE_URL
  let stopEmbedded = async (): Promise<void> => {}
  if (!url) {
    const { startEmbeddedDatabase } = await import('./db/embedded-database.ts')
    const dataDir = join(config.DATA_DIR, 'pglite')
    log.info(`No DATABASE_URL: starting the embedded PostgreSQL (PGlite + PostGIS) in ${dataDir}`)
    const embedded = await startEmbeddedDatabase({ dataDir, log: (msg) => log.info(msg) })
    url = embedded.url
    stopEmbedded = () => embedded.close()
  }
  const modules = await loadModules(parseModuleList(config.MODULES), config.MODULES_CONFIG_FILE)
  // The embedded database serves one session: every user in the process shares one connection.
  const database = createDatabase(url, config.embedded ? 1 : config.DATABASE_POOL_SIZE)
  try {
    const applied = await runMigrations(database.pool, migrationSources(modules))
    for (const m of applied) log.info(`Applied migration ${m.moduleCode}/${m.name}`)
  } catch (error) {
    await database.close()
    await stopEmbedded()
    throw error
  }
  return { config: { ...config, DATABASE_URL: url }, database, modules, stopEmbedded }
}
