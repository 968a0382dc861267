import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { withTransaction } from '../../src/db/transaction.ts'
import { upsertSyntheseRows } from '../../src/synthese/synthese-service.ts'
import { createTestApp, createUser, loginAs, type TestApp } from '../helpers/index.ts'

const point = { type: 'Point', coordinates: [6.2, 44.8] }

describe('sensitivity rules API (/api/sensitivity/rules, core ADMIN permissions)', () => {
  let t: TestApp
  let admin: string
  let agent: string
  let reader: string
  let cellId: number
  let datasetId: number
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    const { pool } = t.app.db
    await createUser(pool, { login: 'rules-reader', grants: [{ module: 'ADMIN', action: 'R', scope: 3 }] })
    admin = await loginAs(t.app, 'admin')
    agent = await loginAs(t.app, 'agent') // every module but ADMIN
    reader = await loginAs(t.app, 'rules-reader')
    const { rows } = await pool.query(
      `SELECT (SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE') AS dataset,
              (SELECT a.id FROM ref_geo.areas a JOIN ref_geo.area_types ty ON ty.id = a.type_id
                WHERE ty.code = 'M10' AND a.area_code = '10kmL93E095N641') AS cell`,
    )
    ;({ dataset: datasetId, cell: cellId } = rows[0])
  })
  afterAll(() => t.close())

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, cookie = admin) =>
    t.app.inject({ method, url, headers: cookie ? { cookie } : {}, payload: payload as object })

  it('creates, reads, lists, replaces and deletes a rule, saying how many observations each change recomputed', async () => {
    await withTransaction(t.app.db.pool, (client) =>
      upsertSyntheseRows(client, 'API_TEST', [
        {
          uniqueIdSinp: randomUUID(),
          datasetId,
          cdNom: 60612,
          nomCite: 'Lynx',
          dateMin: '2024-05-10',
          geometry: point,
        },
        {
          uniqueIdSinp: randomUUID(),
          datasetId,
          cdNom: 60612,
          nomCite: 'Lynx',
          dateMin: '2024-10-10',
          geometry: point,
        },
      ]),
    )
    const created = await call('POST', '/api/sensitivity/rules', {
      cdNom: 60612,
      nomCite: 'Lynx boréal',
      level: 3,
      periodStart: '0301',
      periodEnd: '0630',
      durationYears: 20,
      areaIds: [cellId],
      criteria: [{ type: 'STATUT_BIO', code: '1' }],
      comment: 'tanières',
    })
    expect(created.statusCode).toBe(201)
    const rule = created.json().rule
    expect(created.json().recomputed).toBe(1) // the May observation (instance default status 1 Non renseigné)
    expect(rule).toMatchObject({
      cdNom: 60612,
      nomCite: 'Lynx boréal',
      taxon: { lbNom: 'Lynx lynx', rang: 'ES' },
      level: 3,
      levelLabel: 'Sensible - Diffusion au département',
      durationYears: 20,
      periodStart: '0301',
      periodEnd: '0630',
      active: true,
      source: null,
      comment: 'tanières',
      areas: [{ id: cellId, type: 'M10', code: '10kmL93E095N641' }],
      criteria: [{ type: 'STATUT_BIO', code: '1', label: 'Non renseigné' }],
    })

    expect((await call('GET', `/api/sensitivity/rules/${rule.id}`)).json()).toEqual(rule)
    expect((await call('GET', `/api/sensitivity/rules/${rule.id}`, undefined, reader)).statusCode).toBe(200)

    const replaced = await call('PUT', `/api/sensitivity/rules/${rule.id}`, { cdNom: 60612, level: 1 })
    expect(replaced.statusCode).toBe(200)
    expect(replaced.json().recomputed).toBe(2) // the May row 3 → 1, the October row 0 → 1
    expect(replaced.json().rule).toMatchObject({
      level: 1,
      periodStart: null,
      areas: [],
      criteria: [],
      comment: null,
    })

    const deleted = await call('DELETE', `/api/sensitivity/rules/${rule.id}`)
    expect(deleted.statusCode).toBe(200)
    expect(deleted.json()).toEqual({ id: rule.id, recomputed: 2 })
    expect((await call('GET', `/api/sensitivity/rules/${rule.id}`)).json().error.code).toBe('RULE_NOT_FOUND')
  })

  it('lists rules with filters (taxon and below, level, active, source) and pages', async () => {
    for (const body of [
      { cdNom: 351, level: 2, source: 'list-test' },
      { cdNom: 351, level: 4, active: false, source: 'list-test' },
      { cdNom: 67111, level: 1, source: 'list-test' },
      { cdNom: 81065, level: 2, source: 'list-test' },
    ]) {
      expect((await call('POST', '/api/sensitivity/rules', body)).statusCode).toBe(201)
    }
    const list = (query: string) => call('GET', `/api/sensitivity/rules?source=list-test&${query}`)
    const all = (await list('')).json()
    expect(all).toMatchObject({ total: 4, limit: 50, offset: 0 })
    // By taxon name, highest level first.
    expect(all.items.map((r: { cdNom: number; level: number }) => [r.cdNom, r.level])).toEqual([
      [67111, 1], // Alburnus alburnus
      [81065, 2], // Alchemilla decumbens
      [351, 4],
      [351, 2],
    ])
    expect((await list('cdNom=351')).json().items).toHaveLength(2)
    expect((await list('level=2')).json().total).toBe(2)
    expect((await list('active=false')).json().items.map((r: { level: number }) => r.level)).toEqual([4])
    const page = (await list('limit=3&offset=3')).json()
    expect(page).toMatchObject({ total: 4, limit: 3, offset: 3 })
    expect(page.items).toHaveLength(1)
    expect((await list('level=9')).statusCode).toBe(400)
  })

  it('refuses callers without the ADMIN permission (403, nothing in the body but the error) and anonymous ones (401)', async () => {
    const { json } = await call('POST', '/api/sensitivity/rules', { cdNom: 95186, level: 1 })
    const id = json().rule.id
    for (const [method, url, action] of [
      ['GET', '/api/sensitivity/rules', 'R'],
      ['GET', `/api/sensitivity/rules/${id}`, 'R'],
      ['POST', '/api/sensitivity/rules', 'C'],
      ['PUT', `/api/sensitivity/rules/${id}`, 'U'],
      ['DELETE', `/api/sensitivity/rules/${id}`, 'D'],
    ] as const) {
      const body = method === 'POST' || method === 'PUT' ? { cdNom: 95186, level: 4 } : undefined
      const denied = await call(method, url, body, agent)
      expect(denied.statusCode).toBe(403)
      expect(denied.json()).toEqual({
        error: expect.objectContaining({ code: 'PERMISSION_DENIED', details: { module: 'ADMIN', action } }),
      })
      expect((await call(method, url, body, '')).statusCode).toBe(401)
      if (action !== 'R') expect((await call(method, url, body, reader)).statusCode).toBe(403)
    }
    expect((await call('GET', `/api/sensitivity/rules/${id}`)).json().level).toBe(1)
  })

  it('answers bad input with 400 and machine-readable codes naming the fields, unknown rules with 404', async () => {
    const post = (body: unknown) => call('POST', '/api/sensitivity/rules', body)
    const error = async (
      response: Promise<{ statusCode: number; json(): { error: { code: string; details?: unknown } } }>,
    ) => {
      const r = await response
      return { status: r.statusCode, code: r.json().error.code, details: r.json().error.details }
    }
    expect(await error(post({ cdNom: 99999999, level: 2 }))).toMatchObject({
      status: 400,
      code: 'UNKNOWN_TAXON',
      details: [{ field: 'cdNom' }],
    })
    expect(await error(post({ cdNom: 351, level: 2, areaIds: [cellId, 99999999] }))).toMatchObject({
      status: 400,
      code: 'UNKNOWN_AREA',
      details: [{ field: 'areaIds.1', message: 'area 99999999 does not exist' }],
    })
    expect(await error(post({ cdNom: 351, level: 2, periodStart: '1301', periodEnd: '0230' }))).toMatchObject(
      {
        status: 400,
        code: 'INVALID_PERIOD',
        details: [{ field: 'periodStart' }, { field: 'periodEnd' }],
      },
    )
    expect(await error(post({ cdNom: 351, level: 2, periodStart: '0101' }))).toMatchObject({
      status: 400,
      code: 'INVALID_PERIOD',
      details: [{ field: 'periodEnd', message: 'a period needs both its start and its end' }],
    })
    expect(
      await error(post({ cdNom: 351, level: 2, criteria: [{ type: 'STATUT_BIO', code: '42' }] })),
    ).toMatchObject({
      status: 400,
      code: 'UNKNOWN_NOMENCLATURE',
      details: [{ field: 'criteria.0', type: 'STATUT_BIO', code: '42' }],
    })
    for (const body of [
      { cdNom: 351, level: 5 },
      { cdNom: 351 },
      { cdNom: 351, level: 2, criteria: [{ type: 'SEXE', code: '2' }] },
      { cdNom: 351, level: 2, durationYears: 0 },
      { cdNom: 351, level: 2, unknownField: true },
      { cdNom: '351', level: 2 },
      { cdNom: 1e12, level: 2 },
      { cdNom: 351, level: 2, areaIds: [1e12] },
    ]) {
      expect(await error(post(body))).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' })
    }
    // A period given in another form is stored as MMDD.
    const dated = await post({ cdNom: 351, level: 2, periodStart: '11-01', periodEnd: '15/02' })
    expect(dated.json().rule).toMatchObject({ periodStart: '1101', periodEnd: '0215' })

    expect(await error(call('PUT', '/api/sensitivity/rules/999999', { cdNom: 351, level: 2 }))).toMatchObject(
      {
        status: 404,
        code: 'RULE_NOT_FOUND',
      },
    )
    expect(await error(call('DELETE', '/api/sensitivity/rules/999999'))).toMatchObject({
      status: 404,
      code: 'RULE_NOT_FOUND',
    })
    expect(await error(call('GET', '/api/sensitivity/rules/99999999999'))).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
    })
    expect(await error(call('GET', '/api/sensitivity/rules/abc'))).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
    })
    // An update refused leaves the rule as it was.
    const id = dated.json().rule.id
    expect(
      (await call('PUT', `/api/sensitivity/rules/${id}`, { cdNom: 99999999, level: 4 })).statusCode,
    ).toBe(400)
    expect((await call('GET', `/api/sensitivity/rules/${id}`)).json()).toMatchObject({ cdNom: 351, level: 2 })
  })

  it('documents the routes and their schemas in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json()
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/sensitivity/rules', '/api/sensitivity/rules/{id}']),
    )
    const post = doc.paths['/api/sensitivity/rules'].post
    expect(post.tags).toEqual(['sensitivity'])
    expect(post.requestBody.content['application/json'].schema.properties).toHaveProperty('criteria')
    expect(post.responses['201'].content['application/json'].schema.properties).toHaveProperty('recomputed')
    expect(doc.paths['/api/sensitivity/rules/{id}'].delete.responses).toHaveProperty('404')
  })
})

