import type pg from 'pg'
import { ensureSyntheseSource } from './synthese-service.ts'

/**
 * Synthetic observations for benchmarks (`pnpm data:generate`): set-based SQL only, one INSERT … SELECT FROM
 * generate_series per batch, each batch its own transaction. Every random draw is a hash of (seed, row index, draw
 * number) (`hashint8extended`), so a seed gives the same rows whatever the batch size; row indexes continue after the
 * source's last one, so a rerun adds rows (new UUIDs, new entity_source_pk_value) instead of colliding.
 *
 * - Space: ~40 cluster centres in the Écrins (lon 5.8–6.7, lat 44.5–45.2), gaussian spread of 1–6 km, 10 % spread
 *   evenly over the region; 95 % points, 3 % small polygons, 2 % short lines, all inside the region.
 * - Taxa: up to 20 000 valid species/subspecies of taxonomie.taxref (else any valid names), shuffled by the seed,
 *   drawn Zipf-like (rank = ⌊N^u⌋: P(rank) ∝ 1/rank).
 * - Dates: the 30 full years before the current year, more data in recent years, seasonal (mid-year peak).
 * - Relevés: three consecutive rows share the group UUID, place, date, dataset and observers.
 * - Metadata: the framework "Données synthétiques (benchmark)" with five datasets across the two demo organisms
 *   (else the first two organisms), created once and reused.
 * - Nomenclatures: the instance's observation defaults, a distribution of STATUT_VALID, NAT_OBJ_GEO by geometry.
 * - Area links: the synthese's statement-level trigger (one INSERT … SELECT over the batch's transition table).
 */

export const GENERATED_SOURCE = 'GENERATED'
export const SYNTHETIC_FRAMEWORK = 'Données synthétiques (benchmark)'
export const DEMO_REGION = { lonMin: 5.8, lonMax: 6.7, latMin: 44.5, latMax: 45.2 } as const

export interface GenerateOptions {
  count: number
  seed?: number
  /** Rows per INSERT statement (and transaction). Default 100 000. */
  batchSize?: number
  onProgress?: (p: { done: number; total: number; seconds: number; rowsPerSecond: number }) => void
}

export interface GenerateResult {
  inserted: number
  firstIndex: number
  lastIndex: number
  seconds: number
  rowsPerSecond: number
  datasetIds: number[]
  taxa: number
}

type Db = pg.Pool

const STATUT_VALID_WEIGHTS: [string, number][] = [
  ['1', 0.55],
  ['2', 0.12],
  ['0', 0.18],
  ['3', 0.04],
  ['4', 0.02],
  ['5', 0.03],
  ['6', 0.06],
]
const OBSERVER_NAMES = [
  'Camille Roux',
  'Julien Blanc',
  'Sophie Garnier',
  'Thomas Faure',
  'Léa Chabert',
  'Nicolas Brun',
  'Élodie Martin',
  'Pierre Arnaud',
  'Manon Giraud',
  'Hugo Vial',
  'Claire Eymard',
  'Antoine Reynaud',
]
const DATASETS: { name: string; shortName: string; organism: 0 | 1; objective: string }[] = [
  { name: 'Suivis faune synthétiques', shortName: 'SYNTH faune PNE', organism: 0, objective: '1.1' },
  { name: 'Inventaires flore synthétiques', shortName: 'SYNTH flore PNE', organism: 0, objective: '1.2' },
  { name: 'Protocoles lacs synthétiques', shortName: 'SYNTH lacs PNE', organism: 0, objective: '1.2' },
  { name: 'Observations réseau synthétiques', shortName: 'SYNTH réseau LPO', organism: 1, objective: '1.1' },
  { name: 'Atlas oiseaux synthétique', shortName: 'SYNTH atlas LPO', organism: 1, objective: '1.1' },
]
const DATASET_WEIGHTS = [0.35, 0.15, 0.1, 0.3, 0.1]

const nom = (type: string, code: string) =>
  `(SELECT n.id FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types t ON t.id = n.type_id
     WHERE t.mnemonique = '${type}' AND n.cd_nomenclature = '${code}')`

