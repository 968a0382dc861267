import { apiFetch } from '../api/apiFetch.ts'
import type { ApiBody, ApiResponse } from '../api/apiSchema.ts'

/** One of my notifications (GET /api/notifications, core notifications service). */
export type AppNotification = ApiResponse<'/api/notifications'>['items'][number]

/** A kind I may opt out of, and whether I receive it. */
export type NotificationPreference = ApiResponse<'/api/notifications/preferences'>[number]

export const notificationApi = {
  list: (limit = 20) => apiFetch<ApiResponse<'/api/notifications'>>(`/api/notifications?limit=${limit}`),
  markRead: (id: number) =>
    apiFetch<ApiResponse<'/api/notifications/{id}/read', 'post'>>(`/api/notifications/${id}/read`, {
      method: 'POST',
    }),
  markAllRead: () =>
    apiFetch<ApiResponse<'/api/notifications/read-all', 'post'>>('/api/notifications/read-all', {
      method: 'POST',
    }),
  preferences: () => apiFetch<NotificationPreference[]>('/api/notifications/preferences'),
  savePreferences: (changes: ApiBody<'/api/notifications/preferences', 'put'>) =>
    apiFetch<NotificationPreference[]>('/api/notifications/preferences', { method: 'PUT', body: changes }),
}
