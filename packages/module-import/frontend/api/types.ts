/** The shapes of /api/import (see packages/module-import/src/*-schemas.ts). */

export type ImportStatus =
  | 'uploaded'
  | 'decoded'
  | 'field_mapped'
  | 'content_mapped'
  | 'checking'
  | 'checked'
  | 'importing'
  | 'imported'
  | 'failed'

export type FieldSource = { column: string; aliases?: string[] } | { constant: string }
export type FieldMapping = Record<string, FieldSource>
/** { <nomenclature field>: { <source value>: <SINP code> } } */
export type ContentMapping = Record<string, Record<string, string>>

export interface ImportCounts {
  rows: number | null
  valid: number | null
  errors: number | null
  warnings: number | null
  imported: number | null
}

export interface ImportItem {
  id: number
  status: ImportStatus
  step: string | null
  progress: number
  ownerId: number
  ownerName: string
  organismId: number | null
  datasetId: number | null
  datasetName: string | null
  mappingId: number | null
  fileName: string
  fileSize: number
  format: 'csv' | 'geojson'
  detected: {
    format: 'csv' | 'geojson'
    encoding: string
    bom: boolean
    separator: string | null
    srid?: number
  }
  encoding: string
  separator: string | null
  srid: number
  columns: string[]
  sample: (string | null)[][]
  fieldMapping: FieldMapping | null
  contentMapping: ContentMapping | null
  updateExisting: boolean
  counts: ImportCounts
  /** Why the last job failed (status `failed`), when the API gives it. */
  failure?: { step?: string | null; code?: string; message?: string } | string | null
  createdAt: string
  updatedAt: string
}

export interface TargetField {
  name: string
  label: string
  type: string
  required: boolean
  group: string
  nomenclatureType?: string
  storedIn?: string
}

export interface TargetFieldList {
  fields: TargetField[]
  /** One of these groups is required; a row's geometry comes from the first it fills. */
  geometrySources: string[][]
}

export interface SavedMapping {
  id: number
  name: string
  isPublic: boolean
  isBuiltin: boolean
  ownerId: number | null
  ownerName: string | null
  organismId: number | null
  fieldMapping: FieldMapping
  contentMapping: ContentMapping
  editable: boolean
  createdAt: string
  updatedAt: string
}

export interface MappingMatch {
  mappingId: number
  fields: FieldMapping
  matched: string[]
  unmatched: { field: string; column: string }[]
  unmappedColumns: string[]
  missingRequired: string[]
}

export interface DatasetOption {
  id: number
  uuid: string
  name: string
  shortName: string
  active: boolean
}
