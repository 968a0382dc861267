import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CheckFixture, checkFixture } from './check-helpers.ts'
import { delimited } from './helpers.ts'

const HEADER = ['date', 'cd_nom', 'nom', 'wkt', 'x', 'y', 'commune', 'maille', 'dep']
const line = (geo: Partial<Record<'wkt' | 'x' | 'y' | 'commune' | 'maille' | 'dep', string>>) => [
  '2024-05-12',
  '60612',
  'Lynx lynx',
  geo.wkt ?? '',
  geo.x ?? '',
  geo.y ?? '',
  geo.commune ?? '',
  geo.maille ?? '',
  geo.dep ?? '',
]
const FIELDS = {
  dateMin: { column: 'date' },
  cdNom: { column: 'cd_nom' },
  nomCite: { column: 'nom' },
  wkt: { column: 'wkt' },
  x: { column: 'x' },
  y: { column: 'y' },
  communeCode: { column: 'commune' },
  gridCode: { column: 'maille' },
  departementCode: { column: 'dep' },
}

describe('import checks: geometry (WKT, X/Y, attachment codes)', () => {
  let f: CheckFixture
  let grid: string
  beforeAll(async () => {
    f = await checkFixture()
    await f.pool.query(
      `INSERT INTO ref_geo.areas (type_id, area_code, area_name, geom)
       SELECT t.id, a.code, a.name, ST_Multi(ST_MakeEnvelope(a.x0, a.y0, a.x1, a.y1, 4326))
         FROM (VALUES ('COM', '05101', 'Vallouise-Pelvoux', 6.40, 44.80, 6.55, 44.90),
                      ('DEP', '05', 'Hautes-Alpes', 5.40, 44.20, 7.10, 45.10)) a(type, code, name, x0, y0, x1, y1)
         JOIN ref_geo.area_types t ON t.code = a.type`,
    )
    const { rows } = await f.pool.query<{ code: string }>(
      `SELECT a.area_code AS code FROM ref_geo.areas a JOIN ref_geo.area_types t ON t.id = a.type_id
        WHERE t.code = 'M10' ORDER BY a.id LIMIT 1`,
    )
    grid = rows[0]!.code
  })
  afterAll(async () => {
    await f?.close()
  })

  it('reads WKT, X/Y and attachment codes, and reports each geometry error on its line', async () => {
    const rows = [
      HEADER,
      line({ wkt: 'POINT(6.47 44.85)' }), // 2 valid
      line({ wkt: 'POINT(abc)' }), // 3 INVALID_WKT
      line({ wkt: 'POLYGON((6 44, 7 45, 7 44, 6 45, 6 44))' }), // 4 INVALID_GEOMETRY (bow tie)
      line({ wkt: 'POINT(-70 10)' }), // 5 GEOMETRY_OUT_OF_BOX
      line({}), // 6 MISSING_GEOM
      line({ x: '6,47', y: '44.85' }), // 7 valid (decimal comma)
      line({ x: 'abc', y: '44.85' }), // 8 INVALID_GEOMETRY on x
      line({ commune: '05101' }), // 9 valid
      line({ maille: grid }), // 10 valid
      line({ commune: '05101', dep: '05' }), // 11 MULTIPLE_ATTACHMENT_TYPE_CODE
      line({ commune: '99999' }), // 12 INVALID_ATTACHMENT_CODE
      line({ wkt: 'LINESTRING(6.4 44.8, 6.5 44.9)', dep: '05' }), // 13 valid: the WKT comes first
      line({ dep: '05' }), // 14 valid
    ]
    const { id } = await f.upload('geo.csv', delimited(rows, ';'), { datasetId: String(f.dataset.id) })
    await f.mapFields(id, FIELDS)
    const counts = await f.check(id)
    expect(await f.errors(id)).toEqual([
      { code: 'GEOMETRY_OUT_OF_BOX', level: 'ERROR', column: 'wkt', rows: [5] },
      { code: 'INVALID_ATTACHMENT_CODE', level: 'ERROR', column: 'commune', rows: [12] },
      { code: 'INVALID_GEOMETRY', level: 'ERROR', column: 'wkt', rows: [4] },
      { code: 'INVALID_GEOMETRY', level: 'ERROR', column: 'x', rows: [8] },
      { code: 'INVALID_WKT', level: 'ERROR', column: 'wkt', rows: [3] },
      { code: 'MISSING_GEOM', level: 'ERROR', column: null, rows: [6] },
      { code: 'MULTIPLE_ATTACHMENT_TYPE_CODE', level: 'ERROR', column: null, rows: [11] },
    ])
    expect(counts).toMatchObject({ rows: 13, valid: 6 })
    const { rows: geoms } = await f.pool.query(
      `SELECT line, GeometryType(the_geom_4326) AS type, ST_SRID(the_geom_4326) AS srid,
              round(ST_X(ST_PointOnSurface(the_geom_4326))::numeric, 2)::float AS x
         FROM import.rows_${id} WHERE valid ORDER BY line`,
    )
    expect(geoms).toEqual([
      { line: 2, type: 'POINT', srid: 4326, x: 6.47 },
      { line: 7, type: 'POINT', srid: 4326, x: 6.47 },
      { line: 9, type: 'MULTIPOLYGON', srid: 4326, x: expect.any(Number) },
      { line: 10, type: 'MULTIPOLYGON', srid: 4326, x: expect.any(Number) },
      { line: 13, type: 'LINESTRING', srid: 4326, x: expect.any(Number) },
      { line: 14, type: 'MULTIPOLYGON', srid: 4326, x: expect.any(Number) },
    ])
  })

  it('transforms X/Y given in the import’s SRID (Lambert-93) to WGS 84, out-of-range coordinates out of the box', async () => {
    const rows = [
      ['date', 'cd_nom', 'nom', 'x', 'y'],
      ['2024-05-12', '60612', 'Lynx lynx', '950000', '6400000'], // 2 valid, in the Écrins
      ['2024-05-12', '60612', 'Lynx lynx', '1e30', '1e30'], // 3 out of the projection
      ['2024-05-12', '60612', 'Lynx lynx', '-5000000', '0'], // 4 far away
    ]
    const { id } = await f.upload('l93.csv', delimited(rows, ','), { datasetId: String(f.dataset.id) })
    const decode = await f.t.app.inject({
      method: 'PUT',
      url: `/api/import/imports/${id}/decode`,
      headers: { cookie: f.cookie },
      payload: { encoding: 'utf-8', separator: ',', srid: 2154 },
    })
    expect(decode.statusCode, decode.body).toBe(200)
    await f.mapFields(id, {
      dateMin: { column: 'date' },
      cdNom: { column: 'cd_nom' },
      nomCite: { column: 'nom' },
      x: { column: 'x' },
      y: { column: 'y' },
    })
    await f.check(id)
    expect(await f.errors(id)).toEqual([
      { code: 'GEOMETRY_OUT_OF_BOX', level: 'ERROR', column: 'x', rows: [3, 4] },
    ])
    const { rows: point } = await f.pool.query(
      `SELECT round(ST_X(the_geom_4326)::numeric, 2)::float AS lon, round(ST_Y(the_geom_4326)::numeric, 2)::float AS lat
         FROM import.rows_${id} WHERE valid`,
    )
    expect(point).toEqual([{ lon: 6.15, lat: 44.65 }])
  })
})
