import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CheckFixture, checkFixture } from './check-helpers.ts'
import { delimited } from './helpers.ts'

// Values of a line: dates, integers, counts, altitudes, depths, taxon, required fields, proof URL.
const HEADER = [
  'date_debut',
  'date_fin',
  'heure',
  'cd_nom',
  'nom_cite',
  'nb_min',
  'nb_max',
  'alt_min',
  'alt_max',
  'prof_min',
  'prof_max',
  'precision',
  'preuve',
  'wkt',
]
const row = (over: Partial<Record<(typeof HEADER)[number], string>> = {}) => {
  const base: Record<string, string> = {
    date_debut: '2024-05-12',
    date_fin: '2024-05-13',
    heure: '',
    cd_nom: '60612',
    nom_cite: 'Lynx lynx',
    nb_min: '1',
    nb_max: '3',
    alt_min: '1200',
    alt_max: '1300',
    prof_min: '',
    prof_max: '',
    precision: '10',
    preuve: '',
    wkt: 'POINT(6.47 44.85)',
  }
  return HEADER.map((h) => over[h] ?? base[h]!)
}

describe('import checks: values (dates, integers, taxon, required fields)', () => {
  let f: CheckFixture
  beforeAll(async () => {
    f = await checkFixture()
  })
  afterAll(async () => {
    await f?.close()
  })

  it('reports each value error on its line and keeps the good lines typed in the staging table', async () => {
    const rows = [
      HEADER,
      row(), // 2 valid
      row({ cd_nom: '' }), // 3 MISSING_VALUE cd_nom
      row({ nom_cite: ' ' }), // 4 MISSING_VALUE nom_cite
      row({ date_debut: '' }), // 5 MISSING_VALUE date_debut
      row({ date_debut: '2024-02-30' }), // 6 INVALID_DATE date_debut
      row({ date_fin: 'hier' }), // 7 INVALID_DATE date_fin
      row({ date_debut: '2024-06-01', date_fin: '2024-05-01' }), // 8 DATE_MIN_SUP_DATE_MAX
      row({ date_debut: '2024-06-01', date_fin: '2999-01-01' }), // 9 DATE_MAX_TOO_HIGH
      row({ cd_nom: 'lynx' }), // 10 INVALID_INTEGER cd_nom
      row({ nb_min: '2.5' }), // 11 INVALID_INTEGER nb_min
      row({ nb_min: '-1' }), // 12 INVALID_INTEGER nb_min (negative count)
      row({ nb_min: '5', nb_max: '2' }), // 13 COUNT_MIN_SUP_COUNT_MAX
      row({ alt_min: '1500', alt_max: '1000' }), // 14 ALTI_MIN_SUP_ALTI_MAX
      row({ prof_min: '30', prof_max: '10' }), // 15 DEPTH_MIN_SUP_DEPTH_MAX
      row({ cd_nom: '999999999' }), // 16 CD_NOM_NOT_FOUND
      row({ preuve: 'pas une url' }), // 17 INVALID_URL_PROOF
      row({ heure: '25:00' }), // 18 INVALID_DATE heure
      row({
        date_debut: '12/05/2024',
        date_fin: '',
        heure: '14h30',
        nb_max: '',
        preuve: 'https://x.org/p.jpg',
      }), // 19 valid
    ]
    const { id } = await f.upload('values.csv', delimited(rows, ';'), { datasetId: String(f.dataset.id) })
    await f.mapFields(id, {
      dateMin: { column: 'date_debut' },
      dateMax: { column: 'date_fin' },
      hourMin: { column: 'heure' },
      cdNom: { column: 'cd_nom' },
      nomCite: { column: 'nom_cite' },
      countMin: { column: 'nb_min' },
      countMax: { column: 'nb_max' },
      altitudeMin: { column: 'alt_min' },
      altitudeMax: { column: 'alt_max' },
      depthMin: { column: 'prof_min' },
      depthMax: { column: 'prof_max' },
      precision: { column: 'precision' },
      digitalProof: { column: 'preuve' },
      wkt: { column: 'wkt' },
    })
    const counts = await f.check(id)
    expect(await f.errors(id)).toEqual([
      { code: 'ALTI_MIN_SUP_ALTI_MAX', level: 'ERROR', column: 'alt_min', rows: [14] },
      { code: 'CD_NOM_NOT_FOUND', level: 'ERROR', column: 'cd_nom', rows: [16] },
      { code: 'COUNT_MIN_SUP_COUNT_MAX', level: 'ERROR', column: 'nb_min', rows: [13] },
      { code: 'DATE_MAX_TOO_HIGH', level: 'ERROR', column: 'date_fin', rows: [9] },
      { code: 'DATE_MIN_SUP_DATE_MAX', level: 'ERROR', column: 'date_debut', rows: [8] },
      { code: 'DEPTH_MIN_SUP_DEPTH_MAX', level: 'ERROR', column: 'prof_min', rows: [15] },
      { code: 'INVALID_DATE', level: 'ERROR', column: 'date_debut', rows: [6] },
      { code: 'INVALID_DATE', level: 'ERROR', column: 'date_fin', rows: [7] },
      { code: 'INVALID_DATE', level: 'ERROR', column: 'heure', rows: [18] },
      { code: 'INVALID_INTEGER', level: 'ERROR', column: 'cd_nom', rows: [10] },
      { code: 'INVALID_INTEGER', level: 'ERROR', column: 'nb_min', rows: [11, 12] },
      { code: 'INVALID_URL_PROOF', level: 'ERROR', column: 'preuve', rows: [17] },
      { code: 'MISSING_VALUE', level: 'ERROR', column: 'cd_nom', rows: [3] },
      { code: 'MISSING_VALUE', level: 'ERROR', column: 'date_debut', rows: [5] },
      { code: 'MISSING_VALUE', level: 'ERROR', column: 'nom_cite', rows: [4] },
    ])
    expect(counts).toEqual({ rows: 18, valid: 2, errors: 16, warnings: 0 })

    const { rows: valid } = await f.pool.query(
      `SELECT line, cd_nom, nom_cite, count_min, count_max, id_dataset, precision, altitude_min,
              to_char(date_min AT TIME ZONE current_setting('TimeZone'), 'YYYY-MM-DD HH24:MI') AS date_min,
              to_char(date_max AT TIME ZONE current_setting('TimeZone'), 'YYYY-MM-DD HH24:MI') AS date_max,
              ST_AsText(the_geom_4326) AS wkt, additional_data, unique_id_sinp IS NOT NULL AS has_uuid,
              id_nomenclature_obs_technique IS NOT NULL AS has_default
         FROM import.rows_${id} WHERE valid ORDER BY line`,
    )
    expect(valid).toEqual([
      {
        line: 2,
        cd_nom: 60612,
        nom_cite: 'Lynx lynx',
        count_min: 1,
        count_max: 3,
        id_dataset: f.dataset.id,
        precision: 10,
        altitude_min: 1200,
        date_min: '2024-05-12 00:00',
        date_max: '2024-05-13 00:00',
        wkt: 'POINT(6.47 44.85)',
        additional_data: null,
        has_uuid: true,
        has_default: true,
      },
      {
        line: 19,
        cd_nom: 60612,
        nom_cite: 'Lynx lynx',
        count_min: 1,
        count_max: 1,
        id_dataset: f.dataset.id,
        precision: 10,
        altitude_min: 1200,
        date_min: '2024-05-12 14:30',
        date_max: '2024-05-12 14:30',
        wkt: 'POINT(6.47 44.85)',
        additional_data: { preuve_numerique_url: 'https://x.org/p.jpg' },
        has_uuid: true,
        has_default: true,
      },
    ])
  })
})
