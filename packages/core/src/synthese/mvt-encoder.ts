/**
 * A minimal Mapbox Vector Tile 2.1 encoder (points, axis-aligned squares, polygons), for databases whose PostGIS has
 * no ST_AsMVT (built without protobuf-c, as the embedded PGlite one). Coordinates are tile pixels (y down).
 */
export interface MvtFeature {
  id?: number
  /**
   * A point [x, y], a square [left, top, right, bottom], or polygons: for each polygon its rings (exterior first,
   * then holes), each a list of [x, y] (closed or not; orientation is fixed here).
   */
  geometry: [number, number] | [number, number, number, number] | { polygons: [number, number][][][] }
  properties: Record<string, string | number | null>
}

/** Twice the signed area by the surveyor's formula, in tile coordinates (positive = exterior ring for MVT). */
const ringArea = (ring: [number, number][]) =>
  ring.reduce((sum, [x, y], i) => {
    const [nx, ny] = ring[(i + 1) % ring.length]!
    return sum + x * ny - nx * y
  }, 0)

/** Rings without their closing point nor repeated points, exterior positive and holes negative, degenerate dropped. */
function polygonCommands(polygons: [number, number][][][]): number[] {
  const commands: number[] = []
  let [cx, cy] = [0, 0]
  for (const rings of polygons) {
    rings.forEach((raw, index) => {
      const ring = raw.filter((pt, i) => i === 0 || pt[0] !== raw[i - 1]![0] || pt[1] !== raw[i - 1]![1])
      if (ring.length > 1 && ring[0]![0] === ring.at(-1)![0] && ring[0]![1] === ring.at(-1)![1]) ring.pop()
      const area = ringArea(ring)
      if (ring.length < 3 || area === 0) return
      if ((index === 0) !== area > 0) ring.reverse()
      const [first, ...rest] = ring
      commands.push(command(1, 1), zigzag(first![0] - cx), zigzag(first![1] - cy))
      ;[cx, cy] = first!
      commands.push(command(2, rest.length))
      for (const [x, y] of rest) {
        commands.push(zigzag(x - cx), zigzag(y - cy))
        ;[cx, cy] = [x, y]
      }
      commands.push(command(7, 1))
    })
  }
  return commands
}

class Writer {
  readonly bytes: number[] = []
  varint(value: number): this {
    let n = value
    while (n >= 0x80) {
      this.bytes.push((n % 0x80) | 0x80)
      n = Math.floor(n / 0x80)
    }
    this.bytes.push(n)
    return this
  }
  key(field: number, wireType: 0 | 2): this {
    return this.varint(field * 8 + wireType)
  }
  message(field: number, body: Writer | Uint8Array): this {
    const bytes = body instanceof Writer ? body.bytes : body
    this.key(field, 2).varint(bytes.length)
    for (const b of bytes) this.bytes.push(b)
    return this
  }
  string(field: number, text: string): this {
    return this.message(field, new TextEncoder().encode(text))
  }
  packed(field: number, values: number[]): this {
    const body = new Writer()
    for (const v of values) body.varint(v)
    return this.message(field, body)
  }
}

const zigzag = (n: number) => (n < 0 ? -2 * n - 1 : 2 * n)
const command = (id: 1 | 2 | 7, count: number) => (count << 3) | id

function geometry(g: MvtFeature['geometry']): { type: 1 | 3; commands: number[] } {
  if (!Array.isArray(g)) return { type: 3, commands: polygonCommands(g.polygons) }
  if (g.length === 2) return { type: 1, commands: [command(1, 1), zigzag(g[0]), zigzag(g[1])] }
  const [left, top, right, bottom] = g
  // Exterior ring clockwise in tile coordinates (y down): top-left, top-right, bottom-right, bottom-left.
  return {
    type: 3,
    commands: [
      command(1, 1),
      zigzag(left),
      zigzag(top),
      command(2, 3),
      zigzag(right - left),
      zigzag(0),
      zigzag(0),
      zigzag(bottom - top),
      zigzag(left - right),
      zigzag(0),
      command(7, 1),
    ],
  }
}

/** One tile of one layer; null properties are left out, as ST_AsMVT does. */
export function encodeMvtLayer(name: string, features: MvtFeature[], extent = 4096): Buffer {
  const keys = new Map<string, number>()
  const values = new Map<string, number>()
  const valueMessages: Writer[] = []
  const layer = new Writer()
    .varint(15 * 8)
    .varint(2)
    .string(1, name)
  for (const feature of features) {
    const tags: number[] = []
    for (const [key, value] of Object.entries(feature.properties)) {
      if (value === null) continue
      if (!keys.has(key)) keys.set(key, keys.size)
      const valueKey = `${typeof value}:${value}`
      if (!values.has(valueKey)) {
        values.set(valueKey, values.size)
        const v = new Writer()
        if (typeof value === 'string') v.string(1, value)
        else if (Number.isInteger(value) && value >= 0) v.key(5, 0).varint(value)
        else if (Number.isInteger(value)) v.key(6, 0).varint(zigzag(value))
        else throw new Error(`MVT encoder: unsupported value ${value}`)
        valueMessages.push(v)
      }
      tags.push(keys.get(key)!, values.get(valueKey)!)
    }
    const { type, commands } = geometry(feature.geometry)
    const f = new Writer()
    if (feature.id !== undefined) f.key(1, 0).varint(feature.id)
    f.packed(2, tags).key(3, 0).varint(type).packed(4, commands)
    layer.message(2, f)
  }
  for (const key of keys.keys()) layer.string(3, key)
  for (const v of valueMessages) layer.message(4, v)
  layer.key(5, 0).varint(extent)
  return Buffer.from(new Writer().message(3, layer).bytes)
}
