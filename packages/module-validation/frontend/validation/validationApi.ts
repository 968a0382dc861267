import { apiFetch, type ObservationItem } from '@biodiv/sdk'

/** One row of GET /api/validation/observations: the Synthese list fields and the validation ones. */
export interface ValidationItem extends Omit<ObservationItem, 'validStatus'> {
  /** STATUT_VALID code, '0' when none. */
  validStatus: string
  validator: string | null
  validationDate: string | null
  validationComment: string | null
  modifiedSinceValidation: boolean
}

export interface ValidationPage {
  items: ValidationItem[]
  nextCursor: string | null
}

/** One step of GET /api/validation/history/:uuid (oldest first). */
export interface HistoryEvent {
  id: number
  date: string
  status: { code: string; label: string }
  validator: { id: number; name: string } | null
  comment: string | null
  automatic: boolean
}

export const VALIDATION_PAGE_SIZE = 50

const withQuery = (path: string, params: URLSearchParams) => (params.size ? `${path}?${params}` : path)

/** The module's API (/api/validation). */
export const validationApi = {
  observations(filters: URLSearchParams, cursor: string | null, signal?: AbortSignal) {
    const params = new URLSearchParams(filters)
    params.set('limit', String(VALIDATION_PAGE_SIZE))
    if (cursor) params.set('cursor', cursor)
    return apiFetch<ValidationPage>(withQuery('/api/validation/observations', params), { signal })
  },
  count: (filters: URLSearchParams, signal?: AbortSignal) =>
    apiFetch<{ count: number }>(withQuery('/api/validation/observations/count', filters), { signal }),
  setStatus: (
    body: ({ observations: string[] } | { filter: Record<string, unknown> }) & {
      status: string
      comment: string | null
    },
  ) => apiFetch<{ changed: number }>('/api/validation/statuses', { method: 'POST', body }),
  history: (uuid: string) =>
    apiFetch<{ id: number; uniqueIdSinp: string; history: HistoryEvent[] }>(
      `/api/validation/history/${uuid}`,
    ),
}
