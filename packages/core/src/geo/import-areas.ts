import { existsSync, readFileSync } from 'node:fs'
import { basename, extname } from 'node:path'
import type pg from 'pg'
import * as shapefile from 'shapefile'
import { AreaFileError, readGeoJsonFeatures } from './geojson-stream.ts'

export { AreaFileError } from './geojson-stream.ts'

export interface ImportAreasOptions {
  /** Area type code (COM, DEP, M10…); must exist. */
  typeCode: string
  file: string
  /** Property holding the area code; default: the first of INSEE_COM, INSEE_DEP, INSEE_REG, CD_SIG, code, id found. */
  codeField?: string
  /** Property holding the name; default: the first of NOM, NOM_COM, nom, name found (else the code). */
  nameField?: string
  /** SRID of the coordinates; default: from the .prj / GeoJSON `crs`, else 4326 for GeoJSON. */
  srid?: number
  /** Shapefile attribute encoding; default: from the .cpg, else windows-1252 (the dBASE default). */
  encoding?: string
  /** Repair invalid geometries with ST_MakeValid instead of refusing them. */
  makeValid?: boolean
  /** Recorded in areas.source; default: the file name. */
  source?: string
  /** Rows per staging INSERT. */
  batchSize?: number
}

export interface ImportAreasResult {
  typeCode: string
  features: number
  inserted: number
  updated: number
  repaired: number
  srid: number
}

const CODE_FIELDS = ['INSEE_COM', 'INSEE_DEP', 'INSEE_REG', 'CD_SIG', 'code', 'CODE', 'id', 'ID']
const NAME_FIELDS = ['NOM', 'NOM_COM', 'NOM_DEP', 'NOM_REG', 'nom', 'name', 'NAME', 'LIBELLE']

/**
 * Imports a GeoJSON FeatureCollection or an ESRI Shapefile of (multi)polygons as areas of one type, in ONE
 * transaction: features are checked and staged by batches (multi-row INSERT from arrays) into a temporary table,
 * geometries are checked in SQL (ST_IsValid: the first invalid one stops everything, with its feature number and
 * ST_IsValidReason), then one INSERT … SELECT … ON CONFLICT (type_id, area_code) DO UPDATE upserts them all,
 * transformed with ST_Multi(ST_Transform(…, 4326)) (geom_local follows by trigger). Any error: nothing written.
 */
