import { describe, expect, it } from 'vitest'
import type { ContentMappingValues } from '../api/types.ts'
import {
  initialChoices,
  mappingFromChoices,
  mergeContentMapping,
  unmappedValues,
} from '../wizard/contentMappingForm.ts'

const VALUES: ContentMappingValues = {
  fields: [
    {
      field: 'obsTechnique',
      nomenclatureType: 'METH_OBS',
      column: 'technique_observation',
      values: [
        { value: 'Vu', count: 10, mapped: null, suggestion: { code: '0', label: 'Vu' } },
        { value: 'Entendu', count: 2, mapped: '1', suggestion: { code: '1', label: 'Entendu' } },
        { value: 'Jumelles', count: 1, mapped: null, suggestion: null },
      ],
      truncated: false,
      options: [],
    },
    {
      field: 'grpTyp',
      nomenclatureType: 'TYP_GRP',
      column: 'type_regroupement',
      values: [{ value: 'Observations', count: 13, mapped: null, suggestion: null }],
      truncated: false,
      options: [],
    },
  ],
  unmapped: [],
}

describe('the content mapping form', () => {
  it('chooses the import’s mapping, then the saved mapping’s, then the suggestion; the rest is unmapped', () => {
    const choices = initialChoices(VALUES, { grpTyp: { Observations: 'OBS' }, obsTechnique: { Vu: '25' } })
    expect(choices).toEqual({
      obsTechnique: { Vu: '25', Entendu: '1', Jumelles: '' },
      grpTyp: { Observations: 'OBS' },
    })
    expect(unmappedValues(choices)).toEqual([{ field: 'obsTechnique', value: 'Jumelles' }])
    expect(unmappedValues(initialChoices(VALUES))).toEqual([
      { field: 'obsTechnique', value: 'Jumelles' },
      { field: 'grpTyp', value: 'Observations' },
    ])
  })

  it('sends the chosen codes only, and keeps a saved mapping’s other values when saving into it', () => {
    const choices = initialChoices(VALUES)
    expect(mappingFromChoices(choices)).toEqual({ obsTechnique: { Vu: '0', Entendu: '1' } })
    expect(mergeContentMapping({ obsTechnique: { Photo: '22' }, sex: { M: '3' } }, choices)).toEqual({
      obsTechnique: { Photo: '22', Vu: '0', Entendu: '1' },
      sex: { M: '3' },
    })
  })
})
