import { Type } from 'typebox'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

export const geoTags = ['geo']

export const AreaTypeSchema = Type.Object(
  {
    id: Type.Integer(),
    code: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    refName: Nullable(Type.String()),
    refVersion: Nullable(Type.String()),
    areaCount: Type.Integer({ description: 'Enabled areas of this type' }),
  },
  { title: 'AreaType' },
)

export const AreaTypeCreate = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]{0,29}$', description: 'Upper case, e.g. ZNIEFF1' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    refName: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
    refVersion: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  },
  { additionalProperties: false },
)

/** A GeoJSON geometry (RFC 7946), checked in depth by PostGIS. */
export const GeometrySchema = Type.Object(
  {
    type: Type.Union([
      Type.Literal('Point'),
      Type.Literal('MultiPoint'),
      Type.Literal('LineString'),
      Type.Literal('MultiLineString'),
      Type.Literal('Polygon'),
      Type.Literal('MultiPolygon'),
    ]),
    coordinates: Type.Array(Type.Unknown()),
  },
  { title: 'Geometry', description: 'GeoJSON geometry in WGS 84 longitude/latitude' },
)

/** An area's geometry as returned: GeoJSON (Multi)Polygon, WGS 84, 6 decimals. */
const AreaGeometry = Type.Object(
  { type: Type.String({ description: 'MultiPolygon' }), coordinates: Type.Array(Type.Unknown()) },
  { title: 'AreaGeometry' },
)

export const AreaSchema = Type.Object(
  {
    id: Type.Integer(),
    type: Type.String({ description: 'Area type code' }),
    code: Type.String(),
    name: Type.String(),
    source: Nullable(Type.String()),
    enabled: Type.Boolean(),
    /** Longitude, latitude of a point inside the area. */
    centroid: Type.Tuple([Type.Number(), Type.Number()]),
    bbox: Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]),
    geometry: Type.Optional(AreaGeometry),
  },
  { title: 'Area' },
)

export const AreaListQuery = Type.Object(
  {
    type: Type.Optional(
      Type.String({ description: 'Area type code(s), comma-separated: COM or COM,DEP', maxLength: 300 }),
    ),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Code (prefix) or name (case- and accent-insensitive, words in order)',
      }),
    ),
    bbox: Type.Optional(
      Type.String({
        pattern: '^\\s*-?[0-9.]+\\s*,\\s*-?[0-9.]+\\s*,\\s*-?[0-9.]+\\s*,\\s*-?[0-9.]+\\s*$',
        description: 'minLon,minLat,maxLon,maxLat (WGS 84): areas intersecting it',
      }),
    ),
    geometry: Type.Boolean({ default: false, description: 'Include each area’s GeoJSON geometry' }),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
)

export const AreaIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

export const AreaFeature = Type.Object(
  {
    type: Type.Literal('Feature'),
    id: Type.Integer(),
    bbox: Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]),
    geometry: AreaGeometry,
    properties: Type.Object({
      type: Type.String(),
      typeName: Type.String(),
      code: Type.String(),
      name: Type.String(),
      source: Nullable(Type.String()),
      enabled: Type.Boolean(),
      additionalData: Type.Record(Type.String(), Type.Unknown()),
    }),
  },
  { title: 'AreaFeature' },
)

export const IntersectionsBody = Type.Object(
  {
    geometry: GeometrySchema,
    types: Type.Optional(Type.Array(Type.String({ maxLength: 30 }), { maxItems: 50, uniqueItems: true })),
  },
  { additionalProperties: false },
)

export const IntersectionsResponse = Type.Array(
  Type.Object({
    type: Type.String(),
    typeName: Type.String(),
    areas: Type.Array(Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() })),
  }),
  { title: 'Intersections', description: 'The areas the geometry intersects, by type' },
)
