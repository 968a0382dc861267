import { describe, expect, it } from 'vitest'
import { ApiError } from '../src/api/apiFetch.ts'
import { monthDayLabel, periodLabel, ruleFormErrors } from '../src/pages/sensitivity/sensitivityApi.ts'

describe('sensitivity rule form: server errors on their fields, periods in words', () => {
  it('puts each code of the rules API on the field its details name', () => {
    const period = new ApiError(400, 'INVALID_PERIOD', 'x', [
      { field: 'periodStart', message: '"1301" is not a day of the year (MMDD)' },
      { field: 'periodEnd', message: 'a period needs both its start and its end' },
    ])
    expect(ruleFormErrors(period)).toEqual({
      fields: {
        periodStart: 'Jour de l’année invalide (MMJJ, ex. 0301 pour le 1er mars)',
        periodEnd: 'Une période a un début et une fin',
      },
      general: null,
    })
    const areas = new ApiError(400, 'UNKNOWN_AREA', 'x', [
      { field: 'areaIds.1', message: 'area 9 does not exist' },
      { field: 'areaIds.3', message: 'area 7 does not exist' },
    ])
    expect(ruleFormErrors(areas).fields).toEqual({ areaIds: 'Zone inconnue du référentiel géographique' })
    const criterion = new ApiError(400, 'UNKNOWN_NOMENCLATURE', 'x', [
      { field: 'criteria.0', type: 'STATUT_BIO', code: '42' },
    ])
    expect(ruleFormErrors(criterion).fields).toEqual({ criteria: 'Critère inconnu' })
    const taxon = new ApiError(400, 'UNKNOWN_TAXON', 'x', [
      { field: 'cdNom', message: 'cd_nom 1 is not in TAXREF' },
    ])
    expect(ruleFormErrors(taxon).fields).toEqual({ cdNom: 'Taxon absent de TAXREF' })
    const schema = new ApiError(400, 'VALIDATION_ERROR', 'body.level: must be <= 4', [
      { field: 'body.level', message: 'must be <= 4' },
    ])
    expect(ruleFormErrors(schema).fields).toEqual({ level: 'must be <= 4' })
    const gone = new ApiError(404, 'RULE_NOT_FOUND', 'Sensitivity rule 3 does not exist')
    expect(ruleFormErrors(gone)).toEqual({ fields: {}, general: 'Sensitivity rule 3 does not exist' })
  })

  it('says the period in words, across the new year too', () => {
    expect(monthDayLabel('1101')).toBe('1 nov.')
    expect(periodLabel({ periodStart: '1101', periodEnd: '0215' })).toBe('1 nov. → 15 févr.')
    expect(periodLabel({ periodStart: null, periodEnd: null })).toBe('toute l’année')
  })
})
