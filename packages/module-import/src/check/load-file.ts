import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Transform } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'
import type { Database } from '@biodiv/core'
import { badRequest, readGeoJsonFeatures } from '@biodiv/core'
import { CsvError, parse } from 'csv-parse'
import iconv from 'iconv-lite'
import { from as copyFrom } from 'pg-copy-streams'
import { rawBatchTableName, rawTableName, sourceColumnName } from './staging-table.ts'

/** One data line of the file: its line number, how many fields it had, its values in header order. */
export interface RawRow {
  line: number
  fieldCount: number
  values: (string | null)[]
}

export interface LoadInput {
  importId: number
  path: string
  format: 'csv' | 'geojson'
  encoding: string
  separator: string | null
  /** The header as the decode step read it. */
  columns: readonly string[]
}

export interface LoadResult {
  rows: number
  /** Names found more than once in the header read now (HEADER_SAME_COLUMN_NAME). */
  duplicateColumns: string[]
}

// A COPY statement's data is buffered in memory by the embedded database until CopyDone: bounded batches keep
// that flat there, and cost nothing measurable on PostgreSQL.
const BATCH_ROWS = 50_000
const BATCH_BYTES = 16 * 1024 * 1024
const CHUNK_BYTES = 256 * 1024

const copyValue = (v: string | null): string =>
  v === null
    ? '\\N'
    : v.replace(/[\\\t\n\r\0]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '',
      )

const lineBreaks = (values: readonly string[]): number => {
  let n = 0
  for (const v of values) n += v.match(/\r\n|\r|\n/g)?.length ?? 0
  return n
}

/**
 * Data rows of a delimited file, decoded on the fly (iconv-lite → csv-parse). Line numbers are the user's: header
 * = 1, empty lines counted, a record whose quoted field spans lines numbered by its first line. They are counted
 * here rather than with csv-parse's `info` (4× slower, and it miscounts CRLF inside quotes).
 */
async function* csvRows(
  input: Omit<LoadInput, 'importId'>,
  header: { duplicates: string[] },
  onBytes: (n: number) => void,
): AsyncGenerator<RawRow> {
  const source = createReadStream(input.path, { highWaterMark: 1 << 20 })
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onBytes(chunk.length)
      callback(null, chunk)
    },
  })
  const parser = parse({
    delimiter: input.separator ?? ',',
    relax_column_count: true,
    relax_quotes: true,
    bom: true,
  })
  const piped = pipeline(source, counter, iconv.decodeStream(input.encoding), parser).catch(() => undefined)
  const width = input.columns.length
  let line = 0 // the last line of the previous record
  let first = true
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const start = line + 1
      line = start + lineBreaks(record)
      // An empty line (one empty field) or a line of separators only (spreadsheet exports) holds no data.
      if (record.every((v) => v.trim() === '')) continue
      if (first) {
        first = false
        const seen = new Set<string>()
        for (const raw of record) {
          const name = raw.trim()
          if (name !== '' && seen.has(name) && !header.duplicates.includes(name)) header.duplicates.push(name)
          seen.add(name)
        }
        continue
      }
      const values: (string | null)[] = record.slice(0, width)
      while (values.length < width) values.push(null)
      yield { line: start, fieldCount: record.length, values }
    }
  } catch (error) {
    if (error instanceof CsvError)
      throw badRequest('INVALID_CSV', `The file cannot be read near line ${line + 1}: ${error.message}`)
    throw error
  } finally {
    source.destroy()
    await piped
  }
}

const cell = (value: unknown): string | null =>
  value === null || value === undefined
    ? null
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value)

/** Features of a GeoJSON file as rows: the header's property columns, then the geometry as GeoJSON text. */
async function* geoJsonRows(
  input: Omit<LoadInput, 'importId'>,
  onBytes: (n: number) => void,
): AsyncGenerator<RawRow> {
  const names = input.columns.slice(0, -1)
  try {
    for await (const { number, feature } of readGeoJsonFeatures(input.path)) {
      const f = feature as { properties?: Record<string, unknown> | null; geometry?: unknown }
      const values = [...names.map((n) => cell(f.properties?.[n])), cell(f.geometry)]
      // Approximate progress: the feature's JSON length, not its exact bytes in the file.
      onBytes(values.reduce((sum, v) => sum + (v?.length ?? 0) + 8, 16))
      yield { line: number, fieldCount: input.columns.length, values }
    }
  } catch (error) {
    throw badRequest('INVALID_GEOJSON', `The GeoJSON file cannot be read: ${(error as Error).message}`)
  }
}

