import { ApiError, apiFetch } from '../../api/apiFetch.ts'

/** An actor of a framework or dataset: an organism and/or a person, with a ROLE_ACTEUR code. */
export interface Actor {
  id?: number
  organismId: number | null
  organismName?: string | null
  userId: number | null
  userName?: string | null
  role: string
  roleLabel?: string
}

export interface Framework {
  id: number
  uuid: string
  name: string
  description: string | null
  keywords: string | null
  startDate: string | null
  endDate: string | null
  territorialLevel: string | null
  financingType: string | null
  parentId: number | null
  isClosed: boolean
  closedAt: string | null
  datasetCount: number
  actors: Actor[]
}

export interface Polygon {
  type: 'Polygon'
  coordinates: number[][][]
}

export interface Dataset {
  id: number
  uuid: string
  frameworkId: number
  frameworkName: string
  name: string
  shortName: string
  description: string | null
  keywords: string | null
  dataType: string | null
  objective: string | null
  collectingMethod: string | null
  dataOrigin: string | null
  sourceStatus: string | null
  resourceType: string | null
  active: boolean
  validable: boolean
  taxonListId: number | null
  bbox: Polygon | null
  actors: Actor[]
}

export interface NomenclatureValue {
  code: string
  label: string
  definition: string | null
  active: boolean
}

export interface ActorOptions {
  organisms: { id: number; name: string }[]
  users: { id: number; name: string; organismId: number | null }[]
}

const query = (params: Record<string, string | number | boolean | undefined>) => {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

export const metadataApi = {
  frameworks: (params: { q?: string; closed?: boolean } = {}) =>
    apiFetch<Framework[]>(`/api/meta/acquisition-frameworks${query(params)}`),
  saveFramework: (id: number | null, body: Record<string, unknown>) =>
    apiFetch<Framework>(`/api/meta/acquisition-frameworks${id ? `/${id}` : ''}`, {
      method: id ? 'PUT' : 'POST',
      body,
    }),
  deleteFramework: (id: number) =>
    apiFetch<void>(`/api/meta/acquisition-frameworks/${id}`, { method: 'DELETE' }),
  datasets: (params: { q?: string; framework?: number; active?: boolean } = {}) =>
    apiFetch<Dataset[]>(`/api/meta/datasets${query(params)}`),
  saveDataset: (id: number | null, body: Record<string, unknown>) =>
    apiFetch<Dataset>(`/api/meta/datasets${id ? `/${id}` : ''}`, { method: id ? 'PUT' : 'POST', body }),
  deleteDataset: (id: number) => apiFetch<void>(`/api/meta/datasets/${id}`, { method: 'DELETE' }),
  actorOptions: () => apiFetch<ActorOptions>('/api/meta/actors-options'),
}

const nomenclatureCache = new Map<string, Promise<NomenclatureValue[]>>()

/** The values of a nomenclature type, fetched once per page load. */
export function nomenclatureValues(type: string): Promise<NomenclatureValue[]> {
  let values = nomenclatureCache.get(type)
  if (!values) {
    values = apiFetch<NomenclatureValue[]>(`/api/nomenclatures/${encodeURIComponent(type)}`)
    values.catch(() => nomenclatureCache.delete(type))
    nomenclatureCache.set(type, values)
  }
  return values
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
