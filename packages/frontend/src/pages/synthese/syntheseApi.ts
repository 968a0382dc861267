import { apiFetch } from '../../api/apiFetch.ts'
import { nomenclatureValues } from '../metadata/metadataApi.ts'

export interface GeoJsonGeometry {
  type: string
  coordinates: unknown[]
}

/** One row of GET /api/synthese/observations. */
export interface ObservationItem {
  id: number
  uniqueIdSinp: string
  cdNom: number
  nomCite: string
  lbNom: string
  nomVern: string | null
  dateMin: string
  dateMax: string
  observers: string | null
  countMin: number | null
  countMax: number | null
  datasetId: number
  datasetName: string
  /** STATUT_VALID code. */
  validStatus: string | null
  source: string
  geometry: GeoJsonGeometry
}

export interface ObservationPage {
  items: ObservationItem[]
  nextCursor: string | null
}

export interface CodeLabel {
  code: string
  label: string
}

export interface ValidationEvent {
  date: string
  status: CodeLabel | null
  validator: { id: number; name: string } | string | null
  comment: string | null
  automatic: boolean
}

/** GET /api/synthese/observations/:id. */
export interface ObservationSheetData {
  id: number
  uniqueIdSinp: string
  uniqueIdSinpGrp: string | null
  taxon: {
    cdNom?: number
    cdRef?: number
    lbNom?: string
    lbAuteur?: string | null
    nomComplet?: string | null
    nomValide?: string | null
    nomVern?: string | null
    rang?: string
    regne?: string | null
    phylum?: string | null
    classe?: string | null
    ordre?: string | null
    famille?: string | null
    group1Inpn?: string | null
    group2Inpn?: string | null
  }
  nomCite: string
  countMin: number | null
  countMax: number | null
  dateMin: string
  dateMax: string
  observers: string | null
  observerUsers: { id: number; name: string }[]
  determiner: string | null
  digitiser: { id: number; name: string } | null
  geometry: GeoJsonGeometry
  point: GeoJsonGeometry
  precision: number | null
  altitudeMin: number | null
  altitudeMax: number | null
  depthMin: number | null
  depthMax: number | null
  placeName: string | null
  commentContext: string | null
  commentDescription: string | null
  nomenclatures: Record<string, CodeLabel | null>
  areas: { id: number; code: string; name: string; type: string; typeName: string }[]
  dataset: { id: number; name: string; shortName: string }
  source: { name: string; moduleCode: string | null; entityPk: string | null; url: string | null }
  validation: { validator: string | null; date: string | null; comment: string | null }
  /** Newest API versions: every validation step. */
  validationHistory?: ValidationEvent[]
  additionalData: Record<string, unknown> | null
  createdAt: string
  updatedAt: string
}

/** GET /api/taxonomy/taxa?q= hit (and the fields of GET /api/taxonomy/taxa/:cdNom we use). */
export interface TaxonHit {
  cd_nom: number
  cd_ref: number
  lb_nom: string
  lb_auteur: string | null
  nom_vern: string | null
  rang: string
  isValid: boolean
}

export interface AreaHit {
  id: number
  type: string
  code: string
  name: string
}

export interface AreaType {
  code: string
  name: string
}

export interface DatasetOption {
  id: number
  name: string
  shortName: string
}

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
  taxon: (cdNom: number) => apiFetch<TaxonHit>(`/api/taxonomy/taxa/${cdNom}`),
  searchAreas: (q: string, signal?: AbortSignal) =>
    apiFetch<AreaHit[]>(withParams('/api/geo/areas', new URLSearchParams({ q, limit: '15' })), { signal }),
  async area(id: number): Promise<AreaHit> {
    const feature = await apiFetch<{ id: number; properties: { type: string; code: string; name: string } }>(
      `/api/geo/areas/${id}`,
    )
    return { id: feature.id, ...feature.properties }
  },
  areaTypes: () => apiFetch<AreaType[]>('/api/geo/area-types'),
  datasets: () => apiFetch<DatasetOption[]>('/api/synthese/datasets'),
  validationStatuses: () => nomenclatureValues('STATUT_VALID'),
}

/** A taxon as shown in chips and the table: scientific name, vernacular name when known. */
export const taxonLabel = (t: { lb_nom: string; nom_vern: string | null }) =>
  t.nom_vern ? `${t.lb_nom} (${t.nom_vern.split(',')[0]!.trim()})` : t.lb_nom
