import { randomUUID } from 'node:crypto'
import { VectorTile } from '@mapbox/vector-tile'
import { PbfReader } from 'pbf'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withTransaction } from '../../src/db/transaction.ts'
import { upsertSyntheseRows } from '../../src/synthese/synthese-service.ts'
import { syntheseTile } from '../../src/synthese/synthese-tiles.ts'
import { createTestApp, createUser, DEMO_ORGANISM, loginAs, type TestApp } from '../helpers/index.ts'

/**
 * The property of ADR 15 on every output path: for observations of each sensitivity level, a caller who may not
 * see them precisely never receives a coordinate finer than the blur (the shown geometry IS the blurred area; level
 * 4 is absent), and a privileged caller (precise permission, ADMIN, the observation's digitiser) gets it exactly.
 */

// P: the observations' point, inside the test commune (a square 6.10–6.30 × 44.70–44.90) and département.
const P = [6.2123, 44.8123] as const
// ELSEWHERE (set in beforeAll): the point on surface of another 5 km cell of P's 10 km cell, inside the same commune
// and département, kilometres from P: a filter there must answer as one around P.
let ELSEWHERE: readonly [number, number] = [0, 0]
const COMMUNE = 'POLYGON((6.10 44.70, 6.30 44.70, 6.30 44.90, 6.10 44.90, 6.10 44.70))'
const DEPARTEMENT = 'POLYGON((5.80 44.50, 6.70 44.50, 6.70 45.20, 5.80 45.20, 5.80 44.50))'

// One taxon per level (no rule: level 0).
const TAXA: Record<number, number> = { 0: 351, 1: 60612, 2: 18437, 3: 8326, 4: 81065 }
const LEVELS = [0, 1, 2, 3, 4] as const
const BLUR_TYPE: Record<number, string> = { 1: 'COM', 2: 'M10', 3: 'DEP' }

type Geometry = { type: string; coordinates: unknown }

const tileOf = (lon: number, lat: number, z: number) => {
  const r = (lat * Math.PI) / 180
  return {
    z,
    x: Math.floor(((lon + 180) / 360) * 2 ** z),
    y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z),
  }
}
const layer = (body: Buffer | string, name: string) => {
  const l = new VectorTile(new PbfReader(Buffer.from(body as Buffer))).layers[name]
  return l ? Array.from({ length: l.length }, (_, i) => l.feature(i)) : []
}

