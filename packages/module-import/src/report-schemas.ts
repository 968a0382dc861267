import { geoJsonGeometry } from '@biodiv/core'
import { type Static, Type } from 'typebox'
import { ContentMapping } from './import-schemas.ts'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

export const ContentMappingBody = Type.Object(
  {
    mappingId: Type.Optional(
      Type.Integer({ minimum: 1, description: 'a saved mapping whose content mapping is the base' }),
    ),
    contentMapping: Type.Optional(ContentMapping),
  },
  { additionalProperties: false },
)
export type ContentMappingBody = Static<typeof ContentMappingBody>

const NomenclatureOption = Type.Object({ code: Type.String(), label: Type.String() })

export const ContentMappingValues = Type.Object(
  {
    fields: Type.Array(
      Type.Object({
        field: Type.String({ description: 'the nomenclature target field' }),
        nomenclatureType: Type.String(),
        column: Nullable(Type.String({ description: 'its source column (null: a constant)' })),
        values: Type.Array(
          Type.Object({
            value: Type.String({ description: 'a distinct source value (trimmed)' }),
            count: Type.Integer({ description: 'lines holding it' }),
            mapped: Nullable(Type.String({ description: 'the SINP code the import maps it to' })),
            suggestion: Nullable(NomenclatureOption),
          }),
        ),
        truncated: Type.Boolean({ description: 'more distinct values than listed' }),
        options: Type.Array(NomenclatureOption, { description: 'the values of the nomenclature type' }),
      }),
    ),
    unmapped: Type.Array(Type.Object({ field: Type.String(), value: Type.String() }), {
      description: 'values with neither a mapping nor a suggestion (INVALID_NOMENCLATURE at the check)',
    }),
  },
  { title: 'ContentMappingValues' },
)
export type ContentMappingValues = Static<typeof ContentMappingValues>

export const ErrorGroup = Type.Object({
  code: Type.String(),
  level: Type.Union([Type.Literal('ERROR'), Type.Literal('WARNING')]),
  column: Nullable(Type.String({ description: 'the source column (or target field for a constant)' })),
  description: Type.String(),
  rows: Type.Array(Type.Integer(), {
    description: 'line numbers as in the file (header = 1), the first `limit` of them',
  }),
  count: Type.Integer({ description: 'lines with this error' }),
})
export const ErrorReport = Type.Array(ErrorGroup, { title: 'ImportErrorReport' })

export const ErrorsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000, description: 'line numbers per group' }),
})

export const PreviewQuery = Type.Object({
  limit: Type.Integer({ minimum: 0, maximum: 5000, default: 200, description: 'valid rows in the sample' }),
})

export const ImportPreview = Type.Object(
  {
    counts: Type.Object({
      rows: Type.Integer(),
      valid: Type.Integer(),
      errors: Type.Integer(),
      warnings: Type.Integer(),
    }),
    bbox: Nullable(
      Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: 'valid rows, lon/lat' }),
    ),
    sample: Type.Object({
      type: Type.Literal('FeatureCollection'),
      features: Type.Array(
        Type.Object({
          type: Type.Literal('Feature'),
          id: Type.Integer({ description: 'the line number' }),
          geometry: geoJsonGeometry(),
          properties: Type.Object({
            line: Type.Integer(),
            cdNom: Type.Integer(),
            nomCite: Type.String(),
            dateMin: Type.String(),
            dateMax: Type.String(),
            countMin: Nullable(Type.Integer()),
            countMax: Nullable(Type.Integer()),
            observers: Nullable(Type.String()),
          }),
        }),
      ),
    }),
  },
  { title: 'ImportPreview' },
)
