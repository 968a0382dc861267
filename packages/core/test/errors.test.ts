import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, loginAs, type TestApp } from './helpers/index.ts'

describe('bad input gets a clear 4xx, never a 500', () => {
  let t: TestApp
  let admin: string
  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: '4096' } })
    admin = await loginAs(t.app, 'admin')
  })
  afterAll(() => t.close())

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload: payload as string, headers: { cookie: admin, ...headers } })

  it('unknown routes answer 404 JSON', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/nothing/here',
      headers: { cookie: admin },
    })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toEqual({
      error: { code: 'ROUTE_NOT_FOUND', message: 'No route GET /api/nothing/here' },
    })
  })

  it('wrong types answer 400 naming the field', async () => {
    const response = await post('/api/admin/organisms', { name: 42 })
    expect(response.statusCode).toBe(400)
    const { error } = response.json()
    expect(error.code).toBe('VALIDATION_ERROR')
    expect(error.message).toBe('body.name: must be string')
    expect(error.details).toEqual([{ field: 'body.name', message: 'must be string' }])
  })

  it('missing fields are named', async () => {
    const response = await post('/api/admin/users', { firstName: 'x' })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.details).toContainEqual({
      field: 'body.login',
      message: "must have required property 'login'",
    })
  })

  it('unknown fields are rejected, not silently dropped', async () => {
    const response = await post('/api/admin/organisms', { name: 'Org', colour: 'red' })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.details).toContainEqual({ field: 'body.colour', message: 'unknown field' })
    const count = await t.app.db.pool.query(
      `SELECT count(*)::int AS n FROM core.organisms WHERE name = 'Org'`,
    )
    expect(count.rows[0].n).toBe(0)
  })

  it('malformed JSON answers 400 INVALID_JSON', async () => {
    const response = await post('/api/admin/organisms', '{"name": ', { 'content-type': 'application/json' })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.code).toBe('INVALID_JSON')
  })

  it('oversize bodies answer 413', async () => {
    const response = await post('/api/admin/organisms', { name: 'x'.repeat(10_000) })
    expect(response.statusCode).toBe(413)
    expect(response.json().error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('unsupported media types answer 415', async () => {
    const response = await post('/api/admin/organisms', 'name=x', { 'content-type': 'text/csv' })
    expect(response.statusCode).toBe(415)
    expect(response.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })

  it('bad path parameters answer 400', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/admin/users/abc',
      headers: { cookie: admin },
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.details[0].field).toBe('params.id')
  })

  it('unique conflicts answer 409 and missing records 404', async () => {
    const first = await post('/api/admin/organisms', { name: 'Unique' })
    expect(first.statusCode).toBe(201)
    const again = await post('/api/admin/organisms', { name: 'Unique' })
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('ALREADY_EXISTS')
    const missing = await t.app.inject({
      method: 'PUT',
      url: '/api/admin/organisms/999999',
      headers: { cookie: admin },
      payload: { name: 'x' },
    })
    expect(missing.statusCode).toBe(404)
  })

  it('5xx bodies hide internals', async () => {
    const other = await createTestApp({ databaseUrl: t.databaseUrl })
    try {
      other.app.db.pool.query = (() => Promise.reject(new Error('secret internal detail'))) as never
      const response = await other.app.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { cookie: admin },
      })
      expect(response.statusCode).toBe(500)
      expect(response.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } })
      expect(response.body).not.toContain('secret')
    } finally {
      await other.app.close().catch(() => undefined)
    }
  })
})
