import type pg from 'pg'
import { AppError, badRequest } from '../http/app-error.ts'

export interface AreaRow {
  id: number
  type: string
  code: string
  name: string
  source: string | null
  enabled: boolean
  centroid: [number, number]
  bbox: [number, number, number, number]
  geometry?: { type: string; coordinates: unknown[] }
}

export interface AreaSearch {
  types?: string[]
  q?: string
  bbox?: [number, number, number, number]
  geometry?: boolean
  limit: number
  offset: number
}

const AREA_COLUMNS = `a.id, t.code AS type, a.area_code AS code, a.area_name AS name, a.source, a.enabled,
  json_build_array(round(ST_X(a.centroid)::numeric, 6), round(ST_Y(a.centroid)::numeric, 6)) AS centroid,
  json_build_array(round(ST_XMin(a.geom)::numeric, 6), round(ST_YMin(a.geom)::numeric, 6),
                   round(ST_XMax(a.geom)::numeric, 6), round(ST_YMax(a.geom)::numeric, 6)) AS bbox`

/** Fails with 400 UNKNOWN_AREA_TYPE naming the codes that are not area types. */
export async function checkAreaTypes(pool: pg.Pool, codes: string[]): Promise<void> {
  if (codes.length === 0) return
  const { rows } = await pool.query<{ code: string }>(
    'SELECT c AS code FROM unnest($1::text[]) c WHERE c NOT IN (SELECT code FROM ref_geo.area_types)',
    [codes],
  )
  if (rows.length > 0) {
    const unknown = rows.map((r) => r.code)
    throw badRequest('UNKNOWN_AREA_TYPE', `Unknown area type(s): ${unknown.join(', ')}`, { unknown })
  }
}

