import { createHash } from 'node:crypto'
import type pg from 'pg'
import { badRequest } from '../http/app-error.ts'
import { encodeMvtLayer, type MvtFeature } from './mvt-encoder.ts'
import {
  type ObservationCaller,
  type ObservationSearch,
  observationWhere,
  sourceConditions,
} from './synthese-queries.ts'

/** Up to this zoom a tile holds the layer `grid` (counts per square cell); above, the layer `observations`. */
export const AGGREGATE_MAX_ZOOM = 10
export const TILE_MAX_ZOOM = 22
const EXTENT = 4096
/** Cells per tile edge in the grid layer: 64 × 64 cells of 64 px. */
const GRID_CELLS = 64
/** Pixels (of EXTENT) around a points tile, so symbols drawn across a tile edge are not cut. */
const POINT_BUFFER = 64

/**
 * A grid cell's square, straight in tile coordinates (y down, as ST_AsMVTGeom would give it, without its clipping
 * work): exterior ring clockwise from the top-left corner, as the MVT spec and the JS encoder have it.
 */
const cellSquare = (cx: string, cy: string) => {
  const px = EXTENT / GRID_CELLS
  return `ST_Reverse(ST_MakeEnvelope(${cx} * ${px}, ${EXTENT} - (${cy} + 1) * ${px}, (${cx} + 1) * ${px}, ${EXTENT} - ${cy} * ${px}))`
}

export interface Tile {
  z: number
  x: number
  y: number
}

/** XYZ tile (y from the top): 0 ≤ z ≤ 22, 0 ≤ x, y < 2^z; else 400 INVALID_TILE. */
export function checkTile(tile: Tile): Tile {
  const { z, x, y } = tile
  const ok =
    Number.isInteger(z) &&
    z >= 0 &&
    z <= TILE_MAX_ZOOM &&
    [x, y].every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** z)
  if (!ok)
    throw badRequest(
      'INVALID_TILE',
      `No tile ${z}/${x}/${y}: z must be 0–${TILE_MAX_ZOOM}, x and y 0–2^z-1`,
      tile,
    )
  return tile
}

/**
 * The synthese's data version (a sequence bumped by a statement trigger on every write), or null while a write is
 * in flight (its transaction holds the trigger's advisory lock): then nothing may be cached.
 */
export async function syntheseDataVersion(pool: pg.Pool): Promise<string | null> {
  const { rows } = await pool.query<{ version: string | null }>(
    'SELECT gn_synthese.synthese_data_version()::text AS version',
  )
  return rows[0]?.version ?? null
}

/** The filters in one canonical form: absent and empty dropped, repeatable ones sorted and deduplicated. */
function normalizeFilters(filters: ObservationSearch): [string, unknown][] {
  return Object.entries(filters)
    .filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]): [string, unknown] => [
      k,
      Array.isArray(v) ? [...new Set(v as number[])].sort((a, b) => a - b) : v,
    ])
    .sort(([a], [b]) => (a < b ? -1 : 1))
}

/** The tile's strong ETag: data version, caller (user, organism, scope), normalized filters and z/x/y. */
export function tileEtag(
  version: string,
  caller: ObservationCaller,
  filters: ObservationSearch,
  tile: Tile,
): string {
  const key = JSON.stringify([
    version,
    caller.userId,
    caller.organismId,
    caller.scope,
    caller.preciseScope,
    caller.anonymous ?? null,
    normalizeFilters(filters),
    tile.z,
    tile.x,
    tile.y,
  ])
  return `"${createHash('sha256').update(key).digest('base64url').slice(0, 32)}"`
}

/** Whether an If-None-Match header (a list, weak or strong, or *) matches the ETag. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag)
}

/** Whether the database's PostGIS can build MVT (ST_AsMVT needs protobuf-c; the embedded PGlite one has not). */
const sqlMvtSupport = new WeakMap<pg.Pool, Promise<boolean>>()
export function hasSqlMvt(pool: pg.Pool): Promise<boolean> {
  let support = sqlMvtSupport.get(pool)
  if (!support) {
    // A probe query of ST_AsMVT would fail, and a failed query drops the embedded database's single connection.
    support = pool
      .query<{ ok: boolean }>('SELECT postgis_libprotobuf_version() IS NOT NULL AS ok')
      .then(({ rows }) => rows[0]?.ok === true)
    support.catch(() => sqlMvtSupport.delete(pool)) // asked again next time
    sqlMvtSupport.set(pool, support)
  }
  return support
}

