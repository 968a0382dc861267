import { type Static, Type } from 'typebox'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])
const Code = (type: string) =>
  Nullable(Type.String({ minLength: 1, maxLength: 50, description: `SINP code of nomenclature ${type}` }))
const Text = (maxLength: number) => Nullable(Type.String({ maxLength }))
const DateOnly = Nullable(Type.String({ format: 'date' }))

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

export const ActorSchema = Type.Object(
  {
    id: Type.Integer(),
    organismId: Nullable(Type.Integer()),
    organismName: Nullable(Type.String()),
    userId: Nullable(Type.Integer()),
    userName: Nullable(Type.String()),
    role: Type.String({ description: 'ROLE_ACTEUR code' }),
    roleLabel: Type.String(),
  },
  { title: 'MetadataActor' },
)
export const ActorInput = Type.Object(
  {
    organismId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    userId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    role: Type.String({ minLength: 1, maxLength: 50, description: 'ROLE_ACTEUR code' }),
  },
  { additionalProperties: false },
)
export type ActorInput = Static<typeof ActorInput>
const Actors = Type.Array(ActorInput, { maxItems: 100 })

export const FrameworkSchema = Type.Object(
  {
    id: Type.Integer(),
    uuid: Type.String({ format: 'uuid' }),
    name: Type.String(),
    description: Nullable(Type.String()),
    keywords: Nullable(Type.String()),
    startDate: DateOnly,
    endDate: DateOnly,
    territorialLevel: Nullable(Type.String({ description: 'NIVEAU_TERRITORIAL code' })),
    financingType: Nullable(Type.String({ description: 'TYPE_FINANCEMENT code' })),
    parentId: Nullable(Type.Integer()),
    isClosed: Type.Boolean(),
    closedAt: Nullable(Type.String()),
    digitiserId: Nullable(Type.Integer()),
    datasetCount: Type.Integer({ description: 'datasets of the framework the caller may see' }),
    actors: Type.Array(ActorSchema),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'AcquisitionFramework' },
)

const frameworkFields = {
  description: Type.Optional(Text(10_000)),
  keywords: Type.Optional(Text(1000)),
  startDate: Type.Optional(DateOnly),
  endDate: Type.Optional(DateOnly),
  territorialLevel: Type.Optional(Code('NIVEAU_TERRITORIAL')),
  financingType: Type.Optional(Code('TYPE_FINANCEMENT')),
  parentId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  isClosed: Type.Optional(
    Type.Boolean({ description: 'closing deactivates every dataset of the framework' }),
  ),
  actors: Type.Optional(Actors),
}
const Name = Type.String({ minLength: 1, maxLength: 500 })
export const FrameworkCreate = Type.Object(
  { name: Name, ...frameworkFields },
  { additionalProperties: false },
)
export const FrameworkUpdate = Type.Object(
  { name: Type.Optional(Name), ...frameworkFields },
  { additionalProperties: false, minProperties: 1 },
)
export type FrameworkInput = Static<typeof FrameworkUpdate>

const Polygon = Type.Object(
  {
    type: Type.Literal('Polygon'),
    coordinates: Type.Array(
      Type.Array(Type.Array(Type.Number(), { minItems: 2, maxItems: 3 }), { minItems: 4 }),
      {
        minItems: 1,
      },
    ),
  },
  { description: 'GeoJSON Polygon in WGS 84 (EPSG:4326)' },
)

export const DatasetSchema = Type.Object(
  {
    id: Type.Integer(),
    uuid: Type.String({ format: 'uuid' }),
    frameworkId: Type.Integer(),
    frameworkName: Type.String(),
    name: Type.String(),
    shortName: Type.String(),
    description: Nullable(Type.String()),
    keywords: Nullable(Type.String()),
    dataType: Nullable(Type.String({ description: 'DATA_TYP code' })),
    objective: Nullable(Type.String({ description: 'JDD_OBJECTIFS code' })),
    collectingMethod: Nullable(Type.String({ description: 'METHO_RECUEIL code' })),
    dataOrigin: Nullable(Type.String({ description: 'DS_PUBLIQUE code' })),
    sourceStatus: Nullable(Type.String({ description: 'STATUT_SOURCE code' })),
    resourceType: Nullable(Type.String({ description: 'RESOURCE_TYP code' })),
    active: Type.Boolean({ description: 'open for entry and import' }),
    validable: Type.Boolean(),
    taxonListId: Nullable(Type.Integer()),
    bbox: Nullable(Polygon),
    digitiserId: Nullable(Type.Integer()),
    actors: Type.Array(ActorSchema),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'Dataset' },
)

const datasetFields = {
  description: Type.Optional(Text(10_000)),
  keywords: Type.Optional(Text(1000)),
  dataType: Type.Optional(Code('DATA_TYP')),
  objective: Type.Optional(Code('JDD_OBJECTIFS')),
  collectingMethod: Type.Optional(Code('METHO_RECUEIL')),
  dataOrigin: Type.Optional(Code('DS_PUBLIQUE')),
  sourceStatus: Type.Optional(Code('STATUT_SOURCE')),
  resourceType: Type.Optional(Code('RESOURCE_TYP')),
  active: Type.Optional(Type.Boolean()),
  validable: Type.Optional(Type.Boolean()),
  taxonListId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  bbox: Type.Optional(Nullable(Polygon)),
  actors: Type.Optional(Actors),
}
const ShortName = Type.String({ minLength: 1, maxLength: 100 })
export const DatasetCreate = Type.Object(
  { frameworkId: Type.Integer({ minimum: 1 }), name: Name, shortName: ShortName, ...datasetFields },
  { additionalProperties: false },
)
export const DatasetUpdate = Type.Object(
  {
    frameworkId: Type.Optional(Type.Integer({ minimum: 1 })),
    name: Type.Optional(Name),
    shortName: Type.Optional(ShortName),
    ...datasetFields,
  },
  { additionalProperties: false, minProperties: 1 },
)
export type DatasetInput = Static<typeof DatasetUpdate>

export const FrameworkQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'search in the name' })),
    closed: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export const DatasetQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'search in the name and short name' })),
    framework: Type.Optional(Type.Integer({ minimum: 1 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

export const ActorOptionsSchema = Type.Object(
  {
    organisms: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
    users: Type.Array(
      Type.Object({ id: Type.Integer(), name: Type.String(), organismId: Nullable(Type.Integer()) }),
    ),
  },
  { title: 'MetadataActorOptions' },
)
