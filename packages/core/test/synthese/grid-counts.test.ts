import { randomUUID } from 'node:crypto'
import { VectorTile } from '@mapbox/vector-tile'
import { PbfReader } from 'pbf'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withTransaction } from '../../src/db/transaction.ts'
import type { ObservationCaller, ObservationSearch } from '../../src/synthese/synthese-queries.ts'
import { type SyntheseRowInput, upsertSyntheseRows } from '../../src/synthese/synthese-service.ts'
import { gridCountVariants, syntheseTile, type Tile } from '../../src/synthese/synthese-tiles.ts'
import { createTestApp, type TestApp } from '../helpers/index.ts'

/** XYZ tile (y from the top) holding a WGS 84 point. */
const tileOf = (lon: number, lat: number, z: number): Tile => {
  const r = (lat * Math.PI) / 180
  return {
    z,
    x: Math.floor(((lon + 180) / 360) * 2 ** z),
    y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z),
  }
}

/** The grid cells of a tile as sorted "x,y:count" strings (the cell's south-west pixel and its count). */
const cells = (body: Buffer | null): string[] => {
  if (!body) return []
  const layer = new VectorTile(new PbfReader(body)).layers.grid
  if (!layer) return []
  return Array.from({ length: layer.length }, (_, i) => {
    const f = layer.feature(i)
    const ring = f.loadGeometry()[0]!
    return `${Math.min(...ring.map((p) => p.x))},${Math.max(...ring.map((p) => p.y))}:${f.properties.count}`
  }).sort()
}

// Two clusters 60 km apart (Écrins, Vercors) and a lone point across the antimeridian-free far west of Europe.
const spread = (lon: number, lat: number, n: number, step: number) =>
  Array.from({ length: n }, (_, i) => [lon + (i % 7) * step, lat + Math.floor(i / 7) * step] as const)

