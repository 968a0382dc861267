import { apiFetch } from '../api/apiFetch.ts'

/** One of my notifications (GET /api/notifications, core notifications service). */
export interface AppNotification {
  id: number
  kind: string
  title: string
  body: string | null
  /** In-app link (`/synthese?sheet=12`), or null. */
  url: string | null
  createdAt: string
  readAt: string | null
}

/** A kind I may opt out of, and whether I receive it. */
export interface NotificationPreference {
  kind: string
  label: string
  module: string | null
  enabled: boolean
}

export const notificationApi = {
  list: (limit = 20) =>
    apiFetch<{ items: AppNotification[]; unreadCount: number }>(`/api/notifications?limit=${limit}`),
  markRead: (id: number) =>
    apiFetch<{ unreadCount: number }>(`/api/notifications/${id}/read`, { method: 'POST' }),
  markAllRead: () =>
    apiFetch<{ marked: number; unreadCount: number }>('/api/notifications/read-all', { method: 'POST' }),
  preferences: () => apiFetch<NotificationPreference[]>('/api/notifications/preferences'),
  savePreferences: (changes: { kind: string; enabled: boolean }[]) =>
    apiFetch<NotificationPreference[]>('/api/notifications/preferences', { method: 'PUT', body: changes }),
}
