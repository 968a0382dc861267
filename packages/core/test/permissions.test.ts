import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIRST_PARTY_MODULES } from '../src/config.ts'
import {
  createTestApp,
  createUser,
  DEMO_ORGANISM,
  DEMO_PARTNER,
  HELLO_MODULE,
  loginAs,
  type TestApp,
} from './helpers/index.ts'

describe('permissions, enforced in one place', () => {
  let t: TestApp
  let nobody: string
  beforeAll(async () => {
    t = await createTestApp({
      modules: [...FIRST_PARTY_MODULES, HELLO_MODULE],
      env: { LOGIN_RATE_LIMIT: '1000' },
    })
    await createUser(t.app.db.pool, { login: 'nobody' })
    nobody = await loginAs(t.app, 'nobody')
  })
  afterAll(() => t.close())

  const routes = () => t.routes.filter((r) => r.url.startsWith('/api') && r.method !== 'HEAD')
  const fill = (url: string) => url.replace(/:[A-Za-z]+/g, '1')

  it('every /api route but health, login and the docs answers 401 to an anonymous caller', async () => {
    const guarded = routes().filter((r) => !r.public)
    expect(guarded.length).toBeGreaterThan(15)
    for (const route of guarded) {
      const response = await t.app.inject({ method: route.method as 'GET', url: fill(route.url) })
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(401)
      expect(response.json().error.code).toBe('UNAUTHENTICATED')
    }
    const publicUrls = routes()
      .filter((r) => r.public)
      .map((r) => r.url)
    expect(publicUrls).toEqual(
      expect.arrayContaining(['/api/health', '/api/auth/login', '/api/openapi.json']),
    )
    expect(publicUrls.every((u) => /^\/api\/(health|auth\/login|openapi\.json|docs)/.test(u))).toBe(true)
  })

  it('every route guarded by a permission answers 403 to a user without it, before reading any data', async () => {
    const guarded = routes().filter((r) => r.permission)
    expect(guarded.map((r) => r.module)).toEqual(expect.arrayContaining(['ADMIN', 'HELLO']))
    for (const route of guarded) {
      const response = await t.app.inject({
        method: route.method as 'GET',
        url: fill(route.url),
        headers: { cookie: nobody },
        payload: ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined,
      })
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(403)
      expect(response.json().error).toMatchObject({
        code: 'PERMISSION_DENIED',
        details: { module: route.module, action: route.permission },
      })
    }
  })

  it('hands the effective scope to the handler: 1 own data, 2 the organism’s, 3 all', async () => {
    const pool = t.app.db.pool
    const grant = (scope: 1 | 2 | 3) => [
      { module: 'HELLO', action: 'R' as const, scope },
      { module: 'HELLO', action: 'C' as const, scope: 1 as const },
    ]
    await createUser(pool, { login: 'pne-1', organism: DEMO_ORGANISM, grants: grant(1) })
    await createUser(pool, { login: 'pne-2', organism: DEMO_ORGANISM, grants: grant(2) })
    await createUser(pool, { login: 'lpo-3', organism: DEMO_PARTNER, grants: grant(3) })
    await createUser(pool, { login: 'lpo-1', organism: DEMO_PARTNER, grants: grant(1) })
    const cookies = Object.fromEntries(
      await Promise.all(
        ['pne-1', 'pne-2', 'lpo-3', 'lpo-1'].map(async (l) => [l, await loginAs(t.app, l)] as const),
      ),
    )
    for (const login of Object.keys(cookies)) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/hello/greetings',
        headers: { cookie: cookies[login] },
        payload: { message: `from ${login}` },
      })
      expect(created.statusCode).toBe(201)
    }
    const seen = async (login: string) => {
      const response = await t.app.inject({
        method: 'GET',
        url: '/api/hello/greetings',
        headers: { cookie: cookies[login] },
      })
      expect(response.statusCode).toBe(200)
      return response
        .json()
        .map((g: { message: string }) => g.message)
        .sort()
    }
    expect(await seen('pne-1')).toEqual(['from pne-1'])
    expect(await seen('pne-2')).toEqual(['from pne-1', 'from pne-2'])
    expect(await seen('lpo-1')).toEqual(['from lpo-1'])
    expect(await seen('lpo-3')).toEqual(['from lpo-1', 'from lpo-3', 'from pne-1', 'from pne-2'])
  })

  it('ORs the rows of the user and of their groups, keeping the widest scope', async () => {
    const pool = t.app.db.pool
    const userId = await createUser(pool, {
      login: 'grouped',
      organism: DEMO_PARTNER,
      grants: [{ module: 'HELLO', action: 'R', scope: 1 }],
    })
    const admin = await loginAs(t.app, 'admin')
    const group = await t.app.inject({
      method: 'POST',
      url: '/api/admin/groups',
      headers: { cookie: admin },
      payload: { name: 'Lecteurs', memberIds: [userId] },
    })
    expect(group.statusCode).toBe(201)
    const permission = await t.app.inject({
      method: 'POST',
      url: '/api/admin/permissions',
      headers: { cookie: admin },
      payload: { groupId: group.json().id, module: 'HELLO', action: 'R', scope: 3 },
    })
    expect(permission.statusCode).toBe(201)
    const cookie = await loginAs(t.app, 'grouped')
    const modules = await t.app.inject({ method: 'GET', url: '/api/modules', headers: { cookie } })
    expect(modules.json()).toEqual([expect.objectContaining({ code: 'HELLO', grants: { R: 3 } })])
  })
})
