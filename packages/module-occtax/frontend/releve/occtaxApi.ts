import { apiFetch } from '@biodiv/sdk'
import type {
  ObserverOption,
  OcctaxDataset,
  Releve,
  ReleveBody,
  RelevePage,
  TaxonDetail,
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