export type TileEncoder = 'sql' | 'js'

export interface TileOptions {
  /** How the MVT is built: by PostGIS (`ST_AsMVT`) or in JS; default: PostGIS where it can. */
  encoder?: TileEncoder
  /** Whether grid tiles may read the precomputed cell counts when the request allows it (default true). */
  gridCounts?: boolean
}

/** A parameter list and its binder, for the queries that need no caller clause. */
function boundParams(): { params: unknown[]; p: (value: unknown) => string } {
  const params: unknown[] = []
  return { params, p: (value) => `$${params.push(value)}` }
}

/** Filters the precomputed cell counts can answer: they are kept per dataset and source only. */
const GRID_COUNT_FILTERS = new Set(['dataset', 'source', 'import'])

/**
 * The count variants a grid tile of this caller sums (ADR 15), when the precomputed cell counts can answer it —
 * every observation visible (scope 3), filters they hold, and the caller sees sensitive rows either all precisely
 * (variants 0 + 1) or all blurred (0 + 2: they own no sensitive row) — else null.
 */
export async function gridCountVariants(
  pool: pg.Pool,
  caller: ObservationCaller,
  filters: ObservationSearch,
): Promise<[number, number] | null> {
  if (caller.scope !== 3 || caller.anonymous) return null
  if (!normalizeFilters(filters).every(([name]) => GRID_COUNT_FILTERS.has(name))) return null
  if (caller.preciseScope === 3) return [0, 1]
  const { rows } = await pool.query<{ owns: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM gn_synthese.synthese WHERE sensitivity_level > 0 AND id_digitiser = $1)
         OR EXISTS (SELECT 1 FROM gn_synthese.cor_observer_synthese co
                      JOIN gn_synthese.synthese s ON s.id = co.id_synthese
                     WHERE co.id_role = $1 AND s.sensitivity_level > 0) AS owns`,
    [caller.userId],
  )
  return rows[0]?.owns ? null : [0, 2]
}

/**
 * The `cells` CTE (cx, cy, n) of a grid tile from the precomputed counts: the tile's 64 × 64 cells are the cells of
 * quadtree level z + 6 from (x·64, (2^z − 1 − y)·64), counted from the south-west corner as the raw query does.
 */
function countedCells(
  filters: ObservationSearch,
  tile: Tile,
  variants: [number, number],
  p: (value: unknown) => string,
): string {
  const [level, x0, y0] = [p(tile.z + 6), p(tile.x * GRID_CELLS), p((2 ** tile.z - 1 - tile.y) * GRID_CELLS)]
  const where = [
    `level = ${level}::smallint`,
    `variant = ANY(${p(variants)}::smallint[])`,
    `gx BETWEEN ${x0}::integer AND ${x0}::integer + ${GRID_CELLS - 1}`,
    `gy BETWEEN ${y0}::integer AND ${y0}::integer + ${GRID_CELLS - 1}`,
  ]
  // Unfiltered: the all-datasets, all-sources row of each cell (0, 0); else the rows of the asked ones.
  if (!filters.dataset?.length && !filters.source && filters.import === undefined)
    where.push('id_dataset = 0 AND id_source = 0')
  if (filters.dataset?.length) where.push(`id_dataset = ANY(${p(filters.dataset)}::integer[])`)
  where.push(...sourceConditions(filters, p, 'id_source'))
  const condition = where.join(' AND ')
  return `cells AS (
      SELECT g.gx - ${x0}::integer AS cx, g.gy - ${y0}::integer AS cy, sum(g.n)::integer AS n
        FROM (SELECT gx, gy, n FROM gn_synthese.grid_counts WHERE ${condition}
              UNION ALL
              SELECT gx, gy, n FROM gn_synthese.grid_count_deltas WHERE ${condition}) g
       GROUP BY 1, 2 HAVING sum(g.n) > 0)`
}

/**
 * One Mapbox vector tile (EPSG:3857, extent 4096) of the observations visible to the caller that match the filters
 * (same `observationWhere` as the list and the export), or null when it holds no feature. One statement; the rows
 * are found through the GiST index on `the_geom_3857` (ST_Transform(the_geom_point, 3857), stored).
 * - z ≤ AGGREGATE_MAX_ZOOM: layer `grid`, one square polygon per non-empty cell of a 64 × 64 grid (aligned on the
 *   tile, so on the whole world) with `count`. A point on a cell edge belongs to the cell on its right / above
 *   (floor), so each observation is counted in exactly one cell of one tile.
 * - above: layer `observations`, one point per row with `id`, `cdNom`, `date` (date_min, YYYY-MM-DD) and `status`
 *   (STATUT_VALID code); the feature id is the synthese id too.
 * Built by ST_AsMVT, or (encoder 'js', the default where PostGIS lacks it) from the same rows by `encodeMvtLayer`.
 * Grid tiles a scope-3 caller asks with no filter but dataset/source/import are summed from the precomputed cell
 * counts (gn_synthese.grid_counts + grid_count_deltas, kept by triggers: ADR 14) instead of the rows: same cells.
 */
export async function syntheseTile(
  pool: pg.Pool,
  caller: ObservationCaller,
  filters: ObservationSearch,
  tile: Tile,
  options: TileOptions = {},
): Promise<Buffer | null> {
  const sqlEncoder = (options.encoder ?? ((await hasSqlMvt(pool)) ? 'sql' : 'js')) === 'sql'
  // z/x/y are checked integers (checkTile): written as literals, so the spatial tests need no parameter.
  const { z, x, y } = checkTile(tile)
  const envelope = `ST_TileEnvelope(${z}, ${x}, ${y})`
  const margin = `ST_TileEnvelope(${z}, ${x}, ${y}, margin => ${POINT_BUFFER / EXTENT})`
  // b: the tile envelope, its south-west corner, its width and the size of a grid cell (EPSG:3857 metres).
  const bounds = `b AS (
    SELECT e, ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_YMax(e) AS y1, ST_XMax(e) - ST_XMin(e) AS width,
           (ST_XMax(e) - ST_XMin(e)) / ${GRID_CELLS} AS size
      FROM (SELECT ${envelope} AS e) t)`
  if (tile.z <= AGGREGATE_MAX_ZOOM) {
    const variants = options.gridCounts !== false ? await gridCountVariants(pool, caller, filters) : null
    let cells: string
    let params: unknown[]
    if (variants) {
      const bound = boundParams()
      cells = `WITH ${bounds}, ${countedCells(filters, tile, variants, bound.p)}`
      params = bound.params
    } else {
      // A blurred row's shown point (the_geom_3857) is its blurred area's: it is counted there, never finer.
      const q = await observationWhere(pool, caller, filters, [
        { geometry: '3857', test: (g) => `${g} && ${envelope}` },
      ])
      cells = `WITH ${bounds}, cells AS (
      SELECT floor((ST_X(o.g) - b.x0) / b.size)::integer AS cx, floor((ST_Y(o.g) - b.y0) / b.size)::integer AS cy,
             count(*)::integer AS n
        FROM (SELECT s.the_geom_3857 AS g FROM ${q.from} s WHERE ${q.where.join(' AND ')}) o, b
       GROUP BY 1, 2)`
      params = q.params
    }
    const inTile = `c.cx BETWEEN 0 AND ${GRID_CELLS - 1} AND c.cy BETWEEN 0 AND ${GRID_CELLS - 1}`
    if (sqlEncoder) {
      const { rows } = await pool.query<{ mvt: Buffer | null }>(
        `${cells}
         SELECT ST_AsMVT(f, 'grid', ${EXTENT}, 'geom') AS mvt
           FROM (SELECT ${cellSquare('c.cx', 'c.cy')} AS geom, c.n AS count FROM cells c WHERE ${inTile}) f`,
        params,
      )
      const mvt = rows[0]?.mvt
      return mvt && mvt.length > 0 ? mvt : null
    }
    const { rows } = await pool.query<{ cx: number; cy: number; n: number }>(
      `${cells} SELECT c.cx, c.cy, c.n FROM cells c WHERE ${inTile} ORDER BY c.cy, c.cx`,
      params,
    )
    const px = EXTENT / GRID_CELLS
    const features = rows.map(
      ({ cx, cy, n }): MvtFeature => ({
        geometry: [cx * px, EXTENT - (cy + 1) * px, (cx + 1) * px, EXTENT - cy * px],
        properties: { count: n },
      }),
    )
    return features.length ? encodeMvtLayer('grid', features, EXTENT) : null
  }
  // Precise rows are points; blurred rows are drawn as their area (one feature per area with its count), never as
  // a point: those whose blurred geometry meets the tile.
  const pointsQuery = await observationWhere(pool, caller, filters, [
    { geometry: '3857', test: (g) => `${g} && ${margin}` },
  ])
  const blurredQuery = await observationWhere(pool, caller, filters, [
    { geometry: '4326', test: (g) => `${g} && ST_Transform(${margin}, 4326)` },
  ])
  const points = (
    geom: string,
  ) => `SELECT ${geom}, s.id, s.cd_nom AS "cdNom", to_char(s.date_min, 'YYYY-MM-DD') AS date,
             (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures
               WHERE id = s.id_nomenclature_valid_status) AS status
        FROM ${pointsQuery.from} s${sqlEncoder ? '' : ', b'}
       WHERE NOT s.blurred AND ${pointsQuery.where.join(' AND ')}`
  const blurredAreas = `blurred AS (
      SELECT s.id_area_blurred AS area, count(*)::integer AS n, max(s.sensitivity_level)::integer AS level
        FROM ${blurredQuery.from} s
       WHERE s.blurred AND ${blurredQuery.where.join(' AND ')}
       GROUP BY 1),
    shapes AS (
      SELECT bl.n, bl.level, at.code AS "areaType", a.area_name AS "areaName",
             ST_ClipByBox2D(ST_Transform(ST_SimplifyPreserveTopology(a.geom, 0.0005), 3857), ${margin}) AS g
        FROM blurred bl JOIN ref_geo.areas a ON a.id = bl.area JOIN ref_geo.area_types at ON at.id = a.type_id)`
  if (sqlEncoder) {
    const [pointRows, areaRows] = await Promise.all([
      pool.query<{ mvt: Buffer | null }>(
        `SELECT ST_AsMVT(f, 'observations', ${EXTENT}, 'geom', 'fid') AS mvt
           FROM (${points(`ST_AsMVTGeom(s.the_geom_3857, ${envelope}, ${EXTENT}, ${POINT_BUFFER}, true) AS geom, s.id AS fid`)}) f`,
        pointsQuery.params,
      ),
      pool.query<{ mvt: Buffer | null }>(
        `WITH ${blurredAreas}
         SELECT ST_AsMVT(f, 'blurred', ${EXTENT}, 'geom') AS mvt
           FROM (SELECT ST_AsMVTGeom(sh.g, ${envelope}, ${EXTENT}, ${POINT_BUFFER}, true) AS geom, sh.n AS count,
                        sh.level, sh."areaType", sh."areaName" FROM shapes sh) f`,
        blurredQuery.params,
      ),
    ])
    const parts = [pointRows.rows[0]?.mvt, areaRows.rows[0]?.mvt].filter(
      (b): b is Buffer => !!b && b.length > 0,
    )
    return parts.length ? Buffer.concat(parts) : null
  }
  const pixels = `round((ST_X(s.the_geom_3857) - b.x0) * ${EXTENT} / b.width)::integer AS px,
                round((b.y1 - ST_Y(s.the_geom_3857)) * ${EXTENT} / b.width)::integer AS py`
  const { rows: pointRows } = await pool.query<{
    px: number
    py: number
    id: string
    cdNom: number
    date: string
    status: string | null
  }>(`WITH ${bounds} ${points(pixels)} ORDER BY s.id`, pointsQuery.params)
  const { rows: areaRows } = await pool.query<{
    shape: { type: string; coordinates: unknown }
    n: number
    level: number
    areaType: string
    areaName: string
  }>(
    `WITH ${bounds}, ${blurredAreas}
     SELECT ST_AsGeoJSON(ST_Affine(sh.g, ${EXTENT} / b.width, 0, 0, -${EXTENT} / b.width,
                                   -b.x0 * ${EXTENT} / b.width, b.y1 * ${EXTENT} / b.width), 0)::json AS shape,
            sh.n, sh.level, sh."areaType", sh."areaName"
       FROM shapes sh, b WHERE NOT ST_IsEmpty(sh.g) ORDER BY sh."areaType", sh."areaName"`,
    blurredQuery.params,
  )
  const layers: Buffer[] = []
  if (pointRows.length)
    layers.push(
      encodeMvtLayer(
        'observations',
        pointRows.map(({ px, py, id, ...properties }) => ({
          id: Number(id),
          geometry: [px, py],
          properties: { id: Number(id), ...properties },
        })),
        EXTENT,
      ),
    )
  const areas = areaRows.map(({ shape, n, level, areaType, areaName }): MvtFeature => {
    const polygons = (shape.type === 'Polygon' ? [shape.coordinates] : shape.coordinates) as [
      number,
      number,
    ][][][]
    return { geometry: { polygons }, properties: { count: n, level, areaType, areaName } }
  })
  if (areas.length) layers.push(encodeMvtLayer('blurred', areas, EXTENT))
  return layers.length ? Buffer.concat(layers) : null
}
