import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/index.ts'

describe('public read level (PUBLIC_READ=true): anonymous, read-only, rate-limited', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({
      env: { PUBLIC_READ: 'true', PUBLIC_RATE_LIMIT: '3', PUBLIC_RATE_WINDOW_SECONDS: '60' },
    })
  })
  afterAll(() => t?.close())

  it('answers the list, then 429 RATE_LIMITED past the limit per client; never exports or writes', async () => {
    const get = (url: string) => t.app.inject({ method: 'GET', url, remoteAddress: '203.0.113.7' })
    expect((await get('/api/synthese/observations')).statusCode).toBe(200)
    expect((await get('/api/synthese/tiles/0/0/0.pbf')).statusCode).toBeLessThan(300)
    expect((await get('/api/synthese/observations?limit=1')).statusCode).toBe(200)
    const limited = await get('/api/synthese/observations')
    expect(limited.statusCode).toBe(429)
    expect(limited.json().error).toMatchObject({ code: 'RATE_LIMITED' })
    // Another client has its own window; routes outside the public level stay closed.
    const other = (url: string) => t.app.inject({ method: 'GET', url, remoteAddress: '203.0.113.8' })
    expect((await other('/api/synthese/observations')).statusCode).toBe(200)
    expect((await other('/api/synthese/export')).statusCode).toBe(401)
    expect((await other('/api/synthese/datasets')).statusCode).toBe(401)
    expect((await other('/api/validation/observations')).statusCode).toBe(401)
  })
})
