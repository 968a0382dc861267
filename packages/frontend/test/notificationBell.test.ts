import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import NotificationBell from '../src/layout/NotificationBell.vue'
import { arrivedAgo, badgeText, inAppLink } from '../src/notifications/notificationFormat.ts'
import { useSessionStore } from '../src/session/sessionStore.ts'

describe('notification formats', () => {
  it('says when, links only in-app paths and caps the badge', () => {
    const now = new Date('2026-11-28T12:00:00Z')
    expect(arrivedAgo('2026-11-28T11:59:40Z', now)).toBe('à l’instant')
    expect(arrivedAgo('2026-11-28T11:35:00Z', now)).toBe('il y a 25 min')
    expect(arrivedAgo('2026-11-28T09:00:00Z', now)).toBe('il y a 3 h')
    expect(arrivedAgo('2026-11-27T08:00:00Z', now)).toBe('hier')
    expect(arrivedAgo('2026-11-20T08:00:00Z', now)).toBe('le 20/11/2026')
    expect(inAppLink('/synthese?sheet=4')).toBe('/synthese?sheet=4')
    expect(inAppLink('//evil.example/x')).toBeNull()
    expect(inAppLink('https://example.org')).toBeNull()
    expect(inAppLink(null)).toBeNull()
    expect(badgeText(7)).toBe('7')
    expect(badgeText(120)).toBe('99+')
  })
})

describe('NotificationBell', () => {
  let unread: number[]
  const calls: string[] = []
  beforeEach(() => {
    unread = [2, 1]
    calls.length = 0
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = String(input)
      calls.push(`${init?.method ?? 'GET'} ${url}`)
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 })
      if (url.startsWith('/api/notifications?'))
        return json({
          items: [2, 1].map((id) => ({
            id,
            kind: 'validation.status',
            title: `Notification ${id}`,
            body: id === 2 ? 'Photo vue' : null,
            url: id === 2 ? '/synthese?sheet=9' : null,
            createdAt: new Date().toISOString(),
            readAt: unread.includes(id) ? null : new Date().toISOString(),
          })),
          unreadCount: unread.length,
        })
      if (url === '/api/notifications/read-all') {
        unread = []
        return json({ marked: 2, unreadCount: 0 })
      }
      const read = /^\/api\/notifications\/(\d+)\/read$/.exec(url)
      if (read) {
        unread = unread.filter((id) => id !== Number(read[1]))
        return json({ unreadCount: unread.length })
      }
      return new Response(null, { status: 404 })
    })
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
    document.body.innerHTML = ''
  })

  async function mountBell(pollMs = 30_000) {
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/', component: { template: '<p/>' } },
        { path: '/synthese', component: { template: '<p/>' } },
      ],
    })
    await router.push('/')
    const pinia = createPinia()
    setActivePinia(pinia)
    const session = useSessionStore()
    session.user = {
      id: 1,
      login: 'observer',
      firstName: null,
      lastName: null,
      email: null,
      organism: null,
      isAdmin: false,
    }
    const wrapper = mount(NotificationBell, {
      props: { pollMs },
      attachTo: document.body,
      global: { plugins: [pinia, router] },
    })
    await flushPromises()
    return { wrapper, router, session }
  }
  const lists = () => calls.filter((c) => c.startsWith('GET /api/notifications?')).length

  it('shows the unread count, polls it and reloads it on navigation', async () => {
    vi.useFakeTimers()
    const { wrapper, router, session } = await mountBell(30_000)
    expect(wrapper.get('[data-test="notification-badge"]').text()).toBe('2')
    expect(lists()).toBe(1)
    unread = [2]
    await vi.advanceTimersByTimeAsync(30_000)
    expect(lists()).toBe(2)
    expect(wrapper.get('[data-test="notification-badge"]').text()).toBe('1')
    await router.push('/synthese')
    await flushPromises()
    expect(lists()).toBe(3)
    // Signed out (the shell then leaves for /login): no more requests.
    session.user = null
    await router.push('/')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(lists()).toBe(3)
    wrapper.unmount()
  })

  it('opens the list, follows a link marking it read, and marks all read', async () => {
    const { wrapper, router } = await mountBell()
    await wrapper.get('[data-test="notification-bell"]').trigger('click')
    await flushPromises()
    const items = document.querySelectorAll('[data-test="notification-item"]')
    expect(items).toHaveLength(2)
    expect(items[0]!.textContent).toContain('Photo vue')
    expect(items[0]!.getAttribute('data-unread')).toBe('true')

    ;(items[0]!.querySelector('[data-test="notification-open"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(calls).toContain('POST /api/notifications/2/read')
    expect(router.currentRoute.value.fullPath).toBe('/synthese?sheet=9')
    expect(wrapper.get('[data-test="notification-badge"]').text()).toBe('1')
    expect(document.querySelector('[data-test="notification-panel"]')).toBeNull()

    await wrapper.get('[data-test="notification-bell"]').trigger('click')
    await flushPromises()
    ;(document.querySelector('[data-test="notification-read-all"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(calls).toContain('POST /api/notifications/read-all')
    expect(wrapper.find('[data-test="notification-badge"]').exists()).toBe(false)
    expect(document.querySelectorAll('[data-test="notification-item"][data-unread="true"]')).toHaveLength(0)
    wrapper.unmount()
  })
})
