import type { LocationQuery, LocationQueryRaw } from 'vue-router'

/**
 * The Synthese search filters as the page holds them. They live in the URL query (shareable, restored on reload)
 * and become the query string of the observations list, the tiles and the export.
 */
export interface SyntheseFilters {
  /** cd_nom of the chosen names. */
  taxa: number[]
  /** With exactly one taxon: that taxon and every taxon below it (API `taxonTree`). */
  taxonTree: boolean
  /** YYYY-MM-DD, inclusive. */
  dateMin: string | null
  dateMax: string | null
  dataset: number | null
  /** ref_geo area ids. */
  areas: number[]
  /** Text found in the observers, or a user id. */
  observer: string
  /** STATUT_VALID code. */
  status: string | null
  /** A drawn polygon, GeoJSON text in WGS 84. */
  geometry: string | null
  /** The rows of one import (its wizard links here); no field in the panel, kept until reset. */
  importId?: number
}

export function emptyFilters(): SyntheseFilters {
  return {
    taxa: [],
    taxonTree: false,
    dateMin: null,
    dateMax: null,
    dataset: null,
    areas: [],
    observer: '',
    status: null,
    geometry: null,
  }
}

/** The URL query keys the filters own (other keys, such as `sheet`, are left alone). */
export const FILTER_QUERY_KEYS = [
  'taxon',
  'tree',
  'dateMin',
  'dateMax',
  'dataset',
  'area',
  'observer',
  'status',
  'geometry',
  'import',
] as const

const DATE = /^\d{4}-\d{2}-\d{2}$/

const values = (value: LocationQuery[string] | undefined): string[] =>
  (Array.isArray(value) ? value : value == null ? [] : [value]).filter(
    (v): v is string => typeof v === 'string',
  )

const first = (value: LocationQuery[string] | undefined): string | null => values(value)[0] ?? null

const ids = (value: LocationQuery[string] | undefined): number[] => {
  const out: number[] = []
  for (const text of values(value).flatMap((v) => v.split(','))) {
    const id = Number(text)
    if (Number.isInteger(id) && id > 0 && !out.includes(id)) out.push(id)
  }
  return out
}

/** Reads the filters from a route query; anything malformed is dropped rather than sent to the API. */
export function filtersFromQuery(query: LocationQuery): SyntheseFilters {
  const date = (key: string) => {
    const v = first(query[key])
    return v && DATE.test(v) ? v : null
  }
  const dataset = ids(query.dataset)[0] ?? null
  const status = first(query.status)
  const geometry = first(query.geometry)
  const importId = ids(query.import)[0]
  return {
    taxa: ids(query.taxon),
    taxonTree: first(query.tree) === '1',
    dateMin: date('dateMin'),
    dateMax: date('dateMax'),
    dataset,
    areas: ids(query.area),
    observer: first(query.observer)?.trim() ?? '',
    status: status?.trim() ? status.trim() : null,
    geometry: geometry?.trim() ? geometry.trim() : null,
    ...(importId ? { importId } : {}),
  }
}

/** The query keys of the filters; empty filters are undefined, so that router.replace removes them from the URL. */
export function filtersToQuery(f: SyntheseFilters): LocationQueryRaw {
  return {
    taxon: f.taxa.length ? f.taxa.map(String) : undefined,
    tree: f.taxonTree && f.taxa.length === 1 ? '1' : undefined,
    dateMin: f.dateMin || undefined,
    dateMax: f.dateMax || undefined,
    dataset: f.dataset ? String(f.dataset) : undefined,
    area: f.areas.length ? f.areas.map(String) : undefined,
    observer: f.observer.trim() || undefined,
    status: f.status || undefined,
    geometry: f.geometry || undefined,
    import: f.importId ? String(f.importId) : undefined,
  }
}

/** Replaces the filter keys of `query` with those of `f`, keeping the others (`sheet`…). */
export function mergeFiltersIntoQuery(query: LocationQuery, f: SyntheseFilters): LocationQueryRaw {
  const rest: LocationQueryRaw = { ...query }
  for (const key of FILTER_QUERY_KEYS) delete rest[key]
  for (const [key, value] of Object.entries(filtersToQuery(f))) if (value !== undefined) rest[key] = value
  return rest
}

/**
 * The API query string of GET /api/synthese/observations, /export and /tiles (without limit and cursor).
 * The API's `taxonTree` takes one name: with several names the toggle does not apply.
 */
export function filtersToApiParams(f: SyntheseFilters): URLSearchParams {
  const params = new URLSearchParams()
  if (f.taxonTree && f.taxa.length === 1) params.set('taxonTree', String(f.taxa[0]))
  else for (const cdNom of f.taxa) params.append('taxon', String(cdNom))
  if (f.dateMin) params.set('dateMin', f.dateMin)
  if (f.dateMax) params.set('dateMax', f.dateMax)
  if (f.dataset) params.set('dataset', String(f.dataset))
  for (const area of f.areas) params.append('area', String(area))
  if (f.observer.trim()) params.set('observer', f.observer.trim())
  if (f.status) params.set('status', f.status)
  if (f.geometry) params.set('geometry', f.geometry)
  if (f.importId) params.set('import', String(f.importId))
  return params
}

/** True when no filter is set. */
export function isEmptyFilters(f: SyntheseFilters): boolean {
  return filtersToApiParams(f).toString() === ''
}

/** Same filters (order of ids included: they come from the same URL). */
export function sameFilters(a: SyntheseFilters, b: SyntheseFilters): boolean {
  return filtersToApiParams(a).toString() === filtersToApiParams(b).toString()
}
