import { featureCollectionPage, geoJsonGeometry } from '@biodiv/core'
import { type Static, type TSchema, Type } from 'typebox'

/** Ids and counts are PostgreSQL integers: larger values are a 400, not a database error. */
const INT_MAX = 2147483647
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Opt = <T extends TSchema>(schema: T) => Type.Optional(Nullable(schema))
/** No NUL character: PostgreSQL text cannot hold it. */
const NO_NUL = '^[^\\u0000]*$'
const Text = (maxLength: number) => Type.String({ maxLength, pattern: NO_NUL })
const Code = (type: string) =>
  Type.String({
    minLength: 1,
    maxLength: 50,
    pattern: NO_NUL,
    description: `SINP code (cd_nomenclature) of ${type}`,
  })
const Hour = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$', description: 'HH:MM' })

/** Occurrence-level nomenclatures: API field → (column suffix, type), names as the synthese service's. */
export const OCCURRENCE_NOMENCLATURES = {
  obsTechnique: ['obs_technique', 'METH_OBS'],
  determinationMethod: ['determination_method', 'METH_DETERMIN'],
  bioStatus: ['bio_status', 'STATUT_BIO'],
  bioCondition: ['bio_condition', 'ETA_BIO'],
  naturalness: ['naturalness', 'NATURALITE'],
  existProof: ['exist_proof', 'PREUVE_EXIST'],
  behaviour: ['behaviour', 'OCC_COMPORTEMENT'],
  observationStatus: ['observation_status', 'STATUT_OBS'],
  diffusionLevel: ['diffusion_level', 'NIV_PRECIS'],
  blurring: ['blurring', 'DEE_FLOU'],
  sourceStatus: ['source_status', 'STATUT_SOURCE'],
} as const satisfies Record<string, readonly [string, string]>

export const COUNTING_NOMENCLATURES = {
  lifeStage: ['life_stage', 'STADE_VIE'],
  sex: ['sex', 'SEXE'],
  objCount: ['obj_count', 'OBJ_DENBR'],
  typeCount: ['type_count', 'TYP_DENBR'],
} as const satisfies Record<string, readonly [string, string]>

export const RELEVE_NOMENCLATURES = { grpTyp: ['grp_typ', 'TYP_GRP'] } as const

export type OccurrenceNomenclature = keyof typeof OCCURRENCE_NOMENCLATURES
export type CountingNomenclature = keyof typeof COUNTING_NOMENCLATURES

const codes = <K extends string>(spec: Record<K, readonly [string, string]>) =>
  Object.fromEntries(
    Object.entries<readonly [string, string]>(spec).map(([f, [, type]]) => [f, Opt(Code(type))]),
  ) as {
    [F in K]: ReturnType<typeof Opt<ReturnType<typeof Code>>>
  }
const outCodes = <K extends string>(spec: Record<K, readonly [string, string]>) =>
  Object.fromEntries(Object.keys(spec).map((f) => [f, Nullable(Type.String())])) as {
    [F in K]: ReturnType<typeof Nullable<ReturnType<typeof Type.String>>>
  }

export const GeometryInput = Type.Object(
  {
    type: Type.String({ description: 'Point, LineString or Polygon' }),
    coordinates: Type.Array(Type.Unknown()),
  },
  { description: 'GeoJSON geometry in WGS 84 (longitude, latitude)' },
)

export const CountingInput = Type.Object(
  {
    id: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: INT_MAX,
        description: 'Keeps an existing counting (PUT); absent = new',
      }),
    ),
    ...codes(COUNTING_NOMENCLATURES),
    countMin: Type.Optional(Type.Integer({ minimum: 0, maximum: INT_MAX, default: 1 })),
    countMax: Opt(Type.Integer({ minimum: 0, maximum: INT_MAX, description: 'Defaults to countMin' })),
  },
  { additionalProperties: false, title: 'OcctaxCountingInput' },
)
export type CountingInput = Static<typeof CountingInput>

export const OccurrenceInput = Type.Object(
  {
    id: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: INT_MAX,
        description: 'Keeps an existing occurrence (PUT); absent = new',
      }),
    ),
    cdNom: Type.Integer({ minimum: 1, maximum: INT_MAX }),
    nomCite: Opt(
      Type.String({ maxLength: 1000, pattern: NO_NUL, description: "Defaults to the taxon's name" }),
    ),
    ...codes(OCCURRENCE_NOMENCLATURES),
    determiner: Opt(Text(1000)),
    comment: Opt(Text(10000)),
    countings: Type.Array(CountingInput, { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false, title: 'OcctaxOccurrenceInput' },
)
export type OccurrenceInput = Static<typeof OccurrenceInput>

export const ReleveInput = Type.Object(
  {
    datasetId: Type.Integer({ minimum: 1, maximum: INT_MAX }),
    observerIds: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: INT_MAX }), { maxItems: 100, uniqueItems: true }),
    ),
    observersText: Opt(Text(1000)),
    dateMin: Type.String({ format: 'date' }),
    dateMax: Opt(Type.String({ format: 'date', description: 'Defaults to dateMin' })),
    hourMin: Opt(Hour),
    hourMax: Opt(Hour),
    geometry: GeometryInput,
    altitudeMin: Opt(Type.Integer({ minimum: -500, maximum: 9000 })),
    altitudeMax: Opt(Type.Integer({ minimum: -500, maximum: 9000 })),
    placeName: Opt(Text(1000)),
    habitat: Opt(Text(1000)),
    comment: Opt(Text(10000)),
    grpTyp: Opt(Code('TYP_GRP')),
    grpMethod: Opt(Text(1000)),
    occurrences: Type.Array(OccurrenceInput, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false, title: 'OcctaxReleveInput' },
)
export type ReleveInput = Static<typeof ReleveInput>

