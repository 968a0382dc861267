import { fromLambert93, GeoJSON, type LineString, type Point, type Polygon, toLambert93 } from '@biodiv/sdk'
import type { ReleveGeometry } from './types.ts'

const format = new GeoJSON()
const projections = { dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' }

/** A GeoJSON geometry (WGS 84) as an OpenLayers geometry in the map's projection. */
export function toOlGeometry(geometry: ReleveGeometry): Point | LineString | Polygon {
  return format.readGeometry(geometry, projections) as Point | LineString | Polygon
}

/**
 * A relevé's geometry as the API gives it, for display: the drawn point / line / polygon, or the blurred area
 * (possibly a multipolygon) of a relevé the reader sees blurred.
 */
export function shownGeometry(geometry: { type: string; coordinates: unknown[] }) {
  return format.readGeometry(geometry, projections)
}

/** An OpenLayers geometry of the map as GeoJSON in WGS 84 (7 decimals ≈ 1 cm). */
export function fromOlGeometry(geometry: Point | LineString | Polygon): ReleveGeometry {
  return format.writeGeometryObject(geometry, { ...projections, decimals: 7 }) as ReleveGeometry
}

/** A point at [lon, lat] when both are valid WGS 84 degrees, else null. */
export function pointFromLonLat(lon: number, lat: number): ReleveGeometry | null {
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) return null
  return { type: 'Point', coordinates: [round(lon, 7), round(lat, 7)] }
}

/** A point at Lambert-93 [x, y] metres when they are in the projection's French domain, else null. */
export function pointFromLambert93(x: number, y: number): ReleveGeometry | null {
  if (
    !Number.isFinite(x) ||
    !Number.isFinite(y) ||
    x < -400_000 ||
    x > 1_900_000 ||
    y < 5_900_000 ||
    y > 7_300_000
  )
    return null
  const [lon, lat] = fromLambert93([x, y])
  return pointFromLonLat(lon, lat)
}

export function lambert93Of(geometry: ReleveGeometry): [number, number] | null {
  if (geometry.type !== 'Point') return null
  const [x, y] = toLambert93([geometry.coordinates[0]!, geometry.coordinates[1]!])
  return [Math.round(x), Math.round(y)]
}

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals
  return Math.round(value * factor) / factor
}

/** A short description: "Point 6.25000, 44.85000", "Ligne de 4 sommets", "Polygone de 5 sommets". */
export function describeGeometry(geometry: ReleveGeometry): string {
  if (geometry.type === 'Point')
    return `Point ${geometry.coordinates[0]!.toFixed(5)}, ${geometry.coordinates[1]!.toFixed(5)}`
  if (geometry.type === 'LineString') return `Ligne de ${geometry.coordinates.length} sommets`
  return `Polygone de ${(geometry.coordinates[0]?.length ?? 1) - 1} sommets`
}
