import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CheckFixture, checkFixture } from './check-helpers.ts'
import { delimited } from './helpers.ts'

// A file shaped like GeoNature's synthese export (gn_synthese.v_synthese_for_export): many columns, labels for
// the nomenclatures, WKT and centroid columns, columns the import does not use.
const GEONATURE_HEADER = [
  'id_synthese',
  'date_debut',
  'date_fin',
  'heure_debut',
  'heure_fin',
  'cd_nom',
  'cd_ref',
  'nom_valide',
  'nom_cite',
  'nombre_min',
  'nombre_max',
  'alti_min',
  'alti_max',
  'observateurs',
  'determinateur',
  'communes',
  'geometrie_wkt_4326',
  'x_centroid_4326',
  'y_centroid_4326',
  'nom_lieu',
  'comment_releve',
  'comment_occurrence',
  'validateur',
  'niveau_validation',
  'date_validation',
  'jdd_nom',
  'jdd_uuid',
  'precision_geographique',
  'nature_objet_geo',
  'technique_observation',
  'biologique_statut',
  'etat_biologique',
  'naturalite',
  'stade_vie',
  'sexe',
  'objet_denombrement',
  'type_denombrement',
  'statut_observation',
  'statut_source',
  'id_origine',
  'uuid_perm_sinp',
  'uuid_perm_grp_sinp',
]

