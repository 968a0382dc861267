import { createReadStream } from 'node:fs'
import { badRequest, readGeoJsonFeatures } from '@biodiv/core'
import { CsvError, parse } from 'csv-parse'
import iconv from 'iconv-lite'
import type { FileFormat } from './file-detection.ts'

/** Rows shown to the user next to the header. */
export const SAMPLE_SIZE = 10

export interface FilePreview {
  columns: string[]
  /** The first data rows, values as read (cells aligned with `columns`; a short or long row stays so). */
  sample: (string | null)[][]
  /** For GeoJSON: the EPSG code of a legacy `crs` member. */
  srid?: number
}

/** The name given to a GeoJSON feature's geometry among its property columns. */
export const GEOJSON_GEOMETRY_COLUMN = 'geometry'

const emptyFile = (message: string) => badRequest('EMPTY_FILE', message)

function checkHeader(columns: string[]): void {
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  // Empty names (a trailing separator) cannot be mapped, so they never clash.
  for (const c of columns) if (c !== '') (seen.has(c) ? duplicates : seen).add(c)
  if (duplicates.size > 0) {
    throw badRequest(
      'HEADER_SAME_COLUMN_NAME',
      `Several columns of the header have the same name: ${[...duplicates].join(', ')}`,
      { columns: [...duplicates] },
    )
  }
}

/**
 * The header and first rows of a delimited file, decoded on the fly: only the head of the file is read (the
 * stream is closed once the sample is complete). EMPTY_FILE when there is no header or no data row,
 * HEADER_SAME_COLUMN_NAME when two columns share a name.
 */
export async function previewCsv(path: string, encoding: string, separator: string): Promise<FilePreview> {
  const source = createReadStream(path, { highWaterMark: 64 * 1024 })
  const parser = parse({
    delimiter: separator,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    bom: true,
    to: SAMPLE_SIZE + 1,
  })
  const records: string[][] = []
  try {
    for await (const record of source.pipe(iconv.decodeStream(encoding)).pipe(parser)) {
      records.push(record as string[])
      if (records.length > SAMPLE_SIZE) break
    }
  } catch (error) {
    if (error instanceof CsvError)
      throw badRequest('INVALID_CSV', `The file cannot be read: ${error.message}`)
    throw error
  } finally {
    source.destroy()
  }
  const [header, ...sample] = records
  if (!header || header.every((c) => c.trim() === '')) throw emptyFile('The file is empty')
  if (sample.length === 0) throw emptyFile('The file has a header but no data row')
  const columns = header.map((c) => c.trim())
  checkHeader(columns)
  return { columns, sample }
}

const cell = (value: unknown): string | null =>
  value === null || value === undefined
    ? null
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value)

/**
 * The property names of the first features (in order of appearance) plus their geometry as a column, and
 * those features as rows. Read feature by feature: the file is never held in memory.
 */
export async function previewGeoJson(path: string): Promise<FilePreview> {
  const info: { srid?: number } = {}
  const features: { properties?: Record<string, unknown> | null; geometry?: unknown }[] = []
  try {
    for await (const { feature } of readGeoJsonFeatures(path, info)) {
      features.push(feature as (typeof features)[number])
      if (features.length >= SAMPLE_SIZE) break
    }
  } catch (error) {
    throw badRequest('INVALID_GEOJSON', `The GeoJSON file cannot be read: ${(error as Error).message}`)
  }
  if (features.length === 0) throw emptyFile('The GeoJSON file has no feature')
  const names: string[] = []
  for (const f of features)
    for (const key of Object.keys(f.properties ?? {})) if (!names.includes(key)) names.push(key)
  const geometryColumn = names.includes(GEOJSON_GEOMETRY_COLUMN)
    ? `_${GEOJSON_GEOMETRY_COLUMN}`
    : GEOJSON_GEOMETRY_COLUMN
  const columns = [...names, geometryColumn]
  const sample = features.map((f) => [...names.map((n) => cell(f.properties?.[n])), cell(f.geometry)])
  return { columns, sample, ...(info.srid ? { srid: info.srid } : {}) }
}

export function previewFile(
  path: string,
  format: FileFormat,
  encoding: string,
  separator: string | null,
): Promise<FilePreview> {
  return format === 'geojson' ? previewGeoJson(path) : previewCsv(path, encoding, separator ?? ',')
}