export async function importAreas(pool: pg.Pool, options: ImportAreasOptions): Promise<ImportAreasResult> {
  const { file } = options
  if (!existsSync(file)) throw new AreaFileError(`File not found: ${file}`)
  const extension = extname(file).toLowerCase()
  const isShapefile = extension === '.shp'
  if (!isShapefile && !['.geojson', '.json'].includes(extension)) {
    throw new AreaFileError(`Unsupported file "${basename(file)}": expected .geojson, .json or .shp`)
  }
  const batchSize = options.batchSize ?? 1000
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const type = await client.query<{ id: number }>('SELECT id FROM ref_geo.area_types WHERE code = $1', [
      options.typeCode,
    ])
    if (!type.rows[0]) {
      throw new AreaFileError(
        `Unknown area type "${options.typeCode}" (see GET /api/geo/area-types; an admin may add one)`,
      )
    }
    await client.query(`CREATE TEMP TABLE geo_import_stage (
        number integer NOT NULL, code text NOT NULL, name text NOT NULL, geometry text NOT NULL,
        properties jsonb NOT NULL
      ) ON COMMIT DROP;
      -- no compression of the staged GeoJSON text: it is read once, right away
      ALTER TABLE geo_import_stage ALTER COLUMN geometry SET STORAGE EXTERNAL`)

    // One json parameter per batch (parsed in C; json, not jsonb, to keep coordinates as text). The batch is sent
    // while the next one is read: one INSERT in flight at a time, its error surfacing at the next flush.
    let batch: string[] = []
    let inFlight: Promise<unknown> = Promise.resolve()
    let stageError: unknown = null
    const flush = async () => {
      await inFlight
      if (stageError) throw stageError
      if (batch.length === 0) return
      inFlight = client
        .query(
          `INSERT INTO geo_import_stage (number, code, name, geometry, properties)
           SELECT (r->>'n')::int, r->>'c', r->>'m', (r->'g')::text, (r->'p')::jsonb FROM json_array_elements($1::json) r`,
          [`[${batch.join(',')}]`],
        )
        .catch((error: unknown) => {
          stageError = error
        })
      batch = []
    }
    let fields: { code: string; name: string | null } | null = null
    let features = 0
    let fileSrid: number | undefined
    const source = isShapefile ? shapefileFeatures(file, options.encoding) : null
    const geojsonInfo: { srid?: number } = {}
    const iterator = source ?? readGeoJsonFeatures(file, geojsonInfo)
    for await (const { number, feature } of iterator) {
      const checked = checkFeature(feature, number)
      fields ??= pickFields(checked.properties, options, number)
      const code = propertyText(checked.properties[fields.code])
      if (!code) throw new AreaFileError(`no value in the code field "${fields.code}"`, number)
      const name = (fields.name ? propertyText(checked.properties[fields.name]) : null) ?? code
      batch.push(JSON.stringify({ n: number, c: code, m: name, g: checked.geometry, p: checked.properties }))
      features = number
      if (batch.length >= batchSize) await flush()
    }
    await flush()
    await flush() // waits for the last batch
    if (features === 0) throw new AreaFileError('The file holds no feature')
    if (isShapefile) fileSrid = sridFromPrj(file)
    else fileSrid = geojsonInfo.srid ?? 4326
    const srid = options.srid ?? fileSrid
    if (!srid) {
      throw new AreaFileError(
        `Cannot tell the coordinate system of ${basename(file)} (no .prj, or one not recognised): pass --srid`,
      )
    }
    const known = await client.query('SELECT 1 FROM spatial_ref_sys WHERE srid = $1', [srid])
    if (!known.rowCount) throw new AreaFileError(`Unknown SRID ${srid}`)

    const duplicate = await client.query<{ code: string; first: number; second: number }>(
      `SELECT code, min(number) AS first, (array_agg(number ORDER BY number))[2] AS second
         FROM geo_import_stage GROUP BY code HAVING count(*) > 1 ORDER BY min(number) LIMIT 1`,
    )
    if (duplicate.rows[0]) {
      const d = duplicate.rows[0]
      throw new AreaFileError(`code "${d.code}" already used by feature ${d.first}`, d.second)
    }

    await client.query(
      `CREATE TEMP TABLE geo_import_geom ON COMMIT DROP AS
       SELECT number, code, name, properties, ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(geometry), $1)) AS g
         FROM geo_import_stage`,
      [srid],
    )
    const invalid = await client.query<{ number: number; reason: string }>(
      'SELECT number, ST_IsValidReason(g) AS reason FROM geo_import_geom WHERE NOT ST_IsValid(g) ORDER BY number',
    )
    let repaired = 0
    if (invalid.rows.length > 0) {
      if (!options.makeValid) {
        const first = invalid.rows[0]!
        throw new AreaFileError(
          `invalid geometry: ${first.reason}` +
            (invalid.rows.length > 1 ? ` (${invalid.rows.length} invalid geometries in all)` : '') +
            '. Fix the file, or pass --make-valid to repair them with ST_MakeValid',
          first.number,
        )
      }
      await client.query(
        `UPDATE geo_import_geom SET g = ST_CollectionExtract(ST_MakeValid(g), 3) WHERE NOT ST_IsValid(g)`,
      )
      const empty = await client.query<{ number: number }>(
        'SELECT number FROM geo_import_geom WHERE ST_IsEmpty(g) ORDER BY number LIMIT 1',
      )
      if (empty.rows[0]) throw new AreaFileError('no polygon left after ST_MakeValid', empty.rows[0].number)
      repaired = invalid.rows.length
    }
    const degrees = await client.query<{ number: number }>(
      `SELECT number FROM geo_import_geom
        WHERE (SELECT proj4text LIKE '%+units=m%' FROM spatial_ref_sys WHERE srid = $1)
          AND g @ ST_SetSRID(ST_MakeEnvelope(-180, -90, 180, 90), $1) ORDER BY number LIMIT 1`,
      [srid],
    )
    if (degrees.rows[0]) {
      throw new AreaFileError(
        `coordinates look like longitude/latitude degrees, but EPSG:${srid} is in metres (wrong --srid?)`,
        degrees.rows[0].number,
      )
    }
    // Transformed once; in the local SRID already (Lambert-93 files), the file's own coordinates are kept exactly.
    await client.query(
      `ALTER TABLE geo_import_geom ADD COLUMN g4326 geometry, ADD COLUMN g_local geometry;
       UPDATE geo_import_geom SET g4326 = ST_Multi(ST_Transform(g, 4326)),
                                  g_local = CASE WHEN ST_SRID(g) = ref_geo.local_srid() THEN ST_Multi(g) END`,
    )
    const outside = await client.query<{ number: number }>(
      `SELECT number FROM geo_import_geom
        WHERE NOT g4326 @ ST_MakeEnvelope(-180, -90, 180, 90, 4326) ORDER BY number LIMIT 1`,
    )
    if (outside.rows[0]) {
      throw new AreaFileError(
        `coordinates fall outside the Earth once read as EPSG:${srid} (wrong --srid?)`,
        outside.rows[0].number,
      )
    }

    const { rows } = await client.query<{ inserted: boolean }>(
      `INSERT INTO ref_geo.areas (type_id, area_code, area_name, geom, geom_local, source, additional_data)
       SELECT $1, code, name, g4326, g_local, $2, properties FROM geo_import_geom ORDER BY number
       ON CONFLICT (type_id, area_code) DO UPDATE
         SET area_name = excluded.area_name, geom = excluded.geom, geom_local = excluded.geom_local,
             source = excluded.source, additional_data = excluded.additional_data, enabled = true
       RETURNING (xmax = 0) AS inserted`,
      [type.rows[0].id, options.source ?? basename(file)],
    )
    await client.query('COMMIT')
    const inserted = rows.filter((r) => r.inserted).length
    return { typeCode: options.typeCode, features, inserted, updated: rows.length - inserted, repaired, srid }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

interface CheckedFeature {
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown }
  properties: Record<string, unknown>
}

