import { createReadStream } from 'node:fs'

/** A feature (or the file) that cannot be read, with its 1-based number in the file. */
export class AreaFileError extends Error {
  override name = 'AreaFileError'
  constructor(
    message: string,
    readonly featureNumber?: number,
  ) {
    super(featureNumber === undefined ? message : `Feature ${featureNumber}: ${message}`)
  }
}

export interface GeoJsonCollectionInfo {
  /** EPSG code of the legacy `crs` member (`urn:ogc:def:crs:EPSG::2154`, `EPSG:2154`), when there is one. */
  srid?: number
}

/**
 * Reads a GeoJSON FeatureCollection feature by feature without holding the file in memory: a small scanner
 * follows strings and nesting, cuts each element of the top-level `features` array and JSON.parses it alone.
 * A malformed feature or a truncated file fails with the number of the feature concerned.
 */
export async function* readGeoJsonFeatures(
  path: string,
  info: GeoJsonCollectionInfo = {},
  chunkSize = 1 << 20,
): AsyncGenerator<{ number: number; feature: unknown }> {
  let depth = 0
  let inString = false
  let escaped = false
  let key = '' // the last member name read at depth 1 (a member of the collection)
  let keyStart = -1
  let keyHead = ''
  let inFeatures = false
  let sawFeatures = false
  let sawCollection = false
  let number = 0
  // The value being cut out: a feature (depth 2 in `features`) or the `crs` member (depth 1).
  let capture: { kind: 'feature' | 'crs'; parts: string[]; start: number } | null = null

  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: chunkSize })
  for await (const text of stream as AsyncIterable<string>) {
    if (capture) capture.start = 0
    if (keyStart >= 0) keyStart = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i) // char codes: 0x22 " 0x5c \\ 0x7b { 0x7d } 0x5b [ 0x5d ]
      if (inString) {
        if (escaped) escaped = false
        else if (c === 0x5c) escaped = true
        else if (c === 0x22) {
          inString = false
          if (keyStart >= 0) key = keyHead + text.slice(keyStart, i)
          keyHead = ''
          keyStart = -1
        }
        continue
      }
      if (c === 0x22) {
        inString = true
        keyStart = depth === 1 ? i + 1 : -1
        continue
      }
      if (c === 0x7b || c === 0x5b) {
        if (depth === 0) {
          if (c !== 0x7b)
            throw new AreaFileError('the file is not a GeoJSON FeatureCollection (it starts with "[")')
          sawCollection = true
        } else if (depth === 1 && key === 'features') {
          if (c !== 0x5b) throw new AreaFileError('"features" is not an array')
          inFeatures = true
          sawFeatures = true
        } else if (depth === 1 && key === 'crs' && c === 0x7b) {
          capture = { kind: 'crs', parts: [], start: i }
        } else if (depth === 2 && inFeatures) {
          number++
          if (c !== 0x7b) throw new AreaFileError('not a JSON object', number)
          capture = { kind: 'feature', parts: [], start: i }
        }
        depth++
        continue
      }
      if (c === 0x7d || c === 0x5d) {
        depth--
        if (depth < 0) throw new AreaFileError(`unexpected "${text[i]}" after feature ${number}`)
        if (
          capture &&
          ((capture.kind === 'feature' && depth === 2) || (capture.kind === 'crs' && depth === 1))
        ) {
          capture.parts.push(text.slice(capture.start, i + 1))
          const raw = capture.parts.join('')
          const kind = capture.kind
          capture = null
          if (kind === 'crs') {
            info.srid = parseCrs(raw)
            continue
          }
          let feature: unknown
          try {
            feature = JSON.parse(raw)
          } catch (error) {
            throw new AreaFileError(`malformed JSON (${(error as Error).message})`, number)
          }
          yield { number, feature }
        } else if (depth === 1 && inFeatures) inFeatures = false
        continue
      }
      if (
        depth === 2 &&
        inFeatures &&
        !capture &&
        c !== 0x2c &&
        c !== 0x20 &&
        c !== 0x0a &&
        c !== 0x0d &&
        c !== 0x09
      ) {
        throw new AreaFileError(`unexpected "${text[i]}" where a feature should start`, number + 1)
      }
    }
    if (capture) capture.parts.push(text.slice(capture.start))
    // a member name cut by the chunk boundary
    if (inString && keyStart >= 0) keyHead += text.slice(keyStart)
  }
  if (!sawCollection) throw new AreaFileError('the file is empty or not a GeoJSON FeatureCollection')
  if (depth !== 0 || inString) {
    if (capture?.kind === 'feature')
      throw new AreaFileError('the file ends inside this feature (truncated?)', number)
    throw new AreaFileError(`the file ends before the collection closes (after feature ${number})`)
  }
  if (!sawFeatures) throw new AreaFileError('no "features" array: not a GeoJSON FeatureCollection')
}

function parseCrs(raw: string): number | undefined {
  try {
    const crs = JSON.parse(raw) as { properties?: { name?: string } }
    const name = crs.properties?.name ?? ''
    if (/CRS84$/i.test(name)) return 4326
    const m = name.match(/EPSG:+(\d+)$/i)
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}
