import { type Static, Type } from 'typebox'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

/** A target field's source: a column of the file, or the same constant for every row. */
export const FieldSource = Type.Union([
  Type.Object(
    {
      column: Type.String({ minLength: 1, maxLength: 200 }),
      aliases: Type.Optional(
        Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
          maxItems: 20,
          description: 'Other header names this column is known by (saved mappings only: matching a file)',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object({ constant: Type.String({ maxLength: 1000 }) }, { additionalProperties: false }),
])
export type FieldSource = Static<typeof FieldSource>

export const FieldMapping = Type.Record(Type.String({ minLength: 1, maxLength: 100 }), FieldSource, {
  description: '{ <targetField>: { column } | { constant } }',
})
export type FieldMapping = Static<typeof FieldMapping>

export const ContentMapping = Type.Record(
  Type.String({ minLength: 1, maxLength: 100 }),
  Type.Record(Type.String({ maxLength: 1000 }), Type.String({ minLength: 1, maxLength: 50 })),
  { description: '{ <nomenclatureField>: { <source value>: <SINP code> } }' },
)
export type ContentMapping = Static<typeof ContentMapping>

export const DetectedSchema = Type.Object({
  format: Type.Union([Type.Literal('csv'), Type.Literal('geojson')]),
  encoding: Type.String(),
  bom: Type.Boolean(),
  separator: Nullable(Type.String()),
  srid: Type.Optional(Type.Integer()),
})

export const IMPORT_STATUSES = [
  'uploaded',
  'decoded',
  'field_mapped',
  'content_mapped',
  'checking',
  'checked',
  'importing',
  'imported',
  'failed',
] as const
export type ImportStatus = (typeof IMPORT_STATUSES)[number]

export const ImportSchema = Type.Object(
  {
    id: Type.Integer(),
    status: Type.Unsafe<ImportStatus>({ type: 'string', enum: [...IMPORT_STATUSES] }),
    step: Nullable(Type.String({ description: 'sub-step of a running job' })),
    progress: Type.Number({ minimum: 0, maximum: 1 }),
    ownerId: Type.Integer(),
    ownerName: Type.String(),
    organismId: Nullable(Type.Integer()),
    datasetId: Nullable(Type.Integer()),
    datasetName: Nullable(Type.String()),
    mappingId: Nullable(Type.Integer()),
    fileName: Type.String(),
    fileSize: Type.Integer(),
    format: Type.Union([Type.Literal('csv'), Type.Literal('geojson')]),
    detected: DetectedSchema,
    encoding: Type.String(),
    separator: Nullable(Type.String()),
    srid: Type.Integer(),
    columns: Type.Array(Type.String()),
    sample: Type.Array(Type.Array(Nullable(Type.String()))),
    fieldMapping: Nullable(FieldMapping),
    contentMapping: Nullable(ContentMapping),
    updateExisting: Type.Boolean({
      description: 'rows whose UUID is already in the synthese update it (re-import) instead of being errors',
    }),
    failure: Nullable(
      Type.Object(
        { step: Type.String(), code: Type.String(), message: Type.String() },
        { description: 'why the last check or finalize job failed' },
      ),
    ),
    checkedAt: Nullable(Type.String()),
    importedAt: Nullable(Type.String()),
    counts: Type.Object({
      rows: Nullable(Type.Integer()),
      valid: Nullable(Type.Integer()),
      errors: Nullable(Type.Integer()),
      warnings: Nullable(Type.Integer()),
      imported: Nullable(Type.Integer()),
    }),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'Import' },
)

export type ImportView = Static<typeof ImportSchema>

export const ImportList = Type.Array(ImportSchema)

export const DecodeBody = Type.Object(
  {
    encoding: Type.String({ minLength: 1, maxLength: 40, description: 'any encoding iconv-lite knows' }),
    separator: Type.Optional(
      Nullable(
        Type.String({ minLength: 1, maxLength: 1, description: 'CSV field separator (one character)' }),
      ),
    ),
    srid: Type.Integer({
      minimum: 1,
      description: "EPSG code of the file's coordinates (PostGIS spatial_ref_sys)",
    }),
    datasetId: Type.Optional(
      Nullable(
        Type.Integer({ minimum: 1, description: 'set or change the dataset (null: none, rows name it)' }),
      ),
    ),
  },
  { additionalProperties: false },
)

export const FieldMappingBody = Type.Object(
  {
    mappingId: Type.Optional(
      Type.Integer({ minimum: 1, description: 'the saved mapping applied (or used as a base)' }),
    ),
    fields: Type.Optional(FieldMapping),
  },
  { additionalProperties: false },
)

export const MatchQuery = Type.Object({ mappingId: Type.Integer({ minimum: 1 }) })

export const MappingMatch = Type.Object(
  {
    mappingId: Type.Integer(),
    fields: FieldMapping,
    matched: Type.Array(Type.String(), { description: 'target fields whose column is in the file' }),
    unmatched: Type.Array(Type.Object({ field: Type.String(), column: Type.String() })),
    unmappedColumns: Type.Array(Type.String()),
    missingRequired: Type.Array(Type.String()),
  },
  { title: 'MappingMatch' },
)

export const TargetFieldSchema = Type.Object({
  name: Type.String(),
  label: Type.String(),
  type: Type.String(),
  required: Type.Boolean(),
  group: Type.String(),
  nomenclatureType: Type.Optional(Type.String()),
  storedIn: Type.Optional(Type.String()),
})

export const TargetFieldList = Type.Object({
  fields: Type.Array(TargetFieldSchema),
  geometrySources: Type.Array(Type.Array(Type.String()), {
    description: 'one of these groups is required; the first a row fills gives its geometry',
  }),
})

export const MappingSchema = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    isPublic: Type.Boolean(),
    isBuiltin: Type.Boolean(),
    ownerId: Nullable(Type.Integer()),
    ownerName: Nullable(Type.String()),
    organismId: Nullable(Type.Integer()),
    fieldMapping: FieldMapping,
    contentMapping: ContentMapping,
    editable: Type.Boolean({
      description: 'the caller may update/delete it (owner or scope 3, never a preset)',
    }),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'ImportMapping' },
)

export type MappingView = Static<typeof MappingSchema>

export const MappingInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    isPublic: Type.Optional(Type.Boolean({ default: false })),
    fieldMapping: Type.Optional(FieldMapping),
    contentMapping: Type.Optional(ContentMapping),
  },
  { additionalProperties: false },
)
export type MappingInput = Static<typeof MappingInput>

export const JobBody = Type.Object(
  {
    updateExisting: Type.Optional(
      Type.Boolean({
        description:
          'rows whose UUID is already in the synthese update that observation (re-import) instead of being errors',
      }),
    ),
  },
  { additionalProperties: false },
)

export const UndoResult = Type.Object(
  {
    id: Type.Integer(),
    deletedObservations: Type.Integer({ description: 'synthese rows of the import removed' }),
  },
  { title: 'ImportUndone' },
)

export const ImportableDataset = Type.Object({
  id: Type.Integer(),
  uuid: Type.String({ format: 'uuid' }),
  name: Type.String(),
  shortName: Type.String(),
})
