import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importAreas } from '../../src/geo/import-areas.ts'
import { createTestApp, createUser, loginAs, type TestApp } from '../helpers/index.ts'

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name)

describe('GET/POST /api/geo', () => {
  let t: TestApp
  let reader: string
  let admin: string
  const get = (url: string, cookie = reader) => t.app.inject({ method: 'GET', url, headers: { cookie } })
  const post = (url: string, payload: unknown, cookie = reader) =>
    t.app.inject({ method: 'POST', url, headers: { cookie }, payload: payload as object })

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    await importAreas(t.app.db.pool, { typeCode: 'COM', file: fixture('communes-4326.geojson') })
    // a user with no permission at all still reads the referential
    await createUser(t.app.db.pool, { login: 'reader' })
    reader = await loginAs(t.app, 'reader')
    admin = await loginAs(t.app, 'admin')
  })
  afterAll(() => t.close())

  it('lists the area types with their number of areas', async () => {
    const response = await get('/api/geo/area-types')
    expect(response.statusCode).toBe(200)
    const types = response.json() as { code: string; areaCount: number }[]
    expect(types.map((x) => x.code)).toEqual(['COM', 'DEP', 'REG', 'M10', 'M5', 'M1', 'PAYS'])
    expect(types.find((x) => x.code === 'COM')?.areaCount).toBe(3)
    expect(types.find((x) => x.code === 'M10')?.areaCount).toBe(72)
    expect(types.find((x) => x.code === 'PAYS')).toMatchObject({
      name: 'Pays (Natural Earth 1:50m)',
      areaCount: 9,
    })
  })

  it('searches by code or name, ignoring case and accents, by type and bbox', async () => {
    const names = async (query: string) => {
      const response = await get(`/api/geo/areas?${query}`)
      expect(response.statusCode, response.body).toBe(200)
      return (response.json() as { code: string; name: string }[]).map((a) => a.name)
    }
    expect(await names('q=etienne')).toEqual(['Saint-Étienne-des-Tests'])
    expect(await names('q=SAINT%20ETIENNE')).toEqual(['Saint-Étienne-des-Tests'])
    expect(await names('q=ile%20fictive')).toEqual(["L'Île-Fictive"])
    expect(await names('q=vallee%20temoin&type=COM')).toEqual(['Vallée Témoin'])
    expect(await names('q=T000&type=COM')).toEqual([
      'Saint-Étienne-des-Tests',
      "L'Île-Fictive",
      'Vallée Témoin',
    ])
    expect(await names('q=t0002')).toEqual(["L'Île-Fictive"])
    expect(await names('q=suisse&type=PAYS')).toEqual(['Suisse'])
    expect(await names('q=100%25')).toEqual([]) // LIKE wildcards are literal
    // bbox: only the small island part of T0002 (6.20–6.21 E, 44.60–44.61 N) and whatever else is there
    const inBox = await get('/api/geo/areas?type=COM,PAYS&bbox=6.201,44.601,6.209,44.609')
    expect((inBox.json() as { code: string }[]).map((a) => a.code).sort()).toEqual(['FR', 'T0002'])
    const list = await get('/api/geo/areas?type=M10&limit=5')
    expect(list.json()).toHaveLength(5)
    expect(list.json()[0]).not.toHaveProperty('geometry')
    const withGeometry = await get('/api/geo/areas?q=T0001&geometry=true')
    expect(withGeometry.json()[0]).toMatchObject({
      code: 'T0001',
      type: 'COM',
      bbox: [6, 44.5, 6.05, 44.55],
      geometry: { type: 'MultiPolygon' },
    })
  })

  it('names unknown types and refuses a malformed bbox', async () => {
    const unknown = await get('/api/geo/areas?type=COM,ZNIEFF9,XX')
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().error).toMatchObject({
      code: 'UNKNOWN_AREA_TYPE',
      message: 'Unknown area type(s): ZNIEFF9, XX',
    })
    const reversed = await get('/api/geo/areas?bbox=7,45,6,44')
    expect(reversed.statusCode).toBe(400)
    expect(reversed.json().error.code).toBe('INVALID_BBOX')
    expect((await get('/api/geo/areas?bbox=1,2,3')).statusCode).toBe(400)
  })

  it('returns one area as a GeoJSON Feature, 404 AREA_NOT_FOUND otherwise', async () => {
    const { rows } = await t.app.db.pool.query(`SELECT id FROM ref_geo.areas WHERE area_code = 'T0002'`)
    const response = await get(`/api/geo/areas/${rows[0].id}`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('application/geo+json')
    const feature = response.json()
    expect(feature).toMatchObject({
      type: 'Feature',
      id: rows[0].id,
      bbox: [6.05, 44.5, 6.21, 44.61],
      properties: { type: 'COM', typeName: 'Communes', code: 'T0002', name: "L'Île-Fictive" },
    })
    expect(feature.properties.additionalData).toMatchObject({ POPULATION: 45 })
    expect(feature.geometry.type).toBe('MultiPolygon')
    expect(feature.geometry.coordinates).toHaveLength(2)
    const missing = await get('/api/geo/areas/999999')
    expect(missing.statusCode).toBe(404)
    expect(missing.json().error.code).toBe('AREA_NOT_FOUND')
  })

  it('intersects a geometry with the areas, grouped by type, optionally filtered', async () => {
    const point = { type: 'Point', coordinates: [6.025, 44.525] }
    const response = await post('/api/geo/intersections', { geometry: point })
    expect(response.statusCode, response.body).toBe(200)
    const groups = response.json() as { type: string; areas: { code: string }[] }[]
    expect(groups.map((g) => [g.type, g.areas.map((a) => a.code)])).toEqual([
      ['COM', ['T0001']],
      ['M10', [expect.stringMatching(/^10kmL93E\d{3}N\d{3}$/)]],
      ['M5', [expect.stringMatching(/^5kmL93E\d{4}N\d{4}$/)]],
      ['PAYS', ['FR']],
    ])
    // a line across the three test communes (not through a shared corner), only COM
    const line = {
      type: 'LineString',
      coordinates: [
        [6.02, 44.51],
        [6.08, 44.58],
      ],
    }
    const only = await post('/api/geo/intersections', { geometry: line, types: ['COM'] })
    expect(only.json()).toEqual([
      {
        type: 'COM',
        typeName: 'Communes',
        areas: [
          expect.objectContaining({ code: 'T0001', name: 'Saint-Étienne-des-Tests' }),
          expect.objectContaining({ code: 'T0002' }),
          expect.objectContaining({ code: 'T0003' }),
        ],
      },
    ])
    const nowhere = await post('/api/geo/intersections', {
      geometry: { type: 'Point', coordinates: [-30, 10] },
    })
    expect(nowhere.json()).toEqual([])
  })

  it('refuses invalid and out-of-bounds geometries and unknown types with 400', async () => {
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [6.2, 44.0],
          [6.3, 44.1],
          [6.3, 44.0],
          [6.2, 44.1],
          [6.2, 44.0],
        ],
      ],
    }
    const invalid = await post('/api/geo/intersections', { geometry: bowtie })
    expect(invalid.statusCode).toBe(400)
    expect(invalid.json().error).toMatchObject({
      code: 'INVALID_GEOMETRY',
      message: 'Invalid geometry: Self-intersection[6.25 44.05]',
    })
    const unreadable = await post('/api/geo/intersections', {
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [6, 44],
            [6.1, 44],
          ],
        ],
      },
    })
    expect(unreadable.statusCode).toBe(400)
    expect(unreadable.json().error.code).toBe('INVALID_GEOMETRY')
    const metres = await post('/api/geo/intersections', {
      geometry: { type: 'Point', coordinates: [940000, 6420000] },
    })
    expect(metres.statusCode).toBe(400)
    expect(metres.json().error.code).toBe('GEOMETRY_OUT_OF_BOUNDS')
    const unknownType = await post('/api/geo/intersections', {
      geometry: { type: 'Point', coordinates: [6, 44] },
      types: ['COM', 'NOPE'],
    })
    expect(unknownType.statusCode).toBe(400)
    expect(unknownType.json().error.message).toBe('Unknown area type(s): NOPE')
    const notGeoJson = await post('/api/geo/intersections', { geometry: { type: 'Circle', coordinates: [] } })
    expect(notGeoJson.statusCode).toBe(400)
    expect(notGeoJson.json().error.code).toBe('VALIDATION_ERROR')
  })

  it('lets an admin add an area type (409 when it exists); others get 403', async () => {
    const body = { code: 'ZNIEFF1', name: 'ZNIEFF de type I', refName: 'INPN', refVersion: '2026-01' }
    const denied = await post('/api/geo/area-types', body)
    expect(denied.statusCode).toBe(403)
    const created = await post('/api/geo/area-types', body, admin)
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json()).toMatchObject({ ...body, description: null, areaCount: 0 })
    const again = await post('/api/geo/area-types', body, admin)
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('AREA_TYPE_EXISTS')
    const bad = await post('/api/geo/area-types', { code: 'lower case', name: 'x' }, admin)
    expect(bad.statusCode).toBe(400)
  })
})

describe('LOCAL_SRID', () => {
  it('recomputes geom_local in the configured projection at boot', async () => {
    const t = await createTestApp({ env: { LOCAL_SRID: '32631' } })
    try {
      const { rows } = await t.app.db.pool.query(
        `SELECT ref_geo.local_srid() AS srid, count(*)::int AS n,
                count(*) FILTER (WHERE ST_SRID(geom_local) = 32631)::int AS converted FROM ref_geo.areas`,
      )
      expect(rows[0].srid).toBe(32631)
      expect(rows[0].converted).toBe(rows[0].n)
      // new rows follow it too
      await importAreas(t.app.db.pool, { typeCode: 'COM', file: fixture('communes-4326.geojson') })
      const { rows: added } = await t.app.db.pool.query(
        `SELECT DISTINCT ST_SRID(geom_local) AS srid FROM ref_geo.areas WHERE area_code LIKE 'T000%'`,
      )
      expect(added).toEqual([{ srid: 32631 }])
    } finally {
      await t.close()
    }
  })
})