describe('precomputed grid counts of the low-zoom tiles', () => {
  let t: TestApp
  let pool: pg.Pool
  let admin: ObservationCaller
  let datasets: { pne: number; lpo: number }
  const tiles = [
    ...[0, 3, 6, 7, 8, 9, 10].map((z) => tileOf(6.2, 44.8, z)),
    tileOf(5.5, 45.1, 10),
    tileOf(-4.5, 48.4, 5),
  ]

  const write = (source: string, rows: Partial<SyntheseRowInput>[]) =>
    withTransaction(pool, (c) =>
      upsertSyntheseRows(
        c,
        source,
        rows.map((r) => ({
          uniqueIdSinp: randomUUID(),
          datasetId: datasets.pne,
          cdNom: 351,
          nomCite: 'Rana temporaria',
          dateMin: '2024-05-01',
          geometry: { type: 'Point', coordinates: [6.2, 44.8] },
          ...r,
        })),
      ),
    )
  const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] })

  /** Every tile and filter: counted from grid_counts (+ deltas) exactly as aggregated from the rows. */
  const expectCountsMatchRows = async () => {
    let nonEmpty = 0
    for (const filters of [
      {},
      { dataset: [datasets.lpo] },
      { source: 'IMPORT:7' },
      { import: 7 },
    ] as ObservationSearch[]) {
      expect(await gridCountVariants(pool, admin, filters)).toEqual([0, 1])
      for (const tile of tiles) {
        const counted = cells(await syntheseTile(pool, admin, filters, tile))
        const raw = cells(await syntheseTile(pool, admin, filters, tile, { gridCounts: false }))
        expect(counted, JSON.stringify({ tile, filters })).toEqual(raw)
        if (raw.length) nonEmpty++
      }
    }
    expect(nonEmpty).toBeGreaterThan(10)
  }

  beforeAll(async () => {
    t = await createTestApp()
    pool = t.app.db.pool
    const { rows } = await pool.query(
      `SELECT (SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE') AS pne,
              (SELECT id FROM gn_meta.datasets WHERE short_name = 'Oiseaux LPO 05') AS lpo,
              (SELECT id FROM core.users WHERE login = 'admin') AS admin,
              (SELECT organism_id FROM core.users WHERE login = 'admin') AS organism`,
    )
    datasets = { pne: rows[0].pne, lpo: rows[0].lpo }
    admin = { userId: rows[0].admin, organismId: rows[0].organism, scope: 3, preciseScope: 3 }
  })
  afterAll(() => t.close())

  it('answer only scope 3 callers filtering on dataset, source or import', async () => {
    expect(await gridCountVariants(pool, admin, {})).toEqual([0, 1])
    expect(await gridCountVariants(pool, admin, { dataset: [1], import: 2, taxon: [] })).toEqual([0, 1])
    expect(await gridCountVariants(pool, { ...admin, scope: 2 }, {})).toBeNull()
    expect(await gridCountVariants(pool, admin, { taxon: [351] })).toBeNull()
    expect(await gridCountVariants(pool, admin, { status: '0' })).toBeNull()
    expect(await gridCountVariants(pool, admin, { dateMin: '2020-01-01' })).toBeNull()
    // Blurred callers sum the blurred variant, unless they own a sensitive row (theirs are precise for them).
    expect(await gridCountVariants(pool, { ...admin, preciseScope: 0 }, {})).toEqual([0, 2])
  })

  it('stay equal to the rows through inserts, moves, dataset and status changes, deletes', async () => {
    await write(
      'OCCTAX',
      spread(6.05, 44.7, 40, 0.031).map(([lon, lat]) => ({ geometry: point(lon, lat) })),
    )
    const imported = await write('IMPORT:7', [
      ...spread(5.4, 45.0, 30, 0.017).map(([lon, lat]) => ({ geometry: point(lon, lat) })),
      ...spread(6.1, 44.75, 12, 0.05).map(([lon, lat]) => ({
        datasetId: datasets.lpo,
        geometry: point(lon, lat),
      })),
      { geometry: point(-4.5, 48.4) },
    ])
    await expectCountsMatchRows()

    // Move some rows (another cell, another tile), change the dataset of others, the status of the rest.
    const ids = imported.rows.map((r) => r.id)
    await pool.query(
      `UPDATE gn_synthese.synthese SET the_geom_4326 = ST_Translate(the_geom_4326, 0.4, -0.2)
        WHERE id = ANY($1::bigint[])`,
      [ids.slice(0, 10)],
    )
    await pool.query('UPDATE gn_synthese.synthese SET id_dataset = $2 WHERE id = ANY($1::bigint[])', [
      ids.slice(10, 20),
      datasets.lpo,
    ])
    const deltasBefore = await pool.query('SELECT count(*)::int AS n FROM gn_synthese.grid_count_deltas')
    await pool.query(
      `UPDATE gn_synthese.synthese SET id_nomenclature_valid_status = (
         SELECT n.id FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types ty ON ty.id = n.type_id
          WHERE ty.mnemonique = 'STATUT_VALID' AND n.cd_nomenclature = '2') WHERE id = ANY($1::bigint[])`,
      [ids.slice(20)],
    )
    await expectCountsMatchRows()
    await pool.query('DELETE FROM gn_synthese.synthese WHERE id = ANY($1::bigint[])', [ids.slice(25, 40)])
    await expectCountsMatchRows()

    // Writers one after the other leave nothing to compact; a status change appended nothing.
    expect(deltasBefore.rows[0].n).toBe(0)
    expect((await pool.query('SELECT count(*)::int AS n FROM gn_synthese.grid_count_deltas')).rows[0].n).toBe(
      0,
    )
  })

  it('let concurrent writers proceed without waiting, and count a transaction only once it commits', async () => {
    const url = t.databaseUrl
    const [a, b] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })]
    await Promise.all([a.connect(), b.connect()])
    try {
      const before = cells(await syntheseTile(pool, admin, {}, tileOf(6.2, 44.8, 6)))
      // A holds the compaction lock and uncommitted counts in the same cells B writes to.
      await a.query('BEGIN')
      await upsertSyntheseRows(a, 'OCCTAX', [
        {
          datasetId: datasets.pne,
          cdNom: 351,
          nomCite: 'x',
          dateMin: '2024-01-01',
          geometry: point(6.2, 44.8),
        },
      ])
      await b.query('SET statement_timeout = 5000') // B waiting on A would fail here
      await b.query('BEGIN')
      await upsertSyntheseRows(b, 'OCCTAX', [
        {
          datasetId: datasets.pne,
          cdNom: 351,
          nomCite: 'y',
          dateMin: '2024-01-01',
          geometry: point(6.2, 44.8),
        },
      ])
      await b.query('COMMIT')
      // B's row counts (from its delta rows, not compacted yet: A holds the lock); A's does not yet.
      expect(
        (await pool.query('SELECT count(*)::int AS n FROM gn_synthese.grid_count_deltas')).rows[0].n,
      ).toBeGreaterThan(0)
      await expectCountsMatchRows()
      await a.query('COMMIT')
      await expectCountsMatchRows()
      expect(cells(await syntheseTile(pool, admin, {}, tileOf(6.2, 44.8, 6)))).not.toEqual(before)
    } finally {
      await Promise.all([a.end(), b.end()])
    }
  })

  it('are emptied with the synthese', async () => {
    await pool.query('TRUNCATE gn_synthese.synthese CASCADE')
    for (const table of ['grid_counts', 'grid_count_deltas'])
      expect((await pool.query(`SELECT count(*)::int AS n FROM gn_synthese.${table}`)).rows[0].n).toBe(0)
    expect(cells(await syntheseTile(pool, admin, {}, tileOf(6.2, 44.8, 6)))).toEqual([])
  })
})
