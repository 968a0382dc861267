import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import NomenclatureSelect from '../src/nomenclature/NomenclatureSelect.vue'
import type { NomenclatureValue } from '../src/nomenclature/nomenclatureApi.ts'

const value = (code: string, label: string): NomenclatureValue => ({
  code,
  mnemonique: null,
  label,
  definition: `${label} (définition)`,
  hierarchy: null,
  broaderCode: null,
  active: true,
})

// Life stages (STADE_VIE): a tadpole only for amphibians. Each test uses its own type: the values are cached.
const STAGES = [value('2', 'Adulte'), value('3', 'Juvénile')]
const AMPHIBIAN_STAGES = [...STAGES, value('14', 'Têtard')]

function mountSelect(props: Record<string, unknown>, modelValue: string | null) {
  const wrapper = mount(NomenclatureSelect, {
    props: {
      type: 'T',
      ...props,
      modelValue,
      'onUpdate:modelValue': (v: string | null) => wrapper.setProps({ modelValue: v }),
    },
  })
  return wrapper
}

const options = (wrapper: ReturnType<typeof mountSelect>) =>
  wrapper.findAll('option').map((o) => [o.attributes('value') ?? '', o.text()])

describe('NomenclatureSelect', () => {
  const urls: string[] = []
  beforeEach(() => {
    urls.length = 0
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = String(input)
      urls.push(url)
      const body = url.includes('group2Inpn=Amphibiens') ? AMPHIBIAN_STAGES : STAGES
      return new Response(JSON.stringify(body), { status: 200 })
    })
  })
  afterEach(() => vi.restoreAllMocks())

  it('offers the values of the type, with an empty choice unless required, codes when asked', async () => {
    const wrapper = mountSelect({ type: 'T_OPTIONAL' }, null)
    await flushPromises()
    expect(urls).toEqual(['/api/nomenclatures/T_OPTIONAL'])
    expect(options(wrapper)).toEqual([
      ['', '—'],
      ['2', 'Adulte'],
      ['3', 'Juvénile'],
    ])
    expect(wrapper.find('select').attributes('data-nomenclature')).toBe('T_OPTIONAL')

    const required = mountSelect({ type: 'T_REQUIRED', required: true, showCode: true }, '2')
    await flushPromises()
    expect(options(required)).toEqual([
      ['2', 'Adulte (2)'],
      ['3', 'Juvénile (3)'],
    ])
  })

  it('narrows the values to the taxon, keeps a saved code the taxon leaves out, and follows the taxon', async () => {
    const wrapper = mountSelect({ type: 'STADE_VIE', kingdom: 'Animalia', group2: 'Mammifères' }, '14')
    await flushPromises()
    expect(urls).toEqual(['/api/nomenclatures/STADE_VIE?kingdom=Animalia&group2Inpn=Mammif%C3%A8res'])
    expect(options(wrapper)[1]).toEqual(['14', '14 (non applicable à ce taxon)'])

    await wrapper.setProps({ group2: 'Amphibiens' })
    await flushPromises()
    expect(options(wrapper).map(([code]) => code)).toEqual(['', '2', '3', '14'])

    await wrapper.find('select').setValue('3')
    expect(wrapper.props('modelValue')).toBe('3')
  })
})
