import { describe, expect, it } from 'vitest'
import {
  apiFieldErrors,
  emptyCounting,
  emptyOccurrence,
  emptyReleveForm,
  formToBody,
  normalizeFieldPath,
  type ReleveForm,
  releveToForm,
  validateReleveForm,
} from '../releve/releveForm.ts'
import type { Releve } from '../releve/types.ts'

/** Stands for the SDK's ApiError (same shape: an Error with status, code, details). */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

const lynx = {
  cdNom: 60612,
  lbNom: 'Lynx lynx',
  nomVern: 'Lynx boréal',
  kingdom: 'Animalia',
  group2: 'Mammifères',
}

function filledForm(): ReleveForm {
  const form = emptyReleveForm({
    observer: { id: 5, name: 'Observateur Démo' },
    defaults: { SEXE: '6', STADE_VIE: '0', METH_OBS: '0', TYP_GRP: 'OBS' },
    date: '2026-05-01',
  })
  form.datasetId = 3
  form.geometry = { type: 'Point', coordinates: [6.2, 44.8] }
  const occurrence = emptyOccurrence({ SEXE: '6', STADE_VIE: '0', METH_OBS: '0' })
  occurrence.taxon = lynx
  occurrence.nomCite = 'Lynx lynx (Lynx boréal)'
  occurrence.countings[0]!.countMin = 2
  occurrence.countings[0]!.countMax = 3
  form.occurrences.push(occurrence)
  return form
}

describe('relevé form → API body', () => {
  it('sends the filled fields with the defaults pre-filled, and leaves empty optional ones out', () => {
    const form = filledForm()
    form.hourMin = '08:30'
    form.altitudeMin = 1200
    form.altitudeMax = ''
    form.placeName = '  Lac de l’Eychauda '
    expect(formToBody(form)).toEqual({
      datasetId: 3,
      observerIds: [5],
      dateMin: '2026-05-01',
      dateMax: '2026-05-01',
      hourMin: '08:30',
      geometry: { type: 'Point', coordinates: [6.2, 44.8] },
      altitudeMin: 1200,
      placeName: 'Lac de l’Eychauda',
      grpTyp: 'OBS',
      occurrences: [
        {
          cdNom: 60612,
          nomCite: 'Lynx lynx (Lynx boréal)',
          obsTechnique: '0',
          countings: [{ countMin: 2, countMax: 3, sex: '6', lifeStage: '0' }],
        },
      ],
    })
  })

  it('takes countMax from countMin when left empty, and an empty dateMax as dateMin', () => {
    const form = filledForm()
    form.dateMax = ''
    form.occurrences[0]!.countings[0]!.countMax = ''
    const body = formToBody(form)
    expect(body.dateMax).toBe('2026-05-01')
    expect(body.occurrences[0]!.countings[0]).toMatchObject({ countMin: 2, countMax: 2 })
  })

  it('keeps occurrence and counting ids only for a PUT', () => {
    const releve: Releve = {
      id: 9,
      uuid: 'u',
      datasetId: 3,
      datasetName: 'Faune',
      observerIds: [5],
      observers: [{ id: 5, name: 'Observateur Démo' }],
      observersText: 'LPO',
      dateMin: '2026-05-01',
      dateMax: '2026-05-02',
      hourMin: '08:30:00',
      hourMax: null,
      geometry: {
        type: 'LineString',
        coordinates: [
          [6.2, 44.8],
          [6.3, 44.9],
        ],
      },
      altitudeMin: 1200,
      altitudeMax: null,
      placeName: null,
      habitat: 'Pelouse',
      comment: null,
      grpTyp: null,
      grpMethod: null,
      digitiserId: 5,
      createdAt: '',
      updatedAt: '',
      sensitivity: { level: 2, blurred: false },
      occurrences: [
        {
          id: 12,
          uuid: 'o',
          cdNom: 60612,
          nomCite: 'Lynx',
          lbNom: 'Lynx lynx',
          nomVern: 'Lynx boréal',
          obsTechnique: '0',
          determinationMethod: null,
          bioStatus: null,
          bioCondition: null,
          naturalness: null,
          existProof: null,
          behaviour: null,
          observationStatus: 'Pr',
          diffusionLevel: null,
          blurring: null,
          sourceStatus: null,
          determiner: null,
          comment: null,
          countings: [
            {
              id: 40,
              uniqueIdSinp: 'c',
              syntheseId: 1,
              lifeStage: '2',
              sex: null,
              objCount: 'IND',
              typeCount: null,
              countMin: 1,
              countMax: 3,
              sensitivityLevel: 2,
            },
          ],
        },
      ],
    }
    const form = releveToForm(releve, new Map([[60612, lynx]]))
    expect(form.occurrences[0]!.taxon).toEqual(lynx)
    expect(form.hourMin).toBe('08:30')
    form.occurrences[0]!.countings.push(emptyCounting())
    const put = formToBody(form, { keepIds: true })
    expect(put).toMatchObject({
      observerIds: [5],
      observersText: 'LPO',
      dateMax: '2026-05-02',
      habitat: 'Pelouse',
      altitudeMin: 1200,
      geometry: releve.geometry,
    })
    expect(put.occurrences).toEqual([
      {
        id: 12,
        cdNom: 60612,
        nomCite: 'Lynx',
        obsTechnique: '0',
        observationStatus: 'Pr',
        countings: [
          { id: 40, lifeStage: '2', objCount: 'IND', countMin: 1, countMax: 3 },
          { countMin: 1, countMax: 1 },
        ],
      },
    ])
    expect(formToBody(form).occurrences[0]).not.toHaveProperty('id')
    expect(formToBody(form).occurrences[0]!.countings[0]).not.toHaveProperty('id')
  })
})

