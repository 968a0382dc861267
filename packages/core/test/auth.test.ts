import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, createUser, loginAs, type TestApp } from './helpers/index.ts'

describe('login, session and logout', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
  })
  afterAll(() => t.close())

  it('logs in with the right password and sets an httpOnly SameSite cookie', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: 'agent', password: 'demo' },
    })
    expect(response.statusCode).toBe(200)
    expect(response.json().user).toMatchObject({
      login: 'agent',
      organism: { name: 'Parc national des Écrins' },
      isAdmin: false,
    })
    const cookie = response.cookies.find((c) => c.name === 'biodiv_session')
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    const { rows } = await t.app.db.pool.query('SELECT id FROM core.sessions')
    // The token itself is never stored: only its hash.
    expect(rows.map((r) => r.id)).not.toContain(cookie!.value.split('.')[0])
  })

  it('refuses a wrong password and an unknown login alike', async () => {
    for (const payload of [
      { login: 'agent', password: 'wrong' },
      { login: 'nobody', password: 'demo' },
    ]) {
      const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload })
      expect(response.statusCode).toBe(401)
      expect(response.json().error.code).toBe('INVALID_CREDENTIALS')
      expect(response.cookies).toHaveLength(0)
    }
  })

  it('returns the current user on /me, and 401 without or with a forged cookie', async () => {
    const cookie = await loginAs(t.app, 'admin')
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({ login: 'admin', isAdmin: true })

    const anonymous = await t.app.inject({ method: 'GET', url: '/api/auth/me' })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json().error.code).toBe('UNAUTHENTICATED')

    const forged = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: cookie.replace(/=.{4}/, '=AAAA') },
    })
    expect(forged.statusCode).toBe(401)
  })

  it('ends the session on logout', async () => {
    const cookie = await loginAs(t.app, 'observer')
    const logout = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } })
    expect(logout.statusCode).toBe(204)
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } })
    expect(me.statusCode).toBe(401)
  })

  it('refuses an inactive user and ends their sessions when deactivated', async () => {
    const id = await createUser(t.app.db.pool, { login: 'soon-gone' })
    const cookie = await loginAs(t.app, 'soon-gone')
    const admin = await loginAs(t.app, 'admin')
    const update = await t.app.inject({
      method: 'PUT',
      url: `/api/admin/users/${id}`,
      headers: { cookie: admin },
      payload: { active: false },
    })
    expect(update.statusCode).toBe(200)
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(
      401,
    )
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: 'soon-gone', password: 'demo' },
    })
    expect(login.statusCode).toBe(401)
  })

  it('sessions are shared by every instance through the database', async () => {
    const other = await createTestApp({ databaseUrl: t.databaseUrl })
    try {
      const cookie = await loginAs(t.app, 'agent')
      const me = await other.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } })
      expect(me.statusCode).toBe(200)
      expect(me.json().login).toBe('agent')
    } finally {
      await other.app.close()
    }
  })
})

describe('login rate limit', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '3', LOGIN_RATE_WINDOW_SECONDS: '600' } })
  })
  afterAll(() => t.close())

  it('answers 429 with Retry-After past the limit, even with the right password', async () => {
    const attempt = (password: string) =>
      t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'agent', password } })
    for (let i = 0; i < 3; i++) expect((await attempt('wrong')).statusCode).toBe(401)
    const limited = await attempt('demo')
    expect(limited.statusCode).toBe(429)
    expect(limited.json().error.code).toBe('RATE_LIMITED')
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
  })
})

describe('logins', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t.close())

  it('are matched and kept unique case-insensitively', async () => {
    await expect(loginAs(t.app, 'ADMIN')).resolves.toMatch(/^biodiv_session=/)
    const cookie = await loginAs(t.app, 'admin')
    const duplicate = await t.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { cookie },
      payload: { login: 'Agent' },
    })
    expect(duplicate.statusCode).toBe(409)
    expect(duplicate.json().error.code).toBe('ALREADY_EXISTS')
  })
})