/** Minimal RFC 4180 reader (`;`, quotes doubled) for the export. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ';') {
      row.push(field)
      field = ''
    } else if (c === '\n') {
      row.push(field.replace(/\r$/, ''))
      rows.push(row)
      row = []
      field = ''
    } else field += c
  }
  const [header, ...data] = rows
  return data.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])))
}

describe('sensitive observations on every output path', () => {
  let t: TestApp
  const cookies: Record<string, string> = {}
  const ids: Record<number, number> = {}
  const uuids: Record<number, string> = {}
  /** The blurred area of each level 1–3 (id, type). */
  const blurAreas: Record<number, { id: number; type: string }> = {}
  let datasetId: number

  const get = (url: string, who?: string) =>
    t.app.inject({ method: 'GET', url, headers: who ? { cookie: cookies[who]! } : {} })

  /** How the shown geometry relates to P and to the level's blurred area (computed by PostGIS). */
  const shown = async (geometry: Geometry, level: number) => {
    const { rows } = await t.app.db.pool.query<{
      exact: boolean
      distance: number
      hausdorff: number | null
    }>(
      `SELECT ST_Equals(g, ST_SetSRID(ST_MakePoint($2, $3), 4326)) AS exact,
              ST_Distance(ST_Transform(ST_Boundary(ST_Envelope(g)), 2154), ST_Transform(ST_SetSRID(ST_MakePoint($2, $3), 4326), 2154))
                AS distance,
              (SELECT ST_HausdorffDistance(g, a.geom) FROM ref_geo.areas a WHERE a.id = $4) AS hausdorff
         FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g) x`,
      [JSON.stringify(geometry), P[0], P[1], blurAreas[level]?.id ?? null],
    )
    return rows[0]!
  }

  /** The geometry a caller got for an observation of `level` is as the rules of ADR 15 say. */
  const expectShown = async (geometry: Geometry, level: number, precise: boolean) => {
    const s = await shown(geometry, level)
    if (precise || level === 0) {
      expect(s.exact, `level ${level} precise`).toBe(true)
      return
    }
    expect(s.exact).toBe(false)
    // The shown geometry is the blurred area itself (simplified by ≤ 50 m) …
    expect(s.hausdorff!, `level ${level} shown = its ${blurAreas[level]!.type}`).toBeLessThan(0.001)
    // … whose bounding box edges are all kilometres away from the real point.
    expect(s.distance, `level ${level}`).toBeGreaterThan(1000)
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    const pool = t.app.db.pool
    await pool.query(
      `INSERT INTO ref_geo.areas (type_id, area_code, area_name, geom) VALUES
         ((SELECT id FROM ref_geo.area_types WHERE code = 'COM'), '05999', 'Testville', ST_Multi(ST_GeomFromText($1, 4326))),
         ((SELECT id FROM ref_geo.area_types WHERE code = 'DEP'), '99', 'Testdépartement', ST_Multi(ST_GeomFromText($2, 4326)))`,
      [COMMUNE, DEPARTEMENT],
    )
    for (const level of [1, 2, 3, 4]) {
      await pool.query(`INSERT INTO gn_sensitivity.rules (cd_nom, level, source) VALUES ($1, $2, 'test')`, [
        TAXA[level],
        level,
      ])
    }
    await pool.query('SELECT gn_sensitivity.refresh_rule_taxa()')
    const synthese = [
      { module: 'SYNTHESE', action: 'R', scope: 3 },
      { module: 'SYNTHESE', action: 'E', scope: 3 },
    ] as const
    const owner = await createUser(pool, {
      login: 'owner1',
      organism: DEMO_ORGANISM,
      grants: [
        { module: 'SYNTHESE', action: 'R', scope: 1 },
        { module: 'SYNTHESE', action: 'E', scope: 1 },
      ],
    })
    await createUser(pool, {
      login: 'blur3',
      grants: [
        ...synthese,
        { module: 'VALIDATION', action: 'V', scope: 3 },
        { module: 'VALIDATION', action: 'R', scope: 3 },
      ],
    })
    const expert = await createUser(pool, {
      login: 'expert3',
      grants: [
        ...synthese,
        { module: 'VALIDATION', action: 'V', scope: 3 },
        { module: 'VALIDATION', action: 'R', scope: 3 },
      ],
    })
    await pool.query('UPDATE core.permissions SET sensitive_precise = true WHERE user_id = $1', [expert])
    for (const login of ['owner1', 'blur3', 'expert3', 'admin']) cookies[login] = await loginAs(t.app, login)

    datasetId = (
      await pool.query<{ id: number }>(
        `UPDATE gn_meta.datasets SET validable = true, public_read = true
          WHERE short_name = 'Faune opportuniste PNE' RETURNING id`,
      )
    ).rows[0]!.id
    for (const level of LEVELS) {
      uuids[level] = randomUUID()
      const { rows } = await withTransaction(pool, (c) =>
        upsertSyntheseRows(c, { name: 'TEST-SENSITIVE', moduleCode: 'OCCTAX' }, [
          {
            uniqueIdSinp: uuids[level]!,
            entitySourcePkValue: `level-${level}`,
            datasetId,
            cdNom: TAXA[level]!,
            nomCite: `taxon of level ${level}`,
            dateMin: '2024-05-01T08:00:00Z',
            digitiserId: owner,
            geometry: { type: 'Point', coordinates: [...P] },
            placeName: 'Le nid, sous la falaise',
            altitudeMin: 1820,
            altitudeMax: 1830,
          },
        ]),
      )
      ids[level] = rows[0]!.id
    }
    const { rows } = await pool.query<{ level: number; id: number; type: string }>(
      `SELECT s.sensitivity_level AS level, a.id, t.code AS type FROM gn_synthese.synthese s
         JOIN ref_geo.areas a ON a.id = s.id_area_blurred JOIN ref_geo.area_types t ON t.id = a.type_id
        WHERE s.id = ANY($1::bigint[])`,
      [Object.values(ids)],
    )
    for (const r of rows) blurAreas[r.level] = { id: r.id, type: r.type }
    const other = await pool.query<{ x: number; y: number }>(
      `SELECT ST_X(m5.centroid) AS x, ST_Y(m5.centroid) AS y
         FROM ref_geo.areas m5 JOIN ref_geo.area_types t ON t.id = m5.type_id AND t.code = 'M5',
              ref_geo.areas m10, ST_SetSRID(ST_MakePoint($1, $2), 4326) p
        WHERE m10.id = $3 AND ST_Within(m5.centroid, m10.geom) AND ST_Within(m5.centroid, ST_GeomFromText($4, 4326))
        ORDER BY ST_Distance(m5.centroid, p) DESC LIMIT 1`,
      [P[0], P[1], blurAreas[2]!.id, COMMUNE],
    )
    ELSEWHERE = [other.rows[0]!.x, other.rows[0]!.y]
  })
  afterAll(() => t?.close())

  it('computes each level and blurs to the commune, the 10 km cell and the département', async () => {
    const { rows } = await t.app.db.pool.query<{ id: string; level: number; sensitivity: string }>(
      `SELECT s.id, s.sensitivity_level AS level, n.cd_nomenclature AS sensitivity
         FROM gn_synthese.synthese s JOIN ref_nomenclatures.nomenclatures n ON n.id = s.id_nomenclature_sensitivity
        WHERE s.id = ANY($1::bigint[]) ORDER BY s.id`,
      [Object.values(ids)],
    )
    expect(rows.map((r) => [r.level, r.sensitivity])).toEqual(LEVELS.map((l) => [l, String(l)]))
    expect(Object.fromEntries(Object.entries(blurAreas).map(([l, a]) => [l, a.type]))).toEqual(BLUR_TYPE)
  })

  const PRIVILEGED = ['expert3', 'admin', 'owner1']
  const CALLERS = ['blur3', undefined, ...PRIVILEGED] // undefined: the anonymous public level
  const mine = (items: { id: number }[]) => items.filter((i) => Object.values(ids).includes(i.id))
  const levelOf = (id: number) => LEVELS.find((l) => ids[l] === id)!

  it('list (JSON and GeoJSON): blurred geometry or absent for the unprivileged, exact for the others', async () => {
    for (const who of CALLERS) {
      const precise = PRIVILEGED.includes(who ?? '')
      const json = await get(`/api/synthese/observations?dataset=${datasetId}&limit=1000`, who)
      expect(json.statusCode, String(who)).toBe(200)
      const items = mine(json.json().items) as { id: number; geometry: Geometry; blurred: boolean }[]
      expect(items.map((i) => levelOf(i.id)).sort()).toEqual(precise ? [0, 1, 2, 3, 4] : [0, 1, 2, 3])
      for (const item of items) {
        await expectShown(item.geometry, levelOf(item.id), precise)
        expect(item.blurred).toBe(!precise && levelOf(item.id) > 0)
      }
      const geojson = await get(
        `/api/synthese/observations?dataset=${datasetId}&limit=1000&format=geojson`,
        who,
      )
      const features = (geojson.json().features as { id: number; geometry: Geometry }[]).filter((f) =>
        Object.values(ids).includes(f.id),
      )
      expect(features).toHaveLength(precise ? 5 : 4)
      for (const f of features) await expectShown(f.geometry, levelOf(f.id), precise)
    }
  })

  it('sheet: blurred geometry and point, no locating field, only areas containing the blur; level 4 is 404', async () => {
    for (const who of CALLERS) {
      const precise = PRIVILEGED.includes(who ?? '')
      for (const level of LEVELS) {
        const res = await get(`/api/synthese/observations/${ids[level]}`, who)
        if (!precise && level === 4) {
          expect(res.statusCode).toBe(404)
          continue
        }
        expect(res.statusCode, `${who} ${level}`).toBe(200)
        const sheet = res.json()
        await expectShown(sheet.geometry, level, precise)
        expect(sheet.sensitivity.level).toBe(level)
        const blurred = !precise && level > 0
        expect(sheet.sensitivity.blurred).toBe(blurred)
        expect(sheet.placeName).toBe(blurred ? null : 'Le nid, sous la falaise')
        expect(sheet.altitudeMin).toBe(blurred ? null : 1820)
        const types = (sheet.areas as { type: string }[]).map((a) => a.type)
        if (blurred) {
          const { rows } = await t.app.db.pool.query<{ d: number }>(
            `SELECT ST_Distance(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), 2154),
                                ST_Transform(ST_SetSRID(ST_MakePoint($2, $3), 4326), 2154)) AS d`,
            [JSON.stringify(sheet.point), P[0], P[1]],
          )
          expect(rows[0]!.d).toBeGreaterThan(1000)
          // Every area listed contains the blurred area (else it would locate the point finer); its own is there.
          expect(types).toContain(BLUR_TYPE[level])
          expect(types).not.toContain('M5')
          const { rows: covering } = await t.app.db.pool.query<{ ok: boolean }>(
            `SELECT ST_Area(ST_Intersection(a.geom, b.geom)) >= 0.99 * ST_Area(b.geom) AS ok
               FROM ref_geo.areas a, ref_geo.areas b WHERE a.id = ANY($1::integer[]) AND b.id = $2`,
            [(sheet.areas as { id: number }[]).map((a) => a.id), blurAreas[level]!.id],
          )
          expect(covering.every((r) => r.ok)).toBe(true)
        } else expect(types).toEqual(expect.arrayContaining(['COM', 'DEP', 'M10', 'M5']))
      }
    }
  })

  it('exports (CSV and GeoJSON): blurred rows carry the blurred area and say so', async () => {
    for (const who of ['blur3', ...PRIVILEGED]) {
      const precise = PRIVILEGED.includes(who)
      const csv = await get(`/api/synthese/export?format=csv&dataset=${datasetId}`, who)
      expect(csv.statusCode).toBe(200)
      const rows = parseCsv(csv.body).filter((r) => Object.values(ids).includes(Number(r.id_synthese)))
      expect(rows).toHaveLength(precise ? 5 : 4)
      for (const r of rows) {
        const level = levelOf(Number(r.id_synthese))
        const blurred = !precise && level > 0
        expect(r.niveau_sensibilite).toBe(String(level))
        expect(r.floutage_dee === 'OUI').toBe(blurred)
        expect(r.generalisation_donnees !== '').toBe(blurred)
        expect(r.lieu_dit).toBe(blurred ? '' : 'Le nid, sous la falaise')
        const x = Number(r.x_centroid_4326)
        const y = Number(r.y_centroid_4326)
        if (blurred) expect(Math.hypot(x - P[0], y - P[1])).toBeGreaterThan(0.01)
        else expect([x, y]).toEqual([...P])
      }
      const gj = await get(`/api/synthese/export?format=geojson&dataset=${datasetId}`, who)
      const features = (gj.json().features as { id: number; geometry: Geometry }[]).filter((f) =>
        Object.values(ids).includes(f.id),
      )
      expect(features).toHaveLength(precise ? 5 : 4)
      for (const f of features) await expectShown(f.geometry, levelOf(f.id), precise)
    }
  })

  it('bbox, drawn geometry and area filters test the blurred geometry: they cannot locate a point', async () => {
    const areaAt = async (lon: number, lat: number, type: string) =>
      (
        await t.app.db.pool.query<{ id: number }>(
          `SELECT a.id FROM ref_geo.areas a JOIN ref_geo.area_types t ON t.id = a.type_id
            WHERE t.code = $3 AND ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))`,
          [lon, lat, type],
        )
      ).rows[0]!.id
    const at = (lon: number, lat: number) => ({
      bbox: `bbox=${lon - 0.001},${lat - 0.001},${lon + 0.001},${lat + 0.001}`,
      geometry: `geometry=${encodeURIComponent(`POLYGON((${lon - 0.001} ${lat - 0.001}, ${lon + 0.001} ${lat - 0.001}, ${lon + 0.001} ${lat + 0.001}, ${lon - 0.001} ${lat - 0.001}))`)}`,
    })
    const found = async (who: string | undefined, filter: string) => {
      const res = await get(`/api/synthese/observations?dataset=${datasetId}&limit=1000&${filter}`, who)
      expect(res.statusCode, filter).toBe(200)
      return mine(res.json().items)
        .map((i) => levelOf(i.id))
        .sort()
    }
    const near = at(...P)
    const far = at(...ELSEWHERE)
    const [m5Near, m5Far] = [await areaAt(...P, 'M5'), await areaAt(...ELSEWHERE, 'M5')]
    expect(m5Near).not.toBe(m5Far)
    for (const who of ['blur3', undefined]) {
      // Around the point or elsewhere in the same commune: the same answer for every sensitive level.
      expect(await found(who, near.bbox)).toEqual([0, 1, 2, 3])
      expect(await found(who, far.bbox)).toEqual([1, 2, 3])
      expect(await found(who, near.geometry)).toEqual([0, 1, 2, 3])
      expect(await found(who, far.geometry)).toEqual([1, 2, 3])
      expect(await found(who, `area=${m5Near}`)).toEqual([0, 1, 2, 3])
      expect(await found(who, `area=${m5Far}`)).toEqual([1, 2, 3])
    }
    for (const who of PRIVILEGED) {
      expect(await found(who, near.bbox)).toEqual([0, 1, 2, 3, 4])
      expect(await found(who, far.bbox)).toEqual([])
      expect(await found(who, `area=${m5Far}`)).toEqual([])
    }
  })

  it('tiles at every zoom: no point of a blurred row, its count in its blurred cell only, its area drawn', async () => {
    const cellOf = (lon: number, lat: number, z: number) => {
      const r = (lat * Math.PI) / 180
      const fx = ((lon + 180) / 360) * 2 ** z
      const fy = ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z
      // Cell (column from the west, row from the north) of the 64 × 64 grid of tile (floor fx, floor fy).
      return [Math.floor((fx % 1) * 64), Math.floor((fy % 1) * 64)]
    }
    for (const who of CALLERS) {
      const precise = PRIVILEGED.includes(who ?? '')
      for (const filter of ['', `&taxon=${Object.values(TAXA).join('&taxon=')}`]) {
        const z6 = tileOf(...P, 6)
        const wide = await get(`/api/synthese/tiles/6/${z6.x}/${z6.y}.pbf?dataset=${datasetId}${filter}`, who)
        const total = layer(wide.rawPayload, 'grid').reduce((n, f) => n + Number(f.properties.count), 0)
        expect(total, `${who} z6${filter}`).toBe(precise ? 5 : 4) // level 4 counted for nobody unprivileged
        const { x, y } = tileOf(...P, 10)
        const res10 = await get(`/api/synthese/tiles/10/${x}/${y}.pbf?dataset=${datasetId}${filter}`, who)
        expect(res10.statusCode).toBe(200)
        const [cx, cy] = cellOf(...P, 10)
        // The count in P's cell (64 px squares, y down in the tile): a z10 cell is ≈ 450 m wide, and the blurred
        // areas' points (their point on surface) are kilometres away.
        const inCell = layer(res10.rawPayload, 'grid')
          .filter((f) => {
            const ring = f.loadGeometry()[0]!
            return (
              Math.min(...ring.map((p) => p.x)) === cx! * 64 && Math.min(...ring.map((p) => p.y)) === cy! * 64
            )
          })
          .reduce((n, f) => n + Number(f.properties.count), 0)
        expect(inCell, `${who} z10${filter}`).toBe(precise ? 5 : 1)
        const z14 = tileOf(...P, 14)
        const res = await get(
          `/api/synthese/tiles/14/${z14.x}/${z14.y}.pbf?dataset=${datasetId}${filter}`,
          who,
        )
        expect(res.statusCode).toBe(200)
        const pointIds = layer(res.rawPayload, 'observations').map((f) => Number(f.properties.id))
        const blurredLayer = layer(res.rawPayload, 'blurred')
        expect(
          mine(pointIds.map((id) => ({ id })))
            .map((i) => levelOf(i.id))
            .sort(),
        ).toEqual(precise ? [0, 1, 2, 3, 4] : [0])
        expect(blurredLayer.reduce((n, f) => n + Number(f.properties.count), 0)).toBe(precise ? 0 : 3)
        for (const f of blurredLayer) expect(f.type).toBe(3) // polygons, never points
      }
    }
  })

  it('tiles built without ST_AsMVT (embedded database) blur the same way', async () => {
    const caller = { userId: 0, organismId: null, scope: 3 as const, preciseScope: 0 as const }
    const z14 = tileOf(...P, 14)
    for (const encoder of ['sql', 'js'] as const) {
      const mvt = (await syntheseTile(t.app.db.pool, caller, { dataset: [datasetId] }, z14, { encoder }))!
      expect(layer(mvt, 'observations').map((f) => Number(f.properties.id))).not.toContain(ids[1])
      const blurred = layer(mvt, 'blurred')
      expect(blurred.map((f) => [f.properties.areaType, f.properties.count]).sort()).toEqual([
        ['COM', 1],
        ['DEP', 1],
        ['M10', 1],
      ])
    }
  })

  it('the validation list is blurred for validators without precise access, exact for experts', async () => {
    for (const [who, precise] of [
      ['blur3', false],
      ['expert3', true],
    ] as const) {
      const res = await get(`/api/validation/observations?dataset=${datasetId}&limit=1000`, who)
      expect(res.statusCode).toBe(200)
      const items = mine(res.json().items) as { id: number; geometry: Geometry }[]
      expect(items).toHaveLength(precise ? 5 : 4)
      for (const i of items) await expectShown(i.geometry, levelOf(i.id), precise)
    }
  })

  it('the public level sees only public datasets, always blurred; off by default', async () => {
    await t.app.db.pool.query('UPDATE gn_meta.datasets SET public_read = false')
    expect((await get('/api/synthese/observations')).statusCode).toBe(401)
    await t.app.db.pool.query('UPDATE gn_meta.datasets SET public_read = true WHERE id = $1', [datasetId])
    const res = await get('/api/synthese/observations?limit=1000')
    expect(res.statusCode).toBe(200)
    const items = res.json().items as { id: number; datasetId: number }[]
    expect(new Set(items.map((i) => i.datasetId))).toEqual(new Set([datasetId]))
    expect(
      mine(items)
        .map((i) => levelOf(i.id))
        .sort(),
    ).toEqual([0, 1, 2, 3])
    // Never the export, whatever the level.
    expect((await get('/api/synthese/export')).statusCode).toBe(401)
  })
})