/** Small deterministic PRNG (mulberry32) for the cluster centres. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The synthetic framework and its datasets (with organism actors): created once, reused afterwards. */
export async function ensureSyntheticDatasets(client: pg.ClientBase): Promise<number[]> {
  const existing = await client.query<{ id: number }>(
    `SELECT d.id FROM gn_meta.datasets d JOIN gn_meta.acquisition_frameworks f ON f.id = d.framework_id
      WHERE f.name = $1 ORDER BY d.id`,
    [SYNTHETIC_FRAMEWORK],
  )
  if (existing.rows.length) return existing.rows.map((r) => r.id)
  const { rows: organisms } = await client.query<{ id: number }>(
    `SELECT id FROM core.organisms
      ORDER BY (name = 'Parc national des Écrins') DESC, (name = 'LPO Auvergne-Rhône-Alpes') DESC, id LIMIT 2`,
  )
  const { rows: fw } = await client.query<{ id: number }>(
    `INSERT INTO gn_meta.acquisition_frameworks (name, description, start_date, territorial_level_id, financing_type_id)
     VALUES ($1, 'Observations générées par pnpm data:generate pour les bancs d’essai : aucune n’est réelle.',
             '1990-01-01', ${nom('NIVEAU_TERRITORIAL', '7')}, ${nom('TYPE_FINANCEMENT', '1')})
     RETURNING id`,
    [SYNTHETIC_FRAMEWORK],
  )
  const frameworkId = fw[0]!.id
  for (const o of organisms)
    await client.query(
      `INSERT INTO gn_meta.acquisition_framework_actors (framework_id, organism_id, role_id)
       VALUES ($1, $2, ${nom('ROLE_ACTEUR', '1')})`,
      [frameworkId, o.id],
    )
  const ids: number[] = []
  for (const d of DATASETS) {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO gn_meta.datasets (framework_id, name, short_name, description, data_type_id, objective_id,
              collecting_method_id, data_origin_id, source_status_id, resource_type_id)
       VALUES ($1, $2, $3, 'Jeu de données synthétique (banc d’essai), généré par pnpm data:generate.',
               ${nom('DATA_TYP', '1')}, ${nom('JDD_OBJECTIFS', d.objective)}, ${nom('METHO_RECUEIL', '1')},
               ${nom('DS_PUBLIQUE', 'Pu')}, ${nom('STATUT_SOURCE', 'Te')}, ${nom('RESOURCE_TYP', '1')})
       RETURNING id`,
      [frameworkId, d.name, d.shortName],
    )
    const datasetId = rows[0]!.id
    ids.push(datasetId)
    const organism = organisms[d.organism] ?? organisms[0]
    if (organism)
      for (const role of ['1', '6'])
        await client.query(
          `INSERT INTO gn_meta.dataset_actors (dataset_id, organism_id, role_id)
           VALUES ($1, $2, ${nom('ROLE_ACTEUR', role)})`,
          [datasetId, organism.id],
        )
  }
  return ids
}

/** Cumulative-weight CASE over a uniform draw `u`, giving `values[k]` (SQL literals). */
function pickSql(u: string, weights: number[], values: string[]): string {
  const total = weights.reduce((a, b) => a + b, 0)
  let acc = 0
  const whens = weights.slice(0, -1).map((w, k) => {
    acc += w / total
    return `WHEN ${u} < ${acc.toFixed(6)} THEN ${values[k]}`
  })
  return `CASE ${whens.join(' ')} ELSE ${values[values.length - 1]} END`
}

/**
 * Inserts `count` observations of source GENERATED, in batches (one transaction each). Deterministic for a seed
 * (dates relative to the current year). Works on the embedded database too (uses one connection at a time).
 */
export async function generateObservations(pool: Db, options: GenerateOptions): Promise<GenerateResult> {
  const count = Math.max(0, Math.floor(options.count))
  const seed = Math.floor(options.seed ?? 1) >>> 0
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 100_000))

  // Reference data, once.
  const client = await pool.connect()
  let sourceId: number
  let datasetIds: number[]
  let offset: number
  let taxa: { cd_nom: number; lb_nom: string }[]
  let users: { id: number; name: string }[]
  let defaults: Map<string, number>
  let statusIds: Map<string, number>
  let geoNature: Map<string, number>
  try {
    await client.query('BEGIN')
    sourceId = await ensureSyntheseSource(client, {
      name: GENERATED_SOURCE,
      description: 'Synthetic observations (pnpm data:generate), for benchmarks',
    })
    datasetIds = await ensureSyntheticDatasets(client)
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    client.release()
    throw error
  }
  try {
    const last = await client.query<{ max: string | null }>(
      'SELECT max(entity_source_pk_value) AS max FROM gn_synthese.synthese WHERE id_source = $1',
      [sourceId],
    )
    offset = last.rows[0]!.max ? Number(last.rows[0]!.max) : 0
    taxa = (
      await client.query<{ cd_nom: number; lb_nom: string }>(
        `WITH c AS (
           SELECT cd_nom, lb_nom, (cd_nom = cd_ref) AS valid, rang IN ('ES', 'SSES') AS species
             FROM taxonomie.taxref),
         pick AS (SELECT * FROM c WHERE valid AND species),
         fallback AS (SELECT * FROM c WHERE NOT EXISTS (SELECT 1 FROM pick) AND valid)
         SELECT cd_nom, lb_nom FROM (SELECT * FROM pick UNION ALL SELECT * FROM fallback) t
          ORDER BY hashint4extended(cd_nom, $1), cd_nom LIMIT 20000`,
        [seed],
      )
    ).rows
    if (taxa.length === 0) throw new Error('taxonomie.taxref has no valid name: import TAXREF first')
    users = (
      await client.query<{ id: number; name: string }>(
        `SELECT id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) AS name
           FROM core.users ORDER BY id LIMIT 4`,
      )
    ).rows.map((u) => ({ id: u.id, name: u.name || `Utilisateur ${u.id}` }))
    const noms = await client.query<{ type: string; code: string; id: number; is_default: boolean }>(
      `SELECT t.mnemonique AS type, n.cd_nomenclature AS code, n.id,
              EXISTS (SELECT 1 FROM ref_nomenclatures.defaults d WHERE d.usage = 'observation'
                       AND d.organism_id IS NULL AND d.nomenclature_id = n.id) AS is_default
         FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types t ON t.id = n.type_id`,
    )
    defaults = new Map(noms.rows.filter((n) => n.is_default).map((n) => [n.type, n.id]))
    statusIds = new Map(noms.rows.filter((n) => n.type === 'STATUT_VALID').map((n) => [n.code, n.id]))
    geoNature = new Map(noms.rows.filter((n) => n.type === 'NAT_OBJ_GEO').map((n) => [n.code, n.id]))
  } finally {
    client.release()
  }

  // Uniform draw k of row/relevé index `i`: a hash of (i, seed·64 + k) in [0, 1).
  const u = (i: string, k: number) =>
    `((hashint8extended(${i}, ${seed * 64 + k}::bigint) & 281474976710655)::float8 / 281474976710656.0)`
  // Relevé key: three consecutive rows form a relevé.
  const R = '(g.i / 3)'

  // Cluster centres, deterministic from the seed.
  const rand = prng(seed ^ 0x9e3779b9)
  const clusters = Array.from({ length: 40 }, () => ({
    lon: 5.85 + rand() * 0.8,
    lat: 44.55 + rand() * 0.6,
    sigma: 0.01 + rand() * 0.05,
  }))
  const { lonMin, lonMax, latMin, latMax } = DEMO_REGION
  const clusterArr = (f: 'lon' | 'lat' | 'sigma') =>
    `ARRAY[${clusters.map((c) => c[f].toFixed(5)).join(',')}]`
  const gauss = (k: number) => `(sqrt(-2 * ln(1 - ${u(R, k)})) * cos(2 * pi() * ${u(R, k + 1)}))`
  // Cluster index: skewed (some clusters much busier than others).
  const cluster = `(1 + floor(40 * ${u(R, 3)} * ${u(R, 4)}))::int`
  const lon = `CASE WHEN ${u(R, 5)} < 0.1 THEN ${lonMin + 0.01} + ${u(R, 6)} * ${(lonMax - lonMin - 0.02).toFixed(2)}
        ELSE least(${lonMax - 0.01}, greatest(${lonMin + 0.01}, (${clusterArr('lon')})[${cluster}] + (${clusterArr('sigma')})[${cluster}] * ${gauss(7)})) END`
  const lat = `CASE WHEN ${u(R, 5)} < 0.1 THEN ${latMin + 0.01} + ${u(R, 9)} * ${(latMax - latMin - 0.02).toFixed(2)}
        ELSE least(${latMax - 0.01}, greatest(${latMin + 0.01}, (${clusterArr('lat')})[${cluster}] + 0.7 * (${clusterArr('sigma')})[${cluster}] * ${gauss(10)})) END`

  // Observers: users first (some observations linked to users), then the text-only pool; skewed choice.
  const pool1 = [...users.map((x) => x.name), ...OBSERVER_NAMES]
  const poolNames = `ARRAY[${pool1.map((n) => `'${n.replaceAll("'", "''")}'`).join(',')}]::text[]`
  const poolUsers = `ARRAY[${pool1.map((_, k) => users[k]?.id ?? 'NULL').join(',')}]::int[]`
  const P = pool1.length
  const obs1 = (r: string) => `least(${P}, floor(exp(${u(r, 12)} * ln(${P + 1})))::int)`
  const obs2 = (r: string) => `CASE WHEN ${u(r, 13)} < 0.3 THEN 1 + floor(${u(r, 14)} * ${P})::int END`

  const N = taxa.length
  const taxonRank = `least(${N}, floor(exp(${u('g.i', 20)} * ln(${N + 1})))::int)`
  const datasetArr = `ARRAY[${datasetIds.join(',')}]::int[]`
  const datasetIdx = pickSql(
    u(R, 15),
    datasetIds.map((_, k) => DATASET_WEIGHTS[k % DATASET_WEIGHTS.length]!),
    datasetIds.map((_, k) => String(k + 1)),
  )
  const validStatus = pickSql(
    u('g.i', 21),
    STATUT_VALID_WEIGHTS.filter(([c]) => statusIds.has(c)).map(([, w]) => w),
    STATUT_VALID_WEIGHTS.filter(([c]) => statusIds.has(c)).map(([c]) => String(statusIds.get(c))),
  )
  const geoKind = u(R, 16) // < 0.03 polygon, < 0.05 line, else point
  const ext = `(0.0005 + 0.003 * ${u(R, 17)})`
  const geom = `CASE WHEN ${geoKind} < 0.03 THEN ST_Buffer(p.pt, ${ext}, 'quad_segs=2')
        WHEN ${geoKind} < 0.05 THEN ST_MakeLine(p.pt, ST_Translate(p.pt, ${ext} * cos(2 * pi() * ${u(R, 18)}),
                                                                        ${ext} * sin(2 * pi() * ${u(R, 18)})))
        ELSE p.pt END`
  const natObjGeo = `CASE WHEN ${geoKind} < 0.05 THEN ${geoNature.get('In') ?? 'NULL'} ELSE ${geoNature.get('St') ?? 'NULL'} END`
  // Dates: year in the 30 full years before the current one (recent years denser), seasonal day, daytime hour.
  const date = `(make_timestamptz(extract(year FROM now())::int - 1 - floor(30 * power(${u(R, 22)}, 1.4))::int,
                    1, 1, 6 + floor(14 * ${u(R, 23)})::int, floor(60 * ${u(R, 24)})::int, 0, 'UTC')
                 + make_interval(days => least(364, greatest(0, round(172 + 55 * ${gauss(25)})::int))))`

  const nomColumns: [string, string][] = [
    ['geo_object_nature', natObjGeo],
    ['valid_status', validStatus],
    ...(
      [
        ['grp_typ', 'TYP_GRP'],
        ['obs_technique', 'METH_OBS'],
        ['bio_status', 'STATUT_BIO'],
        ['bio_condition', 'ETA_BIO'],
        ['naturalness', 'NATURALITE'],
        ['exist_proof', 'PREUVE_EXIST'],
        ['life_stage', 'STADE_VIE'],
        ['sex', 'SEXE'],
        ['obj_count', 'OBJ_DENBR'],
        ['type_count', 'TYP_DENBR'],
        ['observation_status', 'STATUT_OBS'],
        ['blurring', 'DEE_FLOU'],
        ['source_status', 'STATUT_SOURCE'],
        ['info_geo_type', 'TYP_INF_GEO'],
        ['behaviour', 'OCC_COMPORTEMENT'],
        ['biogeo_status', 'STAT_BIOGEO'],
        ['determination_method', 'METH_DETERMIN'],
      ] as const
    ).map(([c, t]): [string, string] => [c, String(defaults.get(t) ?? 'NULL')]),
  ]

  const sql = `
WITH taxa AS (
  SELECT t.rank::int, t.cd_nom, t.lb_nom FROM unnest($3::int[], $4::text[]) WITH ORDINALITY AS t(cd_nom, lb_nom, rank)),
rows AS (
  SELECT g.i, ${taxonRank} AS rank, ${obs1(R)} AS o1, ${obs2(R)} AS o2, ${date} AS d,
         ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326) AS pt
    FROM generate_series($1::bigint, $2::bigint) AS g(i)),