/** Parses `minLon,minLat,maxLon,maxLat` (WGS 84), or fails with 400 INVALID_BBOX. */
export function parseBbox(text: string): [number, number, number, number] {
  const values = text.split(',').map((v) => Number(v.trim()))
  const [xmin, ymin, xmax, ymax] = values as [number, number, number, number]
  if (
    values.length !== 4 ||
    !values.every(Number.isFinite) ||
    xmin >= xmax ||
    ymin >= ymax ||
    xmin < -180 ||
    xmax > 180 ||
    ymin < -90 ||
    ymax > 90
  ) {
    throw badRequest(
      'INVALID_BBOX',
      'bbox must be minLon,minLat,maxLon,maxLat in WGS 84 degrees, with min < max',
      { bbox: text },
    )
  }
  return [xmin, ymin, xmax, ymax]
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

/**
 * Areas by type, code or name and bbox. `q` matches a code prefix, or the words of the name in order, ignoring case
 * and accents (ref_geo.search_key); exact codes come first, then names starting with q. The bbox test uses the GiST
 * index on geom (&&) before ST_Intersects.
 */
export async function searchAreas(pool: pg.Pool, search: AreaSearch): Promise<AreaRow[]> {
  const params: unknown[] = []
  const where: string[] = []
  const param = (value: unknown) => {
    params.push(value)
    return `$${params.length}`
  }
  if (search.types?.length) where.push(`t.code = ANY(${param(search.types)}::text[])`)
  let order = 't.id, a.area_name, a.area_code'
  if (search.q) {
    const q = search.q.trim()
    const words = q
      .split(/[\s'’-]+/)
      .filter(Boolean)
      .map(escapeLike)
    const code = param(q)
    const pattern = param(`%${words.join('%')}%`)
    const prefix = param(`${words.join(' ')}%`)
    const codePrefix = param(`${escapeLike(q)}%`)
    where.push(
      `(a.area_code ILIKE ${codePrefix} OR ref_geo.search_key(a.area_name) LIKE ref_geo.search_key(${pattern}))`,
    )
    // exact code, then codes starting with q (in code order), then names starting with q (shortest first)
    order = `(lower(a.area_code) = lower(${code})) DESC,
             CASE WHEN a.area_code ILIKE ${codePrefix} THEN a.area_code END NULLS LAST,
             (ref_geo.search_key(a.area_name) LIKE ref_geo.search_key(${prefix})) DESC,
             t.id, length(a.area_name), a.area_name, a.area_code`
  }
  if (search.bbox) {
    const envelope = `ST_MakeEnvelope(${search.bbox.map((v) => param(v)).join(', ')}, 4326)`
    where.push(`a.geom && ${envelope} AND ST_Intersects(a.geom, ${envelope})`)
  }
  const geometry = search.geometry ? `, ST_AsGeoJSON(a.geom, 6)::json AS geometry` : ''
  const { rows } = await pool.query<AreaRow>(
    `SELECT ${AREA_COLUMNS}${geometry}
       FROM ref_geo.areas a JOIN ref_geo.area_types t ON t.id = a.type_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${order}
      LIMIT ${param(search.limit)} OFFSET ${param(search.offset)}`,
    params,
  )
  return rows
}

export async function areaFeature(pool: pg.Pool, id: number) {
  const { rows } = await pool.query<
    AreaRow & { typeName: string; additionalData: Record<string, unknown>; geometry: AreaRow['geometry'] }
  >(
    `SELECT ${AREA_COLUMNS}, t.name AS "typeName", a.additional_data AS "additionalData",
            ST_AsGeoJSON(a.geom, 6)::json AS geometry
       FROM ref_geo.areas a JOIN ref_geo.area_types t ON t.id = a.type_id WHERE a.id = $1`,
    [id],
  )
  const row = rows[0]
  if (!row) return null
  return {
    type: 'Feature' as const,
    id: row.id,
    bbox: row.bbox,
    geometry: row.geometry!,
    properties: {
      type: row.type,
      typeName: row.typeName,
      code: row.code,
      name: row.name,
      source: row.source,
      enabled: row.enabled,
      additionalData: row.additionalData,
    },
  }
}

export async function listAreaTypes(pool: pg.Pool) {
  const { rows } = await pool.query(
    `SELECT t.id, t.code, t.name, t.description, t.ref_name AS "refName", t.ref_version AS "refVersion",
            (SELECT count(*)::int FROM ref_geo.areas a WHERE a.type_id = t.id AND a.enabled) AS "areaCount"
       FROM ref_geo.area_types t ORDER BY t.id`,
  )
  return rows as {
    id: number
    code: string
    name: string
    description: string | null
    refName: string | null
    refVersion: string | null
    areaCount: number
  }[]
}

/** Longitude/latitude bounds: anything outside is not a WGS 84 geometry (swapped axes, projected metres). */
const WORLD = 'ST_MakeEnvelope(-180, -90, 180, 90, 4326)'

/**
 * A GeoJSON geometry from a client, as PostGIS reads it: 400 INVALID_GEOMETRY when it cannot be parsed or is not
 * valid (with ST_IsValidReason), 400 GEOMETRY_OUT_OF_BOUNDS when it is not within longitude/latitude bounds.
 */
export async function checkClientGeometry(pool: pg.Pool, geometry: unknown): Promise<void> {
  let row: { valid: boolean; reason: string; within: boolean } | undefined
  try {
    const result = await pool.query<{ valid: boolean; reason: string; within: boolean }>(
      `SELECT ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason, g @ ${WORLD} AS within
         FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g) x`,
      [JSON.stringify(geometry)],
    )
    row = result.rows[0]
  } catch (error) {
    throw badRequest('INVALID_GEOMETRY', `The geometry cannot be read: ${(error as Error).message}`)
  }
  if (!row) throw badRequest('INVALID_GEOMETRY', 'The geometry cannot be read')
  if (!row.within) {
    throw badRequest(
      'GEOMETRY_OUT_OF_BOUNDS',
      'The geometry is outside longitude −180…180 / latitude −90…90: send WGS 84 longitude, latitude',
    )
  }
  if (!row.valid)
    throw badRequest('INVALID_GEOMETRY', `Invalid geometry: ${row.reason}`, { reason: row.reason })
}

/** The enabled areas a WGS 84 GeoJSON geometry intersects, grouped by type (ref_geo.intersecting_areas). */
export async function intersections(pool: pg.Pool, geometry: unknown, types?: string[]) {
  await checkClientGeometry(pool, geometry)
  try {
    const { rows } = await pool.query<{
      type: string
      typeName: string
      areas: { id: number; code: string; name: string }[]
    }>(
      `SELECT t.code AS type, t.name AS "typeName",
              json_agg(json_build_object('id', a.id, 'code', a.area_code, 'name', a.area_name)
                       ORDER BY a.area_code) AS areas
         FROM ref_geo.intersecting_areas(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), $2::text[]) i
         JOIN ref_geo.areas a ON a.id = i.area_id
         JOIN ref_geo.area_types t ON t.id = a.type_id
        GROUP BY t.id, t.code, t.name ORDER BY t.id`,
      [JSON.stringify(geometry), types?.length ? types : null],
    )
    return rows
  } catch (error) {
    if (error instanceof AppError) throw error
    // ST_Transform to the local projection fails far outside its domain.
    if ((error as { code?: string }).code === 'XX000') {
      throw badRequest(
        'GEOMETRY_OUT_OF_BOUNDS',
        `The geometry cannot be projected to the local SRID: ${(error as Error).message}`,
      )
    }
    throw error
  }
}
