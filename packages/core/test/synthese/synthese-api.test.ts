import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withTransaction } from '../../src/db/transaction.ts'
import { type SyntheseRowInput, upsertSyntheseRows } from '../../src/synthese/synthese-service.ts'
import {
  createTestApp,
  createUser,
  DEMO_ORGANISM,
  DEMO_PARTNER,
  loginAs,
  type TestApp,
} from '../helpers/index.ts'

const PNE = DEMO_ORGANISM
const LPO = DEMO_PARTNER
const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] })
const square = (x0: number, y0: number, x1: number, y1: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0],
    ],
  ],
})

describe('synthese API: search, filters, keyset pages, GeoJSON, sheet, scope', () => {
  let t: TestApp
  const cookies: Record<string, string> = {}
  const users: Record<string, number> = {}
  const obs: Record<string, number> = {}
  let pneDataset: number
  let lpoDataset: number

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    const pool = t.app.db.pool
    for (const [login, organism, scope] of [
      ['pne1', PNE, 1],
      ['pne2', PNE, 2],
      ['lpo1', LPO, 1],
      ['lpo2', LPO, 2],
      ['all3', LPO, 3],
    ] as const) {
      users[login] = await createUser(pool, {
        login,
        organism,
        grants: [{ module: 'SYNTHESE', action: 'R', scope }],
      })
      cookies[login] = await loginAs(t.app, login)
    }
    await createUser(pool, { login: 'nobody', organism: PNE })
    cookies.nobody = await loginAs(t.app, 'nobody')
    cookies.admin = await loginAs(t.app, 'admin')
    const ds = await pool.query(
      `SELECT (SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE') AS pne,
              (SELECT id FROM gn_meta.datasets WHERE short_name = 'Oiseaux LPO 05') AS lpo`,
    )
    pneDataset = ds.rows[0].pne
    lpoDataset = ds.rows[0].lpo
    await pool.query(
      `INSERT INTO gn_synthese.sources (name, module_code, url_template)
       VALUES ('OCCTAX', 'OCCTAX', '/occtax/releves/{pk}')`,
    )
    const rows: [string, string, SyntheseRowInput][] = [
      [
        'lynx',
        'OCCTAX',
        {
          datasetId: pneDataset,
          cdNom: 60612,
          nomCite: 'Lynx boréal',
          dateMin: '2020-05-10T09:00:00Z',
          observers: 'Jean Dupont, pne1',
          observerIds: [users.pne1!],
          validStatus: '1',
          entitySourcePkValue: '12',
          countMin: 1,
          countMax: 2,
          geometry: point(6.2, 44.8),
        },
      ],
      [
        'rana',
        'OCCTAX',
        {
          datasetId: pneDataset,
          cdNom: 351,
          nomCite: 'Grenouille rousse',
          dateMin: '2021-06-01',
          observers: 'Marie Martin',
          geometry: point(6.4, 44.9),
        },
      ],
      [
        'alburnus',
        'IMPORT:1',
        {
          datasetId: lpoDataset,
          cdNom: 67111,
          nomCite: 'Ablette',
          dateMin: '2022-07-01',
          digitiserId: users.lpo1!,
          geometry: point(6.5, 45.0),
        },
      ],
      [
        'ranaLpo',
        'IMPORT:1',
        {
          datasetId: lpoDataset,
          cdNom: 351,
          nomCite: 'Rana temporaria',
          dateMin: '2019-01-01',
          geometry: square(5.9, 44.55, 5.95, 44.6),
        },
      ],
    ]
    for (const [key, source, r] of rows) {
      const result = await withTransaction(pool, (c) =>
        upsertSyntheseRows(c, source, [{ uniqueIdSinp: randomUUID(), ...r }]),
      )
      obs[key] = result.rows[0]!.id
    }
  })
  afterAll(() => t.close())

  const get = (url: string, who: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'GET',
      url: `/api/synthese${url}`,
      headers: { cookie: cookies[who]!, ...headers },
    })
  const keys = async (query: string, who = 'all3') => {
    const response = await get(`/observations${query}`, who)
    expect(response.statusCode, response.body).toBe(200)
    const ids = (response.json().items as { id: number }[]).map((i) => i.id)
    return Object.entries(obs)
      .filter(([, id]) => ids.includes(id))
      .map(([k]) => k)
      .sort()
  }

  it('lists observations with their taxon, dataset, status and geometry, newest first', async () => {
    const response = await get('/observations', 'all3')
    expect(response.statusCode).toBe(200)
    const { items, nextCursor } = response.json()
    expect(nextCursor).toBeNull()
    expect(items.map((i: { id: number }) => i.id)).toEqual([obs.ranaLpo, obs.alburnus, obs.rana, obs.lynx])
    expect(items[3]).toEqual({
      id: obs.lynx,
      uniqueIdSinp: expect.stringMatching(/^[0-9a-f-]{36}$/),
      cdNom: 60612,
      nomCite: 'Lynx boréal',
      lbNom: 'Lynx lynx',
      nomVern: expect.any(String),
      dateMin: expect.stringMatching(/^2020-05-10T09:00:00/),
      dateMax: expect.stringMatching(/^2020-05-10T09:00:00/),
      observers: 'Jean Dupont, pne1',
      countMin: 1,
      countMax: 2,
      datasetId: pneDataset,
      datasetName: 'Observations opportunistes faune',
      validStatus: '1',
      source: 'OCCTAX',
      sensitivityLevel: 0,
      blurred: false,
      geometry: point(6.2, 44.8),
    })
  })

  it('applies every filter', async () => {
    expect(await keys('?taxon=351')).toEqual(['rana', 'ranaLpo'])
    expect(await keys('?taxon=351&taxon=60612')).toEqual(['lynx', 'rana', 'ranaLpo'])
    expect(await keys('?taxonTree=60612')).toEqual(['lynx'])
    expect(await keys('?dateMin=2020-05-10')).toEqual(['alburnus', 'lynx', 'rana'])
    expect(await keys('?dateMax=2020-05-10')).toEqual(['lynx', 'ranaLpo'])
    expect(await keys('?dateMin=2020-01-01&dateMax=2021-12-31')).toEqual(['lynx', 'rana'])
    expect(await keys(`?dataset=${lpoDataset}`)).toEqual(['alburnus', 'ranaLpo'])
    const { rows } = await t.app.db.pool.query(
      `SELECT a.id FROM ref_geo.areas a JOIN ref_geo.area_types ty ON ty.id = a.type_id
        WHERE ty.code = 'M10' AND ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(6.2, 44.8), 4326))`,
    )
    expect(await keys(`?area=${rows[0].id}`)).toEqual(['lynx'])
    expect(await keys('?observer=dupont')).toEqual(['lynx'])
    expect(await keys(`?observer=${users.pne1}`)).toEqual(['lynx'])
    expect(await keys('?status=1')).toEqual(['lynx'])
    expect(await keys('?status=0')).toEqual(['alburnus', 'rana', 'ranaLpo']) // the default, pending
    const aroundLynx = encodeURIComponent(JSON.stringify(square(6.15, 44.75, 6.25, 44.85)))
    expect(await keys(`?geometry=${aroundLynx}`)).toEqual(['lynx'])
    expect(
      await keys(
        `?geometry=${encodeURIComponent('POLYGON((6.35 44.85, 6.45 44.85, 6.45 44.95, 6.35 44.95, 6.35 44.85))')}`,
      ),
    ).toEqual(['rana'])
    expect(await keys('?geometry=POINT(5.92 44.57)')).toEqual(['ranaLpo'])
    expect(await keys('?bbox=6.45,44.95,6.55,45.05')).toEqual(['alburnus'])
    expect(await keys('?source=IMPORT:1')).toEqual(['alburnus', 'ranaLpo'])
    expect(await keys('?taxon=351&source=OCCTAX')).toEqual(['rana'])
    expect(await keys('?import=1')).toEqual(['alburnus', 'ranaLpo'])
    expect(await keys('?import=2')).toEqual([])

    for (const bad of [
      '?geometry=nonsense',
      '?geometry={"type":"Point"}',
      '?bbox=7,45,6,44',
      '?cursor=xyz',
    ]) {
      const response = await get(`/observations${bad}`, 'all3')
      expect(response.statusCode, bad).toBe(400)
    }
    expect((await get('/observations?limit=1001', 'all3')).statusCode).toBe(400)
  })

  it('pages with an opaque keyset cursor, stable when rows are inserted between pages', async () => {
    const first = await get('/observations?limit=3', 'all3')
    const page1 = first.json()
    expect(page1.items).toHaveLength(3)
    expect(page1.nextCursor).toEqual(expect.any(String))
    // A new observation arrives between the two pages.
    const added = await withTransaction(t.app.db.pool, (c) =>
      upsertSyntheseRows(c, 'OCCTAX', [
        {
          datasetId: pneDataset,
          cdNom: 351,
          nomCite: 'x',
          dateMin: '2024-01-01',
          geometry: point(6.3, 44.8),
        },
      ]),
    )
    const page2 = (await get(`/observations?limit=3&cursor=${page1.nextCursor}`, 'all3')).json()
    expect(page2.nextCursor).toBeNull()
    const seen = [...page1.items, ...page2.items].map((i: { id: number }) => i.id)
    expect(seen).toEqual([obs.ranaLpo, obs.alburnus, obs.rana, obs.lynx])
    // A fresh first page shows it.
    expect((await get('/observations?limit=1', 'all3')).json().items[0].id).toBe(added.rows[0]!.id)
    await withTransaction(t.app.db.pool, (c) =>
      c.query('DELETE FROM gn_synthese.synthese WHERE id = $1', [added.rows[0]!.id]),
    )
  })

  it('answers a GeoJSON FeatureCollection on Accept: application/geo+json or format=geojson', async () => {
    for (const response of [
      await get('/observations?taxon=60612', 'all3', { accept: 'application/geo+json' }),
      await get('/observations?taxon=60612&format=geojson', 'all3'),
    ]) {
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toMatch(/^application\/geo\+json/)
      expect(response.json()).toEqual({
        type: 'FeatureCollection',
        nextCursor: null,
        features: [
          {
            type: 'Feature',
            id: obs.lynx,
            geometry: point(6.2, 44.8),
            properties: expect.objectContaining({ cdNom: 60612, lbNom: 'Lynx lynx', validStatus: '1' }),
          },
        ],
      })
    }
  })

  it('gives the full sheet: taxonomy, nomenclature codes and labels, areas, dataset, source link, observers', async () => {
    const response = await get(`/observations/${obs.lynx}`, 'all3')
    expect(response.statusCode).toBe(200)
    const sheet = response.json()
    expect(sheet).toMatchObject({
      id: obs.lynx,
      taxon: { cdNom: 60612, lbNom: 'Lynx lynx' },
      nomCite: 'Lynx boréal',
      observers: 'Jean Dupont, pne1',
      observerUsers: [{ id: users.pne1, name: 'pne1' }],
      digitiser: null,
      geometry: point(6.2, 44.8),
      point: point(6.2, 44.8),
      dataset: { id: pneDataset, name: 'Observations opportunistes faune' },
      source: { name: 'OCCTAX', moduleCode: 'OCCTAX', entityPk: '12', url: '/occtax/releves/12' },
      validation: { validator: null, date: null, comment: null },
    })
    expect(sheet.nomenclatures.validStatus).toEqual({ code: '1', label: 'Certain - très probable' })
    expect(sheet.nomenclatures.sex).toEqual({ code: '6', label: 'Non renseigné' })
    expect(sheet.nomenclatures.diffusionLevel).toBeNull()
    expect(Object.keys(sheet.nomenclatures)).toHaveLength(21)
    expect(sheet.areas.map((a: { type: string }) => a.type).sort()).toEqual(['M10', 'M5', 'PAYS'])
    expect(sheet.areas.find((a: { type: string }) => a.type === 'PAYS')).toMatchObject({ code: 'FR' })
    expect((await get('/observations/999999', 'all3')).statusCode).toBe(404)
  })

  it('shows the validation history on the sheet, oldest first, kept append-only by the database', async () => {
    const pool = t.app.db.pool
    const validator = await createUser(pool, { login: 'expert', organism: PNE })
    const status = (code: string) =>
      `(SELECT n.id FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types ty ON ty.id = n.type_id
         WHERE ty.mnemonique = 'STATUT_VALID' AND n.cd_nomenclature = '${code}')`
    const { rows } = await pool.query(
      `INSERT INTO gn_synthese.validation_history
              (unique_id_sinp, id_nomenclature_valid_status, id_validator, validation_date, comment, automatic)
       SELECT s.unique_id_sinp, v.status, v.validator, v.at::timestamptz, v.comment, v.automatic
         FROM gn_synthese.synthese s,
              (VALUES (${status('2')}, $2::int, '2024-03-02T10:00:00Z', 'Photo floue', false),
                      (${status('0')}, NULL::int, '2024-03-01T08:00:00Z', NULL, true)) AS v(status, validator, at, comment, automatic)
        WHERE s.id = $1
       RETURNING id`,
      [obs.lynx, validator],
    )
    expect(rows).toHaveLength(2)

    const sheet = (await get(`/observations/${obs.lynx}`, 'all3')).json()
    expect(sheet.validationHistory).toEqual([
      {
        date: '2024-03-01T08:00:00+00:00',
        status: { code: '0', label: expect.any(String) },
        validator: null,
        comment: null,
        automatic: true,
      },
      {
        date: '2024-03-02T10:00:00+00:00',
        status: { code: '2', label: 'Probable' },
        validator: { id: validator, name: 'expert' },
        comment: 'Photo floue',
        automatic: false,
      },
    ])
    expect((await get(`/observations/${obs.rana}`, 'all3')).json().validationHistory).toEqual([])

    await expect(pool.query('UPDATE gn_synthese.validation_history SET comment = $1', ['x'])).rejects.toThrow(
      /append-only/,
    )
    await expect(pool.query('DELETE FROM gn_synthese.validation_history')).rejects.toThrow(/append-only/)
    // Deleting a validator keeps their history, anonymised by the foreign key.
    await pool.query('DELETE FROM core.users WHERE id = $1', [validator])
    const after = (await get(`/observations/${obs.lynx}`, 'all3')).json().validationHistory
    expect(after.map((h: { validator: unknown; comment: unknown }) => [h.validator, h.comment])).toEqual([
      [null, null],
      [null, 'Photo floue'],
    ])
  })

  it('restricts list and sheet to the caller’s scope (1 own, 2 organism’s datasets, 3 all), 404 outside', async () => {
    // pne1: observer of the lynx. pne2: the PNE datasets. lpo1: digitiser of the ablette. lpo2: the LPO dataset.
    expect(await keys('', 'pne1')).toEqual(['lynx'])
    expect(await keys('', 'pne2')).toEqual(['lynx', 'rana'])
    expect(await keys('', 'lpo1')).toEqual(['alburnus'])
    expect(await keys('', 'lpo2')).toEqual(['alburnus', 'ranaLpo'])
    expect(await keys('', 'all3')).toEqual(['alburnus', 'lynx', 'rana', 'ranaLpo'])
    // The demo observer is a person actor of the LPO dataset: scope 1 is enough (admin grants them R 1).
    cookies.observer = await loginAs(t.app, 'observer')
    expect(await keys('', 'observer')).toEqual(['alburnus', 'ranaLpo'])
    // Filters never widen the scope.
    expect(await keys('?taxon=351', 'pne1')).toEqual([])

    expect((await get(`/observations/${obs.lynx}`, 'pne1')).statusCode).toBe(200)
    for (const [who, key] of [
      ['pne1', 'rana'],
      ['pne2', 'alburnus'],
      ['lpo1', 'ranaLpo'],
      ['lpo2', 'lynx'],
    ] as const) {
      const response = await get(`/observations/${obs[key]}`, who)
      expect(response.statusCode, `${who} ${key}`).toBe(404)
      expect(response.json().error.code).toBe('OBSERVATION_NOT_FOUND')
    }
    expect((await get('/observations', 'nobody')).statusCode).toBe(403)
    expect((await get(`/observations/${obs.lynx}`, 'nobody')).statusCode).toBe(403)
  })

  it('lists the datasets to filter on within the scope, without a METADATA grant', async () => {
    const names = async (who: string) => {
      const response = await get('/datasets', who)
      expect(response.statusCode, response.body).toBe(200)
      return (response.json() as { id: number }[]).map((d) => d.id)
    }
    // pne1 has no METADATA grant and is an actor of no dataset: the dataset of the lynx they observed.
    expect(await names('pne1')).toEqual([pneDataset])
    // lpo1 digitised the ablette of the LPO dataset.
    expect(await names('lpo1')).toEqual([lpoDataset])
    expect(await names('pne2')).toContain(pneDataset)
    expect(await names('pne2')).not.toContain(lpoDataset)
    const all = await names('all3')
    expect(all).toEqual(expect.arrayContaining([pneDataset, lpoDataset]))
    expect((await get('/datasets', 'nobody')).statusCode).toBe(403)
  })

  it('makes metadata refuse to delete a dataset that has synthese rows (409)', async () => {
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/api/meta/datasets/${pneDataset}`,
      headers: { cookie: cookies.admin! },
    })
    expect(response.statusCode).toBe(409)
    expect(response.json().error.code).toBe('DATASET_HAS_OBSERVATIONS')
    expect(response.json().error.message).toBeDefined()
  })
})
