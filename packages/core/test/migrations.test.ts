import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIRST_PARTY_MODULES } from '../src/config.ts'
import { migrationSources } from '../src/db/migration-sources.ts'
import { runMigrations } from '../src/db/migrations.ts'
import { loadModules } from '../src/modules/load-modules.ts'
import { createTestDatabase, type TestDatabase } from './helpers/index.ts'

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'biodiv-migrations-'))
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(join(dir, name))
    writeFileSync(join(dir, name, 'migration.sql'), sql)
  }
  return dir
}

describe('migration runner', () => {
  let db: TestDatabase
  let pool: pg.Pool
  beforeAll(async () => {
    db = await createTestDatabase()
    pool = new pg.Pool({ connectionString: db.url, max: 2 })
  })
  afterAll(async () => {
    await pool.end()
    await db.drop()
  })

  it('records core migrations first, then each module’s, once', async () => {
    const { rows } = await pool.query(
      'SELECT module_code, name FROM core.schema_migrations ORDER BY finished_at, module_code',
    )
    expect(rows[0]).toEqual({ module_code: 'CORE', name: '20261128000000_core_init' })
    expect(rows.map((r) => r.module_code)).toEqual(expect.arrayContaining(['OCCTAX', 'IMPORT', 'VALIDATION']))
    const schemas = await pool.query(
      `SELECT nspname FROM pg_namespace WHERE nspname IN ('core', 'occtax', 'import', 'validation') ORDER BY 1`,
    )
    expect(schemas.rows.map((r) => r.nspname)).toEqual(['core', 'import', 'occtax', 'validation'])
  })

  it('is idempotent: a second run applies nothing', async () => {
    const modules = await loadModules(FIRST_PARTY_MODULES)
    const before = await pool.query('SELECT count(*)::int AS n FROM core.schema_migrations')
    expect(await runMigrations(pool, migrationSources(modules))).toEqual([])
    const after = await pool.query('SELECT count(*)::int AS n FROM core.schema_migrations')
    expect(after.rows[0].n).toBe(before.rows[0].n)
  })

  it('applies new migrations in order and rolls a failing one back entirely', async () => {
    const dir = migrationsDir({
      '20270101000000_first': 'CREATE SCHEMA partner; CREATE TABLE partner.a (id int);',
      '20270102000000_broken': 'CREATE TABLE partner.b (id int); INSERT INTO partner.nope VALUES (1);',
    })
    await expect(runMigrations(pool, [{ moduleCode: 'PARTNER', dir }])).rejects.toThrow(
      /Migration PARTNER\/20270102000000_broken failed: relation "partner.nope" does not exist/,
    )
    const tables = await pool.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'partner'`,
    )
    expect(tables.rows).toEqual([{ table_name: 'a' }])
    const recorded = await pool.query(`SELECT name FROM core.schema_migrations WHERE module_code = 'PARTNER'`)
    expect(recorded.rows).toEqual([{ name: '20270101000000_first' }])
  })

  it('refuses to go on when an applied migration file was edited', async () => {
    const dir = migrationsDir({ '20270101000000_first': 'CREATE SCHEMA partner2;' })
    await runMigrations(pool, [{ moduleCode: 'PARTNER2', dir }])
    writeFileSync(join(dir, '20270101000000_first', 'migration.sql'), 'CREATE SCHEMA partner2; -- edited')
    await expect(runMigrations(pool, [{ moduleCode: 'PARTNER2', dir }])).rejects.toThrow(
      'Migration PARTNER2/20270101000000_first was changed after it was applied',
    )
  })

  it('lets concurrent starts migrate once (advisory lock)', async () => {
    const dir = migrationsDir({ '20270101000000_only': 'CREATE TABLE public.once (id int);' })
    const otherInstance = new pg.Pool({ connectionString: db.url, max: 1 })
    const results = await Promise.all([
      runMigrations(pool, [{ moduleCode: 'RACE', dir }]),
      runMigrations(otherInstance, [{ moduleCode: 'RACE', dir }]),
    ])
    await otherInstance.end()
    expect(results.map((r) => r.length).sort()).toEqual([0, 1])
  })
})
