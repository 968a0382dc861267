import { defineStore } from 'pinia'
import { ref } from 'vue'
import { type AppNotification, type NotificationPreference, notificationApi } from './notificationApi.ts'

/** The signed-in user's notifications (the bell): the latest ones, the unread count, the opt-outs. */
export const useNotificationStore = defineStore('notifications', () => {
  const items = ref<AppNotification[]>([])
  const unreadCount = ref(0)
  const preferences = ref<NotificationPreference[] | null>(null)
  const error = ref<string | null>(null)
  let inFlight: Promise<void> | null = null

  /** Reloads the list and the count (one request at a time; a failure keeps what was shown). */
  function refresh(): Promise<void> {
    inFlight ??= notificationApi
      .list()
      .then((page) => {
        items.value = page.items
        unreadCount.value = page.unreadCount
        error.value = null
      })
      .catch((e: unknown) => {
        error.value = e instanceof Error ? e.message : String(e)
      })
      .finally(() => {
        inFlight = null
      })
    return inFlight
  }

  async function markRead(id: number): Promise<void> {
    const item = items.value.find((n) => n.id === id)
    if (item?.readAt) return
    const result = await notificationApi.markRead(id)
    unreadCount.value = result.unreadCount
    if (item) item.readAt = new Date().toISOString()
  }

  async function markAllRead(): Promise<void> {
    await notificationApi.markAllRead()
    const now = new Date().toISOString()
    for (const n of items.value) n.readAt ??= now
    unreadCount.value = 0
  }

  async function loadPreferences(): Promise<void> {
    preferences.value = await notificationApi.preferences()
  }

  async function setPreference(kind: string, enabled: boolean): Promise<void> {
    preferences.value = await notificationApi.savePreferences([{ kind, enabled }])
  }

  /** Forgets everything (signed out). */
  function clear(): void {
    items.value = []
    unreadCount.value = 0
    preferences.value = null
    error.value = null
  }

  return {
    items,
    unreadCount,
    preferences,
    error,
    refresh,
    markRead,
    markAllRead,
    loadPreferences,
    setPreference,
    clear,
  }
})
