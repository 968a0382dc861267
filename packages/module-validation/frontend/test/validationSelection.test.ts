import { describe, expect, it } from 'vitest'
import { filtersFromQuery, filtersToApiParams } from '../../../frontend/src/pages/synthese/syntheseFilters.ts'
import {
  isSelected,
  noSelection,
  observationsText,
  pageState,
  selectAllResults,
  selectedCount,
  selectionBody,
  toggle,
  togglePage,
} from '../validation/selection.ts'
import { statusChangeErrorText } from '../validation/validationErrors.ts'
import {
  apiParamsToFilter,
  extrasFromQuery,
  mergeExtrasIntoQuery,
  tileParams,
  withExtras,
} from '../validation/validationFilters.ts'

const page = ['a', 'b', 'c']

describe('validation selection', () => {
  it('ticks rows across pages, and the page box reflects and toggles the page', () => {
    let s = toggle(noSelection(), 'a', page)
    expect(pageState(s, page)).toBe('some')
    s = togglePage(s, page)
    expect(pageState(s, page)).toBe('all')
    s = toggle(s, 'z', ['z']) // another page's row
    expect(selectedCount(s)).toBe(4)
    s = togglePage(s, page) // untick this page only
    expect(selectedCount(s)).toBe(1)
    expect(isSelected(s, 'z')).toBe(true)
    expect(pageState(s, [])).toBe('none')
  })

  it('"select all results" sends the filter and counts the total; unticking one falls back to the page', () => {
    const all = selectAllResults(1234)
    expect(selectedCount(all)).toBe(1234)
    expect(pageState(all, page)).toBe('all')
    expect(selectionBody(all, { taxon: [351] })).toEqual({ filter: { taxon: [351] } })
    const one = toggle(all, 'b', page)
    expect(selectionBody(one, {})).toEqual({ observations: ['a', 'c'] })
    expect(togglePage(all, page)).toEqual(noSelection())
    expect(observationsText(1234)).toMatch(/^1\s234 observations$/)
    expect(observationsText(1)).toBe('1 observation')
  })
})

describe('validation filters', () => {
  it('reads and writes the validation keys of the URL next to the Synthese ones', () => {
    const query = { taxon: '351', status: '0', modified: '1', validator: ' lidat ', sheet: '4' }
    const extras = extrasFromQuery(query)
    expect(extras).toEqual({ modifiedSinceValidation: true, validator: 'lidat' })
    expect(extrasFromQuery({ modified: 'x' }).modifiedSinceValidation).toBeNull()
    expect(mergeExtrasIntoQuery(query, { modifiedSinceValidation: false, validator: '' })).toEqual({
      taxon: '351',
      status: '0',
      modified: '0',
      sheet: '4',
    })
  })

  it('gives the list the validation filters, the tiles every status, and the bulk change the same filter as the list', () => {
    const synthese = filtersToApiParams(
      filtersFromQuery({ taxon: ['351', '60612'], status: '0', dataset: '3', dateMin: '2024-01-01' }),
    )
    const list = withExtras(synthese, { modifiedSinceValidation: false, validator: '12' })
    expect(list.toString()).toBe(
      'taxon=351&taxon=60612&dateMin=2024-01-01&dataset=3&status=0&modifiedSinceValidation=false&validator=12',
    )
    expect(tileParams(synthese)).toBe('taxon=351&taxon=60612&dateMin=2024-01-01&dataset=3')
    expect(apiParamsToFilter(list)).toEqual({
      taxon: [351, 60612],
      dateMin: '2024-01-01',
      dataset: [3],
      status: ['0'],
      modifiedSinceValidation: false,
      validator: '12',
    })
    expect(apiParamsToFilter(new URLSearchParams('taxonTree=185961&area=4&area=5'))).toEqual({
      taxonTree: 185961,
      area: [4, 5],
    })
  })
})

describe('status change errors', () => {
  it('says in French why nothing changed', () => {
    expect(
      statusChangeErrorText({
        status: 403,
        code: 'OUTSIDE_VALIDATION_SCOPE',
        message: '2 observation(s) are outside…',
        details: { count: 2, observations: [] },
      }),
    ).toBe(
      '2 observations sont hors de votre périmètre de validation (portée, taxon ou zone) : rien n’a été modifié.',
    )
    expect(
      statusChangeErrorText({
        status: 400,
        code: 'DATASET_NOT_VALIDABLE',
        message: '',
        details: { count: 1 },
      }),
    ).toMatch(/^1 observation est dans des jeux de données fermés/)
    expect(statusChangeErrorText({ status: 400, code: 'SOMETHING', message: 'Bad filter' })).toBe(
      'Le changement a été refusé (400) : Bad filter',
    )
  })
})
