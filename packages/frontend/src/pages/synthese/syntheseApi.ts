import { apiFetch } from '../../api/apiFetch.ts'
import type { ApiResponse } from '../../api/apiSchema.ts'
import { nomenclatureValues } from '../../nomenclature/nomenclatureApi.ts'

/** GET /api/synthese/observations as JSON (not GeoJSON): a page of the list. */
export type ObservationPage = Extract<ApiResponse<'/api/synthese/observations'>, { items: unknown }>

/** One row of GET /api/synthese/observations. */
export type ObservationItem = ObservationPage['items'][number]

export type GeoJsonGeometry = ObservationItem['geometry']

/** GET /api/synthese/observations/:id: the sheet. */
export type ObservationSheetData = ApiResponse<'/api/synthese/observations/{id}'>

/** One step of the sheet's validation history. */
export type ValidationEvent = NonNullable<ObservationSheetData['validationHistory']>[number]

/** GET /api/taxonomy/taxa?q= hit. */
export type TaxonHit = ApiResponse<'/api/taxonomy/taxa'>[number]

/** What the filters show of an area (GET /api/geo/areas hit, or GET /api/geo/areas/:id properties). */
export type AreaHit = Pick<ApiResponse<'/api/geo/areas'>[number], 'id' | 'type' | 'code' | 'name'>

export type AreaType = ApiResponse<'/api/geo/area-types'>[number]

export type DatasetOption = ApiResponse<'/api/synthese/datasets'>[number]

export const SYNTHESE_PAGE_SIZE = 50

const withParams = (path: string, params: URLSearchParams) => {
  const text = params.toString()
  return text ? `${path}?${text}` : path
}

export const syntheseApi = {
  observations(
    filters: URLSearchParams,
    cursor: string | null,
    limit = SYNTHESE_PAGE_SIZE,
    signal?: AbortSignal,
  ) {
    const params = new URLSearchParams(filters)
    params.set('limit', String(limit))
    if (cursor) params.set('cursor', cursor)
    return apiFetch<ObservationPage>(withParams('/api/synthese/observations', params), { signal })
  },
  observation: (id: number) => apiFetch<ObservationSheetData>(`/api/synthese/observations/${id}`),
  exportUrl(filters: URLSearchParams, format: 'csv' | 'geojson'): string {
    const params = new URLSearchParams(filters)
    params.set('format', format)
    if (format === 'csv') params.set('bom', 'true')
    return withParams('/api/synthese/export', params)
  },
  searchTaxa: (q: string, signal?: AbortSignal) =>
    apiFetch<TaxonHit[]>(withParams('/api/taxonomy/taxa', new URLSearchParams({ q, limit: '15' })), {
      signal,
    }),
  taxon: (cdNom: number) =>
    apiFetch<ApiResponse<'/api/taxonomy/taxa/{cdNom}'>>(`/api/taxonomy/taxa/${cdNom}`),
  searchAreas: (q: string, signal?: AbortSignal) =>
    apiFetch<AreaHit[]>(withParams('/api/geo/areas', new URLSearchParams({ q, limit: '15' })), { signal }),
  async area(id: number): Promise<AreaHit> {
    const feature = await apiFetch<ApiResponse<'/api/geo/areas/{id}'>>(`/api/geo/areas/${id}`)
    const { type, code, name } = feature.properties
    return { id: feature.id, type, code, name }
  },
  areaTypes: () => apiFetch<AreaType[]>('/api/geo/area-types'),
  datasets: () => apiFetch<DatasetOption[]>('/api/synthese/datasets'),
  validationStatuses: () => nomenclatureValues('STATUT_VALID'),
}

/** A taxon as shown in chips and the table: scientific name, vernacular name when known. */
export const taxonLabel = (t: { lb_nom: string; nom_vern: string | null }) =>
  t.nom_vern ? `${t.lb_nom} (${t.nom_vern.split(',')[0]!.trim()})` : t.lb_nom
