/**
 * Lambert-93 (EPSG:2154, RGF93 / GRS80, Lambert conformal conic, 2 standard parallels), after Snyder (1987).
 * Enough precision (< 1 mm over France) to draw and name the official 10 km grid without shipping proj4.
 */
const A = 6378137
const F = 1 / 298.257222101
const E = Math.sqrt(2 * F - F * F)
const RAD = Math.PI / 180
const LAT1 = 44 * RAD
const LAT2 = 49 * RAD
const LAT0 = 46.5 * RAD
const LON0 = 3 * RAD
const X0 = 700_000
const Y0 = 6_600_000

const m = (lat: number) => Math.cos(lat) / Math.sqrt(1 - E * E * Math.sin(lat) ** 2)
const t = (lat: number) => {
  const s = E * Math.sin(lat)
  return Math.tan(Math.PI / 4 - lat / 2) / ((1 - s) / (1 + s)) ** (E / 2)
}

const N = (Math.log(m(LAT1)) - Math.log(m(LAT2))) / (Math.log(t(LAT1)) - Math.log(t(LAT2)))
const AF = (A * m(LAT1)) / (N * t(LAT1) ** N)
const RHO0 = AF * t(LAT0) ** N

/** [lon, lat] in degrees (RGF93 ≈ WGS84) → [x, y] Lambert-93 metres. */
export function toLambert93([lon, lat]: readonly [number, number]): [number, number] {
  const rho = AF * t(lat * RAD) ** N
  const theta = N * (lon * RAD - LON0)
  return [X0 + rho * Math.sin(theta), Y0 + RHO0 - rho * Math.cos(theta)]
}

/** [x, y] Lambert-93 metres → [lon, lat] degrees. */
export function fromLambert93([x, y]: readonly [number, number]): [number, number] {
  const dx = x - X0
  const dy = RHO0 - (y - Y0)
  const rho = Math.sqrt(dx * dx + dy * dy)
  const theta = Math.atan2(dx, dy)
  const tt = (rho / AF) ** (1 / N)
  let lat = Math.PI / 2 - 2 * Math.atan(tt)
  for (let i = 0; i < 10; i++) {
    const s = E * Math.sin(lat)
    const next = Math.PI / 2 - 2 * Math.atan(tt * ((1 - s) / (1 + s)) ** (E / 2))
    if (Math.abs(next - lat) < 1e-12) {
      lat = next
      break
    }
    lat = next
  }
  return [(theta / N + LON0) / RAD, lat / RAD]
}
