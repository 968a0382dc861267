import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateGrid, inpnGridCode } from '../../src/geo/inpn-grid.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/index.ts'

// The INPN codes come from the lower-left corner in Lambert-93. Expected values are codes as the MNHN/INPN
// distributes them (see src/geo/inpn-grid.ts): 10 km in units of 10 km on 3 digits (10kmL93E074N695 for the point
// 749648, 6956485), 5 km in km on 4 digits (5kmL93E0740N6945), 1 km and 2 km in km, unpadded (1kmL93E742N6946).
describe('INPN grid codes', () => {
  it('codes each size as the INPN does', () => {
    expect(inpnGridCode(10, 740_000, 6_950_000)).toBe('10kmL93E074N695')
    expect(inpnGridCode(10, 1_050_000, 6_300_000)).toBe('10kmL93E105N630')
    expect(inpnGridCode(10, 900_000, 6_450_000)).toBe('10kmL93E090N645')
    expect(inpnGridCode(5, 740_000, 6_945_000)).toBe('5kmL93E0740N6945')
    expect(inpnGridCode(5, 1_055_000, 6_300_000)).toBe('5kmL93E1055N6300')
    expect(inpnGridCode(1, 742_000, 6_946_000)).toBe('1kmL93E742N6946')
    expect(inpnGridCode(2, 370_000, 6_526_000)).toBe('2kmL93E370N6526')
  })
})

