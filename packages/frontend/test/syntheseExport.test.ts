import { describe, expect, it } from 'vitest'
import { attachmentName, createRowCounter, formatBytes } from '../src/pages/synthese/syntheseExport.ts'

const chunks = (text: string, size: number) => {
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

describe('export progress', () => {
  const csv = 'id_synthese;cd_nom\r\n1;351\r\n2;60612\r\n3;67111\r\n'
  const features = [1, 2, 3, 4].map((id) => `{"type":"Feature","id":${id},"geometry":null,"properties":{}}`)
  const geojson = `{"type":"FeatureCollection","features":[\n${features.join(',\n')}\n]}`

  it('counts CSV rows after the header and GeoJSON features, whatever the chunk size', () => {
    for (const size of [1, 2, 7, 18, 1000]) {
      const c = createRowCounter('csv')
      for (const part of chunks(csv, size)) c.push(part)
      expect(c.rows).toBe(3)
      const g = createRowCounter('geojson')
      for (const part of chunks(geojson, size)) g.push(part)
      expect(g.rows, `chunks of ${size}`).toBe(4)
    }
  })

  it('reads the attachment name and formats sizes', () => {
    expect(attachmentName('attachment; filename="synthese_2026-11-28.csv"', 'x')).toBe(
      'synthese_2026-11-28.csv',
    )
    expect(attachmentName(null, 'synthese.csv')).toBe('synthese.csv')
    expect(formatBytes(512)).toBe('512 o')
    expect(formatBytes(1536)).toBe('1,5 ko')
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 Mo')
  })
})
