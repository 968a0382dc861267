import { apiFetch } from '@biodiv/sdk'
import type {
  NomenclatureValue,
  ObserverOption,
  OcctaxDataset,
  Releve,
  ReleveBody,
  RelevePage,
  TaxonHit,
} from './types.ts'

const query = (params: Record<string, string | number | undefined | null>) => {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

/** TAXREF detail (GET /api/taxonomy/taxa/:cdNom): what the form needs of it. */
export interface TaxonDetail {
  cd_nom: number
  lb_nom: string
  nom_vern: string | null
  regne: string | null
  group2_inpn: string | null
}

export const occtaxApi = {
  releves: (params: { cursor?: string | null; limit?: number } = {}) =>
    apiFetch<RelevePage>(`/api/occtax/releves${query(params)}`),
  releve: (id: number) => apiFetch<Releve>(`/api/occtax/releves/${id}`),
  releveOfCounting: (countingId: number) => apiFetch<Releve>(`/api/occtax/countings/${countingId}`),
  createReleve: (body: ReleveBody) => apiFetch<Releve>('/api/occtax/releves', { method: 'POST', body }),
  updateReleve: (id: number, body: ReleveBody) =>
    apiFetch<Releve>(`/api/occtax/releves/${id}`, { method: 'PUT', body }),
  deleteReleve: (id: number) => apiFetch<void>(`/api/occtax/releves/${id}`, { method: 'DELETE' }),
  datasets: () => apiFetch<OcctaxDataset[]>('/api/occtax/datasets'),
  observers: (q: string, signal?: AbortSignal) =>
    apiFetch<ObserverOption[]>(`/api/occtax/observers${query({ q })}`, { signal }),
  taxa: (q: string, signal?: AbortSignal) =>
    apiFetch<TaxonHit[]>(`/api/taxonomy/taxa${query({ q, limit: 15 })}`, { signal }),
  taxon: (cdNom: number) => apiFetch<TaxonDetail>(`/api/taxonomy/taxa/${cdNom}`),
}

const valuesCache = new Map<string, Promise<NomenclatureValue[]>>()

/** Values of a nomenclature type applicable to a taxon's kingdom / INPN group 2, fetched once per page load. */
export function nomenclatureValues(
  type: string,
  filter: { kingdom?: string | null; group2?: string | null } = {},
): Promise<NomenclatureValue[]> {
  const url = `/api/nomenclatures/${encodeURIComponent(type)}${query({
    kingdom: filter.kingdom,
    group2Inpn: filter.group2,
  })}`
  let values = valuesCache.get(url)
  if (!values) {
    values = apiFetch<NomenclatureValue[]>(url)
    values.catch(() => valuesCache.delete(url))
    valuesCache.set(url, values)
  }
  return values
}

let defaultsCache: { organism: number | null; values: Promise<Record<string, string>> } | null = null

/** Default code of each nomenclature type for observations (the organism's, else the instance's). */
export function nomenclatureDefaults(organism: number | null): Promise<Record<string, string>> {
  if (!defaultsCache || defaultsCache.organism !== organism) {
    const values = apiFetch<Record<string, { code: string }>>(
      `/api/nomenclatures/defaults${query({ organism, usage: 'observation' })}`,
    ).then((defaults) => Object.fromEntries(Object.entries(defaults).map(([type, v]) => [type, v.code])))
    values.catch(() => {
      defaultsCache = null
    })
    defaultsCache = { organism, values }
  }
  return defaultsCache.values
}
