import { ApiError, apiFetch } from '../../api/apiFetch.ts'
import type { ApiBody, ApiQuery, ApiResponse } from '../../api/apiSchema.ts'

/** An acquisition framework (GET /api/meta/acquisition-frameworks/:id). */
export type Framework = ApiResponse<'/api/meta/acquisition-frameworks/{id}'>

/** A dataset (GET /api/meta/datasets/:id). */
export type Dataset = ApiResponse<'/api/meta/datasets/{id}'>

/** An actor of a framework or dataset: an organism and/or a person, with a ROLE_ACTEUR code and their names. */
export type Actor = Dataset['actors'][number]

/** What the framework form sends (POST; PUT takes the same fields, all optional). */
export type FrameworkBody = ApiBody<'/api/meta/acquisition-frameworks', 'post'>
/** What the dataset form sends (POST; PUT takes the same fields, all optional). */
export type DatasetBody = ApiBody<'/api/meta/datasets', 'post'>

/** An actor as the forms edit and send it. */
export type ActorInput = NonNullable<DatasetBody['actors']>[number]

export type Polygon = NonNullable<Dataset['bbox']>

export type ActorOptions = ApiResponse<'/api/meta/actors-options'>

const query = (params: Record<string, string | number | boolean | undefined>) => {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

export const metadataApi = {
  frameworks: (params: ApiQuery<'/api/meta/acquisition-frameworks'> = {}) =>
    apiFetch<Framework[]>(`/api/meta/acquisition-frameworks${query(params)}`),
  saveFramework: (id: number | null, body: FrameworkBody) =>
    apiFetch<Framework>(`/api/meta/acquisition-frameworks${id ? `/${id}` : ''}`, {
      method: id ? 'PUT' : 'POST',
      body,
    }),
  deleteFramework: (id: number) =>
    apiFetch<void>(`/api/meta/acquisition-frameworks/${id}`, { method: 'DELETE' }),
  datasets: (params: ApiQuery<'/api/meta/datasets'> = {}) =>
    apiFetch<Dataset[]>(`/api/meta/datasets${query(params)}`),
  saveDataset: (id: number | null, body: DatasetBody) =>
    apiFetch<Dataset>(`/api/meta/datasets${id ? `/${id}` : ''}`, { method: id ? 'PUT' : 'POST', body }),
  deleteDataset: (id: number) => apiFetch<void>(`/api/meta/datasets/${id}`, { method: 'DELETE' }),
  actorOptions: () => apiFetch<ActorOptions>('/api/meta/actors-options'),
}

export interface FormErrors {
  /** Messages by form field (`name`, `territorialLevel`, `actors.0.role`, `actors.0`…). */
  fields: Record<string, string>
  /** What no field can show. */
  general: string | null
}

/** Spreads an API error over the form's fields (validation details, nomenclature codes, named fields). */
export function formErrors(error: unknown): FormErrors {
  const result: FormErrors = { fields: {}, general: null }
  if (!(error instanceof ApiError)) {
    result.general = String(error)
    return result
  }
  const details = error.details
  const list = Array.isArray(details) ? details : details && typeof details === 'object' ? [details] : []
  for (const item of list as { field?: string; message?: string; code?: string; type?: string }[]) {
    if (!item?.field) continue
    const field = item.field.replace(/^body\./, '')
    const message =
      error.code === 'UNKNOWN_NOMENCLATURE'
        ? `Code « ${item.code} » inconnu dans ${item.type}`
        : error.code === 'VALIDATION_ERROR'
          ? (item.message ?? 'valeur invalide')
          : error.message.replace(/^[\w.]+: /, '')
    result.fields[field] = message
  }
  if (Object.keys(result.fields).length === 0) result.general = error.message
  return result
}
