import { AppError, badRequest, findTaxa, findUsers, nomenclatureValuesSql } from '@biodiv/core'
import {
  COUNTING_NOMENCLATURES,
  OCCURRENCE_NOMENCLATURES,
  RELEVE_NOMENCLATURES,
  type ReleveInput,
} from './occtax-schemas.ts'
import type { Queryable } from './releve-queries.ts'

/** One bad field of a relevé body, named by its path (`occurrences[0].countings[1].countMin`). */
export interface FieldError {
  field: string
  message: string
  [key: string]: unknown
}

/** 400 with the code and every bad field of that code. */
export function invalid(code: string, errors: FieldError[]): never {
  throw badRequest(code, errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors)
}

const occurrencePath = (i: number) => `occurrences[${i}]`
const countingPath = (i: number, j: number) => `occurrences[${i}].countings[${j}]`

type Position = number[]
const isPosition = (p: unknown): p is Position =>
  Array.isArray(p) &&
  (p.length === 2 || p.length === 3) &&
  p.every((v) => typeof v === 'number' && Number.isFinite(v))

/** GeoJSON structure (INVALID_GEOMETRY) and WGS 84 bounds (GEOMETRY_OUT_OF_BOUNDS) of the relevé's geometry. */
function geometryErrors(g: ReleveInput['geometry']): { code: string; message: string } | null {
  const c = g.coordinates as unknown
  let positions: unknown[]
  if (g.type === 'Point') positions = [c]
  else if (g.type === 'LineString') {
    if (!Array.isArray(c) || c.length < 2)
      return { code: 'INVALID_GEOMETRY', message: 'a LineString needs 2 positions' }
    positions = c
  } else if (g.type === 'Polygon') {
    if (!Array.isArray(c) || c.length < 1)
      return { code: 'INVALID_GEOMETRY', message: 'a Polygon needs a ring' }
    for (const ring of c) {
      if (!Array.isArray(ring) || ring.length < 4 || !ring.every(isPosition))
        return { code: 'INVALID_GEOMETRY', message: 'a Polygon ring needs 4 positions or more' }
      const first = ring[0] as Position
      const last = ring[ring.length - 1] as Position
      if (first[0] !== last[0] || first[1] !== last[1])
        return { code: 'INVALID_GEOMETRY', message: 'a Polygon ring must be closed' }
    }
    positions = c.flat()
  } else return { code: 'INVALID_GEOMETRY', message: 'must be a GeoJSON Point, LineString or Polygon' }
  if (!positions.every(isPosition))
    return { code: 'INVALID_GEOMETRY', message: 'positions must be [longitude, latitude] numbers' }
  if (!positions.every((p) => p[0]! >= -180 && p[0]! <= 180 && p[1]! >= -90 && p[1]! <= 90))
    return { code: 'GEOMETRY_OUT_OF_BOUNDS', message: 'coordinates must be WGS 84 longitude/latitude' }
  return null
}

const hourText = (h: string | null | undefined) => (h ? (h.length === 5 ? `${h}:00` : h) : null)

/** Start and end of the relevé as ISO local timestamps: dates + hours (end hour: hourMax, else hourMin the same day). */
export function releveTimestamps(b: ReleveInput): { start: string; end: string } {
  const dateMax = b.dateMax ?? b.dateMin
  const endHour = hourText(b.hourMax) ?? (dateMax === b.dateMin ? hourText(b.hourMin) : null)
  return {
    start: `${b.dateMin}T${hourText(b.hourMin) ?? '00:00:00'}`,
    end: `${dateMax}T${endHour ?? '00:00:00'}`,
  }
}

/** The checks that need no database, in the contract's order of codes; throws the first failing code. */
export function checkReleveShape(b: ReleveInput): void {
  if (!(b.observerIds?.length || b.observersText?.trim()))
    invalid('MISSING_OBSERVER', [{ field: 'observerIds', message: 'give observer users or observersText' }])
  const dateMax = b.dateMax ?? b.dateMin
  if (b.dateMin > dateMax)
    invalid('DATE_MIN_SUP_DATE_MAX', [
      { field: 'dateMin', message: `dateMin ${b.dateMin} is after dateMax ${dateMax}` },
    ])
  if (b.dateMin === dateMax && b.hourMin && b.hourMax && hourText(b.hourMin)! > hourText(b.hourMax)!)
    invalid('DATE_MIN_SUP_DATE_MAX', [
      { field: 'hourMin', message: `hourMin ${b.hourMin} is after hourMax ${b.hourMax}` },
    ])
  if (b.altitudeMin != null && b.altitudeMax != null && b.altitudeMin > b.altitudeMax)
    invalid('ALTITUDE_MIN_SUP_ALTITUDE_MAX', [
      { field: 'altitudeMin', message: 'altitudeMin is above altitudeMax' },
    ])
  const geometry = geometryErrors(b.geometry)
  if (geometry) invalid(geometry.code, [{ field: 'geometry', message: geometry.message }])
  const counts: FieldError[] = []
  b.occurrences.forEach((o, i) => {
    o.countings.forEach((c, j) => {
      const min = c.countMin ?? 1
      if (c.countMax != null && min > c.countMax)
        counts.push({
          field: `${countingPath(i, j)}.countMin`,
          message: `countMin (${min}) is greater than countMax (${c.countMax})`,
        })
    })
  })
  if (counts.length) invalid('COUNT_MIN_SUP_COUNT_MAX', counts)
}

