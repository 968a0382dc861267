import { fromLambert93, toLambert93 } from './lambert93.ts'

export type LonLat = [number, number]
export type LonLatExtent = [minLon: number, minLat: number, maxLon: number, maxLat: number]

/** Code of the official French grid cell (ref_geo / INPN style), e.g. `10kmL93E093N644`. */
export function l93CellCode(x: number, y: number, size = 10_000): string {
  const km = size / 1000
  const e = Math.floor(x / size) * km
  const n = Math.floor(y / size) * km
  const pad = (v: number, width: number) => String(v / km).padStart(width, '0')
  return `${km}kmL93E${pad(e, 3)}N${pad(n, 3)}`
}

/** Code of the 10 km Lambert-93 cell containing a WGS84 point. */
export function l93CellCodeAt(lonLat: LonLat, size = 10_000): string {
  const [x, y] = toLambert93(lonLat)
  return l93CellCode(x, y, size)
}

export interface GridCell {
  code: string
  /** Closed ring in lon/lat, densified so the Lambert square stays faithful in other projections. */
  ring: LonLat[]
}

/** The Lambert-93 grid cells (default 10 km) covering a lon/lat extent. */
export function l93GridCells(extent: LonLatExtent, size = 10_000, stepsPerSide = 4): GridCell[] {
  const [minLon, minLat, maxLon, maxLat] = extent
  const corners = [
    toLambert93([minLon, minLat]),
    toLambert93([minLon, maxLat]),
    toLambert93([maxLon, minLat]),
    toLambert93([maxLon, maxLat]),
  ]
  const xs = corners.map((c) => c[0])
  const ys = corners.map((c) => c[1])
  const x0 = Math.floor(Math.min(...xs) / size) * size
  const x1 = Math.ceil(Math.max(...xs) / size) * size
  const y0 = Math.floor(Math.min(...ys) / size) * size
  const y1 = Math.ceil(Math.max(...ys) / size) * size
  const cells: GridCell[] = []
  for (let x = x0; x < x1; x += size) {
    for (let y = y0; y < y1; y += size) {
      const ring: LonLat[] = []
      const edges: Array<[[number, number], [number, number]]> = [
        [
          [x, y],
          [x + size, y],
        ],
        [
          [x + size, y],
          [x + size, y + size],
        ],
        [
          [x + size, y + size],
          [x, y + size],
        ],
        [
          [x, y + size],
          [x, y],
        ],
      ]
      for (const [[ax, ay], [bx, by]] of edges) {
        for (let i = 0; i < stepsPerSide; i++) {
          const k = i / stepsPerSide
          ring.push(fromLambert93([ax + (bx - ax) * k, ay + (by - ay) * k]))
        }
      }
      ring.push(ring[0]!)
      cells.push({ code: l93CellCode(x, y, size), ring })
    }
  }
  return cells
}
