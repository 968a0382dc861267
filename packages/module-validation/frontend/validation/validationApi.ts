import { type ApiBody, type ApiResponse, apiFetch } from '@biodiv/sdk'

/** GET /api/validation/observations as JSON (not GeoJSON): the Synthese list fields and the validation ones. */
export type ValidationPage = Extract<ApiResponse<'/api/validation/observations'>, { items: unknown }>

/** One row of the list; `validStatus` is the STATUT_VALID code, '0' when none. */
export type ValidationItem = ValidationPage['items'][number]

export type HistoryResponse = ApiResponse<'/api/validation/history/{uuid}'>

/** One step of GET /api/validation/history/:uuid (oldest first). */
export type HistoryEvent = HistoryResponse['history'][number]

/** POST /api/validation/statuses: by UUIDs (`observations`) or by the list's filter, with a status and comment. */
export type StatusChange = ApiBody<'/api/validation/statuses', 'post'>

/** PUT /api/validation/observations/:uuid/sensitivity: an expert's level (null: back to the rules) and why. */
export type SensitivityChange = ApiBody<'/api/validation/observations/{uuid}/sensitivity', 'put'>
export type SensitivityResult = ApiResponse<'/api/validation/observations/{uuid}/sensitivity', 'put'>

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
    apiFetch<ApiResponse<'/api/validation/observations/count'>>(
      withQuery('/api/validation/observations/count', filters),
      { signal },
    ),
  setStatus: (body: StatusChange) =>
    apiFetch<ApiResponse<'/api/validation/statuses', 'post'>>('/api/validation/statuses', {
      method: 'POST',
      body,
    }),
  history: (uuid: string) => apiFetch<HistoryResponse>(`/api/validation/history/${uuid}`),
  setSensitivity: (uuid: string, body: SensitivityChange) =>
    apiFetch<SensitivityResult>(`/api/validation/observations/${uuid}/sensitivity`, { method: 'PUT', body }),
}
