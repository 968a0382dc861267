import { describe, expect, it } from 'vitest'
import { sensitivityChangeErrorText } from '../validation/validationErrors.ts'

describe('a refused sensitivity change', () => {
  it('says why in French', () => {
    expect(sensitivityChangeErrorText({ status: 403, code: 'NOT_VALIDATOR', message: 'no' })).toBe(
      'Cette observation est hors de votre périmètre de validation : sa sensibilité n’a pas été modifiée.',
    )
    expect(sensitivityChangeErrorText({ status: 400, code: 'COMMENT_REQUIRED', message: 'no' })).toContain(
      'le commentaire est obligatoire',
    )
    expect(sensitivityChangeErrorText({ status: 500, code: 'INTERNAL', message: 'boom' })).toBe(
      'Le changement a été refusé (500) : boom',
    )
  })
})