ins AS (
  INSERT INTO gn_synthese.synthese (unique_id_sinp, unique_id_sinp_grp, id_source, entity_source_pk_value, id_dataset,
         cd_nom, nom_cite, count_min, count_max, date_min, date_max, observers, id_digitiser, the_geom_4326, precision,
         altitude_min, altitude_max, additional_data, ${nomColumns.map(([c]) => `id_nomenclature_${c}`).join(', ')})
  SELECT md5('biodiv-generated:' || g.i)::uuid, md5('biodiv-generated-releve:' || ${R})::uuid, ${sourceId},
         lpad(g.i::text, 12, '0'), (${datasetArr})[${datasetIdx}], t.cd_nom, t.lb_nom,
         c.n, c.n + CASE WHEN ${u('g.i', 26)} < 0.2 THEN floor(c.n * ${u('g.i', 27)})::int ELSE 0 END,
         p.d, p.d + make_interval(mins => floor(180 * ${u(R, 28)})::int),
         (${poolNames})[p.o1] || CASE WHEN p.o2 IS NOT NULL AND p.o2 <> p.o1 THEN ', ' || (${poolNames})[p.o2] ELSE '' END,
         (${poolUsers})[p.o1], ${geom}, CASE WHEN ${geoKind} < 0.05 THEN NULL ELSE 5 + floor(95 * ${u(R, 29)})::int END,
         a.alt, a.alt + floor(50 * ${u(R, 31)})::int, jsonb_build_object('generated', true, 'seed', ${seed}),
         ${nomColumns.map(([, v]) => v).join(', ')}
    FROM rows p JOIN taxa t ON t.rank = p.rank
   CROSS JOIN LATERAL (SELECT p.i) AS g(i)
   CROSS JOIN LATERAL (SELECT floor(exp(${u('g.i', 30)} * ln(60)))::int AS n) AS c
   CROSS JOIN LATERAL (SELECT 700 + floor(2300 * ${u(R, 32)})::int AS alt) AS a
   ORDER BY p.i
  RETURNING id, entity_source_pk_value)
