import { createTestApp, createUser, DEMO_ORGANISM, loginAs, type TestApp } from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('GET /api/import/datasets: where the caller may import', () => {
  let t: TestApp
  const cookies: Record<string, string> = {}
  const get = (who: string) =>
    t.app.inject({ method: 'GET', url: '/api/import/datasets', headers: { cookie: cookies[who]! } })

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    const pool = t.app.db.pool
    for (const [login, scope] of [
      ['all3', 3],
      ['org2', 2],
      ['mine1', 1],
    ] as const)
      await createUser(pool, {
        login,
        organism: DEMO_ORGANISM,
        grants: [
          { module: 'IMPORT', action: 'C', scope },
          { module: 'IMPORT', action: 'R', scope },
        ],
      })
    await createUser(pool, {
      login: 'reader',
      organism: DEMO_ORGANISM,
      grants: [{ module: 'IMPORT', action: 'R', scope: 3 }],
    })
    for (const login of ['all3', 'org2', 'mine1', 'reader']) cookies[login] = await loginAs(t.app, login)
  })
  afterAll(() => t.close())

  const names = async (who: string) => {
    const response = await get(who)
    expect(response.statusCode, response.body).toBe(200)
    return (response.json() as { name: string }[]).map((d) => d.name)
  }

  it('lists the active datasets of the caller’s IMPORT C scope, without METADATA rights', async () => {
    const pool = t.app.db.pool
    const expected = async (scope: number, login: string) =>
      (
        await pool.query(
          `SELECT d.name FROM gn_meta.datasets d, core.users u
            WHERE u.login = $2 AND d.active
              AND ($1 = 3 OR d.digitiser_id = u.id OR EXISTS (
                    SELECT 1 FROM gn_meta.dataset_actors a WHERE a.dataset_id = d.id
                       AND (a.user_id = u.id OR ($1 >= 2 AND a.organism_id = u.organism_id))))
            ORDER BY d.name, d.id`,
          [scope, login],
        )
      ).rows.map((r) => r.name)
    const all = await names('all3')
    expect(all).toEqual(await expected(3, 'all3'))
    expect(all.length).toBeGreaterThan(1)
    const org = await names('org2')
    expect(org).toEqual(await expected(2, 'org2'))
    expect(org.length).toBeGreaterThan(0)
    expect(org.length).toBeLessThan(all.length)
    expect(await names('mine1')).toEqual([]) // a fresh user is actor of no dataset

    // A closed dataset is not offered.
    const [first] = (await get('all3')).json() as { id: number; uuid: string; shortName: string }[]
    expect(first).toMatchObject({
      id: expect.any(Number),
      uuid: expect.any(String),
      shortName: expect.any(String),
    })
    await pool.query('UPDATE gn_meta.datasets SET active = false WHERE id = $1', [first!.id])
    expect(((await get('all3')).json() as { id: number }[]).map((d) => d.id)).not.toContain(first!.id)
  })

  it('refuses anonymous callers and users without IMPORT C, showing no dataset', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/import/datasets' })
    expect(anonymous.statusCode).toBe(401)
    const reader = await get('reader')
    expect(reader.statusCode).toBe(403)
    expect(reader.body).not.toContain('uuid')
  })
})
