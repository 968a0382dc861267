import { createUser, DEMO_ORGANISM, loginAs } from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CheckFixture, checkFixture, importGrants } from './check-helpers.ts'
import { delimited } from './helpers.ts'

const HEADER = ['date', 'cd_nom', 'nom', 'wkt', 'remarque']
const ROWS = [
  HEADER,
  ['2024-05-12', '60612', 'Lynx lynx', 'POINT(6.47 44.85)', 'ok'], // 2
  ['2024-05-12', 'abc', 'Lynx; lynx', 'POINT(6.47 44.85)', 'cd_nom'], // 3 INVALID_INTEGER
  ['2024-05-13', '351', 'Rana temporaria', 'POINT(6.2 44.7)', 'ok'], // 4
  ['hier', '60612', 'Lynx "boréal"', 'POINT(abc)', 'deux erreurs'], // 5 INVALID_DATE + INVALID_WKT
]

describe('import report: errors, invalid rows, preview, and who may read them', () => {
  let f: CheckFixture
  let id: number
  let other: string
  let nobody: string
  const get = (url: string, cookie = f.cookie) =>
    f.t.app.inject({ method: 'GET', url: `/api/import/imports/${id}${url}`, headers: { cookie } })

  beforeAll(async () => {
    f = await checkFixture()
    ;({ id } = await f.upload('report.csv', delimited(ROWS, ';'), { datasetId: String(f.dataset.id) }))
    await f.mapFields(id, {
      dateMin: { column: 'date' },
      cdNom: { column: 'cd_nom' },
      nomCite: { column: 'nom' },
      wkt: { column: 'wkt' },
    })
    // Same organism, but only their own imports (scope 1); and a user without any IMPORT permission.
    await createUser(f.pool, { login: 'other', organism: DEMO_ORGANISM, grants: importGrants(1) })
    await createUser(f.pool, { login: 'nobody', organism: DEMO_ORGANISM })
    other = await loginAs(f.t.app, 'other')
    nobody = await loginAs(f.t.app, 'nobody')
  })
  afterAll(async () => {
    await f?.close()
  })

  it('answers 409 IMPORT_NOT_CHECKED before a check', async () => {
    for (const url of ['/invalid-rows', '/preview']) {
      const response = await get(url)
      expect(response.statusCode).toBe(409)
      expect(response.json().error.code).toBe('IMPORT_NOT_CHECKED')
    }
    expect((await get('/errors')).json()).toEqual([])
  })

  it('reports errors by code and column with line numbers, the failing rows as CSV, and a preview', async () => {
    await f.check(id)
    await f.pool.query(`UPDATE import.imports SET status = 'checked' WHERE id = $1`, [id])

    const errors = await get('/errors')
    expect(errors.statusCode, errors.body).toBe(200)
    expect(errors.json()).toEqual([
      {
        code: 'INVALID_DATE',
        level: 'ERROR',
        column: 'date',
        rows: [5],
        count: 1,
        description: expect.any(String),
      },
      {
        code: 'INVALID_INTEGER',
        level: 'ERROR',
        column: 'cd_nom',
        rows: [3],
        count: 1,
        description: expect.any(String),
      },
      {
        code: 'INVALID_WKT',
        level: 'ERROR',
        column: 'wkt',
        rows: [5],
        count: 1,
        description: expect.any(String),
      },
    ])
    const limited = await get('/errors?limit=1')
    expect(limited.statusCode).toBe(200)

    const csv = await get('/invalid-rows')
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    expect(csv.headers['content-disposition']).toContain('attachment')
    expect(csv.body).toBe(
      '\ufeffligne;date;cd_nom;nom;wkt;remarque;erreurs\r\n' +
        '3;2024-05-12;abc;"Lynx; lynx";POINT(6.47 44.85);cd_nom;INVALID_INTEGER (cd_nom)\r\n' +
        '5;hier;60612;"Lynx ""boréal""";POINT(abc);deux erreurs;"INVALID_DATE (date); INVALID_WKT (wkt)"\r\n',
    )

    const preview = await get('/preview?limit=1')
    expect(preview.statusCode, preview.body).toBe(200)
    const body = preview.json()
    expect(body.counts).toEqual({ rows: 4, valid: 2, errors: 3, warnings: 0 })
    expect(body.bbox.map((x: number) => Math.round(x * 100) / 100)).toEqual([6.2, 44.7, 6.47, 44.85])
    expect(body.sample.type).toBe('FeatureCollection')
    expect(body.sample.features).toEqual([
      {
        type: 'Feature',
        id: 2,
        geometry: { type: 'Point', coordinates: [6.47, 44.85] },
        properties: {
          line: 2,
          cdNom: 60612,
          nomCite: 'Lynx lynx',
          dateMin: expect.stringMatching(/^2024-05-1[12]T/),
          dateMax: expect.stringMatching(/^2024-05-1[12]T/),
          countMin: null,
          countMax: null,
          observers: null,
        },
      },
    ])
  })

  it('shows nothing of another user’s import to a scope-1 reader (404) nor to a user without IMPORT R (403)', async () => {
    for (const url of ['/errors', '/invalid-rows', '/preview', '/content-mapping/values']) {
      const hidden = await get(url, other)
      expect(hidden.statusCode, url).toBe(404)
      expect(hidden.json().error.code).toBe('IMPORT_NOT_FOUND')
      expect(hidden.body).not.toContain('Lynx')
      const refused = await get(url, nobody)
      expect(refused.statusCode, url).toBe(403)
      expect(refused.body).not.toContain('Lynx')
    }
    const put = await f.t.app.inject({
      method: 'PUT',
      url: `/api/import/imports/${id}/content-mapping`,
      headers: { cookie: other },
      payload: { contentMapping: {} },
    })
    expect(put.statusCode).toBe(404)
    const { rows } = await f.pool.query('SELECT content_mapping FROM import.imports WHERE id = $1', [id])
    expect(rows[0].content_mapping).toBeNull()
  })
})
