import { Type } from 'typebox'
import { featureCollectionPage, geoJsonGeometry } from '../http/list-schemas.ts'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])
const Repeatable = (description: string) =>
  Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 200, description })

export const ObservationQuery = Type.Object(
  {
    taxon: Type.Optional(Repeatable('cd_nom, repeatable: observations of these names')),
    taxonTree: Type.Optional(
      Type.Integer({ minimum: 1, description: 'cd_nom: this taxon and all below it' }),
    ),
    dateMin: Type.Optional(Type.String({ format: 'date', description: 'Observed on or after (date_min)' })),
    dateMax: Type.Optional(Type.String({ format: 'date', description: 'Observed on or before (date_max)' })),
    dataset: Type.Optional(Repeatable('Dataset id, repeatable')),
    area: Type.Optional(Repeatable('Area id (ref_geo), repeatable: observations intersecting it')),
    observer: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'A user id, or text found in the observers' }),
    ),
    status: Type.Optional(
      Type.String({ maxLength: 20, description: 'Validation status code (STATUT_VALID)' }),
    ),
    geometry: Type.Optional(
      Type.String({
        maxLength: 100000,
        description: 'GeoJSON geometry or WKT (WGS 84): observations intersecting it',
      }),
    ),
    bbox: Type.Optional(
      Type.String({
        pattern: '^\\s*-?[0-9.]+\\s*,\\s*-?[0-9.]+\\s*,\\s*-?[0-9.]+\\s*,\\s*-?[0-9.]+\\s*$',
        description: 'minLon,minLat,maxLon,maxLat (WGS 84)',
      }),
    ),
    source: Type.Optional(Type.String({ maxLength: 200, description: 'Source name, e.g. OCCTAX' })),
    import: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Import id: the rows of source IMPORT:<id>' }),
    ),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('geojson')])),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
)

const Geometry = geoJsonGeometry('ObservationGeometry')

const itemProperties = {
  uniqueIdSinp: Type.String(),
  cdNom: Type.Integer(),
  nomCite: Type.String(),
  lbNom: Type.String(),
  nomVern: Nullable(Type.String()),
  dateMin: Type.String(),
  dateMax: Type.String(),
  observers: Nullable(Type.String()),
  countMin: Nullable(Type.Integer()),
  countMax: Nullable(Type.Integer()),
  datasetId: Type.Integer(),
  datasetName: Type.String(),
  validStatus: Nullable(Type.String({ description: 'STATUT_VALID code' })),
  source: Type.String(),
  sensitivityLevel: Type.Integer({
    minimum: 0,
    maximum: 4,
    description: 'SINP sensitivity level (SENSIBILITE)',
  }),
  blurred: Type.Boolean({
    description:
      'The geometry is the blurred area of a sensitive observation (the caller may not see it precisely)',
  }),
}

export const ObservationItem = Type.Object(
  { id: Type.Integer(), ...itemProperties, geometry: Geometry },
  { title: 'ObservationItem' },
)

export const ObservationPage = Type.Object(
  {
    items: Type.Array(ObservationItem),
    nextCursor: Nullable(
      Type.String({ description: 'Pass as cursor for the next page; null on the last one' }),
    ),
  },
  { title: 'ObservationPage' },
)

export const ObservationFeatureCollection = featureCollectionPage(
  itemProperties,
  Geometry,
  'ObservationFeatureCollection',
)

export const SyntheseDataset = Type.Object(
  { id: Type.Integer(), name: Type.String(), shortName: Type.String(), active: Type.Boolean() },
  { title: 'SyntheseDataset' },
)

export const ObservationIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

const CodeLabel = Nullable(Type.Object({ code: Type.String(), label: Type.String() }))

export const ObservationSheet = Type.Object(
  {
    id: Type.Integer(),
    uniqueIdSinp: Type.String(),
    uniqueIdSinpGrp: Nullable(Type.String()),
    taxon: Type.Record(Type.String(), Type.Unknown()),
    nomCite: Type.String(),
    countMin: Nullable(Type.Integer()),
    countMax: Nullable(Type.Integer()),
    dateMin: Type.String(),
    dateMax: Type.String(),
    observers: Nullable(Type.String()),
    observerUsers: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
    determiner: Nullable(Type.String()),
    digitiser: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
    geometry: Geometry,
    point: Geometry,
    precision: Nullable(Type.Integer()),
    altitudeMin: Nullable(Type.Integer()),
    altitudeMax: Nullable(Type.Integer()),
    depthMin: Nullable(Type.Integer()),
    depthMax: Nullable(Type.Integer()),
    placeName: Nullable(Type.String()),
    commentContext: Nullable(Type.String()),
    commentDescription: Nullable(Type.String()),
    nomenclatures: Type.Record(Type.String(), CodeLabel, { description: 'SINP code and label per field' }),
    areas: Type.Array(
      Type.Object({
        id: Type.Integer(),
        code: Type.String(),
        name: Type.String(),
        type: Type.String(),
        typeName: Type.String(),
      }),
    ),
    sensitivity: Type.Object({
      level: Type.Integer({ minimum: 0, maximum: 4 }),
      label: Nullable(Type.String()),
      manual: Type.Boolean({ description: 'Set by an expert (kept whatever the rules say)' }),
      blurred: Type.Boolean({
        description: 'Shown blurred to this caller: geometry = blurArea, locating fields empty',
      }),
      blurArea: Nullable(
        Type.Object({
          id: Type.Integer(),
          code: Type.String(),
          name: Type.String(),
          type: Type.String(),
          typeName: Type.String(),
        }),
      ),
      history: Type.Array(
        Type.Object({
          date: Type.String(),
          level: Nullable(Type.Integer({ description: 'null: back to the rules' })),
          computedLevel: Type.Integer(),
          comment: Type.String(),
          by: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
        }),
      ),
    }),
    dataset: Type.Object({ id: Type.Integer(), name: Type.String(), shortName: Type.String() }),
    source: Type.Object({
      name: Type.String(),
      moduleCode: Nullable(Type.String()),
      entityPk: Nullable(Type.String()),
      url: Nullable(Type.String({ description: 'Link back to the source record' })),
    }),
    validation: Type.Object({
      validator: Nullable(Type.String()),
      date: Nullable(Type.String()),
      comment: Nullable(Type.String()),
    }),
    validationHistory: Type.Array(
      Type.Object({
        date: Type.String(),
        status: Type.Object({ code: Type.String(), label: Type.String() }),
        validator: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
        comment: Nullable(Type.String()),
        automatic: Type.Boolean(),
      }),
      { description: 'Every status given to the observation (by its UUID), oldest first' },
    ),
    additionalData: Nullable(Type.Record(Type.String(), Type.Unknown())),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'ObservationSheet' },
)

const { format: _format, limit: _limit, cursor: _cursor, ...filterProperties } = ObservationQuery.properties

export const ExportQuery = Type.Object(
  {
    ...filterProperties,
    format: Type.Union([Type.Literal('csv'), Type.Literal('geojson')], {
      default: 'csv',
      description: 'csv (RFC 4180, UTF-8) or geojson (FeatureCollection)',
    }),
    sep: Type.Union([Type.Literal(';'), Type.Literal(',')], {
      default: ';',
      description: 'CSV separator (`;` by default: French spreadsheets, decimal commas)',
    }),
    bom: Type.Boolean({ default: false, description: 'Start the CSV with a UTF-8 BOM (for spreadsheets)' }),
  },
  { additionalProperties: false },
)
