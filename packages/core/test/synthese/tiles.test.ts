import { randomUUID } from 'node:crypto'
import { VectorTile } from '@mapbox/vector-tile'
import { PbfReader } from 'pbf'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withTransaction } from '../../src/db/transaction.ts'
import type { ObservationSearch } from '../../src/synthese/synthese-queries.ts'
import { type SyntheseRowInput, upsertSyntheseRows } from '../../src/synthese/synthese-service.ts'
import { hasSqlMvt, syntheseTile, type Tile } from '../../src/synthese/synthese-tiles.ts'
import { createTestApp, createUser, DEMO_ORGANISM, loginAs, type TestApp } from '../helpers/index.ts'

const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] })

/** Fractional XYZ tile coordinates of a WGS 84 point (Web Mercator, y from the top). */
const tileXY = (lon: number, lat: number, z: number) => {
  const r = (lat * Math.PI) / 180
  return {
    x: ((lon + 180) / 360) * 2 ** z,
    y: ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z,
  }
}
const tileOf = (lon: number, lat: number, z: number) => {
  const { x, y } = tileXY(lon, lat, z)
  return { z, x: Math.floor(x), y: Math.floor(y) }
}
const decode = (body: Buffer) => new VectorTile(new PbfReader(body))
const layerFeatures = (body: Buffer, name: string) => {
  const layer = decode(body).layers[name]
  if (!layer) return []
  return Array.from({ length: layer.length }, (_, i) => layer.feature(i))
}

// The cluster around the lynx (z14 tile of 6.2, 44.8 is ≈ 2.4 km wide): 20 observations of Rana temporaria.
const CLUSTER = Array.from({ length: 20 }, (_, i) => [6.1 + (i % 5) * 0.05, 44.7 + Math.floor(i / 5) * 0.05])

