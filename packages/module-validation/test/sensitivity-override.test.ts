import { randomUUID } from 'node:crypto'
import { upsertSyntheseRows, withTransaction } from '@biodiv/core'
import { createTestApp, createUser, loginAs, type TestApp } from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const FROG = 351 // Rana temporaria (demo TAXREF), no sensitivity rule in the test template
const SOURCE = { name: 'SENSITIVITY_OVERRIDE_TEST', moduleCode: null, urlTemplate: null }
const point = { type: 'Point', coordinates: [6.2123, 44.8123] }

describe('a validator overrides a sensitivity level (PUT /api/validation/observations/:uuid/sensitivity)', () => {
  let t: TestApp
  const cookies: Record<string, string> = {}
  const uuid = randomUUID()
  let id: number
  let datasetId: number

  const call = (login: string, method: 'GET' | 'PUT', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { cookie: cookies[login]! }, payload: payload as never })
  const put = (login: string, body: unknown) =>
    call(login, 'PUT', `/api/validation/observations/${uuid}/sensitivity`, body)
  const upsert = () =>
    withTransaction(t.app.db.pool, (c) =>
      upsertSyntheseRows(c, SOURCE, [
        {
          uniqueIdSinp: uuid,
          entitySourcePkValue: '1',
          datasetId,
          cdNom: FROG,
          nomCite: 'Grenouille rousse',
          dateMin: '2024-05-01T08:00:00Z',
          geometry: point,
          placeName: 'La mare',
        },
      ]),
    )

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    const pool = t.app.db.pool
    datasetId = (
      await pool.query<{ id: number }>(
        `UPDATE gn_meta.datasets SET validable = true WHERE short_name = 'Faune opportuniste PNE' RETURNING id`,
      )
    ).rows[0]!.id
    const reader = [{ module: 'SYNTHESE', action: 'R', scope: 3 }] as const
    await createUser(pool, {
      login: 'val3',
      grants: [
        ...reader,
        { module: 'VALIDATION', action: 'R', scope: 3 },
        { module: 'VALIDATION', action: 'V', scope: 3 },
      ],
    })
    await createUser(pool, {
      login: 'reader3',
      grants: [...reader, { module: 'VALIDATION', action: 'R', scope: 3 }],
    })
    for (const login of ['val3', 'reader3', 'admin']) cookies[login] = await loginAs(t.app, login)
    id = (await upsert()).rows[0]!.id
  })
  afterAll(() => t?.close())

  const sheetOf = async (login: string) => {
    const res = await call(login, 'GET', `/api/synthese/observations/${id}`)
    expect(res.statusCode).toBe(200)
    return res.json()
  }

  it('refuses a caller without V, a bad level and an empty comment, changing nothing', async () => {
    expect((await put('reader3', { level: 3, comment: 'nid' })).statusCode).toBe(403)
    const bad = await put('val3', { level: 7, comment: 'nid' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.code).toBeTruthy()
    expect((await put('val3', { level: 3, comment: '   ' })).json().error.code).toBe('COMMENT_REQUIRED')
    expect((await sheetOf('admin')).sensitivity).toMatchObject({ level: 0, manual: false, history: [] })
  })

  it('blurs the observation for everyone without precise access, keeps it across re-writes, back to the rules', async () => {
    const res = await put('val3', { level: 3, comment: 'Aire de reproduction connue' })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ uniqueIdSinp: uuid, level: 3, manual: true, computedLevel: 0 })
    const blurred = await sheetOf('reader3')
    expect(blurred.sensitivity).toMatchObject({ level: 3, manual: true, blurred: true })
    expect(blurred.placeName).toBeNull()
    expect(blurred.geometry.type).not.toBe('Point')
    expect(blurred.sensitivity.history).toMatchObject([
      { level: 3, computedLevel: 0, comment: 'Aire de reproduction connue' },
    ])
    expect((await sheetOf('admin')).geometry).toEqual(point) // ADMIN: precise

    await upsert() // the source writes the row again: the expert's level stays
    expect((await sheetOf('reader3')).sensitivity).toMatchObject({ level: 3, manual: true })

    const back = await put('val3', { level: null, comment: 'Erreur de saisie' })
    expect(back.json()).toMatchObject({ level: 0, manual: false })
    const sheet = await sheetOf('reader3')
    expect(sheet.geometry).toEqual(point)
    expect(sheet.sensitivity.history.map((h: { level: number | null }) => h.level)).toEqual([3, null])
  })
})
