import { type ApiBody, ApiError, type ApiResponse, apiFetch } from '@biodiv/sdk'
import type {
  ContentMappingValues,
  DatasetOption,
  DecodeBody,
  ImportErrorGroup,
  ImportItem,
  ImportPreview,
  MappingBody,
  MappingMatch,
  SavedMapping,
  TargetFieldList,
} from './types.ts'

const BASE = '/api/import'

export const importApi = {
  imports: () => apiFetch<ImportItem[]>(`${BASE}/imports`),
  import: (id: number, signal?: AbortSignal) => apiFetch<ImportItem>(`${BASE}/imports/${id}`, { signal }),
  upload: uploadImport,
  decode: (id: number, body: DecodeBody) =>
    apiFetch<ImportItem>(`${BASE}/imports/${id}/decode`, { method: 'PUT', body }),
  targetFields: () => apiFetch<TargetFieldList>(`${BASE}/target-fields`),
  mappings: () => apiFetch<SavedMapping[]>(`${BASE}/mappings`),
  matchMapping: (id: number, mappingId: number) =>
    apiFetch<MappingMatch>(`${BASE}/imports/${id}/field-mapping/match?mappingId=${mappingId}`),
  putFieldMapping: (id: number, body: ApiBody<'/api/import/imports/{id}/field-mapping', 'put'>) =>
    apiFetch<ImportItem>(`${BASE}/imports/${id}/field-mapping`, { method: 'PUT', body }),
  createMapping: (body: MappingBody) => apiFetch<SavedMapping>(`${BASE}/mappings`, { method: 'POST', body }),
  updateMapping: (mappingId: number, body: MappingBody) =>
    apiFetch<SavedMapping>(`${BASE}/mappings/${mappingId}`, { method: 'PUT', body }),
  contentValues: (id: number) =>
    apiFetch<ContentMappingValues>(`${BASE}/imports/${id}/content-mapping/values`),
  putContentMapping: (id: number, body: ApiBody<'/api/import/imports/{id}/content-mapping', 'put'>) =>
    apiFetch<ImportItem>(`${BASE}/imports/${id}/content-mapping`, { method: 'PUT', body }),
  mapping: (mappingId: number) => apiFetch<SavedMapping>(`${BASE}/mappings/${mappingId}`),
  errors: (id: number) => apiFetch<ImportErrorGroup[]>(`${BASE}/imports/${id}/errors`),
  preview: (id: number) => apiFetch<ImportPreview>(`${BASE}/imports/${id}/preview`),
  check: (id: number, updateExisting: boolean) =>
    apiFetch<ImportItem>(`${BASE}/imports/${id}/check`, { method: 'POST', body: { updateExisting } }),
  finalize: (id: number, updateExisting: boolean) =>
    apiFetch<ImportItem>(`${BASE}/imports/${id}/finalize`, { method: 'POST', body: { updateExisting } }),
  undo: (id: number) =>
    apiFetch<ApiResponse<'/api/import/imports/{id}', 'delete'>>(`${BASE}/imports/${id}`, {
      method: 'DELETE',
    }),
  /** Active datasets the user may import into (IMPORT C scope). */
  datasets: () => apiFetch<DatasetOption[]>('/api/import/datasets'),
}

/**
 * POST /imports (multipart) with upload progress (0..1), which fetch cannot report: files may weigh gigabytes.
 * Rejects with an ApiError like apiFetch; `signal` aborts the upload.
 */
function uploadImport(
  file: File,
  datasetId: number | null,
  onProgress: (fraction: number) => void = () => undefined,
  signal?: AbortSignal,
): Promise<ImportItem> {
  const form = new FormData()
  // Fields before the file: the server reads the parts in order while streaming the file to disk.
  if (datasetId) form.append('datasetId', String(datasetId))
  form.append('file', file, file.name)
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `${BASE}/imports`)
    xhr.withCredentials = true
    xhr.setRequestHeader('accept', 'application/json')
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total)
    }
    xhr.onload = () => {
      let body: unknown
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = undefined
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as ImportItem)
      else {
        const error = (body as { error?: { code: string; message: string; details?: unknown } } | undefined)
          ?.error
        reject(
          error
            ? new ApiError(xhr.status, error.code, error.message, error.details)
            : new ApiError(xhr.status, `HTTP_${xhr.status}`, xhr.statusText || 'Erreur du serveur'),
        )
      }
    }
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK_ERROR', 'Le serveur ne répond pas'))
    xhr.onabort = () => reject(new ApiError(0, 'UPLOAD_ABORTED', 'Envoi annulé'))
    signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    xhr.send(form)
  })
}
