import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import ObservationSheet from '../src/pages/synthese/ObservationSheet.vue'
import SyntheseResultsTable from '../src/pages/synthese/SyntheseResultsTable.vue'
import type { ObservationItem, ObservationSheetData } from '../src/pages/synthese/syntheseApi.ts'
import { sensitivityLabel, sensitivityText } from '../src/sensitivity/sensitivityLevels.ts'

const cell = {
  id: 31,
  code: '10kmL93E095N641',
  name: '10kmL93E095N641',
  type: 'M10',
  typeName: 'Mailles 10 km',
}

/** A lynx sheet as a caller without precise access gets it: level 2, blurred to its 10 km cell, set by an expert. */
const blurredSheet: ObservationSheetData = {
  id: 8,
  uniqueIdSinp: '2f1c6a1e-0000-4000-8000-000000000008',
  uniqueIdSinpGrp: null,
  taxon: { cdNom: 60612, cdRef: 60612, lbNom: 'Lynx lynx', nomVern: 'Lynx boréal' },
  nomCite: 'Lynx boréal',
  countMin: 1,
  countMax: 1,
  dateMin: '2026-06-12T00:00:00+02:00',
  dateMax: '2026-06-12T00:00:00+02:00',
  observers: 'Jean Dupont',
  observerUsers: [],
  determiner: null,
  digitiser: null,
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [6.1, 44.7],
        [6.2, 44.7],
        [6.2, 44.8],
        [6.1, 44.7],
      ],
    ],
  },
  point: { type: 'Point', coordinates: [6.15, 44.75] },
  precision: null,
  altitudeMin: null,
  altitudeMax: null,
  depthMin: null,
  depthMax: null,
  placeName: null,
  commentContext: null,
  commentDescription: null,
  nomenclatures: { validStatus: { code: '0', label: 'En attente de validation' } },
  areas: [],
  sensitivity: {
    level: 2,
    label: 'Sensible - Diffusion à la maille 10km',
    manual: true,
    blurred: true,
    blurArea: cell,
    history: [
      {
        date: '2026-06-13T10:00:00+02:00',
        level: 3,
        computedLevel: 2,
        comment: 'Tanière',
        by: { id: 4, name: 'Claire Valide' },
      },
      {
        date: '2026-06-14T10:00:00+02:00',
        level: 2,
        computedLevel: 2,
        comment: 'Finalement la maille suffit',
        by: { id: 4, name: 'Claire Valide' },
      },
    ],
  },
  dataset: { id: 1, name: 'Observations opportunistes faune', shortName: 'Faune opportuniste PNE' },
  source: { name: 'OCCTAX', moduleCode: 'OCCTAX', entityPk: '12', url: '/occtax/releves/12' },
  validation: { validator: null, date: null, comment: null },
  validationHistory: [],
  additionalData: null,
  createdAt: '2026-06-12T12:00:00+02:00',
  updatedAt: '2026-06-14T10:00:00+02:00',
}

afterEach(() => vi.unstubAllGlobals())

const mountSheet = (sheet: ObservationSheetData, slots = {}) => {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify(sheet), { status: 200 })),
  )
  return mount(ObservationSheet, {
    props: { id: sheet.id },
    slots,
    global: { stubs: { RouterLink: RouterLinkStub } },
  })
}

describe('sensitivity levels', () => {
  it('names each SINP level and what it blurs to', () => {
    expect(sensitivityText(0)).toBe('Non sensible')
    expect(sensitivityText(2)).toBe('Sensible (niveau 2 : maille 10 km)')
    expect(sensitivityText(4)).toBe('Sensible (niveau 4 : aucune diffusion)')
    expect(sensitivityLabel(3)).toBe('Sensible - Diffusion au département')
    expect(sensitivityText(7)).toBe('Sensible (niveau 7)')
  })
})