describe('relevé form checks (mirroring the server)', () => {
  it('accepts a complete relevé', () => {
    expect(validateReleveForm(filledForm())).toEqual({})
  })

  it('requires geometry, dataset, an observer and a taxon', () => {
    const form = emptyReleveForm({ date: '2026-05-01' })
    expect(validateReleveForm(form)).toEqual({
      datasetId: expect.any(String),
      observers: expect.any(String),
      geometry: expect.any(String),
      occurrences: expect.any(String),
    })
    form.observersText = 'J. Dupont'
    form.occurrences.push(emptyOccurrence())
    expect(Object.keys(validateReleveForm(form))).toEqual(['datasetId', 'geometry', 'occurrences[0].cdNom'])
  })

  it('names each counting and date field in the API’s path syntax', () => {
    const form = filledForm()
    form.dateMax = '2026-04-30'
    form.occurrences[0]!.countings.push(emptyCounting())
    form.occurrences[0]!.countings[1]!.countMin = 5
    form.occurrences[0]!.countings[1]!.countMax = 2
    form.occurrences[0]!.countings[0]!.countMin = ''
    expect(validateReleveForm(form)).toEqual({
      dateMax: 'La date de fin précède la date de début.',
      'occurrences[0].countings[0].countMin': 'Nombre entier positif.',
      'occurrences[0].countings[1].countMax': 'Le maximum est inférieur au minimum.',
    })
  })

  it('refuses a negative or fractional count and inverted altitudes', () => {
    const form = filledForm()
    form.occurrences[0]!.countings[0]!.countMin = -1
    form.occurrences[0]!.countings[0]!.countMax = 1.5
    form.altitudeMin = 1500
    form.altitudeMax = 1200
    expect(Object.keys(validateReleveForm(form)).sort()).toEqual([
      'altitudeMax',
      'occurrences[0].countings[0].countMax',
      'occurrences[0].countings[0].countMin',
    ])
  })
})

describe('server errors on the form', () => {
  it('normalizes schema paths to the form’s', () => {
    expect(normalizeFieldPath('body.occurrences.0.countings.1.countMin')).toBe(
      'occurrences[0].countings[1].countMin',
    )
    expect(normalizeFieldPath('occurrences[0].countings[1].countMin')).toBe(
      'occurrences[0].countings[1].countMin',
    )
    expect(normalizeFieldPath('body.datasetId')).toBe('datasetId')
    expect(normalizeFieldPath('geometry')).toBe('geometry')
  })

  it('puts a business error on the field named by details.field', () => {
    const error = new ApiError(400, 'COUNT_MIN_SUP_COUNT_MAX', 'countMin 5 > countMax 2', {
      field: 'occurrences[0].countings[1].countMin',
    })
    expect(apiFieldErrors(error)).toEqual({
      fields: { 'occurrences[0].countings[1].countMin': 'Le maximum est inférieur au minimum.' },
      general: null,
    })
  })

  it('shows observer errors on the observers block, validation messages on their fields', () => {
    expect(
      apiFieldErrors(new ApiError(400, 'MISSING_OBSERVER', 'x', { field: 'observerIds' })).fields,
    ).toEqual({
      observers: 'Indiquez au moins un observateur.',
    })
    const validation = new ApiError(400, 'VALIDATION_ERROR', 'body.occurrences.1.cdNom: must be integer', [
      { field: 'body.occurrences.1.cdNom', message: 'must be integer' },
      { field: 'body.altitudeMax', message: 'must be <= 9000' },
    ])
    expect(apiFieldErrors(validation).fields).toEqual({
      'occurrences[1].cdNom': 'must be integer',
      altitudeMax: 'must be <= 9000',
    })
    const nomenclature = new ApiError(400, 'UNKNOWN_NOMENCLATURE', 'x', [
      { field: 'occurrences[0].countings[0].sex', type: 'SEXE', code: '42' },
    ])
    expect(apiFieldErrors(nomenclature).fields).toEqual({
      'occurrences[0].countings[0].sex': 'Code « 42 » inconnu (SEXE).',
    })
  })

  it('explains the server’s own messages where it has no French one, hours included', () => {
    const geometry = new ApiError(400, 'INVALID_GEOMETRY', 'geometry: Self-intersection', [
      { field: 'geometry', message: 'Self-intersection[6.25 44.85]' },
    ])
    expect(apiFieldErrors(geometry).fields).toEqual({
      geometry: 'Géométrie invalide : Self-intersection[6.25 44.85].',
    })
    const hours = new ApiError(400, 'DATE_MIN_SUP_DATE_MAX', 'x', [{ field: 'hourMin', message: 'after' }])
    expect(apiFieldErrors(hours).fields).toEqual({ hourMin: 'L’heure de fin précède l’heure de début.' })
    const observer = new ApiError(400, 'REFERENCE_NOT_FOUND', 'x', [
      { field: 'observerIds[1]', message: 'user 99 does not exist' },
    ])
    expect(apiFieldErrors(observer).fields).toEqual({ observers: 'user 99 does not exist' })
  })

  it('keeps errors without a field as a general message', () => {
    expect(
      apiFieldErrors(new ApiError(403, 'DATASET_NOT_WRITABLE', 'Dataset 3 is outside your scope')),
    ).toEqual({
      fields: {},
      general: 'Vous ne pouvez pas saisir dans ce jeu de données.',
    })
    expect(apiFieldErrors(new ApiError(500, 'INTERNAL', 'Boom')).general).toBe('Boom')
    expect(apiFieldErrors(new TypeError('offline')).general).toBe('TypeError: offline')
  })
})