describe('import checks: files shaped like the presets', () => {
  let f: CheckFixture
  let presets: Record<string, number>
  beforeAll(async () => {
    f = await checkFixture()
    const { rows } = await f.pool.query<{ id: number; name: string }>(
      'SELECT id, name FROM import.mappings WHERE is_builtin',
    )
    presets = Object.fromEntries(rows.map((r) => [r.name, r.id]))
  })
  afterAll(async () => {
    await f?.close()
  })
  const usePreset = async (id: number, name: string) => {
    const response = await f.t.app.inject({
      method: 'PUT',
      url: `/api/import/imports/${id}/field-mapping`,
      headers: { cookie: f.cookie },
      payload: { mappingId: presets[name] },
    })
    expect(response.statusCode, response.body).toBe(200)
  }

  it('checks a GeoNature synthese export with the preset, nomenclature labels read without a content mapping', async () => {
    const record = (over: Record<string, string>) => {
      const base: Record<string, string> = {
        id_synthese: '1',
        date_debut: '2023-06-14',
        date_fin: '2023-06-14',
        heure_debut: '08:15:00',
        heure_fin: '09:00:00',
        cd_nom: '60612',
        cd_ref: '60612',
        nom_valide: 'Lynx lynx (Linnaeus, 1758)',
        nom_cite: 'Lynx boréal',
        nombre_min: '1',
        nombre_max: '2',
        alti_min: '1500',
        alti_max: '1550',
        observateurs: 'DUPONT Marie, MARTIN Paul',
        determinateur: 'DUPONT Marie',
        communes: 'Vallouise-Pelvoux',
        geometrie_wkt_4326: 'POINT(6.4712 44.8523)',
        x_centroid_4326: '6.4712',
        y_centroid_4326: '44.8523',
        nom_lieu: 'Le Pré de Madame Carle',
        comment_releve: '',
        comment_occurrence: 'Traces fraîches',
        validateur: '',
        niveau_validation: 'En attente de validation',
        date_validation: '',
        jdd_nom: 'Suivi',
        jdd_uuid: f.dataset.uuid,
        precision_geographique: '10',
        nature_objet_geo: 'Stationnel',
        technique_observation: 'Vu',
        biologique_statut: 'Non renseigné',
        etat_biologique: 'Observé vivant',
        naturalite: 'Sauvage',
        stade_vie: 'Adulte',
        sexe: 'Femelle',
        objet_denombrement: 'Individu',
        type_denombrement: 'Compté',
        statut_observation: 'Présent',
        statut_source: 'Terrain',
        id_origine: '1',
        uuid_perm_sinp: randomUUID(),
        uuid_perm_grp_sinp: randomUUID(),
      }
      return GEONATURE_HEADER.map((h) => over[h] ?? base[h]!)
    }
    const rows = [
      GEONATURE_HEADER,
      record({}), // 2
      record({ id_origine: '2', sexe: 'Mâle', stade_vie: 'Juvénile', geometrie_wkt_4326: '' }), // 3: centroid X/Y
      record({ id_origine: '3', technique_observation: 'Entendu au loin' }), // 4 INVALID_NOMENCLATURE
      record({ id_origine: '4', heure_debut: '10:00:00', heure_fin: '09:00:00' }), // 5 DATE_MIN_SUP_DATE_MAX
    ]
    const { id } = await f.upload('synthese_2024-01-10.csv', delimited(rows, ';'))
    await usePreset(id, 'GeoNature synthese export')
    const counts = await f.check(id)
    expect(await f.errors(id)).toEqual([
      { code: 'DATE_MIN_SUP_DATE_MAX', level: 'ERROR', column: 'date_debut', rows: [5] },
      { code: 'INVALID_NOMENCLATURE', level: 'ERROR', column: 'technique_observation', rows: [4] },
    ])
    expect(counts).toMatchObject({ rows: 4, valid: 2 })
    const { rows: staged } = await f.pool.query(
      `SELECT r.line, r.entity_source_pk_value AS pk, r.nom_cite, r.observers, r.altitude_min, r.precision,
              r.place_name, ST_AsText(r.the_geom_4326) AS wkt,
              to_char(r.date_min AT TIME ZONE current_setting('TimeZone'), 'YYYY-MM-DD HH24:MI') AS date_min,
              to_char(r.date_max AT TIME ZONE current_setting('TimeZone'), 'YYYY-MM-DD HH24:MI') AS date_max,
              (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = r.id_nomenclature_sex) AS sex,
              (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = r.id_nomenclature_obs_technique) AS technique,
              (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = r.id_nomenclature_observation_status) AS status,
              (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = r.id_nomenclature_valid_status) AS validation
         FROM import.rows_${id} r WHERE r.valid ORDER BY r.line`,
    )
    expect(staged).toEqual([
      {
        line: 2,
        pk: '1',
        nom_cite: 'Lynx boréal',
        observers: 'DUPONT Marie, MARTIN Paul',
        altitude_min: 1500,
        precision: 10,
        place_name: 'Le Pré de Madame Carle',
        wkt: 'POINT(6.4712 44.8523)',
        date_min: '2023-06-14 08:15',
        date_max: '2023-06-14 09:00',
        sex: '2',
        technique: '0',
        status: 'Pr',
        validation: '0',
      },
      expect.objectContaining({ line: 3, pk: '2', sex: '3', wkt: 'POINT(6.4712 44.8523)' }),
    ])
  })

  it('checks a SINP DEE file with its preset (codes in the nomenclature columns)', async () => {
    const header = [
      'permid',
      'datedebut',
      'datefin',
      'cdnom',
      'nomcite',
      'denbrmin',
      'denbrmax',
      'ocetatbio',
      'ocsex',
      'wkt',
    ]
    const rows = [
      header,
      [
        randomUUID(),
        '2022-07-01',
        '2022-07-01',
        '351',
        'Rana temporaria',
        '3',
        '5',
        '2',
        '3',
        'POINT(6.3 44.9)',
      ],
      [
        randomUUID(),
        '2022-07-01',
        '2022-07-01',
        '351',
        'Rana temporaria',
        '3',
        '5',
        '9',
        '3',
        'POINT(6.3 44.9)',
      ],
    ]
    const { id } = await f.upload('dee.csv', delimited(rows, ','), { datasetId: String(f.dataset.id) })
    await usePreset(id, 'SINP DEE')
    expect(await f.check(id)).toMatchObject({ rows: 2, valid: 1 })
    expect(await f.errors(id)).toEqual([
      { code: 'INVALID_NOMENCLATURE', level: 'ERROR', column: 'ocetatbio', rows: [3] },
    ])
  })
})
