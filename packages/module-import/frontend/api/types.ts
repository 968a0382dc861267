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
  /** Why the last check or finalize job failed. */
  failure: { step: string; code: string; message: string } | null
  checkedAt: string | null
  importedAt: string | null
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

/** GET /api/import/datasets: an active dataset the caller may import into. */
export interface DatasetOption {
  id: number
  uuid: string
  name: string
  shortName: string
}

/** GET /imports/:id/errors: one group per code and column, with the file's line numbers (header = 1). */
export interface ImportErrorGroup {
  code: string
  level: 'ERROR' | 'WARNING'
  /** The source column (or the target field of a constant). */
  column: string | null
  description: string
  /** The first line numbers (header = line 1). */
  rows: number[]
  count: number
}

export interface PreviewFeature {
  type: 'Feature'
  id: number
  geometry: unknown
  properties: { line: number; cdNom: number; nomCite: string; dateMin: string; countMin: number | null }
}

/** GET /imports/:id/preview: counts, bbox (WGS 84) and a sample of valid rows as GeoJSON. */
export interface ImportPreview {
  counts: { rows: number; valid: number; errors: number; warnings: number }
  bbox: [number, number, number, number] | null
  sample: { type: 'FeatureCollection'; features: PreviewFeature[] }
}

export interface NomenclatureOption {
  code: string
  label: string
}

/** GET /imports/:id/content-mapping/values: each mapped nomenclature field's distinct source values. */
export interface ContentMappingValues {
  fields: {
    field: string
    nomenclatureType: string
    column: string | null
    values: { value: string; count: number; mapped: string | null; suggestion: NomenclatureOption | null }[]
    truncated: boolean
    options: NomenclatureOption[]
  }[]
  unmapped: { field: string; value: string }[]
}
