import type { Database } from '@biodiv/core'
import {
  createTestApp,
  createUser,
  DEMO_ORGANISM,
  DEMO_PARTNER,
  type GrantSpec,
  loginAs,
  type TestApp,
} from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoDatasetId, insertImport, moduleConfigFile, stageRows } from './jobs-helpers.ts'

const grants = (
  scope: 1 | 2 | 3,
  actions: readonly ('C' | 'R' | 'U' | 'D')[] = ['C', 'R', 'U', 'D'],
): GrantSpec[] => actions.map((action) => ({ module: 'IMPORT', action, scope }))

describe('import check / finalize / undo: permissions and scope', () => {
  let t: TestApp
  let pool: Database['pool']
  let id: number
  const cookies: Record<string, string> = {}

  beforeAll(async () => {
    // No runner: a job that would start must not change what the assertions read.
    t = await createTestApp({
      env: { LOGIN_RATE_LIMIT: '1000', MODULES_CONFIG_FILE: await moduleConfigFile({ runJobs: false }) },
    })
    pool = t.app.db.pool
    await createUser(pool, { login: 'owner', organism: DEMO_ORGANISM, grants: grants(1) })
    // Same organism, scope 1: not the owner.
    await createUser(pool, { login: 'colleague', organism: DEMO_ORGANISM, grants: grants(1) })
    // Scope 2 of another organism.
    await createUser(pool, { login: 'partner', organism: DEMO_PARTNER, grants: grants(2) })
    // Reads everything but may not update nor delete.
    await createUser(pool, { login: 'reader', organism: DEMO_ORGANISM, grants: grants(3, ['R']) })
    await createUser(pool, { login: 'nobody', organism: DEMO_ORGANISM })
    for (const login of ['owner', 'colleague', 'partner', 'reader', 'nobody'])
      cookies[login] = await loginAs(t.app, login)
    id = await insertImport(pool, 'owner', 'checked', { validCount: 1 })
    await stageRows(pool, id, 1, [{ line: 2, datasetId: await demoDatasetId(pool) }])
  })
  afterAll(() => t?.close())

  const call = (who: string, method: 'POST' | 'DELETE', url: string) =>
    t.app.inject({ method, url: `/api/import${url}`, headers: { cookie: cookies[who]! }, payload: {} })
  const unchanged = async () => {
    const { rows } = await pool.query('SELECT status, job_id FROM import.imports WHERE id = $1', [id])
    expect(rows[0]).toEqual({ status: 'checked', job_id: null })
    expect((await pool.query(`SELECT count(*)::int AS n FROM gn_synthese.synthese`)).rows[0].n).toBe(0)
  }

  const routes = [
    ['POST', () => `/imports/${id}/check`],
    ['POST', () => `/imports/${id}/finalize`],
    ['DELETE', () => `/imports/${id}`],
  ] as const

  it.each(routes)(
    '%s %s: 403 without the permission, and nothing of the import in the answer',
    async (method, url) => {
      for (const who of ['nobody', 'reader']) {
        const response = await call(who, method, url())
        expect(response.statusCode, `${who}: ${response.body}`).toBe(403)
        expect(Object.keys(response.json())).toEqual(['error'])
        expect(response.body).not.toContain('obs.csv')
      }
      await unchanged()
    },
  )

  it.each(routes)(
    '%s %s: 404 for an import outside the caller’s scope (1 not mine, 2 another organism)',
    async (method, url) => {
      for (const who of ['colleague', 'partner']) {
        const response = await call(who, method, url())
        expect(response.statusCode, `${who}: ${response.body}`).toBe(404)
        expect(response.json().error.code).toBe('IMPORT_NOT_FOUND')
        expect(response.body).not.toContain('obs.csv')
      }
      await unchanged()
      const list = await t.app.inject({ url: '/api/import/imports', headers: { cookie: cookies.colleague! } })
      expect(list.json().map((i: { id: number }) => i.id)).not.toContain(id)
    },
  )

  it('the owner may queue the check, and undo', async () => {
    const check = await call('owner', 'POST', `/imports/${id}/check`)
    expect(check.statusCode, check.body).toBe(202)
    expect(check.json()).toMatchObject({ id, status: 'checking', step: 'queued' })
    await pool.query(`UPDATE import.imports SET status = 'checked' WHERE id = $1`, [id])
    const undo = await call('owner', 'DELETE', `/imports/${id}`)
    expect(undo.statusCode, undo.body).toBe(200)
    expect(undo.json()).toEqual({ id, deletedObservations: 0 })
  })
})