/** Structure checks done in JS, so that a bad feature is reported with its number (PostGIS would not say). */
function checkFeature(feature: unknown, number: number): CheckedFeature {
  if (!isObject(feature) || feature.type !== 'Feature')
    throw new AreaFileError('not a GeoJSON Feature', number)
  const geometry = feature.geometry
  if (!isObject(geometry)) throw new AreaFileError('no geometry', number)
  if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') {
    throw new AreaFileError(
      `geometry type ${String(geometry.type)}: areas must be Polygon or MultiPolygon`,
      number,
    )
  }
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
  if (!Array.isArray(polygons) || polygons.length === 0) throw new AreaFileError('empty coordinates', number)
  for (const polygon of polygons) {
    if (!Array.isArray(polygon) || polygon.length === 0)
      throw new AreaFileError('a polygon has no ring', number)
    for (const ring of polygon) {
      if (!Array.isArray(ring) || ring.length < 4) {
        throw new AreaFileError('a ring has fewer than 4 positions', number)
      }
      for (const position of ring) {
        if (
          !Array.isArray(position) ||
          position.length < 2 ||
          !Number.isFinite(position[0]) ||
          !Number.isFinite(position[1])
        ) {
          throw new AreaFileError(`bad position ${JSON.stringify(position)}`, number)
        }
      }
    }
  }
  const properties = isObject(feature.properties) ? feature.properties : {}
  return { geometry: geometry as CheckedFeature['geometry'], properties }
}

function pickFields(
  properties: Record<string, unknown>,
  options: ImportAreasOptions,
  number: number,
): { code: string; name: string | null } {
  const keys = Object.keys(properties)
  if (options.codeField && !keys.includes(options.codeField)) {
    throw new AreaFileError(`no field "${options.codeField}" (fields: ${keys.join(', ') || 'none'})`, number)
  }
  if (options.nameField && !keys.includes(options.nameField)) {
    throw new AreaFileError(`no field "${options.nameField}" (fields: ${keys.join(', ') || 'none'})`, number)
  }
  const code = options.codeField ?? CODE_FIELDS.find((f) => keys.includes(f))
  if (!code) {
    throw new AreaFileError(
      `no code field found (fields: ${keys.join(', ') || 'none'}): pass --code-field`,
      number,
    )
  }
  return { code, name: options.nameField ?? NAME_FIELDS.find((f) => keys.includes(f)) ?? null }
}