const Geometry = geoJsonGeometry()

/** How the caller sees the relevé's location (ADR 15): blurred when one of its observations is blurred for them. */
const ReleveSensitivity = Type.Object({
  level: Type.Integer({ minimum: 0, maximum: 4, description: 'Highest level among the observations shown' }),
  blurred: Type.Boolean({
    description:
      'geometry is the blurred area of the most sensitive observation; place, altitudes, comments empty',
  }),
})

export const CountingSchema = Type.Object(
  {
    id: Type.Integer(),
    uniqueIdSinp: Type.String({ format: 'uuid' }),
    syntheseId: Nullable(Type.Integer()),
    ...outCodes(COUNTING_NOMENCLATURES),
    countMin: Type.Integer(),
    countMax: Type.Integer(),
    sensitivityLevel: Nullable(
      Type.Integer({
        minimum: 0,
        maximum: 4,
        description: 'SINP sensitivity computed by the server (its Synthese row)',
      }),
    ),
  },
  { title: 'OcctaxCounting' },
)

export const OccurrenceSchema = Type.Object(
  {
    id: Type.Integer(),
    uuid: Type.String({ format: 'uuid' }),
    cdNom: Type.Integer(),
    nomCite: Type.String(),
    lbNom: Type.String(),
    nomVern: Nullable(Type.String()),
    ...outCodes(OCCURRENCE_NOMENCLATURES),
    determiner: Nullable(Type.String()),
    comment: Nullable(Type.String()),
    countings: Type.Array(CountingSchema),
  },
  { title: 'OcctaxOccurrence' },
)

export const ReleveSchema = Type.Object(
  {
    id: Type.Integer(),
    uuid: Type.String({ format: 'uuid' }),
    datasetId: Type.Integer(),
    datasetName: Type.String(),
    observerIds: Type.Array(Type.Integer()),
    observers: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
    observersText: Nullable(Type.String()),
    dateMin: Type.String(),
    dateMax: Type.String(),
    hourMin: Nullable(Type.String()),
    hourMax: Nullable(Type.String()),
    geometry: Geometry,
    altitudeMin: Nullable(Type.Integer()),
    altitudeMax: Nullable(Type.Integer()),
    placeName: Nullable(Type.String()),
    habitat: Nullable(Type.String()),
    comment: Nullable(Type.String()),
    grpTyp: Nullable(Type.String()),
    grpMethod: Nullable(Type.String()),
    digitiserId: Nullable(Type.Integer()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    sensitivity: ReleveSensitivity,
    occurrences: Type.Array(OccurrenceSchema),
  },
  { title: 'OcctaxReleve' },
)
export type Releve = Static<typeof ReleveSchema>

const listItemProperties = {
  uuid: Type.String({ format: 'uuid' }),
  datasetId: Type.Integer(),
  datasetName: Type.String(),
  dateMin: Type.String(),
  dateMax: Type.String(),
  observers: Nullable(Type.String({ description: 'Observer users and free text, as one text' })),
  placeName: Nullable(Type.String()),
  taxa: Type.Array(Type.Object({ cdNom: Type.Integer(), name: Type.String() })),
  countingCount: Type.Integer(),
  sensitivity: ReleveSensitivity,
}

export const ReleveListItem = Type.Object(
  { id: Type.Integer(), ...listItemProperties, geometry: Geometry },
  { title: 'OcctaxReleveListItem' },
)
export type ReleveListItem = Static<typeof ReleveListItem>

export const RelevePage = Type.Object(
  { items: Type.Array(ReleveListItem), nextCursor: Nullable(Type.String()) },
  { title: 'OcctaxRelevePage' },
)

export const ReleveFeatureCollection = featureCollectionPage(
  listItemProperties,
  Geometry,
  'OcctaxReleveFeatureCollection',
)

const Repeatable = (description: string) =>
  Type.Array(Type.Integer({ minimum: 1, maximum: INT_MAX }), { maxItems: 200, description })

export const ReleveQuery = Type.Object(
  {
    dataset: Type.Optional(Repeatable('Dataset id, repeatable')),
    dateMin: Type.Optional(Type.String({ format: 'date', description: 'Relevés ending on or after' })),
    dateMax: Type.Optional(Type.String({ format: 'date', description: 'Relevés starting on or before' })),
    taxon: Type.Optional(Repeatable('cd_nom, repeatable: relevés with an occurrence of one of them')),
    observer: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        pattern: NO_NUL,
        description: 'A user id, or text found in the free-text observers',
      }),
    ),
    bbox: Type.Optional(
      Type.String({
        pattern: '^\\s*-?[0-9.]+\\s*,\\s*-?[0-9.]+\\s*,\\s*-?[0-9.]+\\s*,\\s*-?[0-9.]+\\s*$',
        description: 'minLon,minLat,maxLon,maxLat (WGS 84)',
      }),
    ),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('geojson')])),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
)
export type ReleveQuery = Static<typeof ReleveQuery>

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: INT_MAX }) })

export const WritableDataset = Type.Object(
  { id: Type.Integer(), name: Type.String(), shortName: Type.String() },
  { title: 'OcctaxDataset' },
)

export const ObserverQuery = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 200, pattern: NO_NUL })) },
  { additionalProperties: false },
)
export const ObserverOption = Type.Object(
  { id: Type.Integer(), name: Type.String(), organism: Nullable(Type.String()) },
  { title: 'OcctaxObserver' },
)