/** The data rows of an import's file, read as a stream (`onBytes` follows the reading for a progress). */
export function readRows(
  input: Omit<LoadInput, 'importId'>,
  onBytes: (n: number) => void = () => undefined,
  header: { duplicates: string[] } = { duplicates: [] },
): AsyncGenerator<RawRow> {
  return input.format === 'geojson' ? geoJsonRows(input, onBytes) : csvRows(input, header, onBytes)
}

/** Receives each loaded batch table (`import.raw_<id>_<k>`, the template's columns); it then owns it. */
export type BatchHandler = (table: string) => Promise<void>

/**
 * Streams the file with COPY into batch tables shaped like the template `import.raw_<id>` (UNLOGGED: line,
 * field_count, c1…cN text), 50k rows / 16 MB each, and hands each batch to `onBatch` without waiting for it, so
 * that the database checks batch k while this process parses batch k+1 (one batch in flight at most). A client is
 * held only during a COPY, so `onBatch` and progress reports may use the same pool, even a single-connection one.
 * Memory stays flat whatever the size of the file.
 */
export async function loadFile(
  pool: Database['pool'],
  input: LoadInput,
  onBatch: BatchHandler,
  onProgress: (fraction: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<LoadResult> {
  const template = rawTableName(input.importId)
  const columns = input.columns.map((_, i) => sourceColumnName(i))
  await pool.query(
    `CREATE UNLOGGED TABLE ${template} (line integer NOT NULL, field_count integer NOT NULL${columns
      .map((c) => `, ${c} text`)
      .join('')})`,
  )
  const size = Math.max(1, (await stat(input.path)).size)
  let bytes = 0
  const onBytes = (n: number) => {
    bytes += n
  }
  const header = { duplicates: [] as string[] }
  const rows = readRows(input, onBytes, header)
  let total = 0
  let batch = 0
  let inFlight: Promise<void> = Promise.resolve()
  let next = await rows.next()
  try {
    while (!next.done) {
      signal?.throwIfAborted()
      const table = rawBatchTableName(input.importId, batch++)
      const client = await pool.connect()
      let failed: unknown = null
      try {
        await client.query(`CREATE UNLOGGED TABLE ${table} (LIKE ${template})`)
        const stream = client.query(
          copyFrom(`COPY ${table} (line, field_count, ${columns.join(', ')}) FROM STDIN`),
        )
        let chunk: string[] = []
        let chunkBytes = 0
        let batchRows = 0
        let batchBytes = 0
        const flush = async () => {
          if (chunk.length === 0) return
          const text = chunk.join('')
          chunk = []
          chunkBytes = 0
          if (!stream.write(text)) await once(stream, 'drain')
        }
        try {
          while (!next.done && batchRows < BATCH_ROWS && batchBytes < BATCH_BYTES) {
            const row = next.value
            const line = `${row.line}\t${row.fieldCount}\t${row.values.map(copyValue).join('\t')}\n`
            chunk.push(line)
            chunkBytes += line.length
            batchBytes += line.length
            batchRows++
            if (chunkBytes >= CHUNK_BYTES) {
              await flush()
              signal?.throwIfAborted()
            }
            next = await rows.next()
          }
          await flush()
          stream.end()
          await finished(stream)
        } catch (error) {
          stream.destroy(error as Error)
          await finished(stream).catch(() => undefined)
          throw error
        }
        total += batchRows
      } catch (error) {
        failed = error
        throw error
      } finally {
        // A failed COPY leaves the connection in an unknown state: it is discarded, not reused.
        client.release(failed ? (failed as Error) : undefined)
      }
      await inFlight
      inFlight = onBatch(table)
      // Surfaced by the next await; never left unhandled meanwhile.
      inFlight.catch(() => undefined)
      await onProgress(Math.min(1, bytes / size))
    }
    await inFlight
  } finally {
    await inFlight.catch(() => undefined)
    await rows.return(undefined)
  }
  return { rows: total, duplicateColumns: header.duplicates }
}
