import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import ObservationSheet from '../src/pages/synthese/ObservationSheet.vue'
import type { ObservationSheetData } from '../src/pages/synthese/syntheseApi.ts'

const sheet: ObservationSheetData = {
  id: 7,
  uniqueIdSinp: '2f1c6a1e-0000-4000-8000-000000000007',
  uniqueIdSinpGrp: null,
  taxon: {
    cdNom: 60612,
    cdRef: 60612,
    lbNom: 'Lynx lynx',
    nomValide: 'Lynx lynx (Linnaeus, 1758)',
    nomVern: 'Lynx boréal',
  },
  nomCite: 'Lynx boréal',
  countMin: 1,
  countMax: 2,
  dateMin: '2024-05-10T09:00:00+02:00',
  dateMax: '2024-05-10T09:00:00+02:00',
  observers: 'Jean Dupont',
  observerUsers: [],
  determiner: null,
  digitiser: null,
  geometry: { type: 'Point', coordinates: [6.2, 44.8] },
  point: { type: 'Point', coordinates: [6.2, 44.8] },
  precision: 10,
  altitudeMin: null,
  altitudeMax: null,
  depthMin: null,
  depthMax: null,
  placeName: 'Vallon de la Selle',
  commentContext: null,
  commentDescription: null,
  nomenclatures: {
    validStatus: { code: '1', label: 'Certain - très probable' },
    sex: { code: '2', label: 'Femelle' },
  },
  areas: [
    { id: 3, code: '10kmL93E094N642', name: '10kmL93E094N642', type: 'M10', typeName: 'Mailles 10 km' },
  ],
  sensitivity: { level: 0, label: null, manual: false, blurred: false, blurArea: null, history: [] },
  dataset: { id: 1, name: 'Observations opportunistes faune', shortName: 'Faune opportuniste PNE' },
  source: { name: 'OCCTAX', moduleCode: 'OCCTAX', entityPk: '12', url: '/occtax/releves/12' },
  validation: { validator: 'Claire Valide', date: '2024-06-01T10:00:00+02:00', comment: null },
  validationHistory: [
    {
      date: '2024-05-11T00:00:00+02:00',
      status: { code: '2', label: 'Probable' },
      validator: null,
      comment: null,
      automatic: true,
    },
    {
      date: '2024-06-01T10:00:00+02:00',
      status: { code: '1', label: 'Certain - très probable' },
      validator: { id: 4, name: 'Claire Valide' },
      comment: 'Photo vue',
      automatic: false,
    },
  ],
  additionalData: null,
  createdAt: '2024-05-10T12:00:00+02:00',
  updatedAt: '2024-06-01T10:00:00+02:00',
}

afterEach(() => vi.unstubAllGlobals())

describe('the observation sheet', () => {
  it('groups the fields, links the source record and lists the validation history newest first', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(sheet), { status: 200 }))
    vi.stubGlobal('fetch', fetch)
    const wrapper = mount(ObservationSheet, {
      props: { id: 7 },
      global: { stubs: { RouterLink: RouterLinkStub } },
    })
    await flushPromises()
    expect(fetch).toHaveBeenCalledWith('/api/synthese/observations/7', expect.anything())
    const text = wrapper.text()
    expect(text).toContain('Lynx lynx (Linnaeus, 1758)')
    expect(text).toContain('Vallon de la Selle')
    expect(text).toContain('Femelle')
    expect(text).toContain('Mailles 10 km')
    expect(wrapper.findComponent(RouterLinkStub).props('to')).toBe('/occtax/releves/12')
    const steps = wrapper.findAll('[data-test="validation-history"] li').map((li) => li.text())
    expect(steps).toHaveLength(2)
    expect(steps[0]).toContain('Certain - très probable')
    expect(steps[0]).toContain('Claire Valide')
    expect(steps[0]).toContain('Photo vue')
    expect(steps[1]).toContain('validation automatique')
    await wrapper.find('[data-test="observation-sheet-close"]').trigger('click')
    expect(wrapper.emitted('close')).toHaveLength(1)
  })

  it('says when the observation is outside the scope', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(JSON.stringify({ error: { code: 'OBSERVATION_NOT_FOUND', message: 'no' } }), {
            status: 404,
          }),
      ),
    )
    const wrapper = mount(ObservationSheet, {
      props: { id: 9 },
      global: { stubs: { RouterLink: RouterLinkStub } },
    })
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toContain('n’est pas dans votre périmètre')
  })
})
