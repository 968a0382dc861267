import type pg from 'pg'

/**
 * INPN national grids ("mailles") in Lambert-93 (EPSG:2154): square cells aligned on multiples of their size,
 * coded `<size>kmL93E<x>N<y>` from the LOWER-LEFT corner of the cell.
 *
 * How the numbers are written (checked against codes as the MNHN/INPN distributes them, not against a spec: the
 * INPN publishes no written rule, see below):
 * - 10 km cells: x and y in units of 10 km, zero-padded to 3 digits: `10kmL93E074N695` is the cell whose
 *   lower-left corner is x = 740 000 m, y = 6 950 000 m (GeoNature users' ref_geo.cell_reference() gives this exact
 *   example for the point 749648, 6956485); `10kmL93E105N630` (x = 1 050 km) is used by the SI Flore / CBN tools.
 * - 5 km cells: x and y in km, zero-padded to 4 digits: `5kmL93E0740N6945`, `5kmL93E1055N6300`.
 * - 1 km (and 2 km) cells: x and y in km, NOT padded: `1kmL93E742N6946`, `2kmL93E370N6526`.
 * The inconsistent padding (5 km padded, 1 km not) is noted by GeoNature users comparing the three MNHN grids;
 * we reproduce the distributed codes so that imported INPN grids and generated ones share codes.
 * This follows the EEA reference grid convention (`10kmE405N282`, `1kmE4050N2820`: corner / unit of the code).
 */
export const INPN_GRID_SIZES_KM = [1, 2, 5, 10] as const

export interface GridCodeFormat {
  /** Metres per unit of the E/N numbers. */
  unit: number
  /** Minimum digits (zero-padded); 0 = not padded. */
  digits: number
}

export function gridCodeFormat(sizeKm: number): GridCodeFormat {
  if (sizeKm === 10) return { unit: 10_000, digits: 3 }
  if (sizeKm === 5) return { unit: 1000, digits: 4 }
  return { unit: 1000, digits: 0 }
}

/** The INPN code of the Lambert-93 cell of `sizeKm` whose lower-left corner is (x, y) metres. */
export function inpnGridCode(sizeKm: number, x: number, y: number): string {
  const { unit, digits } = gridCodeFormat(sizeKm)
  const part = (v: number) => String(Math.floor(v / unit)).padStart(digits, '0')
  return `${sizeKm}kmL93E${part(x)}N${part(y)}`
}

/** The area type of a grid size: M10, M5, M1 (any `M<size>` type an admin adds works too). */
export const gridTypeCode = (sizeKm: number) => `M${sizeKm}`

export interface GridOptions {
  sizeKm: number
  /** xmin, ymin, xmax, ymax in `srid`. */
  bbox: [number, number, number, number]
  /** SRID of the bbox: 4326 (lon/lat) or 2154 (Lambert-93). */
  srid: number
  source?: string
}

export interface GridResult {
  typeCode: string
  cells: number
  inserted: number
}

/** Refuses bigger requests (1 km cells over mainland France are ~550 000). */
export const MAX_GRID_CELLS = 1_500_000

/**
 * Creates the cells of one INPN grid that intersect a bbox, set-based: generate_series over multiples of the size in
 * Lambert-93, ST_MakeEnvelope, one INSERT … SELECT. The exact Lambert-93 square is stored as geom_local when the
 * local SRID is 2154; geom is its transform to 4326. Existing cells (same type and code) are kept.
 */
