import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createTestApp,
  createUser,
  DEMO_ORGANISM,
  type GrantSpec,
  loginAs,
  type TestApp,
} from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TARGET_FIELD_NAMES } from '../src/target-fields.ts'
import { delimited, multipartBody } from './helpers.ts'

const grants = (scope: 1 | 2 | 3): GrantSpec[] =>
  (['C', 'R', 'U', 'D'] as const).map((action) => ({ module: 'IMPORT', action, scope }))
const fixture = (name: string) => readFile(new URL(`./fixtures/${name}`, import.meta.url))

const HEADER = ['date', 'taxon', 'nom', 'wkt', 'lon', 'lat', 'commune']
const ROW = ['2024-05-12', '60612', 'Lynx lynx', 'POINT(6.47 44.85)', '6.47', '44.85', '05101']

describe('import field mapping and presets', () => {
  let t: TestApp
  let uploadDir: string
  let cookie: string
  let presets: Record<string, number>

  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'biodiv-import-test-'))
    t = await createTestApp({ env: { UPLOAD_DIR: uploadDir } })
    await createUser(t.app.db.pool, { login: 'importer', organism: DEMO_ORGANISM, grants: grants(3) })
    cookie = await loginAs(t.app, 'importer')
    const list = await t.app.inject({ method: 'GET', url: '/api/import/mappings', headers: { cookie } })
    presets = Object.fromEntries(
      (list.json() as { id: number; name: string; isBuiltin: boolean }[])
        .filter((m) => m.isBuiltin)
        .map((m) => [m.name, m.id]),
    )
  })
  afterAll(async () => {
    await t?.close()
    await rm(uploadDir, { recursive: true, force: true })
  })

  const upload = async (filename: string, content: Buffer | string, fields: Record<string, string> = {}) => {
    const { payload, headers } = multipartBody({ filename, content }, fields)
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/import/imports',
      headers: { ...headers, cookie },
      payload,
    })
    expect(response.statusCode, response.body).toBe(201)
    return response.json() as { id: number; columns: string[] }
  }
  const map = (id: number, payload: object) =>
    t.app.inject({
      method: 'PUT',
      url: `/api/import/imports/${id}/field-mapping`,
      headers: { cookie },
      payload,
    })
  const match = (id: number, mappingId: number) =>
    t.app.inject({
      method: 'GET',
      url: `/api/import/imports/${id}/field-mapping/match?mappingId=${mappingId}`,
      headers: { cookie },
    })

  it('lists the target fields with type, label and required-ness', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/import/target-fields',
      headers: { cookie },
    })
    expect(response.statusCode).toBe(200)
    const { fields, geometrySources } = response.json()
    const byName = Object.fromEntries(fields.map((f: { name: string }) => [f.name, f]))
    expect(byName.cdNom).toMatchObject({ type: 'integer', required: true })
    expect(byName.dateMin).toMatchObject({ type: 'date', required: true })
    expect(byName.lifeStage).toMatchObject({ type: 'nomenclature', nomenclatureType: 'STADE_VIE' })
    expect(geometrySources).toEqual([['wkt'], ['x', 'y'], ['communeCode'], ['gridCode'], ['departementCode']])
  })

  it('maps columns and constants, and says what is wrong: unknown fields, columns, missing required', async () => {
    const { id } = await upload('obs.csv', delimited([HEADER, ROW], ';'))
    const unknownField = await map(id, { fields: { cdNom: { column: 'taxon' }, espece: { column: 'nom' } } })
    expect(unknownField.statusCode).toBe(400)
    expect(unknownField.json().error).toMatchObject({
      code: 'UNKNOWN_TARGET_FIELD',
      details: { fields: ['espece'] },
    })

    const unknownColumn = await map(id, {
      fields: { cdNom: { column: 'cd_nom' }, nomCite: { column: 'nom' } },
    })
    expect(unknownColumn.json().error).toMatchObject({
      code: 'UNKNOWN_SOURCE_COLUMN',
      details: { columns: [{ field: 'cdNom', column: 'cd_nom' }] },
    })

    const missing = await map(id, { fields: { cdNom: { column: 'taxon' }, x: { column: 'lon' } } })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().error.code).toBe('MISSING_REQUIRED_FIELD')
    expect(missing.json().error.details.fields).toEqual(['nomCite', 'dateMin', 'datasetUuid', 'y'])

    const noGeometry = await map(id, {
      fields: {
        cdNom: { column: 'taxon' },
        nomCite: { column: 'nom' },
        dateMin: { column: 'date' },
        datasetUuid: { constant: '4d331cae-65e4-4948-b0b2-a11bc5bb46c2' },
      },
    })
    expect(noGeometry.json().error.details.fields).toEqual([
      'wkt | x+y | communeCode | gridCode | departementCode',
    ])

    const fields = {
      cdNom: { column: 'taxon' },
      nomCite: { column: 'nom' },
      dateMin: { column: 'date' },
      x: { column: 'lon' },
      y: { column: 'lat' },
      communeCode: { column: 'commune' },
      datasetUuid: { constant: '4d331cae-65e4-4948-b0b2-a11bc5bb46c2' },
      observers: { constant: 'Équipe faune' },
    }
    const ok = await map(id, { fields })
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json()).toMatchObject({ status: 'field_mapped', fieldMapping: fields, mappingId: null })
  })

  it('needs no dataset column when the import has a dataset', async () => {
    const { rows } = await t.app.db.pool.query(
      'SELECT id FROM gn_meta.datasets WHERE active ORDER BY id LIMIT 1',
    )
    const { id } = await upload('obs.csv', delimited([HEADER, ROW], ','), { datasetId: String(rows[0].id) })
    const response = await map(id, {
      fields: {
        cdNom: { column: 'taxon' },
        nomCite: { column: 'nom' },
        dateMin: { column: 'date' },
        wkt: { column: 'wkt' },
      },
    })
    expect(response.statusCode, response.body).toBe(200)
  })

  it('the presets only name known target fields', async () => {
    for (const mappingId of Object.values(presets)) {
      const mapping = (
        await t.app.inject({ method: 'GET', url: `/api/import/mappings/${mappingId}`, headers: { cookie } })
      ).json()
      for (const field of Object.keys(mapping.fieldMapping))
        expect(TARGET_FIELD_NAMES.has(field), field).toBe(true)
    }
    expect(Object.keys(presets).sort()).toEqual(['GeoNature synthese export', 'SINP DEE'])
  })

  it('"GeoNature synthese export" maps the header of a GeoNature synthese CSV export', async () => {
    const { id, columns } = await upload(
      'synthese_observations_2024-01-15.csv',
      await fixture('geonature-synthese-export.csv'),
    )
    expect(columns).toHaveLength(79)
    const matched = (await match(id, presets['GeoNature synthese export']!)).json()
    expect(matched.unmatched).toEqual([])
    expect(matched.missingRequired).toEqual([])
    expect(matched.fields).toMatchObject({
      cdNom: { column: 'cd_nom' },
      nomCite: { column: 'nom_cite' },
      dateMin: { column: 'date_debut' },
      hourMin: { column: 'heure_debut' },
      countMax: { column: 'nombre_max' },
      observers: { column: 'observateurs' },
      wkt: { column: 'geometrie_wkt_4326' },
      x: { column: 'x_centroid_4326' },
      uniqueIdSinp: { column: 'uuid_perm_sinp' },
      datasetUuid: { column: 'jdd_uuid' },
      altitudeMin: { column: 'alti_min' },
      placeName: { column: 'nom_lieu' },
      lifeStage: { column: 'stade_vie' },
      validStatus: { column: 'niveau_validation' },
    })
    expect(matched.matched).toHaveLength(51)
    // Taxonomy, metadata and derived columns of the export have no target.
    expect(matched.unmappedColumns).toEqual(
      expect.arrayContaining(['id_synthese', 'cd_ref', 'nom_valide', 'communes', 'jdd_nom', 'ca_uuid']),
    )
    const applied = await map(id, { mappingId: presets['GeoNature synthese export'] })
    expect(applied.statusCode, applied.body).toBe(200)
    expect(applied.json().mappingId).toBe(presets['GeoNature synthese export'])
    expect(applied.json().fieldMapping.precision).toEqual({ column: 'precision_geographique' })
  })

  it('"GeoNature synthese export" also knows the older names through aliases', async () => {
    const header = [
      'date_debut',
      'cd_nom',
      'nom_cite',
      'geometrie_wkt_4326',
      'altitude_min',
      'lieu_dit',
      'statut_biologique',
      'jdd_uuid',
    ]
    const { id } = await upload(
      'export.csv',
      delimited([header, ['2024-01-01', '351', 'Rana', 'POINT(6 45)', '1200', 'Lac', '1', 'x']], ';'),
    )
    const matched = (await match(id, presets['GeoNature synthese export']!)).json()
    expect(matched.fields).toMatchObject({
      altitudeMin: { column: 'altitude_min' },
      placeName: { column: 'lieu_dit' },
      bioStatus: { column: 'statut_biologique' },
    })
    expect(matched.missingRequired).toEqual([])
  })

  it('"SINP DEE" maps the DEE short names whatever their case', async () => {
    const { rows } = await t.app.db.pool.query(
      'SELECT id FROM gn_meta.datasets WHERE active ORDER BY id LIMIT 1',
    )
    const { id } = await upload('dee.csv', await fixture('sinp-dee.csv'), { datasetId: String(rows[0].id) })
    const matched = (await match(id, presets['SINP DEE']!)).json()
    expect(matched.fields).toMatchObject({
      uniqueIdSinp: { column: 'permId' },
      uniqueIdSinpGrp: { column: 'permIdGrp' },
      dateMin: { column: 'dateDebut' },
      cdNom: { column: 'cdNom' },
      nomCite: { column: 'nomCite' },
      countMin: { column: 'denbrMin' },
      bioCondition: { column: 'ocEtatBio' },
      existProof: { column: 'preuveOui' },
      wkt: { column: 'WKT' },
    })
    expect(matched.missingRequired).toEqual([])
    // The DEE preset names attachment codes this file does not have.
    expect(matched.unmatched.map((u: { field: string }) => u.field)).toEqual(
      expect.arrayContaining(['communeCode', 'gridCode', 'departementCode']),
    )
    expect(matched.unmappedColumns).toEqual(['obsNomOrg'])
    const applied = await map(id, { mappingId: presets['SINP DEE'] })
    expect(applied.statusCode, applied.body).toBe(200)
  })

  it('applying a preset that does not fit the file fails on the missing required fields', async () => {
    const { id } = await upload('obs.csv', delimited([HEADER, ROW], ';'))
    const response = await map(id, { mappingId: presets['SINP DEE'] })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.code).toBe('MISSING_REQUIRED_FIELD')
    expect(response.json().error.details.fields).toEqual(
      expect.arrayContaining(['cdNom', 'nomCite', 'dateMin']),
    )
  })
})