function propertyText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  const text = String(value).trim()
  return text === '' ? null : text
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function sibling(file: string, extension: string): string | null {
  const stem = file.slice(0, -extname(file).length)
  for (const candidate of [stem + extension, stem + extension.toUpperCase()]) {
    if (existsSync(candidate)) return candidate
  }
  return null
}

async function* shapefileFeatures(
  file: string,
  encoding?: string,
): AsyncGenerator<{ number: number; feature: unknown }> {
  const dbf = sibling(file, '.dbf')
  if (!dbf) throw new AreaFileError(`No .dbf next to ${basename(file)}: a Shapefile needs its attributes`)
  const cpg = sibling(file, '.cpg')
  const resolved = encoding ?? (cpg ? encodingFromCpg(readFileSync(cpg, 'utf8')) : 'windows-1252')
  try {
    new TextDecoder(resolved)
  } catch {
    throw new AreaFileError(`Unknown encoding "${resolved}"`)
  }
  let source: Awaited<ReturnType<typeof shapefile.open>>
  try {
    source = await shapefile.open(file, dbf, { encoding: resolved })
  } catch (error) {
    throw new AreaFileError(`cannot open the Shapefile: ${(error as Error).message}`)
  }
  let number = 0
  while (true) {
    let result: Awaited<ReturnType<typeof source.read>>
    try {
      result = await source.read()
    } catch (error) {
      throw new AreaFileError(`malformed Shapefile record (${(error as Error).message})`, number + 1)
    }
    if (result.done) break
    number++
    yield { number, feature: result.value }
  }
}

/** `.cpg` holds a code page name: UTF-8, 1252, ISO-8859-1, CP1252… */
export function encodingFromCpg(text: string): string {
  const value = text.trim()
  if (/^\d+$/.test(value)) return value === '65001' ? 'utf-8' : `windows-${value}`
  if (/^(cp|ansi ?)(\d+)$/i.test(value)) return `windows-${value.replace(/\D/g, '')}`
  return value.toLowerCase()
}

/**
 * The SRID of a Shapefile from its .prj (ESRI WKT): an explicit EPSG authority, else the projections the
 * platform meets (Lambert-93, WGS 84, ETRS89 / RGF93 geographic, UTM). Unknown: undefined (the caller asks --srid).
 */
export function sridFromPrj(shp: string): number | undefined {
  const prj = sibling(shp, '.prj')
  if (!prj) return undefined
  const wkt = readFileSync(prj, 'utf8')
  const authorities = [...wkt.matchAll(/AUTHORITY\["EPSG",\s*"?(\d+)"?\]/gi)]
  // The outermost (last) authority names the whole CRS.
  if (authorities.length > 0) return Number(authorities.at(-1)![1])
  const id = wkt.match(/ID\["EPSG",\s*(\d+)\]\s*\]\s*$/i)
  if (id) return Number(id[1])
  const projected = /^\s*PROJCS/i.test(wkt)
  if (projected && /Lambert[_ -]?93/i.test(wkt)) return 2154
  const utm = wkt.match(/WGS[_ ]?(?:19)?84[_ /]+UTM[_ ]zone[_ ](\d+)([NS])/i)
  if (projected && utm) return (utm[2]!.toUpperCase() === 'N' ? 32600 : 32700) + Number(utm[1])
  if (!projected && /GEOGCS\["[^"]*(WGS[_ ]?(19)?84)/i.test(wkt)) return 4326
  if (!projected && /GEOGCS\["[^"]*RGF[_ ]?93/i.test(wkt)) return 4171
  if (!projected && /GEOGCS\["[^"]*ETRS[_ ]?(19)?89/i.test(wkt)) return 4258
  return undefined
}
