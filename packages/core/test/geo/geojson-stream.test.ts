import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readGeoJsonFeatures } from '../../src/geo/geojson-stream.ts'

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name)

async function readAll(path: string, chunkSize?: number) {
  const info: { srid?: number } = {}
  const features: unknown[] = []
  for await (const { number, feature } of readGeoJsonFeatures(path, info, chunkSize)) {
    expect(number).toBe(features.length + 1)
    features.push(feature)
  }
  return { features, srid: info.srid }
}

describe('streamed GeoJSON reading', () => {
  it('cuts the same features and crs whatever the chunk boundaries (strings, escapes, nesting)', async () => {
    for (const name of ['communes-4326.geojson', 'communes-2154.geojson']) {
      const whole = JSON.parse(readFileSync(fixture(name), 'utf8'))
      for (const chunkSize of [1, 7, 64, 1 << 20]) {
        const { features, srid } = await readAll(fixture(name), chunkSize)
        expect(features, `${name} by ${chunkSize}`).toEqual(whole.features)
        expect(srid).toBe(name.includes('2154') ? 2154 : undefined)
      }
    }
  })

  it('reports the feature where the JSON breaks, even when it spans chunks', async () => {
    const read = async (chunkSize: number) => {
      for await (const _ of readGeoJsonFeatures(fixture('malformed.geojson'), {}, chunkSize)) {
        // consume
      }
    }
    for (const chunkSize of [3, 1 << 20]) {
      await expect(read(chunkSize)).rejects.toThrow(/^Feature 3: malformed JSON/)
    }
  })
})
