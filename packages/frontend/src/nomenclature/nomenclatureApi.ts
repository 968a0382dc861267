import { apiFetch } from '../api/apiFetch.ts'
import type { ApiQuery, ApiResponse } from '../api/apiSchema.ts'

/** A value of a SINP nomenclature type (GET /api/nomenclatures/:type). */
export type NomenclatureValue = ApiResponse<'/api/nomenclatures/{type}'>[number]

/** Narrows a type's values to those applicable to a taxon: its kingdom (`regne`) and INPN group 2. */
export interface NomenclatureTaxonFilter {
  kingdom?: string | null
  group2?: string | null
}

export type NomenclatureUsage = NonNullable<ApiQuery<'/api/nomenclatures/defaults'>['usage']>

function withQuery(path: string, params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
  }
  return search.size ? `${path}?${search}` : path
}

/** Fetches a URL once per page load; a failed fetch is forgotten so that the next call retries. */
function cached<T>(cache: Map<string, Promise<T>>, url: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(url)
  if (!value) {
    value = load()
    value.catch(() => cache.delete(url))
    cache.set(url, value)
  }
  return value
}

const valuesCache = new Map<string, Promise<NomenclatureValue[]>>()
const defaultsCache = new Map<string, Promise<Record<string, string>>>()

/** The values of a nomenclature type (only those applicable to the taxon when a filter is given). */
export function nomenclatureValues(
  type: string,
  filter: NomenclatureTaxonFilter = {},
): Promise<NomenclatureValue[]> {
  const url = withQuery(`/api/nomenclatures/${encodeURIComponent(type)}`, {
    kingdom: filter.kingdom,
    group2Inpn: filter.group2,
  })
  return cached(valuesCache, url, () => apiFetch<NomenclatureValue[]>(url))
}

/** The default code of each nomenclature type (`{ METH_OBS: '0', … }`): the organism's, else the instance's. */
export function nomenclatureDefaults(
  usage: NomenclatureUsage,
  organism: number | null | undefined,
): Promise<Record<string, string>> {
  const url = withQuery('/api/nomenclatures/defaults', { usage, organism })
  return cached(defaultsCache, url, async () => {
    const defaults = await apiFetch<ApiResponse<'/api/nomenclatures/defaults'>>(url)
    return Object.fromEntries(Object.entries(defaults).map(([type, value]) => [type, value.code]))
  })
}