INSERT INTO gn_synthese.cor_observer_synthese (id_synthese, id_role)
SELECT DISTINCT ins.id, x.id_role
  FROM ins CROSS JOIN LATERAL (SELECT ins.entity_source_pk_value::bigint AS i) AS g(i)
 CROSS JOIN LATERAL (VALUES ((${poolUsers})[${obs1(R)}]), ((${poolUsers})[${obs2(R)}])) AS x(id_role)
 WHERE x.id_role IS NOT NULL`
  const taxaCd = taxa.map((t) => t.cd_nom)
  const taxaName = taxa.map((t) => t.lb_nom)

  const started = performance.now()
  let done = 0
  while (done < count) {
    const n = Math.min(batchSize, count - done)
    const first = offset + done + 1
    const c = await pool.connect()
    try {
      await c.query('BEGIN')
      await c.query("SET LOCAL work_mem = '128MB'")
      await c.query(sql, [first, first + n - 1, taxaCd, taxaName])
      await c.query('COMMIT')
    } catch (error) {
      await c.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      c.release()
    }
    done += n
    const seconds = (performance.now() - started) / 1000
    options.onProgress?.({ done, total: count, seconds, rowsPerSecond: done / seconds })
  }
  const seconds = (performance.now() - started) / 1000
  return {
    inserted: done,
    firstIndex: offset + 1,
    lastIndex: offset + done,
    seconds,
    rowsPerSecond: seconds > 0 ? done / seconds : 0,
    datasetIds,
    taxa: taxa.length,
  }
}
