import { describe, expect, it } from 'vitest'
import { ApiError } from '../src/api/apiFetch.ts'
import { formErrors } from '../src/pages/metadata/metadataApi.ts'

describe('metadata form errors', () => {
  it('puts validation messages on their fields', () => {
    const error = new ApiError(
      400,
      'VALIDATION_ERROR',
      'body.shortName: must NOT have fewer than 1 characters',
      [{ field: 'body.shortName', message: 'must NOT have fewer than 1 characters' }],
    )
    expect(formErrors(error)).toEqual({
      fields: { shortName: 'must NOT have fewer than 1 characters' },
      general: null,
    })
  })

  it('names the unknown nomenclature code on its field, actors included', () => {
    const error = new ApiError(400, 'UNKNOWN_NOMENCLATURE', 'x', [
      { field: 'objective', type: 'JDD_OBJECTIFS', code: '9.9' },
      { field: 'actors.1.role', type: 'ROLE_ACTEUR', code: '99' },
    ])
    expect(formErrors(error).fields).toEqual({
      objective: 'Code « 9.9 » inconnu dans JDD_OBJECTIFS',
      'actors.1.role': 'Code « 99 » inconnu dans ROLE_ACTEUR',
    })
  })

  it('maps single-field details, else keeps a general message', () => {
    const bbox = new ApiError(400, 'INVALID_GEOMETRY', 'bbox: Self-intersection[0.5 0.5]', { field: 'bbox' })
    expect(formErrors(bbox).fields).toEqual({ bbox: 'Self-intersection[0.5 0.5]' })
    const organism = new ApiError(
      400,
      'REFERENCE_NOT_FOUND',
      'actors: Key (organism_id)=(9) is not present',
      {
        field: 'actors',
        column: 'organism_id',
      },
    )
    expect(Object.keys(formErrors(organism).fields)).toEqual(['actors'])
    const closed = new ApiError(409, 'FRAMEWORK_HAS_DATASETS', 'still holds 2 dataset(s)', { datasets: 2 })
    expect(formErrors(closed)).toEqual({ fields: {}, general: 'still holds 2 dataset(s)' })
  })
})