describe('the periodic sensitivity refresh', () => {
  it('runs on the app timer, recomputes expired durations, and stops with the app', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const t = await createTestApp({ env: { SENSITIVITY_REFRESH_MINUTES: '5' } })
    try {
      const { pool } = t.app.db
      const admin = await loginAs(t.app, 'admin')
      const datasetId = (
        await pool.query(`SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE'`)
      ).rows[0].id
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/sensitivity/rules',
        headers: { cookie: admin },
        payload: { cdNom: 18437, level: 2, durationYears: 10 },
      })
      const uuid = randomUUID()
      await withTransaction(pool, (client) =>
        upsertSyntheseRows(client, 'TIMER_TEST', [
          {
            uniqueIdSinp: uuid,
            datasetId,
            cdNom: 18437,
            nomCite: 'Écrevisse',
            dateMin: '2023-06-01',
            geometry: point,
          },
        ]),
      )
      const level = async () =>
        (
          await pool.query('SELECT sensitivity_level FROM gn_synthese.synthese WHERE unique_id_sinp = $1', [
            uuid,
          ])
        ).rows[0].sensitivity_level
      expect(await level()).toBe(2)
      // Time passes (written straight into the table): the rule covers one year only now.
      await pool.query('UPDATE gn_sensitivity.rules SET duration_years = 1 WHERE id = $1', [
        created.json().rule.id,
      ])
      vi.advanceTimersByTime(4 * 60_000)
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(await level()).toBe(2)
      vi.advanceTimersByTime(60_000)
      await vi.waitFor(async () => expect(await level()).toBe(0), { timeout: 5000, interval: 50 })
    } finally {
      await t.close()
      vi.useRealTimers()
    }
  })
})
