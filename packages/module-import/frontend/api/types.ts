/** The shapes of /api/import, read from the OpenAPI document (see @biodiv/sdk's ApiResponse / ApiBody). */
import type { ApiBody, ApiResponse } from '@biodiv/sdk'

/** An import as every /imports/:id route answers it. */
export type ImportItem = ApiResponse<'/api/import/imports/{id}'>

export type ImportStatus = ImportItem['status']

export type FieldMapping = NonNullable<ImportItem['fieldMapping']>
export type FieldSource = FieldMapping[string]
/** { <nomenclature field>: { <source value>: <SINP code> } } */
export type ContentMapping = NonNullable<ImportItem['contentMapping']>

export type ImportCounts = ImportItem['counts']

export type TargetFieldList = ApiResponse<'/api/import/target-fields'>
export type TargetField = TargetFieldList['fields'][number]

export type SavedMapping = ApiResponse<'/api/import/mappings/{id}'>

/** POST /mappings and PUT /mappings/:id. */
export type MappingBody = ApiBody<'/api/import/mappings', 'post'>

export type MappingMatch = ApiResponse<'/api/import/imports/{id}/field-mapping/match'>

/** GET /api/import/datasets: an active dataset the caller may import into. */
export type DatasetOption = ApiResponse<'/api/import/datasets'>[number]

/** PUT /imports/:id/decode. */
export type DecodeBody = ApiBody<'/api/import/imports/{id}/decode', 'put'>

/** GET /imports/:id/errors: one group per code and column, with the file's line numbers (header = 1). */
export type ImportErrorGroup = ApiResponse<'/api/import/imports/{id}/errors'>[number]

/** GET /imports/:id/preview: counts, bbox (WGS 84) and a sample of valid rows as GeoJSON. */
export type ImportPreview = ApiResponse<'/api/import/imports/{id}/preview'>
export type PreviewFeature = ImportPreview['sample']['features'][number]

/** GET /imports/:id/content-mapping/values: each mapped nomenclature field's distinct source values. */
export type ContentMappingValues = ApiResponse<'/api/import/imports/{id}/content-mapping/values'>
export type NomenclatureOption = ContentMappingValues['fields'][number]['options'][number]
