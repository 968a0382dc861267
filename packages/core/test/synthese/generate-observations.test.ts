import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withTransaction } from '../../src/db/transaction.ts'
import {
  GENERATED_SOURCE,
  generateObservations,
  SYNTHETIC_FRAMEWORK,
} from '../../src/synthese/observation-generator.ts'
import { deleteSyntheseBySource } from '../../src/synthese/synthese-service.ts'
import { createTestApp, type TestApp } from '../helpers/index.ts'

const N = 5000

describe('pnpm data:generate: synthetic observations, set-based', () => {
  let t: TestApp
  let pool: pg.Pool
  beforeAll(async () => {
    t = await createTestApp()
    pool = t.app.db.pool
  })
  afterAll(() => t.close())

  const one = async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows[0]
  const GENERATED = `SELECT s.* FROM gn_synthese.synthese s JOIN gn_synthese.sources src ON src.id = s.id_source
                      WHERE src.name = '${GENERATED_SOURCE}'`
  /** Everything generated, except the serial ids and write timestamps. */
  const fingerprint = async () =>
    (
      await one(
        `SELECT md5(string_agg(concat_ws('|', g.entity_source_pk_value, g.unique_id_sinp, g.unique_id_sinp_grp,
                  g.id_dataset, g.cd_nom, g.nom_cite, g.count_min, g.count_max, g.date_min, g.date_max, g.observers,
                  g.id_digitiser, ST_AsText(g.the_geom_4326), g.altitude_min, g.id_nomenclature_valid_status),
                  ',' ORDER BY g.entity_source_pk_value)) AS f FROM (${GENERATED}) g`,
      )
    ).f as string

  let first: string
  it('inserts N realistic observations in batches', async () => {
    const progress: number[] = []
    const result = await generateObservations(pool, {
      count: N,
      seed: 7,
      batchSize: 2000,
      onProgress: (p) => progress.push(p.done),
    })
    expect(result).toMatchObject({ inserted: N, firstIndex: 1, lastIndex: N })
    expect(progress).toEqual([2000, 4000, 5000])
    const stats = await one(
      `SELECT count(*)::int AS n, count(DISTINCT unique_id_sinp)::int AS uuids,
              count(DISTINCT entity_source_pk_value)::int AS pks, count(DISTINCT unique_id_sinp_grp)::int AS releves,
              bool_and(ST_Within(the_geom_4326, ST_MakeEnvelope(5.8, 44.5, 6.7, 45.2, 4326))) AS in_region,
              bool_and(date_min >= date_trunc('year', now()) - interval '30 years' AND date_max <= now()
                       AND date_min <= date_max) AS in_30_years,
              count(*) FILTER (WHERE GeometryType(the_geom_4326) = 'POINT')::int AS points,
              count(DISTINCT GeometryType(the_geom_4326))::int AS geometry_types,
              count(DISTINCT id_dataset)::int AS datasets,
              count(DISTINCT id_nomenclature_valid_status)::int AS statuses,
              bool_and(id_nomenclature_sex IS NOT NULL AND id_nomenclature_obs_technique IS NOT NULL) AS defaults,
              count(DISTINCT observers)::int AS observer_texts,
              bool_and(count_min >= 1 AND count_min <= count_max) AS counts
         FROM (${GENERATED}) g`,
    )
    expect(stats).toMatchObject({
      n: N,
      uuids: N,
      pks: N,
      in_region: true,
      in_30_years: true,
      geometry_types: 3,
      statuses: 7,
      defaults: true,
      counts: true,
    })
    expect(stats.releves).toBeGreaterThan(N / 4)
    expect(stats.points / N).toBeGreaterThan(0.9)
    expect(stats.datasets).toBeGreaterThanOrEqual(4)
    expect(stats.observer_texts).toBeGreaterThan(5)
    // Spatially clustered: the densest 5 % of 0.05° cells hold far more than 5 % of the observations.
    const clustered = await one(
      `WITH c AS (SELECT count(*) AS n FROM (${GENERATED}) g
                   GROUP BY floor(ST_X(the_geom_point) / 0.05), floor(ST_Y(the_geom_point) / 0.05))
       SELECT (SELECT sum(n) FROM (SELECT n FROM c ORDER BY n DESC LIMIT 13) top)::float / ${N} AS share`,
    )
    expect(clustered.share).toBeGreaterThan(0.2)
    // Seasonal: summer months hold more than winter ones.
    const season = await one(
      `SELECT count(*) FILTER (WHERE extract(month FROM date_min) IN (5, 6, 7))::int AS summer,
              count(*) FILTER (WHERE extract(month FROM date_min) IN (11, 12, 1))::int AS winter FROM (${GENERATED}) g`,
    )
    expect(season.summer).toBeGreaterThan(5 * season.winter)
  })

  it('skews taxon frequencies over the taxa of TAXREF', async () => {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (${GENERATED}) g GROUP BY cd_nom ORDER BY 1 DESC`,
    )
    expect(rows.length).toBeGreaterThan(1)
    expect(rows[0]!.n).toBeGreaterThan(4 * rows.at(-1)!.n)
  })

  it('creates the synthetic framework with datasets of both demo organisms, and user links', async () => {
    const meta = await one(
      `SELECT count(DISTINCT f.id)::int AS frameworks, count(DISTINCT d.id)::int AS datasets,
              count(DISTINCT a.organism_id)::int AS organisms
         FROM gn_meta.acquisition_frameworks f JOIN gn_meta.datasets d ON d.framework_id = f.id
         JOIN gn_meta.dataset_actors a ON a.dataset_id = d.id WHERE f.name = $1`,
      [SYNTHETIC_FRAMEWORK],
    )
    expect(meta).toEqual({ frameworks: 1, datasets: 5, organisms: 2 })
    const links = await one(
      `SELECT count(DISTINCT c.id_synthese)::int AS observations, count(DISTINCT c.id_role)::int AS users,
              bool_and(g.observers LIKE '%' || trim(u.first_name || ' ' || u.last_name) || '%') AS named
         FROM gn_synthese.cor_observer_synthese c JOIN (${GENERATED}) g ON g.id = c.id_synthese
         JOIN core.users u ON u.id = c.id_role`,
    )
    expect(links.observations).toBeGreaterThan(N / 10)
    expect(links.observations).toBeLessThan(N)
    expect(links.users).toBeGreaterThan(1)
    expect(links.named).toBe(true)
  })

  it('links every observation to the areas it intersects (statement trigger)', async () => {
    const areas = await one(
      `SELECT count(DISTINCT c.id_synthese)::int AS linked, count(*)::int AS links
         FROM gn_synthese.cor_area_synthese c JOIN (${GENERATED}) g ON g.id = c.id_synthese`,
    )
    expect(areas.linked).toBe(N)
    const expected = await one(
      `SELECT count(*)::int AS links FROM (${GENERATED}) g CROSS JOIN LATERAL ref_geo.intersecting_areas(g.the_geom_4326)`,
    )
    expect(areas.links).toBe(expected.links)
  })

  it('is deterministic for a seed, whatever the batch size', async () => {
    first = await fingerprint()
    await withTransaction(pool, (c) => deleteSyntheseBySource(c, GENERATED_SOURCE))
    const again = await generateObservations(pool, { count: N, seed: 7 })
    expect(again.firstIndex).toBe(1)
    expect(await fingerprint()).toBe(first)
    await withTransaction(pool, (c) => deleteSyntheseBySource(c, GENERATED_SOURCE))
    await generateObservations(pool, { count: N, seed: 8 })
    expect(await fingerprint()).not.toBe(first)
  })

  it('adds rows on a rerun without duplicating ids, reusing the framework', async () => {
    const rerun = await generateObservations(pool, { count: 1000, seed: 8 })
    expect(rerun).toMatchObject({ inserted: 1000, firstIndex: N + 1, lastIndex: N + 1000 })
    const stats = await one(
      `SELECT count(*)::int AS n, count(DISTINCT unique_id_sinp)::int AS uuids,
              count(DISTINCT entity_source_pk_value)::int AS pks FROM (${GENERATED}) g`,
    )
    expect(stats).toEqual({ n: N + 1000, uuids: N + 1000, pks: N + 1000 })
    const frameworks = await one(
      'SELECT count(*)::int AS n FROM gn_meta.acquisition_frameworks WHERE name = $1',
      [SYNTHETIC_FRAMEWORK],
    )
    expect(frameworks.n).toBe(1)
  })
})
