import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createTestApp,
  createUser,
  DEMO_ORGANISM,
  type GrantSpec,
  loginAs,
  type TestApp,
} from '@biodiv/core/testing'
import { expect } from 'vitest'
import { type CheckCounts, checkImport } from '../src/check/check-import.ts'
import { multipartBody } from './helpers.ts'

export const importGrants = (scope: 1 | 2 | 3): GrantSpec[] =>
  (['C', 'R', 'U', 'D'] as const).map((action) => ({ module: 'IMPORT', action, scope }))

export interface ErrorGroup {
  code: string
  level: string
  column: string | null
  rows: (number | null)[]
}

/** A test app with a user holding IMPORT CRUD scope 3, and helpers to upload, map and check files. */
export async function checkFixture() {
  const uploadDir = await mkdtemp(join(tmpdir(), 'biodiv-check-test-'))
  const t: TestApp = await createTestApp({ env: { UPLOAD_DIR: uploadDir } })
  const pool = t.app.db.pool
  await createUser(pool, { login: 'checker', organism: DEMO_ORGANISM, grants: importGrants(3) })
  const cookie = await loginAs(t.app, 'checker')
  const { rows } = await pool.query<{ id: number; uuid: string }>(
    'SELECT id, uuid::text FROM gn_meta.datasets WHERE active ORDER BY id LIMIT 1',
  )
  const dataset = rows[0]!

  const upload = async (filename: string, content: Buffer | string, fields: Record<string, string> = {}) => {
    const { payload, headers } = multipartBody({ filename, content }, fields)
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/import/imports',
      headers: { ...headers, cookie },
      payload,
    })
    expect(response.statusCode, response.body).toBe(201)
    return response.json() as { id: number; columns: string[] }
  }
  const mapFields = async (id: number, fields: Record<string, { column: string } | { constant: string }>) => {
    const response = await t.app.inject({
      method: 'PUT',
      url: `/api/import/imports/${id}/field-mapping`,
      headers: { cookie },
      payload: { fields },
    })
    expect(response.statusCode, response.body).toBe(200)
  }
  const steps: { step: string; progress: number }[] = []
  const check = (id: number): Promise<CheckCounts> =>
    checkImport(
      pool,
      id,
      async (step, progress) => {
        steps.push({ step, progress })
      },
      undefined,
      { uploadDir },
    )
  /** The import's errors grouped by code, level and column, line numbers sorted. */
  const errors = async (id: number): Promise<ErrorGroup[]> => {
    const { rows } = await pool.query<ErrorGroup>(
      `SELECT code, level, column_name AS column, array_agg(line ORDER BY line) AS rows
         FROM import.import_errors WHERE import_id = $1
        GROUP BY code, level, column_name ORDER BY code, column_name, level`,
      [id],
    )
    return rows
  }
  return {
    t,
    pool,
    cookie,
    dataset,
    uploadDir,
    upload,
    mapFields,
    check,
    steps,
    errors,
    async close() {
      await t.close()
      await rm(uploadDir, { recursive: true, force: true })
    },
  }
}
export type CheckFixture = Awaited<ReturnType<typeof checkFixture>>
