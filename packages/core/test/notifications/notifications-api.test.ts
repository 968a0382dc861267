import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withTransaction } from '../../src/db/transaction.ts'
import { moduleRecords, syncModules } from '../../src/modules/sync-modules.ts'
import { notify, registerNotificationKinds } from '../../src/notifications/notification-service.ts'
import { createTestApp, createUser, loginAs, type TestApp } from '../helpers/index.ts'

describe('notifications: a core service, and each user’s own list, read marks and opt-outs', () => {
  let t: TestApp
  const users: Record<string, number> = {}
  const cookies: Record<string, string> = {}
  const call = (login: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { cookie: cookies[login]! }, payload: payload as never })

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    const pool = t.app.db.pool
    await registerNotificationKinds(pool, [
      { kind: 'test.hello', label: 'Bonjour', moduleCode: null },
      { kind: 'test.other', label: 'Autre' },
    ])
    for (const login of ['ann', 'bob']) {
      users[login] = await createUser(pool, { login })
      cookies[login] = await loginAs(t.app, login)
    }
  })
  afterAll(() => t.close())

  it('delivers set-based in the caller’s transaction, and a rollback delivers nothing', async () => {
    const pool = t.app.db.pool
    await expect(
      withTransaction(pool, async (client) => {
        await notify(client, [{ userId: users.ann!, kind: 'test.hello', title: 'lost' }])
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    const delivered = await withTransaction(pool, (client) =>
      notify(client, [
        { userId: users.ann!, kind: 'test.hello', title: 'first', body: 'b1', url: '/synthese' },
        { userId: users.bob!, kind: 'test.hello', title: 'for bob' },
        { userId: 999999, kind: 'test.hello', title: 'nobody' },
      ]),
    )
    expect(delivered).toBe(2)
    await notify(pool, [{ userId: users.ann!, kind: 'test.other', title: 'second' }])
    await expect(notify(pool, [{ userId: users.ann!, kind: 'test.unknown', title: 'x' }])).rejects.toThrow(
      /Unregistered notification kind/,
    )

    const mine = await call('ann', 'GET', '/api/notifications')
    expect(mine.statusCode).toBe(200)
    expect(mine.json()).toMatchObject({
      unreadCount: 2,
      items: [
        { kind: 'test.other', title: 'second', body: null, url: null, readAt: null },
        { kind: 'test.hello', title: 'first', body: 'b1', url: '/synthese', readAt: null },
      ],
    })
    expect(mine.json().items).toHaveLength(2)
    expect((await call('bob', 'GET', '/api/notifications')).json()).toMatchObject({
      unreadCount: 1,
      items: [{ title: 'for bob' }],
    })
  })

  it('marks read: unread first then newest, only one’s own, then all', async () => {
    const items = (await call('ann', 'GET', '/api/notifications')).json().items as {
      id: number
      title: string
    }[]
    const second = items.find((i) => i.title === 'second')!
    const read = await call('ann', 'POST', `/api/notifications/${second.id}/read`)
    expect(read.statusCode).toBe(200)
    expect(read.json()).toEqual({ unreadCount: 1 })
    const after = (await call('ann', 'GET', '/api/notifications')).json()
    expect(after.items.map((i: { title: string }) => i.title)).toEqual(['first', 'second'])
    expect(after.items[1].readAt).toEqual(expect.any(String))
    expect((await call('ann', 'GET', '/api/notifications?unread=true')).json().items).toHaveLength(1)

    // Someone else's notification is not found, and stays unread.
    const bobs = (await call('bob', 'GET', '/api/notifications')).json().items[0]
    const stolen = await call('ann', 'POST', `/api/notifications/${bobs.id}/read`)
    expect(stolen.statusCode).toBe(404)
    expect(stolen.json().error.code).toBe('NOTIFICATION_NOT_FOUND')
    expect((await call('bob', 'GET', '/api/notifications')).json().unreadCount).toBe(1)

    const all = await call('ann', 'POST', '/api/notifications/read-all')
    expect(all.json()).toEqual({ marked: 1, unreadCount: 0 })
    expect((await call('ann', 'GET', '/api/notifications')).json().unreadCount).toBe(0)
  })

  it('opts out per kind: the kind is no longer delivered to that user only', async () => {
    const before = await call('ann', 'GET', '/api/notifications/preferences')
    expect(before.statusCode).toBe(200)
    expect(before.json()).toEqual(
      expect.arrayContaining([
        { kind: 'test.hello', label: 'Bonjour', module: null, enabled: true },
        { kind: 'test.other', label: 'Autre', module: null, enabled: true },
      ]),
    )
    const saved = await call('ann', 'PUT', '/api/notifications/preferences', [
      { kind: 'test.hello', enabled: false },
    ])
    expect(saved.statusCode).toBe(200)
    expect(saved.json()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'test.hello', enabled: false }),
        expect.objectContaining({ kind: 'test.other', enabled: true }),
      ]),
    )
    const delivered = await notify(t.app.db.pool, [
      { userId: users.ann!, kind: 'test.hello', title: 'muted' },
      { userId: users.ann!, kind: 'test.other', title: 'still' },
      { userId: users.bob!, kind: 'test.hello', title: 'bob still' },
    ])
    expect(delivered).toBe(2)
    const titles = (await call('ann', 'GET', '/api/notifications'))
      .json()
      .items.map((i: { title: string }) => i.title)
    expect(titles).toContain('still')
    expect(titles).not.toContain('muted')

    const unknown = await call('ann', 'PUT', '/api/notifications/preferences', [
      { kind: 'test.other', enabled: false },
      { kind: 'nope.nope', enabled: false },
    ])
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().error).toMatchObject({
      code: 'UNKNOWN_NOTIFICATION_KIND',
      details: { kinds: ['nope.nope'] },
    })
    // All or nothing: test.other is still on.
    const prefs = (await call('ann', 'GET', '/api/notifications/preferences')).json()
    expect(prefs.find((p: { kind: string }) => p.kind === 'test.other').enabled).toBe(true)
  })

  it('takes the kinds a module declares in its manifest at boot, relabels them, never deletes them', async () => {
    const pool = t.app.db.pool
    // The Validation module declares validation.status (no migration inserts it): the boot's sync did.
    const kinds = async () =>
      (
        await pool.query(
          `SELECT kind, label, module_code AS module FROM core.notification_kinds WHERE module_code = 'PARTNER'
              OR kind = 'validation.status' ORDER BY kind`,
        )
      ).rows
    expect(await kinds()).toEqual([
      {
        kind: 'validation.status',
        label: 'Changement du statut de validation de mes observations',
        module: 'VALIDATION',
      },
    ])
    // The app's modules stay as they are; a partner module comes, relabels its kind, then drops it.
    const installed = moduleRecords(t.app.modules)
    const partner = (label: string, notifications: { kind: string; label: string }[]) => ({
      code: 'PARTNER',
      name: label,
      version: '1.0.0',
      packageName: '@partner/x',
      permissions: ['R' as const],
      notifications,
    })
    await syncModules(pool, [...installed, partner('P', [{ kind: 'partner.done', label: 'Terminé' }])])
    await syncModules(pool, [...installed, partner('P', [{ kind: 'partner.done', label: 'Fini' }])])
    expect((await kinds()).filter((k) => k.module === 'PARTNER')).toEqual([
      { kind: 'partner.done', label: 'Fini', module: 'PARTNER' },
    ])
    // A kind the module stopped declaring stays (users' opt-outs and notifications keep their meaning).
    await syncModules(pool, [...installed, partner('P', [])])
    expect((await kinds()).map((k) => k.kind)).toEqual(['partner.done', 'validation.status'])
    await expect(notify(pool, [{ userId: users.ann!, kind: 'partner.done', title: 'ok' }])).resolves.toBe(1)
  })

  it('needs a session but no module permission', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/notifications' })).statusCode).toBe(401)
    const route = t.routes.find((r) => r.url.startsWith('/api/notifications') && r.method === 'GET')
    expect(route?.permission).toBeUndefined()
  })
})
