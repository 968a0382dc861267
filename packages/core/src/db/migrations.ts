import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type pg from 'pg'

/** A folder of migrations in Prisma's layout (`<timestamp>_<name>/migration.sql`), owned by one module. */
export interface MigrationSource {
  moduleCode: string
  dir: string
}

export interface MigrationFile {
  moduleCode: string
  name: string
  sql: string
  checksum: string
}

export class MigrationError extends Error {
  override name = 'MigrationError'
}

// Any fixed number: every instance starting at once takes the same lock, so one migrates and the others wait.
const MIGRATION_LOCK_KEY = 47_110_815

export function readMigrations(source: MigrationSource): MigrationFile[] {
  if (!existsSync(source.dir)) return []
  return readdirSync(source.dir)
    .filter((entry) => statSync(join(source.dir, entry)).isDirectory())
    .filter((entry) => existsSync(join(source.dir, entry, 'migration.sql')))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(source.dir, name, 'migration.sql'), 'utf8')
      return {
        moduleCode: source.moduleCode,
        name,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      }
    })
}

/**
 * Applies the migrations not yet recorded, source by source (core first, then each module), each in its
 * own transaction with its record. A recorded migration whose file changed stops everything.
 */
export async function runMigrations(pool: pg.Pool, sources: MigrationSource[]): Promise<MigrationFile[]> {
  const client = await pool.connect()
  const applied: MigrationFile[] = []
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    await client.query(`
      CREATE SCHEMA IF NOT EXISTS core;
      CREATE TABLE IF NOT EXISTS core.schema_migrations (
        module_code text NOT NULL,
        name text NOT NULL,
        checksum text NOT NULL,
        finished_at timestamptz(6) NOT NULL DEFAULT now(),
        PRIMARY KEY (module_code, name)
      )`)
    const { rows } = await client.query<{ module_code: string; name: string; checksum: string }>(
      'SELECT module_code, name, checksum FROM core.schema_migrations',
    )
    const recorded = new Map(rows.map((r) => [`${r.module_code}/${r.name}`, r.checksum]))
    for (const source of sources) {
      for (const migration of readMigrations(source)) {
        const key = `${migration.moduleCode}/${migration.name}`
        const checksum = recorded.get(key)
        if (checksum !== undefined) {
          if (checksum !== migration.checksum) {
            throw new MigrationError(
              `Migration ${key} was changed after it was applied (checksum differs). Write a new migration instead.`,
            )
          }
          continue
        }
        try {
          await client.query('BEGIN')
          await client.query(migration.sql)
          await client.query(
            'INSERT INTO core.schema_migrations (module_code, name, checksum) VALUES ($1, $2, $3)',
            [migration.moduleCode, migration.name, migration.checksum],
          )
          await client.query('COMMIT')
        } catch (error) {
          await client.query('ROLLBACK')
          throw new MigrationError(`Migration ${key} failed: ${(error as Error).message}`)
        }
        applied.push(migration)
      }
    }
    return applied
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined)
    client.release()
  }
}