/** Checks against the database, before anything is written: users, taxa, nomenclature codes, PostGIS validity. */
export async function checkReleveReferences(
  db: Queryable,
  b: ReleveInput,
): Promise<{ taxonNames: Map<number, string>; userNames: Map<number, string> }> {
  const observerIds = b.observerIds ?? []
  const userNames = new Map([...(await findUsers(db, observerIds)).values()].map((u) => [u.id, u.name]))
  const badUsers = observerIds.flatMap((id, k) =>
    userNames.has(id) ? [] : [{ field: `observerIds[${k}]`, message: `user ${id} does not exist` }],
  )
  if (badUsers.length) invalid('UNKNOWN_USER', badUsers)

  const cdNoms = [...new Set(b.occurrences.map((o) => o.cdNom))]
  const { found } = await findTaxa(db, cdNoms)
  const taxonNames = new Map([...found.values()].map((t) => [t.cdNom, t.lbNom]))
  const badTaxa = b.occurrences.flatMap((o, i) =>
    taxonNames.has(o.cdNom)
      ? []
      : [{ field: `${occurrencePath(i)}.cdNom`, message: `cd_nom ${o.cdNom} is not in TAXREF` }],
  )
  if (badTaxa.length) invalid('UNKNOWN_TAXON', badTaxa)

  const refs: { field: string; type: string; code: string }[] = []
  const collect = (prefix: string, values: object, spec: Record<string, readonly [string, string]>) => {
    for (const [f, [, type]] of Object.entries(spec)) {
      const code = (values as Record<string, unknown>)[f]
      if (typeof code === 'string') refs.push({ field: `${prefix}${f}`, type, code })
    }
  }
  collect('', b, RELEVE_NOMENCLATURES)
  b.occurrences.forEach((o, i) => {
    collect(`${occurrencePath(i)}.`, o, OCCURRENCE_NOMENCLATURES)
    o.countings.forEach((c, j) => {
      collect(`${countingPath(i, j)}.`, c, COUNTING_NOMENCLATURES)
    })
  })
  if (refs.length) {
    const { rows } = await db.query<{ i: number; known: boolean }>(
      `SELECT r.i::int, EXISTS (SELECT 1 FROM ${nomenclatureValuesSql()} n
                                 WHERE n.type = r.type AND n.code = r.code) AS known
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(type, code, i) ORDER BY r.i`,
      [refs.map((r) => r.type), refs.map((r) => r.code)],
    )
    const unknown = rows
      .filter((r) => !r.known)
      .map((r) => refs[r.i - 1]!)
      .map((r) => ({
        field: r.field,
        message: `code "${r.code}" is not a value of ${r.type}`,
        type: r.type,
        code: r.code,
      }))
    if (unknown.length) invalid('UNKNOWN_NOMENCLATURE', unknown)
  }

  // PostGIS validity (self-intersections…). A parse error aborts the transaction, which then rolls back anyway.
  let reason: string | null = null
  try {
    const { rows } = await db.query<{ valid: boolean; reason: string }>(
      `SELECT ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason
         FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1::text), 4326) AS g) x`,
      [JSON.stringify(b.geometry)],
    )
    if (!rows[0]!.valid) reason = rows[0]!.reason
  } catch (error) {
    reason = (error as Error).message
  }
  if (reason) invalid('INVALID_GEOMETRY', [{ field: 'geometry', message: reason }])
  return { taxonNames, userNames }
}

/** Where a synthese row's field lives in the relevé body. */
export interface RowPath {
  occurrence: number
  counting: number
}

const COUNTING_FIELDS = new Set([
  'countMin',
  'countMax',
  ...Object.keys(COUNTING_NOMENCLATURES),
  'uniqueIdSinp',
  'entitySourcePkValue',
])
const OCCURRENCE_FIELDS = new Set([
  'cdNom',
  'nomCite',
  'determiner',
  ...Object.keys(OCCURRENCE_NOMENCLATURES),
])

/** The synthese service's `rows[i].field` errors, renamed to the relevé body's paths. */
export function remapSyntheseError(error: unknown, paths: RowPath[]): unknown {
  if (!(error instanceof AppError) || !Array.isArray(error.details)) return error
  const details = (
    error.details as { row?: number; field?: string; message?: string; [key: string]: unknown }[]
  ).map((d) => {
    // UNKNOWN_NOMENCLATURE names `rows[i].field` in `field`; the other codes give `row` and `field`.
    const named = /^rows\[(\d+)\]\.(\w+)$/.exec(d.field ?? '')
    const row = named ? Number(named[1]) : d.row
    const path = row != null ? paths[row] : undefined
    const f = named ? named[2]! : (d.field ?? '')
    let field = f
    if (path && COUNTING_FIELDS.has(f)) field = `${countingPath(path.occurrence, path.counting)}.${f}`
    else if (path && OCCURRENCE_FIELDS.has(f)) field = `${occurrencePath(path.occurrence)}.${f}`
    else if (path && f === 'commentDescription') field = `${occurrencePath(path.occurrence)}.comment`
    else if (f === 'commentContext') field = 'comment'
    const { row: _row, ...rest } = d
    return { ...rest, field, message: d.message ?? error.message }
  })
  return new AppError(
    error.statusCode,
    error.code,
    details.map((d) => `${d.field}: ${d.message}`).join('; '),
    details,
  )
}
