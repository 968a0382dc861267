import { createUser, loginAs } from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CheckFixture, checkFixture, importGrants } from './check-helpers.ts'
import { delimited } from './helpers.ts'

const ROWS = [
  ['date', 'cd_nom', 'nom', 'wkt'],
  ['2024-05-12', '60612', 'Lynx lynx', 'POINT(6.2123 44.8123)'], // 2: sensitive (rule below)
  ['2024-05-13', '351', 'Rana temporaria', 'POINT(6.2 44.7)'], // 3
  ['hier', '60612', 'Lynx lynx', 'POINT(6.2123 44.8123)'], // 4: INVALID_DATE
]

describe('import preview and raw lines of sensitive rows, for readers other than the owner (ADR 15)', () => {
  let f: CheckFixture
  let id: number
  let reader: string
  const get = (url: string, cookie: string) =>
    f.t.app.inject({ method: 'GET', url: `/api/import/imports/${id}${url}`, headers: { cookie } })

  beforeAll(async () => {
    f = await checkFixture()
    await f.pool.query(
      `INSERT INTO gn_sensitivity.rules (cd_nom, level, source) VALUES (60612, 2, 'test');
       SELECT gn_sensitivity.refresh_rule_taxa()`,
    )
    ;({ id } = await f.upload('sensible.csv', delimited(ROWS, ';'), { datasetId: String(f.dataset.id) }))
    await f.mapFields(id, {
      dateMin: { column: 'date' },
      cdNom: { column: 'cd_nom' },
      nomCite: { column: 'nom' },
      wkt: { column: 'wkt' },
    })
    await f.check(id)
    await f.pool.query(`UPDATE import.imports SET status = 'checked' WHERE id = $1`, [id]) // as report.test.ts
    await createUser(f.pool, { login: 'reader3', grants: importGrants(3) })
    reader = await loginAs(f.t.app, 'reader3')
  })
  afterAll(async () => {
    await f?.close()
  })

  const previewOf = async (cookie: string) => {
    const response = await get('/preview?limit=100', cookie)
    expect(response.statusCode, response.body).toBe(200)
    const features = response.json().sample.features as { id: number; geometry: { type: string } }[]
    return Object.fromEntries(features.map((x) => [x.id, x.geometry.type]))
  }

  it('shows the owner the file as it is, another reader the sensitive row blurred to its 10 km cell', async () => {
    expect(await previewOf(f.cookie)).toEqual({ 2: 'Point', 3: 'Point' })
    expect(await previewOf(reader)).toEqual({ 2: 'Polygon', 3: 'Point' }) // the cell, simplified
  })

  it('gives the raw lines with errors to the owner only (or a reader with precise access)', async () => {
    expect((await get('/invalid-rows', f.cookie)).statusCode).toBe(200)
    const refused = await get('/invalid-rows', reader)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error.code).toBe('PRECISE_ACCESS_REQUIRED')
  })
})
