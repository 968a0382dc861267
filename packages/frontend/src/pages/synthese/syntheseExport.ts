import { ApiError } from '../../api/apiFetch.ts'

export type ExportFormat = 'csv' | 'geojson'

export interface ExportProgress {
  bytes: number
  rows: number
}

const FEATURE_START = '{"type":"Feature",'

/**
 * Counts the rows of an export as its text arrives in chunks of any size: CSV lines after the header (a line
 * break inside a quoted field is counted too: a progress figure, not a total), GeoJSON features.
 */
export function createRowCounter(format: ExportFormat): { push(text: string): void; readonly rows: number } {
  let lines = 0
  let features = 0
  let carry = ''
  return {
    push(text: string) {
      if (format === 'csv') {
        for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++
        return
      }
      const joined = carry + text
      for (let i = joined.indexOf(FEATURE_START); i !== -1; i = joined.indexOf(FEATURE_START, i + 1))
        features++
      // Keep what could be the start of a marker cut by the chunk boundary (never a whole marker).
      carry = joined.slice(Math.max(0, joined.length - (FEATURE_START.length - 1)))
    },
    get rows() {
      return format === 'csv' ? Math.max(0, lines - 1) : features
    },
  }
}

/** The file name of a `content-disposition: attachment; filename="…"` header. */
export function attachmentName(header: string | null, fallback: string): string {
  const match = header?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i)
  return match?.[1] ? decodeURIComponent(match[1]) : fallback
}

/** Human-readable size, French style (1,2 Mo). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} o`
  const units = ['ko', 'Mo', 'Go']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} ${units[unit]}`
}

/** Saves a Blob as a file through a temporary object URL and anchor. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const anchor = document.createElement('a')
  anchor.href = url
  anchor.download = filename
  anchor.style.display = 'none'
  document.body.append(anchor)
  anchor.click()
  anchor.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/**
 * Fetches a streamed export, reporting bytes and rows as they arrive, then saves it. Abort through `signal`
 * (rejects with an AbortError). An API error before the first byte rejects with its ApiError; a transfer the server
 * breaks mid-way (its way to report a late error) rejects too, so no truncated file is ever saved.
 */
export async function downloadExport(
  url: string,
  format: ExportFormat,
  options: { signal?: AbortSignal; onProgress?: (progress: ExportProgress) => void } = {},
): Promise<{ filename: string } & ExportProgress> {
  const response = await fetch(url, { credentials: 'include', signal: options.signal })
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as {
      error?: { code: string; message: string; details?: unknown }
    } | null
    if (body?.error)
      throw new ApiError(response.status, body.error.code, body.error.message, body.error.details)
    throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText || 'Erreur du serveur')
  }
  const filename = attachmentName(response.headers.get('content-disposition'), `synthese.${format}`)
  const chunks: Uint8Array<ArrayBuffer>[] = []
  const counter = createRowCounter(format)
  const decoder = new TextDecoder()
  let bytes = 0
  if (response.body) {
    const reader = response.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      bytes += value.byteLength
      counter.push(decoder.decode(value, { stream: true }))
      options.onProgress?.({ bytes, rows: counter.rows })
    }
  }
  const type =
    response.headers.get('content-type') ?? (format === 'csv' ? 'text/csv' : 'application/geo+json')
  saveBlob(new Blob(chunks, { type }), filename)
  return { filename, bytes, rows: counter.rows }
}
