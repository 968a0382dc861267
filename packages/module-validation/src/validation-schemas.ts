import { featureCollectionPage, geoJsonGeometry, ObservationItem, ObservationQuery } from '@biodiv/core'
import { Type } from 'typebox'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

const StatusCode = Type.String({ pattern: '^[0-9A-Za-z_.-]{1,20}$', description: 'STATUT_VALID code (0–6)' })
const Uuid = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
})

const { status: _status, format, limit, cursor, ...syntheseFilters } = ObservationQuery.properties

/** The validation filters: every synthese filter, several statuses, the validator, edited after validation. */
const validationFilters = {
  ...syntheseFilters,
  status: Type.Optional(
    Type.Array(StatusCode, {
      maxItems: 20,
      description: 'STATUT_VALID codes, repeatable; 0 (pending) includes observations without a status',
    }),
  ),
  validator: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'A user id (who gave the current status), or text found in the validator name',
    }),
  ),
  modifiedSinceValidation: Type.Optional(
    Type.Boolean({ description: 'Edited after the last status was given (true) or not (false)' }),
  ),
}

export const ValidationQuery = Type.Object(
  { ...validationFilters, format, limit, cursor },
  { additionalProperties: false },
)

export const ValidationCount = Type.Object(
  { count: Type.Integer({ description: 'Observations matching the filters that the caller may validate' }) },
  { title: 'ValidationCount' },
)

export const ValidationFilter = Type.Object(validationFilters, {
  additionalProperties: false,
  title: 'ValidationFilter',
})

const Geometry = geoJsonGeometry('ValidationGeometry')

// The synthese list fields, then the validation ones.
const {
  id: _id,
  geometry: _geometry,
  validStatus: _validStatus,
  source: _source,
  ...observationFields
} = ObservationItem.properties
const itemProperties = {
  ...observationFields,
  validStatus: Type.String({ description: 'STATUT_VALID code; 0 when none' }),
  validator: Nullable(Type.String()),
  validationDate: Nullable(Type.String()),
  validationComment: Nullable(Type.String()),
  modifiedSinceValidation: Type.Boolean(),
  source: Type.String(),
}

export const ValidationItem = Type.Object(
  { id: Type.Integer(), ...itemProperties, geometry: Geometry },
  { title: 'ValidationItem' },
)

export const ValidationPage = Type.Object(
  { items: Type.Array(ValidationItem), nextCursor: Nullable(Type.String()) },
  { title: 'ValidationPage' },
)

export const ValidationFeatureCollection = featureCollectionPage(
  itemProperties,
  Geometry,
  'ValidationFeatureCollection',
)

export const StatusChangeBody = Type.Object(
  {
    observations: Type.Optional(
      Type.Array(Uuid, { minItems: 1, maxItems: 20000, description: 'Observation UUIDs (unique_id_sinp)' }),
    ),
    filter: Type.Optional(ValidationFilter),
    status: StatusCode,
    comment: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
  },
  { additionalProperties: false, title: 'StatusChange' },
)

export const StatusChangeResult = Type.Object(
  { changed: Type.Integer({ description: 'Observations given the status (one history row each)' }) },
  { title: 'StatusChangeResult' },
)

export const HistoryParams = Type.Object({ uuid: Uuid })

export const ValidationHistory = Type.Object(
  {
    id: Type.Integer(),
    uniqueIdSinp: Type.String(),
    history: Type.Array(
      Type.Object({
        id: Type.Integer(),
        date: Type.String(),
        status: Type.Object({ code: Type.String(), label: Type.String() }),
        validator: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
        comment: Nullable(Type.String()),
        automatic: Type.Boolean(),
      }),
    ),
  },
  { title: 'ValidationHistory' },
)
