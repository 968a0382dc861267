import { type TProperties, type TSchema, Type } from 'typebox'

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

/** A geometry as `ST_AsGeoJSON` gives it (the title names it in OpenAPI). */
export const geoJsonGeometry = (title?: string) =>
  Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) }, title ? { title } : {})

/** The GeoJSON form of a list page: a feature per item (id, geometry, the other fields as properties). */
export const featureCollectionPage = <P extends TProperties, G extends TSchema>(
  properties: P,
  geometry: G,
  title: string,
) =>
  Type.Object(
    {
      type: Type.Literal('FeatureCollection'),
      features: Type.Array(
        Type.Object({
          type: Type.Literal('Feature'),
          id: Type.Integer(),
          geometry,
          properties: Type.Object(properties),
        }),
      ),
      nextCursor: Nullable(Type.String()),
    },
    { title },
  )