describe('geo:grids — cells generated in SQL, exact in Lambert-93', () => {
  let db: TestDatabase
  let pool: pg.Pool
  beforeAll(async () => {
    db = await createTestDatabase()
    pool = new pg.Pool({ connectionString: db.url, max: 2 })
  })
  afterAll(async () => {
    await pool.end()
    await db.drop()
  })

  const generate = async (sizeKm: number, bbox: [number, number, number, number], srid: number) => {
    const client = await pool.connect()
    try {
      return await generateGrid(client, { sizeKm, bbox, srid })
    } finally {
      client.release()
    }
  }

  it('covers a Lambert-93 bbox with cells aligned on multiples of the size, area = size², codes from the corner', async () => {
    // 12 km × 12 km starting off-grid: 10 km cells at x 730–750 km, y 6940–6960 km → 2 × 2 cells
    const result = await generate(10, [735_000, 6_945_000, 747_000, 6_957_000], 2154)
    expect(result).toEqual({ typeCode: 'M10', cells: 4, inserted: 4 })
    const { rows } = await pool.query(
      `SELECT a.area_code AS code, ST_XMin(geom_local) AS x, ST_YMin(geom_local) AS y, ST_Area(geom_local) AS area,
              ST_NPoints(geom_local) AS points, ST_SRID(geom) AS srid, ST_IsValid(geom) AS valid
         FROM ref_geo.areas a JOIN ref_geo.area_types t ON t.id = a.type_id
        WHERE t.code = 'M10' AND a.area_code IN ('10kmL93E073N694', '10kmL93E074N694', '10kmL93E073N695', '10kmL93E074N695')
        ORDER BY 1`,
    )
    expect(rows).toEqual([
      { code: '10kmL93E073N694', x: 730_000, y: 6_940_000, area: 1e8, points: 5, srid: 4326, valid: true },
      { code: '10kmL93E073N695', x: 730_000, y: 6_950_000, area: 1e8, points: 5, srid: 4326, valid: true },
      { code: '10kmL93E074N694', x: 740_000, y: 6_940_000, area: 1e8, points: 5, srid: 4326, valid: true },
      { code: '10kmL93E074N695', x: 740_000, y: 6_950_000, area: 1e8, points: 5, srid: 4326, valid: true },
    ])
    // The cell of the GeoNature example point, found through ref_geo.intersecting_areas
    const { rows: hit } = await pool.query(
      `SELECT a.area_code FROM ref_geo.intersecting_areas(ST_SetSRID(ST_MakePoint(749648, 6956485), 2154), '{M10}') i
         JOIN ref_geo.areas a ON a.id = i.area_id`,
    )
    expect(hit).toEqual([{ area_code: '10kmL93E074N695' }])
    // generating again adds nothing
    expect(await generate(10, [735_000, 6_945_000, 747_000, 6_957_000], 2154)).toEqual({
      typeCode: 'M10',
      cells: 4,
      inserted: 0,
    })
  })

  it('5 km and 1 km cells: corners on multiples, exact areas, INPN padding', async () => {
    expect(await generate(5, [740_000, 6_945_000, 750_000, 6_950_000], 2154)).toMatchObject({
      cells: 2,
      inserted: 2,
    })
    expect(await generate(1, [742_000, 6_946_000, 744_000, 6_947_000], 2154)).toMatchObject({
      cells: 2,
      inserted: 2,
    })
    const { rows } = await pool.query(
      `SELECT t.code AS type, a.area_code AS code, ST_Area(geom_local) AS area,
              ST_XMin(geom_local)::int % (CASE t.code WHEN 'M5' THEN 5000 ELSE 1000 END) AS xr,
              ST_YMin(geom_local)::int % (CASE t.code WHEN 'M5' THEN 5000 ELSE 1000 END) AS yr
         FROM ref_geo.areas a JOIN ref_geo.area_types t ON t.id = a.type_id
        WHERE t.code IN ('M5', 'M1') AND a.area_code LIKE '%L93E074%' OR a.area_code LIKE '1kmL93E74%' ORDER BY 2`,
    )
    expect(rows).toEqual([
      { type: 'M1', code: '1kmL93E742N6946', area: 1e6, xr: 0, yr: 0 },
      { type: 'M1', code: '1kmL93E743N6946', area: 1e6, xr: 0, yr: 0 },
      { type: 'M5', code: '5kmL93E0740N6945', area: 25e6, xr: 0, yr: 0 },
      { type: 'M5', code: '5kmL93E0745N6945', area: 25e6, xr: 0, yr: 0 },
    ])
  })

  it('a lon/lat bbox is projected with its curved edges; the demo seed covered the Écrins with M10 and M5', async () => {
    const { rows } = await pool.query(
      `SELECT t.code, count(*)::int AS n, bool_and(ST_Area(geom_local) = (CASE t.code WHEN 'M10' THEN 1e8 ELSE 25e6 END)) AS exact,
              bool_and(ST_Intersects(geom, ST_MakeEnvelope(5.8, 44.5, 6.7, 45.2, 4326))) AS inside
         FROM ref_geo.areas a JOIN ref_geo.area_types t ON t.id = a.type_id
        WHERE t.code IN ('M10', 'M5') AND a.source LIKE 'Grille INPN%' AND ST_Intersects(geom, ST_MakeEnvelope(5.8, 44.5, 6.7, 45.2, 4326))
        GROUP BY 1 ORDER BY 1`,
    )
    expect(rows).toEqual([
      { code: 'M10', n: 72, exact: true, inside: true },
      { code: 'M5', n: 255, exact: true, inside: true },
    ])
    // Parc national des Écrins headquarters area (Gap, 6.08 E 44.56 N) falls in exactly one cell of each size
    const { rows: gap } = await pool.query(
      `SELECT type_code, count(*)::int AS n FROM ref_geo.intersecting_areas(ST_SetSRID(ST_MakePoint(6.08, 44.56), 4326))
        GROUP BY 1 ORDER BY 1`,
    )
    expect(gap).toEqual([
      { type_code: 'M10', n: 1 },
      { type_code: 'M5', n: 1 },
      { type_code: 'PAYS', n: 1 },
    ])
  })

  it('refuses an unknown size type, a reversed bbox and a huge request', async () => {
    await expect(generate(3, [740_000, 6_945_000, 750_000, 6_950_000], 2154)).rejects.toThrow(
      'Unknown area type "M3"',
    )
    await expect(generate(10, [750_000, 6_945_000, 740_000, 6_950_000], 2154)).rejects.toThrow('xmin < xmax')
    await expect(generate(1, [-10, 35, 30, 60], 4326)).rejects.toThrow(/more than 1500000/)
  })
})