describe('synthese vector tiles', () => {
  let t: TestApp
  const cookies: Record<string, string> = {}
  const users: Record<string, number> = {}
  const obs: Record<string, number> = {}
  let pneDataset: number
  let lpoDataset: number

  const insert = async (source: string, rows: SyntheseRowInput[]) =>
    withTransaction(t.app.db.pool, (c) =>
      upsertSyntheseRows(
        c,
        source,
        rows.map((r) => ({ uniqueIdSinp: randomUUID(), ...r })),
      ),
    )

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    const pool = t.app.db.pool
    for (const [login, scope] of [
      ['pne1', 1],
      ['all3', 3],
    ] as const) {
      users[login] = await createUser(pool, {
        login,
        organism: DEMO_ORGANISM,
        grants: [{ module: 'SYNTHESE', action: 'R', scope }],
      })
      cookies[login] = await loginAs(t.app, login)
    }
    await createUser(pool, { login: 'nobody', organism: DEMO_ORGANISM })
    cookies.nobody = await loginAs(t.app, 'nobody')
    const ds = await pool.query(
      `SELECT (SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE') AS pne,
              (SELECT id FROM gn_meta.datasets WHERE short_name = 'Oiseaux LPO 05') AS lpo`,
    )
    pneDataset = ds.rows[0].pne
    lpoDataset = ds.rows[0].lpo
    const base = { datasetId: pneDataset, nomCite: 'x' }
    obs.lynx = (
      await insert('OCCTAX', [
        {
          ...base,
          cdNom: 60612,
          nomCite: 'Lynx boréal',
          dateMin: '2020-05-10T09:00:00Z',
          observerIds: [users.pne1!],
          validStatus: '1',
          geometry: point(6.2, 44.8),
        },
      ])
    ).rows[0]!.id
    obs.alburnus = (
      await insert('IMPORT:1', [
        {
          datasetId: lpoDataset,
          cdNom: 67111,
          nomCite: 'Ablette',
          dateMin: '2022-07-01',
          geometry: point(6.5, 45.0),
        },
      ])
    ).rows[0]!.id
    const cluster = await insert(
      'IMPORT:1',
      CLUSTER.map(([lon, lat], i) => ({
        ...base,
        cdNom: 351,
        dateMin: '2021-06-01',
        // one of them digitised by pne1: visible to them at scope 1
        ...(i === 7 ? { digitiserId: users.pne1! } : {}),
        geometry: point(lon!, lat!),
      })),
    )
    obs.digitised = cluster.rows[7]!.id
  })
  afterAll(() => t.close())

  const get = (path: string, who?: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'GET',
      url: `/api/synthese/tiles/${path}`,
      headers: { ...(who ? { cookie: cookies[who]! } : {}), ...headers },
    })
  const url = ({ z, x, y }: { z: number; x: number; y: number }, query = '') => `${z}/${x}/${y}.pbf${query}`
  const lynxZ14 = tileOf(6.2, 44.8, 14)
  const ecrinsZ6 = tileOf(6.2, 44.8, 6)

  /** Observations the caller may see (the list, same filters) that fall in the tile: the tiles' oracle. */
  const visibleInTile = async (who: string, tile: { z: number; x: number; y: number }, query = '') => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/synthese/observations?limit=1000${query ? `&${query.slice(1)}` : ''}`,
      headers: { cookie: cookies[who]! },
    })
    expect(response.statusCode, response.body).toBe(200)
    return (response.json().items as { geometry: { coordinates: [number, number] } }[]).filter((i) => {
      const { x, y } = tileXY(...i.geometry.coordinates, tile.z)
      return Math.floor(x) === tile.x && Math.floor(y) === tile.y
    }).length
  }
  const gridTotal = (body: Buffer) =>
    layerFeatures(body, 'grid').reduce((sum, f) => sum + (f.properties.count as number), 0)

  it('gives points with their properties at their pixel above zoom 10', async () => {
    const response = await get(url(lynxZ14), 'all3')
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers['content-type']).toBe('application/vnd.mapbox-vector-tile')
    expect(response.headers['cache-control']).toBe('private, max-age=0, must-revalidate')
    const tile = decode(response.rawPayload)
    expect(Object.keys(tile.layers)).toEqual(['observations'])
    expect(tile.layers.observations!.extent).toBe(4096)
    const features = layerFeatures(response.rawPayload, 'observations')
    const lynx = features.find((f) => f.properties.id === obs.lynx)!
    expect(lynx.id).toBe(obs.lynx)
    expect(lynx.type).toBe(1)
    expect(lynx.properties).toEqual({ id: obs.lynx, cdNom: 60612, date: '2020-05-10', status: '1' })
    const { x, y } = tileXY(6.2, 44.8, 14)
    const position = lynx.loadGeometry()[0]![0]!
    expect(Math.abs(position.x - (x - lynxZ14.x) * 4096)).toBeLessThanOrEqual(1)
    expect(Math.abs(position.y - (y - lynxZ14.y) * 4096)).toBeLessThanOrEqual(1)
    // the cluster point 6.2, 44.8 of the generated ones is in the same tile, pending (status 0)
    expect(features.map((f) => f.properties.cdNom).sort()).toEqual([351, 60612])
    expect(features.find((f) => f.properties.cdNom === 351)!.properties.status).toBe('0')
  })

  it('counts observations in a 64 × 64 grid up to zoom 10, every visible one once', async () => {
    const response = await get(url(ecrinsZ6), 'all3')
    expect(response.statusCode, response.body).toBe(200)
    expect(Object.keys(decode(response.rawPayload).layers)).toEqual(['grid'])
    const cells = layerFeatures(response.rawPayload, 'grid')
    expect(cells.length).toBeGreaterThan(1)
    for (const cell of cells) {
      expect(cell.type).toBe(3)
      expect(cell.properties.count).toBeGreaterThanOrEqual(1)
      // a square of 64 px on the 64 px grid of the tile
      const ring = cell.loadGeometry()[0]!
      const xs = ring.map((p) => p.x)
      const ys = ring.map((p) => p.y)
      expect(Math.max(...xs) - Math.min(...xs)).toBe(64)
      expect(Math.max(...ys) - Math.min(...ys)).toBe(64)
      expect(Math.min(...xs) % 64).toBe(0)
      expect(Math.min(...ys) % 64).toBe(0)
    }
    expect(await visibleInTile('all3', ecrinsZ6)).toBe(22)
    expect(gridTotal(response.rawPayload)).toBe(22)
    // the four z7 children split the same observations between them
    let children = 0
    for (const [dx, dy] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ]) {
      const child = await get(url({ z: 7, x: ecrinsZ6.x * 2 + dx!, y: ecrinsZ6.y * 2 + dy! }), 'all3')
      if (child.statusCode === 200) children += gridTotal(child.rawPayload)
      else expect(child.statusCode).toBe(204)
    }
    expect(children).toBe(22)
  })

  it('applies the filters of the list (taxon, dateMin, dataset)', async () => {
    const ids = async (query: string) => {
      const response = await get(url(lynxZ14, query), 'all3')
      if (response.statusCode === 204) return []
      expect(response.statusCode, response.body).toBe(200)
      return layerFeatures(response.rawPayload, 'observations').map((f) => f.properties.cdNom)
    }
    expect(await ids('?taxon=60612')).toEqual([60612])
    expect(await ids('?taxon=351')).toEqual([351])
    expect(await ids('?dateMin=2021-01-01')).toEqual([351])
    expect(await ids('?dateMin=2023-01-01')).toEqual([])
    for (const query of [
      `?dataset=${lpoDataset}`,
      `?dataset=${pneDataset}`,
      '?taxon=351&dateMin=2021-06-01',
    ]) {
      const response = await get(url(ecrinsZ6, query), 'all3')
      expect(response.statusCode, response.body).toBe(200)
      const expected = await visibleInTile('all3', ecrinsZ6, query)
      expect(gridTotal(response.rawPayload)).toBe(expected)
    }
    expect(gridTotal((await get(url(ecrinsZ6, `?dataset=${lpoDataset}`), 'all3')).rawPayload)).toBe(1)
  })

  it('shows a scope 1 user only their own observations, as points and as counts', async () => {
    const points = await get(url(lynxZ14), 'pne1')
    expect(points.statusCode, points.body).toBe(200)
    expect(layerFeatures(points.rawPayload, 'observations').map((f) => f.properties.id)).toEqual([obs.lynx])
    const grid = await get(url(ecrinsZ6), 'pne1')
    expect(grid.statusCode).toBe(200)
    expect(await visibleInTile('pne1', ecrinsZ6)).toBe(2) // the lynx (observer) and the one they digitised
    expect(gridTotal(grid.rawPayload)).toBe(2)
  })

  it('refuses anonymous callers (401) and users without SYNTHESE R (403)', async () => {
    expect((await get(url(lynxZ14))).statusCode).toBe(401)
    const forbidden = await get(url(lynxZ14), 'nobody')
    expect(forbidden.statusCode).toBe(403)
    expect(forbidden.json().error.code).toEqual(expect.any(String))
  })

  it('answers 204 for an empty tile', async () => {
    const empty = await get('14/0/0.pbf', 'all3')
    expect(empty.statusCode).toBe(204)
    expect(empty.body).toBe('')
    expect((await get(url(lynxZ14, '?taxon=67111'), 'all3')).statusCode).toBe(204)
  })

  it('answers 400 INVALID_TILE for a tile outside the grid', async () => {
    for (const path of [
      '23/0/0.pbf',
      '2/4/0.pbf',
      '2/0/4.pbf',
      '0/1/0.pbf',
      '3/-1/0.pbf',
      'a/0/0.pbf',
      '3/1.5/0.pbf',
    ]) {
      const response = await get(path, 'all3')
      expect(response.statusCode, path).toBe(400)
      expect(response.json().error.code, path).toBe('INVALID_TILE')
    }
    expect((await get('22/4194303/4194303.pbf', 'all3')).statusCode).toBe(204)
    const badFilter = await get(url(lynxZ14, '?limit=10'), 'all3')
    expect(badFilter.statusCode).toBe(400)
    expect(badFilter.json().error.code).toBe('VALIDATION_ERROR')
  })

  it('revalidates with ETag / If-None-Match (304), and changes the ETag after a write', async () => {
    const first = await get(url(lynxZ14), 'all3')
    const etag = first.headers.etag as string
    expect(etag).toMatch(/^"[\w-]+"$/)
    const notModified = await get(url(lynxZ14), 'all3', { 'if-none-match': etag })
    expect(notModified.statusCode).toBe(304)
    expect(notModified.body).toBe('')
    expect(notModified.headers.etag).toBe(etag)
    expect((await get(url(lynxZ14), 'all3', { 'if-none-match': `W/${etag}, "other"` })).statusCode).toBe(304)

    // the ETag belongs to the caller, the filters (in any order) and the tile
    expect((await get(url(lynxZ14), 'pne1')).headers.etag).not.toBe(etag)
    expect((await get(url(lynxZ14, '?taxon=351'), 'all3')).headers.etag).not.toBe(etag)
    expect((await get(url(lynxZ14, '?taxon=351&taxon=60612'), 'all3')).headers.etag).toBe(
      (await get(url(lynxZ14, '?taxon=60612&taxon=351'), 'all3')).headers.etag,
    )
    expect((await get(url({ ...lynxZ14, x: lynxZ14.x + 1 }), 'all3')).headers.etag).not.toBe(etag)

    // an insert anywhere changes the data version
    const added = await insert('OCCTAX', [
      {
        datasetId: pneDataset,
        cdNom: 67111,
        nomCite: 'Ablette',
        dateMin: '2024-01-01',
        geometry: point(6.2, 44.8),
      },
    ])
    const after = await get(url(lynxZ14), 'all3', { 'if-none-match': etag })
    expect(after.statusCode).toBe(200)
    expect(after.headers.etag).not.toBe(etag)
    const ids = layerFeatures(after.rawPayload, 'observations').map((f) => f.properties.id)
    expect(ids).toContain(added.rows[0]!.id)

    // so do a delete and an update
    const pool = t.app.db.pool
    const etagOf = async () => (await get(url(lynxZ14), 'all3')).headers.etag
    const beforeUpdate = await etagOf()
    await pool.query('UPDATE gn_synthese.synthese SET comment_description = $2 WHERE id = $1', [
      added.rows[0]!.id,
      'seen again',
    ])
    const beforeDelete = await etagOf()
    expect(beforeDelete).not.toBe(beforeUpdate)
    await pool.query('DELETE FROM gn_synthese.synthese WHERE id = $1', [added.rows[0]!.id])
    expect(await etagOf()).not.toBe(beforeDelete)
  })

  it('gives no ETag while a write to the synthese is in flight, so no tile is cached with data about to change', async () => {
    const before = await get(url(lynxZ14), 'all3')
    expect(before.headers.etag).toBeDefined()
    const client = await t.app.db.pool.connect()
    try {
      await client.query('BEGIN')
      await upsertSyntheseRows(client, 'OCCTAX', [
        {
          uniqueIdSinp: randomUUID(),
          datasetId: pneDataset,
          cdNom: 351,
          nomCite: 'x',
          dateMin: '2024-02-01',
          geometry: point(6.2, 44.8),
        },
      ])
      const during = await get(url(lynxZ14), 'all3', { 'if-none-match': before.headers.etag as string })
      expect(during.statusCode).toBe(200) // never 304 while the version is unsettled
      expect(during.headers.etag).toBeUndefined()
      await client.query('COMMIT')
    } finally {
      client.release()
    }
    const after = await get(url(lynxZ14), 'all3', { 'if-none-match': before.headers.etag as string })
    expect(after.statusCode).toBe(200)
    expect(after.headers.etag).toBeDefined()
    expect(after.headers.etag).not.toBe(before.headers.etag)
  })
  it('encodes the same tiles without ST_AsMVT (PostGIS built without protobuf, as the embedded database)', async () => {
    const pool = t.app.db.pool
    expect(await hasSqlMvt(pool)).toBe(true)
    const features = (body: Buffer | null) => {
      if (!body) return null
      const tile = decode(body)
      return Object.entries(tile.layers).map(([name, layer]) => ({
        name,
        extent: layer.extent,
        features: Array.from({ length: layer.length }, (_, i) => {
          const f = layer.feature(i)
          const points = f.loadGeometry().flat()
          const xs = points.map((q) => q.x)
          const ys = points.map((q) => q.y)
          return {
            id: f.id,
            type: f.type,
            properties: f.properties,
            bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
            area:
              f.type === 3 ? (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys)) : 0,
          }
        }).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      }))
    }
    const organism = (await pool.query('SELECT organism_id FROM core.users WHERE id = $1', [users.all3]))
      .rows[0]
    for (const scope of [3, 1] as const) {
      const caller = {
        userId: scope === 3 ? users.all3! : users.pne1!,
        organismId: organism.organism_id,
        scope,
        preciseScope: scope,
      }
      for (const [tile, filters] of [
        [ecrinsZ6, {}],
        [ecrinsZ6, { taxon: [351] }],
        [{ z: 10, x: tileOf(6.2, 44.8, 10).x, y: tileOf(6.2, 44.8, 10).y }, {}],
        [lynxZ14, {}],
        [{ z: 12, x: tileOf(6.2, 44.8, 12).x, y: tileOf(6.2, 44.8, 12).y }, { dateMin: '2020-01-01' }],
        [{ z: 14, x: 0, y: 0 }, {}],
      ] as [Tile, ObservationSearch][]) {
        const sql = features(await syntheseTile(pool, caller, filters, tile, { encoder: 'sql' }))
        const js = features(await syntheseTile(pool, caller, filters, tile, { encoder: 'js' }))
        expect(js, JSON.stringify({ scope, tile, filters })).toEqual(sql)
      }
    }
  })
})
