import { randomUUID } from 'node:crypto'
import { type SyntheseRowInput, upsertSyntheseRows, withTransaction } from '@biodiv/core'
import {
  createTestApp,
  createUser,
  DEMO_ORGANISM,
  DEMO_PARTNER,
  type GrantSpec,
  loginAs,
  type TestApp,
} from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const AVES = 185961 // class Aves (added to the demo TAXREF below)
const EAGLE = 2645 // Aquila chrysaetos, a bird
const FROG = 351 // Rana temporaria, an amphibian (demo TAXREF)
const inside = { type: 'Point', coordinates: [6.2, 44.8] }
const outside = { type: 'Point', coordinates: [6.6, 45.1] }
const SOURCE = { name: 'VALIDATION_TEST', moduleCode: null, urlTemplate: null }

type Obs = 'frog1' | 'frog2' | 'bird1' | 'bird2' | 'closed'

describe('validation API: statuses in bulk, history, filtered permissions, notifications', () => {
  let t: TestApp
  const users: Record<string, number> = {}
  const cookies: Record<string, string> = {}
  const uuid = {} as Record<Obs, string>
  const id = {} as Record<Obs, number>
  let area: number
  let rows: Record<Obs, SyntheseRowInput>

  const call = (login: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { cookie: cookies[login]! }, payload: payload as never })
  const setStatus = (login: string, body: Record<string, unknown>) =>
    call(login, 'POST', '/api/validation/statuses', body)
  const listed = async (login: string, query = '') => {
    const response = await call(login, 'GET', `/api/validation/observations?limit=1000${query}`)
    expect(response.statusCode, response.body).toBe(200)
    const ids = response.json().items.map((i: { uniqueIdSinp: string }) => i.uniqueIdSinp) as string[]
    return (Object.keys(uuid) as Obs[]).filter((k) => ids.includes(uuid[k])).sort()
  }
  const statusOf = async (obs: Obs) =>
    (
      await t.app.db.pool.query(
        `SELECT n.cd_nomenclature AS code, s.validator, s.validation_comment AS comment,
                s.meta_update_date AS updated
           FROM gn_synthese.synthese s LEFT JOIN ref_nomenclatures.nomenclatures n
             ON n.id = s.id_nomenclature_valid_status WHERE s.unique_id_sinp = $1`,
        [uuid[obs]],
      )
    ).rows[0]
  const notifications = async (login: string) =>
    (await call(login, 'GET', '/api/notifications')).json() as {
      unreadCount: number
      items: { kind: string; title: string; body: string | null; url: string }[]
    }

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    const pool = t.app.db.pool
    await pool.query(
      `INSERT INTO taxonomie.taxref (cd_nom, cd_ref, rang, regne, phylum, classe, lb_nom, path)
       VALUES (185961, 185961, 'CL', 'Animalia', 'Chordata', 'Aves', 'Aves', '185961'),
              (2645, 2645, 'ES', 'Animalia', 'Chordata', 'Aves', 'Aquila chrysaetos', '185961.2645')`,
    )
    const { rows: areas } = await pool.query(
      `SELECT a.id FROM ref_geo.areas a JOIN ref_geo.area_types at ON at.id = a.type_id
        WHERE at.code = 'M10' AND ST_Intersects(a.geom, ST_SetSRID(ST_Point(6.2, 44.8), 4326))
          AND NOT ST_Intersects(a.geom, ST_SetSRID(ST_Point(6.6, 45.1), 4326))`,
    )
    area = areas[0].id
    const { rows: ds } = await pool.query(
      `SELECT (SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE') AS pne,
              (SELECT id FROM gn_meta.datasets WHERE short_name = 'Oiseaux LPO 05') AS lpo,
              (SELECT id FROM gn_meta.datasets WHERE short_name = 'Amphibiens lacs PNE') AS closed`,
    )
    await pool.query('UPDATE gn_meta.datasets SET validable = false WHERE id = $1', [ds[0].closed])

    const v = (scope: 1 | 2 | 3): GrantSpec[] => [
      { module: 'VALIDATION', action: 'R', scope },
      { module: 'VALIDATION', action: 'V', scope },
    ]
    for (const [login, organism, grants] of [
      ['obs', DEMO_ORGANISM, []],
      ['dig', DEMO_ORGANISM, []],
      ['val', DEMO_ORGANISM, v(3)],
      ['birds', DEMO_PARTNER, [{ module: 'VALIDATION', action: 'R', scope: 3 }]],
      ['zone', DEMO_ORGANISM, [{ module: 'VALIDATION', action: 'R', scope: 3 }]],
      ['lpo', DEMO_PARTNER, v(2)],
      ['reader', DEMO_ORGANISM, [{ module: 'VALIDATION', action: 'R', scope: 3 }]],
      ['nobody', DEMO_ORGANISM, []],
    ] as const) {
      users[login] = await createUser(pool, { login, organism, grants: [...grants] })
      cookies[login] = await loginAs(t.app, login)
    }
    await pool.query(`UPDATE core.users SET first_name = 'Vera', last_name = 'Lidat' WHERE login = 'val'`)
    cookies.admin = await loginAs(t.app, 'admin')

    const base = (
      n: string,
      datasetId: number,
      cdNom: number,
      geometry: SyntheseRowInput['geometry'],
    ): SyntheseRowInput => ({
      uniqueIdSinp: randomUUID(),
      entitySourcePkValue: n,
      datasetId,
      cdNom,
      nomCite: n,
      dateMin: '2024-05-01T08:00:00Z',
      observers: 'Obs Erver',
      observerIds: [users.obs!],
      digitiserId: users.dig!,
      geometry,
    })
    rows = {
      frog1: base('frog1', ds[0].pne, FROG, inside),
      frog2: base('frog2', ds[0].pne, FROG, outside),
      bird1: { ...base('bird1', ds[0].lpo, EAGLE, inside), observerIds: [] },
      bird2: base('bird2', ds[0].pne, EAGLE, outside),
      closed: base('closed', ds[0].closed, FROG, inside),
    }
    const written = await withTransaction(pool, (client) =>
      upsertSyntheseRows(client, SOURCE, Object.values(rows)),
    )
    ;(Object.keys(rows) as Obs[]).forEach((k, i) => {
      uuid[k] = written.rows[i]!.uniqueIdSinp
      id[k] = written.rows[i]!.id
    })
  })
  afterAll(() => t.close())

  it('the admin API grants V narrowed to a taxon or an area, and returns the filters', async () => {
    const grant = (login: string, filters: Record<string, number>) =>
      call('admin', 'POST', '/api/admin/permissions', {
        userId: users[login],
        module: 'VALIDATION',
        action: 'V',
        scope: 3,
        ...filters,
      })
    const birds = await grant('birds', { taxon: AVES })
    expect(birds.statusCode, birds.body).toBe(201)
    expect(birds.json()).toMatchObject({
      module: 'VALIDATION',
      action: 'V',
      scope: 3,
      taxon: AVES,
      area: null,
    })
    const zone = await grant('zone', { area })
    expect(zone.json()).toMatchObject({ taxon: null, area })
    const listedRows = await call('admin', 'GET', `/api/admin/permissions?userId=${users.zone}`)
    expect(listedRows.json()).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'V', area })]),
    )
    const bad = await grant('zone', { taxon: 99999999 })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.code).toBe('UNKNOWN_TAXON')
    expect((await grant('zone', { area: 99999999 })).json().error.code).toBe('UNKNOWN_AREA')
  })

  it('lists what each validator may validate: validable datasets, scope, taxon and area filters', async () => {
    expect(await listed('val')).toEqual(['bird1', 'bird2', 'frog1', 'frog2'])
    expect(await listed('birds')).toEqual(['bird1', 'bird2'])
    expect(await listed('zone')).toEqual(['bird1', 'frog1'])
    expect(await listed('lpo')).toEqual(['bird1']) // scope 2: the LPO's dataset only
    expect(await listed('reader')).toEqual([]) // R without V: the module opens, nothing to validate
    const refused = await call('nobody', 'GET', '/api/validation/observations')
    expect(refused.statusCode).toBe(403)
    // Synthese filters apply on top.
    expect(await listed('val', `&taxon=${FROG}`)).toEqual(['frog1', 'frog2'])
    expect(await listed('val', `&area=${area}`)).toEqual(['bird1', 'frog1'])
    expect(await listed('val', '&status=0')).toEqual(['bird1', 'bird2', 'frog1', 'frog2'])
  })

  it("counts what a change by the same filter would change, within each validator's rows", async () => {
    const count = async (login: string, query = '') => {
      const response = await call(login, 'GET', `/api/validation/observations/count${query}`)
      expect(response.statusCode, response.body).toBe(200)
      return response.json().count as number
    }
    // Only this file's observations (the demo database may hold others): by their source.
    const ours = `?source=${SOURCE.name}`
    expect(await count('val', ours)).toBe(4)
    expect(await count('birds', ours)).toBe(2)
    expect(await count('zone', ours)).toBe(2)
    expect(await count('lpo', ours)).toBe(1)
    expect(await count('reader', ours)).toBe(0) // R without V: nothing to validate
    expect(await count('val', `${ours}&taxon=${FROG}&status=0`)).toBe(2)
    const refused = await call('nobody', 'GET', '/api/validation/observations/count')
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).not.toHaveProperty('count')
    const unknown = await call('val', 'GET', '/api/validation/observations/count?status=42')
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().error.code).toBe('UNKNOWN_STATUS')
    const limited = await call('val', 'GET', '/api/validation/observations/count?limit=5')
    expect(limited.statusCode).toBe(400)
  })

  it('gives a status, keeps the synthese row and the append-only history in step, oldest first', async () => {
    const first = await setStatus('val', { observations: [uuid.frog1], status: '2', comment: 'À confirmer' })
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json()).toEqual({ changed: 1 })
    const second = await setStatus('val', { observations: [uuid.frog1], status: '1', comment: 'Photo vue' })
    expect(second.json()).toEqual({ changed: 1 })
    expect(await statusOf('frog1')).toMatchObject({
      code: '1',
      validator: 'Vera Lidat',
      comment: 'Photo vue',
    })

    const history = await call('val', 'GET', `/api/validation/history/${uuid.frog1}`)
    expect(history.statusCode).toBe(200)
    expect(history.json()).toMatchObject({
      id: id.frog1,
      uniqueIdSinp: uuid.frog1,
      history: [
        { status: { code: '2' }, comment: 'À confirmer', validator: { id: users.val, name: 'Vera Lidat' } },
        { status: { code: '1' }, comment: 'Photo vue', automatic: false },
      ],
    })
    // The Synthese sheet shows the same history.
    const sheet = await call('admin', 'GET', `/api/synthese/observations/${id.frog1}`)
    expect(sheet.json().validationHistory.map((h: { status: { code: string } }) => h.status.code)).toEqual([
      '2',
      '1',
    ])
    expect(await listed('val', '&status=1')).toEqual(['frog1'])
    expect(await listed('val', `&validator=${users.val}`)).toEqual(['frog1'])
    expect(await listed('val', '&validator=lidat')).toEqual(['frog1'])
    // Outside the caller's R rows (none) or unknown: 404.
    expect((await call('nobody', 'GET', `/api/validation/history/${uuid.frog1}`)).statusCode).toBe(403)
    expect((await call('val', 'GET', `/api/validation/history/${randomUUID()}`)).statusCode).toBe(404)
  })

  it('notifies the digitiser and the observers (users) once per bulk change, not the validator, respecting opt-outs', async () => {
    // frog1's two changes above: one notification each for obs and dig.
    const obs = await notifications('obs')
    expect(obs.items.filter((n) => n.kind === 'validation.status')).toHaveLength(2)
    expect(obs.items[0]).toMatchObject({
      title: expect.stringContaining('Certain'),
      body: 'Photo vue',
      url: `/synthese?sheet=${id.frog1}`,
    })
    expect((await notifications('val')).items).toHaveLength(0)

    // Two observations of dig's in one bulk change: one notification saying 2.
    const before = (await notifications('dig')).items.length
    expect((await setStatus('val', { observations: [uuid.bird1, uuid.bird2], status: '2' })).json()).toEqual({
      changed: 2,
    })
    const dig = await notifications('dig')
    expect(dig.items).toHaveLength(before + 1)
    expect(dig.items[0]!.title).toMatch(/^2 de vos observations/)

    // Giving the same status again changes nothing to notify.
    await setStatus('val', { observations: [uuid.bird1, uuid.bird2], status: '2', comment: 'revu' })
    expect((await notifications('dig')).items).toHaveLength(before + 1)

    // obs opts out: dig still hears, obs no longer.
    const optOut = await call('obs', 'PUT', '/api/notifications/preferences', [
      { kind: 'validation.status', enabled: false },
    ])
    expect(optOut.statusCode).toBe(200)
    const obsBefore = (await notifications('obs')).items.length
    await setStatus('val', { observations: [uuid.bird2], status: '3' })
    expect((await notifications('obs')).items).toHaveLength(obsBefore)
    expect((await notifications('dig')).items).toHaveLength(before + 2)
  })

  it('refuses an unknown status, an observation outside the taxon, area or scope, a closed dataset: nothing changed', async () => {
    const unknown = await setStatus('val', { observations: [uuid.frog2], status: '9' })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().error.code).toBe('UNKNOWN_STATUS')

    // A bird expert cannot validate a frog, even in a batch of birds.
    const frog = await setStatus('birds', { observations: [uuid.bird1, uuid.frog2], status: '4' })
    expect(frog.statusCode).toBe(403)
    expect(frog.json().error).toMatchObject({
      code: 'OUTSIDE_VALIDATION_SCOPE',
      details: { count: 1, observations: [uuid.frog2] },
    })
    const zone = await setStatus('zone', { observations: [uuid.frog1, uuid.frog2], status: '4' })
    expect(zone.statusCode).toBe(403)
    const lpo = await setStatus('lpo', { observations: [uuid.bird1, uuid.bird2], status: '4' })
    expect(lpo.statusCode).toBe(403)

    const closed = await setStatus('val', { observations: [uuid.frog2, uuid.closed], status: '4' })
    expect(closed.statusCode).toBe(400)
    expect(closed.json().error).toMatchObject({ code: 'DATASET_NOT_VALIDABLE', details: { count: 1 } })
    const missing = await setStatus('val', { observations: [uuid.frog2, randomUUID()], status: '4' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().error.code).toBe('OBSERVATION_NOT_FOUND')

    const reader = await setStatus('reader', { observations: [uuid.frog2], status: '4' })
    expect(reader.statusCode).toBe(403)
    expect(reader.json().error.code).toBe('PERMISSION_DENIED')
    const both = await setStatus('val', { observations: [uuid.frog2], filter: {}, status: '4' })
    expect(both.json().error.code).toBe('SELECTION_REQUIRED')
    const badFilter = await setStatus('val', { filter: { geometry: 'POINT(' }, status: '4' })
    expect(badFilter.statusCode).toBe(400)

    // Nothing was written by any of these.
    for (const obs of ['frog2', 'bird1', 'closed'] as const) expect((await statusOf(obs)).code).not.toBe('4')
    expect((await statusOf('frog2')).code).toBe('0')
    const history = await call('val', 'GET', `/api/validation/history/${uuid.frog2}`)
    expect(history.json().history).toEqual([])
  })

  it('changes by filter only what the validator may validate, and the restricted validators within their filters', async () => {
    const frogs = await setStatus('val', { filter: { taxon: [FROG] }, status: '3', comment: 'lot' })
    expect(frogs.json()).toEqual({ changed: 2 }) // frog1, frog2; not the closed dataset's
    expect((await statusOf('closed')).code).toBe('0')
    const birds = await setStatus('birds', { filter: {}, status: '1' })
    expect(birds.json()).toEqual({ changed: 2 })
    expect((await statusOf('frog1')).code).toBe('3')
    expect((await statusOf('bird2')).code).toBe('1')
    const zone = await setStatus('zone', { filter: { status: ['3'] }, status: '5' })
    expect(zone.json()).toEqual({ changed: 1 }) // frog1 only: frog2 is outside the area
    expect((await statusOf('frog1')).code).toBe('5')
    expect((await statusOf('frog2')).code).toBe('3')
    const unknown = await setStatus('val', { filter: { status: ['42'] }, status: '1' })
    expect(unknown.json().error.code).toBe('UNKNOWN_STATUS')
  })

  it('flags observations edited after their last validation, and validating is not editing', async () => {
    const before = await statusOf('frog2')
    await setStatus('val', { observations: [uuid.frog2], status: '2' })
    expect((await statusOf('frog2')).updated).toEqual(before.updated)
    expect(await listed('val', '&modifiedSinceValidation=true')).toEqual([])

    // The source edits frog2 (a later transaction: its meta_update_date is after the validation).
    await withTransaction(t.app.db.pool, (client) =>
      upsertSyntheseRows(client, SOURCE, [
        { ...rows.frog2, uniqueIdSinp: uuid.frog2, countMin: 3, countMax: 3 },
      ]),
    )
    expect(await listed('val', '&modifiedSinceValidation=true')).toEqual(['frog2'])
    expect(await listed('val', '&modifiedSinceValidation=false')).not.toContain('frog2')
    const item = (await call('val', 'GET', `/api/validation/observations?taxon=${FROG}`))
      .json()
      .items.find((i: { uniqueIdSinp: string }) => i.uniqueIdSinp === uuid.frog2)
    expect(item.modifiedSinceValidation).toBe(true)
    // Validating again clears the flag.
    await setStatus('val', { observations: [uuid.frog2], status: '1' })
    expect(await listed('val', '&modifiedSinceValidation=true')).toEqual([])
  })

  it('pages with a keyset cursor and answers GeoJSON', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = await call(
        'val',
        'GET',
        `/api/validation/observations?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      )
      expect(page.statusCode).toBe(200)
      const body = page.json() as { items: { uniqueIdSinp: string; id: number }[]; nextCursor: string | null }
      expect(body.items.length).toBeLessThanOrEqual(1)
      seen.push(...body.items.map((i) => i.uniqueIdSinp))
      cursor = body.nextCursor
    } while (cursor)
    expect(seen).toHaveLength(4)
    expect(new Set(seen).size).toBe(4)

    const geojson = await call('val', 'GET', '/api/validation/observations?format=geojson&taxon=351')
    expect(geojson.headers['content-type']).toContain('application/geo+json')
    expect(geojson.json()).toMatchObject({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: { type: 'Point' }, properties: { validStatus: expect.any(String) } },
        { type: 'Feature' },
      ],
      nextCursor: null,
    })
  })
})
