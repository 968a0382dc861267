import { spawn } from 'node:child_process'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rootDir } from '../../src/config.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/index.ts'

function cli(args: string[], databaseUrl: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(rootDir, 'packages/core/src/cli/index.ts'), ...args],
      { cwd: rootDir, env: { ...process.env, DATABASE_URL: databaseUrl } },
    )
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }))
  })
}

describe('pnpm cli geo:import / geo:grids', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await createTestDatabase()
  })
  afterAll(() => db.drop())

  it('imports a Shapefile, generates a grid, and stops on a malformed file with exit code 1', async () => {
    const shp = join(import.meta.dirname, 'fixtures', 'communes-2154.shp')
    const imported = await cli(
      ['geo:import', '--type', 'COM', '--code-field', 'INSEE_COM', '--name-field', 'NOM', shp],
      db.url,
    )
    expect(imported.stderr).toMatch(/2 COM areas read \(EPSG:2154\): 2 added, 0 updated/)
    expect(imported.code).toBe(0)
    const grid = await cli(
      ['geo:grids', '--size', '10', '--bbox', '940000,6420000,960000,6430000', '--srid', '2154'],
      db.url,
    )
    expect(grid.stderr).toContain('2 M10 cells cover the bbox: 0 added, 2 already present.')
    expect(grid.code).toBe(0)
    const malformed = await cli(
      ['geo:import', '--type', 'COM', join(import.meta.dirname, 'fixtures', 'malformed.geojson')],
      db.url,
    )
    expect(malformed.code).toBe(1)
    expect(malformed.stderr).toContain('Feature 3: malformed JSON')
    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM ref_geo.areas WHERE area_code LIKE 'T02%'`,
    )
    await client.end()
    expect(rows[0].n).toBe(0)
  }, 120_000)
})
