import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, createUser, loginAs, type TestApp } from './helpers/index.ts'

describe('admin API: organisms, users, groups, permissions', () => {
  let t: TestApp
  let admin: string
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    admin = await loginAs(t.app, 'admin')
  })
  afterAll(() => t.close())

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, cookie = admin) =>
    t.app.inject({ method, url, headers: { cookie }, payload: payload as object })

  it('manages an organism, a user in it, a group and a permission, end to end', async () => {
    const organism = await call('POST', '/api/admin/organisms', { name: 'CEN Isère', city: 'Grenoble' })
    expect(organism.statusCode).toBe(201)
    const organismId = organism.json().id

    const group = await call('POST', '/api/admin/groups', {
      name: 'Naturalistes',
      description: 'Saisie terrain',
    })
    expect(group.statusCode).toBe(201)

    const user = await call('POST', '/api/admin/users', {
      login: 'marie',
      password: 'correct horse battery',
      firstName: 'Marie',
      lastName: 'Durand',
      email: 'marie@example.org',
      organismId,
      groupIds: [group.json().id],
    })
    expect(user.statusCode).toBe(201)
    expect(user.json()).toMatchObject({
      login: 'marie',
      organismId,
      groupIds: [group.json().id],
      active: true,
    })
    expect(user.json()).not.toHaveProperty('passwordHash')

    // No permission yet: the user may log in but sees no module.
    const marie = await loginAs(t.app, 'marie', 'correct horse battery')
    expect((await call('GET', '/api/modules', undefined, marie)).json()).toEqual([])

    const grant = await call('POST', '/api/admin/permissions', {
      groupId: group.json().id,
      module: 'OCCTAX',
      action: 'R',
      scope: 2,
    })
    expect(grant.statusCode).toBe(201)
    expect(grant.json()).toMatchObject({
      groupId: group.json().id,
      userId: null,
      module: 'OCCTAX',
      action: 'R',
      scope: 2,
    })
    const modules = (await call('GET', '/api/modules', undefined, marie)).json()
    expect(modules).toEqual([expect.objectContaining({ code: 'OCCTAX', grants: { R: 2 } })])

    const listed = (await call('GET', `/api/admin/permissions?groupId=${group.json().id}`)).json()
    expect(listed).toHaveLength(1)
    expect((await call('DELETE', `/api/admin/permissions/${grant.json().id}`)).statusCode).toBe(204)
    expect((await call('GET', '/api/modules', undefined, marie)).json()).toEqual([])

    const renamed = await call('PUT', `/api/admin/organisms/${organismId}`, { name: 'CEN Isère (AVENIR)' })
    expect(renamed.json().name).toBe('CEN Isère (AVENIR)')
    const me = (await call('GET', '/api/auth/me', undefined, marie)).json()
    expect(me.organism).toEqual({ id: organismId, name: 'CEN Isère (AVENIR)' })

    expect((await call('DELETE', `/api/admin/organisms/${organismId}`)).statusCode).toBe(204)
    expect((await call('GET', `/api/admin/users/${user.json().id}`)).json().organismId).toBeNull()
  })

  it('changing a password ends the user’s sessions and the new one works', async () => {
    const id = await createUser(t.app.db.pool, { login: 'paul' })
    const paul = await loginAs(t.app, 'paul')
    expect((await call('PUT', `/api/admin/users/${id}`, { password: 'another secret' })).statusCode).toBe(200)
    expect((await call('GET', '/api/auth/me', undefined, paul)).statusCode).toBe(401)
    await expect(loginAs(t.app, 'paul', 'another secret')).resolves.toMatch(/^biodiv_session=/)
  })

  it('refuses a permission on an action the module does not declare, or without exactly one role', async () => {
    const undeclared = await call('POST', '/api/admin/permissions', {
      userId: 1,
      module: 'VALIDATION',
      action: 'C',
      scope: 1,
    })
    expect(undeclared.statusCode).toBe(400)
    expect(undeclared.json().error.code).toBe('UNKNOWN_MODULE_ACTION')
    const both = await call('POST', '/api/admin/permissions', {
      userId: 1,
      groupId: 1,
      module: 'OCCTAX',
      action: 'R',
      scope: 1,
    })
    expect(both.json().error.code).toBe('ROLE_REQUIRED')
    const badScope = await call('POST', '/api/admin/permissions', {
      userId: 1,
      module: 'OCCTAX',
      action: 'R',
      scope: 4,
    })
    expect(badScope.statusCode).toBe(400)
  })

  it('refuses duplicate logins and self-deletion', async () => {
    const dup = await call('POST', '/api/admin/users', { login: 'admin' })
    expect(dup.statusCode).toBe(409)
    const me = (await call('GET', '/api/auth/me')).json()
    const self = await call('DELETE', `/api/admin/users/${me.id}`)
    expect(self.statusCode).toBe(409)
    expect(self.json().error.code).toBe('CANNOT_DELETE_SELF')
  })

  it('lists the installed modules and their declared actions', async () => {
    const modules = (await call('GET', '/api/admin/modules')).json()
    expect(modules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'ADMIN', actions: ['C', 'R', 'U', 'D'], enabled: true }),
        expect.objectContaining({
          code: 'OCCTAX',
          actions: ['C', 'R', 'U', 'E', 'D'],
          packageName: '@biodiv/module-occtax',
        }),
        expect.objectContaining({ code: 'VALIDATION', actions: ['R', 'V', 'E'] }),
      ]),
    )
  })

  it('a read-only administrator can list but not change anything', async () => {
    await createUser(t.app.db.pool, {
      login: 'auditor',
      grants: [{ module: 'ADMIN', action: 'R', scope: 3 }],
    })
    const auditor = await loginAs(t.app, 'auditor')
    expect((await call('GET', '/api/admin/users', undefined, auditor)).statusCode).toBe(200)
    const create = await call('POST', '/api/admin/organisms', { name: 'Nope' }, auditor)
    expect(create.statusCode).toBe(403)
    const count = await t.app.db.pool.query(
      `SELECT count(*)::int AS n FROM core.organisms WHERE name = 'Nope'`,
    )
    expect(count.rows[0].n).toBe(0)
  })
})
