import { copyFileSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importAreas, sridFromPrj } from '../../src/geo/import-areas.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/index.ts'

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name)

describe('geo:import — GeoJSON and Shapefile areas, one transaction, set-based', () => {
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

  const areas = async (prefix: string) =>
    (
      await pool.query<{
        code: string
        name: string
        type: string
        srid: number
        local_srid: number
        area: number
      }>(
        `SELECT a.area_code AS code, a.area_name AS name, t.code AS type, ST_SRID(a.geom) AS srid,
                ST_SRID(a.geom_local) AS local_srid, round(ST_Area(a.geom_local))::float AS area
           FROM ref_geo.areas a JOIN ref_geo.area_types t ON t.id = a.type_id
          WHERE a.area_code LIKE $1 ORDER BY a.area_code`,
        [`${prefix}%`],
      )
    ).rows

  it('imports a WGS 84 GeoJSON: codes, names, MultiPolygon 4326, geom_local in Lambert-93, properties kept', async () => {
    const result = await importAreas(pool, { typeCode: 'COM', file: fixture('communes-4326.geojson') })
    expect(result).toMatchObject({ features: 3, inserted: 3, updated: 0, srid: 4326 })
    const rows = await areas('T000')
    expect(rows.map((r) => [r.code, r.name, r.type, r.srid, r.local_srid])).toEqual([
      ['T0001', 'Saint-Étienne-des-Tests', 'COM', 4326, 2154],
      ['T0002', "L'Île-Fictive", 'COM', 4326, 2154],
      ['T0003', 'Vallée Témoin', 'COM', 4326, 2154],
    ])
    const { rows: extra } = await pool.query(
      `SELECT additional_data, GeometryType(geom) AS kind, ST_NumGeometries(geom) AS parts, source,
              ST_Contains(geom, centroid) AS inside
         FROM ref_geo.areas WHERE area_code = 'T0002'`,
    )
    expect(extra[0]).toEqual({
      additional_data: { INSEE_COM: 'T0002', NOM: "L'Île-Fictive", POPULATION: 45 },
      kind: 'MULTIPOLYGON',
      parts: 2,
      source: 'communes-4326.geojson',
      inside: true,
    })
  })

  it('reads the SRID of a Lambert-93 GeoJSON from its crs member and of a Shapefile from its .prj', async () => {
    const geojson = await importAreas(pool, { typeCode: 'DEP', file: fixture('communes-2154.geojson') })
    expect(geojson).toMatchObject({ features: 2, inserted: 2, srid: 2154 })
    // 5 km × 5 km squares in Lambert-93, back in Lambert-93 after a round trip through 4326
    expect((await areas('T010')).map((r) => [r.code, r.type, r.area])).toEqual([
      ['T0101', 'DEP', 25_000_000],
      ['T0102', 'DEP', 25_000_000],
    ])
    // in the local SRID already: the file's coordinates are kept exactly in geom_local
    const { rows: exact } = await pool.query(
      `SELECT ST_AsText(geom_local) AS wkt FROM ref_geo.areas WHERE area_code = 'T0101'`,
    )
    expect(exact[0].wkt).toBe(
      'MULTIPOLYGON(((940000 6420000,945000 6420000,945000 6425000,940000 6425000,940000 6420000)))',
    )
    expect(sridFromPrj(fixture('communes-2154.shp'))).toBe(2154)
    const shp = await importAreas(pool, { typeCode: 'COM', file: fixture('communes-2154.shp') })
    expect(shp).toMatchObject({ features: 2, inserted: 2, updated: 0, srid: 2154 })
    const { rows } = await pool.query(
      `SELECT a.area_name AS name, round(ST_Area(a.geom_local))::float AS area FROM ref_geo.areas a
         JOIN ref_geo.area_types t ON t.id = a.type_id WHERE t.code = 'COM' AND a.area_code LIKE 'T010%'
        ORDER BY a.area_code`,
    )
    // UTF-8 attributes read through the .cpg
    expect(rows).toEqual([
      { name: 'Écrins-Lambert', area: 25_000_000 },
      { name: 'Pré-Carré', area: 25_000_000 },
    ])
  })

  it('decodes Shapefile attributes with --encoding, else the .cpg, else windows-1252', async () => {
    const latin1 = fixture('communes-latin1.shp')
    await importAreas(pool, { typeCode: 'REG', file: latin1 })
    const names = async () =>
      (
        await pool.query(
          `SELECT area_name FROM ref_geo.areas a JOIN ref_geo.area_types t ON t.id = a.type_id
            WHERE t.code = 'REG' ORDER BY area_code`,
        )
      ).rows.map((r) => r.area_name)
    expect(await names()).toEqual(['Écrins-Lambert', 'Pré-Carré'])
    // read as UTF-8 the Latin-1 bytes are not text: that is what a wrong --encoding looks like
    await importAreas(pool, { typeCode: 'REG', file: latin1, encoding: 'utf-8' })
    expect((await names())[0]).toContain('\uFFFD')
    await importAreas(pool, { typeCode: 'REG', file: latin1, encoding: 'latin1' })
    expect(await names()).toEqual(['Écrins-Lambert', 'Pré-Carré'])
    await expect(importAreas(pool, { typeCode: 'REG', file: latin1, encoding: 'klingon' })).rejects.toThrow(
      'Unknown encoding "klingon"',
    )
  })

  it('re-importing upserts by (type, code): names and geometries updated, nothing duplicated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geo-'))
    const changed = readFileSync(fixture('communes-4326.geojson'), 'utf8')
      .replace('Vallée Témoin', 'Vallée Témoin (renommée)')
      .replace('[6.10, 44.60], [6.00, 44.60]', '[6.12, 44.60], [6.00, 44.60]')
      .replace('[6.10, 44.55], [6.10, 44.60]', '[6.12, 44.55], [6.12, 44.60]')
    writeFileSync(join(dir, 'v2.geojson'), changed)
    const before = await pool.query(
      `SELECT ST_Area(geom_local) AS a FROM ref_geo.areas WHERE area_code = 'T0003'`,
    )
    const result = await importAreas(pool, { typeCode: 'COM', file: join(dir, 'v2.geojson') })
    expect(result).toMatchObject({ features: 3, inserted: 0, updated: 3 })
    const { rows } = await pool.query(
      `SELECT area_name, ST_Area(geom_local) AS a FROM ref_geo.areas a JOIN ref_geo.area_types t ON t.id = a.type_id
        WHERE t.code = 'COM' AND area_code = 'T0003'`,
    )
    expect(rows).toHaveLength(1)
    expect(rows[0].area_name).toBe('Vallée Témoin (renommée)')
    expect(rows[0].a).toBeGreaterThan(before.rows[0].a * 1.1) // geom_local followed the new geom
  })

  it('a malformed file stops at the feature number and writes nothing', async () => {
    const count = async () => Number((await pool.query('SELECT count(*) FROM ref_geo.areas')).rows[0].count)
    const before = await count()
    await expect(importAreas(pool, { typeCode: 'COM', file: fixture('malformed.geojson') })).rejects.toThrow(
      /^Feature 3: malformed JSON/,
    )
    await expect(
      importAreas(pool, { typeCode: 'COM', file: fixture('not-polygons.geojson') }),
    ).rejects.toThrow('Feature 2: geometry type Point: areas must be Polygon or MultiPolygon')
    const dir = mkdtempSync(join(tmpdir(), 'geo-'))
    const truncated = join(dir, 'truncated.geojson')
    writeFileSync(truncated, readFileSync(fixture('communes-4326.geojson'), 'utf8').slice(0, 600))
    await expect(importAreas(pool, { typeCode: 'COM', file: truncated })).rejects.toThrow(
      /^Feature 2: the file ends inside this feature/,
    )
    // A Shapefile cut in the middle of its second record
    for (const ext of ['.shx', '.dbf', '.prj', '.cpg']) {
      copyFileSync(fixture(`communes-2154${ext}`), join(dir, `cut${ext}`))
    }
    copyFileSync(fixture('communes-2154.shp'), join(dir, 'cut.shp'))
    truncateSync(join(dir, 'cut.shp'), statSync(join(dir, 'cut.shp')).size - 60)
    await expect(importAreas(pool, { typeCode: 'M1', file: join(dir, 'cut.shp') })).rejects.toThrow(
      /^Feature 2: /,
    )
    expect(await count()).toBe(before)
  })

  it('rejects invalid geometries with ST_IsValidReason and the feature number, or repairs them with makeValid', async () => {
    await expect(
      importAreas(pool, { typeCode: 'COM', file: fixture('invalid-geometry.geojson') }),
    ).rejects.toThrow(/^Feature 2: invalid geometry: Self-intersection\[6\.25 44\.05\]/)
    expect((await areas('T030')).length).toBe(0)
    const repaired = await importAreas(pool, {
      typeCode: 'COM',
      file: fixture('invalid-geometry.geojson'),
      makeValid: true,
    })
    expect(repaired).toMatchObject({ inserted: 2, repaired: 1 })
    const { rows } = await pool.query(
      `SELECT ST_IsValid(geom) AS valid, ST_NumGeometries(geom) AS parts FROM ref_geo.areas WHERE area_code = 'T0302'`,
    )
    expect(rows).toEqual([{ valid: true, parts: 2 }])
  })

  it('an unknown type, a missing field or an unknown SRID is an error naming it', async () => {
    await expect(
      importAreas(pool, { typeCode: 'ZNIEFF9', file: fixture('communes-4326.geojson') }),
    ).rejects.toThrow('Unknown area type "ZNIEFF9"')
    await expect(
      importAreas(pool, { typeCode: 'COM', file: fixture('communes-4326.geojson'), codeField: 'INSEE_DEP' }),
    ).rejects.toThrow('Feature 1: no field "INSEE_DEP" (fields: INSEE_COM, NOM, POPULATION)')
    await expect(
      importAreas(pool, { typeCode: 'COM', file: fixture('communes-4326.geojson'), srid: 2154 }),
    ).rejects.toThrow(
      'Feature 1: coordinates look like longitude/latitude degrees, but EPSG:2154 is in metres (wrong --srid?)',
    )
  })
})