describe('the sheet of a sensitive observation', () => {
  it('says it is blurred to its area, the level set by an expert, the history newest first, and hosts actions', async () => {
    const wrapper = mountSheet(blurredSheet, {
      sensitivity: (props: { sheet: ObservationSheetData; reload: () => void }) =>
        h('button', { 'data-test': 'slot-action', onClick: props.reload }, props.sheet.uniqueIdSinp),
    })
    await flushPromises()
    expect(wrapper.get('[data-test="observation-sheet-blurred"]').text()).toContain(
      'Localisation floutée : Mailles 10 km 10kmL93E095N641',
    )
    const block = wrapper.get('[data-test="observation-sheet-sensitivity"]')
    expect(block.attributes('data-level')).toBe('2')
    expect(block.text()).toContain('Sensible - Diffusion à la maille 10km')
    expect(block.get('[data-test="sensitivity-manual"]').text()).toBe('fixée par un expert')
    expect(block.get('[data-test="sensitivity-badge"]').text()).toBe('Sensible (niveau 2 : maille 10 km)')
    expect(block.find('[data-test="blurred-badge"]').exists()).toBe(true)
    const steps = block.findAll('[data-test="sensitivity-history"] li').map((li) => li.text())
    expect(steps).toHaveLength(2)
    expect(steps[0]).toContain('Finalement la maille suffit')
    expect(steps[1]).toContain('Sensible (niveau 3 : département) par expertise')
    expect(steps[1]).toContain('Claire Valide')
    // The location line names the area, not the centre of the blur as if it were the place.
    expect(wrapper.text()).toContain('Zone de floutage : Mailles 10 km 10kmL93E095N641')
    expect(wrapper.text()).not.toContain('44.75000 N')

    // The slot's reload fetches the sheet again.
    const fetch = vi.mocked(globalThis.fetch)
    expect(fetch).toHaveBeenCalledTimes(1)
    await block.get('[data-test="slot-action"]').trigger('click')
    await flushPromises()
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('shows a precise level-0 observation as not sensitive, without a blur notice', async () => {
    const wrapper = mountSheet({
      ...blurredSheet,
      sensitivity: { level: 0, label: null, manual: false, blurred: false, blurArea: null, history: [] },
    })
    await flushPromises()
    expect(wrapper.find('[data-test="observation-sheet-blurred"]').exists()).toBe(false)
    const block = wrapper.get('[data-test="observation-sheet-sensitivity"]')
    expect(block.text()).toContain('Non sensible - Diffusion précise')
    expect(block.find('[data-test="sensitivity-manual"]').exists()).toBe(false)
    expect(block.find('[data-test="sensitivity-history"]').exists()).toBe(false)
  })
})

describe('the result table', () => {
  it('badges sensitive rows and blurred ones', () => {
    const row = (id: number, sensitivityLevel: number, blurred: boolean) =>
      ({
        id,
        uniqueIdSinp: `u${id}`,
        cdNom: 60612,
        nomCite: 'Lynx',
        lbNom: 'Lynx lynx',
        nomVern: null,
        dateMin: '2026-06-12',
        dateMax: '2026-06-12',
        observers: null,
        countMin: 1,
        countMax: 1,
        datasetId: 1,
        datasetName: 'D',
        validStatus: '0',
        source: 'OCCTAX',
        sensitivityLevel,
        blurred,
        geometry: { type: 'Point', coordinates: [6.2, 44.8] },
      }) as ObservationItem
    const wrapper = mount(SyntheseResultsTable, {
      props: {
        items: [row(1, 0, false), row(2, 2, false), row(3, 2, true)],
        loading: false,
        highlighted: null,
        selected: null,
        statusLabels: {},
      },
    })
    const rows = wrapper.findAll('[data-test="synthese-row"]')
    expect(rows[0]!.find('[data-test="sensitivity-badge"]').exists()).toBe(false)
    expect(rows[1]!.get('[data-test="sensitivity-badge"]').text()).toBe('Sensible 2')
    expect(rows[1]!.find('[data-test="blurred-badge"]').exists()).toBe(false)
    expect(rows[2]!.get('[data-test="blurred-badge"]').text()).toBe('Floutée')
  })
})
