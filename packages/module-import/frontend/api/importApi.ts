import { apiFetch } from '@biodiv/sdk'
import type {
  ContentMapping,
  ContentMappingValues,
  DatasetOption,
  FieldMapping,
  ImportErrorGroup,
  ImportItem,
  ImportPreview,
  MappingMatch,
  SavedMapping,
  TargetFieldList,
} from './types.ts'

const BASE = '/api/import'

export interface DecodeBody {
  encoding: string
  separator?: string | null
  srid: number
  datasetId?: number | null
}

export interface MappingBody {
  name: string
  isPublic: boolean
  fieldMapping?: FieldMapping
  contentMapping?: ContentMapping
}

export const importApi = {
  imports: () => apiFetch<ImportItem[]>(`${BASE}/imports`),
  import: (id: number, signal?: AbortSignal) => apiFetch<ImportItem>(`${BASE}/imports/${id}`, { signal }),
  upload: (file: File, datasetId: number | null) => {
    const form = new FormData()
    // Fields before the file: the server reads the parts in order while streaming the file to disk.
    if (datasetId) form.append('datasetId', String(datasetId))
    form.append('file', file, file.name)
    return apiFetch<ImportItem>(`${BASE}/imports`, { method: 'POST', body: form })
  },
  decode: (id: number, body: DecodeBody) =>
    apiFetch<ImportItem>(`${BASE}/imports/${id}/decode`, { method: 'PUT', body }),
  targetFields: () => apiFetch<TargetFieldList>(`${BASE}/target-fields`),
  mappings: () => apiFetch<SavedMapping[]>(`${BASE}/mappings`),
  matchMapping: (id: number, mappingId: number) =>
    apiFetch<MappingMatch>(`${BASE}/imports/${id}/field-mapping/match?mappingId=${mappingId}`),
  putFieldMapping: (id: number, body: { mappingId?: number; fields: FieldMapping }) =>
    apiFetch<ImportItem>(`${BASE}/imports/${id}/field-mapping`, { method: 'PUT', body }),
  createMapping: (body: MappingBody) => apiFetch<SavedMapping>(`${BASE}/mappings`, { method: 'POST', body }),
  updateMapping: (mappingId: number, body: MappingBody) =>
    apiFetch<SavedMapping>(`${BASE}/mappings/${mappingId}`, { method: 'PUT', body }),
  contentValues: (id: number) =>
    apiFetch<ContentMappingValues>(`${BASE}/imports/${id}/content-mapping/values`),
  putContentMapping: (id: number, body: { mappingId?: number; contentMapping: ContentMapping }) =>
    apiFetch<ImportItem>(`${BASE}/imports/${id}/content-mapping`, { method: 'PUT', body }),
  mapping: (mappingId: number) => apiFetch<SavedMapping>(`${BASE}/mappings/${mappingId}`),
  errors: (id: number) => apiFetch<ImportErrorGroup[]>(`${BASE}/imports/${id}/errors`),
  preview: (id: number) => apiFetch<ImportPreview>(`${BASE}/imports/${id}/preview`),
  check: (id: number, updateExisting: boolean) =>
    apiFetch<ImportItem>(`${BASE}/imports/${id}/check`, { method: 'POST', body: { updateExisting } }),
  finalize: (id: number, updateExisting: boolean) =>
    apiFetch<ImportItem>(`${BASE}/imports/${id}/finalize`, { method: 'POST', body: { updateExisting } }),
  undo: (id: number) =>
    apiFetch<{ id: number; deletedObservations: number }>(`${BASE}/imports/${id}`, { method: 'DELETE' }),
  /** Active datasets the user may see (METADATA R); the server checks the import right on the one chosen. */
  datasets: () => apiFetch<DatasetOption[]>('/api/meta/datasets?active=true'),
}
