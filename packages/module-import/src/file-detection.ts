import { open } from 'node:fs/promises'
import chardet from 'chardet'
import { parse } from 'csv-parse/sync'
import iconv from 'iconv-lite'

export type FileFormat = 'csv' | 'geojson'

export interface Detected {
  format: FileFormat
  encoding: string
  /** The file starts with a byte order mark (stripped when decoding). */
  bom: boolean
  /** CSV field separator; null for GeoJSON. */
  separator: string | null
}

/** How much of the file's head the detection reads (the file itself may be gigabytes). */
export const HEAD_BYTES = 64 * 1024

export const SEPARATOR_CANDIDATES = [',', ';', '\t', '|'] as const

/** Reads at most `bytes` from the start of the file; `complete` when that is the whole file. */
export async function readHead(
  path: string,
  bytes = HEAD_BYTES,
): Promise<{ head: Buffer; complete: boolean }> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(bytes + 1)
    const { bytesRead } = await handle.read(buffer, 0, bytes + 1, 0)
    return { head: buffer.subarray(0, Math.min(bytesRead, bytes)), complete: bytesRead <= bytes }
  } finally {
    await handle.close()
  }
}

const WESTERN = new Set(['iso-8859-1', 'iso-8859-15', 'windows-1252'])

/** Valid UTF-8, allowing a multi-byte character cut by the end of a truncated head. */
function isUtf8(head: Buffer, complete: boolean): boolean {
  const decoder = () => new TextDecoder('utf-8', { fatal: true })
  for (let cut = 0; cut <= (complete ? 0 : 3) && cut < head.length; cut++) {
    try {
      decoder().decode(head.subarray(0, head.length - cut))
      return true
    } catch {
      // try without the last bytes: they may be the start of a character that the head cut
    }
  }
  return head.length === 0
}

/**
 * UTF-8 (with or without BOM) when the head is valid UTF-8, UTF-16 by its BOM, else what chardet says for
 * single-byte Western text, Windows-1252 (a superset of Latin-1's printable characters: œ, €) by default.
 */
export function detectEncoding(head: Buffer, complete: boolean): { encoding: string; bom: boolean } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: true }
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: true }
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: true }
  if (isUtf8(head, complete)) return { encoding: 'utf-8', bom: false }
  const best = chardet.analyse(head).find((m) => !/^(utf-|ascii)/i.test(m.name))
  const name = best?.name.toLowerCase()
  if (!name || WESTERN.has(name)) return { encoding: 'windows-1252', bom: false }
  return {
    encoding: best && best.confidence >= 50 && iconv.encodingExists(name) ? name : 'windows-1252',
    bom: false,
  }
}

/** The head decoded, without a trailing partial line when the head is not the whole file. */
export function headText(head: Buffer, complete: boolean, encoding: string): string {
  const text = iconv.decode(head, encoding)
  if (complete) return text
  const end = text.lastIndexOf('\n')
  return end >= 0 ? text.slice(0, end + 1) : text
}

/**
 * The separator whose parse of the head gives the most consistent column count (share of lines with as many
 * columns as the header), then the most columns. A one-column file gets ','.
 */
export function detectSeparator(text: string): string {
  let best = { separator: ',', consistency: -1, columns: 1 }
  for (const separator of SEPARATOR_CANDIDATES) {
    let records: string[][]
    try {
      records = parse(text, {
        delimiter: separator,
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: true,
        to: 200,
      }) as string[][]
    } catch {
      continue
    }
    const columns = records[0]?.length ?? 0
    if (columns < 2) continue
    const consistency = records.filter((r) => r.length === columns).length / records.length
    if (consistency > best.consistency || (consistency === best.consistency && columns > best.columns)) {
      best = { separator, consistency, columns }
    }
  }
  return best.separator
}

/** GeoJSON when the (decoded) head starts with `{`, else delimited text. */
export function detectFormat(text: string): FileFormat {
  return text.trimStart().startsWith('{') ? 'geojson' : 'csv'
}

/** Format, encoding and separator from the file's first HEAD_BYTES. */
export async function detectFile(path: string): Promise<Detected & { empty: boolean }> {
  const { head, complete } = await readHead(path)
  const { encoding, bom } = detectEncoding(head, complete)
  const text = headText(head, complete, encoding)
  const empty = text.replace(/^\uFEFF/, '').trim() === ''
  const format = detectFormat(text.replace(/^\uFEFF/, ''))
  return { format, encoding, bom, separator: format === 'csv' ? detectSeparator(text) : null, empty }
}
