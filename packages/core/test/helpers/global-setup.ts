import type { TestProject } from 'vitest/node'
import { loadConfig } from '../../src/config.ts'
import { createDatabase } from '../../src/db/database.ts'
import { migrationSources } from '../../src/db/migration-sources.ts'
import { runMigrations } from '../../src/db/migrations.ts'
import { seedDemo } from '../../src/demo/seed-demo.ts'
import { loadModules } from '../../src/modules/load-modules.ts'
import { moduleRecords, syncModules } from '../../src/modules/sync-modules.ts'
import { databaseUrl, withAdminClient } from './test-database.ts'
import { ALL_TEST_MODULES } from './test-modules.ts'

async function adminDatabaseUrl(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined }
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
    const container = await new PostgreSqlContainer('postgis/postgis:16-3.4').start()
    const url = databaseUrl(container.getConnectionUri(), 'postgres')
    return { url, stop: async () => void (await container.stop()) }
  } catch (error) {
    throw new Error(
      'The tests need PostgreSQL with PostGIS. Set DATABASE_URL to a server where the user may create databases ' +
        '(e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres; on Debian: apt-get install ' +
        'postgresql-15 postgresql-15-postgis-3), or run a container engine for testcontainers. ' +
        `(testcontainers: ${(error as Error).message})`,
    )
  }
}

/** Builds the template database once per run: core + every module migrated, modules synced, demo data seeded. */
export default async function setup(project: TestProject) {
  const server = await adminDatabaseUrl()
  const template = `biodiv_template_${process.pid}`
  await withAdminClient(server.url, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`)
    await c.query(`CREATE DATABASE ${template}`)
  })
  const modules = await loadModules(ALL_TEST_MODULES)
  const database = createDatabase(databaseUrl(server.url, template), 2)
  try {
    await runMigrations(database.pool, migrationSources(modules))
    await syncModules(database.pool, moduleRecords(modules))
    // Without the demo's sample sensitivity rules: tests that need rules create theirs.
    await seedDemo(database.pool, loadConfig({}).DEMO_PASSWORD, { sensitivity: false })
  } finally {
    await database.close()
  }
  project.provide('adminDatabaseUrl', server.url)
  project.provide('templateDatabase', template)

  return async () => {
    await withAdminClient(server.url, (c) => c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`))
    await server.stop()
  }
}
