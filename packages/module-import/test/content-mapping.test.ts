import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CheckFixture, checkFixture } from './check-helpers.ts'
import { delimited } from './helpers.ts'

const HEADER = ['date', 'cd_nom', 'nom', 'wkt', 'sexe', 'stade', 'etat']
const line = (sexe: string, stade: string, etat: string) => [
  '2024-05-12',
  '60612',
  'Lynx lynx',
  'POINT(6.47 44.85)',
  sexe,
  stade,
  etat,
]
const FIELDS = {
  dateMin: { column: 'date' },
  cdNom: { column: 'cd_nom' },
  nomCite: { column: 'nom' },
  wkt: { column: 'wkt' },
  sex: { column: 'sexe' },
  lifeStage: { column: 'stade' },
  bioCondition: { column: 'etat' },
}

describe('import content mapping and nomenclature checks', () => {
  let f: CheckFixture
  let id: number
  const code = async (type: string, c: string) =>
    (
      await f.pool.query<{ id: number }>(
        `SELECT n.id FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types t ON t.id = n.type_id
          WHERE t.mnemonique = $1 AND n.cd_nomenclature = $2`,
        [type, c],
      )
    ).rows[0]!.id
  const put = (payload: object) =>
    f.t.app.inject({
      method: 'PUT',
      url: `/api/import/imports/${id}/content-mapping`,
      headers: { cookie: f.cookie },
      payload,
    })

  beforeAll(async () => {
    f = await checkFixture()
    const rows = [
      HEADER,
      line('femelle', 'ADULTE', 'vivant'), // 2: label, label (case), mapped below
      line('3', 'Juvénile', ''), // 3: code, label with accent, empty → default
      line('F', 'juvenile', 'mort'), // 4: F unmapped → INVALID_NOMENCLATURE; label without accent
      line('', '', 'zombie'), // 5: defaults; zombie → INVALID_NOMENCLATURE
      line('Femelle', 'Adulte', 'vivant'), // 6
    ]
    ;({ id } = await f.upload('nomenclatures.csv', delimited(rows, ';'), { datasetId: String(f.dataset.id) }))
  })
  afterAll(async () => {
    await f?.close()
  })

  it('needs a field mapping first', async () => {
    const response = await put({ contentMapping: {} })
    expect(response.statusCode).toBe(409)
    expect(response.json().error.code).toBe('FIELD_MAPPING_REQUIRED')
  })

  it('lists distinct values with the preset’s suggestion (SINP code, label ignoring accents and case)', async () => {
    await f.mapFields(id, FIELDS)
    const response = await f.t.app.inject({
      method: 'GET',
      url: `/api/import/imports/${id}/content-mapping/values`,
      headers: { cookie: f.cookie },
    })
    expect(response.statusCode, response.body).toBe(200)
    const body = response.json()
    const sex = body.fields.find((x: { field: string }) => x.field === 'sex')
    expect(sex).toMatchObject({ nomenclatureType: 'SEXE', column: 'sexe', truncated: false })
    expect(sex.values).toEqual([
      { value: 'femelle', count: 1, mapped: null, suggestion: { code: '2', label: 'Femelle' } },
      { value: '3', count: 1, mapped: null, suggestion: { code: '3', label: 'Mâle' } },
      { value: 'F', count: 1, mapped: null, suggestion: null },
      { value: 'Femelle', count: 1, mapped: null, suggestion: { code: '2', label: 'Femelle' } },
    ])
    expect(sex.options).toContainEqual({ code: '6', label: 'Non renseigné' })
    const stage = body.fields.find((x: { field: string }) => x.field === 'lifeStage')
    expect(stage.values.map((v: { suggestion: { code: string } | null }) => v.suggestion?.code)).toEqual([
      '2',
      '3',
      '3',
      '2',
    ])
    expect(body.unmapped).toEqual([
      { field: 'bioCondition', value: 'vivant' },
      { field: 'bioCondition', value: 'mort' },
      { field: 'bioCondition', value: 'zombie' },
      { field: 'sex', value: 'F' },
    ])
  })

  it('refuses unknown fields and codes, saves the mapping (→ content_mapped) and the check applies it', async () => {
    const notNomenclature = await put({ contentMapping: { cdNom: { a: '1' } } })
    expect(notNomenclature.statusCode).toBe(400)
    expect(notNomenclature.json().error.code).toBe('UNKNOWN_TARGET_FIELD')
    const badCode = await put({ contentMapping: { sex: { F: '99' } } })
    expect(badCode.statusCode).toBe(400)
    expect(badCode.json().error).toMatchObject({
      code: 'UNKNOWN_NOMENCLATURE',
      details: [{ field: 'sex', value: 'F', code: '99' }],
    })

    const saved = await put({ contentMapping: { bioCondition: { vivant: '2', mort: '3' } } })
    expect(saved.statusCode, saved.body).toBe(200)
    expect(saved.json()).toMatchObject({
      status: 'content_mapped',
      contentMapping: { bioCondition: { vivant: '2', mort: '3' } },
    })

    const counts = await f.check(id)
    expect(await f.errors(id)).toEqual([
      { code: 'INVALID_NOMENCLATURE', level: 'ERROR', column: 'etat', rows: [5] },
      { code: 'INVALID_NOMENCLATURE', level: 'ERROR', column: 'sexe', rows: [4] },
    ])
    expect(counts).toMatchObject({ rows: 5, valid: 3 })
    const { rows } = await f.pool.query(
      `SELECT line, id_nomenclature_sex AS sex, id_nomenclature_life_stage AS stage,
              id_nomenclature_bio_condition AS etat
         FROM import.rows_${id} WHERE valid ORDER BY line`,
    )
    expect(rows).toEqual([
      {
        line: 2,
        sex: await code('SEXE', '2'),
        stage: await code('STADE_VIE', '2'),
        etat: await code('ETA_BIO', '2'),
      },
      {
        line: 3,
        sex: await code('SEXE', '3'),
        stage: await code('STADE_VIE', '3'),
        etat: await code('ETA_BIO', '1'),
      },
      {
        line: 6,
        sex: await code('SEXE', '2'),
        stage: await code('STADE_VIE', '2'),
        etat: await code('ETA_BIO', '2'),
      },
    ])
    // Line 5: empty sex and stage took the defaults (SEXE 6, STADE_VIE 0) even though the line fails.
    const { rows: five } = await f.pool.query(
      `SELECT id_nomenclature_sex AS sex, id_nomenclature_life_stage AS stage FROM import.rows_${id} WHERE line = 5`,
    )
    expect(five).toEqual([{ sex: await code('SEXE', '6'), stage: await code('STADE_VIE', '0') }])

    // A saved mapping's content mapping is the base, the body's values on top.
    const { rows: m } = await f.pool.query<{ id: number }>(
      `INSERT INTO import.mappings (name, owner_id, content_mapping)
       VALUES ('mine', (SELECT id FROM core.users WHERE login = 'checker'), '{"sex": {"F": "2"}}') RETURNING id`,
    )
    const merged = await put({
      mappingId: m[0]!.id,
      contentMapping: { bioCondition: { vivant: '2', mort: '3', zombie: '3' } },
    })
    expect(merged.statusCode, merged.body).toBe(200)
    expect(merged.json().contentMapping).toEqual({
      sex: { F: '2' },
      bioCondition: { vivant: '2', mort: '3', zombie: '3' },
    })
    expect(await f.check(id)).toMatchObject({ rows: 5, valid: 5, errors: 0 })
  })
})