export async function generateGrid(client: pg.ClientBase, options: GridOptions): Promise<GridResult> {
  const { sizeKm, bbox, srid } = options
  if (!Number.isInteger(sizeKm) || sizeKm < 1 || sizeKm > 100) {
    throw new Error(`--size must be an integer number of km (1, 5, 10…), got ${sizeKm}`)
  }
  const [xmin, ymin, xmax, ymax] = bbox
  if (!bbox.every(Number.isFinite) || xmin >= xmax || ymin >= ymax) {
    throw new Error('--bbox must be xmin,ymin,xmax,ymax with xmin < xmax and ymin < ymax')
  }
  if (srid === 4326 && (xmin < -180 || xmax > 180 || ymin < -90 || ymax > 90)) {
    throw new Error('--bbox is outside longitude/latitude bounds (use --srid 2154 for Lambert-93 metres)')
  }
  const typeCode = gridTypeCode(sizeKm)
  const type = await client.query<{ id: number }>('SELECT id FROM ref_geo.area_types WHERE code = $1', [
    typeCode,
  ])
  if (!type.rows[0])
    throw new Error(`Unknown area type "${typeCode}" (create it first to use ${sizeKm} km cells)`)
  const size = sizeKm * 1000
  const { unit, digits } = gridCodeFormat(sizeKm)
  // The bbox as a Lambert-93 polygon: densified first, so that a lon/lat bbox keeps its curved edges.
  const zone = `(SELECT ST_Transform(ST_Segmentize(ST_MakeEnvelope($1, $2, $3, $4, $5::int),
                   CASE WHEN $5::int = 4326 THEN 0.01 ELSE 1000 END), 2154) AS g)`
  const count = await client.query<{ n: string }>(
    `SELECT ((floor(ST_XMax(g) / $6) - floor(ST_XMin(g) / $6) + 1)
             * (floor(ST_YMax(g) / $6) - floor(ST_YMin(g) / $6) + 1))::bigint AS n FROM ${zone} z`,
    [xmin, ymin, xmax, ymax, srid, size],
  )
  if (Number(count.rows[0]!.n) > MAX_GRID_CELLS) {
    throw new Error(
      `That bbox holds about ${count.rows[0]!.n} cells of ${sizeKm} km: more than ${MAX_GRID_CELLS}`,
    )
  }
  const { rows } = await client.query<{ cells: string; inserted: string }>(
    `WITH zone AS ${zone},
     cells AS (
       SELECT x, y, ST_MakeEnvelope(x, y, x + $6, y + $6, 2154) AS square
         FROM zone,
              generate_series((floor(ST_XMin(g) / $6) * $6)::bigint, (floor(ST_XMax(g) / $6) * $6)::bigint, $6::bigint) AS x,
              generate_series((floor(ST_YMin(g) / $6) * $6)::bigint, (floor(ST_YMax(g) / $6) * $6)::bigint, $6::bigint) AS y
        WHERE ST_Intersects(ST_MakeEnvelope(x, y, x + $6, y + $6, 2154), g)
          -- touching the zone on an edge only is not covering it
          AND NOT ST_Touches(ST_MakeEnvelope(x, y, x + $6, y + $6, 2154), g)
     ),
     coded AS (
       SELECT $7::text || 'kmL93E' || lpad((x / $8)::text, greatest(length((x / $8)::text), $9), '0')
                      || 'N' || lpad((y / $8)::text, greatest(length((y / $8)::text), $9), '0') AS code,
              square
         FROM cells
     ),
     inserted AS (
       INSERT INTO ref_geo.areas (type_id, area_code, area_name, geom, geom_local, source)
       SELECT $10, code, code, ST_Multi(ST_Transform(square, 4326)),
              ST_Multi(ST_Transform(square, ref_geo.local_srid())), $11
         FROM coded
       ON CONFLICT (type_id, area_code) DO NOTHING
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM coded) AS cells, (SELECT count(*) FROM inserted) AS inserted`,
    [
      xmin,
      ymin,
      xmax,
      ymax,
      srid,
      size,
      String(sizeKm),
      unit,
      digits,
      type.rows[0].id,
      options.source ?? `Grille INPN ${sizeKm} km Lambert-93 (générée)`,
    ],
  )
  return { typeCode, cells: Number(rows[0]!.cells), inserted: Number(rows[0]!.inserted) }
}
