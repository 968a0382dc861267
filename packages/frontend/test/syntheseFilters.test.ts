import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import {
  emptyFilters,
  filtersFromQuery,
  filtersToApiParams,
  filtersToQuery,
  mergeFiltersIntoQuery,
  type SyntheseFilters,
} from '../src/pages/synthese/syntheseFilters.ts'

const polygon = JSON.stringify({
  type: 'Polygon',
  coordinates: [
    [
      [6.1, 44.7],
      [6.3, 44.7],
      [6.3, 44.9],
      [6.1, 44.7],
    ],
  ],
})
const full: SyntheseFilters = {
  taxa: [60612, 351],
  taxonTree: false,
  dateMin: '2020-01-01',
  dateMax: '2021-12-31',
  dataset: 4,
  areas: [12, 13],
  observer: 'Dupont',
  status: '1',
  geometry: polygon,
}

/** Through a real router and URL, as a reload or a shared link would. */
async function roundTrip(filters: SyntheseFilters, extra: Record<string, string> = {}) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/synthese', component: {} }],
  })
  await router.push({ path: '/synthese', query: { ...filtersToQuery(filters), ...extra } })
  const url = router.currentRoute.value.fullPath
  const reloaded = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/synthese', component: {} }],
  })
  await reloaded.push(url)
  return { url, query: reloaded.currentRoute.value.query }
}

describe('Synthese filters ⇄ URL query', () => {
  it('round-trips every filter through the URL', async () => {
    const { url, query } = await roundTrip(full)
    expect(url).toContain('taxon=60612&taxon=351')
    expect(filtersFromQuery(query)).toEqual(full)
  })

  it('keeps one-taxon trees and leaves empty filters out of the URL', async () => {
    const tree = { ...emptyFilters(), taxa: [60612], taxonTree: true }
    const { url, query } = await roundTrip(tree)
    expect(url).toBe('/synthese?taxon=60612&tree=1')
    expect(filtersFromQuery(query)).toEqual(tree)
    expect((await roundTrip(emptyFilters())).url).toBe('/synthese')
  })

  it('drops malformed values of a hand-edited link', () => {
    expect(
      filtersFromQuery({
        taxon: ['abc', '351', '-2', '351', '1.5'],
        dateMin: '2020-13',
        dateMax: '01/02/2020',
        dataset: 'x',
        area: '7,8',
        observer: '  ',
        status: '',
        tree: 'yes',
      }),
    ).toEqual({ ...emptyFilters(), taxa: [351], areas: [7, 8] })
  })

  it('replaces the filter keys of a query and keeps the others (the open sheet)', () => {
    const merged = mergeFiltersIntoQuery(
      { sheet: '42', taxon: ['1', '2'], observer: 'old' },
      { ...emptyFilters(), taxa: [3] },
    )
    expect(merged).toEqual({ sheet: '42', taxon: ['3'] })
  })
})

describe('Synthese filters → API query string', () => {
  it('sends each filter under the API name', () => {
    const params = filtersToApiParams(full)
    expect(params.getAll('taxon')).toEqual(['60612', '351'])
    expect(params.getAll('area')).toEqual(['12', '13'])
    expect(Object.fromEntries([...params].filter(([k]) => k !== 'taxon' && k !== 'area'))).toEqual({
      dateMin: '2020-01-01',
      dateMax: '2021-12-31',
      dataset: '4',
      observer: 'Dupont',
      status: '1',
      geometry: polygon,
    })
  })

  it('turns one taxon with its lower taxa into taxonTree, and ignores the toggle with several', () => {
    expect(filtersToApiParams({ ...emptyFilters(), taxa: [60612], taxonTree: true }).toString()).toBe(
      'taxonTree=60612',
    )
    expect(filtersToApiParams({ ...emptyFilters(), taxa: [1, 2], taxonTree: true }).toString()).toBe(
      'taxon=1&taxon=2',
    )
  })

  it('keeps an import filter (/synthese?import=12, linked from the import wizard) from the URL to the API', () => {
    const filters = filtersFromQuery({ import: '12', taxon: '351' })
    expect(filters.importId).toBe(12)
    expect(filtersToApiParams(filters).toString()).toBe('taxon=351&import=12')
    expect(mergeFiltersIntoQuery({ import: '3' }, emptyFilters())).toEqual({})
  })

  it('is empty without filters, and encodes the drawn GeoJSON safely for a tile URL template', () => {
    expect(filtersToApiParams(emptyFilters()).toString()).toBe('')
    const text = filtersToApiParams({ ...emptyFilters(), geometry: polygon }).toString()
    expect(text).not.toMatch(/[{}]/)
    expect(new URLSearchParams(text).get('geometry')).toBe(polygon)
  })
})
