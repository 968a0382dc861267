import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIRST_PARTY_MODULES } from '../src/config.ts'
import { createTestApp, HELLO_MODULE, loginAs, type TestApp } from './helpers/index.ts'

describe('GET /api/modules', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({
      modules: [...FIRST_PARTY_MODULES, HELLO_MODULE],
      env: { LOGIN_RATE_LIMIT: '1000' },
    })
  })
  afterAll(() => t.close())

  const modulesOf = async (login: string) => {
    const cookie = await loginAs(t.app, login)
    const response = await t.app.inject({ method: 'GET', url: '/api/modules', headers: { cookie } })
    expect(response.statusCode).toBe(200)
    return response.json() as {
      code: string
      grants: Record<string, number>
      frontend: { entry: string } | null
    }[]
  }

  it('gives the admin every module with scope 3 and the UI entry URLs', async () => {
    const modules = await modulesOf('admin')
    expect(modules.map((m) => m.code)).toEqual([
      'ADMIN',
      'METADATA',
      'SYNTHESE',
      'OCCTAX',
      'IMPORT',
      'VALIDATION',
      'HELLO',
    ])
    expect(modules.find((m) => m.code === 'OCCTAX')).toEqual({
      code: 'OCCTAX',
      name: 'Occtax',
      version: '1.0.0',
      frontend: {
        entry: '/modules/occtax/index.js',
        style: expect.toSatisfy((s: unknown) => s === null || s === '/modules/occtax/style.css'),
        label: 'Relevés',
        icon: 'binoculars',
      },
      grants: { C: 3, R: 3, U: 3, E: 3, D: 3 },
    })
    expect(modules.find((m) => m.code === 'ADMIN')?.frontend).toBeNull()
  })

  it('gives the agent scope 2 (through their group) and the observer scope 1, without ADMIN', async () => {
    const agent = await modulesOf('agent')
    expect(agent.map((m) => m.code)).toEqual([
      'METADATA',
      'SYNTHESE',
      'OCCTAX',
      'IMPORT',
      'VALIDATION',
      'HELLO',
    ])
    expect(agent.find((m) => m.code === 'VALIDATION')?.grants).toEqual({ R: 2, V: 2, E: 2 })
    const observer = await modulesOf('observer')
    expect(observer.find((m) => m.code === 'OCCTAX')?.grants).toEqual({ C: 1, R: 1, U: 1, E: 1, D: 1 })
    expect(agent.find((m) => m.code === 'SYNTHESE')?.grants).toEqual({ R: 2, E: 2 })
    expect(observer.find((m) => m.code === 'SYNTHESE')?.grants).toEqual({ R: 1, E: 1 })
  })

  it('serves a module’s UI bundle at its entry URL, as JavaScript, revalidated', async () => {
    const modules = await modulesOf('admin')
    const hello = modules.find((m) => m.code === 'HELLO')!
    const response = await t.app.inject({ method: 'GET', url: hello.frontend!.entry })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/javascript/)
    expect(response.headers['cache-control']).toBe('no-cache')
    expect(response.body).toContain('export default')
  })

  it('leaves out a module that is no longer configured, and keeps its permission rows for its return', async () => {
    const without = await createTestApp({ databaseUrl: t.databaseUrl, modules: FIRST_PARTY_MODULES })
    try {
      const cookie = await loginAs(without.app, 'admin')
      const codes = (
        await without.app.inject({ method: 'GET', url: '/api/modules', headers: { cookie } })
      ).json()
      expect(codes.map((m: { code: string }) => m.code)).not.toContain('HELLO')
      const kept = await without.app.db.pool.query(
        `SELECT count(*)::int AS n FROM core.permissions WHERE module_code = 'HELLO'`,
      )
      expect(kept.rows[0].n).toBeGreaterThan(0)
      expect(
        (await without.app.inject({ method: 'GET', url: '/api/hello/greetings', headers: { cookie } }))
          .statusCode,
      ).toBe(404)
    } finally {
      await without.app.close()
    }
  })
})

describe('OpenAPI document', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ modules: [...FIRST_PARTY_MODULES, HELLO_MODULE] })
  })
  afterAll(() => t.close())

  it('is served without a session and lists every API route with its schemas', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' })
    expect(response.statusCode).toBe(200)
    const doc = response.json()
    expect(doc.openapi).toMatch(/^3\./)
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    const apiRoutes = t.routes
      .filter(
        (r) => r.url.startsWith('/api') && !r.url.startsWith('/api/docs') && r.url !== '/api/openapi.json',
      )
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`)
    expect(apiRoutes.length).toBeGreaterThan(20)
    expect(documented.sort()).toEqual(expect.arrayContaining(apiRoutes.sort()))
    const login = doc.paths['/api/auth/login'].post
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['login', 'password'])
    expect(Object.keys(login.responses)).toEqual(expect.arrayContaining(['200', '401', '429']))
    expect(doc.paths['/api/hello/greetings'].get.tags).toEqual(['HELLO'])
  })

  it('has a Swagger UI at /api/docs', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/docs/' })
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('swagger')
  })
})
